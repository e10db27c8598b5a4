package main

// State, block application, receipts and roots.

import (
	"encoding/hex"
	"errors"
	"fmt"
	"runtime"
	"sort"
	"sync"
)

// allocAccount is one account of alloc.json (input and output).
type allocAccount struct {
	Code    string            `json:"code,omitempty"`
	Storage map[string]string `json:"storage,omitempty"`
	Balance string            `json:"balance"`
	Nonce   string            `json:"nonce,omitempty"`
}

// envInput is env.json.
type envInput struct {
	Coinbase   string `json:"currentCoinbase"`
	GasLimit   string `json:"currentGasLimit"`
	Number     string `json:"currentNumber"`
	Timestamp  string `json:"currentTimestamp"`
	BaseFee    string `json:"currentBaseFee"`
	Difficulty string `json:"currentDifficulty,omitempty"`
	ParentHash string `json:"parentHash,omitempty"`
}

type account struct {
	nonce   uint64
	balance u256
	code    []byte
	storage map[u256]u256
}

// empty is EIP-161 emptiness; such accounts are dropped from the state.
func (a *account) empty() bool {
	return a.nonce == 0 && a.balance.isZero() && len(a.code) == 0
}

type stateDB map[[20]byte]*account

func (s stateDB) getOrNew(addr [20]byte) *account {
	a, ok := s[addr]
	if !ok {
		a = &account{storage: map[u256]u256{}}
		s[addr] = a
	}
	return a
}

type blockEnv struct {
	coinbase          [20]byte
	gasLimit          uint64
	number, timestamp uint64
	baseFee           u256
}

func loadAlloc(in map[string]allocAccount) (stateDB, error) {
	state := stateDB{}
	for addrHex, a := range in {
		addr, err := parseAddress(addrHex)
		if err != nil {
			return nil, err
		}
		acc := &account{storage: map[u256]u256{}}
		if acc.balance, err = parseU256(a.Balance); err != nil {
			return nil, err
		}
		if a.Nonce != "" {
			if acc.nonce, err = parseU64(a.Nonce); err != nil {
				return nil, err
			}
		}
		if a.Code != "" {
			if acc.code, err = parseHex(a.Code); err != nil {
				return nil, err
			}
		}
		for k, v := range a.Storage {
			slot, err := parseU256(k)
			if err != nil {
				return nil, err
			}
			value, err := parseU256(v)
			if err != nil {
				return nil, err
			}
			if !value.isZero() {
				acc.storage[slot] = value
			}
		}
		state[addr] = acc
	}
	return state, nil
}

func parseEnv(in *envInput) (*blockEnv, error) {
	env := &blockEnv{}
	var err error
	if env.coinbase, err = parseAddress(in.Coinbase); err != nil {
		return nil, err
	}
	if env.gasLimit, err = parseU64(in.GasLimit); err != nil {
		return nil, err
	}
	if env.number, err = parseU64(in.Number); err != nil {
		return nil, err
	}
	if env.timestamp, err = parseU64(in.Timestamp); err != nil {
		return nil, err
	}
	if env.baseFee, err = parseU256(in.BaseFee); err != nil {
		return nil, err
	}
	return env, nil
}

type logJSON struct {
	Address  string   `json:"address"`
	Topics   []string `json:"topics"`
	Data     string   `json:"data"`
	TxHash   string   `json:"transactionHash"`
	TxIndex  string   `json:"transactionIndex"`
	LogIndex string   `json:"logIndex"`
}

type receiptJSON struct {
	Type              string    `json:"type"`
	Root              string    `json:"root"`
	Status            string    `json:"status"`
	CumulativeGasUsed string    `json:"cumulativeGasUsed"`
	LogsBloom         string    `json:"logsBloom"`
	Logs              []logJSON `json:"logs"`
	TxHash            string    `json:"transactionHash"`
	ContractAddress   string    `json:"contractAddress"`
	GasUsed           string    `json:"gasUsed"`
	EffectiveGasPrice string    `json:"effectiveGasPrice"`
	TransactionIndex  string    `json:"transactionIndex"`
}

type rejectedTx struct {
	Index int    `json:"index"`
	Error string `json:"error"`
}

type execResult struct {
	StateRoot   string        `json:"stateRoot"`
	TxRoot      string        `json:"txRoot"`
	ReceiptRoot string        `json:"receiptsRoot"`
	LogsHash    string        `json:"logsHash"`
	Bloom       string        `json:"logsBloom"`
	Receipts    []receiptJSON `json:"receipts"`
	Rejected    []rejectedTx  `json:"rejected,omitempty"`
	GasUsed     string        `json:"gasUsed"`
	BaseFee     string        `json:"currentBaseFee"`
}

func hex0x(b []byte) string { return "0x" + hex.EncodeToString(b) }

func intrinsicGas(data []byte) uint64 {
	gas := uint64(21000)
	for _, b := range data {
		if b == 0 {
			gas += 4
		} else {
			gas += 16
		}
	}
	return gas
}

