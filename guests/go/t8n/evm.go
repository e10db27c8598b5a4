package main

// The EVM subset shared with the Rust stateless guest (guests/README.md has
// the opcode list and gas table; both guests must charge identically).
//
// Without CALL/CREATE only the called contract's storage can change, so
// writes go to an overlay the caller commits on success and drops on REVERT
// or an exceptional halt.

import "errors"

const (
	stackLimit  = 1024
	memoryLimit = uint64(1) << 32 // memory ends beyond this are out of gas
)

type haltKind int

const (
	haltSuccess     haltKind = iota // STOP, RETURN, end of code
	haltRevert                      // REVERT: changes dropped, gas left refunded
	haltExceptional                 // out of gas, bad jump, stack error, invalid opcode
)

// errFault marks an exceptional halt inside the interpreter loop.
var errFault = errors.New("exceptional halt")

type evmContext struct {
	address, caller, coinbase [20]byte
	value                     u256
	calldata                  []byte
	timestamp, number         uint64
}

type logRecord struct {
	Address [20]byte
	Topics  [][32]byte
	Data    []byte
}

type outcome struct {
	halt    haltKind
	gasLeft uint64
	logs    []logRecord
	writes  map[u256]u256 // storage writes to apply on success
}

type machine struct {
	ctx       *evmContext
	code      []byte
	jumpdests []bool
	storage   map[u256]u256
	writes    map[u256]u256
	stack     []u256
	memory    []byte
	gas       uint64
	logs      []logRecord
}

// execute runs code with gas against the contract's committed storage.
func execute(ctx *evmContext, code []byte, storage map[u256]u256, gas uint64) outcome {
	m := &machine{
		ctx:       ctx,
		code:      code,
		jumpdests: analyseJumpdests(code),
		storage:   storage,
		writes:    map[u256]u256{},
		stack:     make([]u256, 0, 64),
		gas:       gas,
	}
	halt, err := m.run()
	if err != nil {
		return outcome{halt: haltExceptional}
	}
	if halt != haltSuccess {
		return outcome{halt: halt, gasLeft: m.gas}
	}
	return outcome{halt: halt, gasLeft: m.gas, logs: m.logs, writes: m.writes}
}

// analyseJumpdests marks JUMPDEST bytes that are opcodes, not PUSH data.
func analyseJumpdests(code []byte) []bool {
	dests := make([]bool, len(code))
	for pc := 0; pc < len(code); {
		op := code[pc]
		if op == 0x5b {
			dests[pc] = true
		}
		if op >= 0x60 && op <= 0x7f {
			pc += int(op-0x5f) + 1
		} else {
			pc++
		}
	}
	return dests
}

// memoryCost is 3 gas per word plus words^2/512.
func memoryCost(words uint64) uint64 { return 3*words + words*words/512 }

func toWords(n uint64) uint64 { return (n + 31) / 32 }

func addressWord(a [20]byte) u256 { return fromBytes(a[:]) }

func boolWord(b bool) u256 {
	if b {
		return u256One
	}
	return u256Zero
}

func (m *machine) charge(amount uint64) error {
	if m.gas < amount {
		return errFault
	}
	m.gas -= amount
	return nil
}

func (m *machine) pop() (u256, error) {
	n := len(m.stack)
	if n == 0 {
		return u256Zero, errFault
	}
	v := m.stack[n-1]
	m.stack = m.stack[:n-1]
	return v, nil
}

func (m *machine) push(v u256) error {
	if len(m.stack) >= stackLimit {
		return errFault
	}
	m.stack = append(m.stack, v)
	return nil
}

// small converts a stack word to a memory quantity, faulting if too large.
func small(v u256) (uint64, error) {
	if !v.fitsU64() || v[0] > memoryLimit {
		return 0, errFault
	}
	return v[0], nil
}

