package main

// Merkle-Patricia trie root (yellow paper, appendix D), built bottom-up from
// the sorted key set like geth's StackTrie: a shared prefix becomes an
// extension, a divergence a branch, a single key a leaf. Children whose
// encoding is under 32 bytes are embedded, longer ones referenced by hash.

import (
	"bytes"
	"sort"
)

type trieEntry struct {
	path  []byte // nibbles
	value []byte
}

// trieRoot computes the root of a trie holding the key/value pairs. Empty
// values must be left out by the caller; keys must be distinct.
func trieRoot(keys, values [][]byte) [32]byte {
	if len(keys) == 0 {
		return keccak256([]byte{0x80})
	}
	entries := make([]trieEntry, len(keys))
	for i, k := range keys {
		path := make([]byte, 0, 2*len(k))
		for _, b := range k {
			path = append(path, b>>4, b&0x0f)
		}
		entries[i] = trieEntry{path, values[i]}
	}
	sort.Slice(entries, func(i, j int) bool { return bytes.Compare(entries[i].path, entries[j].path) < 0 })
	for i := 1; i < len(entries); i++ {
		if bytes.Equal(entries[i-1].path, entries[i].path) {
			panic("duplicate trie key")
		}
	}
	return keccak256(encodeNode(entries, 0))
}

// hexPrefix encodes a nibble path with the leaf/extension flag.
func hexPrefix(nibbles []byte, leaf bool) []byte {
	var flag byte
	if leaf {
		flag = 2
	}
	out := make([]byte, 0, len(nibbles)/2+1)
	if len(nibbles)%2 == 1 {
		out = append(out, (flag+1)<<4|nibbles[0])
		nibbles = nibbles[1:]
	} else {
		out = append(out, flag<<4)
	}
	for i := 0; i < len(nibbles); i += 2 {
		out = append(out, nibbles[i]<<4|nibbles[i+1])
	}
	return out
}

// encodeNode returns the RLP encoding of the node covering the sorted
// entries, which share their first depth nibbles.
func encodeNode(entries []trieEntry, depth int) []byte {
	if len(entries) == 1 {
		payload := rlpBytes(nil, hexPrefix(entries[0].path[depth:], true))
		payload = rlpBytes(payload, entries[0].value)
		return rlpList(payload)
	}
	first, last := entries[0].path, entries[len(entries)-1].path
	common := depth
	for common < len(first) && common < len(last) && first[common] == last[common] {
		common++
	}
	if common > depth {
		payload := rlpBytes(nil, hexPrefix(first[depth:common], false))
		payload = appendChild(payload, encodeNode(entries, common))
		return rlpList(payload)
	}
	var payload []byte
	idx := 0
	var value []byte
	if len(entries[0].path) == depth {
		value = entries[0].value
		idx = 1
	}
	for nibble := byte(0); nibble < 16; nibble++ {
		start := idx
		for idx < len(entries) && entries[idx].path[depth] == nibble {
			idx++
		}
		if start == idx {
			payload = append(payload, 0x80)
		} else {
			payload = appendChild(payload, encodeNode(entries[start:idx], depth+1))
		}
	}
	payload = rlpBytes(payload, value)
	return rlpList(payload)
}

// appendChild embeds a short node or appends the hash of a long one.
func appendChild(payload, node []byte) []byte {
	if len(node) < 32 {
		return append(payload, node...)
	}
	h := keccak256(node)
	return rlpBytes(payload, h[:])
}
