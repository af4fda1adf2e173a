//! A borrowing CBOR reader (RFC 8949) that keeps the received bytes of every item.
//!
//! mdoc signatures and digests cover bytes exactly as the holder sent them
//! (ISO 18013-5 §9.1.2.4, §9.1.3): the decoder therefore records, for every
//! data item, the slice of the input it was decoded from ([`Item::raw`]), and
//! nothing in kakunin ever re-encodes a received item before hashing it.
//!
//! The reader is strict where strictness protects the verifier:
//! - trailing bytes after the top-level item are rejected;
//! - duplicate map keys are rejected (semantic equality, so `0x18 0x01` and
//!   `0x01` collide);
//! - a declared length beyond the remaining input is rejected before any
//!   allocation, and containers never pre-allocate more than the input could hold;
//! - nesting depth, item count, container length and string length are bounded
//!   by [`Limits`];
//! - indefinite-length byte and text strings are rejected (they cannot be
//!   borrowed; ISO 18013-5 data uses definite lengths), reserved additional
//!   information values and invalid UTF-8 are rejected.
//!
//! It does not require preferred (minimal) serialisation: real wallets send
//! non-minimal lengths, and the bytes are kept as received.

use crate::limits::Limits;

/// A decoded data item and the exact input bytes it came from.
#[derive(Clone, Debug)]
pub struct Item<'a> {
    /// The encoded bytes of this item, as received.
    pub raw: &'a [u8],
    /// The decoded value.
    pub value: Value<'a>,
}

