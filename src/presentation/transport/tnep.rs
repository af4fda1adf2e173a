//! Records of the NFC Forum Tag NDEF Exchange Protocol (TNEP 1.0), which
//! ISO 18013-5 §8.2.2.1 uses for negotiated handover: the mdoc, acting as a
//! Type 4 Tag, offers the `urn:nfc:sn:handover` service in a Service
//! Parameter record; the reader selects it with a Service Select record and
//! the tag confirms with a TNEP Status record, after which the NDEF file
//! carries the Handover Request and the Handover Select.
//!
//! All three are NFC Forum well-known types (TNF 1): `Tp`, `Ts`, `Te`.

use crate::error::{err, Error, ErrorCode};
use crate::presentation::transport::ndef::{encode_message, up_to_255, NdefRecord, Tnf};
use core::time::Duration;

/// The connection handover service name (NFC Forum Connection Handover 1.5;
/// ISO 18013-5 §8.2.2.1).
pub const HANDOVER_SERVICE: &str = "urn:nfc:sn:handover";
/// Record type of the Service Parameter record.
pub const SERVICE_PARAMETER_TYPE: &[u8] = b"Tp";
/// Record type of the Service Select record.
pub const SERVICE_SELECT_TYPE: &[u8] = b"Ts";
/// Record type of the TNEP Status record.
pub const STATUS_TYPE: &[u8] = b"Te";
/// TNEP version 1.0 (major in the high nibble).
pub const TNEP_VERSION: u8 = 0x10;

fn bad(msg: impl Into<String>) -> Error {
    err(ErrorCode::TransportError, format!("TNEP: {}", msg.into()))
}

/// A Service Parameter record (TNEP 1.0 §4.1): one service the tag device
/// offers, and how long the reader waits for its answers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServiceParameter {
    /// TNEP version (major.minor nibbles).
    pub version: u8,
    /// The service name URI.
    pub service: String,
    /// Communication mode (0x00: single response).
    pub communication_mode: u8,
    /// WT_INT, the minimum waiting time exponent (6 bits):
    /// t_wait = 2^(WT_INT/4 − 1) ms.
    pub wt_int: u8,
    /// N_wait, the most waiting-time extensions the reader grants (0–15).
    pub n_wait: u8,
    /// The largest NDEF message the tag device accepts, in bytes.
    pub max_message_size: u16,
}

impl ServiceParameter {
    /// Parses a `Tp` payload: version, URI length, URI, communication mode,
    /// WT_INT, N_wait, maximum NDEF message size (2 bytes, big-endian).
    pub fn parse(payload: &[u8]) -> Result<Self, Error> {
        let [version, uri_len, rest @ ..] = payload else {
            return Err(bad("Service Parameter record shorter than 2 bytes"));
        };
        let (uri, tail) = rest
            .split_at_checked(usize::from(*uri_len))
            .ok_or_else(|| bad("Service Parameter URI truncated"))?;
        let &[communication_mode, wt_int, n_wait, s0, s1] = tail else {
            return Err(bad("Service Parameter record has the wrong length"));
        };
        if version >> 4 != 1 {
            return Err(err(
                ErrorCode::UnsupportedVersion,
                format!("TNEP version {version:#04x}"),
            ));
        }
        let service = core::str::from_utf8(uri)
            .map_err(|_| bad("service name URI is not UTF-8"))?
            .to_owned();
        Ok(ServiceParameter {
            version: *version,
            service,
            communication_mode,
            wt_int: wt_int & 0x3F,
            n_wait: n_wait & 0x0F,
            max_message_size: u16::from_be_bytes([s0, s1]),
        })
    }

    /// Encodes the payload (the service name is cut at 255 bytes).
    pub fn encode(&self) -> Vec<u8> {
        let (uri, uri_len) = up_to_255(self.service.as_bytes());
        let mut out = vec![self.version, uri_len];
        out.extend_from_slice(uri);
        out.extend_from_slice(&[self.communication_mode, self.wt_int & 0x3F, self.n_wait & 0x0F]);
        out.extend_from_slice(&self.max_message_size.to_be_bytes());
        out
    }

