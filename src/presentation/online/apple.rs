//! Apple "Verify with Wallet" in apps: PassKit's `PKIdentityRequest` hands
//! the app `PKIdentityDocument.encryptedData`, a CBOR envelope sealed with
//! HPKE to the verifier's P-256 encryption key:
//!
//! ```text
//! {"algorithm": "APPLE-HPKE-v1",
//!  "params": {"mode": 0, "pkEm": bstr, "pkRHash": bstr, "infoHash": bstr},
//!  "data": bstr}
//! ```
//!
//! The SessionTranscript is `[null, null, ["AppleIdentityPresentment_1.0",
//! nonce, merchantId, teamId, pkRHash]]`; HPKE (RFC 9180 base mode,
//! DHKEM(P-256, HKDF-SHA256), HKDF-SHA256, AES-128-GCM) uses `info` = the
//! encoded transcript and an empty `aad`; the plaintext is `{"identity":
//! DeviceResponse}`. Apple does not name the encoding of the key hashed into
//! `pkRHash`: public implementations hash the 65-byte uncompressed point;
//! kakunin also accepts the hash of the DER SubjectPublicKeyInfo.
//!
//! Sans I/O: the app (or its server) passes the envelope, its key and the
//! request values to [`verify_envelope`] and gets the same
//! [`Verification`] as proximity.

use crate::cbor::{self, Item, Value};
use crate::crypto::{self, hpke};
use crate::error::{err, structure, Error, ErrorCode};
use crate::limits::Limits;
use crate::presentation::transcript::SessionTranscript;
use crate::reader_key::ReaderKey;
use crate::time::UnixTime;
use crate::verifier::{DeviceAuthInput, Verification, Verifier};
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

/// The only envelope algorithm defined.
pub const ALGORITHM: &str = "APPLE-HPKE-v1";

/// The handover name in the SessionTranscript.
pub const HANDOVER: &str = "AppleIdentityPresentment_1.0";

/// The values of the verifier's `PKIdentityRequest` that the transcript binds.
#[derive(Clone, Copy, Debug)]
pub struct RequestContext<'a> {
    /// The request nonce, as bytes.
    pub nonce: &'a [u8],
    /// The merchant identifier.
    pub merchant_id: &'a str,
    /// The Apple developer team identifier.
    pub team_id: &'a str,
}

/// The SessionTranscript `[null, null, ["AppleIdentityPresentment_1.0",
/// nonce, merchantId, teamId, pkRHash]]`.
pub fn session_transcript(context: RequestContext<'_>, pk_r_hash: &[u8]) -> SessionTranscript {
    let mut array = Vec::with_capacity(96 + context.nonce.len() + context.merchant_id.len() + context.team_id.len());
    cbor::write_head(&mut array, 4, 3);
    array.push(0xf6);
    array.push(0xf6);
    cbor::write_head(&mut array, 4, 5);
    cbor::write_text(&mut array, HANDOVER);
    cbor::write_bytes(&mut array, context.nonce);
    cbor::write_text(&mut array, context.merchant_id);
    cbor::write_text(&mut array, context.team_id);
    cbor::write_bytes(&mut array, pk_r_hash);
    SessionTranscript::from_encoded_array(array)
}

/// DER SubjectPublicKeyInfo of a P-256 point (RFC 5480 §2: id-ecPublicKey,
/// secp256r1).
fn p256_spki(point: &[u8]) -> Vec<u8> {
    const PREFIX: [u8; 26] = [
        0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a, 0x86, 0x48,
        0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00,
    ];
    let mut der = PREFIX.to_vec();
    der.extend_from_slice(point);
    der
}

struct Envelope<'a> {
    algorithm: &'a str,
    mode: Option<i64>,
    pk_em: &'a [u8],
    pk_r_hash: &'a [u8],
    info_hash: &'a [u8],
    data: &'a [u8],
}

fn exact_map<'i, 'a>(item: &'i Item<'a>, keys: &[&str], what: &str) -> Result<&'i [(Item<'a>, Item<'a>)], Error> {
    let map = item
        .value
        .as_map()
        .ok_or_else(|| structure(format!("{what}: not a map")))?;
    if map.len() != keys.len() || keys.iter().any(|k| item.get(k).is_none()) {
        return Err(structure(format!("{what}: want exactly the members {keys:?}")));
    }
    Ok(map)
}

fn bytes_member<'a>(item: &Item<'a>, key: &str) -> Result<&'a [u8], Error> {
    item.get(key)
        .and_then(|v| v.value.as_bytes())
        .ok_or_else(|| structure(format!("envelope: {key} is not a byte string")))
}