/// A decoded CBOR value; strings borrow from the input.
#[derive(Clone, Debug)]
pub enum Value<'a> {
    /// Major type 0.
    Unsigned(u64),
    /// Major type 1: the value is `-1 - n`.
    Negative(u64),
    /// Major type 2.
    Bytes(&'a [u8]),
    /// Major type 3.
    Text(&'a str),
    /// Major type 4.
    Array(Vec<Item<'a>>),
    /// Major type 5, entries in received order.
    Map(Vec<(Item<'a>, Item<'a>)>),
    /// Major type 6.
    Tag(u64, Box<Item<'a>>),
    /// `false` / `true`.
    Bool(bool),
    /// `null`.
    Null,
    /// `undefined`.
    Undefined,
    /// Half, single or double precision float.
    Float(f64),
    /// Another simple value.
    Simple(u8),
}

/// Why decoding failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DecodeError {
    /// Not well-formed or not accepted (the reason is static text).
    Malformed(&'static str),
    /// A [`Limits`] field was exceeded (the field name).
    Limit(&'static str),
}

impl From<DecodeError> for crate::Error {
    fn from(e: DecodeError) -> Self {
        match e {
            DecodeError::Malformed(why) => crate::error::err(crate::ErrorCode::CborMalformed, why),
            DecodeError::Limit(which) => {
                crate::error::err(crate::ErrorCode::LimitExceeded, format!("limit `{which}` exceeded"))
            }
        }
    }
}

/// Decodes exactly one data item that spans all of `input`.
pub fn decode<'a>(input: &'a [u8], limits: &Limits) -> Result<Item<'a>, DecodeError> {
    if input.len() > limits.max_input_bytes {
        return Err(DecodeError::Limit("max_input_bytes"));
    }
    let mut d = Decoder {
        input,
        pos: 0,
        limits,
        items: 0,
    };
    let item = d.item(0)?;
    if d.pos != input.len() {
        return Err(DecodeError::Malformed("trailing bytes after the CBOR item"));
    }
    Ok(item)
}

struct Decoder<'a, 'l> {
    input: &'a [u8],
    pos: usize,
    limits: &'l Limits,
    items: usize,
}

const EOF: DecodeError = DecodeError::Malformed("unexpected end of input");

impl<'a> Decoder<'a, '_> {
    fn byte(&mut self) -> Result<u8, DecodeError> {
        let b = *self.input.get(self.pos).ok_or(EOF)?;
        self.pos += 1;
        Ok(b)
    }

    fn take(&mut self, n: u64) -> Result<&'a [u8], DecodeError> {
        // A length beyond `usize` (a 32-bit target) cannot be in the input.
        self.take_len(usize::try_from(n).map_err(|_| EOF)?)
    }

    fn take_len(&mut self, n: usize) -> Result<&'a [u8], DecodeError> {
        let remaining = self.input.len() - self.pos;
        if n > remaining {
            return Err(EOF);
        }
        let s = self.input.get(self.pos..self.pos + n).ok_or(EOF)?;
        self.pos += n;
        Ok(s)
    }

    fn uint_arg(&mut self, info: u8) -> Result<u64, DecodeError> {
        match info {
            0..=23 => Ok(u64::from(info)),
            24 => Ok(u64::from(self.byte()?)),
            25 => Ok(u64::from(u16::from_be_bytes(self.fixed::<2>()?))),
            26 => Ok(u64::from(u32::from_be_bytes(self.fixed::<4>()?))),
            27 => Ok(u64::from_be_bytes(self.fixed::<8>()?)),
            _ => Err(DecodeError::Malformed("reserved additional information")),
        }
    }

    fn fixed<const N: usize>(&mut self) -> Result<[u8; N], DecodeError> {
        let s = self.take_len(N)?;
        let mut a = [0u8; N];
        a.copy_from_slice(s);
        Ok(a)
    }

    fn count_item(&mut self) -> Result<(), DecodeError> {
        self.items += 1;
        if self.items > self.limits.max_items {
            return Err(DecodeError::Limit("max_items"));
        }
        Ok(())
    }

    fn string_len(&mut self, info: u8) -> Result<u64, DecodeError> {
        if info == 31 {
            return Err(DecodeError::Malformed("indefinite-length string"));
        }
        let n = self.uint_arg(info)?;
        // A length beyond `usize` (a 32-bit target) is beyond the limit too.
        if !usize::try_from(n).is_ok_and(|n| n <= self.limits.max_string_bytes) {
            return Err(DecodeError::Limit("max_string_bytes"));
        }
        Ok(n)
    }

    fn container_len(&mut self, info: u8) -> Result<Option<usize>, DecodeError> {
        if info == 31 {
            return Ok(None);
        }
        let n = self.uint_arg(info)?;
        // A length beyond `usize` (a 32-bit target) is beyond the limit too.
        let n = usize::try_from(n)
            .ok()
            .filter(|n| *n <= self.limits.max_container_len)
            .ok_or(DecodeError::Limit("max_container_len"))?;
        // Every entry needs at least one byte: a longer claim is a lie.
        if n > self.input.len() - self.pos {
            return Err(EOF);
        }
        Ok(Some(n))
    }

    fn at_break(&mut self) -> Result<bool, DecodeError> {
        match self.input.get(self.pos) {
            Some(0xff) => {
                self.pos += 1;
                Ok(true)
            }
            Some(_) => Ok(false),
            None => Err(EOF),
        }
    }

    fn item(&mut self, depth: usize) -> Result<Item<'a>, DecodeError> {
        self.count_item()?;
        let start = self.pos;
        let initial = self.byte()?;
        let value = if (4..=6).contains(&(initial >> 5)) {
            self.container(initial, depth)?
        } else {
            self.scalar(initial)?
        };
        let raw = self.input.get(start..self.pos).ok_or(EOF)?;
        Ok(Item { raw, value })
    }

    /// Arrays, maps and tags: the recursive path. Kept apart from
    /// [`Self::scalar`] so that each nesting level's stack frames stay
    /// small (a kiosk thread may have a 64 KiB stack, even in debug builds).
    fn container(&mut self, initial: u8, depth: usize) -> Result<Value<'a>, DecodeError> {
        if depth >= self.limits.max_depth.min(Limits::MAX_DEPTH_CEILING) {
            return Err(DecodeError::Limit("max_depth"));
        }
        let info = initial & 0x1f;
        match initial >> 5 {
            4 => self.array(info, depth),
            5 => self.map(info, depth),
            _ => {
                let tag = self.uint_arg(info)?;
                let inner = self.item(depth + 1)?;
                Ok(Value::Tag(tag, Box::new(inner)))
            }
        }
    }

    #[inline(never)]
    fn scalar(&mut self, initial: u8) -> Result<Value<'a>, DecodeError> {
        let info = initial & 0x1f;
        Ok(match initial >> 5 {
            0 => Value::Unsigned(self.uint_arg(info)?),
            1 => Value::Negative(self.uint_arg(info)?),
            2 => {
                let n = self.string_len(info)?;
                Value::Bytes(self.take(n)?)
            }
            3 => {
                let n = self.string_len(info)?;
                let s = self.take(n)?;
                Value::Text(
                    core::str::from_utf8(s).map_err(|_| DecodeError::Malformed("invalid UTF-8 in text string"))?,
                )
            }
            _ => self.simple(info)?,
        })
    }

    fn array(&mut self, info: u8, depth: usize) -> Result<Value<'a>, DecodeError> {
        match self.container_len(info)? {
            Some(n) => {
                let mut v = Vec::with_capacity(n);
                for _ in 0..n {
                    v.push(self.item(depth + 1)?);
                }
                Ok(Value::Array(v))
            }
            None => {
                let mut v = Vec::new();
                while !self.at_break()? {
                    if v.len() >= self.limits.max_container_len {
                        return Err(DecodeError::Limit("max_container_len"));
                    }
                    v.push(self.item(depth + 1)?);
                }
                Ok(Value::Array(v))
            }
        }
    }

    fn map(&mut self, info: u8, depth: usize) -> Result<Value<'a>, DecodeError> {
        let mut v = Vec::new();
        match self.container_len(info)? {
            Some(n) => {
                v.reserve(n.min((self.input.len() - self.pos) / 2));
                for _ in 0..n {
                    let k = self.item(depth + 1)?;
                    let val = self.item(depth + 1)?;
                    v.push((k, val));
                }
            }
            None => {
                while !self.at_break()? {
                    if v.len() >= self.limits.max_container_len {
                        return Err(DecodeError::Limit("max_container_len"));
                    }
                    let k = self.item(depth + 1)?;
                    let val = self.item(depth + 1)?;
                    v.push((k, val));
                }
            }
        }
        check_unique_keys(&v)?;
        Ok(Value::Map(v))
    }

    fn simple(&mut self, info: u8) -> Result<Value<'a>, DecodeError> {
        Ok(match info {
            20 => Value::Bool(false),
            21 => Value::Bool(true),
            22 => Value::Null,
            23 => Value::Undefined,
            24 => {
                let b = self.byte()?;
                if b < 32 {
                    return Err(DecodeError::Malformed("invalid two-byte simple value"));
                }
                Value::Simple(b)
            }
            25 => Value::Float(f16_to_f64(u16::from_be_bytes(self.fixed::<2>()?))),
            26 => Value::Float(f64::from(f32::from_be_bytes(self.fixed::<4>()?))),
            27 => Value::Float(f64::from_be_bytes(self.fixed::<8>()?)),
            28..=30 => return Err(DecodeError::Malformed("reserved additional information")),
            31 => return Err(DecodeError::Malformed("unexpected break")),
            n => Value::Simple(n),
        })
    }
}

