//! The reader side of a proximity session (ISO 18013-5 §8, §9.1.1) over the
//! C ABI: the same sans-I/O engine as [`crate::presentation::session`]. The application
//! moves bytes over its own NFC or BLE stack; these functions say what to
//! send and what the received bytes mean.
//!
//! Flow: `kakunin_device_engagement_from_qr` / `_from_nfc_handover` →
//! `kakunin_reader_session_new` → build a DeviceRequest
//! (`kakunin_items_request`, `kakunin_device_request_builder`) →
//! `kakunin_reader_session_establish` → `kakunin_reader_session_receive`
//! for each SessionData → `kakunin_reader_session_verify_device_response` →
//! `kakunin_reader_session_terminate`.

use core::ffi::c_char;

use zeroize::Zeroizing;

use super::reader_key::kakunin_reader_key;
use super::verification::kakunin_verification;
use super::verifier::kakunin_verifier;
use super::{
    boundary, free_handle, into_handle, need, ok, out_ok, to_handle, try_mut, try_ref, try_slice, try_str, write_out,
};
use super::{kakunin_bytes, kakunin_status, kakunin_status::*};
use crate::error::Error;
use crate::presentation::privacy::{RequestBuilder, RequestPolicy};
use crate::presentation::session::{
    DeviceEngagement, DeviceRequestBuilder, Handover, ItemsRequest, ReaderAuthKey, ReaderSession, RetrievalMethod,
    SessionEvent, SessionState,
};
use crate::UnixTime;

fn text_arg<'a>(s: *const c_char) -> Result<&'a str, kakunin_status> {
    match try_str(s) {
        None => Err(KAKUNIN_NULL_PARAMETER),
        Some(r) => r,
    }
}

// ---------------------------------------------------------------- owned bytes

/// Bytes the library produced for the caller (a message to send, a decrypted
/// DeviceResponse, an encoded DeviceRequest). Owned by the caller: read them
/// with `kakunin_buffer_data`/`kakunin_buffer_len`, then free with
/// `kakunin_buffer_free` (which zeroizes them: a response holds personal data).
/// Immutable and thread-safe.
pub struct kakunin_buffer {
    bytes: Zeroizing<Vec<u8>>,
}

impl kakunin_buffer {
    /// `bytes` as a buffer, zeroized when dropped; return it through an
    /// out-parameter with `into_handle`.
    pub(super) fn of(bytes: Vec<u8>) -> kakunin_buffer {
        kakunin_buffer {
            bytes: Zeroizing::new(bytes),
        }
    }

    /// Hands `bytes` to C as an owned buffer (for a result that may also be NULL).
    pub(super) fn new(bytes: Vec<u8>) -> *mut kakunin_buffer {
        to_handle(kakunin_buffer::of(bytes))
    }
}

/// The first byte of a buffer (never NULL for a live buffer, even when empty;
/// NULL for a NULL buffer). Valid until `kakunin_buffer_free`.
#[no_mangle]
pub extern "C" fn kakunin_buffer_data(buffer: *const kakunin_buffer) -> *const u8 {
    boundary! { try_ref(buffer).map_or(core::ptr::null(), |b| b.bytes.as_ptr()) }
}

/// The length of a buffer in bytes (0 for NULL).
#[no_mangle]
pub extern "C" fn kakunin_buffer_len(buffer: *const kakunin_buffer) -> usize {
    boundary! { try_ref(buffer).map_or(0, |b| b.bytes.len()) }
}

/// Zeroizes and frees a buffer. NULL is a no-op.
#[no_mangle]
pub extern "C" fn kakunin_buffer_free(buffer: *mut kakunin_buffer) {
    boundary! { free_handle(buffer) }
}

// ---------------------------------------------------------------- engagement

/// A DeviceEngagement (ISO 18013-5 §8.2.1.1) with the bytes as received and
/// the handover it arrived by (QR or NFC, §9.1.5.1). Immutable and
/// thread-safe. Free with `kakunin_device_engagement_free`.
pub struct kakunin_device_engagement {
    engagement: DeviceEngagement,
    handover: Handover,
}

