//! SessionTranscript construction for proximity sessions (ISO 18013-5
//! §9.1.5.1; the type and its handovers live in `crate::presentation::transcript`):
//! `[DeviceEngagementBytes, EReaderKeyBytes, Handover]`, built from the
//! bytes as received so that device authentication and the session keys use
//! exactly what the holder used.

use crate::cbor;
use crate::crypto::PublicKey;
use crate::error::Error;
use crate::presentation::session::engagement::DeviceEngagement;
use crate::presentation::transcript::{Handover, SessionTranscript};

/// EReaderKeyBytes: `#6.24(bstr .cbor COSE_Key)` with kty EC2, crv, x, y in
/// that order (RFC 9053 §7.1.1; the deterministic order of RFC 8949 §4.2.1
/// for these labels).
pub(crate) fn e_reader_key_bytes(key: &PublicKey) -> Vec<u8> {
    let point = key.to_bytes();
    let n = key.curve().field_bytes();
    let x = point.get(1..1 + n).unwrap_or_default();
    let y = point.get(1 + n..).unwrap_or_default();
    let mut cose = Vec::with_capacity(16 + 2 * n);
    cbor::write_head(&mut cose, 5, 4);
    cose.push(0x01); // kty
    cose.push(0x02); // EC2
    cose.push(0x20); // crv (-1)
    cbor::write_head(&mut cose, 0, key.curve().cose_id().unsigned_abs());
    cose.push(0x21); // x (-2)
    cbor::write_bytes(&mut cose, x);
    cose.push(0x22); // y (-3)
    cbor::write_bytes(&mut cose, y);
    cbor::tag24(&cose)
}

/// Builds the SessionTranscript from the engagement as received, the
/// reader's EReaderKeyBytes and the handover (ISO 18013-5 §9.1.5.1).
pub fn build_session_transcript(
    engagement: &DeviceEngagement,
    e_reader_key_bytes: &[u8],
    handover: &Handover,
) -> Result<SessionTranscript, Error> {
    let handover = handover.to_cbor();
    let mut array = Vec::with_capacity(engagement.raw().len() + e_reader_key_bytes.len() + handover.len() + 16);
    cbor::write_head(&mut array, 4, 3);
    cbor::write_tag24(&mut array, engagement.raw());
    array.extend_from_slice(e_reader_key_bytes);
    array.extend_from_slice(&handover);
    SessionTranscript::from_bytes(&array)
}
