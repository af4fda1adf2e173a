//! The SessionTranscript (ISO 18013-5 §9.1.5.1) as a C handle, parsed once
//! and kept exactly as received: device authentication (§9.1.3) signs or
//! MACs over it when a DeviceResponse is verified outside a reader session.

use super::kakunin_status;
use super::{boundary, free_handle, into_handle, need, ok, out_ok, try_slice};
use crate::presentation::transcript::SessionTranscript;

/// A SessionTranscript (ISO 18013-5 §9.1.5.1), kept as received. Immutable and
/// thread-safe. Free with `kakunin_session_transcript_free`.
pub struct kakunin_session_transcript {
    pub(super) inner: SessionTranscript,
}

/// Parses SessionTranscript bytes (the CBOR array, or the tag-24
/// SessionTranscriptBytes) as received. On error the status names the code
/// (e.g. `KAKUNIN_CBOR_MALFORMED`).
#[no_mangle]
pub extern "C" fn kakunin_session_transcript_new(
    data: *const u8,
    len: usize,
    out: *mut *mut kakunin_session_transcript,
) -> kakunin_status {
    boundary! {
        let data = need!(try_slice(data, len));
        let out = need!(out_ok(out));
        let inner = ok!(SessionTranscript::from_bytes(data));
        into_handle(kakunin_session_transcript { inner }, out)
    }
}

/// Frees a session transcript. NULL is a no-op.
#[no_mangle]
pub extern "C" fn kakunin_session_transcript_free(transcript: *mut kakunin_session_transcript) {
    boundary! { free_handle(transcript) }
}
