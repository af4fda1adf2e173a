//! ISO/IEC 18013-7 Annex C over the W3C Digital Credentials API (protocol
//! `org-iso-mdoc`): the verifier sends a DeviceRequest and an HPKE recipient
//! key, the wallet answers with the DeviceResponse sealed to that key.
//!
//! Sans I/O, in two steps:
//!
//! 1. [`build_request`] makes the request `data` JSON
//!    `{"deviceRequest": b64url, "encryptionInfo": b64url}` (base64url without
//!    padding) and a [`RequestState`] that the server keeps until the answer
//!    arrives ([`RequestState::to_bytes`] / [`RequestState::from_bytes`] to
//!    store it between two HTTP calls).
//! 2. [`verify_response`] opens the wallet's `{"response": b64url}` (or the
//!    whole credential `{"protocol": "org-iso-mdoc", "data": {…}}`) and
//!    verifies the DeviceResponse inside against the Annex C transcript,
//!    returning the same [`Verification`] as proximity.
//!
//! The SessionTranscript is `[null, null, ["dcapi", SHA-256(CBOR([
//! encryptionInfo, origin]))]]` where `encryptionInfo` is the base64url
//! string **exactly as sent** and `origin` the serialized web origin
//! (`https://host[:port]`). HPKE (RFC 9180 base mode, DHKEM(P-256,
//! HKDF-SHA256), HKDF-SHA256, AES-128-GCM) uses `info` = the encoded
//! SessionTranscript (not tag-24 wrapped) and an empty `aad`.
//!
//! ```
//! use kakunin::presentation::online::annex_c;
//! use kakunin::session::ItemsRequest;
//! # fn main() -> Result<(), kakunin::Error> {
//! let items = ItemsRequest::new("org.iso.18013.5.1.mDL").element("org.iso.18013.5.1", "age_over_20");
//! let request = annex_c::build_request(&[items], "https://city.example.jp", None)?;
//! // Send `request.data` to the browser's navigator.credentials.get(), keep
//! // the state server-side:
//! let stored = request.state.to_bytes();
//! let state = annex_c::RequestState::from_bytes(&stored)?;
//! assert_eq!(state.origin(), "https://city.example.jp");
//! # Ok(()) }
//! ```

use crate::cbor::{self, Item};
use crate::crypto::{self, hpke};
use crate::error::{err, structure, Error, ErrorCode};
use crate::limits::Limits;
use crate::presentation::session::{DeviceRequestBuilder, ItemsRequest, ReaderAuthSigner};
use crate::presentation::transcript::SessionTranscript;
use crate::reader_key::ReaderKey;
use crate::time::UnixTime;
use crate::verifier::{DeviceAuthInput, Verification, Verifier};
use base64::Engine as _;
use zeroize::Zeroizing;

/// The Digital Credentials API protocol identifier of Annex C.
pub const PROTOCOL: &str = "org-iso-mdoc";

/// The handover / envelope type string of Annex C.
const DCAPI: &str = "dcapi";

/// Nonce length kakunin generates (Annex C asks for at least 16 bytes).
pub const NONCE_LEN: usize = 16;

const STATE_FORMAT: &str = "kakunin-annex-c-state-1";

pub(crate) fn b64url_encode(data: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(data)
}

/// Strict base64url without padding (RFC 4648 §5, as the DC API sends it).
pub(crate) fn b64url_decode(text: &str, what: &str) -> Result<Vec<u8>, Error> {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(text.as_bytes())
        .map_err(|_| structure(format!("{what}: not base64url without padding")))
}

