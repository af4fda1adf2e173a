//! OpenID for Verifiable Presentations 1.0 with the `mso_mdoc` credential
//! format (OpenID4VP 1.0 §B.2), verifier side, sans I/O.
//!
//! - Request: [`AuthorizationRequestBuilder`] makes the DCQL query
//!   (OpenID4VP 1.0 §6), the request object JSON (§5) and, optionally, its
//!   JWS ES256 signature with `x5c`; it returns a [`RequestState`] the server
//!   keeps (serialisable, it holds the response-encryption private key).
//! - Response: [`RequestState::verify`] (or [`verify_response`] /
//!   [`verify_vp_token`]) decrypts a JWE response (RFC 7516, ECDH-ES,
//!   [`jwe`]), checks the `vp_token` shape and verifies every DeviceResponse
//!   with the SessionTranscript of §B.2.6, returning the same
//!   [`Verification`](crate::Verification) as proximity.
//! - Transcripts: [`redirect_session_transcript`] (`OpenID4VPHandover`) and
//!   [`dc_api_session_transcript`] (`OpenID4VPDCAPIHandover`), plus the
//!   legacy [`iso_18013_7_annex_b_session_transcript`] and
//!   [`draft24_dc_api_session_transcript`] still sent by older wallets.

use base64::Engine;
use zeroize::Zeroizing;

use crate::cbor;
use crate::crypto::{self, Curve, PrivateKey, PublicKey};
use crate::error::{err, Error, ErrorCode};
use crate::presentation::transcript::SessionTranscript;
use crate::reader_key::ReaderKey;

pub mod jwe;
mod request;
mod response;

pub use request::{
    dcql_query_json, AuthorizationRequest, AuthorizationRequestBuilder, DcqlCredential, RequestState, ResponseMode,
};
pub use response::{parse_vp_token, verify_response, verify_vp_token, Presentation};

pub(crate) const B64URL: base64::engine::GeneralPurpose = base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// How the wallet was invoked, which decides the handover (OpenID4VP 1.0
/// §B.2.6): redirects bind `client_id` and `response_uri`, the W3C Digital
/// Credentials API binds the caller's origin.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Flow {
    /// Invocation via redirects (`direct_post`, `direct_post.jwt`).
    Redirect {
        /// The `client_id` of the request, with its prefix (e.g.
        /// `x509_san_dns:example.com`), verbatim.
        client_id: String,
        /// The `response_uri` of the request, verbatim.
        response_uri: String,
    },
    /// Invocation via the Digital Credentials API (`dc_api`, `dc_api.jwt`).
    DcApi {
        /// The web origin that called the API, `https://host[:port]`.
        origin: String,
    },
}

impl Flow {
    /// The SessionTranscript of this flow for `nonce` and the response
    /// encryption key's thumbprint (`None` for unencrypted responses).
    pub fn session_transcript(&self, nonce: &str, jwk_thumbprint: Option<&[u8; 32]>) -> SessionTranscript {
        match self {
            Flow::Redirect {
                client_id,
                response_uri,
            } => redirect_session_transcript(client_id, nonce, jwk_thumbprint, response_uri),
            Flow::DcApi { origin } => dc_api_session_transcript(origin, nonce, jwk_thumbprint),
        }
    }
}

fn write_opt_thumbprint(out: &mut Vec<u8>, t: Option<&[u8; 32]>) {
    match t {
        Some(t) => cbor::write_bytes(out, t),
        None => out.push(0xf6),
    }
}

/// `[null, null, [name, bstr hash]]`.
fn online_transcript(name: &str, hash: &[u8; 32]) -> SessionTranscript {
    let mut st = Vec::with_capacity(64);
    cbor::write_head(&mut st, 4, 3);
    st.push(0xf6);
    st.push(0xf6);
    cbor::write_head(&mut st, 4, 2);
    cbor::write_text(&mut st, name);
    cbor::write_bytes(&mut st, hash);
    SessionTranscript::from_encoded_array(st)
}

