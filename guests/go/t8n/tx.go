package main

// Legacy transactions: JSON decoding, RLP re-encoding, EIP-155 sender
// recovery with btcec (secp256k1) and keccak-256 from x/crypto/sha3.

import (
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"strings"

	"github.com/btcsuite/btcd/btcec"
	"golang.org/x/crypto/sha3"
)

// secp256k1 group order and half of it (EIP-2 upper bound for s).
var (
	secpN, _    = new(big.Int).SetString("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141", 16)
	secpHalfN   = new(big.Int).Rsh(secpN, 1)
	errTxFormat = errors.New("only legacy (type 0x0) message calls are supported")
)

// txInput is a transaction as it appears in txs.json.
type txInput struct {
	Type     string  `json:"type"`
	ChainID  string  `json:"chainId"`
	Nonce    string  `json:"nonce"`
	GasPrice string  `json:"gasPrice"`
	Gas      string  `json:"gas"`
	To       *string `json:"to"`
	Value    string  `json:"value"`
	Input    string  `json:"input"`
	V        string  `json:"v"`
	R        string  `json:"r"`
	S        string  `json:"s"`
	Hash     string  `json:"hash,omitempty"`
}

type transaction struct {
	nonce     uint64
	gasPrice  u256
	gas       uint64
	to        [20]byte
	value     u256
	data      []byte
	v, r, s   u256
	hash      [32]byte
	sender    [20]byte
	senderErr error
}

func keccak256(data ...[]byte) [32]byte {
	h := sha3.NewLegacyKeccak256()
	for _, d := range data {
		h.Write(d)
	}
	var out [32]byte
	h.Sum(out[:0])
	return out
}

func parseHex(s string) ([]byte, error) {
	digits, ok := strings.CutPrefix(s, "0x")
	if !ok {
		return nil, fmt.Errorf("missing 0x prefix: %q", s)
	}
	return hex.DecodeString(digits)
}

func parseAddress(s string) ([20]byte, error) {
	var a [20]byte
	b, err := parseHex(s)
	if err != nil {
		return a, err
	}
	if len(b) != 20 {
		return a, fmt.Errorf("not a 20-byte address: %q", s)
	}
	copy(a[:], b)
	return a, nil
}

func parseU64(s string) (uint64, error) {
	v, err := parseU256(s)
	if err != nil {
		return 0, err
	}
	if !v.fitsU64() {
		return 0, fmt.Errorf("quantity too large: %q", s)
	}
	return v[0], nil
}

func parseTx(in *txInput) (*transaction, error) {
	if (in.Type != "" && in.Type != "0x0") || in.To == nil {
		return nil, errTxFormat
	}
	tx := &transaction{}
	var err error
	if tx.nonce, err = parseU64(in.Nonce); err != nil {
		return nil, err
	}
	if tx.gasPrice, err = parseU256(in.GasPrice); err != nil {
		return nil, err
	}
	if tx.gas, err = parseU64(in.Gas); err != nil {
		return nil, err
	}
	if tx.to, err = parseAddress(*in.To); err != nil {
		return nil, err
	}
	if tx.value, err = parseU256(in.Value); err != nil {
		return nil, err
	}
	if tx.data, err = parseHex(in.Input); err != nil {
		return nil, err
	}
	if tx.v, err = parseU256(in.V); err != nil {
		return nil, err
	}
	if tx.r, err = parseU256(in.R); err != nil {
		return nil, err
	}
	if tx.s, err = parseU256(in.S); err != nil {
		return nil, err
	}
	return tx, nil
}

// fields appends the RLP of the six signed fields.
func (tx *transaction) fields(out []byte) []byte {
	out = rlpUint(out, tx.nonce)
	out = rlpBytes(out, tx.gasPrice.trimmed())
	out = rlpUint(out, tx.gas)
	out = rlpBytes(out, tx.to[:])
	out = rlpBytes(out, tx.value.trimmed())
	return rlpBytes(out, tx.data)
}

// encode is the network (and trie) encoding: rlp([fields..., v, r, s]).
func (tx *transaction) encode() []byte {
	payload := tx.fields(nil)
	payload = rlpBytes(payload, tx.v.trimmed())
	payload = rlpBytes(payload, tx.r.trimmed())
	payload = rlpBytes(payload, tx.s.trimmed())
	return rlpList(payload)
}

// recoverSender derives the signer's address from the EIP-155 (or
// pre-EIP-155) signature.
func (tx *transaction) recoverSender(chainID uint64) ([20]byte, error) {
	var addr [20]byte
	if !tx.v.fitsU64() {
		return addr, errors.New("signature v out of range")
	}
	v := tx.v[0]
	payload := tx.fields(nil)
	var parity uint64
	switch {
	case v == 27 || v == 28:
		parity = v - 27
	case v >= 35 && (v-35)/2 == chainID:
		parity = (v - 35) % 2
		payload = rlpUint(payload, chainID)
		payload = append(payload, 0x80, 0x80)
	default:
		return addr, fmt.Errorf("signature v %d does not match chain id %d", v, chainID)
	}
	sighash := keccak256(rlpList(payload))

	r, s := tx.r.toBig(), tx.s.toBig()
	if r.Sign() == 0 || s.Sign() == 0 || r.Cmp(secpN) >= 0 || s.Cmp(secpHalfN) > 0 {
		return addr, errors.New("invalid signature values (EIP-2)")
	}
	// btcec's compact format: header 27 + recovery id, then R and S.
	compact := make([]byte, 65)
	compact[0] = byte(27 + parity)
	rb, sb := tx.r.bytes32(), tx.s.bytes32()
	copy(compact[1:33], rb[:])
	copy(compact[33:], sb[:])
	pub, _, err := btcec.RecoverCompact(btcec.S256(), compact, sighash[:])
	if err != nil {
		return addr, fmt.Errorf("sender recovery: %w", err)
	}
	h := keccak256(pub.SerializeUncompressed()[1:])
	copy(addr[:], h[12:])
	return addr, nil
}
