//! The EVM subset shared with the Go `t8n` guest (see guests/README.md for
//! the opcode list and gas table; both guests must charge identically).
//!
//! Only the called contract's storage can change during execution (there is
//! no CALL/CREATE), so storage writes go to an overlay that the caller
//! commits on success and drops on REVERT or an exceptional halt.

use std::collections::HashMap;

use crate::keccak::keccak256;
use crate::u256::U256;

/// Maximum stack depth.
const STACK_LIMIT: usize = 1024;
/// Memory ends beyond this are treated as out of gas (unreachable with a
/// 30M gas limit anyway, and keeps the word arithmetic in u64).
const MEMORY_LIMIT: u64 = 1 << 32;

/// Block and transaction context visible to the code.
pub struct Context<'a> {
    pub address: [u8; 20],
    pub caller: [u8; 20],
    pub value: U256,
    pub calldata: &'a [u8],
    pub coinbase: [u8; 20],
    pub timestamp: u64,
    pub number: u64,
}

/// A log record.
#[derive(Clone, Debug)]
pub struct Log {
    pub address: [u8; 20],
    pub topics: Vec<[u8; 32]>,
    pub data: Vec<u8>,
}

/// How execution ended.
#[derive(Debug, PartialEq, Eq)]
pub enum Halt {
    /// STOP, RETURN or running off the end of the code.
    Success,
    /// REVERT: state changes dropped, remaining gas refunded.
    Revert,
    /// Out of gas, bad jump, stack error or invalid opcode: all gas consumed.
    Exceptional,
}

/// Result of running a contract.
pub struct Outcome {
    pub halt: Halt,
    pub gas_left: u64,
    pub logs: Vec<Log>,
    /// Storage writes (slot -> new value) to apply on success.
    pub writes: HashMap<U256, U256>,
}

/// Marker for an exceptional halt inside the interpreter loop.
struct Fault;

struct Machine<'a, 'b> {
    ctx: &'b Context<'a>,
    code: &'b [u8],
    jumpdests: Vec<bool>,
    storage: &'b HashMap<U256, U256>,
    writes: HashMap<U256, U256>,
    stack: Vec<U256>,
    memory: Vec<u8>,
    gas: u64,
    logs: Vec<Log>,
}

/// Runs `code` with `gas` against the contract's committed `storage`.
pub fn execute(ctx: &Context, code: &[u8], storage: &HashMap<U256, U256>, gas: u64) -> Outcome {
    let mut m = Machine {
        ctx,
        code,
        jumpdests: analyse_jumpdests(code),
        storage,
        writes: HashMap::new(),
        stack: Vec::with_capacity(64),
        memory: Vec::new(),
        gas,
        logs: Vec::new(),
    };
    match m.run() {
        Ok(halt) => {
            let gas_left = m.gas;
            let (logs, writes) = if halt == Halt::Success {
                (m.logs, m.writes)
            } else {
                (Vec::new(), HashMap::new())
            };
            Outcome { halt, gas_left, logs, writes }
        }
        Err(Fault) => Outcome {
            halt: Halt::Exceptional,
            gas_left: 0,
            logs: Vec::new(),
            writes: HashMap::new(),
        },
    }
}

/// Marks JUMPDEST bytes that are opcodes, not PUSH data.
fn analyse_jumpdests(code: &[u8]) -> Vec<bool> {
    let mut dests = vec![false; code.len()];
    let mut pc = 0;
    while pc < code.len() {
        let op = code[pc];
        if op == 0x5b {
            dests[pc] = true;
        }
        pc += if (0x60..=0x7f).contains(&op) { (op - 0x5f) as usize + 1 } else { 1 };
    }
    dests
}

/// Memory cost of `words` 32-byte words: 3 per word plus words^2 / 512.
fn memory_cost(words: u64) -> u64 {
    3 * words + words * words / 512
}

fn words(bytes: u64) -> u64 {
    bytes.div_ceil(32)
}

fn address_word(a: &[u8; 20]) -> U256 {
    U256::from_be_slice(a)
}

impl Machine<'_, '_> {
    fn charge(&mut self, amount: u64) -> Result<(), Fault> {
        if self.gas < amount {
            return Err(Fault);
        }
        self.gas -= amount;
        Ok(())
    }

    fn pop(&mut self) -> Result<U256, Fault> {
        self.stack.pop().ok_or(Fault)
    }

    fn push(&mut self, v: U256) -> Result<(), Fault> {
        if self.stack.len() >= STACK_LIMIT {
            return Err(Fault);
        }
        self.stack.push(v);
        Ok(())
    }

    /// Converts a stack word to a u64 memory quantity, faulting if too large.
    fn small(v: U256) -> Result<u64, Fault> {
        match v.as_u64() {
            Some(x) if x <= MEMORY_LIMIT => Ok(x),
            _ => Err(Fault),
        }
    }