fn f16_to_f64(h: u16) -> f64 {
    let sign = if h & 0x8000 != 0 { -1.0 } else { 1.0 };
    let exp = i32::from((h >> 10) & 0x1f);
    let frac = f64::from(h & 0x3ff);
    let mag = match exp {
        0 => frac * 2f64.powi(-24),
        31 => {
            if frac == 0.0 {
                f64::INFINITY
            } else {
                f64::NAN
            }
        }
        e => (1.0 + frac / 1024.0) * 2f64.powi(e - 15),
    };
    sign * mag
}

/// A cheap total key for the common map-key kinds, used to find duplicates
/// in large maps without quadratic work.
fn fast_key<'b>(v: &'b Value<'_>) -> Option<(u8, u64, &'b [u8])> {
    match v {
        Value::Unsigned(n) => Some((0, *n, &[])),
        Value::Negative(n) => Some((1, *n, &[])),
        Value::Bytes(b) => Some((2, 0, b)),
        Value::Text(t) => Some((3, 0, t.as_bytes())),
        _ => None,
    }
}

fn check_unique_keys(entries: &[(Item<'_>, Item<'_>)]) -> Result<(), DecodeError> {
    const DUP: DecodeError = DecodeError::Malformed("duplicate map key");
    if entries.len() <= 16 {
        for (i, (a, _)) in entries.iter().enumerate() {
            for (b, _) in entries.iter().skip(i + 1) {
                if a.value.same_as(&b.value) {
                    return Err(DUP);
                }
            }
        }
        return Ok(());
    }
    // Large maps: sort instead of comparing every pair. Pairwise `same_as`
    // over thousands of nested keys took seconds per map (found while
    // fuzzing the decoder), so other keys are compared by a canonical
    // encoding, whose equality is exactly `same_as`.
    let mut fast = Vec::with_capacity(entries.len());
    let mut slow: Vec<Vec<u8>> = Vec::new();
    for (k, _) in entries {
        match fast_key(&k.value) {
            Some(key) => fast.push(key),
            None => {
                let mut c = Vec::with_capacity(k.raw.len() + 8);
                canonical(&k.value, &mut c);
                slow.push(c);
            }
        }
    }
    fast.sort_unstable();
    slow.sort_unstable();
    if fast.windows(2).any(|w| matches!(w, [a, b] if a == b)) || slow.windows(2).any(|w| matches!(w, [a, b] if a == b))
    {
        return Err(DUP);
    }
    Ok(())
}