// transfer moves value (already checked affordable), creating the recipient.
func (s stateDB) transfer(from, to [20]byte, value u256) {
	src := s.getOrNew(from)
	src.balance = src.balance.wsub(value)
	dst := s.getOrNew(to)
	dst.balance = dst.balance.wadd(value)
}

type txResult struct {
	success bool
	gasUsed uint64
	logs    []logRecord
}

// applyTx validates and executes one transaction.
func applyTx(state stateDB, env *blockEnv, tx *transaction, gasBefore uint64) (*txResult, error) {
	if tx.senderErr != nil {
		return nil, tx.senderErr
	}
	intrinsic := intrinsicGas(tx.data)
	if tx.gas < intrinsic {
		return nil, errors.New("intrinsic gas too low")
	}
	if gasBefore+tx.gas > env.gasLimit {
		return nil, errors.New("gas limit reached")
	}
	if tx.gasPrice.cmp(env.baseFee) < 0 {
		return nil, errors.New("max fee per gas less than block base fee")
	}
	gasCost, overflow := tx.gasPrice.mulChecked(u64(tx.gas))
	if overflow {
		return nil, errors.New("gas cost overflow")
	}
	upfront, overflow := gasCost.add(tx.value)
	if overflow {
		return nil, errors.New("cost overflow")
	}
	sender := state.getOrNew(tx.sender)
	if sender.nonce != tx.nonce {
		return nil, fmt.Errorf("nonce %d but account has %d", tx.nonce, sender.nonce)
	}
	if sender.balance.cmp(upfront) < 0 {
		return nil, errors.New("insufficient funds for gas * price + value")
	}
	// Buy gas and bump the nonce; these survive a failed execution.
	sender.nonce++
	sender.balance = sender.balance.wsub(gasCost)

	state.transfer(tx.sender, tx.to, tx.value)
	gasLeft := tx.gas - intrinsic
	res := &txResult{success: true}
	if target := state[tx.to]; len(target.code) > 0 {
		ctx := &evmContext{
			address:   tx.to,
			caller:    tx.sender,
			coinbase:  env.coinbase,
			value:     tx.value,
			calldata:  tx.data,
			timestamp: env.timestamp,
			number:    env.number,
		}
		out := execute(ctx, target.code, target.storage, gasLeft)
		gasLeft = out.gasLeft
		if out.halt == haltSuccess {
			for slot, value := range out.writes {
				if value.isZero() {
					delete(target.storage, slot)
				} else {
					target.storage[slot] = value
				}
			}
			res.logs = out.logs
		} else {
			// Undo the value transfer; gas and nonce stay paid.
			state.transfer(tx.to, tx.sender, tx.value)
			res.success = false
		}
	}
	res.gasUsed = tx.gas - gasLeft
	sender.balance = sender.balance.wadd(tx.gasPrice.wmul(u64(gasLeft)))
	tip := tx.gasPrice.wsub(env.baseFee).wmul(u64(res.gasUsed))
	cb := state.getOrNew(env.coinbase)
	cb.balance = cb.balance.wadd(tip)
	return res, nil
}

// bloomAdd sets the three bits selected by keccak(value) (yellow paper 4.3.1).
func bloomAdd(bloom *[256]byte, value []byte) {
	h := keccak256(value)
	for _, i := range []int{0, 2, 4} {
		bit := (int(h[i])<<8 | int(h[i+1])) & 2047
		bloom[255-bit/8] |= 1 << (bit % 8)
	}
}

func encodeLog(l *logRecord) []byte {
	var topics []byte
	for _, t := range l.Topics {
		topics = rlpBytes(topics, t[:])
	}
	entry := rlpBytes(nil, l.Address[:])
	entry = append(entry, rlpList(topics)...)
	entry = rlpBytes(entry, l.Data)
	return rlpList(entry)
}

func indexKey(i int) []byte { return rlpUint(nil, uint64(i)) }

