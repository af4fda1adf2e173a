//! Typed element values (ISO 18013-5 §7.2) and their JSON form.
//!
//! Verified elements are copied out of the received CBOR into this owned
//! model. Values are wiped from memory when dropped ([`ElementValue::zeroize`]
//! is called by the verified document's `Drop`).

use crate::cbor::{Item, Value};
use zeroize::Zeroize;

/// A verified element value.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum ElementValue {
    /// A text string (kept exactly as received: no normalisation).
    Text(String),
    /// An integer (CBOR integers span −2⁶⁴ … 2⁶⁴−1).
    Integer(i128),
    /// A boolean.
    Bool(bool),
    /// A byte string (for example a portrait).
    Bytes(Vec<u8>),
    /// `full-date` (CBOR tag 1004, RFC 8943), `YYYY-MM-DD`.
    FullDate(String),
    /// `tdate` (CBOR tag 0), an RFC 3339 date-time.
    DateTime(String),
    /// An array.
    Array(Vec<ElementValue>),
    /// A map, entries in received order.
    Map(Vec<(ElementValue, ElementValue)>),
    /// `null`.
    Null,
    /// `undefined`.
    Undefined,
    /// A floating-point number.
    Float(f64),
    /// Any other tagged value.
    Tagged(u64, Box<ElementValue>),
    /// Another CBOR simple value.
    Simple(u8),
}

impl ElementValue {
    /// Converts a decoded CBOR item (depth is already bounded by the decoder).
    pub(crate) fn from_cbor(item: &Item<'_>) -> ElementValue {
        match &item.value {
            Value::Unsigned(n) => ElementValue::Integer(i128::from(*n)),
            Value::Negative(n) => ElementValue::Integer(-1 - i128::from(*n)),
            Value::Bytes(b) => ElementValue::Bytes(b.to_vec()),
            Value::Text(t) => ElementValue::Text((*t).to_owned()),
            Value::Array(a) => ElementValue::Array(a.iter().map(ElementValue::from_cbor).collect()),
            Value::Map(m) => ElementValue::Map(
                m.iter()
                    .map(|(k, v)| (ElementValue::from_cbor(k), ElementValue::from_cbor(v)))
                    .collect(),
            ),
            Value::Tag(1004, inner) if inner.value.as_text().is_some() => {
                ElementValue::FullDate(inner.value.as_text().unwrap_or_default().to_owned())
            }
            Value::Tag(0, inner) if inner.value.as_text().is_some() => {
                ElementValue::DateTime(inner.value.as_text().unwrap_or_default().to_owned())
            }
            Value::Tag(t, inner) => ElementValue::Tagged(*t, Box::new(ElementValue::from_cbor(inner))),
            Value::Bool(b) => ElementValue::Bool(*b),
            Value::Null => ElementValue::Null,
            Value::Undefined => ElementValue::Undefined,
            Value::Float(f) => ElementValue::Float(*f),
            Value::Simple(s) => ElementValue::Simple(*s),
        }
    }

    /// The text, if this is a text string.
    pub fn as_text(&self) -> Option<&str> {
        match self {
            ElementValue::Text(t) => Some(t),
            _ => None,
        }
    }

    /// The bytes, if this is a byte string.
    pub fn as_bytes(&self) -> Option<&[u8]> {
        match self {
            ElementValue::Bytes(b) => Some(b),
            _ => None,
        }
    }

    /// The boolean, if this is a bool.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            ElementValue::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The integer, if this is an integer that fits `i64`.
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            ElementValue::Integer(i) => i64::try_from(*i).ok(),
            _ => None,
        }
    }

    /// The date text of a `full-date` (tag 1004) or `tdate` (tag 0).
    pub fn as_date_text(&self) -> Option<&str> {
        match self {
            ElementValue::FullDate(s) | ElementValue::DateTime(s) => Some(s),
            _ => None,
        }
    }

    /// A short name for the kind of value (used in the C ABI and messages).
    pub fn type_name(&self) -> &'static str {
        match self {
            ElementValue::Text(_) => "text",
            ElementValue::Integer(_) => "integer",
            ElementValue::Bool(_) => "bool",
            ElementValue::Bytes(_) => "bytes",
            ElementValue::FullDate(_) => "full-date",
            ElementValue::DateTime(_) => "tdate",
            ElementValue::Array(_) => "array",
            ElementValue::Map(_) => "map",
            ElementValue::Null => "null",
            ElementValue::Undefined => "undefined",
            ElementValue::Float(_) => "float",
            ElementValue::Tagged(..) => "tagged",
            ElementValue::Simple(_) => "simple",
        }
    }

    /// Overwrites every string and byte buffer in place.
    pub fn zeroize(&mut self) {
        match self {
            ElementValue::Text(s) | ElementValue::FullDate(s) | ElementValue::DateTime(s) => s.zeroize(),
            ElementValue::Bytes(b) => b.zeroize(),
            ElementValue::Array(a) => a.iter_mut().for_each(ElementValue::zeroize),
            ElementValue::Map(m) => m.iter_mut().for_each(|(k, v)| {
                k.zeroize();
                v.zeroize();
            }),
            ElementValue::Tagged(_, inner) => inner.zeroize(),
            ElementValue::Integer(i) => *i = 0,
            ElementValue::Bool(b) => *b = false,
            ElementValue::Float(f) => *f = 0.0,
            ElementValue::Null | ElementValue::Undefined | ElementValue::Simple(_) => {}
        }
    }

    /// The JSON form (see the `verify` contract): text → string, integers →
    /// number, bool, null, full-date/tdate → string, bytes →
    /// `{"$bytes":"<base64>"}`, arrays/maps → arrays/objects.
    pub fn to_json(&self) -> String {
        let mut out = crate::json::JsonBuf::with_capacity(32);
        crate::json::write_value(self, &mut out);
        out.into_string()
    }
}