/// A byte string that is equal for two values exactly when
/// [`Value::same_as`] holds (for sorting and set lookups of keys).
pub(crate) fn canonical_key(v: &Value<'_>) -> Vec<u8> {
    let mut out = Vec::new();
    canonical(v, &mut out);
    out
}

/// Writes an encoding of `v` that is equal for two values exactly when
/// [`Value::same_as`] holds: preferred argument sizes, definite lengths, every
/// float as its 64-bit pattern. Only used to compare keys, never to hash or
/// verify. Recursion is bounded by the decoder's depth limit.
fn canonical(v: &Value<'_>, out: &mut Vec<u8>) {
    match v {
        Value::Unsigned(n) => write_head(out, 0, *n),
        Value::Negative(n) => write_head(out, 1, *n),
        Value::Bytes(b) => write_bytes(out, b),
        Value::Text(t) => write_text(out, t),
        Value::Array(a) => {
            write_len(out, 4, a.len());
            a.iter().for_each(|x| canonical(&x.value, out));
        }
        Value::Map(m) => {
            write_len(out, 5, m.len());
            for (k, x) in m {
                canonical(&k.value, out);
                canonical(&x.value, out);
            }
        }
        Value::Tag(t, inner) => {
            write_head(out, 6, *t);
            canonical(&inner.value, out);
        }
        Value::Bool(b) => out.push(if *b { 0xf5 } else { 0xf4 }),
        Value::Null => out.push(0xf6),
        Value::Undefined => out.push(0xf7),
        Value::Float(f) => {
            out.push(0xfb);
            out.extend_from_slice(&f.to_bits().to_be_bytes());
        }
        Value::Simple(n) => out.extend_from_slice(&[0xf8, *n]),
    }
}

impl<'a> Value<'a> {
    /// Semantic equality (ignores how lengths and arguments were encoded).
    pub fn same_as(&self, other: &Value<'_>) -> bool {
        match (self, other) {
            (Value::Unsigned(a), Value::Unsigned(b)) | (Value::Negative(a), Value::Negative(b)) => a == b,
            (Value::Bytes(a), Value::Bytes(b)) => a == b,
            (Value::Text(a), Value::Text(b)) => a == b,
            (Value::Array(a), Value::Array(b)) => {
                a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.value.same_as(&y.value))
            }
            (Value::Map(a), Value::Map(b)) => {
                a.len() == b.len()
                    && a.iter()
                        .zip(b)
                        .all(|((k1, v1), (k2, v2))| k1.value.same_as(&k2.value) && v1.value.same_as(&v2.value))
            }
            (Value::Tag(t1, a), Value::Tag(t2, b)) => t1 == t2 && a.value.same_as(&b.value),
            (Value::Bool(a), Value::Bool(b)) => a == b,
            (Value::Null, Value::Null) | (Value::Undefined, Value::Undefined) => true,
            (Value::Float(a), Value::Float(b)) => a.to_bits() == b.to_bits(),
            (Value::Simple(a), Value::Simple(b)) => a == b,
            _ => false,
        }
    }

    /// The text, if this is a text string.
    pub fn as_text(&self) -> Option<&'a str> {
        match self {
            Value::Text(t) => Some(t),
            _ => None,
        }
    }

    /// The bytes, if this is a byte string.
    pub fn as_bytes(&self) -> Option<&'a [u8]> {
        match self {
            Value::Bytes(b) => Some(b),
            _ => None,
        }
    }

    /// The integer, if this is an integer that fits `i64`.
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Value::Unsigned(n) => i64::try_from(*n).ok(),
            Value::Negative(n) => i64::try_from(*n).ok().map(|n| -1 - n),
            _ => None,
        }
    }

    /// The unsigned integer, if this is major type 0.
    pub fn as_u64(&self) -> Option<u64> {
        match self {
            Value::Unsigned(n) => Some(*n),
            _ => None,
        }
    }

    /// The entries, if this is a map.
    pub fn as_map(&self) -> Option<&[(Item<'a>, Item<'a>)]> {
        match self {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }

    /// The elements, if this is an array.
    pub fn as_array(&self) -> Option<&[Item<'a>]> {
        match self {
            Value::Array(a) => Some(a),
            _ => None,
        }
    }
}

