package main

// RLP encoding (yellow paper, appendix B). The guest only encodes: the
// transactions arrive as JSON objects and are re-encoded for hashing.

// rlpBytes appends the encoding of a byte string.
func rlpBytes(out, b []byte) []byte {
	if len(b) == 1 && b[0] < 0x80 {
		return append(out, b[0])
	}
	out = rlpHeader(out, len(b), 0x80)
	return append(out, b...)
}

// rlpUint appends the encoding of an unsigned integer (minimal big-endian).
func rlpUint(out []byte, v uint64) []byte {
	var buf [8]byte
	n := 0
	for x := v; x > 0; x >>= 8 {
		n++
	}
	for i := 0; i < n; i++ {
		buf[i] = byte(v >> (8 * (n - 1 - i)))
	}
	return rlpBytes(out, buf[:n])
}

// rlpHeader appends a string (offset 0x80) or list (0xc0) length prefix.
func rlpHeader(out []byte, n int, offset byte) []byte {
	if n < 56 {
		return append(out, offset+byte(n))
	}
	var lenBytes []byte
	for x := n; x > 0; x >>= 8 {
		lenBytes = append([]byte{byte(x)}, lenBytes...)
	}
	out = append(out, offset+55+byte(len(lenBytes)))
	return append(out, lenBytes...)
}

// rlpList wraps already-encoded items into a list.
func rlpList(payload []byte) []byte {
	out := make([]byte, 0, len(payload)+9)
	out = rlpHeader(out, len(payload), 0xc0)
	return append(out, payload...)
}