/// Kinds of device retrieval method (ISO 18013-5 §8.2.1.1,
/// `kakunin_device_engagement_method_type`).
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum kakunin_retrieval_method {
    /// NFC (type 1): `kakunin_device_engagement_nfc_options`.
    KAKUNIN_RETRIEVAL_NFC = 1,
    /// BLE (type 2): `kakunin_device_engagement_ble_options`.
    KAKUNIN_RETRIEVAL_BLE = 2,
    /// Wi-Fi Aware (type 3).
    KAKUNIN_RETRIEVAL_WIFI_AWARE = 3,
    /// Another type this library does not interpret.
    KAKUNIN_RETRIEVAL_OTHER = 99,
}

/// BLE options of a retrieval method (ISO 18013-5 §8.2.1.1 BleOptions;
/// for NFC handover, the BLE carrier configuration record). Fields without
/// their `has_` flag set are zero. `device_address` is empty (len 0) when
/// absent; its bytes are borrowed from the engagement.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct kakunin_ble_options {
    /// mdoc peripheral server mode supported.
    pub peripheral_server_mode: bool,
    /// mdoc central client mode supported.
    pub central_client_mode: bool,
    /// Whether `peripheral_server_uuid` is set.
    pub has_peripheral_server_uuid: bool,
    /// Service UUID for peripheral server mode, big-endian (RFC 4122 order).
    pub peripheral_server_uuid: [u8; 16],
    /// Whether `central_client_uuid` is set.
    pub has_central_client_uuid: bool,
    /// Service UUID for central client mode, big-endian.
    pub central_client_uuid: [u8; 16],
    /// Whether `l2cap_psm` is set.
    pub has_l2cap_psm: bool,
    /// L2CAP PSM.
    pub l2cap_psm: u64,
    /// mdoc BLE device address (empty when absent).
    pub device_address: kakunin_bytes,
}

fn engagement_out(
    out: *mut *mut kakunin_device_engagement,
    r: Result<(DeviceEngagement, Handover), Error>,
) -> kakunin_status {
    let (engagement, handover) = ok!(r);
    into_handle(kakunin_device_engagement { engagement, handover }, out)
}

/// A DeviceEngagement from a QR code's text (`mdoc:` + base64url,
/// ISO 18013-5 §8.2.2.3), NUL-terminated. The SessionTranscript's handover
/// is then `null`.
#[no_mangle]
pub extern "C" fn kakunin_device_engagement_from_qr(
    text: *const c_char,
    out: *mut *mut kakunin_device_engagement,
) -> kakunin_status {
    boundary! {
        let text = ok!(text_arg(text));
        let out = need!(out_ok(out));
        engagement_out(out, DeviceEngagement::from_qr(text).map(|e| (e, Handover::Qr)))
    }
}

/// A DeviceEngagement from NFC handover (ISO 18013-5 §8.2.2.1): the Handover
/// Select NDEF message as received and, for negotiated handover, the Handover
/// Request message the reader sent (`request` NULL for static handover; then
/// `request_len` is ignored). Both are kept for the SessionTranscript.
#[no_mangle]
pub extern "C" fn kakunin_device_engagement_from_nfc_handover(
    select: *const u8,
    select_len: usize,
    request: *const u8,
    request_len: usize,
    out: *mut *mut kakunin_device_engagement,
) -> kakunin_status {
    boundary! {
        let select = need!(try_slice(select, select_len));
        let request = try_slice(request, request_len);
        let out = need!(out_ok(out));
        engagement_out(out, DeviceEngagement::from_nfc_handover(select, request))
    }
}

/// The DeviceEngagement bytes as received, borrowed from the handle.
#[no_mangle]
pub extern "C" fn kakunin_device_engagement_bytes(
    engagement: *const kakunin_device_engagement,
    out: *mut kakunin_bytes,
) -> kakunin_status {
    boundary! {
        let e = need!(try_ref(engagement));
        let out = need!(out_ok(out));
        write_out(out, kakunin_bytes::of(e.engagement.raw()));
        KAKUNIN_OK
    }
}

/// The COSE curve identifier of the holder's ephemeral key EDeviceKey
/// (1 = P-256, 2 = P-384, 3 = P-521; RFC 9053 §7.1); 0 for NULL. A reader key
/// passed to `kakunin_reader_session_new` must be on this curve.
#[no_mangle]
pub extern "C" fn kakunin_device_engagement_curve(engagement: *const kakunin_device_engagement) -> u32 {
    boundary! {
        try_ref(engagement).map_or(0, |e| u32::try_from(e.engagement.curve().cose_id()).unwrap_or(0))
    }
}