/// The Annex C SessionTranscript for an `encryptionInfo` string exactly as
/// sent and the serialized origin: `[null, null, ["dcapi",
/// SHA-256(CBOR([encryptionInfo, origin]))]]` (ISO/IEC 18013-7 Annex C).
pub fn session_transcript(encryption_info: &str, origin: &str) -> SessionTranscript {
    let mut handover_info = Vec::with_capacity(encryption_info.len() + origin.len() + 8);
    cbor::write_head(&mut handover_info, 4, 2);
    cbor::write_text(&mut handover_info, encryption_info);
    cbor::write_text(&mut handover_info, origin);
    let hash = crypto::sha256(&handover_info);
    let mut array = Vec::with_capacity(48);
    cbor::write_head(&mut array, 4, 3);
    array.push(0xf6);
    array.push(0xf6);
    cbor::write_head(&mut array, 4, 2);
    cbor::write_text(&mut array, DCAPI);
    cbor::write_bytes(&mut array, &hash);
    SessionTranscript::from_encoded_array(array)
}

/// A COSE_Key (RFC 9053 §7.1.1) for a P-256 public point: `{1: 2, -1: 1,
/// -2: x, -3: y}`.
pub(crate) fn p256_cose_key(point: &[u8]) -> Vec<u8> {
    let x = point.get(1..33).unwrap_or_default();
    let y = point.get(33..65).unwrap_or_default();
    let mut out = Vec::with_capacity(80);
    cbor::write_head(&mut out, 5, 4);
    out.extend_from_slice(&[0x01, 0x02, 0x20, 0x01]);
    out.push(0x21);
    cbor::write_bytes(&mut out, x);
    out.push(0x22);
    cbor::write_bytes(&mut out, y);
    out
}

/// The decoded `encryptionInfo` of a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EncryptionInfo {
    /// The verifier's nonce (at least 16 bytes).
    pub nonce: Vec<u8>,
    /// The HPKE recipient public key, uncompressed P-256 point (65 bytes).
    pub recipient_public_key: Vec<u8>,
}

impl EncryptionInfo {
    /// Parses the base64url `encryptionInfo` string: `["dcapi", {"nonce":
    /// bstr, "recipientPublicKey": COSE_Key}]`, exactly those members.
    pub fn parse(encryption_info: &str) -> Result<Self, Error> {
        let bytes = b64url_decode(encryption_info, "encryptionInfo")?;
        let item = cbor::decode(&bytes, &Limits::default())?;
        let (kind, params) = match item.value.as_array() {
            Some([kind, params]) => (kind, params),
            _ => return Err(structure("encryptionInfo: not a two-element array")),
        };
        if kind.value.as_text() != Some(DCAPI) {
            return Err(structure("encryptionInfo: type is not \"dcapi\""));
        }
        if params.value.as_map().map(<[_]>::len) != Some(2) {
            return Err(structure("encryptionInfo: want exactly nonce and recipientPublicKey"));
        }
        let nonce = params
            .get("nonce")
            .and_then(|v| v.value.as_bytes())
            .ok_or_else(|| structure("encryptionInfo: nonce missing or not a byte string"))?;
        if nonce.len() < NONCE_LEN {
            return Err(structure("encryptionInfo: nonce shorter than 16 bytes"));
        }
        let key = params
            .get("recipientPublicKey")
            .ok_or_else(|| structure("encryptionInfo: recipientPublicKey missing"))?;
        let public = crate::cose::public_key_from_cose(key)?;
        if public.curve() != crate::Curve::P256 {
            return Err(structure("encryptionInfo: recipientPublicKey is not on P-256"));
        }
        Ok(EncryptionInfo {
            nonce: nonce.to_vec(),
            recipient_public_key: public.to_bytes(),
        })
    }
}

/// What the verifier keeps between sending the request and receiving the
/// answer: the HPKE private key, the `encryptionInfo` string as sent and the
/// origin. Holds a private key: zeroized on drop, and `Debug` never prints it.
#[derive(Clone)]
pub struct RequestState {
    key: ReaderKey,
    encryption_info: String,
    origin: String,
    // Derived once from the three above (a scalar multiplication and a hash
    // saved per response).
    public_key: Vec<u8>,
    key_is_recipient: bool,
    transcript: SessionTranscript,
}

