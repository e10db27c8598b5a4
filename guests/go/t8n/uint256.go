package main

// A 256-bit unsigned integer with wrapping arithmetic: the EVM word type,
// also used for balances. Limbs are little-endian (u[0] least significant),
// like the uint256 library geth uses.

import (
	"encoding/binary"
	"fmt"
	"math/big"
	"math/bits"
	"strings"
)

type u256 [4]uint64

var (
	u256Zero = u256{}
	u256One  = u256{1, 0, 0, 0}
)

func u64(v uint64) u256 { return u256{v, 0, 0, 0} }

func (a u256) isZero() bool { return a == u256Zero }

// fitsU64 reports whether a fits in 64 bits.
func (a u256) fitsU64() bool { return a[1]|a[2]|a[3] == 0 }

func (a u256) bit(n uint) bool { return (a[n/64]>>(n%64))&1 == 1 }

func (a u256) add(b u256) (u256, bool) {
	var r u256
	var c uint64
	r[0], c = bits.Add64(a[0], b[0], 0)
	r[1], c = bits.Add64(a[1], b[1], c)
	r[2], c = bits.Add64(a[2], b[2], c)
	r[3], c = bits.Add64(a[3], b[3], c)
	return r, c != 0
}

func (a u256) sub(b u256) (u256, bool) {
	var r u256
	var c uint64
	r[0], c = bits.Sub64(a[0], b[0], 0)
	r[1], c = bits.Sub64(a[1], b[1], c)
	r[2], c = bits.Sub64(a[2], b[2], c)
	r[3], c = bits.Sub64(a[3], b[3], c)
	return r, c != 0
}

func (a u256) wadd(b u256) u256 { r, _ := a.add(b); return r }
func (a u256) wsub(b u256) u256 { r, _ := a.sub(b); return r }

// wmul is the product modulo 2^256.
func (a u256) wmul(b u256) u256 {
	var r u256
	for i := 0; i < 4; i++ {
		var carry uint64
		for j := 0; i+j < 4; j++ {
			hi, lo := bits.Mul64(a[i], b[j])
			var c uint64
			lo, c = bits.Add64(lo, r[i+j], 0)
			hi += c
			lo, c = bits.Add64(lo, carry, 0)
			hi += c
			r[i+j] = lo
			carry = hi
		}
	}
	return r
}

func (a u256) toBig() *big.Int {
	b := a.bytes32()
	return new(big.Int).SetBytes(b[:])
}

func fromBig(b *big.Int) u256 {
	var buf [32]byte
	b.FillBytes(buf[:])
	return fromBytes32(buf)
}

// mulChecked returns the full product and whether it overflowed 256 bits.
func (a u256) mulChecked(b u256) (u256, bool) {
	p := new(big.Int).Mul(a.toBig(), b.toBig())
	if p.BitLen() > 256 {
		return u256Zero, true
	}
	return fromBig(p), false
}

// divMod returns quotient and remainder; division by zero gives (0, 0).
func (a u256) divMod(b u256) (u256, u256) {
	if b.isZero() {
		return u256Zero, u256Zero
	}
	if a.fitsU64() && b.fitsU64() {
		return u64(a[0] / b[0]), u64(a[0] % b[0])
	}
	q, r := new(big.Int).QuoRem(a.toBig(), b.toBig(), new(big.Int))
	return fromBig(q), fromBig(r)
}

func (a u256) shl(n uint) u256 {
	if n >= 256 {
		return u256Zero
	}
	limbs, s := n/64, n%64
	var r u256
	for i := 3; i >= int(limbs); i-- {
		src := i - int(limbs)
		r[i] = a[src] << s
		if s > 0 && src > 0 {
			r[i] |= a[src-1] >> (64 - s)
		}
	}
	return r
}