    /// Charges for and performs memory growth to cover [offset, offset+size).
    /// Returns the offset as usize (0 when size is 0).
    fn expand(&mut self, offset: U256, size: u64) -> Result<usize, Fault> {
        if size == 0 {
            return Ok(0);
        }
        let off = Self::small(offset)?;
        let end = off + size;
        if end > MEMORY_LIMIT {
            return Err(Fault);
        }
        let have = self.memory.len() as u64 / 32;
        let need = words(end);
        if need > have {
            self.charge(memory_cost(need) - memory_cost(have))?;
            self.memory.resize((need * 32) as usize, 0);
        }
        Ok(off as usize)
    }

    fn sload(&self, slot: &U256) -> U256 {
        self.writes
            .get(slot)
            .or_else(|| self.storage.get(slot))
            .copied()
            .unwrap_or(U256::ZERO)
    }

    fn run(&mut self) -> Result<Halt, Fault> {
        let mut pc = 0usize;
        while pc < self.code.len() {
            let op = self.code[pc];
            match op {
                0x00 => return Ok(Halt::Success),
                0x01 => self.binary(3, |a, b| a.wrapping_add(b))?,
                0x02 => self.binary(5, |a, b| a.wrapping_mul(b))?,
                0x03 => self.binary(3, |a, b| a.wrapping_sub(b))?,
                0x04 => self.binary(5, |a, b| a.div_rem(b).0)?,
                0x06 => self.binary(5, |a, b| a.div_rem(b).1)?,
                0x0a => {
                    let base = self.pop()?;
                    let exp = self.pop()?;
                    self.charge(10 + 50 * exp.byte_len())?;
                    self.push(base.wrapping_pow(exp))?;
                }
                0x10 => self.binary(3, |a, b| bool_word(a < b))?,
                0x11 => self.binary(3, |a, b| bool_word(a > b))?,
                0x12 => self.binary(3, |a, b| bool_word(a.signed_cmp(&b).is_lt()))?,
                0x13 => self.binary(3, |a, b| bool_word(a.signed_cmp(&b).is_gt()))?,
                0x14 => self.binary(3, |a, b| bool_word(a == b))?,
                0x15 => {
                    self.charge(3)?;
                    let a = self.pop()?;
                    self.push(bool_word(a.is_zero()))?;
                }
                0x16 => self.binary(3, |a, b| a.and(b))?,
                0x17 => self.binary(3, |a, b| a.or(b))?,
                0x18 => self.binary(3, |a, b| a.xor(b))?,
                0x19 => {
                    self.charge(3)?;
                    let a = self.pop()?;
                    self.push(a.not())?;
                }
                0x1a => self.binary(3, |i, x| match i.as_u64() {
                    Some(i) if i < 32 => U256::from_u64(x.to_be_bytes()[i as usize] as u64),
                    _ => U256::ZERO,
                })?,
                0x1b => self.binary(3, |shift, v| match shift.as_u64() {
                    Some(s) if s < 256 => v.shl(s as u32),
                    _ => U256::ZERO,
                })?,
                0x1c => self.binary(3, |shift, v| match shift.as_u64() {
                    Some(s) if s < 256 => v.shr(s as u32),
                    _ => U256::ZERO,
                })?,
                0x20 => {
                    let offset = self.pop()?;
                    let size = Self::small(self.pop()?)?;
                    self.charge(30 + 6 * words(size))?;
                    let off = self.expand(offset, size)?;
                    let hash = keccak256(&self.memory[off..off + size as usize]);
                    self.push(U256::from_be_bytes(&hash))?;
                }
                0x30 => self.env(address_word(&self.ctx.address))?,
                0x33 => self.env(address_word(&self.ctx.caller))?,
                0x34 => self.env(self.ctx.value)?,
                0x35 => {
                    self.charge(3)?;
                    let i = self.pop()?;
                    let mut word = [0u8; 32];
                    if let Some(i) = i.as_u64() {
                        let data = self.ctx.calldata;
                        if (i as usize) < data.len() {
                            let start = i as usize;
                            let n = (data.len() - start).min(32);
                            word[..n].copy_from_slice(&data[start..start + n]);
                        }
                    }
                    self.push(U256::from_be_bytes(&word))?;
                }
                0x36 => self.env(U256::from_u64(self.ctx.calldata.len() as u64))?,
                0x37 => {
                    let dest = self.pop()?;
                    let src = self.pop()?;
                    let size = Self::small(self.pop()?)?;
                    self.charge(3 + 3 * words(size))?;
                    let off = self.expand(dest, size)?;
                    let data = self.ctx.calldata;
                    for k in 0..size as usize {
                        let byte = match src.as_u64() {
                            Some(s) if (s as usize).saturating_add(k) < data.len() => data[s as usize + k],
                            _ => 0,
                        };
                        self.memory[off + k] = byte;
                    }
                }
                0x41 => self.env(address_word(&self.ctx.coinbase))?,
                0x42 => self.env(U256::from_u64(self.ctx.timestamp))?,
                0x43 => self.env(U256::from_u64(self.ctx.number))?,
                0x50 => {
                    self.charge(2)?;
                    self.pop()?;
                }
                0x51 => {
                    self.charge(3)?;
                    let offset = self.pop()?;
                    let off = self.expand(offset, 32)?;
                    let word: [u8; 32] = self.memory[off..off + 32].try_into().unwrap();
                    self.push(U256::from_be_bytes(&word))?;
                }
                0x52 => {
                    self.charge(3)?;
                    let offset = self.pop()?;
                    let value = self.pop()?;
                    let off = self.expand(offset, 32)?;
                    self.memory[off..off + 32].copy_from_slice(&value.to_be_bytes());
                }
                0x53 => {
                    self.charge(3)?;
                    let offset = self.pop()?;
                    let value = self.pop()?;
                    let off = self.expand(offset, 1)?;
                    self.memory[off] = value.0[0] as u8;
                }
                0x54 => {
                    self.charge(2100)?;
                    let slot = self.pop()?;
                    let v = self.sload(&slot);
                    self.push(v)?;
                }
                0x55 => {
                    let slot = self.pop()?;
                    let value = self.pop()?;
                    let current = self.sload(&slot);
                    self.charge(if current.is_zero() && !value.is_zero() { 20000 } else { 2900 })?;
                    self.writes.insert(slot, value);
                }
                0x56 => {
                    self.charge(8)?;
                    let dest = self.pop()?;
                    pc = self.jump_target(dest)?;
                    continue;
                }
                0x57 => {
                    self.charge(10)?;
                    let dest = self.pop()?;
                    let cond = self.pop()?;
                    if !cond.is_zero() {
                        pc = self.jump_target(dest)?;
                        continue;
                    }
                }
                0x58 => self.env(U256::from_u64(pc as u64))?,
                0x59 => self.env(U256::from_u64(self.memory.len() as u64))?,
                0x5a => {
                    self.charge(2)?;
                    self.push(U256::from_u64(self.gas))?;
                }
                0x5b => self.charge(1)?,
                0x5f => self.env(U256::ZERO)?,
                0x60..=0x7f => {
                    self.charge(3)?;
                    let n = (op - 0x5f) as usize;
                    let mut word = [0u8; 32];
                    // Push data running past the end of the code reads as zeros.
                    for k in 0..n {
                        word[32 - n + k] = self.code.get(pc + 1 + k).copied().unwrap_or(0);
                    }
                    self.push(U256::from_be_bytes(&word))?;
                    pc += n;
                }
                0x80..=0x8f => {
                    self.charge(3)?;
                    let n = (op - 0x7f) as usize;
                    if self.stack.len() < n {
                        return Err(Fault);
                    }
                    let v = self.stack[self.stack.len() - n];
                    self.push(v)?;
                }
                0x90..=0x9f => {
                    self.charge(3)?;
                    let n = (op - 0x8f) as usize;
                    let len = self.stack.len();
                    if len <= n {
                        return Err(Fault);
                    }
                    self.stack.swap(len - 1, len - 1 - n);
                }
                0xa0..=0xa4 => {
                    let n = (op - 0xa0) as usize;
                    let offset = self.pop()?;
                    let size = Self::small(self.pop()?)?;
                    let mut topics = Vec::with_capacity(n);
                    for _ in 0..n {
                        topics.push(self.pop()?.to_be_bytes());
                    }
                    self.charge(375 + 375 * n as u64 + 8 * size)?;
                    let off = self.expand(offset, size)?;
                    let data = self.memory[off..off + size as usize].to_vec();
                    self.logs.push(Log { address: self.ctx.address, topics, data });
                }
                0xf3 | 0xfd => {
                    let offset = self.pop()?;
                    let size = Self::small(self.pop()?)?;
                    // The return data itself is not needed: nothing reads it
                    // without CALL, but the memory it covers is paid for.
                    self.expand(offset, size)?;
                    return Ok(if op == 0xf3 { Halt::Success } else { Halt::Revert });
                }
                // 0xfe INVALID and every opcode outside the subset.
                _ => return Err(Fault),
            }
            pc += 1;
        }
        Ok(Halt::Success)
    }

    /// Pops a (top) and b, pushes f(a, b).
    fn binary(&mut self, gas: u64, f: impl Fn(U256, U256) -> U256) -> Result<(), Fault> {
        self.charge(gas)?;
        let a = self.pop()?;
        let b = self.pop()?;
        self.push(f(a, b))
    }

    /// A 2-gas opcode pushing one environment value.
    fn env(&mut self, v: U256) -> Result<(), Fault> {
        self.charge(2)?;
        self.push(v)
    }

    fn jump_target(&self, dest: U256) -> Result<usize, Fault> {
        match dest.as_u64() {
            Some(d) if (d as usize) < self.code.len() && self.jumpdests[d as usize] => Ok(d as usize),
            _ => Err(Fault),
        }
    }
}

fn bool_word(b: bool) -> U256 {
    if b {
        U256::ONE
    } else {
        U256::ZERO
    }
}