/// The `OpenID4VPHandoverInfo` CBOR bytes
/// `[client_id, nonce, jwk_thumbprint / null, response_uri]`
/// (OpenID4VP 1.0 §B.2.6.1).
pub fn redirect_handover_info(
    client_id: &str,
    nonce: &str,
    jwk_thumbprint: Option<&[u8; 32]>,
    response_uri: &str,
) -> Vec<u8> {
    let mut info = Vec::new();
    cbor::write_head(&mut info, 4, 4);
    cbor::write_text(&mut info, client_id);
    cbor::write_text(&mut info, nonce);
    write_opt_thumbprint(&mut info, jwk_thumbprint);
    cbor::write_text(&mut info, response_uri);
    info
}

/// The `OpenID4VPDCAPIHandoverInfo` CBOR bytes
/// `[origin, nonce, jwk_thumbprint / null]` (OpenID4VP 1.0 §B.2.6.2).
pub fn dc_api_handover_info(origin: &str, nonce: &str, jwk_thumbprint: Option<&[u8; 32]>) -> Vec<u8> {
    let mut info = Vec::new();
    cbor::write_head(&mut info, 4, 3);
    cbor::write_text(&mut info, origin);
    cbor::write_text(&mut info, nonce);
    write_opt_thumbprint(&mut info, jwk_thumbprint);
    info
}

/// SessionTranscript for invocation via redirects (OpenID4VP 1.0 §B.2.6.1):
/// `[null, null, ["OpenID4VPHandover", SHA-256(OpenID4VPHandoverInfo)]]`
/// with `OpenID4VPHandoverInfo = [client_id, nonce, jwk_thumbprint / null,
/// response_uri]`. `client_id` keeps its prefix (`x509_san_dns:…`,
/// `x509_hash:…`); `jwk_thumbprint` is the RFC 7638 SHA-256 thumbprint of the
/// response-encryption key, `None` when the response is not encrypted.
pub fn redirect_session_transcript(
    client_id: &str,
    nonce: &str,
    jwk_thumbprint: Option<&[u8; 32]>,
    response_uri: &str,
) -> SessionTranscript {
    let info = redirect_handover_info(client_id, nonce, jwk_thumbprint, response_uri);
    online_transcript("OpenID4VPHandover", &crypto::sha256(&info))
}

/// SessionTranscript for invocation via the W3C Digital Credentials API
/// (OpenID4VP 1.0 §B.2.6.2): `[null, null, ["OpenID4VPDCAPIHandover",
/// SHA-256(OpenID4VPDCAPIHandoverInfo)]]` with
/// `OpenID4VPDCAPIHandoverInfo = [origin, nonce, jwk_thumbprint / null]`.
pub fn dc_api_session_transcript(origin: &str, nonce: &str, jwk_thumbprint: Option<&[u8; 32]>) -> SessionTranscript {
    let info = dc_api_handover_info(origin, nonce, jwk_thumbprint);
    online_transcript("OpenID4VPDCAPIHandover", &crypto::sha256(&info))
}

/// **Legacy**: the SessionTranscript of ISO/IEC 18013-7:2024 Annex B
/// (OpenID4VP drafts before 1.0, redirects):
/// `[null, null, [SHA-256(CBOR([client_id, mdoc_generated_nonce])),
/// SHA-256(CBOR([response_uri, mdoc_generated_nonce])), nonce]]`, where the
/// wallet sent `mdoc_generated_nonce` in the JWE `apu` header. Superseded by
/// [`redirect_session_transcript`]; kept for wallets that still send it.
pub fn iso_18013_7_annex_b_session_transcript(
    client_id: &str,
    response_uri: &str,
    nonce: &str,
    mdoc_generated_nonce: &str,
) -> SessionTranscript {
    let hash_pair = |a: &str| {
        let mut v = Vec::new();
        cbor::write_head(&mut v, 4, 2);
        cbor::write_text(&mut v, a);
        cbor::write_text(&mut v, mdoc_generated_nonce);
        crypto::sha256(&v)
    };
    let mut st = Vec::with_capacity(128);
    cbor::write_head(&mut st, 4, 3);
    st.push(0xf6);
    st.push(0xf6);
    cbor::write_head(&mut st, 4, 3);
    cbor::write_bytes(&mut st, &hash_pair(client_id));
    cbor::write_bytes(&mut st, &hash_pair(response_uri));
    cbor::write_text(&mut st, nonce);
    SessionTranscript::from_encoded_array(st)
}

