//! Merkle-Patricia trie root computation (yellow paper, appendix D).
//!
//! The trie is built bottom-up from the sorted key set, the way a stack trie
//! does it: a group of keys sharing a prefix becomes an extension node, keys
//! diverging at the next nibble become a branch node, and a single key becomes
//! a leaf. Child nodes whose encoding is shorter than 32 bytes are embedded in
//! their parent; longer ones are referenced by their keccak-256 hash.

use crate::keccak::keccak256;
use crate::rlp;

/// Root hash of a trie holding `entries` (key, value). Entries with empty
/// values must be left out by the caller; keys must be distinct.
pub fn trie_root(entries: Vec<(Vec<u8>, Vec<u8>)>) -> [u8; 32] {
    if entries.is_empty() {
        return keccak256(&[0x80]);
    }
    let mut leaves: Vec<(Vec<u8>, Vec<u8>)> =
        entries.into_iter().map(|(k, v)| (to_nibbles(&k), v)).collect();
    leaves.sort_by(|a, b| a.0.cmp(&b.0));
    for pair in leaves.windows(2) {
        assert!(pair[0].0 != pair[1].0, "duplicate trie key");
    }
    keccak256(&encode_node(&leaves, 0))
}

fn to_nibbles(key: &[u8]) -> Vec<u8> {
    key.iter().flat_map(|b| [b >> 4, b & 0x0f]).collect()
}

/// Hex-prefix encoding of a nibble path with the leaf/extension flag.
fn hex_prefix(nibbles: &[u8], leaf: bool) -> Vec<u8> {
    let flag = if leaf { 2 } else { 0 };
    let mut out = Vec::with_capacity(nibbles.len() / 2 + 1);
    let rest = if nibbles.len() % 2 == 1 {
        out.push(((flag + 1) << 4) | nibbles[0]);
        &nibbles[1..]
    } else {
        out.push(flag << 4);
        nibbles
    };
    for pair in rest.chunks_exact(2) {
        out.push((pair[0] << 4) | pair[1]);
    }
    out
}

/// RLP encoding of the node covering `leaves`, which share their first
/// `depth` nibbles and are sorted.
fn encode_node(leaves: &[(Vec<u8>, Vec<u8>)], depth: usize) -> Vec<u8> {
    if leaves.len() == 1 {
        let (path, value) = &leaves[0];
        let mut payload = Vec::new();
        rlp::encode_bytes(&mut payload, &hex_prefix(&path[depth..], true));
        rlp::encode_bytes(&mut payload, value);
        return rlp::encode_list(&payload);
    }
    // Sorted input: the common prefix of all keys is that of the first and last.
    let first = &leaves[0].0;
    let last = &leaves[leaves.len() - 1].0;
    let mut common = depth;
    while common < first.len() && common < last.len() && first[common] == last[common] {
        common += 1;
    }
    if common > depth {
        let mut payload = Vec::new();
        rlp::encode_bytes(&mut payload, &hex_prefix(&first[depth..common], false));
        append_child(&mut payload, &encode_node(leaves, common));
        return rlp::encode_list(&payload);
    }
    // Branch: sixteen children plus the value of a key ending here.
    let mut payload = Vec::new();
    let mut idx = 0;
    let mut value: &[u8] = &[];
    if leaves[0].0.len() == depth {
        value = &leaves[0].1;
        idx = 1;
    }
    for nibble in 0..16u8 {
        let start = idx;
        while idx < leaves.len() && leaves[idx].0[depth] == nibble {
            idx += 1;
        }
        if start == idx {
            payload.push(0x80);
        } else {
            append_child(&mut payload, &encode_node(&leaves[start..idx], depth + 1));
        }
    }
    rlp::encode_bytes(&mut payload, value);
    rlp::encode_list(&payload)
}

/// Appends a child reference: the node itself if short, else its hash.
fn append_child(payload: &mut Vec<u8>, node: &[u8]) {
    if node.len() < 32 {
        payload.extend_from_slice(node);
    } else {
        rlp::encode_bytes(payload, &keccak256(node));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_roots() {
        let hex = |b: [u8; 32]| b.iter().map(|x| format!("{x:02x}")).collect::<String>();
        assert_eq!(
            hex(trie_root(vec![])),
            "56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421"
        );
        let kv = |k: &str, v: &str| (k.as_bytes().to_vec(), v.as_bytes().to_vec());
        let root = trie_root(vec![
            kv("do", "verb"),
            kv("horse", "stallion"),
            kv("doge", "coin"),
            kv("dog", "puppy"),
        ]);
        assert_eq!(hex(root), "5991bb8c6514148a29db676a14ac506cd2cd5775ace63c30a4fe457715e9ac84");
    }
}