impl core::fmt::Debug for RequestState {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("RequestState")
            .field("origin", &self.origin)
            .field("encryption_info", &self.encryption_info)
            .field("key", &"<redacted>")
            .finish()
    }
}

impl RequestState {
    fn new(key: ReaderKey, encryption_info: String, origin: String) -> Result<Self, Error> {
        let info = EncryptionInfo::parse(&encryption_info)?;
        let public_key = hpke::public_key_bytes(&key);
        let key_is_recipient = bool::from(subtle::ConstantTimeEq::ct_eq(
            public_key.as_slice(),
            info.recipient_public_key.as_slice(),
        ));
        let transcript = session_transcript(&encryption_info, &origin);
        Ok(RequestState {
            key,
            encryption_info,
            origin,
            public_key,
            key_is_recipient,
            transcript,
        })
    }

    /// A state from the request `data` JSON the verifier sent
    /// (`{"deviceRequest": …, "encryptionInfo": …}`), the origin and the HPKE
    /// private key — for verifiers that keep these themselves (the `verify`
    /// CLI). The key is not compared with `recipientPublicKey` here:
    /// [`verify_response`] does that first and reports `hpke_key_mismatch`.
    pub fn from_request_data(request_json: &[u8], origin: &str, key: ReaderKey) -> Result<Self, Error> {
        let value: serde_json::Value =
            serde_json::from_slice(request_json).map_err(|_| structure("request: not JSON"))?;
        let obj = value
            .as_object()
            .ok_or_else(|| structure("request: not a JSON object"))?;
        let encryption_info = obj
            .get("encryptionInfo")
            .and_then(serde_json::Value::as_str)
            .ok_or_else(|| structure("request: encryptionInfo missing or not a string"))?;
        if let Some(dr) = obj.get("deviceRequest") {
            if !dr.is_string() {
                return Err(structure("request: deviceRequest is not a string"));
            }
        }
        Self::new(key, encryption_info.to_owned(), origin.to_owned())
    }

    /// The origin the request was made for.
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// The `encryptionInfo` string exactly as sent.
    pub fn encryption_info(&self) -> &str {
        &self.encryption_info
    }

    /// The SessionTranscript of this request.
    pub fn session_transcript(&self) -> SessionTranscript {
        self.transcript.clone()
    }

    /// The HPKE recipient public key (65-byte uncompressed P-256 point).
    pub fn recipient_public_key(&self) -> Vec<u8> {
        self.public_key.clone()
    }

    /// Serialises the state (CBOR `["kakunin-annex-c-state-1", d, encryptionInfo,
    /// origin]`) for storage between two HTTP calls. **Contains the private
    /// key**: store it server-side only, encrypted at rest; the buffer is
    /// zeroized on drop.
    pub fn to_bytes(&self) -> Zeroizing<Vec<u8>> {
        let scalar = self.key.key.scalar_bytes();
        let mut out = Zeroizing::new(Vec::with_capacity(64 + self.encryption_info.len() + self.origin.len()));
        cbor::write_head(&mut out, 4, 4);
        cbor::write_text(&mut out, STATE_FORMAT);
        cbor::write_bytes(&mut out, &scalar);
        cbor::write_text(&mut out, &self.encryption_info);
        cbor::write_text(&mut out, &self.origin);
        out
    }

    /// Restores a state written by [`RequestState::to_bytes`].
    pub fn from_bytes(data: &[u8]) -> Result<Self, Error> {
        let item = cbor::decode(data, &Limits::default())?;
        match item.value.as_array() {
            Some([format, d, ei, origin]) if format.value.as_text() == Some(STATE_FORMAT) => {
                let d = d.value.as_bytes().ok_or_else(|| structure("state: key"))?;
                let ei = ei.value.as_text().ok_or_else(|| structure("state: encryptionInfo"))?;
                let origin = origin.value.as_text().ok_or_else(|| structure("state: origin"))?;
                let key = ReaderKey::from_scalar(crate::Curve::P256, d)?;
                Self::new(key, ei.to_owned(), origin.to_owned())
            }
            _ => Err(structure("state: not a kakunin Annex C request state")),
        }
    }
}

