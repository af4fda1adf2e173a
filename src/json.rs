//! The one JSON writer (RFC 8259 §7 strings; writing only, no parsing): string
//! literals and element values, shared by the verification report, the audit
//! record and [`ElementValue::to_json`], so they never disagree on a form.

use crate::value::ElementValue;
use core::fmt::Write as _;
use zeroize::{Zeroize, Zeroizing};

/// The output of the JSON writer: a `String` that leaves no copy of its
/// contents behind when it grows. Reports carry personal data (element
/// values, the portrait), and a plain `String` frees its old buffer unwiped
/// on every reallocation; this one copies into the larger buffer and wipes
/// the old one, and wipes itself when dropped unfinished.
pub(crate) struct JsonBuf(String);

impl JsonBuf {
    /// An empty buffer with room for `capacity` bytes.
    pub(crate) fn with_capacity(capacity: usize) -> Self {
        JsonBuf(String::with_capacity(capacity))
    }

    /// Makes room for `additional` more bytes without a reallocation that
    /// would leave the current contents behind.
    fn reserve(&mut self, additional: usize) {
        let needed = self.0.len().saturating_add(additional);
        if needed <= self.0.capacity() {
            return;
        }
        let mut larger = String::with_capacity(needed.max(self.0.capacity().saturating_mul(2)));
        larger.push_str(&self.0);
        self.0.zeroize();
        self.0 = larger;
    }

    /// Appends one character.
    pub(crate) fn push(&mut self, c: char) {
        self.reserve(c.len_utf8());
        self.0.push(c);
    }

    /// Appends `s`.
    pub(crate) fn push_str(&mut self, s: &str) {
        self.reserve(s.len());
        self.0.push_str(s);
    }

    /// Appends `bytes` in standard base64 with padding (RFC 4648 §4), written
    /// straight into the buffer (a portrait never sits in a temporary).
    pub(crate) fn push_base64(&mut self, bytes: &[u8]) {
        self.reserve(base64::encoded_len(bytes.len(), true).unwrap_or(usize::MAX));
        base64::Engine::encode_string(&base64::engine::general_purpose::STANDARD, bytes, &mut self.0);
    }

    /// The finished JSON; from here on the caller owns (and wipes) it.
    pub(crate) fn into_string(mut self) -> String {
        core::mem::take(&mut self.0)
    }
}

impl core::fmt::Write for JsonBuf {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        self.push_str(s);
        Ok(())
    }
}

impl Drop for JsonBuf {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

/// Writes `s` as a JSON string literal.
pub(crate) fn write_str(out: &mut JsonBuf, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// An element value as JSON (the form of [`ElementValue::to_json`]).
pub(crate) fn write_value(value: &ElementValue, out: &mut JsonBuf) {
    match value {
        ElementValue::Text(s) | ElementValue::FullDate(s) | ElementValue::DateTime(s) => write_str(out, s),
        ElementValue::Integer(i) => {
            let _ = write!(out, "{i}");
        }
        ElementValue::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        ElementValue::Bytes(b) => {
            out.push_str("{\"$bytes\":\"");
            out.push_base64(b);
            out.push_str("\"}");
        }
        ElementValue::Array(a) => {
            out.push('[');
            for (i, v) in a.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_value(v, out);
            }
            out.push(']');
        }
        ElementValue::Map(m) => {
            out.push('{');
            for (i, (k, v)) in m.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                match k {
                    ElementValue::Text(s) => write_str(out, s),
                    other => write_str(out, &Zeroizing::new(other.to_json())),
                }
                out.push(':');
                write_value(v, out);
            }
            out.push('}');
        }
        ElementValue::Null | ElementValue::Undefined => out.push_str("null"),
        ElementValue::Float(f) => {
            if f.is_finite() {
                let _ = write!(out, "{f:?}");
            } else {
                out.push_str("null");
            }
        }
        ElementValue::Tagged(_, inner) => write_value(inner, out),
        ElementValue::Simple(s) => {
            let _ = write!(out, "{s}");
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn escapes() {
        let mut s = super::JsonBuf::with_capacity(0);
        super::write_str(&mut s, "a\"\\\n\u{1}氏名");
        assert_eq!(s.into_string(), "\"a\\\"\\\\\\n\\u0001氏名\"");
    }

    #[test]
    fn grows_without_changing_what_is_written() {
        use crate::value::ElementValue;
        let portrait = ElementValue::Bytes((0..=255u8).cycle().take(10_000).collect());
        let value = ElementValue::Array(vec![
            ElementValue::Text("氏名".into()),
            ElementValue::Integer(-7),
            portrait,
        ]);
        // Start from no room at all, so every write goes through a growth.
        let mut out = super::JsonBuf::with_capacity(0);
        super::write_value(&value, &mut out);
        let json = out.into_string();
        let parsed: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(parsed[0], "氏名");
        assert_eq!(parsed[1], -7);
        let b64 = parsed[2]["$bytes"].as_str().unwrap();
        let back = base64::Engine::decode(&base64::engine::general_purpose::STANDARD, b64).unwrap();
        assert_eq!(back.len(), 10_000);
        assert_eq!(back[..256], (0..=255u8).collect::<Vec<_>>()[..]);
    }
}