impl<'a> Item<'a> {
    /// The value of the entry whose key is the text `key`, if this is a map.
    pub fn get(&self, key: &str) -> Option<&Item<'a>> {
        self.value
            .as_map()?
            .iter()
            .find(|(k, _)| k.value.as_text() == Some(key))
            .map(|(_, v)| v)
    }

    /// The value of the entry whose key is the integer `key`, if this is a map.
    pub fn get_int(&self, key: i64) -> Option<&Item<'a>> {
        self.value
            .as_map()?
            .iter()
            .find(|(k, _)| k.value.as_i64() == Some(key))
            .map(|(_, v)| v)
    }

    /// If this is `#6.24(bstr)`, the embedded bytes.
    pub fn tag24_bytes(&self) -> Option<&'a [u8]> {
        match &self.value {
            Value::Tag(24, inner) => inner.value.as_bytes(),
            _ => None,
        }
    }
}

/// Writes a CBOR head with the shortest argument encoding (RFC 8949 §4.2.1).
pub fn write_head(out: &mut Vec<u8>, major: u8, n: u64) {
    let m = major << 5;
    if let Ok(b) = u8::try_from(n) {
        if b < 24 {
            out.push(m | b);
        } else {
            out.push(m | 24);
            out.push(b);
        }
    } else if let Ok(h) = u16::try_from(n) {
        out.push(m | 25);
        out.extend_from_slice(&h.to_be_bytes());
    } else if let Ok(w) = u32::try_from(n) {
        out.push(m | 26);
        out.extend_from_slice(&w.to_be_bytes());
    } else {
        out.push(m | 27);
        out.extend_from_slice(&n.to_be_bytes());
    }
}

/// Writes a CBOR head whose argument is a length (of a string, an array or a
/// map).
pub(crate) fn write_len(out: &mut Vec<u8>, major: u8, len: usize) {
    // `usize` is at most 64 bits on every target Rust supports: a length
    // always fits, the saturation is unreachable.
    write_head(out, major, u64::try_from(len).unwrap_or(u64::MAX));
}

/// Writes a byte string.
pub fn write_bytes(out: &mut Vec<u8>, b: &[u8]) {
    write_len(out, 2, b.len());
    out.extend_from_slice(b);
}

/// Writes a text string.
pub fn write_text(out: &mut Vec<u8>, s: &str) {
    write_len(out, 3, s.len());
    out.extend_from_slice(s.as_bytes());
}

/// Writes `#6.24(bstr .cbor item)` around already-encoded `item` bytes.
pub fn write_tag24(out: &mut Vec<u8>, item: &[u8]) {
    write_head(out, 6, 24);
    write_bytes(out, item);
}

