//! C ABI for online presentations: ISO/IEC 18013-7 Annex C over the Digital
//! Credentials API (request, state storage, response verification) and
//! Apple's in-app `APPLE-HPKE-v1` envelope.

use core::ffi::c_char;

use super::reader_key::kakunin_reader_key;
use super::session::{kakunin_buffer, kakunin_items_request, kakunin_reader_auth_key};
use super::verification::kakunin_verification;
use super::verifier::kakunin_verifier;
use super::{
    boundary, free_handle, into_handle, need, ok, out_ok, try_ref, try_slice, try_slice_of, try_str, write_out,
};
use super::{kakunin_status, kakunin_status::*};
use crate::presentation::online::{annex_c, apple};
use crate::presentation::session::ReaderAuthSigner;
use crate::UnixTime;

fn text_arg<'a>(s: *const c_char) -> Result<&'a str, kakunin_status> {
    match try_str(s) {
        None => Err(KAKUNIN_NULL_PARAMETER),
        Some(r) => r,
    }
}

/// What an Annex C verifier keeps between sending the request and receiving
/// the answer: the HPKE private key, the `encryptionInfo` as sent and the
/// origin. Immutable and thread-safe. Holds a private key (zeroized when
/// freed). Free with `kakunin_annex_c_state_free`.
pub struct kakunin_annex_c_state {
    inner: annex_c::RequestState,
}

/// Builds an ISO 18013-7 Annex C request (Digital Credentials API protocol
/// `org-iso-mdoc`) for the `items_len` requests `items` (each checked by the
/// privacy policy: `KAKUNIN_REQUEST_REFUSED` for My Number without a stated
/// purpose) for the web page at `origin` (NUL-terminated, `https://host[:port]`,
/// used verbatim). With a non-NULL `reader_auth_key`, every DocRequest carries
/// a ReaderAuth over the Annex C SessionTranscript. A fresh HPKE key pair and
/// nonce are made per call.
///
/// On success `*out_data` is the request `data` JSON text
/// (`{"deviceRequest": …, "encryptionInfo": …}`, not NUL-terminated) to hand
/// to `navigator.credentials.get()`, and `*out_state` the state to keep.
#[no_mangle]
pub extern "C" fn kakunin_annex_c_request_new(
    items: *const *const kakunin_items_request,
    items_len: usize,
    origin: *const c_char,
    reader_auth_key: *const kakunin_reader_auth_key,
    out_data: *mut *mut kakunin_buffer,
    out_state: *mut *mut kakunin_annex_c_state,
) -> kakunin_status {
    boundary! {
        let list = need!(try_slice_of(items, items_len));
        let origin = ok!(text_arg(origin));
        let out_data = need!(out_ok(out_data));
        let out_state = need!(out_ok(out_state));
        if list.is_empty() || origin.is_empty() {
            return KAKUNIN_INVALID_PARAMETER;
        }
        let mut requests = Vec::with_capacity(list.len());
        for p in list {
            let it = need!(try_ref(*p));
            requests.push(ok!(it.to_items()));
        }
        let signer = try_ref(reader_auth_key).map(|k| -> &dyn ReaderAuthSigner { &k.inner });
        let req = ok!(annex_c::build_request(&requests, origin, signer));
        write_out(out_data, kakunin_buffer::new(req.data.into_bytes()));
        into_handle(kakunin_annex_c_state { inner: req.state }, out_state)
    }
}

/// Serialises a state for storage between two HTTP calls. **The bytes hold
/// the private key**: keep them server-side. The buffer is zeroized when freed.
#[no_mangle]
pub extern "C" fn kakunin_annex_c_state_to_bytes(
    state: *const kakunin_annex_c_state,
    out: *mut *mut kakunin_buffer,
) -> kakunin_status {
    boundary! {
        let s = need!(try_ref(state));
        let out = need!(out_ok(out));
        into_handle(kakunin_buffer::of(s.inner.to_bytes().to_vec()), out)
    }
}

/// Restores a state written by `kakunin_annex_c_state_to_bytes`.
#[no_mangle]
pub extern "C" fn kakunin_annex_c_state_from_bytes(
    data: *const u8,
    len: usize,
    out: *mut *mut kakunin_annex_c_state,
) -> kakunin_status {
    boundary! {
        let bytes = need!(try_slice(data, len));
        let out = need!(out_ok(out));
        let inner = ok!(annex_c::RequestState::from_bytes(bytes));
        into_handle(kakunin_annex_c_state { inner }, out)
    }
}