// applyBlock runs the transactions in order. Invalid ones are reported as
// rejected and skipped, as geth's t8n does.
func applyBlock(state stateDB, env *blockEnv, txs []*transaction) *execResult {
	result := &execResult{Receipts: []receiptJSON{}, BaseFee: env.baseFee.hexQuantity()}
	var gasUsed uint64
	var blockBloom [256]byte
	var allLogs []byte
	logCount := 0
	var txKeys, txVals, rcKeys, rcVals [][]byte
	for i, tx := range txs {
		res, err := applyTx(state, env, tx, gasUsed)
		if err != nil {
			result.Rejected = append(result.Rejected, rejectedTx{i, err.Error()})
			continue
		}
		gasUsed += res.gasUsed
		index := len(result.Receipts)
		var bloom [256]byte
		var logsPayload []byte
		logs := []logJSON{}
		for _, l := range res.logs {
			bloomAdd(&bloom, l.Address[:])
			topics := []string{}
			for _, t := range l.Topics {
				bloomAdd(&bloom, t[:])
				topics = append(topics, hex0x(t[:]))
			}
			enc := encodeLog(&l)
			logsPayload = append(logsPayload, enc...)
			allLogs = append(allLogs, enc...)
			logs = append(logs, logJSON{
				Address:  hex0x(l.Address[:]),
				Topics:   topics,
				Data:     hex0x(l.Data),
				TxHash:   hex0x(tx.hash[:]),
				TxIndex:  u64(uint64(index)).hexQuantity(),
				LogIndex: u64(uint64(logCount)).hexQuantity(),
			})
			logCount++
		}
		for k := range blockBloom {
			blockBloom[k] |= bloom[k]
		}
		status := uint64(0)
		if res.success {
			status = 1
		}
		payload := rlpUint(nil, status)
		payload = rlpUint(payload, gasUsed)
		payload = rlpBytes(payload, bloom[:])
		payload = append(payload, rlpList(logsPayload)...)
		txKeys = append(txKeys, indexKey(index))
		txVals = append(txVals, tx.encode())
		rcKeys = append(rcKeys, indexKey(index))
		rcVals = append(rcVals, rlpList(payload))
		result.Receipts = append(result.Receipts, receiptJSON{
			Type:              "0x0",
			Root:              "0x",
			Status:            u64(status).hexQuantity(),
			CumulativeGasUsed: u64(gasUsed).hexQuantity(),
			LogsBloom:         hex0x(bloom[:]),
			Logs:              logs,
			TxHash:            hex0x(tx.hash[:]),
			ContractAddress:   hex0x(make([]byte, 20)),
			GasUsed:           u64(res.gasUsed).hexQuantity(),
			EffectiveGasPrice: tx.gasPrice.hexQuantity(),
			TransactionIndex:  u64(uint64(index)).hexQuantity(),
		})
	}
	for addr, a := range state {
		if a.empty() {
			delete(state, addr)
		}
	}
	stateRoot := state.root()
	txRoot := trieRoot(txKeys, txVals)
	receiptRoot := trieRoot(rcKeys, rcVals)
	logsHash := keccak256(rlpList(allLogs))
	result.StateRoot = hex0x(stateRoot[:])
	result.TxRoot = hex0x(txRoot[:])
	result.ReceiptRoot = hex0x(receiptRoot[:])
	result.LogsHash = hex0x(logsHash[:])
	result.Bloom = hex0x(blockBloom[:])
	result.GasUsed = u64(gasUsed).hexQuantity()
	return result
}

// storageRoot computes an account's storage trie root.
func (a *account) storageRoot() [32]byte {
	keys := make([][]byte, 0, len(a.storage))
	vals := make([][]byte, 0, len(a.storage))
	for slot, v := range a.storage {
		if v.isZero() {
			continue
		}
		w := slot.bytes32()
		h := keccak256(w[:])
		keys = append(keys, h[:])
		vals = append(vals, rlpBytes(nil, v.trimmed()))
	}
	return trieRoot(keys, vals)
}

// root computes the state root. Storage roots are computed concurrently, as
// geth's IntermediateRoot updates storage tries on a worker group.
func (s stateDB) root() [32]byte {
	addrs := make([][20]byte, 0, len(s))
	for addr := range s {
		addrs = append(addrs, addr)
	}
	sort.Slice(addrs, func(i, j int) bool { return string(addrs[i][:]) < string(addrs[j][:]) })
	roots := make([][32]byte, len(addrs))
	var wg sync.WaitGroup
	sem := make(chan struct{}, runtime.NumCPU())
	for i, addr := range addrs {
		wg.Add(1)
		sem <- struct{}{}
		go func(i int, a *account) {
			defer wg.Done()
			roots[i] = a.storageRoot()
			<-sem
		}(i, s[addr])
	}
	wg.Wait()

	keys := make([][]byte, len(addrs))
	vals := make([][]byte, len(addrs))
	for i, addr := range addrs {
		a := s[addr]
		codeHash := keccak256(a.code)
		payload := rlpUint(nil, a.nonce)
		payload = rlpBytes(payload, a.balance.trimmed())
		payload = rlpBytes(payload, roots[i][:])
		payload = rlpBytes(payload, codeHash[:])
		h := keccak256(addr[:])
		keys[i] = h[:]
		vals[i] = rlpList(payload)
	}
	return trieRoot(keys, vals)
}

// dumpAlloc renders the post-state in alloc.json form.
func dumpAlloc(s stateDB) map[string]allocAccount {
	out := make(map[string]allocAccount, len(s))
	for addr, a := range s {
		entry := allocAccount{Balance: a.balance.hexQuantity()}
		if a.nonce != 0 {
			entry.Nonce = u64(a.nonce).hexQuantity()
		}
		if len(a.code) > 0 {
			entry.Code = hex0x(a.code)
		}
		if len(a.storage) > 0 {
			entry.Storage = make(map[string]string, len(a.storage))
			for k, v := range a.storage {
				kb, vb := k.bytes32(), v.bytes32()
				entry.Storage[hex0x(kb[:])] = hex0x(vb[:])
			}
		}
		out[hex0x(addr[:])] = entry
	}
	return out
}