/// The number of device retrieval methods offered (0 for NULL).
#[no_mangle]
pub extern "C" fn kakunin_device_engagement_method_count(engagement: *const kakunin_device_engagement) -> usize {
    boundary! { try_ref(engagement).map_or(0, |e| e.engagement.retrieval_methods().len()) }
}

fn method<'a>(
    engagement: *const kakunin_device_engagement,
    index: usize,
) -> Result<&'a RetrievalMethod, kakunin_status> {
    let e: &'a kakunin_device_engagement = try_ref(engagement).ok_or(KAKUNIN_NULL_PARAMETER)?;
    e.engagement.retrieval_methods().get(index).ok_or(KAKUNIN_OUT_OF_RANGE)
}

/// The kind of retrieval method `index` (a `kakunin_retrieval_method` value).
#[no_mangle]
pub extern "C" fn kakunin_device_engagement_method_type(
    engagement: *const kakunin_device_engagement,
    index: usize,
    out: *mut u32,
) -> kakunin_status {
    boundary! {
        let m = ok!(method(engagement, index));
        let out = need!(out_ok(out));
        let t = match m {
            RetrievalMethod::Nfc { .. } => kakunin_retrieval_method::KAKUNIN_RETRIEVAL_NFC,
            RetrievalMethod::Ble { .. } => kakunin_retrieval_method::KAKUNIN_RETRIEVAL_BLE,
            RetrievalMethod::WifiAware { .. } => kakunin_retrieval_method::KAKUNIN_RETRIEVAL_WIFI_AWARE,
            _ => kakunin_retrieval_method::KAKUNIN_RETRIEVAL_OTHER,
        };
        write_out(out, u32::from(t));
        KAKUNIN_OK
    }
}

/// The BLE options of retrieval method `index`; `KAKUNIN_WRONG_TYPE` when it
/// is not BLE. `device_address` is borrowed from the engagement.
#[no_mangle]
pub extern "C" fn kakunin_device_engagement_ble_options(
    engagement: *const kakunin_device_engagement,
    index: usize,
    out: *mut kakunin_ble_options,
) -> kakunin_status {
    boundary! {
        let m = ok!(method(engagement, index));
        let out = need!(out_ok(out));
        let RetrievalMethod::Ble {
            peripheral_server_mode,
            central_client_mode,
            peripheral_server_uuid,
            central_client_uuid,
            device_address,
            l2cap_psm,
        } = m
        else {
            return KAKUNIN_WRONG_TYPE;
        };
        write_out(
            out,
            kakunin_ble_options {
                peripheral_server_mode: *peripheral_server_mode,
                central_client_mode: *central_client_mode,
                has_peripheral_server_uuid: peripheral_server_uuid.is_some(),
                peripheral_server_uuid: peripheral_server_uuid.map_or([0; 16], |u| u.0),
                has_central_client_uuid: central_client_uuid.is_some(),
                central_client_uuid: central_client_uuid.map_or([0; 16], |u| u.0),
                has_l2cap_psm: l2cap_psm.is_some(),
                l2cap_psm: l2cap_psm.unwrap_or(0),
                device_address: kakunin_bytes::of(device_address.as_deref().unwrap_or(&[])),
            },
        );
        KAKUNIN_OK
    }
}

/// The NFC options of retrieval method `index` (maximum command and response
/// data lengths); `KAKUNIN_WRONG_TYPE` when it is not NFC.
#[no_mangle]
pub extern "C" fn kakunin_device_engagement_nfc_options(
    engagement: *const kakunin_device_engagement,
    index: usize,
    out_max_command_data_length: *mut u64,
    out_max_response_data_length: *mut u64,
) -> kakunin_status {
    boundary! {
        let m = ok!(method(engagement, index));
        let out_c = need!(out_ok(out_max_command_data_length));
        let out_r = need!(out_ok(out_max_response_data_length));
        let RetrievalMethod::Nfc { max_command_data_length, max_response_data_length } = m else {
            return KAKUNIN_WRONG_TYPE;
        };
        write_out(out_c, *max_command_data_length);
        write_out(out_r, *max_response_data_length);
        KAKUNIN_OK
    }
}

/// Frees an engagement. NULL is a no-op.
#[no_mangle]
pub extern "C" fn kakunin_device_engagement_free(engagement: *mut kakunin_device_engagement) {
    boundary! { free_handle(engagement) }
}

// ---------------------------------------------------------------- session

