//! Verification bound to the request it answers (ISO 18013-5 §8.3.2.1.2):
//! documents of a docType not requested are rejected
//! (`KAKUNIN_DOCUMENT_NOT_REQUESTED` in their errors, code 38) and elements
//! not requested are not returned. See `kakunin::request` in the Rust API.

use super::kakunin_status;
use super::reader_key::kakunin_reader_key;
use super::transcript::kakunin_session_transcript;
use super::verification::kakunin_verification;
use super::verifier::kakunin_verifier;
use super::{boundary, into_handle, need, ok, out_ok, try_ref, try_slice};
use crate::presentation::request::Request;
use crate::verifier::DeviceAuthInput;
use crate::UnixTime;

/// As `kakunin_verifier_verify_device_response`, bound to `device_request`:
/// the encoded DeviceRequest exactly as sent (e.g. from
/// `kakunin_device_request_builder_build`). A document whose docType the
/// request does not ask for is rejected with `document_not_requested`;
/// elements the request does not ask for are verified (digests), then
/// dropped: they are not among the document's elements. A DeviceRequest
/// that cannot be read returns its error status (e.g.
/// `KAKUNIN_STRUCTURE_INVALID`) and no result.
#[no_mangle]
pub extern "C" fn kakunin_verifier_verify_device_response_for_request(
    verifier: *const kakunin_verifier,
    device_response: *const u8,
    device_response_len: usize,
    device_request: *const u8,
    device_request_len: usize,
    transcript: *const kakunin_session_transcript,
    reader_key: *const kakunin_reader_key,
    now_unix_secs: i64,
    out: *mut *mut kakunin_verification,
) -> kakunin_status {
    boundary! {
        let verifier = need!(try_ref(verifier));
        let bytes = need!(try_slice(device_response, device_response_len));
        let request_bytes = need!(try_slice(device_request, device_request_len));
        let out = need!(out_ok(out));
        let request = ok!(Request::from_device_request(request_bytes));
        let auth = DeviceAuthInput {
            session_transcript: try_ref(transcript).map(|t| &t.inner),
            reader_key: try_ref(reader_key).map(|k| &k.inner),
        };
        let v = verifier
            .inner
            .verify_device_response_for(&request, bytes, auth, UnixTime::from_secs(now_unix_secs));
        into_handle(kakunin_verification::new(v), out)
    }
}