/// A request ready to send, and the state to keep.
#[derive(Debug)]
pub struct Request {
    /// The request `data` JSON text: `{"deviceRequest": "…", "encryptionInfo": "…"}`.
    pub data: String,
    /// The DeviceRequest bytes (as base64url-encoded in `data`).
    pub device_request: Vec<u8>,
    /// What the verifier keeps until the answer arrives.
    pub state: RequestState,
}

/// Builds an Annex C request for `items` (each checked by the privacy policy:
/// no `individual_number_unicode` without a stated purpose) for the page at
/// `origin` (`https://host[:port]`, used verbatim). A fresh HPKE key pair and
/// a fresh 16-byte nonce are made per request. With `reader_auth`, every
/// DocRequest carries a ReaderAuth signed over the Annex C SessionTranscript
/// (ISO 18013-5 §9.1.4; Apple's wallet requires it).
pub fn build_request(
    items: &[ItemsRequest],
    origin: &str,
    reader_auth: Option<&dyn ReaderAuthSigner>,
) -> Result<Request, Error> {
    if items.is_empty() {
        return Err(structure("request: no ItemsRequest"));
    }
    let key = hpke::generate_key()?;
    let mut nonce = [0u8; NONCE_LEN];
    if !crypto::random_bytes(&mut nonce) {
        return Err(err(ErrorCode::StructureInvalid, "no randomness for the nonce"));
    }
    let mut ei = Vec::with_capacity(120);
    cbor::write_head(&mut ei, 4, 2);
    cbor::write_text(&mut ei, DCAPI);
    cbor::write_head(&mut ei, 5, 2);
    cbor::write_text(&mut ei, "nonce");
    cbor::write_bytes(&mut ei, &nonce);
    cbor::write_text(&mut ei, "recipientPublicKey");
    ei.extend_from_slice(&p256_cose_key(&hpke::public_key_bytes(&key)));
    let encryption_info = b64url_encode(&ei);
    let state = RequestState::new(key, encryption_info, origin.to_owned())?;
    let transcript = &state.transcript;
    let mut builder = DeviceRequestBuilder::new();
    for it in items {
        match reader_auth {
            Some(signer) => builder.add_with_reader_auth(it, transcript, signer)?,
            None => builder.add(it)?,
        };
    }
    let device_request = builder.build();
    let data = format!(
        "{{\"deviceRequest\":\"{}\",\"encryptionInfo\":\"{}\"}}",
        b64url_encode(&device_request),
        state.encryption_info
    );
    Ok(Request {
        data,
        device_request,
        state,
    })
}

/// Largest response JSON accepted: the base64url of the largest DeviceResponse
/// the limits allow, plus the envelope.
fn max_json_bytes(limits: &Limits) -> usize {
    limits.max_input_bytes.saturating_mul(4) / 3 + 4096
}

/// Reads the `response` string out of `{"response": …}` or the whole
/// credential `{"protocol": "org-iso-mdoc", "data": {"response": …}}`;
/// any other member or shape fails closed.
fn response_string(json: &serde_json::Value) -> Result<&str, Error> {
    let obj = json
        .as_object()
        .ok_or_else(|| structure("response: not a JSON object"))?;
    let data = if obj.contains_key("protocol") || obj.contains_key("data") {
        if obj.len() != 2 || obj.get("protocol").and_then(serde_json::Value::as_str) != Some(PROTOCOL) {
            return Err(structure(
                "credential: want exactly {\"protocol\": \"org-iso-mdoc\", \"data\": {…}}",
            ));
        }
        obj.get("data")
            .and_then(serde_json::Value::as_object)
            .ok_or_else(|| structure("credential: data is not an object"))?
    } else {
        obj
    };
    if data.len() != 1 {
        return Err(structure("response: want exactly one member, \"response\""));
    }
    data.get("response")
        .and_then(serde_json::Value::as_str)
        .ok_or_else(|| structure("response: \"response\" missing or not a string"))
}