/// A reader session (ISO 18013-5 §9.1.1): the reader's ephemeral key, the
/// SessionTranscript and the session keys. Mutable and NOT thread-safe: use
/// it from one thread at a time. Free with `kakunin_reader_session_free`
/// (which zeroizes the keys).
///
/// Any out-of-order call, bad counter, failed tag or error status returns
/// `KAKUNIN_SESSION_PROTOCOL_ERROR` or `KAKUNIN_SESSION_DECRYPTION_FAILED`,
/// after which the session is closed.
pub struct kakunin_reader_session {
    inner: ReaderSession,
}

/// What a received SessionData meant (`kakunin_reader_session_receive`).
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum kakunin_session_event {
    /// A DeviceResponse; the session stays open (another request may follow).
    KAKUNIN_SESSION_EVENT_RESPONSE = 1,
    /// A DeviceResponse together with status 20: the holder ended the session.
    KAKUNIN_SESSION_EVENT_RESPONSE_AND_TERMINATED = 2,
    /// Status 20 without data: the holder ended the session.
    KAKUNIN_SESSION_EVENT_TERMINATED = 3,
}

/// Where a session is (`kakunin_reader_session_state`).
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum kakunin_session_state {
    /// Keys derived; `kakunin_reader_session_establish` comes next.
    KAKUNIN_SESSION_READY = 1,
    /// A request was sent; waiting for the holder's SessionData.
    KAKUNIN_SESSION_AWAITING_RESPONSE = 2,
    /// A response arrived; another request may be sent, or the session ended.
    KAKUNIN_SESSION_IDLE = 3,
    /// Terminated (by either side) or failed; no more messages.
    KAKUNIN_SESSION_CLOSED = 4,
}

/// A new reader session for `engagement` (copied; the engagement handle may
/// be freed afterwards). `reader_key` is the reader's ephemeral key
/// EReaderKey: NULL generates a fresh one on the holder key's curve (the
/// normal case); a fixed key is for replaying recorded sessions and tests
/// (`KAKUNIN_ALGORITHM_KEY_MISMATCH` when on another curve).
#[no_mangle]
pub extern "C" fn kakunin_reader_session_new(
    engagement: *const kakunin_device_engagement,
    reader_key: *const kakunin_reader_key,
    out: *mut *mut kakunin_reader_session,
) -> kakunin_status {
    boundary! {
        let e = need!(try_ref(engagement));
        let out = need!(out_ok(out));
        let engagement = e.engagement.clone();
        let handover = e.handover.clone();
        let r = match try_ref(reader_key) {
            Some(k) => ReaderSession::with_reader_key(engagement, handover, k.inner.clone()),
            None => ReaderSession::new(engagement, handover),
        };
        let inner = ok!(r);
        into_handle(kakunin_reader_session { inner }, out)
    }
}

/// Encrypts the first DeviceRequest and returns the SessionEstablishment
/// message to send (ISO 18013-5 §9.1.1.4). Only valid as the first message.
#[no_mangle]
pub extern "C" fn kakunin_reader_session_establish(
    session: *mut kakunin_reader_session,
    device_request: *const u8,
    device_request_len: usize,
    out: *mut *mut kakunin_buffer,
) -> kakunin_status {
    boundary! {
        let s = need!(try_mut(session));
        let req = need!(try_slice(device_request, device_request_len));
        let out = need!(out_ok(out));
        let b = ok!(s.inner.establish(req));
        into_handle(kakunin_buffer::of(b), out)
    }
}

/// Encrypts a further DeviceRequest (after a response arrived) and returns
/// the SessionData message to send.
#[no_mangle]
pub extern "C" fn kakunin_reader_session_request(
    session: *mut kakunin_reader_session,
    device_request: *const u8,
    device_request_len: usize,
    out: *mut *mut kakunin_buffer,
) -> kakunin_status {
    boundary! {
        let s = need!(try_mut(session));
        let req = need!(try_slice(device_request, device_request_len));
        let out = need!(out_ok(out));
        let b = ok!(s.inner.request(req));
        into_handle(kakunin_buffer::of(b), out)
    }
}

