//! Keccak-256, either in software (the `sha3` crate, as reth does through
//! alloy) or, with the `precompile` feature, through the zkVM's keccak-f
//! permutation ECALL.
//!
//! # Precompile ECALL convention (zkabi)
//!
//! | a7           | service                    | arguments                                          | result  |
//! |--------------|----------------------------|----------------------------------------------------|---------|
//! | `0x10000001` | keccak-f[1600] permutation | a0 = pointer to 25 little-endian u64 lanes (200 B), permuted in place | a0 = 0 |
//! | `0x10000002` | SHA-256 compression        | a0 = pointer to 8 u32 state words, a1 = pointer to one 64-byte block; state updated in place | a0 = 0 |
//!
//! Numbers at or above `0x10000000` are outside Linux's syscall range, so a
//! zkVM can route them to accelerators while serving ordinary syscalls
//! itself. This guest uses only the keccak service; the SHA-256 one is part of
//! the convention for other guests.

/// Keccak-256 digest of `data`.
#[cfg(not(feature = "precompile"))]
pub fn keccak256(data: &[u8]) -> [u8; 32] {
    use sha3::{Digest, Keccak256};
    let mut hasher = Keccak256::new();
    hasher.update(data);
    hasher.finalize().into()
}

/// Keccak-256 digest of `data`, with the permutation done by the precompile.
#[cfg(feature = "precompile")]
pub fn keccak256(data: &[u8]) -> [u8; 32] {
    const RATE: usize = 136;
    let mut state = [0u64; 25];
    let mut chunks = data.chunks_exact(RATE);
    for block in &mut chunks {
        absorb(&mut state, block);
        keccak_f1600(&mut state);
    }
    // Final block with the original Keccak padding: 0x01 ... 0x80.
    let rest = chunks.remainder();
    let mut last = [0u8; RATE];
    last[..rest.len()].copy_from_slice(rest);
    last[rest.len()] ^= 0x01;
    last[RATE - 1] ^= 0x80;
    absorb(&mut state, &last);
    keccak_f1600(&mut state);
    let mut out = [0u8; 32];
    for (i, lane) in state.iter().take(4).enumerate() {
        out[8 * i..8 * i + 8].copy_from_slice(&lane.to_le_bytes());
    }
    out
}

#[cfg(feature = "precompile")]
fn absorb(state: &mut [u64; 25], block: &[u8]) {
    for (lane, bytes) in state.iter_mut().zip(block.chunks_exact(8)) {
        *lane ^= u64::from_le_bytes(bytes.try_into().unwrap());
    }
}

/// ECALL number of the keccak-f[1600] permutation service.
#[cfg(feature = "precompile")]
pub const ECALL_KECCAK_F1600: usize = 0x1000_0001;

/// ECALL number of the SHA-256 compression service (documented, unused here).
#[cfg(feature = "precompile")]
#[allow(dead_code)]
pub const ECALL_SHA256_COMPRESS: usize = 0x1000_0002;

/// Permutes the 25 lanes in place through the zkVM precompile.
#[cfg(all(feature = "precompile", target_arch = "riscv64"))]
fn keccak_f1600(state: &mut [u64; 25]) {
    let ret: usize;
    // SAFETY: the service reads and writes exactly the 200 bytes behind a0,
    // which `state` owns for the duration of the call.
    unsafe {
        core::arch::asm!(
            "ecall",
            inlateout("a0") state.as_mut_ptr() as usize => ret,
            in("a7") ECALL_KECCAK_F1600,
            options(nostack),
        );
    }
    assert_eq!(ret, 0, "keccak precompile failed");
}

/// The precompile exists only on the riscv64 zkVM.
#[cfg(all(feature = "precompile", not(target_arch = "riscv64")))]
fn keccak_f1600(_state: &mut [u64; 25]) {
    panic!("the keccak precompile ECALL is only available on riscv64 under zkabi");
}