/// The `["dcapi", {"enc", "cipherText"}]` envelope, exactly those members.
fn envelope<'a>(item: &'a Item<'a>) -> Result<(&'a [u8], &'a [u8]), Error> {
    let (kind, params) = match item.value.as_array() {
        Some([kind, params]) => (kind, params),
        _ => return Err(structure("response: not a two-element array")),
    };
    if kind.value.as_text() != Some(DCAPI) {
        return Err(structure("response: type is not \"dcapi\""));
    }
    if params.value.as_map().map(<[_]>::len) != Some(2) {
        return Err(structure("response: want exactly enc and cipherText"));
    }
    let enc = params
        .get("enc")
        .and_then(|v| v.value.as_bytes())
        .ok_or_else(|| structure("response: enc missing or not a byte string"))?;
    let ct = params
        .get("cipherText")
        .and_then(|v| v.value.as_bytes())
        .ok_or_else(|| structure("response: cipherText missing or not a byte string"))?;
    Ok((enc, ct))
}

/// Decrypts the wallet's answer without verifying the DeviceResponse: the
/// DeviceResponse bytes, or the first failure in the order of
/// [`verify_response`]. For callers that verify in another way (and for fuzzing).
pub fn open_response(state: &RequestState, response_json: &[u8], limits: &Limits) -> Result<Zeroizing<Vec<u8>>, Error> {
    // 1. Our key must be the recipient the request named.
    if !state.key_is_recipient {
        return Err(err(
            ErrorCode::HpkeKeyMismatch,
            "the HPKE key is not the recipientPublicKey of the request",
        ));
    }
    // 2. The envelope: JSON, base64url, CBOR, shape.
    if response_json.len() > max_json_bytes(limits) {
        return Err(err(ErrorCode::LimitExceeded, "response: larger than the limits allow"));
    }
    let json: serde_json::Value = serde_json::from_slice(response_json).map_err(|_| structure("response: not JSON"))?;
    let b64 = response_string(&json)?;
    let bytes = b64url_decode(b64, "response")?;
    let item = cbor::decode(&bytes, limits)?;
    let (enc, ct) = envelope(&item)?;
    // 3. HPKE, info = the SessionTranscript as encoded (not tag-24 wrapped).
    hpke::open(&state.key, enc, state.transcript.as_array_bytes(), &[], ct)
}

/// Opens and verifies the wallet's answer. The processing order, each
/// failure a top-level error that ends it:
///
/// 1. the state's key is the request's `recipientPublicKey`, else
///    `hpke_key_mismatch`;
/// 2. the response is JSON `{"response": b64url}` (or the whole credential),
///    the base64url decodes to `["dcapi", {"enc": bstr, "cipherText":
///    bstr}]` with nothing more or less, else `structure_invalid`
///    (`cbor_malformed` for undecodable CBOR);
/// 3. HPKE opens it with `info` = the SessionTranscript, else
///    `hpke_decrypt_failed` (a wrong origin or a request relayed from another
///    session ends here: the transcript differs);
/// 4. the DeviceResponse verifies as in proximity, with device authentication
///    over the Annex C SessionTranscript.
pub fn verify_response(verifier: &Verifier, state: &RequestState, response_json: &[u8], now: UnixTime) -> Verification {
    match open_response(state, response_json, &verifier.policy().limits) {
        Ok(device_response) => {
            let auth = DeviceAuthInput {
                session_transcript: Some(&state.transcript),
                reader_key: None,
            };
            verifier.verify_device_response(&device_response, auth, now)
        }
        Err(e) => Verification::from_error(e, now),
    }
}
