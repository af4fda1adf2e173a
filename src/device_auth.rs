//! Inputs of mdoc authentication (ISO 18013-5 §9.1.3): the SessionTranscript
//! as received and the reader's ephemeral private key for `deviceMac`.

use crate::cbor::{self, Value};
use crate::cose;
use crate::crypto::{Curve, PrivateKey};
use crate::error::{err, Error, ErrorCode};
use crate::limits::Limits;

/// A SessionTranscript (ISO 18013-5 §9.1.5.1), kept exactly as received.
///
/// Device authentication embeds the transcript array in
/// DeviceAuthentication and salts EMacKey with
/// SHA-256(SessionTranscriptBytes); both use these bytes, never a re-encoding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionTranscript {
    /// The encoded SessionTranscript array.
    array: Vec<u8>,
    /// SessionTranscriptBytes: `#6.24(bstr .cbor SessionTranscript)`.
    tagged: Vec<u8>,
}

impl SessionTranscript {
    /// Accepts the encoded SessionTranscript array, or SessionTranscriptBytes
    /// (the tag-24 wrapped form).
    pub fn from_bytes(data: &[u8]) -> Result<Self, Error> {
        let limits = Limits::default();
        let item = cbor::decode(data, &limits)?;
        match &item.value {
            Value::Array(_) => Ok(SessionTranscript {
                array: data.to_vec(),
                tagged: cbor::tag24(data),
            }),
            Value::Tag(24, inner) => {
                let inner_bytes = inner.value.as_bytes().ok_or_else(|| {
                    err(
                        ErrorCode::StructureInvalid,
                        "SessionTranscriptBytes: tag 24 without a byte string",
                    )
                })?;
                let arr = cbor::decode(inner_bytes, &limits)?;
                if arr.value.as_array().is_none() {
                    return Err(err(ErrorCode::StructureInvalid, "SessionTranscript is not an array"));
                }
                Ok(SessionTranscript {
                    array: inner_bytes.to_vec(),
                    tagged: data.to_vec(),
                })
            }
            _ => Err(err(ErrorCode::StructureInvalid, "SessionTranscript is not an array")),
        }
    }

    /// From an encoded array that kakunin built itself (online handovers).
    pub(crate) fn from_built_array(array: Vec<u8>) -> Self {
        let tagged = cbor::tag24(&array);
        SessionTranscript { array, tagged }
    }

    /// A transcript kakunin encoded itself (an online-presentation handover),
    /// so it needs no decoding.
    pub(crate) fn from_encoded_array(array: Vec<u8>) -> Self {
        SessionTranscript {
            tagged: cbor::tag24(&array),
            array,
        }
    }

    /// The encoded SessionTranscript array.
    pub fn as_array_bytes(&self) -> &[u8] {
        &self.array
    }

    /// SessionTranscriptBytes (`#6.24(bstr)` around the array).
    pub fn as_tagged_bytes(&self) -> &[u8] {
        &self.tagged
    }
}

/// The reader's ephemeral private key (EReaderKey.Priv), needed to verify a
/// `deviceMac`. Zeroized on drop.
#[derive(Clone, Debug)]
pub struct ReaderKey {
    pub(crate) key: PrivateKey,
}

impl ReaderKey {
    /// From a big-endian private scalar on `curve` (P-256, P-384 or P-521).
    pub fn from_scalar(curve: Curve, d: &[u8]) -> Result<Self, Error> {
        PrivateKey::from_scalar(curve, d)
            .map(|key| ReaderKey { key })
            .ok_or_else(|| err(ErrorCode::StructureInvalid, "reader key: invalid private scalar"))
    }

    /// From PKCS#8 or SEC1, PEM or DER, or a COSE_Key with `d`.
    pub fn from_bytes(data: &[u8]) -> Result<Self, Error> {
        if let Ok(text) = core::str::from_utf8(data) {
            if text.contains("-----BEGIN") {
                return Self::from_pem(text);
            }
        }
        if let Some(key) = PrivateKey::from_der(data) {
            return Ok(ReaderKey { key });
        }
        Self::from_cose_key(data)
    }

    fn from_pem(text: &str) -> Result<Self, Error> {
        let bad = || err(ErrorCode::StructureInvalid, "reader key: unreadable PEM");
        let start = text.find("-----BEGIN").ok_or_else(bad)?;
        let body_start = text
            .get(start..)
            .and_then(|t| t.find('\n'))
            .map(|i| start + i + 1)
            .ok_or_else(bad)?;
        let end = text
            .get(body_start..)
            .and_then(|t| t.find("-----END"))
            .map(|i| body_start + i)
            .ok_or_else(bad)?;
        let body: String = text
            .get(body_start..end)
            .unwrap_or("")
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        let der = zeroize::Zeroizing::new(
            base64::Engine::decode(&base64::engine::general_purpose::STANDARD, body.as_bytes()).map_err(|_| bad())?,
        );
        PrivateKey::from_der(&der).map(|key| ReaderKey { key }).ok_or_else(bad)
    }

    /// From a COSE_Key (EC2) carrying the private `d` (RFC 9053 §7.1.1).
    pub fn from_cose_key(data: &[u8]) -> Result<Self, Error> {
        let bad = |m: &str| err(ErrorCode::StructureInvalid, format!("reader key: {m}"));
        let item = cbor::decode(data, &Limits::default())?;
        let item = match item.tag24_bytes() {
            Some(inner) => cbor::decode(inner, &Limits::default())?,
            None => item,
        };
        let crv = item
            .get_int(-1)
            .and_then(|v| v.value.as_i64())
            .ok_or_else(|| bad("COSE_Key crv missing"))?;
        let curve = Curve::from_cose(crv).ok_or_else(|| bad("unsupported curve"))?;
        let d = item
            .get_int(-4)
            .and_then(|v| v.value.as_bytes())
            .ok_or_else(|| bad("COSE_Key d missing"))?;
        let key = Self::from_scalar(curve, d)?;
        if item.get_int(-2).is_some() {
            let public = cose::public_key_from_cose(&item)?;
            if public != key.key.public_key() {
                return Err(bad("COSE_Key x/y do not match d"));
            }
        }
        Ok(key)
    }

    /// The curve of the key.
    pub fn curve(&self) -> Curve {
        self.key.curve()
    }
}
