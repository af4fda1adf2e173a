//! The SessionTranscript (ISO 18013-5 §9.1.5.1): its parsing, kept exactly
//! as received, and the handover variants it can carry. Device
//! authentication (§9.1.3) and session encryption (§9.1.1) both read it.

use crate::cbor::{self, Value};
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

/// How the engagement reached the reader: the third SessionTranscript
/// element (ISO 18013-5 §9.1.5.1).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Handover {
    /// QR code engagement: `null`.
    Qr,
    /// NFC handover: `[HandoverSelect, HandoverRequest or null]`, both the
    /// NDEF messages as received/sent (static handover has no request).
    Nfc {
        /// The Handover Select message.
        select: Vec<u8>,
        /// The Handover Request message (negotiated handover only).
        request: Option<Vec<u8>>,
    },
}

impl Handover {
    /// The encoded Handover item.
    pub fn to_cbor(&self) -> Vec<u8> {
        match self {
            Handover::Qr => vec![0xf6],
            Handover::Nfc { select, request } => {
                let mut out = Vec::with_capacity(select.len() + request.as_ref().map_or(1, Vec::len) + 12);
                cbor::write_head(&mut out, 4, 2);
                cbor::write_bytes(&mut out, select);
                match request {
                    Some(r) => cbor::write_bytes(&mut out, r),
                    None => out.push(0xf6),
                }
                out
            }
        }
    }
}
