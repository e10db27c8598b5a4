//! A small 256-bit unsigned integer: four little-endian 64-bit limbs with
//! wrapping arithmetic, as the EVM word type and for balances.

use std::cmp::Ordering;
use std::fmt;

/// 256-bit unsigned integer; `0[0]` is the least significant limb.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct U256(pub [u64; 4]);

impl U256 {
    pub const ZERO: U256 = U256([0; 4]);
    pub const ONE: U256 = U256([1, 0, 0, 0]);

    pub fn from_u64(v: u64) -> U256 {
        U256([v, 0, 0, 0])
    }

    pub fn is_zero(&self) -> bool {
        self.0 == [0; 4]
    }

    /// The value as u64 if it fits.
    pub fn as_u64(&self) -> Option<u64> {
        if self.0[1] == 0 && self.0[2] == 0 && self.0[3] == 0 {
            Some(self.0[0])
        } else {
            None
        }
    }

    /// Interprets up to 32 big-endian bytes.
    pub fn from_be_slice(bytes: &[u8]) -> U256 {
        assert!(bytes.len() <= 32, "integer wider than 256 bits");
        let mut buf = [0u8; 32];
        buf[32 - bytes.len()..].copy_from_slice(bytes);
        U256::from_be_bytes(&buf)
    }

    pub fn from_be_bytes(b: &[u8; 32]) -> U256 {
        let mut limbs = [0u64; 4];
        for (i, limb) in limbs.iter_mut().enumerate() {
            let start = 32 - 8 * (i + 1);
            *limb = u64::from_be_bytes(b[start..start + 8].try_into().unwrap());
        }
        U256(limbs)
    }

    pub fn to_be_bytes(&self) -> [u8; 32] {
        let mut out = [0u8; 32];
        for i in 0..4 {
            let start = 32 - 8 * (i + 1);
            out[start..start + 8].copy_from_slice(&self.0[i].to_be_bytes());
        }
        out
    }

    /// Big-endian bytes without leading zeros (empty for zero), as RLP wants.
    pub fn to_be_trimmed(&self) -> Vec<u8> {
        let full = self.to_be_bytes();
        let first = full.iter().position(|&b| b != 0).unwrap_or(32);
        full[first..].to_vec()
    }

    /// Number of significant bytes (0 for zero).
    pub fn byte_len(&self) -> u64 {
        (256 - self.leading_zeros() as u64).div_ceil(8)
    }

    pub fn leading_zeros(&self) -> u32 {
        for i in (0..4).rev() {
            if self.0[i] != 0 {
                return (3 - i as u32) * 64 + self.0[i].leading_zeros();
            }
        }
        256
    }

    pub fn bit(&self, n: usize) -> bool {
        (self.0[n / 64] >> (n % 64)) & 1 == 1
    }

    pub fn overflowing_add(self, rhs: U256) -> (U256, bool) {
        let mut out = [0u64; 4];
        let mut carry = false;
        for (i, limb) in out.iter_mut().enumerate() {
            let (s1, c1) = self.0[i].overflowing_add(rhs.0[i]);
            let (s2, c2) = s1.overflowing_add(carry as u64);
            *limb = s2;
            carry = c1 || c2;
        }
        (U256(out), carry)
    }

    pub fn overflowing_sub(self, rhs: U256) -> (U256, bool) {
        let mut out = [0u64; 4];
        let mut borrow = false;
        for (i, limb) in out.iter_mut().enumerate() {
            let (d1, b1) = self.0[i].overflowing_sub(rhs.0[i]);
            let (d2, b2) = d1.overflowing_sub(borrow as u64);
            *limb = d2;
            borrow = b1 || b2;
        }
        (U256(out), borrow)
    }

    pub fn wrapping_add(self, rhs: U256) -> U256 {
        self.overflowing_add(rhs).0
    }

    pub fn wrapping_sub(self, rhs: U256) -> U256 {
        self.overflowing_sub(rhs).0
    }

    pub fn checked_add(self, rhs: U256) -> Option<U256> {
        match self.overflowing_add(rhs) {
            (v, false) => Some(v),
            _ => None,
        }
    }

    /// Product modulo 2^256 (schoolbook, only the low four limbs kept).
    pub fn wrapping_mul(self, rhs: U256) -> U256 {
        let mut out = [0u64; 4];
        for i in 0..4 {
            let mut carry: u128 = 0;
            for j in 0..(4 - i) {
                let cur = out[i + j] as u128 + (self.0[i] as u128) * (rhs.0[j] as u128) + carry;
                out[i + j] = cur as u64;
                carry = cur >> 64;
            }
        }
        U256(out)
    }

    /// Full product, or None when it does not fit in 256 bits.
    pub fn checked_mul(self, rhs: U256) -> Option<U256> {
        if self.is_zero() || rhs.is_zero() {
            return Some(U256::ZERO);
        }
        if self.leading_zeros() + rhs.leading_zeros() < 255 {
            return None;
        }
        let p = self.wrapping_mul(rhs);
        // Confirm by division: leading-zero counts leave one ambiguous bit.
        if p.div_rem(rhs).0 == self {
            Some(p)
        } else {
            None
        }
    }