// expand charges for and performs memory growth covering [offset, offset+size).
func (m *machine) expand(offset u256, size uint64) (int, error) {
	if size == 0 {
		return 0, nil
	}
	off, err := small(offset)
	if err != nil {
		return 0, err
	}
	end := off + size
	if end > memoryLimit {
		return 0, errFault
	}
	have := uint64(len(m.memory)) / 32
	need := toWords(end)
	if need > have {
		if err := m.charge(memoryCost(need) - memoryCost(have)); err != nil {
			return 0, err
		}
		m.memory = append(m.memory, make([]byte, int(need*32)-len(m.memory))...)
	}
	return int(off), nil
}

func (m *machine) sload(slot u256) u256 {
	if v, ok := m.writes[slot]; ok {
		return v
	}
	return m.storage[slot]
}

// binary pops a (top) and b and pushes f(a, b).
func (m *machine) binary(gas uint64, f func(a, b u256) u256) error {
	if err := m.charge(gas); err != nil {
		return err
	}
	a, err := m.pop()
	if err != nil {
		return err
	}
	b, err := m.pop()
	if err != nil {
		return err
	}
	return m.push(f(a, b))
}

// env is a 2-gas opcode pushing one environment value.
func (m *machine) env(v u256) error {
	if err := m.charge(2); err != nil {
		return err
	}
	return m.push(v)
}

func (m *machine) jumpTarget(dest u256) (int, error) {
	if !dest.fitsU64() || dest[0] >= uint64(len(m.code)) || !m.jumpdests[dest[0]] {
		return 0, errFault
	}
	return int(dest[0]), nil
}

// pop2 pops two words (top first).
func (m *machine) pop2() (u256, u256, error) {
	a, err := m.pop()
	if err != nil {
		return a, a, err
	}
	b, err := m.pop()
	return a, b, err
}

