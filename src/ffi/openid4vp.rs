//! C ABI for OpenID4VP 1.0 with `mso_mdoc` (verifier side): build a request
//! (DCQL + request object, optionally signed), keep its state (serialisable,
//! holds the response-encryption key), verify the wallet's response.

use core::ffi::c_char;

use super::session::{kakunin_buffer, kakunin_items_request, kakunin_reader_auth_key};
use super::verification::kakunin_verification;
use super::verifier::kakunin_verifier;
use super::{boundary, free_handle, into_handle, need, ok, out_ok, try_mut, try_ref, try_slice, try_str, write_out};
use super::{kakunin_status, kakunin_status::*};
use crate::presentation::online::openid4vp::{
    self as oid4vp, AuthorizationRequestBuilder, EncryptionKey, Flow, RequestState,
};
use crate::UnixTime;

fn text_arg<'a>(s: *const c_char) -> Result<&'a str, kakunin_status> {
    match try_str(s) {
        None => Err(KAKUNIN_NULL_PARAMETER),
        Some(r) => r,
    }
}

fn opt_text<'a>(s: *const c_char) -> Result<Option<&'a str>, kakunin_status> {
    try_str(s).transpose()
}

/// `origin` alone (DC API), or `client_id` and `response_uri` (redirects).
fn flow_of(
    client_id: *const c_char,
    response_uri: *const c_char,
    origin: *const c_char,
) -> Result<Flow, kakunin_status> {
    match (opt_text(client_id)?, opt_text(response_uri)?, opt_text(origin)?) {
        (None, None, Some(o)) => Ok(Flow::DcApi { origin: o.to_owned() }),
        (Some(c), Some(u), None) => Ok(Flow::Redirect {
            client_id: c.to_owned(),
            response_uri: u.to_owned(),
        }),
        _ => Err(KAKUNIN_INVALID_PARAMETER),
    }
}

/// Builds an OpenID4VP 1.0 authorization request for mdoc credentials. Not
/// thread-safe. Free with `kakunin_oid4vp_request_builder_free`.
pub struct kakunin_oid4vp_request_builder {
    inner: AuthorizationRequestBuilder,
}

/// The verifier's state between request and response: flow, nonce,
/// response-encryption private key, requested ids. Immutable and
/// thread-safe; zeroized when freed with `kakunin_oid4vp_state_free`.
pub struct kakunin_oid4vp_state {
    inner: RequestState,
}

/// A request answered through redirects to `response_uri` (UTF-8, NUL-
/// terminated; `client_id` with its prefix, e.g. `x509_san_dns:…`).
/// `encrypted`: `direct_post.jwt` (a fresh P-256 key per request; what HAIP
/// requires) instead of `direct_post`.
#[no_mangle]
pub extern "C" fn kakunin_oid4vp_request_builder_new_redirect(
    client_id: *const c_char,
    response_uri: *const c_char,
    encrypted: bool,
    out: *mut *mut kakunin_oid4vp_request_builder,
) -> kakunin_status {
    boundary! {
        let c = ok!(text_arg(client_id));
        let u = ok!(text_arg(response_uri));
        let out = need!(out_ok(out));
        if c.is_empty() || u.is_empty() {
            return KAKUNIN_INVALID_PARAMETER;
        }
        let inner = AuthorizationRequestBuilder::redirect(c, u, encrypted);
        into_handle(kakunin_oid4vp_request_builder { inner }, out)
    }
}

/// A request over the W3C Digital Credentials API from the web `origin`
/// (`https://host[:port]`). `encrypted`: `dc_api.jwt` instead of `dc_api`.
#[no_mangle]
pub extern "C" fn kakunin_oid4vp_request_builder_new_dc_api(
    origin: *const c_char,
    encrypted: bool,
    out: *mut *mut kakunin_oid4vp_request_builder,
) -> kakunin_status {
    boundary! {
        let o = ok!(text_arg(origin));
        let out = need!(out_ok(out));
        if o.is_empty() {
            return KAKUNIN_INVALID_PARAMETER;
        }
        let inner = AuthorizationRequestBuilder::dc_api(o, encrypted);
        into_handle(kakunin_oid4vp_request_builder { inner }, out)
    }
}

/// Sets the nonce (default: 32 fresh random bytes, base64url).
#[no_mangle]
pub extern "C" fn kakunin_oid4vp_request_builder_set_nonce(
    builder: *mut kakunin_oid4vp_request_builder,
    nonce: *const c_char,
) -> kakunin_status {
    boundary! {
        let b = need!(try_mut(builder));
        let n = ok!(text_arg(nonce));
        if n.is_empty() {
            return KAKUNIN_INVALID_PARAMETER;
        }
        b.inner = b.inner.clone().nonce(n);
        KAKUNIN_OK
    }
}