    /// Quotient and remainder; division by zero yields (0, 0) as in the EVM.
    pub fn div_rem(self, d: U256) -> (U256, U256) {
        if d.is_zero() {
            return (U256::ZERO, U256::ZERO);
        }
        if let (Some(a), Some(b)) = (self.as_u64(), d.as_u64()) {
            return (U256::from_u64(a / b), U256::from_u64(a % b));
        }
        if self < d {
            return (U256::ZERO, self);
        }
        // Restoring binary long division, starting at the dividend's top bit.
        let mut q = U256::ZERO;
        let mut r = U256::ZERO;
        let top = 256 - self.leading_zeros() as usize;
        for i in (0..top).rev() {
            r = r.shl(1);
            if self.bit(i) {
                r.0[0] |= 1;
            }
            if r >= d {
                r = r.wrapping_sub(d);
                q.0[i / 64] |= 1 << (i % 64);
            }
        }
        (q, r)
    }

    pub fn shl(self, n: u32) -> U256 {
        if n >= 256 {
            return U256::ZERO;
        }
        let limbs = (n / 64) as usize;
        let bits = n % 64;
        let mut out = [0u64; 4];
        for i in (limbs..4).rev() {
            let src = i - limbs;
            out[i] = self.0[src] << bits;
            if bits > 0 && src > 0 {
                out[i] |= self.0[src - 1] >> (64 - bits);
            }
        }
        U256(out)
    }

    pub fn shr(self, n: u32) -> U256 {
        if n >= 256 {
            return U256::ZERO;
        }
        let limbs = (n / 64) as usize;
        let bits = n % 64;
        let mut out = [0u64; 4];
        for (i, limb) in out.iter_mut().enumerate().take(4 - limbs) {
            let src = i + limbs;
            *limb = self.0[src] >> bits;
            if bits > 0 && src + 1 < 4 {
                *limb |= self.0[src + 1] << (64 - bits);
            }
        }
        U256(out)
    }

    /// self^exp modulo 2^256 by square-and-multiply.
    pub fn wrapping_pow(self, exp: U256) -> U256 {
        let mut result = U256::ONE;
        let mut base = self;
        let bits = 256 - exp.leading_zeros() as usize;
        for i in 0..bits {
            if exp.bit(i) {
                result = result.wrapping_mul(base);
            }
            base = base.wrapping_mul(base);
        }
        result
    }

    pub fn not(self) -> U256 {
        U256([!self.0[0], !self.0[1], !self.0[2], !self.0[3]])
    }

    pub fn and(self, o: U256) -> U256 {
        U256([self.0[0] & o.0[0], self.0[1] & o.0[1], self.0[2] & o.0[2], self.0[3] & o.0[3]])
    }

    pub fn or(self, o: U256) -> U256 {
        U256([self.0[0] | o.0[0], self.0[1] | o.0[1], self.0[2] | o.0[2], self.0[3] | o.0[3]])
    }

    pub fn xor(self, o: U256) -> U256 {
        U256([self.0[0] ^ o.0[0], self.0[1] ^ o.0[1], self.0[2] ^ o.0[2], self.0[3] ^ o.0[3]])
    }

    /// Two's-complement signed comparison.
    pub fn signed_cmp(&self, o: &U256) -> Ordering {
        let sa = self.bit(255);
        let sb = o.bit(255);
        match (sa, sb) {
            (true, false) => Ordering::Less,
            (false, true) => Ordering::Greater,
            _ => self.cmp(o),
        }
    }

    /// Parses a JSON hex quantity or hex word ("0x1f", "0x00..01").
    pub fn from_hex(s: &str) -> Result<U256, String> {
        let digits = s.strip_prefix("0x").ok_or_else(|| format!("missing 0x: {s}"))?;
        if digits.is_empty() || digits.len() > 64 {
            return Err(format!("bad hex quantity: {s}"));
        }
        let mut v = U256::ZERO;
        for c in digits.chars() {
            let d = c.to_digit(16).ok_or_else(|| format!("bad hex digit in {s}"))?;
            v = v.shl(4);
            v.0[0] |= d as u64;
        }
        Ok(v)
    }
}

impl Ord for U256 {
    fn cmp(&self, o: &U256) -> Ordering {
        for i in (0..4).rev() {
            match self.0[i].cmp(&o.0[i]) {
                Ordering::Equal => continue,
                ord => return ord,
            }
        }
        Ordering::Equal
    }
}

impl PartialOrd for U256 {
    fn partial_cmp(&self, o: &U256) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}

impl fmt::Display for U256 {
    /// Decimal rendering.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_zero() {
            return f.write_str("0");
        }
        let mut digits = Vec::new();
        let mut v = *self;
        let ten = U256::from_u64(10);
        while !v.is_zero() {
            let (q, r) = v.div_rem(ten);
            digits.push(b'0' + r.0[0] as u8);
            v = q;
        }
        digits.reverse();
        f.write_str(std::str::from_utf8(&digits).unwrap())
    }
}

impl fmt::Debug for U256 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "0x")?;
        for b in self.to_be_trimmed() {
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arithmetic_round_trips() {
        let a = U256::from_hex("0x123456789abcdef0fedcba98765432100123456789abcdef").unwrap();
        let b = U256::from_hex("0xfedcba9876543210").unwrap();
        let (q, r) = a.div_rem(b);
        assert_eq!(q.wrapping_mul(b).wrapping_add(r), a);
        assert!(r < b);
        assert_eq!(U256::ONE.shl(255).shr(255), U256::ONE);
        assert_eq!(U256::from_u64(3).wrapping_pow(U256::from_u64(5)), U256::from_u64(243));
        assert_eq!(U256::ZERO.wrapping_sub(U256::ONE), U256([u64::MAX; 4]));
        assert_eq!(format!("{}", U256::from_u64(1234567)), "1234567");
    }
}