/// **Legacy**: the SessionTranscript of OpenID4VP draft 24 over the Digital
/// Credentials API: `[null, null, ["OpenID4VPDCAPIHandover",
/// SHA-256(CBOR([origin, client_id, nonce]))]]`. Superseded by
/// [`dc_api_session_transcript`] (which drops `client_id` and adds the JWK
/// thumbprint); kept for wallets that still send it.
pub fn draft24_dc_api_session_transcript(origin: &str, client_id: &str, nonce: &str) -> SessionTranscript {
    let mut info = Vec::new();
    cbor::write_head(&mut info, 4, 3);
    cbor::write_text(&mut info, origin);
    cbor::write_text(&mut info, client_id);
    cbor::write_text(&mut info, nonce);
    online_transcript("OpenID4VPDCAPIHandover", &crypto::sha256(&info))
}

fn bad_jwk(m: &str) -> Error {
    err(ErrorCode::StructureInvalid, format!("JWK: {m}"))
}

fn b64_coordinate(obj: &serde_json::Map<String, serde_json::Value>, name: &str) -> Result<[u8; 32], Error> {
    let s = obj
        .get(name)
        .and_then(serde_json::Value::as_str)
        .ok_or_else(|| bad_jwk(&format!("missing \"{name}\"")))?;
    let v = Zeroizing::new(
        B64URL
            .decode(s)
            .map_err(|_| bad_jwk(&format!("\"{name}\" is not base64url")))?,
    );
    <[u8; 32]>::try_from(v.as_slice()).map_err(|_| bad_jwk(&format!("\"{name}\" is not 32 bytes")))
}

/// The public key of an EC P-256 JWK object (RFC 7518 §6.2.1); `kty` must be
/// `EC` and `crv` `P-256`, and the point must be on the curve (else an
/// error with `off_curve`).
pub(crate) fn p256_public_from_jwk(
    obj: &serde_json::Map<String, serde_json::Value>,
    off_curve: ErrorCode,
) -> Result<PublicKey, Error> {
    if obj.get("kty").and_then(serde_json::Value::as_str) != Some("EC") {
        return Err(bad_jwk("kty is not \"EC\""));
    }
    if obj.get("crv").and_then(serde_json::Value::as_str) != Some("P-256") {
        return Err(err(ErrorCode::UnsupportedAlgorithm, "JWK: crv is not \"P-256\""));
    }
    let x = b64_coordinate(obj, "x")?;
    let y = b64_coordinate(obj, "y")?;
    let mut sec1 = Vec::with_capacity(65);
    sec1.push(4);
    sec1.extend_from_slice(&x);
    sec1.extend_from_slice(&y);
    PublicKey::from_bytes(Curve::P256, &sec1).ok_or_else(|| err(off_curve, "JWK: point is not on P-256"))
}

/// RFC 7638 thumbprint of a P-256 public key: SHA-256 over
/// `{"crv":"P-256","kty":"EC","x":"…","y":"…"}` (members in lexicographic
/// order, no whitespace, coordinates base64url without padding).
pub(crate) fn thumbprint_of(key: &PublicKey) -> [u8; 32] {
    let (x, y) = public_xy(key);
    let canonical = format!(
        "{{\"crv\":\"P-256\",\"kty\":\"EC\",\"x\":\"{}\",\"y\":\"{}\"}}",
        B64URL.encode(x),
        B64URL.encode(y)
    );
    crypto::sha256(canonical.as_bytes())
}

fn public_xy(key: &PublicKey) -> (Vec<u8>, Vec<u8>) {
    let sec1 = key.to_bytes();
    let x = sec1.get(1..33).unwrap_or_default().to_vec();
    let y = sec1.get(33..65).unwrap_or_default().to_vec();
    (x, y)
}

/// The RFC 7638 JWK thumbprint (SHA-256, 32 bytes) of an EC P-256 JWK given
/// as JSON — public or private; members other than `kty`, `crv`, `x`, `y`
/// are ignored, as RFC 7638 §3.2 requires.
pub fn jwk_thumbprint(jwk_json: &str) -> Result<[u8; 32], Error> {
    let v: serde_json::Value = serde_json::from_str(jwk_json).map_err(|e| bad_jwk(&e.to_string()))?;
    let obj = v.as_object().ok_or_else(|| bad_jwk("not a JSON object"))?;
    Ok(thumbprint_of(&p256_public_from_jwk(obj, ErrorCode::StructureInvalid)?))
}