/// Sets the `client_id` of a DC API request that will be signed.
#[no_mangle]
pub extern "C" fn kakunin_oid4vp_request_builder_set_client_id(
    builder: *mut kakunin_oid4vp_request_builder,
    client_id: *const c_char,
) -> kakunin_status {
    boundary! {
        let b = need!(try_mut(builder));
        let c = ok!(text_arg(client_id));
        if c.is_empty() {
            return KAKUNIN_INVALID_PARAMETER;
        }
        b.inner = b.inner.clone().client_id(c);
        KAKUNIN_OK
    }
}

/// Adds a DCQL credential query `id` ([A-Za-z0-9_-]+) for `items` (docType
/// and elements; the privacy policy is checked here:
/// `KAKUNIN_REQUEST_REFUSED` for the individual number without a purpose).
#[no_mangle]
pub extern "C" fn kakunin_oid4vp_request_builder_add_credential(
    builder: *mut kakunin_oid4vp_request_builder,
    id: *const c_char,
    items: *const kakunin_items_request,
) -> kakunin_status {
    boundary! {
        let b = need!(try_mut(builder));
        let id = ok!(text_arg(id));
        let items = need!(try_ref(items));
        let request = ok!(items.to_element_request());
        b.inner = b.inner.clone().credential(id, request);
        KAKUNIN_OK
    }
}

/// Builds the request and its state. `out_request` receives what to send:
/// without `signer`, the request object JSON (redirects) or the DC API
/// request entry `{"protocol":"openid4vp-v1-unsigned","data":{…}}`; with
/// `signer` (ES256 key + `x5c` chain), the compact JWS request object
/// (redirects) or `{"protocol":"openid4vp-v1-signed","data":{"request":…}}`.
/// The builder stays usable (each build has a fresh nonce and key unless set).
#[no_mangle]
pub extern "C" fn kakunin_oid4vp_request_builder_build(
    builder: *const kakunin_oid4vp_request_builder,
    signer: *const kakunin_reader_auth_key,
    out_request: *mut *mut kakunin_buffer,
    out_state: *mut *mut kakunin_oid4vp_state,
) -> kakunin_status {
    boundary! {
        let b = need!(try_ref(builder));
        let out_request = need!(out_ok(out_request));
        let out_state = need!(out_ok(out_state));
        let (req, state) = ok!(b.inner.clone().build());
        let dc_api = matches!(state.flow(), Flow::DcApi { .. });
        let text = match try_ref(signer) {
            None if dc_api => req.dc_api_request(None),
            None => req.to_json(),
            Some(k) => match req.sign(&k.inner) {
                Ok(jws) if dc_api => req.dc_api_request(Some(&jws)),
                Ok(jws) => jws,
                Err(e) => return kakunin_status::from(&e),
            },
        };
        write_out(out_request, kakunin_buffer::new(text.into_bytes()));
        into_handle(kakunin_oid4vp_state { inner: state }, out_state)
    }
}

/// Frees a request builder. NULL is a no-op.
#[no_mangle]
pub extern "C" fn kakunin_oid4vp_request_builder_free(builder: *mut kakunin_oid4vp_request_builder) {
    boundary! { free_handle(builder) }
}

/// Serialises a state (JSON holding the private key: store it server-side
/// only; the buffer is zeroized by `kakunin_buffer_free`).
#[no_mangle]
pub extern "C" fn kakunin_oid4vp_state_serialize(
    state: *const kakunin_oid4vp_state,
    out: *mut *mut kakunin_buffer,
) -> kakunin_status {
    boundary! {
        let s = need!(try_ref(state));
        let out = need!(out_ok(out));
        into_handle(kakunin_buffer::of(s.inner.to_bytes().to_vec()), out)
    }
}

/// Restores a state serialised by `kakunin_oid4vp_state_serialize`
/// (`KAKUNIN_STRUCTURE_INVALID` when it is not one).
#[no_mangle]
pub extern "C" fn kakunin_oid4vp_state_deserialize(
    data: *const u8,
    len: usize,
    out: *mut *mut kakunin_oid4vp_state,
) -> kakunin_status {
    boundary! {
        let data = need!(try_slice(data, len));
        let out = need!(out_ok(out));
        let inner = ok!(RequestState::from_bytes(data));
        into_handle(kakunin_oid4vp_state { inner }, out)
    }
}