func (m *machine) run() (haltKind, error) {
	pc := 0
	for pc < len(m.code) {
		op := m.code[pc]
		var err error
		switch {
		case op == 0x00:
			return haltSuccess, nil
		case op == 0x01:
			err = m.binary(3, func(a, b u256) u256 { return a.wadd(b) })
		case op == 0x02:
			err = m.binary(5, func(a, b u256) u256 { return a.wmul(b) })
		case op == 0x03:
			err = m.binary(3, func(a, b u256) u256 { return a.wsub(b) })
		case op == 0x04:
			err = m.binary(5, func(a, b u256) u256 { q, _ := a.divMod(b); return q })
		case op == 0x06:
			err = m.binary(5, func(a, b u256) u256 { _, r := a.divMod(b); return r })
		case op == 0x0a:
			var base, e u256
			if base, e, err = m.pop2(); err == nil {
				if err = m.charge(10 + 50*e.byteLen()); err == nil {
					err = m.push(base.exp(e))
				}
			}
		case op == 0x10:
			err = m.binary(3, func(a, b u256) u256 { return boolWord(a.cmp(b) < 0) })
		case op == 0x11:
			err = m.binary(3, func(a, b u256) u256 { return boolWord(a.cmp(b) > 0) })
		case op == 0x12:
			err = m.binary(3, func(a, b u256) u256 { return boolWord(a.scmp(b) < 0) })
		case op == 0x13:
			err = m.binary(3, func(a, b u256) u256 { return boolWord(a.scmp(b) > 0) })
		case op == 0x14:
			err = m.binary(3, func(a, b u256) u256 { return boolWord(a == b) })
		case op == 0x15:
			if err = m.charge(3); err == nil {
				var a u256
				if a, err = m.pop(); err == nil {
					err = m.push(boolWord(a.isZero()))
				}
			}
		case op == 0x16:
			err = m.binary(3, func(a, b u256) u256 { return a.and(b) })
		case op == 0x17:
			err = m.binary(3, func(a, b u256) u256 { return a.or(b) })
		case op == 0x18:
			err = m.binary(3, func(a, b u256) u256 { return a.xor(b) })
		case op == 0x19:
			if err = m.charge(3); err == nil {
				var a u256
				if a, err = m.pop(); err == nil {
					err = m.push(a.not())
				}
			}
		case op == 0x1a:
			err = m.binary(3, func(i, x u256) u256 {
				if !i.fitsU64() || i[0] >= 32 {
					return u256Zero
				}
				b := x.bytes32()
				return u64(uint64(b[i[0]]))
			})
		case op == 0x1b:
			err = m.binary(3, func(s, v u256) u256 {
				if !s.fitsU64() || s[0] >= 256 {
					return u256Zero
				}
				return v.shl(uint(s[0]))
			})
		case op == 0x1c:
			err = m.binary(3, func(s, v u256) u256 {
				if !s.fitsU64() || s[0] >= 256 {
					return u256Zero
				}
				return v.shr(uint(s[0]))
			})
		case op == 0x20:
			err = m.opSha3()
		case op == 0x30:
			err = m.env(addressWord(m.ctx.address))
		case op == 0x33:
			err = m.env(addressWord(m.ctx.caller))
		case op == 0x34:
			err = m.env(m.ctx.value)
		case op == 0x35:
			err = m.opCalldataload()
		case op == 0x36:
			err = m.env(u64(uint64(len(m.ctx.calldata))))
		case op == 0x37:
			err = m.opCalldatacopy()
		case op == 0x41:
			err = m.env(addressWord(m.ctx.coinbase))
		case op == 0x42:
			err = m.env(u64(m.ctx.timestamp))
		case op == 0x43:
			err = m.env(u64(m.ctx.number))
		case op == 0x50:
			if err = m.charge(2); err == nil {
				_, err = m.pop()
			}
		case op == 0x51:
			err = m.opMload()
		case op == 0x52, op == 0x53:
			err = m.opMstore(op == 0x53)
		case op == 0x54:
			if err = m.charge(2100); err == nil {
				var slot u256
				if slot, err = m.pop(); err == nil {
					err = m.push(m.sload(slot))
				}
			}
		case op == 0x55:
			var slot, value u256
			if slot, value, err = m.pop2(); err == nil {
				cost := uint64(2900)
				if m.sload(slot).isZero() && !value.isZero() {
					cost = 20000
				}
				if err = m.charge(cost); err == nil {
					m.writes[slot] = value
				}
			}
		case op == 0x56:
			if err = m.charge(8); err != nil {
				return haltExceptional, err
			}
			dest, err := m.pop()
			if err != nil {
				return haltExceptional, err
			}
			if pc, err = m.jumpTarget(dest); err != nil {
				return haltExceptional, err
			}
			continue
		case op == 0x57:
			if err = m.charge(10); err != nil {
				return haltExceptional, err
			}
			dest, cond, err := m.pop2()
			if err != nil {
				return haltExceptional, err
			}
			if !cond.isZero() {
				if pc, err = m.jumpTarget(dest); err != nil {
					return haltExceptional, err
				}
				continue
			}
		case op == 0x58:
			err = m.env(u64(uint64(pc)))
		case op == 0x59:
			err = m.env(u64(uint64(len(m.memory))))
		case op == 0x5a:
			if err = m.charge(2); err == nil {
				err = m.push(u64(m.gas))
			}
		case op == 0x5b:
			err = m.charge(1)
		case op == 0x5f:
			err = m.env(u256Zero)
		case op >= 0x60 && op <= 0x7f:
			if err = m.charge(3); err == nil {
				n := int(op - 0x5f)
				var word [32]byte
				// Push data running past the end of the code reads as zeros.
				for k := 0; k < n; k++ {
					if pc+1+k < len(m.code) {
						word[32-n+k] = m.code[pc+1+k]
					}
				}
				err = m.push(fromBytes32(word))
				pc += n
			}
		case op >= 0x80 && op <= 0x8f:
			if err = m.charge(3); err == nil {
				n := int(op - 0x7f)
				if len(m.stack) < n {
					return haltExceptional, errFault
				}
				err = m.push(m.stack[len(m.stack)-n])
			}
		case op >= 0x90 && op <= 0x9f:
			if err = m.charge(3); err == nil {
				n := int(op - 0x8f)
				l := len(m.stack)
				if l <= n {
					return haltExceptional, errFault
				}
				m.stack[l-1], m.stack[l-1-n] = m.stack[l-1-n], m.stack[l-1]
			}
		case op >= 0xa0 && op <= 0xa4:
			err = m.opLog(int(op - 0xa0))
		case op == 0xf3, op == 0xfd:
			var offset, sizeWord u256
			if offset, sizeWord, err = m.pop2(); err != nil {
				return haltExceptional, err
			}
			size, err := small(sizeWord)
			if err != nil {
				return haltExceptional, err
			}
			// Nothing reads return data without CALL, but its memory is paid for.
			if _, err := m.expand(offset, size); err != nil {
				return haltExceptional, err
			}
			if op == 0xf3 {
				return haltSuccess, nil
			}
			return haltRevert, nil
		default: // 0xfe INVALID and every opcode outside the subset
			return haltExceptional, errFault
		}
		if err != nil {
			return haltExceptional, err
		}
		pc++
	}
	return haltSuccess, nil
}