/// Wraps already-encoded bytes as `#6.24(bstr)`.
pub fn tag24(item: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(item.len() + 8);
    write_tag24(&mut out, item);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(hex_str: &str) -> Result<Item<'static>, DecodeError> {
        let bytes: &'static [u8] = Box::leak(hex::decode(hex_str).unwrap().into_boxed_slice());
        decode(bytes, &Limits::default())
    }

    #[test]
    fn keeps_raw_bytes_of_non_minimal_items() {
        // {"a": 1} with a 2-byte map length (b9 0001) and a 1-byte-argument int.
        let item = dec("b9000161611801").unwrap();
        assert_eq!(item.raw, hex::decode("b9000161611801").unwrap());
        let (k, v) = &item.value.as_map().unwrap()[0];
        assert_eq!(k.raw, b"\x61a");
        assert_eq!(v.raw, &[0x18, 0x01]);
        assert_eq!(v.value.as_u64(), Some(1));
    }

    #[test]
    fn rejects_trailing_bytes() {
        assert_eq!(
            dec("0100").unwrap_err(),
            DecodeError::Malformed("trailing bytes after the CBOR item")
        );
    }

    #[test]
    fn rejects_duplicate_keys_semantically() {
        assert!(dec("a20102180103").is_err());
        assert!(dec("a2616101616102").is_err());
        assert!(dec("a2616101616202").is_ok());
    }

    #[test]
    fn rejects_duplicates_in_large_maps() {
        let mut s = String::from("b814");
        for i in 0..19u8 {
            s.push_str(&format!("18{:02x}00", i + 24));
        }
        s.push_str("181800"); // 24 again
        assert_eq!(dec(&s).unwrap_err(), DecodeError::Malformed("duplicate map key"));
    }

    /// Map of `n` keys `[[[…[i]…]]]` nested `depth` deep (all distinct), plus
    /// optionally a repeat of key 0 written with a non-minimal argument.
    fn deep_key_map(n: u32, depth: usize, repeat_first: bool) -> Vec<u8> {
        let mut v = Vec::new();
        write_head(&mut v, 5, u64::from(n) + u64::from(repeat_first));
        for i in 0..n {
            v.extend(std::iter::repeat_n(0x81, depth));
            v.push(0x1a);
            v.extend_from_slice(&i.to_be_bytes());
            v.push(0x00);
        }
        if repeat_first {
            v.extend(std::iter::repeat_n(0x81, depth));
            v.extend_from_slice(&[0x18, 0x00, 0x00]);
        }
        v
    }

    /// Regression (found by fuzzing): 9000 nested keys were compared
    /// pairwise (~4·10⁷ deep comparisons, 13 s in release for 234 KB). Sorting
    /// canonical encodings makes it linearithmic; duplicates are still found
    /// across encodings.
    #[test]
    fn large_maps_of_nested_keys_check_duplicates_without_quadratic_work() {
        let limits = Limits::default();
        let ok = deep_key_map(9000, 20, false);
        assert!(decode(&ok, &limits).is_ok());
        let dup = deep_key_map(9000, 20, true);
        assert_eq!(
            decode(&dup, &limits).unwrap_err(),
            DecodeError::Malformed("duplicate map key")
        );
    }

    #[test]
    fn canonical_key_equality_is_same_as() {
        // Non-minimal vs minimal, indefinite vs definite, half vs double float.
        for (a, b, same) in [
            ("1801", "01", true),
            ("9f01ff", "8101", true),
            ("f93c00", "fb3ff0000000000000", true),
            ("a16161f5", "bf6161f5ff", true),
            ("8101", "8102", false),
            ("f4", "f5", false),
            ("c101", "c201", false),
            ("40", "60", false),
        ] {
            let (a, b) = (dec(a).unwrap(), dec(b).unwrap());
            let (mut ca, mut cb) = (Vec::new(), Vec::new());
            canonical(&a.value, &mut ca);
            canonical(&b.value, &mut cb);
            assert_eq!(a.value.same_as(&b.value), same);
            assert_eq!(ca == cb, same);
        }
    }

    #[test]
    fn rejects_lengths_beyond_input() {
        assert_eq!(
            dec("5a ffffffff 00".replace(' ', "").as_str()).unwrap_err(),
            DecodeError::Limit("max_string_bytes")
        );
        assert_eq!(dec("5903e8 00".replace(' ', "").as_str()).unwrap_err(), EOF);
        assert_eq!(dec("9a 00002710 00".replace(' ', "").as_str()).unwrap_err(), EOF);
        assert_eq!(
            dec("9bffffffffffffffff").unwrap_err(),
            DecodeError::Limit("max_container_len")
        );
    }

    #[test]
    fn rejects_deep_nesting_without_stack_overflow() {
        let deep = "81".repeat(100_000) + "00";
        assert_eq!(dec(&deep).unwrap_err(), DecodeError::Limit("max_depth"));
        let tags = "c1".repeat(100_000) + "00";
        assert_eq!(dec(&tags).unwrap_err(), DecodeError::Limit("max_depth"));
    }

    #[test]
    fn rejects_indefinite_strings_and_reserved_info() {
        assert!(dec("5f41ff").is_err());
        assert!(dec("1c").is_err());
        assert!(dec("ff").is_err());
        assert!(dec("62c328").is_err()); // invalid UTF-8
    }

    #[test]
    fn decodes_indefinite_containers_and_floats() {
        let a = dec("9f0102ff").unwrap();
        assert_eq!(a.value.as_array().unwrap().len(), 2);
        let m = dec("bf6161f5ff").unwrap();
        assert!(matches!(m.get("a").unwrap().value, Value::Bool(true)));
        assert!(matches!(dec("f93c00").unwrap().value, Value::Float(f) if f == 1.0));
        assert!(matches!(dec("fa3fc00000").unwrap().value, Value::Float(f) if f == 1.5));
    }

    #[test]
    fn writer_is_minimal() {
        let mut v = Vec::new();
        write_head(&mut v, 2, 23);
        write_head(&mut v, 2, 24);
        write_head(&mut v, 2, 256);
        assert_eq!(v, hex::decode("57581859 0100".replace(' ', "")).unwrap());
    }
}