/// The verifier's P-256 response-encryption key (ECDH-ES, RFC 7518 §4.6).
/// The private scalar is zeroized on drop and never printed.
#[derive(Clone)]
pub struct EncryptionKey {
    key: PrivateKey,
}

impl core::fmt::Debug for EncryptionKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("EncryptionKey(P-256)")
    }
}

impl EncryptionKey {
    fn from_private(key: PrivateKey) -> Result<Self, Error> {
        if key.curve() != Curve::P256 {
            return Err(err(
                ErrorCode::UnsupportedAlgorithm,
                "response encryption key must be on P-256",
            ));
        }
        Ok(EncryptionKey { key })
    }

    /// A fresh key from the operating system's CSPRNG.
    pub fn generate() -> Result<Self, Error> {
        let key = crypto::generate_private_key(Curve::P256)
            .ok_or_else(|| err(ErrorCode::UnsupportedAlgorithm, "cannot generate a P-256 key"))?;
        Self::from_private(key)
    }

    /// From a 32-byte big-endian private scalar.
    pub fn from_scalar(d: &[u8]) -> Result<Self, Error> {
        let key = PrivateKey::from_scalar(Curve::P256, d)
            .ok_or_else(|| err(ErrorCode::StructureInvalid, "encryption key: invalid P-256 scalar"))?;
        Self::from_private(key)
    }

    /// From a private EC P-256 JWK (JSON with `d`); when `x`/`y` are present
    /// they must match `d`.
    pub fn from_jwk(json: &str) -> Result<Self, Error> {
        let v: serde_json::Value = serde_json::from_str(json).map_err(|e| bad_jwk(&e.to_string()))?;
        let obj = v.as_object().ok_or_else(|| bad_jwk("not a JSON object"))?;
        let d = b64_coordinate(obj, "d")?;
        let d = Zeroizing::new(d);
        let key = Self::from_scalar(d.as_slice())?;
        if obj.contains_key("x") || obj.contains_key("y") {
            let public = p256_public_from_jwk(obj, ErrorCode::StructureInvalid)?;
            if public != key.key.public_key() {
                return Err(bad_jwk("x/y do not match d"));
            }
        }
        Ok(key)
    }

    /// From a private key as a JWK (JSON), PEM (PKCS#8 or SEC1) or DER.
    pub fn from_bytes(data: &[u8]) -> Result<Self, Error> {
        if let Ok(text) = core::str::from_utf8(data) {
            if text.trim_start().starts_with('{') {
                return Self::from_jwk(text);
            }
        }
        Self::from_private(ReaderKey::from_bytes(data)?.key)
    }

    /// The public JWK for `client_metadata.jwks`:
    /// `{"kty":"EC","crv":"P-256","x":…,"y":…,"use":"enc","alg":"ECDH-ES"}`
    /// plus `kid` when given.
    pub fn public_jwk(&self, kid: Option<&str>) -> serde_json::Value {
        let (x, y) = public_xy(&self.key.public_key());
        let mut m = serde_json::Map::new();
        m.insert("kty".into(), "EC".into());
        m.insert("crv".into(), "P-256".into());
        m.insert("x".into(), B64URL.encode(x).into());
        m.insert("y".into(), B64URL.encode(y).into());
        m.insert("use".into(), "enc".into());
        m.insert("alg".into(), "ECDH-ES".into());
        if let Some(kid) = kid {
            m.insert("kid".into(), kid.into());
        }
        serde_json::Value::Object(m)
    }

    /// The uncompressed SEC1 public point (65 bytes).
    pub fn public_sec1(&self) -> Vec<u8> {
        self.key.public_key().to_bytes()
    }

    /// The RFC 7638 SHA-256 thumbprint of the public key: the
    /// `jwk_thumbprint` of the handover (OpenID4VP 1.0 §B.2.6).
    pub fn thumbprint(&self) -> [u8; 32] {
        thumbprint_of(&self.key.public_key())
    }

    /// The private scalar (32 bytes), zeroized when dropped.
    pub fn scalar_bytes(&self) -> Zeroizing<Vec<u8>> {
        self.key.scalar_bytes()
    }

    pub(crate) fn private_key(&self) -> &PrivateKey {
        &self.key
    }
}