/// Verifies the wallet's Authorization Response for this state at
/// `now_unix_secs`: the JSON `response_uri` received, or the DC API
/// credential (or its `data`). Encrypted modes need a JWE (a plain
/// `vp_token` is refused as a downgrade). Returns `KAKUNIN_OK` with a result
/// handle whether or not the response is valid.
#[no_mangle]
pub extern "C" fn kakunin_oid4vp_state_verify(
    state: *const kakunin_oid4vp_state,
    verifier: *const kakunin_verifier,
    response: *const u8,
    response_len: usize,
    now_unix_secs: i64,
    out: *mut *mut kakunin_verification,
) -> kakunin_status {
    boundary! {
        let s = need!(try_ref(state));
        let v = need!(try_ref(verifier));
        let response = need!(try_slice(response, response_len));
        let out = need!(out_ok(out));
        let r = s.inner.verify(&v.inner, response, UnixTime::from_secs(now_unix_secs));
        into_handle(kakunin_verification::new(r), out)
    }
}

/// Frees (and zeroizes) a state. NULL is a no-op.
#[no_mangle]
pub extern "C" fn kakunin_oid4vp_state_free(state: *mut kakunin_oid4vp_state) {
    boundary! { free_handle(state) }
}

/// Verifies a `vp_token` JSON object (`{"id": ["b64url DeviceResponse", …]}`)
/// over the OpenID4VP 1.0 transcript of `nonce` and either `origin` (DC API;
/// `client_id`/`response_uri` NULL) or `client_id` + `response_uri`
/// (redirects; `origin` NULL). `jwk_thumbprint` is NULL or 32 bytes (the
/// RFC 7638 thumbprint of the encryption key; NULL for plain responses).
#[no_mangle]
pub extern "C" fn kakunin_oid4vp_verify_vp_token(
    verifier: *const kakunin_verifier,
    vp_token: *const u8,
    vp_token_len: usize,
    nonce: *const c_char,
    client_id: *const c_char,
    response_uri: *const c_char,
    origin: *const c_char,
    jwk_thumbprint: *const u8,
    now_unix_secs: i64,
    out: *mut *mut kakunin_verification,
) -> kakunin_status {
    boundary! {
        let v = need!(try_ref(verifier));
        let vp = need!(try_slice(vp_token, vp_token_len));
        let nonce = ok!(text_arg(nonce));
        let flow = ok!(flow_of(client_id, response_uri, origin));
        let out = need!(out_ok(out));
        let thumb = match try_slice(jwk_thumbprint, 32) {
            Some(t) => match <[u8; 32]>::try_from(t) {
                Ok(a) => Some(a),
                Err(_) => return KAKUNIN_INVALID_PARAMETER,
            },
            None => None,
        };
        let st = flow.session_transcript(nonce, thumb.as_ref());
        let r = oid4vp::verify_vp_token(&v.inner, vp, &st, UnixTime::from_secs(now_unix_secs));
        into_handle(kakunin_verification::new(r), out)
    }
}

/// Decrypts and verifies an encrypted Authorization Response
/// (`{"response": "<compact JWE>"}`, ECDH-ES with A128GCM/A256GCM) with the
/// verifier's private key `jwe_key` (P-256 as a JWK, PEM or DER); the key's
/// thumbprint enters the transcript. Flow arguments as for
/// `kakunin_oid4vp_verify_vp_token`. An unreadable key is
/// `KAKUNIN_STRUCTURE_INVALID`; anything wrong with the response is in the
/// result.
#[no_mangle]
pub extern "C" fn kakunin_oid4vp_verify_response(
    verifier: *const kakunin_verifier,
    response: *const u8,
    response_len: usize,
    jwe_key: *const u8,
    jwe_key_len: usize,
    nonce: *const c_char,
    client_id: *const c_char,
    response_uri: *const c_char,
    origin: *const c_char,
    now_unix_secs: i64,
    out: *mut *mut kakunin_verification,
) -> kakunin_status {
    boundary! {
        let v = need!(try_ref(verifier));
        let response = need!(try_slice(response, response_len));
        let key = need!(try_slice(jwe_key, jwe_key_len));
        let nonce = ok!(text_arg(nonce));
        let flow = ok!(flow_of(client_id, response_uri, origin));
        let out = need!(out_ok(out));
        let key = ok!(EncryptionKey::from_bytes(key));
        let r = oid4vp::verify_response(&v.inner, response, Some(&key), &flow, nonce, UnixTime::from_secs(now_unix_secs));
        into_handle(kakunin_verification::new(r), out)
    }
}