/// Decrypts a received SessionData (ISO 18013-5 §9.1.1.5). On success
/// `*out_event` receives a `kakunin_session_event` value and
/// `*out_response` the decrypted DeviceResponse (a buffer to free), or NULL
/// for `KAKUNIN_SESSION_EVENT_TERMINATED`. On any error (bad tag, counter,
/// status 10/11, wrong order) nothing is written and the session is closed.
#[no_mangle]
pub extern "C" fn kakunin_reader_session_receive(
    session: *mut kakunin_reader_session,
    session_data: *const u8,
    session_data_len: usize,
    out_event: *mut u32,
    out_response: *mut *mut kakunin_buffer,
) -> kakunin_status {
    boundary! {
        let s = need!(try_mut(session));
        let data = need!(try_slice(session_data, session_data_len));
        let out_event = need!(out_ok(out_event));
        let out_response = need!(out_ok(out_response));
        use kakunin_session_event::*;
        let (event, response) = match s.inner.receive(data) {
            Ok(SessionEvent::Response(r)) => (KAKUNIN_SESSION_EVENT_RESPONSE, kakunin_buffer::new(r)),
            Ok(SessionEvent::ResponseAndTerminated(r)) => (KAKUNIN_SESSION_EVENT_RESPONSE_AND_TERMINATED, kakunin_buffer::new(r)),
            Ok(SessionEvent::Terminated) => (KAKUNIN_SESSION_EVENT_TERMINATED, core::ptr::null_mut()),
            Err(e) => return kakunin_status::from(&e),
        };
        write_out(out_event, u32::from(event));
        write_out(out_response, response);
        KAKUNIN_OK
    }
}

/// Ends the session: returns the SessionData with status 20 (session
/// termination) to send, and closes the session.
#[no_mangle]
pub extern "C" fn kakunin_reader_session_terminate(
    session: *mut kakunin_reader_session,
    out: *mut *mut kakunin_buffer,
) -> kakunin_status {
    boundary! {
        let s = need!(try_mut(session));
        let out = need!(out_ok(out));
        into_handle(kakunin_buffer::of(s.inner.terminate()), out)
    }
}

/// The session's state (a `kakunin_session_state` value; 0 for NULL).
#[no_mangle]
pub extern "C" fn kakunin_reader_session_state(session: *const kakunin_reader_session) -> u32 {
    boundary! {
        use kakunin_session_state::*;
        match try_ref(session).map(|s| s.inner.state()) {
            None => 0,
            Some(SessionState::Ready) => u32::from(KAKUNIN_SESSION_READY),
            Some(SessionState::AwaitingResponse) => u32::from(KAKUNIN_SESSION_AWAITING_RESPONSE),
            Some(SessionState::Idle) => u32::from(KAKUNIN_SESSION_IDLE),
            Some(_) => u32::from(KAKUNIN_SESSION_CLOSED),
        }
    }
}

/// The SessionTranscriptBytes (`#6.24(bstr .cbor SessionTranscript)`,
/// ISO 18013-5 §9.1.5.1), borrowed from the session.
#[no_mangle]
pub extern "C" fn kakunin_reader_session_transcript_bytes(
    session: *const kakunin_reader_session,
    out: *mut kakunin_bytes,
) -> kakunin_status {
    boundary! {
        let s = need!(try_ref(session));
        let out = need!(out_ok(out));
        write_out(out, kakunin_bytes::of(s.inner.session_transcript().as_tagged_bytes()));
        KAKUNIN_OK
    }
}

/// EReaderKeyBytes (`#6.24(bstr .cbor COSE_Key)`), borrowed from the session.
#[no_mangle]
pub extern "C" fn kakunin_reader_session_e_reader_key_bytes(
    session: *const kakunin_reader_session,
    out: *mut kakunin_bytes,
) -> kakunin_status {
    boundary! {
        let s = need!(try_ref(session));
        let out = need!(out_ok(out));
        write_out(out, kakunin_bytes::of(s.inner.e_reader_key_bytes()));
        KAKUNIN_OK
    }
}

/// Verifies a DeviceResponse received in this session with `verifier`, using
/// the session's transcript and reader key for device authentication
/// (deviceSignature or deviceMac), bound to the last DeviceRequest this
/// session sent: a document of a docType not requested is rejected
/// (`document_not_requested`) and elements not requested are not returned
/// (as `kakunin_verifier_verify_device_response_for_request`).
#[no_mangle]
pub extern "C" fn kakunin_reader_session_verify_device_response(
    session: *const kakunin_reader_session,
    verifier: *const kakunin_verifier,
    device_response: *const u8,
    device_response_len: usize,
    now_unix_secs: i64,
    out: *mut *mut kakunin_verification,
) -> kakunin_status {
    boundary! {
        let s = need!(try_ref(session));
        let verifier = need!(try_ref(verifier));
        let bytes = need!(try_slice(device_response, device_response_len));
        let out = need!(out_ok(out));
        let v = s.inner.verify_device_response(&verifier.inner, bytes, UnixTime::from_secs(now_unix_secs));
        into_handle(kakunin_verification::new(v), out)
    }
}