    /// The minimum waiting time t_wait = 2^(WT_INT/4 − 1) ms (TNEP 1.0
    /// §4.1.6): from 0.5 ms (WT_INT 0) to about 27.5 s (WT_INT 63).
    pub fn wait_time(&self) -> Duration {
        let exp = f64::from(self.wt_int & 0x3F) / 4.0 - 1.0;
        let micros = 1000.0 * exp.exp2();
        // A whole number of microseconds, 500 to about 27.6 million: float to
        // integer has no `From`, and the value always fits.
        #[allow(clippy::as_conversions)]
        let micros = micros.round() as u64;
        Duration::from_micros(micros)
    }
}

/// The Service Select message (TNEP 1.0 §4.2) the reader writes to select
/// `service`: one `Ts` record, URI length then URI.
pub fn service_select_message(service: &str) -> Vec<u8> {
    let (uri, uri_len) = up_to_255(service.as_bytes());
    let mut payload = vec![uri_len];
    payload.extend_from_slice(uri);
    encode_message(&[NdefRecord {
        tnf: Tnf::WellKnown,
        record_type: SERVICE_SELECT_TYPE,
        id: b"",
        payload: &payload,
    }])
}

/// The service name a Service Select record's payload names.
pub fn parse_service_select(payload: &[u8]) -> Result<&str, Error> {
    let (&n, uri) = payload
        .split_first()
        .ok_or_else(|| bad("empty Service Select record"))?;
    if uri.len() != usize::from(n) {
        return Err(bad("Service Select URI length mismatch"));
    }
    core::str::from_utf8(uri).map_err(|_| bad("Service Select URI is not UTF-8"))
}

/// The TNEP Status message (TNEP 1.0 §4.3): one `Te` record carrying the
/// status byte (0x00 success, 0x01 protocol error, 0x80–0xFE service
/// specific errors).
pub fn status_message(status: u8) -> Vec<u8> {
    encode_message(&[NdefRecord {
        tnf: Tnf::WellKnown,
        record_type: STATUS_TYPE,
        id: b"",
        payload: &[status],
    }])
}

/// The status byte of a `Te` record payload.
pub fn parse_status(payload: &[u8]) -> Result<u8, Error> {
    match payload {
        [s] => Ok(*s),
        _ => Err(bad("TNEP Status record is not one byte")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::presentation::transport::ndef::parse_message;

    #[test]
    fn service_parameter_round_trip_and_wait_time() {
        let sp = ServiceParameter {
            version: TNEP_VERSION,
            service: HANDOVER_SERVICE.into(),
            communication_mode: 0,
            wt_int: 8,
            n_wait: 2,
            max_message_size: 0x0400,
        };
        assert_eq!(ServiceParameter::parse(&sp.encode()).unwrap(), sp);
        assert_eq!(sp.wait_time(), Duration::from_millis(2));
        let at = |wt| {
            ServiceParameter {
                wt_int: wt,
                ..sp.clone()
            }
            .wait_time()
        };
        assert_eq!(at(0), Duration::from_micros(500));
        assert_eq!(at(4), Duration::from_millis(1));
        assert!(at(63) > Duration::from_secs(27) && at(63) < Duration::from_secs(28));
        let enc = sp.encode();
        for cut in 0..enc.len() {
            assert!(ServiceParameter::parse(&enc[..cut]).is_err(), "cut {cut}");
        }
        let mut v2 = enc.clone();
        v2[0] = 0x20;
        assert_eq!(
            ServiceParameter::parse(&v2).unwrap_err().code(),
            ErrorCode::UnsupportedVersion
        );
    }

    #[test]
    fn select_and_status_messages() {
        let m = service_select_message(HANDOVER_SERVICE);
        let r = parse_message(&m).unwrap();
        assert_eq!(r[0].record_type, SERVICE_SELECT_TYPE);
        assert_eq!(parse_service_select(r[0].payload).unwrap(), HANDOVER_SERVICE);
        assert!(parse_service_select(&[5, b'a']).is_err());
        let s = status_message(0);
        let r = parse_message(&s).unwrap();
        assert_eq!(parse_status(r[0].payload).unwrap(), 0);
        assert!(parse_status(&[]).is_err());
    }
}