func (m *machine) opSha3() error {
	offset, sizeWord, err := m.pop2()
	if err != nil {
		return err
	}
	size, err := small(sizeWord)
	if err != nil {
		return err
	}
	if err := m.charge(30 + 6*toWords(size)); err != nil {
		return err
	}
	off, err := m.expand(offset, size)
	if err != nil {
		return err
	}
	h := keccak256(m.memory[off : off+int(size)])
	return m.push(fromBytes32(h))
}

func (m *machine) opCalldataload() error {
	if err := m.charge(3); err != nil {
		return err
	}
	i, err := m.pop()
	if err != nil {
		return err
	}
	var word [32]byte
	data := m.ctx.calldata
	if i.fitsU64() && i[0] < uint64(len(data)) {
		copy(word[:], data[i[0]:])
	}
	return m.push(fromBytes32(word))
}

func (m *machine) opCalldatacopy() error {
	dest, src, err := m.pop2()
	if err != nil {
		return err
	}
	sizeWord, err := m.pop()
	if err != nil {
		return err
	}
	size, err := small(sizeWord)
	if err != nil {
		return err
	}
	if err := m.charge(3 + 3*toWords(size)); err != nil {
		return err
	}
	off, err := m.expand(dest, size)
	if err != nil {
		return err
	}
	data := m.ctx.calldata
	for k := uint64(0); k < size; k++ {
		var b byte
		if src.fitsU64() && src[0] < uint64(len(data)) && src[0]+k < uint64(len(data)) {
			b = data[src[0]+k]
		}
		m.memory[off+int(k)] = b
	}
	return nil
}

func (m *machine) opMload() error {
	if err := m.charge(3); err != nil {
		return err
	}
	offset, err := m.pop()
	if err != nil {
		return err
	}
	off, err := m.expand(offset, 32)
	if err != nil {
		return err
	}
	var word [32]byte
	copy(word[:], m.memory[off:off+32])
	return m.push(fromBytes32(word))
}

func (m *machine) opMstore(single bool) error {
	if err := m.charge(3); err != nil {
		return err
	}
	offset, value, err := m.pop2()
	if err != nil {
		return err
	}
	if single {
		off, err := m.expand(offset, 1)
		if err != nil {
			return err
		}
		m.memory[off] = byte(value[0])
		return nil
	}
	off, err := m.expand(offset, 32)
	if err != nil {
		return err
	}
	w := value.bytes32()
	copy(m.memory[off:off+32], w[:])
	return nil
}

func (m *machine) opLog(n int) error {
	offset, sizeWord, err := m.pop2()
	if err != nil {
		return err
	}
	size, err := small(sizeWord)
	if err != nil {
		return err
	}
	topics := make([][32]byte, 0, n)
	for i := 0; i < n; i++ {
		t, err := m.pop()
		if err != nil {
			return err
		}
		topics = append(topics, t.bytes32())
	}
	if err := m.charge(375 + 375*uint64(n) + 8*size); err != nil {
		return err
	}
	off, err := m.expand(offset, size)
	if err != nil {
		return err
	}
	data := append([]byte(nil), m.memory[off:off+int(size)]...)
	m.logs = append(m.logs, logRecord{Address: m.ctx.address, Topics: topics, Data: data})
	return nil
}
