//! `stateless`: a stateless block validator modelled on reth-stateless.
//!
//! Usage: `stateless <input.json>` where the input holds a block and its
//! execution witness (see guests/README.md for the format). The program
//!
//! 1. parses the JSON with serde_json into owned structures,
//! 2. rebuilds the pre-state from the witness and checks its Merkle-Patricia
//!    root against the parent header's state root,
//! 3. checks the block's transactions root,
//! 4. recovers every transaction's sender (secp256k1, EIP-155),
//! 5. executes the transactions with the EVM subset in `evm.rs`, paying fees
//!    to the coinbase, and
//! 6. prints the receipts root, gas used and the post-state root.
//!
//! Single-threaded, like reth's stateless validation entry point.

mod evm;
mod keccak;
mod rlp;
mod trie;
mod u256;

use std::collections::{BTreeMap, HashMap};
use std::process::ExitCode;

use k256::ecdsa::{RecoveryId, Signature, VerifyingKey};
use serde::Deserialize;

use crate::evm::{Context, Halt, Log};
use crate::keccak::keccak256;
use crate::u256::U256;

type Address = [u8; 20];
type Hash = [u8; 32];

/// Top-level input: block plus witness.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct StatelessInput {
    block: Block,
    witness: ExecutionWitness,
    chain_id: u64,
}

