//! SessionEstablishment and SessionData messages (ISO 18013-5 §9.1.1.4).

use crate::cbor::{self, Value};
use crate::error::{err, Error, ErrorCode};
use crate::limits::Limits;

/// Session status codes of SessionData (ISO 18013-5 §9.1.1.4, Table 20).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SessionStatus {
    /// 10: error, session encryption.
    EncryptionError,
    /// 11: error, CBOR decoding.
    DecodingError,
    /// 20: session termination.
    Termination,
}

impl SessionStatus {
    /// The status number on the wire.
    pub fn code(self) -> u64 {
        match self {
            SessionStatus::EncryptionError => 10,
            SessionStatus::DecodingError => 11,
            SessionStatus::Termination => 20,
        }
    }

    /// The status for a wire number.
    pub fn from_code(code: u64) -> Option<Self> {
        match code {
            10 => Some(SessionStatus::EncryptionError),
            11 => Some(SessionStatus::DecodingError),
            20 => Some(SessionStatus::Termination),
            _ => None,
        }
    }
}

fn proto(msg: impl Into<String>) -> Error {
    err(ErrorCode::SessionProtocolError, msg)
}

/// A received SessionEstablishment: `{"eReaderKey": EReaderKeyBytes, "data": bstr}`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionEstablishment {
    /// EReaderKeyBytes as received (`#6.24(bstr .cbor COSE_Key)`).
    pub e_reader_key_bytes: Vec<u8>,
    /// The encrypted DeviceRequest.
    pub data: Vec<u8>,
}

impl SessionEstablishment {
    /// Encodes `{"eReaderKey": …, "data": …}` (the order used by Annex D).
    pub fn encode(e_reader_key_bytes: &[u8], data: &[u8]) -> Vec<u8> {
        let mut out = Vec::with_capacity(e_reader_key_bytes.len() + data.len() + 24);
        cbor::write_head(&mut out, 5, 2);
        cbor::write_text(&mut out, "eReaderKey");
        out.extend_from_slice(e_reader_key_bytes);
        cbor::write_text(&mut out, "data");
        cbor::write_bytes(&mut out, data);
        out
    }

    /// Parses a SessionEstablishment (holder side).
    pub fn parse(bytes: &[u8]) -> Result<Self, Error> {
        let item = cbor::decode(bytes, &Limits::default())?;
        let key = item
            .get("eReaderKey")
            .filter(|k| k.tag24_bytes().is_some())
            .ok_or_else(|| proto("SessionEstablishment: eReaderKey missing or not #6.24(bstr)"))?;
        let data = item
            .get("data")
            .and_then(|d| d.value.as_bytes())
            .ok_or_else(|| proto("SessionEstablishment: data missing or not a byte string"))?;
        Ok(SessionEstablishment {
            e_reader_key_bytes: key.raw.to_vec(),
            data: data.to_vec(),
        })
    }
}

/// A SessionData message: `{? "data": bstr, ? "status": uint}`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionData {
    /// The encrypted payload, if any.
    pub data: Option<Vec<u8>>,
    /// The status, if any (raw number; see [`SessionStatus`]).
    pub status: Option<u64>,
}

impl SessionData {
    /// Encodes a SessionData message (data first, then status).
    pub fn encode(data: Option<&[u8]>, status: Option<SessionStatus>) -> Vec<u8> {
        let n = u64::from(data.is_some()) + u64::from(status.is_some());
        let mut out = Vec::with_capacity(data.map_or(0, <[u8]>::len) + 16);
        cbor::write_head(&mut out, 5, n);
        if let Some(d) = data {
            cbor::write_text(&mut out, "data");
            cbor::write_bytes(&mut out, d);
        }
        if let Some(s) = status {
            cbor::write_text(&mut out, "status");
            cbor::write_head(&mut out, 0, s.code());
        }
        out
    }

    /// Parses a SessionData message; at least one of data/status must be
    /// present and no other key is allowed.
    pub fn parse(bytes: &[u8]) -> Result<Self, Error> {
        let item = cbor::decode(bytes, &Limits::default())?;
        let map = item.value.as_map().ok_or_else(|| proto("SessionData is not a map"))?;
        let mut out = SessionData {
            data: None,
            status: None,
        };
        for (k, v) in map {
            match (k.value.as_text(), &v.value) {
                (Some("data"), Value::Bytes(b)) => out.data = Some(b.to_vec()),
                (Some("status"), Value::Unsigned(s)) => out.status = Some(*s),
                (Some("data" | "status"), _) => return Err(proto("SessionData: data/status of the wrong type")),
                _ => return Err(proto("SessionData: unexpected key")),
            }
        }
        if out.data.is_none() && out.status.is_none() {
            return Err(proto("SessionData carries neither data nor status"));
        }
        Ok(out)
    }
}