/// A state from the request `data` JSON the verifier sent, the origin
/// (NUL-terminated, verbatim) and its HPKE private key (copied), for
/// verifiers that keep these themselves. The key is compared with the
/// request's `recipientPublicKey` when verifying (`hpke_key_mismatch`).
#[no_mangle]
pub extern "C" fn kakunin_annex_c_state_from_request(
    request_json: *const u8,
    request_json_len: usize,
    origin: *const c_char,
    key: *const kakunin_reader_key,
    out: *mut *mut kakunin_annex_c_state,
) -> kakunin_status {
    boundary! {
        let json = need!(try_slice(request_json, request_json_len));
        let origin = ok!(text_arg(origin));
        let key = need!(try_ref(key));
        let out = need!(out_ok(out));
        let inner = ok!(annex_c::RequestState::from_request_data(json, origin, key.inner.clone()));
        into_handle(kakunin_annex_c_state { inner }, out)
    }
}

/// Frees a state (zeroizing its key). NULL is a no-op.
#[no_mangle]
pub extern "C" fn kakunin_annex_c_state_free(state: *mut kakunin_annex_c_state) {
    boundary! { free_handle(state) }
}

/// Opens and verifies the wallet's Annex C answer at `now_unix_secs`:
/// `response_json` is the credential `data` `{"response": …}` or the whole
/// credential `{"protocol": "org-iso-mdoc", "data": {…}}`. Returns
/// `KAKUNIN_OK` with a result handle whether or not it is valid; an envelope
/// failure shows as its response-level error (`hpke_key_mismatch`,
/// `structure_invalid`, `cbor_malformed`, `hpke_decrypt_failed`).
#[no_mangle]
pub extern "C" fn kakunin_annex_c_verify_response(
    verifier: *const kakunin_verifier,
    state: *const kakunin_annex_c_state,
    response_json: *const u8,
    response_json_len: usize,
    now_unix_secs: i64,
    out: *mut *mut kakunin_verification,
) -> kakunin_status {
    boundary! {
        let verifier = need!(try_ref(verifier));
        let state = need!(try_ref(state));
        let bytes = need!(try_slice(response_json, response_json_len));
        let out = need!(out_ok(out));
        let v = annex_c::verify_response(&verifier.inner, &state.inner, bytes, UnixTime::from_secs(now_unix_secs));
        into_handle(kakunin_verification::new(v), out)
    }
}

/// Opens and verifies Apple's in-app `PKIdentityDocument.encryptedData`
/// (`envelope`, the CBOR `APPLE-HPKE-v1` envelope) with the verifier's P-256
/// encryption `key`, the request `nonce` bytes and the NUL-terminated
/// `merchant_id` and `team_id`. Returns `KAKUNIN_OK` with a result handle
/// whether or not it is valid; an envelope failure shows as its
/// response-level error (`unsupported_algorithm`, `hpke_key_mismatch`,
/// `session_transcript_mismatch`, `hpke_decrypt_failed`, …).
#[no_mangle]
pub extern "C" fn kakunin_apple_verify_envelope(
    verifier: *const kakunin_verifier,
    key: *const kakunin_reader_key,
    nonce: *const u8,
    nonce_len: usize,
    merchant_id: *const c_char,
    team_id: *const c_char,
    envelope: *const u8,
    envelope_len: usize,
    now_unix_secs: i64,
    out: *mut *mut kakunin_verification,
) -> kakunin_status {
    boundary! {
        let verifier = need!(try_ref(verifier));
        let key = need!(try_ref(key));
        let nonce = need!(try_slice(nonce, nonce_len));
        let merchant_id = ok!(text_arg(merchant_id));
        let team_id = ok!(text_arg(team_id));
        let bytes = need!(try_slice(envelope, envelope_len));
        let out = need!(out_ok(out));
        let context = apple::RequestContext { nonce, merchant_id, team_id };
        let v = apple::verify_envelope(&verifier.inner, &key.inner, context, bytes, UnixTime::from_secs(now_unix_secs));
        into_handle(kakunin_verification::new(v), out)
    }
}