fn parse_envelope<'a>(item: &Item<'a>) -> Result<Envelope<'a>, Error> {
    exact_map(item, &["algorithm", "params", "data"], "envelope")?;
    let params = item.get("params").ok_or_else(|| structure("envelope: params"))?;
    exact_map(params, &["mode", "pkEm", "pkRHash", "infoHash"], "envelope params")?;
    let algorithm = item
        .get("algorithm")
        .and_then(|v| v.value.as_text())
        .ok_or_else(|| structure("envelope: algorithm is not a text string"))?;
    let mode = match params.get("mode").map(|v| &v.value) {
        Some(Value::Unsigned(_)) | Some(Value::Negative(_)) => params.get("mode").and_then(|v| v.value.as_i64()),
        _ => return Err(structure("envelope: mode is not an integer")),
    };
    Ok(Envelope {
        algorithm,
        mode,
        pk_em: bytes_member(params, "pkEm")?,
        pk_r_hash: bytes_member(params, "pkRHash")?,
        info_hash: bytes_member(params, "infoHash")?,
        data: bytes_member(item, "data")?,
    })
}

/// Opens the envelope without verifying the DeviceResponse: the
/// DeviceResponse bytes, or the first failure in the order of
/// [`verify_envelope`]. For callers that verify in another way (and fuzzing).
pub fn open_envelope(
    key: &ReaderKey,
    context: RequestContext<'_>,
    envelope: &[u8],
    limits: &Limits,
) -> Result<(Zeroizing<Vec<u8>>, SessionTranscript), Error> {
    // 1. Envelope CBOR and shape.
    let item = cbor::decode(envelope, limits)?;
    let env = parse_envelope(&item)?;
    // 2. Algorithm and mode.
    if env.algorithm != ALGORITHM {
        return Err(err(
            ErrorCode::UnsupportedAlgorithm,
            format!("envelope algorithm {:?} is not {ALGORITHM}", env.algorithm),
        ));
    }
    if env.mode != Some(0) {
        return Err(err(
            ErrorCode::UnsupportedAlgorithm,
            "envelope mode is not 0 (HPKE base mode)",
        ));
    }
    // 3. pkRHash names our key (the point, or its SubjectPublicKeyInfo).
    let point = hpke::public_key_bytes(key);
    let by_point = crypto::sha256(&point);
    let by_spki = crypto::sha256(&p256_spki(&point));
    let names_us = bool::from(env.pk_r_hash.ct_eq(&by_point[..])) || bool::from(env.pk_r_hash.ct_eq(&by_spki[..]));
    if !names_us {
        return Err(err(
            ErrorCode::HpkeKeyMismatch,
            "pkRHash is not the hash of our encryption key: the envelope was sealed to another recipient",
        ));
    }
    // 4. infoHash = SHA-256 of the transcript we expect.
    let transcript = session_transcript(context, env.pk_r_hash);
    let expected = crypto::sha256(transcript.as_array_bytes());
    if !bool::from(env.info_hash.ct_eq(&expected[..])) {
        return Err(err(
            ErrorCode::SessionTranscriptMismatch,
            "infoHash does not match the SessionTranscript of this request (nonce, merchant or team identifier)",
        ));
    }
    // 5. HPKE open, info = the transcript, aad empty.
    let plaintext = hpke::open(key, env.pk_em, transcript.as_array_bytes(), &[], env.data)?;
    // 6. {"identity": DeviceResponse}.
    let inner = cbor::decode(&plaintext, limits).map_err(|_| structure("decrypted envelope is not CBOR"))?;
    exact_map(&inner, &["identity"], "decrypted envelope")?;
    let identity = inner
        .get("identity")
        .ok_or_else(|| structure("decrypted envelope: identity missing"))?;
    let device_response = match &identity.value {
        Value::Map(_) => identity.raw,
        Value::Bytes(b) => b,
        _ => return Err(structure("identity is not a DeviceResponse")),
    };
    Ok((Zeroizing::new(device_response.to_vec()), transcript))
}

/// Opens and verifies `PKIdentityDocument.encryptedData`. The processing
/// order, each failure a top-level error that ends it:
///
/// 1. envelope CBOR (`cbor_malformed`) and shape, exactly the members above
///    (`structure_invalid`);
/// 2. `algorithm` = `APPLE-HPKE-v1` and `mode` = 0, else
///    `unsupported_algorithm`;
/// 3. `pkRHash` = SHA-256 of our public key, else `hpke_key_mismatch`;
/// 4. `infoHash` = SHA-256(CBOR(SessionTranscript)), else
///    `session_transcript_mismatch` (a wrong nonce, merchant or team);
/// 5. HPKE open, else `hpke_decrypt_failed`;
/// 6. the plaintext is `{"identity": DeviceResponse}`, else
///    `structure_invalid`;
/// 7. the DeviceResponse verifies as in proximity, device authentication
///    over the same SessionTranscript.
pub fn verify_envelope(
    verifier: &Verifier,
    key: &ReaderKey,
    context: RequestContext<'_>,
    envelope: &[u8],
    now: UnixTime,
) -> Verification {
    match open_envelope(key, context, envelope, &verifier.policy().limits) {
        Ok((device_response, transcript)) => {
            let auth = DeviceAuthInput {
                session_transcript: Some(&transcript),
                reader_key: None,
            };
            verifier.verify_device_response(&device_response, auth, now)
        }
        Err(e) => Verification::from_error(e, now),
    }
}