func (a u256) shr(n uint) u256 {
	if n >= 256 {
		return u256Zero
	}
	limbs, s := n/64, n%64
	var r u256
	for i := 0; i+int(limbs) < 4; i++ {
		src := i + int(limbs)
		r[i] = a[src] >> s
		if s > 0 && src+1 < 4 {
			r[i] |= a[src+1] << (64 - s)
		}
	}
	return r
}

// exp is a^e modulo 2^256 by square-and-multiply.
func (a u256) exp(e u256) u256 {
	result, base := u256One, a
	for i := uint(0); i < uint(e.bitLen()); i++ {
		if e.bit(i) {
			result = result.wmul(base)
		}
		base = base.wmul(base)
	}
	return result
}

func (a u256) bitLen() int {
	for i := 3; i >= 0; i-- {
		if a[i] != 0 {
			return i*64 + bits.Len64(a[i])
		}
	}
	return 0
}

// byteLen is the number of significant bytes.
func (a u256) byteLen() uint64 { return uint64(a.bitLen()+7) / 8 }

func (a u256) cmp(b u256) int {
	for i := 3; i >= 0; i-- {
		if a[i] != b[i] {
			if a[i] < b[i] {
				return -1
			}
			return 1
		}
	}
	return 0
}

// scmp compares as two's-complement signed integers.
func (a u256) scmp(b u256) int {
	sa, sb := a.bit(255), b.bit(255)
	switch {
	case sa && !sb:
		return -1
	case !sa && sb:
		return 1
	}
	return a.cmp(b)
}

func (a u256) and(b u256) u256 { return u256{a[0] & b[0], a[1] & b[1], a[2] & b[2], a[3] & b[3]} }
func (a u256) or(b u256) u256  { return u256{a[0] | b[0], a[1] | b[1], a[2] | b[2], a[3] | b[3]} }
func (a u256) xor(b u256) u256 { return u256{a[0] ^ b[0], a[1] ^ b[1], a[2] ^ b[2], a[3] ^ b[3]} }
func (a u256) not() u256       { return u256{^a[0], ^a[1], ^a[2], ^a[3]} }

func (a u256) bytes32() [32]byte {
	var out [32]byte
	for i := 0; i < 4; i++ {
		binary.BigEndian.PutUint64(out[24-8*i:32-8*i], a[i])
	}
	return out
}

// trimmed is the minimal big-endian encoding (empty for zero), as RLP wants.
func (a u256) trimmed() []byte {
	b := a.bytes32()
	i := 0
	for i < 32 && b[i] == 0 {
		i++
	}
	return b[i:]
}

func fromBytes32(b [32]byte) u256 {
	var r u256
	for i := 0; i < 4; i++ {
		r[i] = binary.BigEndian.Uint64(b[24-8*i : 32-8*i])
	}
	return r
}

// fromBytes reads up to 32 big-endian bytes.
func fromBytes(b []byte) u256 {
	var buf [32]byte
	copy(buf[32-len(b):], b)
	return fromBytes32(buf)
}

// parseU256 parses a 0x-prefixed hex quantity or word of up to 64 digits.
func parseU256(s string) (u256, error) {
	digits, ok := strings.CutPrefix(s, "0x")
	if !ok || len(digits) == 0 || len(digits) > 64 {
		return u256Zero, fmt.Errorf("bad hex quantity %q", s)
	}
	var r u256
	for _, c := range digits {
		var d uint64
		switch {
		case c >= '0' && c <= '9':
			d = uint64(c - '0')
		case c >= 'a' && c <= 'f':
			d = uint64(c-'a') + 10
		case c >= 'A' && c <= 'F':
			d = uint64(c-'A') + 10
		default:
			return u256Zero, fmt.Errorf("bad hex digit in %q", s)
		}
		r = r.shl(4)
		r[0] |= d
	}
	return r, nil
}

// hexQuantity formats as an Ethereum JSON quantity ("0x0", "0x1f").
func (a u256) hexQuantity() string {
	if a.isZero() {
		return "0x0"
	}
	return fmt.Sprintf("0x%x", a.toBig())
}