/// Frees (and zeroizes) a session. NULL is a no-op.
#[no_mangle]
pub extern "C" fn kakunin_reader_session_free(session: *mut kakunin_reader_session) {
    boundary! { free_handle(session) }
}

// ---------------------------------------------------------------- requests

/// The elements to request from one document (an ItemsRequest, ISO 18013-5
/// §8.3.2.1.2.1), checked by the privacy policy when added to a DeviceRequest:
/// `individual_number_unicode` is refused (`KAKUNIN_REQUEST_REFUSED`) unless
/// `kakunin_items_request_set_individual_number_purpose` stated why. Not
/// thread-safe. Free with `kakunin_items_request_free`.
pub struct kakunin_items_request {
    doc_type: String,
    elements: Vec<(String, String, bool)>,
    purpose: Option<String>,
}

impl kakunin_items_request {
    /// The policy-checked element request (also the content of an OpenID4VP
    /// DCQL credential query).
    pub(super) fn to_element_request(&self) -> Result<crate::presentation::privacy::ElementRequest, kakunin_status> {
        let mut b = RequestBuilder::new(&self.doc_type);
        for (ns, id, retain) in &self.elements {
            b = if *retain {
                b.element_retained(ns, id)
            } else {
                b.element(ns, id)
            };
        }
        let policy = match &self.purpose {
            Some(p) => RequestPolicy::new()
                .allow_individual_number(p)
                .map_err(|_| KAKUNIN_INVALID_PARAMETER)?,
            None => RequestPolicy::new(),
        };
        b.build(&policy).map_err(|_| KAKUNIN_REQUEST_REFUSED)
    }

    pub(super) fn to_items(&self) -> Result<ItemsRequest, kakunin_status> {
        Ok(ItemsRequest::from(&self.to_element_request()?))
    }
}

/// A new, empty request for documents of `doc_type` (NUL-terminated UTF-8).
#[no_mangle]
pub extern "C" fn kakunin_items_request_new(
    doc_type: *const c_char,
    out: *mut *mut kakunin_items_request,
) -> kakunin_status {
    boundary! {
        let doc_type = ok!(text_arg(doc_type));
        let out = need!(out_ok(out));
        if doc_type.is_empty() {
            return KAKUNIN_INVALID_PARAMETER;
        }
        let doc_type = doc_type.to_owned();
        into_handle(kakunin_items_request { doc_type, elements: Vec::new(), purpose: None }, out)
    }
}

/// Asks for element `identifier` of `name_space`; `intent_to_retain` says
/// whether the reader will keep it (ISO 18013-5 §8.3.2.1.2.1; default false).
#[no_mangle]
pub extern "C" fn kakunin_items_request_add_element(
    request: *mut kakunin_items_request,
    name_space: *const c_char,
    identifier: *const c_char,
    intent_to_retain: bool,
) -> kakunin_status {
    boundary! {
        let r = need!(try_mut(request));
        let ns = ok!(text_arg(name_space));
        let id = ok!(text_arg(identifier));
        if ns.is_empty() || id.is_empty() {
            return KAKUNIN_INVALID_PARAMETER;
        }
        r.elements.push((ns.to_owned(), id.to_owned(), intent_to_retain));
        KAKUNIN_OK
    }
}

/// States the purpose that allows requesting `individual_number_unicode`
/// (My Number; the privacy policy refuses it otherwise). An empty or
/// blank purpose is `KAKUNIN_INVALID_PARAMETER`.
#[no_mangle]
pub extern "C" fn kakunin_items_request_set_individual_number_purpose(
    request: *mut kakunin_items_request,
    purpose: *const c_char,
) -> kakunin_status {
    boundary! {
        let r = need!(try_mut(request));
        let purpose = ok!(text_arg(purpose));
        if purpose.trim().is_empty() {
            return KAKUNIN_INVALID_PARAMETER;
        }
        r.purpose = Some(purpose.to_owned());
        KAKUNIN_OK
    }
}