#[derive(Deserialize)]
struct Block {
    header: Header,
    /// Raw RLP-encoded signed transactions, 0x-hex.
    transactions: Vec<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Header {
    #[allow(dead_code)]
    parent_hash: String,
    number: String,
    timestamp: String,
    coinbase: String,
    gas_limit: String,
    base_fee_per_gas: String,
    transactions_root: String,
}

/// The witness: ancestor headers, the accessed accounts and storage, and
/// the bytecodes (by content) of the accessed contracts.
#[derive(Deserialize)]
struct ExecutionWitness {
    headers: Vec<WitnessHeader>,
    state: Vec<WitnessAccount>,
    codes: Vec<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WitnessHeader {
    number: String,
    state_root: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WitnessAccount {
    address: String,
    nonce: String,
    balance: String,
    code_hash: String,
    #[serde(default)]
    storage: BTreeMap<String, String>,
}

/// An account of the in-memory state.
#[derive(Clone, Default)]
struct Account {
    nonce: u64,
    balance: U256,
    code: Vec<u8>,
    storage: HashMap<U256, U256>,
}

impl Account {
    /// EIP-161 emptiness: such accounts are removed from the state.
    fn is_empty(&self) -> bool {
        self.nonce == 0 && self.balance.is_zero() && self.code.is_empty()
    }
}

/// A decoded legacy transaction with its recovered sender.
struct Transaction {
    nonce: u64,
    gas_price: U256,
    gas: u64,
    to: Address,
    value: U256,
    data: Vec<u8>,
    sender: Address,
}

/// Block-level values the execution needs.
struct BlockEnv {
    number: u64,
    timestamp: u64,
    coinbase: Address,
    gas_limit: u64,
    base_fee: U256,
}

struct Receipt {
    success: bool,
    cumulative_gas: u64,
    logs: Vec<Log>,
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 2 {
        eprintln!("usage: {} <block-with-witness.json>", args.first().map_or("stateless", |s| s));
        return ExitCode::from(2);
    }
    match run(&args[1]) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("stateless validation failed: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(path: &str) -> Result<(), String> {
    let raw = std::fs::read(path).map_err(|e| format!("reading {path}: {e}"))?;
    let input: StatelessInput = serde_json::from_slice(&raw).map_err(|e| format!("parsing {path}: {e}"))?;
    let header = &input.block.header;
    let env = BlockEnv {
        number: quantity_u64(&header.number)?,
        timestamp: quantity_u64(&header.timestamp)?,
        coinbase: parse_address(&header.coinbase)?,
        gas_limit: quantity_u64(&header.gas_limit)?,
        base_fee: U256::from_hex(&header.base_fee_per_gas)?,
    };
    println!(
        "Starting stateless block validation: block {} with {} transactions",
        env.number,
        input.block.transactions.len()
    );

    // Pre-state from the witness, checked against the parent's state root.
    let parent = input.witness.headers.last().ok_or("witness has no parent header")?;
    if quantity_u64(&parent.number)? + 1 != env.number {
        return Err("witness parent header is not the block's parent".into());
    }
    let mut state = load_witness(&input.witness)?;
    let pre_root = state_root(&state);
    if pre_root != parse_hash(&parent.state_root)? {
        return Err(format!(
            "pre-state root mismatch: witness gives {}, parent header says {}",
            hex(&pre_root),
            parent.state_root
        ));
    }
    println!("Pre-state root verified: {}", hex(&pre_root));

    // Transactions: decode, check the transactions root, recover senders.
    let raw_txs: Vec<Vec<u8>> =
        input.block.transactions.iter().map(|t| parse_hex(t)).collect::<Result<_, _>>()?;
    let tx_root = trie::trie_root(
        raw_txs.iter().enumerate().map(|(i, tx)| (index_key(i), tx.clone())).collect(),
    );
    if tx_root != parse_hash(&header.transactions_root)? {
        return Err(format!("transactions root mismatch: computed {}", hex(&tx_root)));
    }
    let txs: Vec<Transaction> =
        raw_txs.iter().map(|raw| decode_transaction(raw, input.chain_id)).collect::<Result<_, _>>()?;
    println!("Recovered {} transaction senders", txs.len());

    // Execution.
    let mut receipts = Vec::with_capacity(txs.len());
    let mut gas_used = 0u64;
    for (i, tx) in txs.iter().enumerate() {
        let receipt = apply_transaction(&mut state, &env, tx, gas_used)
            .map_err(|e| format!("transaction {i}: {e}"))?;
        gas_used = receipt.cumulative_gas;
        receipts.push(receipt);
    }
    state.retain(|_, account| !account.is_empty());

    let receipts_root = trie::trie_root(
        receipts.iter().enumerate().map(|(i, r)| (index_key(i), encode_receipt(r))).collect(),
    );
    println!("Gas used: {gas_used}");
    println!("Receipts root: {}", hex(&receipts_root));
    println!("Post-state root: {}", hex(&state_root(&state)));
    Ok(())
}

fn load_witness(w: &ExecutionWitness) -> Result<HashMap<Address, Account>, String> {
    let mut codes: HashMap<Hash, Vec<u8>> = HashMap::new();
    for code in &w.codes {
        let bytes = parse_hex(code)?;
        codes.insert(keccak256(&bytes), bytes);
    }
    let empty_code_hash = keccak256(&[]);
    let mut state = HashMap::new();
    for a in &w.state {
        let code_hash = parse_hash(&a.code_hash)?;
        let code = if code_hash == empty_code_hash {
            Vec::new()
        } else {
            codes.get(&code_hash).cloned().ok_or_else(|| format!("witness lacks code {}", a.code_hash))?
        };
        let mut storage = HashMap::new();
        for (slot, value) in &a.storage {
            let v = U256::from_hex(value)?;
            if !v.is_zero() {
                storage.insert(U256::from_hex(slot)?, v);
            }
        }
        let account = Account {
            nonce: quantity_u64(&a.nonce)?,
            balance: U256::from_hex(&a.balance)?,
            code,
            storage,
        };
        state.insert(parse_address(&a.address)?, account);
    }
    Ok(state)
}

/// Root of the secure state trie: keccak(address) -> rlp([nonce, balance, storageRoot, codeHash]).
fn state_root(state: &HashMap<Address, Account>) -> Hash {
    let entries = state
        .iter()
        .map(|(addr, account)| {
            let storage_root = trie::trie_root(
                account
                    .storage
                    .iter()
                    .filter(|(_, v)| !v.is_zero())
                    .map(|(slot, v)| {
                        let mut value = Vec::new();
                        rlp::encode_bytes(&mut value, &v.to_be_trimmed());
                        (keccak256(&slot.to_be_bytes()).to_vec(), value)
                    })
                    .collect(),
            );
            let mut payload = Vec::new();
            rlp::encode_u64(&mut payload, account.nonce);
            rlp::encode_bytes(&mut payload, &account.balance.to_be_trimmed());
            rlp::encode_bytes(&mut payload, &storage_root);
            rlp::encode_bytes(&mut payload, &keccak256(&account.code));
            (keccak256(addr).to_vec(), rlp::encode_list(&payload))
        })
        .collect();
    trie::trie_root(entries)
}

/// Decodes a legacy transaction and recovers its sender.
fn decode_transaction(raw: &[u8], chain_id: u64) -> Result<Transaction, String> {
    let item = rlp::decode(raw)?;
    let fields = item.list()?;
    if fields.len() != 9 {
        return Err("only legacy (type 0) transactions are supported".into());
    }
    let to = fields[3].bytes()?;
    if to.len() != 20 {
        return Err("contract creation is not supported".into());
    }
    let v = fields[6].u64()?;
    let r = fields[7].bytes()?;
    let s = fields[8].bytes()?;
    if r.len() > 32 || s.len() > 32 {
        return Err("oversized signature value".into());
    }

    // Signing payload: the first six fields, plus chainId, 0, 0 under EIP-155.
    let mut payload = Vec::new();
    for f in &fields[..6] {
        rlp::encode_bytes(&mut payload, f.bytes()?);
    }
    let parity = match v {
        27 | 28 => v - 27,
        _ => {
            if v < 35 || (v - 35) / 2 != chain_id {
                return Err(format!("signature v {v} does not match chain id {chain_id}"));
            }
            rlp::encode_u64(&mut payload, chain_id);
            payload.extend_from_slice(&[0x80, 0x80]);
            (v - 35) % 2
        }
    };
    let sighash = keccak256(&rlp::encode_list(&payload));
    let sender = recover_sender(&sighash, r, s, parity as u8)?;

    Ok(Transaction {
        nonce: fields[0].u64()?,
        gas_price: U256::from_be_slice(fields[1].bytes()?),
        gas: fields[2].u64()?,
        to: to.try_into().unwrap(),
        value: U256::from_be_slice(fields[4].bytes()?),
        data: fields[5].bytes()?.to_vec(),
        sender,
    })
}

fn recover_sender(sighash: &Hash, r: &[u8], s: &[u8], parity: u8) -> Result<Address, String> {
    let mut r32 = [0u8; 32];
    let mut s32 = [0u8; 32];
    r32[32 - r.len()..].copy_from_slice(r);
    s32[32 - s.len()..].copy_from_slice(s);
    let sig = Signature::from_scalars(r32, s32).map_err(|e| format!("bad signature: {e}"))?;
    if sig.normalize_s().is_some() {
        return Err("signature s is in the upper half (EIP-2)".into());
    }
    let recid = RecoveryId::from_byte(parity).ok_or("bad recovery id")?;
    let key = VerifyingKey::recover_from_prehash(sighash, &sig, recid)
        .map_err(|e| format!("sender recovery failed: {e}"))?;
    let point = key.to_encoded_point(false);
    let hash = keccak256(&point.as_bytes()[1..]);
    Ok(hash[12..].try_into().unwrap())
}

fn intrinsic_gas(data: &[u8]) -> u64 {
    21000 + data.iter().map(|&b| if b == 0 { 4 } else { 16 }).sum::<u64>()
}

fn apply_transaction(
    state: &mut HashMap<Address, Account>,
    env: &BlockEnv,
    tx: &Transaction,
    gas_before: u64,
) -> Result<Receipt, String> {
    let intrinsic = intrinsic_gas(&tx.data);
    if tx.gas < intrinsic {
        return Err("gas limit below intrinsic gas".into());
    }
    if gas_before + tx.gas > env.gas_limit {
        return Err("block gas limit exceeded".into());
    }
    if tx.gas_price < env.base_fee {
        return Err("gas price below base fee".into());
    }
    let gas_cost = tx.gas_price.checked_mul(U256::from_u64(tx.gas)).ok_or("gas cost overflow")?;
    let sender = state.entry(tx.sender).or_default();
    if sender.nonce != tx.nonce {
        return Err(format!("nonce {} but account has {}", tx.nonce, sender.nonce));
    }
    let upfront = gas_cost.checked_add(tx.value).ok_or("cost overflow")?;
    if sender.balance < upfront {
        return Err("insufficient funds for gas * price + value".into());
    }
    // Buy gas and bump the nonce; these survive a failed execution.
    sender.nonce += 1;
    sender.balance = sender.balance.wrapping_sub(gas_cost);

    transfer(state, &tx.sender, &tx.to, tx.value);
    let mut gas_left = tx.gas - intrinsic;
    let mut success = true;
    let mut logs = Vec::new();
    let code = state.get(&tx.to).map(|a| a.code.clone()).unwrap_or_default();
    if !code.is_empty() {
        let ctx = Context {
            address: tx.to,
            caller: tx.sender,
            value: tx.value,
            calldata: &tx.data,
            coinbase: env.coinbase,
            timestamp: env.timestamp,
            number: env.number,
        };
        let outcome = evm::execute(&ctx, &code, &state[&tx.to].storage, gas_left);
        gas_left = outcome.gas_left;
        if outcome.halt == Halt::Success {
            let storage = &mut state.get_mut(&tx.to).unwrap().storage;
            for (slot, value) in outcome.writes {
                if value.is_zero() {
                    storage.remove(&slot);
                } else {
                    storage.insert(slot, value);
                }
            }
            logs = outcome.logs;
        } else {
            // Undo the value transfer; gas and nonce stay paid.
            transfer(state, &tx.to, &tx.sender, tx.value);
            success = false;
        }
    }

    let gas_used = tx.gas - gas_left;
    let refund = tx.gas_price.wrapping_mul(U256::from_u64(gas_left));
    let sender = state.get_mut(&tx.sender).unwrap();
    sender.balance = sender.balance.wrapping_add(refund);
    let tip = tx.gas_price.wrapping_sub(env.base_fee).wrapping_mul(U256::from_u64(gas_used));
    let coinbase = state.entry(env.coinbase).or_default();
    coinbase.balance = coinbase.balance.wrapping_add(tip);
    Ok(Receipt { success, cumulative_gas: gas_before + gas_used, logs })
}

/// Moves `value` (already checked affordable) between accounts, creating the recipient.
fn transfer(state: &mut HashMap<Address, Account>, from: &Address, to: &Address, value: U256) {
    let src = state.entry(*from).or_default();
    src.balance = src.balance.wrapping_sub(value);
    let dst = state.entry(*to).or_default();
    dst.balance = dst.balance.wrapping_add(value);
}

/// Legacy receipt: rlp([status, cumulativeGasUsed, logsBloom, logs]).
fn encode_receipt(r: &Receipt) -> Vec<u8> {
    let mut bloom = [0u8; 256];
    let mut logs_payload = Vec::new();
    for log in &r.logs {
        bloom_add(&mut bloom, &log.address);
        let mut topics = Vec::new();
        for t in &log.topics {
            bloom_add(&mut bloom, t);
            rlp::encode_bytes(&mut topics, t);
        }
        let mut entry = Vec::new();
        rlp::encode_bytes(&mut entry, &log.address);
        entry.extend_from_slice(&rlp::encode_list(&topics));
        rlp::encode_bytes(&mut entry, &log.data);
        logs_payload.extend_from_slice(&rlp::encode_list(&entry));
    }
    let mut payload = Vec::new();
    rlp::encode_u64(&mut payload, r.success as u64);
    rlp::encode_u64(&mut payload, r.cumulative_gas);
    rlp::encode_bytes(&mut payload, &bloom);
    payload.extend_from_slice(&rlp::encode_list(&logs_payload));
    rlp::encode_list(&payload)
}

/// Sets the three bloom bits selected by keccak(value) (yellow paper, 4.3.1).
fn bloom_add(bloom: &mut [u8; 256], value: &[u8]) {
    let h = keccak256(value);
    for i in [0, 2, 4] {
        let bit = (((h[i] as usize) << 8) | h[i + 1] as usize) & 2047;
        bloom[255 - bit / 8] |= 1 << (bit % 8);
    }
}

fn index_key(i: usize) -> Vec<u8> {
    let mut key = Vec::new();
    rlp::encode_u64(&mut key, i as u64);
    key
}

fn parse_hex(s: &str) -> Result<Vec<u8>, String> {
    let digits = s.strip_prefix("0x").ok_or_else(|| format!("missing 0x: {s}"))?;
    if digits.len() % 2 != 0 {
        return Err(format!("odd-length hex: {s}"));
    }
    (0..digits.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&digits[i..i + 2], 16).map_err(|_| format!("bad hex: {s}")))
        .collect()
}

fn parse_address(s: &str) -> Result<Address, String> {
    parse_hex(s)?.try_into().map_err(|_| format!("not a 20-byte address: {s}"))
}

fn parse_hash(s: &str) -> Result<Hash, String> {
    parse_hex(s)?.try_into().map_err(|_| format!("not a 32-byte hash: {s}"))
}

fn quantity_u64(s: &str) -> Result<u64, String> {
    U256::from_hex(s)?.as_u64().ok_or_else(|| format!("quantity too large: {s}"))
}

fn hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(2 + 2 * bytes.len());
    out.push_str("0x");
    for b in bytes {
        out.push_str(&format!("{b:02x}"));
    }
    out
}
