// Command t8n is a state transition tool modelled on geth's `evm t8n`.
//
// It reads a pre-state allocation, a block environment and a list of signed
// legacy transactions (geth's JSON formats), recovers the senders on a pool
// of goroutines, executes the transactions with the EVM subset in evm.go and
// writes {"alloc": post-state, "result": {stateRoot, txRoot, receiptsRoot,
// logsHash, logsBloom, receipts, gasUsed, ...}} to stdout, as geth does when
// both outputs are "stdout".
//
// Usage:
//
//	t8n --input.alloc alloc.json --input.env env.json --input.txs txs.json \
//	    [--state.fork Shanghai] [--state.chainid 1]
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"runtime"
	"sync"
)

func main() {
	allocPath := flag.String("input.alloc", "alloc.json", "pre-state allocation (JSON)")
	envPath := flag.String("input.env", "env.json", "block environment (JSON)")
	txsPath := flag.String("input.txs", "txs.json", "signed transactions (JSON)")
	fork := flag.String("state.fork", "Shanghai", "fork rules (only informational: the EVM subset is fixed)")
	chainID := flag.Uint64("state.chainid", 1, "chain id for EIP-155 sender recovery")
	flag.String("output.alloc", "stdout", "accepted for compatibility; output always goes to stdout")
	flag.String("output.result", "stdout", "accepted for compatibility; output always goes to stdout")
	flag.String("output.basedir", "", "accepted for compatibility")
	flag.Parse()

	if err := run(*allocPath, *envPath, *txsPath, *fork, *chainID); err != nil {
		fmt.Fprintf(os.Stderr, "t8n: %v\n", err)
		os.Exit(1)
	}
}

func readJSON(path string, into any) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(data, into); err != nil {
		return fmt.Errorf("parsing %s: %w", path, err)
	}
	return nil
}

func run(allocPath, envPath, txsPath, fork string, chainID uint64) error {
	switch fork {
	case "London", "ArrowGlacier", "GrayGlacier", "Merge", "Paris", "Shanghai", "Cancun":
	default:
		return fmt.Errorf("unsupported fork %q", fork)
	}
	var allocJSON map[string]allocAccount
	var envJSON envInput
	var txsJSON []txInput
	if err := readJSON(allocPath, &allocJSON); err != nil {
		return err
	}
	if err := readJSON(envPath, &envJSON); err != nil {
		return err
	}
	if err := readJSON(txsPath, &txsJSON); err != nil {
		return err
	}
	state, err := loadAlloc(allocJSON)
	if err != nil {
		return err
	}
	env, err := parseEnv(&envJSON)
	if err != nil {
		return err
	}
	txs := make([]*transaction, len(txsJSON))
	for i := range txsJSON {
		if txs[i], err = parseTx(&txsJSON[i]); err != nil {
			return fmt.Errorf("transaction %d: %w", i, err)
		}
	}

	recoverSenders(txs, chainID)

	result := applyBlock(state, env, txs)
	out := struct {
		Alloc  map[string]allocAccount `json:"alloc"`
		Result *execResult             `json:"result"`
	}{dumpAlloc(state), result}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

// recoverSenders computes every transaction's hash and sender on a worker
// pool, the way geth fans signature recovery out over its CPUs.
func recoverSenders(txs []*transaction, chainID uint64) {
	workers := runtime.NumCPU()
	if workers > len(txs) {
		workers = len(txs)
	}
	jobs := make(chan *transaction)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for tx := range jobs {
				tx.hash = keccak256(tx.encode())
				tx.sender, tx.senderErr = tx.recoverSender(chainID)
			}
		}()
	}
	for _, tx := range txs {
		jobs <- tx
	}
	close(jobs)
	wg.Wait()
}