/// Frees an items request. NULL is a no-op.
#[no_mangle]
pub extern "C" fn kakunin_items_request_free(request: *mut kakunin_items_request) {
    boundary! { free_handle(request) }
}

/// A reader authentication key (ISO 18013-5 §9.1.4): a private key and its
/// certificate chain (leaf first). Immutable and thread-safe; zeroized when
/// freed with `kakunin_reader_auth_key_free`.
pub struct kakunin_reader_auth_key {
    pub(super) inner: ReaderAuthKey,
}

/// A reader authentication key from `key` (copied; any constructor of
/// `kakunin_reader_key`, e.g. `kakunin_reader_key_from_bytes` with a PKCS#8
/// PEM) and PEM or DER certificates `chain`, leaf first; the leaf must hold
/// the key's public key (`KAKUNIN_ALGORITHM_KEY_MISMATCH` otherwise).
#[no_mangle]
pub extern "C" fn kakunin_reader_auth_key_new(
    key: *const kakunin_reader_key,
    chain: *const u8,
    chain_len: usize,
    out: *mut *mut kakunin_reader_auth_key,
) -> kakunin_status {
    boundary! {
        let key = need!(try_ref(key));
        let chain = need!(try_slice(chain, chain_len));
        let out = need!(out_ok(out));
        let inner = ok!(ReaderAuthKey::new(key.inner.clone(), chain));
        into_handle(kakunin_reader_auth_key { inner }, out)
    }
}

/// Frees (and zeroizes) a reader authentication key. NULL is a no-op.
#[no_mangle]
pub extern "C" fn kakunin_reader_auth_key_free(key: *mut kakunin_reader_auth_key) {
    boundary! { free_handle(key) }
}

/// Builds a DeviceRequest (version "1.0", ISO 18013-5 §8.3.2.1.2.1). Not
/// thread-safe. Free with `kakunin_device_request_builder_free`.
pub struct kakunin_device_request_builder {
    inner: DeviceRequestBuilder,
}

/// A new, empty DeviceRequest builder (NULL only if a panic was caught).
#[no_mangle]
pub extern "C" fn kakunin_device_request_builder_new() -> *mut kakunin_device_request_builder {
    boundary! {
        to_handle(kakunin_device_request_builder { inner: DeviceRequestBuilder::new() })
    }
}

/// Adds a DocRequest for `items`, with a ReaderAuth over `session`'s
/// transcript when `reader_auth_key` is non-NULL (then `session` must be
/// non-NULL too). The privacy policy is checked here:
/// `KAKUNIN_REQUEST_REFUSED` for `individual_number_unicode` without a
/// purpose, an empty request or a duplicate element.
#[no_mangle]
pub extern "C" fn kakunin_device_request_builder_add(
    builder: *mut kakunin_device_request_builder,
    items: *const kakunin_items_request,
    session: *const kakunin_reader_session,
    reader_auth_key: *const kakunin_reader_auth_key,
) -> kakunin_status {
    boundary! {
        let b = need!(try_mut(builder));
        let items = need!(try_ref(items));
        let items = ok!(items.to_items());
        let r = match try_ref(reader_auth_key) {
            None => b.inner.add(&items).map(|_| ()),
            Some(k) => {
                let s = need!(try_ref(session));
                b.inner.add_with_reader_auth(&items, s.inner.session_transcript(), &k.inner).map(|_| ())
            }
        };
        ok!(r);
        KAKUNIN_OK
    }
}

/// The encoded DeviceRequest (pass it to `kakunin_reader_session_establish`).
/// The builder stays usable.
#[no_mangle]
pub extern "C" fn kakunin_device_request_builder_build(
    builder: *const kakunin_device_request_builder,
    out: *mut *mut kakunin_buffer,
) -> kakunin_status {
    boundary! {
        let b = need!(try_ref(builder));
        let out = need!(out_ok(out));
        into_handle(kakunin_buffer::of(b.inner.build()), out)
    }
}

