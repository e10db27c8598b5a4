// go_threads exercises what the Go runtime needs from the kernel: threads
// (clone, futex), signals (SIGURG preemption through tgkill, SIGSEGV turned
// into a panic by the signal handler), the netpoller (epoll, eventfd, pipes)
// and timers (nanosleep, epoll timeouts). Every line it prints is the same
// under any interleaving.
package main

import (
	"fmt"
	"os"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

type node struct{ next *node }

//go:noinline
func deref(n *node) *node { return n.next }

func nilPanic() (msg string) {
	defer func() {
		if r := recover(); r != nil {
			msg = fmt.Sprint(r)
		}
	}()
	var n *node
	deref(n)
	return "no panic"
}

// spin loops without calls: only asynchronous preemption can stop it.
//
//go:noinline
func spin(stop *atomic.Bool) int {
	n := 0
	for !stop.Load() {
		n++
	}
	return n
}

func main() {
	runtime.GOMAXPROCS(2)

	// Goroutines and channels.
	results := make(chan int, 100)
	var wg sync.WaitGroup
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			s := 0
			for i := 0; i < 1000; i++ {
				s += i * w
			}
			results <- s
		}(w)
	}
	wg.Wait()
	close(results)
	var all []int
	for r := range results {
		all = append(all, r)
	}
	sort.Ints(all)
	fmt.Println("workers:", all)

	// A mutex under contention.
	var mu sync.Mutex
	counter := 0
	var wg2 sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg2.Add(1)
		go func() {
			defer wg2.Done()
			for i := 0; i < 2000; i++ {
				mu.Lock()
				counter++
				mu.Unlock()
				if i%100 == 0 {
					runtime.Gosched()
				}
			}
		}()
	}
	wg2.Wait()
	fmt.Println("counter:", counter)

	// Timers and select.
	start := time.Now()
	timer := time.NewTimer(20 * time.Millisecond)
	other := make(chan struct{})
	select {
	case <-other:
	case <-timer.C:
	}
	fmt.Println("timer fired after >= 20ms:", time.Since(start) >= 20*time.Millisecond)
	time.Sleep(3 * time.Millisecond)

	// Nil dereference becomes a panic (SIGSEGV handler, sigpanic injection).
	fmt.Println("recovered:", nilPanic())

	// Asynchronous preemption: with one P a spinning goroutine must be preempted
	// for main to run again and stop it. Without async preemption it would spin
	// forever, so GODEBUG=asyncpreemptoff=1 skips it.
	runtime.GOMAXPROCS(1)
	if strings.Contains(os.Getenv("GODEBUG"), "asyncpreemptoff=1") {
		fmt.Println("spinner stopped: skipped")
	} else {
		var stop atomic.Bool
		done := make(chan int)
		go func() { done <- spin(&stop) }()
		time.Sleep(2 * time.Millisecond)
		stop.Store(true)
		fmt.Println("spinner stopped:", <-done > 0)
	}

	// A pipe through the netpoller.
	r, w, err := os.Pipe()
	if err != nil {
		fmt.Println("pipe:", err)
		os.Exit(1)
	}
	go func() {
		time.Sleep(time.Millisecond)
		w.Write([]byte("through the poller"))
		w.Close()
	}()
	buf := make([]byte, 64)
	n, _ := r.Read(buf)
	fmt.Println("pipe:", string(buf[:n]))
	r.SetReadDeadline(time.Now().Add(5 * time.Millisecond))
	_, err = r.Read(buf)
	fmt.Println("read after close:", err)
	fmt.Println("goroutines at end:", runtime.NumGoroutine())
}
