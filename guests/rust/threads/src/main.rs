//! `threads`: a multi-threaded guest using only the standard library.
//!
//! Every part does deterministic work whose result cannot depend on how the
//! threads are scheduled (results are indexed by worker, combined with
//! commutative operations, or ordered by a FIFO channel or a barrier), and
//! checks it against a single-threaded computation of the same thing. The
//! summary goes to stdout; the exit status is 0 when every check holds and 1
//! otherwise (with the failed checks on stderr). One worker panics on purpose
//! (part 7), so stderr also carries the standard panic message.

use std::cell::Cell;
use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Barrier, Condvar, Mutex, RwLock};
use std::thread;

/// Fixed worker count: the program must not ask the host how many CPUs it has.
const WORKERS: usize = 4;

/// splitmix64, a small deterministic generator.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

fn generate(n: usize, seed: u64) -> Vec<u64> {
    let mut rng = Rng(seed);
    (0..n).map(|_| rng.next()).collect()
}

/// 64-bit FNV-1a over the little-endian bytes of `words`.
fn fnv1a(words: &[u64]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for w in words {
        for b in w.to_le_bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    h
}

/// Steps of the Collatz sequence from `n` down to 1.
fn collatz_steps(mut n: u64) -> u64 {
    let mut steps = 0;
    while n != 1 {
        n = if n % 2 == 0 { n / 2 } else { 3 * n + 1 };
        steps += 1;
    }
    steps
}

/// Collects failed checks; printed at the end.
struct Checks {
    failed: Vec<String>,
}

impl Checks {
    fn check(&mut self, what: &str, ok: bool) {
        if !ok {
            self.failed.push(what.to_string());
        }
    }
}

/// Part 1: named threads from `thread::Builder` hash one chunk each and send
/// `(index, name, hash)` over an mpsc channel; their join handles return the
/// chunk's wrapping sum.
fn part_spawn_channel(c: &mut Checks) {
    let data = Arc::new(generate(1 << 13, 1));
    let chunk = data.len() / WORKERS;
    let (tx, rx) = mpsc::channel::<(usize, String, u64)>();
    let mut handles = Vec::new();
    for i in 0..WORKERS {
        let tx = tx.clone();
        let data = Arc::clone(&data);
        let h = thread::Builder::new()
            .name(format!("hash-{i}"))
            .stack_size(256 * 1024)
            .spawn(move || {
                let part = &data[i * chunk..(i + 1) * chunk];
                let name = thread::current().name().unwrap_or("?").to_string();
                tx.send((i, name, fnv1a(part))).unwrap();
                part.iter().fold(0u64, |a, &x| a.wrapping_add(x))
            })
            .unwrap();
        handles.push(h);
    }
    drop(tx);
    let mut got: Vec<(usize, String, u64)> = rx.iter().collect();
    got.sort();
    let sums: Vec<u64> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    c.check("part 1: one message per worker", got.len() == WORKERS);
    for (i, name, hash) in &got {
        println!("spawn: chunk {i} hashed by {name}: fnv1a {hash:016x} sum {:016x}", sums[*i]);
        let part = &data[i * chunk..(i + 1) * chunk];
        c.check("part 1: hash", *hash == fnv1a(part));
        c.check("part 1: name", *name == format!("hash-{i}"));
    }
    let total = sums.iter().fold(0u64, |a, &x| a.wrapping_add(x));
    let serial = data.iter().fold(0u64, |a, &x| a.wrapping_add(x));
    c.check("part 1: sum", total == serial);
    println!("spawn: total {total:016x}");
}

/// Queue shared by the producer and the consumers of part 2.
struct Queue {
    items: VecDeque<u64>,
    closed: bool,
}

/// Part 2: a work queue behind `Arc<(Mutex, Condvar)>`: the main thread
/// produces numbers, consumers wait on the condition variable, compute
/// Collatz step counts and add them to shared totals.
fn part_condvar_queue(c: &mut Checks) {
    const N: u64 = 3000;
    let shared = Arc::new((Mutex::new(Queue { items: VecDeque::new(), closed: false }), Condvar::new()));
    let totals = Arc::new(Mutex::new((0u64, 0u64, 0u64))); // count, sum of steps, max steps
    let mut handles = Vec::new();
    for _ in 0..WORKERS {
        let shared = Arc::clone(&shared);
        let totals = Arc::clone(&totals);
        handles.push(thread::spawn(move || {
            let (lock, cv) = &*shared;
            let (mut count, mut sum, mut max) = (0u64, 0u64, 0u64);
            loop {
                let item = {
                    let mut q = lock.lock().unwrap();
                    loop {
                        if let Some(x) = q.items.pop_front() {
                            break Some(x);
                        }
                        if q.closed {
                            break None;
                        }
                        q = cv.wait(q).unwrap();
                    }
                };
                let Some(n) = item else { break };
                let s = collatz_steps(n);
                count += 1;
                sum += s;
                max = max.max(s);
            }
            let mut t = totals.lock().unwrap();
            t.0 += count;
            t.1 += sum;
            t.2 = t.2.max(max);
        }));
    }
    let (lock, cv) = &*shared;
    let mut next = 1;
    while next <= N {
        let mut q = lock.lock().unwrap();
        for _ in 0..50 {
            if next > N {
                break;
            }
            q.items.push_back(next);
            next += 1;
        }
        drop(q);
        cv.notify_one();
    }
    lock.lock().unwrap().closed = true;
    cv.notify_all();
    for h in handles {
        h.join().unwrap();
    }
    let t = *totals.lock().unwrap();
    let serial = (1..=N).map(collatz_steps).fold((0, 0, 0), |a, s| (a.0 + 1, a.1 + s, a.2.max(s)));
    c.check("part 2: totals", t == serial);
    println!("condvar: {} numbers, {} Collatz steps in all, longest {}", t.0, t.1, t.2);
}

/// Part 3: rounds separated by a `Barrier`: each worker writes its slot of
/// an `RwLock<Vec>`, waits, reads its neighbour's slot, waits again.
fn part_barrier(c: &mut Checks) {
    const ROUNDS: usize = 8;
    let barrier = Arc::new(Barrier::new(WORKERS));
    let slots = Arc::new(RwLock::new(vec![0u64; WORKERS]));
    let leaders = Arc::new(AtomicUsize::new(0));
    let mut handles = Vec::new();
    for i in 0..WORKERS {
        let (barrier, slots, leaders) = (Arc::clone(&barrier), Arc::clone(&slots), Arc::clone(&leaders));
        handles.push(thread::spawn(move || {
            let mut mine = (i as u64 + 1) * 1000;
            for round in 0..ROUNDS {
                slots.write().unwrap()[i] = mine;
                if barrier.wait().is_leader() {
                    leaders.fetch_add(1, Ordering::Relaxed);
                }
                let neighbour = slots.read().unwrap()[(i + 1) % WORKERS];
                mine = mine.wrapping_mul(31).wrapping_add(neighbour ^ round as u64);
                if barrier.wait().is_leader() {
                    leaders.fetch_add(1, Ordering::Relaxed);
                }
            }
            mine
        }));
    }
    let finals: Vec<u64> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    // The same rounds computed serially.
    let mut serial: Vec<u64> = (0..WORKERS).map(|i| (i as u64 + 1) * 1000).collect();
    for round in 0..ROUNDS {
        let snapshot = serial.clone();
        for i in 0..WORKERS {
            serial[i] = serial[i].wrapping_mul(31).wrapping_add(snapshot[(i + 1) % WORKERS] ^ round as u64);
        }
    }
    c.check("part 3: values", finals == serial);
    c.check("part 3: one leader per wait", leaders.load(Ordering::Relaxed) == 2 * ROUNDS);
    let text: Vec<String> = finals.iter().map(|v| format!("{v:016x}")).collect();
    println!("barrier: {} rounds, {} leaders, slots {}", ROUNDS, leaders.load(Ordering::Relaxed), text.join(" "));
}

/// Part 4: scoped threads sort disjoint chunks of one vector in place and
/// count values in a shared borrowed slice; the main thread merges.
fn part_scoped_sort(c: &mut Checks) {
    let mut data: Vec<u64> = generate(12_000, 2).into_iter().map(|x| x % 1_000_000).collect();
    let original = data.clone();
    let chunk = data.len().div_ceil(WORKERS);
    let threshold = 500_000;
    let below: usize = thread::scope(|s| {
        let counters: Vec<_> = original
            .chunks(chunk)
            .map(|part| s.spawn(move || part.iter().filter(|&&x| x < threshold).count()))
            .collect();
        for part in data.chunks_mut(chunk) {
            s.spawn(move || part.sort_unstable());
        }
        counters.into_iter().map(|h| h.join().unwrap()).sum()
    });
    // k-way merge of the sorted chunks.
    let mut heads: Vec<usize> = (0..data.len()).step_by(chunk).collect();
    let ends: Vec<usize> = heads.iter().map(|&h| (h + chunk).min(data.len())).collect();
    let mut merged = Vec::with_capacity(data.len());
    loop {
        let mut best: Option<usize> = None;
        for k in 0..heads.len() {
            if heads[k] < ends[k] && best.map_or(true, |b| data[heads[k]] < data[heads[b]]) {
                best = Some(k);
            }
        }
        let Some(b) = best else { break };
        merged.push(data[heads[b]]);
        heads[b] += 1;
    }
    let mut serial = original.clone();
    serial.sort();
    c.check("part 4: merge", merged == serial);
    c.check("part 4: count", below == original.iter().filter(|&&x| x < threshold).count());
    println!(
        "scoped: sorted {} values: min {} median {} max {}, {} below {}, fnv1a {:016x}",
        merged.len(),
        merged[0],
        merged[merged.len() / 2],
        merged[merged.len() - 1],
        below,
        threshold,
        fnv1a(&merged)
    );
}

/// Part 5: a three-stage pipeline over bounded `sync_channel`s; FIFO order
/// makes the order-dependent fold deterministic.
fn part_pipeline(c: &mut Checks) {
    const N: u64 = 2000;
    const P: u64 = 1_000_000_007;
    let (tx1, rx1) = mpsc::sync_channel::<u64>(4);
    let (tx2, rx2) = mpsc::sync_channel::<u64>(0); // rendezvous
    let producer = thread::spawn(move || {
        for n in 1..=N {
            tx1.send(n).unwrap();
        }
    });
    let squarer = thread::spawn(move || {
        for n in rx1 {
            tx2.send(n * n % P).unwrap();
        }
    });
    let fold = |acc: u64, x: u64| (acc.wrapping_mul(1_000_003) ^ x) % P;
    let got = rx2.iter().fold(7u64, fold);
    producer.join().unwrap();
    squarer.join().unwrap();
    let serial = (1..=N).map(|n| n * n % P).fold(7u64, fold);
    c.check("part 5: fold", got == serial);
    println!("pipeline: {N} values through 2 bounded channels, fold {got}");
}

thread_local! {
    static LOCAL: Cell<u64> = const { Cell::new(0) };
}

/// Part 6: thread-locals stay per thread, atomics add up, and `park` /
/// `unpark` hand a flag over.
fn part_atomics_tls_park(c: &mut Checks) {
    const ADDS: u64 = 2500;
    let total = Arc::new(AtomicU64::new(0));
    let handles: Vec<_> = (0..WORKERS as u64)
        .map(|i| {
            let total = Arc::clone(&total);
            thread::spawn(move || {
                for _ in 0..ADDS {
                    LOCAL.with(|l| l.set(l.get() + i + 1));
                    total.fetch_add(i + 1, Ordering::SeqCst);
                    if LOCAL.with(Cell::get) % 512 == 0 {
                        thread::yield_now();
                    }
                }
                LOCAL.with(Cell::get)
            })
        })
        .collect();
    let locals: Vec<u64> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    let main_local = LOCAL.with(Cell::get);
    let want_total: u64 = (1..=WORKERS as u64).map(|k| k * ADDS).sum();
    c.check("part 6: total", total.load(Ordering::SeqCst) == want_total);
    c.check("part 6: main thread-local", main_local == 0);
    for (i, &l) in locals.iter().enumerate() {
        c.check("part 6: worker thread-local", l == (i as u64 + 1) * ADDS);
    }

    let ready = Arc::new(AtomicBool::new(false));
    let parked = {
        let ready = Arc::clone(&ready);
        thread::spawn(move || {
            // park may return spuriously: loop until the flag is seen.
            while !ready.load(Ordering::Acquire) {
                thread::park();
            }
            ready.load(Ordering::Acquire)
        })
    };
    ready.store(true, Ordering::Release);
    parked.thread().unpark();
    c.check("part 6: park", parked.join().unwrap());
    let text: Vec<String> = locals.iter().map(u64::to_string).collect();
    println!(
        "atomics: total {}, thread-locals {} (main {}), park/unpark ok",
        total.load(Ordering::SeqCst),
        text.join(" "),
        main_local
    );
}

/// Part 7: a worker that panics; `join` returns the payload and the other
/// threads (and a `Mutex` it did not hold) are unaffected.
fn part_panic(c: &mut Checks) {
    let guard = Arc::new(Mutex::new(41u32));
    let g = Arc::clone(&guard);
    let h = thread::Builder::new()
        .name("boom".into())
        .spawn(move || {
            *g.lock().unwrap() += 1;
            if *g.lock().unwrap() == 42 {
                panic!("intentional panic in worker boom");
            }
            0u32
        })
        .unwrap();
    let r = h.join();
    let msg = match &r {
        Err(p) => p.downcast_ref::<&str>().map(|s| s.to_string()).unwrap_or_else(|| "?".into()),
        Ok(_) => String::from("no panic"),
    };
    c.check("part 7: panicked", r.is_err());
    c.check("part 7: message", msg == "intentional panic in worker boom");
    c.check("part 7: mutex not poisoned", !guard.is_poisoned() && *guard.lock().unwrap() == 42);
    println!("panic: join returned Err({msg:?}), mutex value {}", *guard.lock().unwrap());
}

fn main() {
    let mut c = Checks { failed: Vec::new() };
    println!("threads: {WORKERS} workers");
    part_spawn_channel(&mut c);
    part_condvar_queue(&mut c);
    part_barrier(&mut c);
    part_scoped_sort(&mut c);
    part_pipeline(&mut c);
    part_atomics_tls_park(&mut c);
    part_panic(&mut c);
    if c.failed.is_empty() {
        println!("threads: all checks passed");
    } else {
        for f in &c.failed {
            eprintln!("check failed: {f}");
        }
        println!("threads: {} checks failed", c.failed.len());
        std::process::exit(1);
    }
}