/// Frees a DeviceRequest builder. NULL is a no-op.
#[no_mangle]
pub extern "C" fn kakunin_device_request_builder_free(builder: *mut kakunin_device_request_builder) {
    boundary! { free_handle(builder) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ffi::reader_key::kakunin_reader_key_from_bytes;
    use crate::TrustStore;

    fn data(path: &str) -> Vec<u8> {
        std::fs::read(format!("{}/tests/data/{path}", env!("CARGO_MANIFEST_DIR"))).unwrap()
    }

    fn hex(path: &str) -> Vec<u8> {
        let text = String::from_utf8(data(path)).unwrap();
        hex::decode(text.split_whitespace().collect::<String>()).unwrap()
    }

    fn take(b: *mut kakunin_buffer) -> Vec<u8> {
        // SAFETY: test-only; `b` came from this library and is freed once below.
        let v = unsafe { core::slice::from_raw_parts(kakunin_buffer_data(b), kakunin_buffer_len(b)) }.to_vec();
        kakunin_buffer_free(b);
        v
    }

    /// The ReaderAuth the C ABI signs verifies (Rust side) over the
    /// session's transcript against the test reader root, and not against
    /// another root: the C path signs what it should.
    #[test]
    fn c_built_reader_auth_verifies() {
        let (hs, hr) = (
            hex("iso18013-5-annex-d/handover_select.hex"),
            hex("iso18013-5-annex-d/handover_request.hex"),
        );
        let mut e = core::ptr::null_mut();
        assert_eq!(
            kakunin_device_engagement_from_nfc_handover(hs.as_ptr(), hs.len(), hr.as_ptr(), hr.len(), &mut e),
            KAKUNIN_OK
        );
        let mut s = core::ptr::null_mut();
        assert_eq!(kakunin_reader_session_new(e, core::ptr::null(), &mut s), KAKUNIN_OK);
        let key_pem = data("session-reader-pki/reader.key.pem");
        let chain = data("session-reader-pki/reader.pem");
        let mut key = core::ptr::null_mut();
        assert_eq!(
            kakunin_reader_key_from_bytes(key_pem.as_ptr(), key_pem.len(), &mut key),
            KAKUNIN_OK
        );
        let mut rak = core::ptr::null_mut();
        assert_eq!(
            kakunin_reader_auth_key_new(key, chain.as_ptr(), chain.len(), &mut rak),
            KAKUNIN_OK
        );
        let mut items = core::ptr::null_mut();
        assert_eq!(
            kakunin_items_request_new(c"org.iso.18013.5.1.mDL".as_ptr(), &mut items),
            KAKUNIN_OK
        );
        assert_eq!(
            kakunin_items_request_add_element(items, c"org.iso.18013.5.1".as_ptr(), c"age_over_21".as_ptr(), false),
            KAKUNIN_OK
        );
        let b = kakunin_device_request_builder_new();
        assert_eq!(kakunin_device_request_builder_add(b, items, s, rak), KAKUNIN_OK);
        let mut out = core::ptr::null_mut();
        assert_eq!(kakunin_device_request_builder_build(b, &mut out), KAKUNIN_OK);
        let request = take(out);

        let session = &try_ref(s).unwrap().inner;
        let now = UnixTime::parse_rfc3339("2025-01-01T00:00:00Z").unwrap();
        let roots = TrustStore::from_pem_or_der(&data("session-reader-pki/reader_root.pem")).unwrap();
        let checks =
            crate::presentation::session::verify_device_request(&request, session.session_transcript(), &roots, now)
                .unwrap();
        assert_eq!(checks.len(), 1);
        assert!(checks[0].reader_auth.as_ref().unwrap().is_ok());
        let other = TrustStore::from_pem_or_der(&data("iso18013-5-annex-d/reader_root_cert.pem")).unwrap();
        let checks =
            crate::presentation::session::verify_device_request(&request, session.session_transcript(), &other, now)
                .unwrap();
        assert!(checks[0].reader_auth.as_ref().unwrap().is_err());

        kakunin_device_request_builder_free(b);
        kakunin_items_request_free(items);
        kakunin_reader_auth_key_free(rak);
        crate::ffi::reader_key::kakunin_reader_key_free(key);
        kakunin_reader_session_free(s);
        kakunin_device_engagement_free(e);
    }

    #[test]
    fn handles_cross_threads_as_documented() {
        fn shareable<T: Send + Sync>() {}
        fn sendable<T: Send>() {}
        shareable::<kakunin_device_engagement>();
        shareable::<kakunin_reader_auth_key>();
        shareable::<kakunin_buffer>();
        sendable::<kakunin_reader_session>();
        sendable::<kakunin_items_request>();
        sendable::<kakunin_device_request_builder>();
    }
}
