//! The verify calls of `kakunin_verifier`: a whole DeviceResponse (ISO
//! 18013-5 §8.3.2.1.2.2) with issuer data authentication (§9.1.2) and mdoc
//! authentication (§9.1.3) of every document, or the issuer side only of a
//! DeviceResponse, a Document or an IssuerSigned. Each call returns a
//! `kakunin_verification` whether or not the input is valid.

use core::ffi::c_char;

use super::kakunin_status;
use super::reader_key::kakunin_reader_key;
use super::transcript::kakunin_session_transcript;
use super::verification::kakunin_verification;
use super::verifier::kakunin_verifier;
use super::{boundary, into_handle, need, out_ok, try_ref, try_slice, try_str};
use crate::verifier::{DeviceAuthInput, Verification};
use crate::UnixTime;

/// Verifies a DeviceResponse (ISO 18013-5 §8.3.2.1.2.2) completely at
/// `now_unix_secs`: issuer data authentication and device authentication of
/// every document. `transcript` and `reader_key` may be NULL (device
/// authentication then fails with `session_transcript_missing` /
/// `reader_key_missing`). Returns `KAKUNIN_OK` with a result handle whether
/// or not the response is valid: ask `kakunin_verification_is_valid`.
#[no_mangle]
pub extern "C" fn kakunin_verifier_verify_device_response(
    verifier: *const kakunin_verifier,
    device_response: *const u8,
    device_response_len: usize,
    transcript: *const kakunin_session_transcript,
    reader_key: *const kakunin_reader_key,
    now_unix_secs: i64,
    out: *mut *mut kakunin_verification,
) -> kakunin_status {
    boundary! {
        let verifier = need!(try_ref(verifier));
        let bytes = need!(try_slice(device_response, device_response_len));
        let out = need!(out_ok(out));
        let auth = DeviceAuthInput {
            session_transcript: try_ref(transcript).map(|t| &t.inner),
            reader_key: try_ref(reader_key).map(|k| &k.inner),
        };
        let v = verifier.inner.verify_device_response(bytes, auth, UnixTime::from_secs(now_unix_secs));
        into_handle(kakunin_verification::new(v), out)
    }
}

/// Verifies only the issuer side (issuerAuth, chain, MSO, digests) of every
/// document of a DeviceResponse; documents report `KAKUNIN_DEVICE_AUTH_NONE`.
#[no_mangle]
pub extern "C" fn kakunin_verifier_verify_device_response_issuer_only(
    verifier: *const kakunin_verifier,
    device_response: *const u8,
    device_response_len: usize,
    now_unix_secs: i64,
    out: *mut *mut kakunin_verification,
) -> kakunin_status {
    boundary! {
        let verifier = need!(try_ref(verifier));
        let bytes = need!(try_slice(device_response, device_response_len));
        let out = need!(out_ok(out));
        let v = verifier.inner.verify_device_response_issuer_only(bytes, UnixTime::from_secs(now_unix_secs));
        into_handle(kakunin_verification::new(v), out)
    }
}

/// Verifies an IssuerSigned structure (no device part); the result holds one
/// document. `doc_type` (NUL-terminated, may be NULL) must equal the signed
/// MSO docType when given.
#[no_mangle]
pub extern "C" fn kakunin_verifier_verify_issuer_signed(
    verifier: *const kakunin_verifier,
    issuer_signed: *const u8,
    issuer_signed_len: usize,
    doc_type: *const c_char,
    now_unix_secs: i64,
    out: *mut *mut kakunin_verification,
) -> kakunin_status {
    boundary! {
        let verifier = need!(try_ref(verifier));
        let bytes = need!(try_slice(issuer_signed, issuer_signed_len));
        let out = need!(out_ok(out));
        let doc_type = match try_str(doc_type) {
            None => None,
            Some(Ok(s)) => Some(s),
            Some(Err(e)) => return e,
        };
        let now = UnixTime::from_secs(now_unix_secs);
        let v = Verification::from_document(verifier.inner.verify_issuer_signed(bytes, doc_type, now), now);
        into_handle(kakunin_verification::new(v), out)
    }
}

/// Verifies one Document (`{docType, issuerSigned, deviceSigned?}`) on its
/// issuer side only; the result holds one document.
#[no_mangle]
pub extern "C" fn kakunin_verifier_verify_document_issuer_only(
    verifier: *const kakunin_verifier,
    document: *const u8,
    document_len: usize,
    now_unix_secs: i64,
    out: *mut *mut kakunin_verification,
) -> kakunin_status {
    boundary! {
        let verifier = need!(try_ref(verifier));
        let bytes = need!(try_slice(document, document_len));
        let out = need!(out_ok(out));
        let now = UnixTime::from_secs(now_unix_secs);
        let v = Verification::from_document(verifier.inner.verify_document_issuer_only(bytes, now), now);
        into_handle(kakunin_verification::new(v), out)
    }
}
