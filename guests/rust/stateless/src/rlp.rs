//! Recursive Length Prefix encoding (yellow paper, appendix B): an encoder
//! that appends to a byte vector, and a decoder over borrowed slices.

/// Appends the RLP encoding of a byte string.
pub fn encode_bytes(out: &mut Vec<u8>, bytes: &[u8]) {
    if bytes.len() == 1 && bytes[0] < 0x80 {
        out.push(bytes[0]);
    } else {
        encode_length(out, bytes.len(), 0x80);
        out.extend_from_slice(bytes);
    }
}

/// Appends the RLP encoding of an unsigned integer (minimal big-endian).
pub fn encode_u64(out: &mut Vec<u8>, v: u64) {
    let bytes = v.to_be_bytes();
    let first = bytes.iter().position(|&b| b != 0).unwrap_or(8);
    encode_bytes(out, &bytes[first..]);
}

/// Appends a list header for a payload of `len` bytes.
pub fn encode_length(out: &mut Vec<u8>, len: usize, offset: u8) {
    if len < 56 {
        out.push(offset + len as u8);
    } else {
        let bytes = (len as u64).to_be_bytes();
        let first = bytes.iter().position(|&b| b != 0).unwrap();
        out.push(offset + 55 + (8 - first) as u8);
        out.extend_from_slice(&bytes[first..]);
    }
}

/// Wraps already-encoded items into a list.
pub fn encode_list(payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(payload.len() + 9);
    encode_length(&mut out, payload.len(), 0xc0);
    out.extend_from_slice(payload);
    out
}

/// A decoded RLP item borrowing from the input.
#[derive(Debug)]
pub enum Item<'a> {
    Bytes(&'a [u8]),
    List(Vec<Item<'a>>),
}

impl<'a> Item<'a> {
    pub fn bytes(&self) -> Result<&'a [u8], String> {
        match self {
            Item::Bytes(b) => Ok(b),
            Item::List(_) => Err("expected RLP string, found list".into()),
        }
    }

    pub fn list(&self) -> Result<&[Item<'a>], String> {
        match self {
            Item::List(items) => Ok(items),
            Item::Bytes(_) => Err("expected RLP list, found string".into()),
        }
    }

    /// A canonical integer (no leading zeros) of at most 8 bytes.
    pub fn u64(&self) -> Result<u64, String> {
        let b = self.bytes()?;
        if b.len() > 8 || (!b.is_empty() && b[0] == 0) {
            return Err("non-canonical or oversized RLP integer".into());
        }
        Ok(b.iter().fold(0u64, |acc, &x| (acc << 8) | x as u64))
    }
}

/// Decodes exactly one item spanning all of `input`.
pub fn decode(input: &[u8]) -> Result<Item<'_>, String> {
    let (item, rest) = decode_one(input)?;
    if !rest.is_empty() {
        return Err("trailing bytes after RLP item".into());
    }
    Ok(item)
}

fn decode_one(input: &[u8]) -> Result<(Item<'_>, &[u8]), String> {
    let (&prefix, tail) = input.split_first().ok_or("empty RLP input")?;
    match prefix {
        0x00..=0x7f => Ok((Item::Bytes(&input[..1]), tail)),
        0x80..=0xbf => {
            let (payload, rest) = split_payload(prefix - 0x80, tail)?;
            if payload.len() == 1 && payload[0] < 0x80 {
                return Err("non-canonical single byte".into());
            }
            Ok((Item::Bytes(payload), rest))
        }
        0xc0..=0xff => {
            let (mut payload, rest) = split_payload(prefix - 0xc0, tail)?;
            let mut items = Vec::new();
            while !payload.is_empty() {
                let (item, r) = decode_one(payload)?;
                items.push(item);
                payload = r;
            }
            Ok((Item::List(items), rest))
        }
    }
}

/// Splits off the payload given the prefix's offset-relative value.
fn split_payload(short: u8, tail: &[u8]) -> Result<(&[u8], &[u8]), String> {
    let (len, tail) = if short < 56 {
        (short as usize, tail)
    } else {
        let n = (short - 55) as usize;
        if n > 8 || tail.len() < n {
            return Err("bad RLP long length".into());
        }
        let len = tail[..n].iter().fold(0usize, |acc, &x| (acc << 8) | x as usize);
        if len < 56 || tail[0] == 0 {
            return Err("non-canonical RLP length".into());
        }
        (len, &tail[n..])
    };
    if tail.len() < len {
        return Err("RLP payload runs past the input".into());
    }
    Ok(tail.split_at(len))
}
