//! A simulated OpenID4VP 1.0 wallet for tests: mints DeviceResponses whose
//! deviceSignature covers a given SessionTranscript, packs them into a
//! `vp_token`, and encrypts Authorization Responses as JWE (ECDH-ES +
//! A128GCM/A256GCM) with its own code path (p256 + sha2 + aes-gcm directly,
//! independent of kakunin's decryption).
//!
#![allow(dead_code)]

use aes_gcm::aead::{AeadInPlace, KeyInit};
use base64::Engine;
use ciborium::Value;
use sha2::Digest;

use crate::keys::TestKey;
use crate::{device_response, enc, key, map, mint_document, tag24, text, DeviceAuthMode, MdocSpec, TestPki};

pub const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// A Document whose deviceSignature covers `transcript` (the encoded
/// SessionTranscript array).
pub fn document_for(pki: &TestPki, spec: &MdocSpec, transcript: &[u8]) -> Value {
    let mut issuer_only = spec.clone();
    issuer_only.device_auth = DeviceAuthMode::NoDeviceSigned;
    let Value::Map(mut doc) = mint_document(pki, &issuer_only) else {
        panic!("document is a map")
    };
    let device_key = spec
        .device_key
        .clone()
        .unwrap_or_else(|| TestKey::P256(key(spec.device_key_seed)));
    let dns_bytes = tag24(enc(&map(vec![])));
    let st: Value = ciborium::from_reader(transcript).expect("transcript");
    let da = enc(&Value::Array(vec![
        text("DeviceAuthentication"),
        st,
        text(&spec.doc_type),
        dns_bytes.clone(),
    ]));
    let da_bytes = enc(&tag24(da));
    let prot = enc(&map(device_key.protected_header()));
    let to_be_signed = enc(&Value::Array(vec![
        text("Signature1"),
        Value::Bytes(prot.clone()),
        Value::Bytes(vec![]),
        Value::Bytes(da_bytes),
    ]));
    let sig = device_key.sign_cose(&to_be_signed);
    let auth = map(vec![(
        text("deviceSignature"),
        Value::Array(vec![Value::Bytes(prot), map(vec![]), Value::Null, Value::Bytes(sig)]),
    )]);
    doc.push((
        text("deviceSigned"),
        map(vec![(text("nameSpaces"), dns_bytes), (text("deviceAuth"), auth)]),
    ));
    Value::Map(doc)
}

/// A one-document DeviceResponse signed over `transcript`.
pub fn device_response_for(pki: &TestPki, spec: &MdocSpec, transcript: &[u8]) -> Vec<u8> {
    device_response(vec![document_for(pki, spec, transcript)])
}

/// `{"id": ["b64url", …], …}`.
pub fn vp_token(entries: &[(&str, Vec<Vec<u8>>)]) -> String {
    let mut m = serde_json::Map::new();
    for (id, list) in entries {
        m.insert(
            (*id).to_owned(),
            serde_json::Value::Array(list.iter().map(|b| B64.encode(b).into()).collect()),
        );
    }
    serde_json::Value::Object(m).to_string()
}

/// Options of the wallet's JWE encryption (defaults are correct).
#[derive(Clone, Debug)]
pub struct JweOptions {
    pub alg: String,
    pub enc: String,
    pub apu: Option<Vec<u8>>,
    pub apv: Option<Vec<u8>>,
    /// Replace the epk point with these SEC1 bytes in the header.
    pub epk_override: Option<(Vec<u8>, Vec<u8>)>,
    /// Put this in the encrypted-key part.
    pub encrypted_key: Vec<u8>,
    /// Extra (or replacing) protected-header members.
    pub extra_header: Vec<(String, serde_json::Value)>,
}

impl Default for JweOptions {
    fn default() -> Self {
        JweOptions {
            alg: "ECDH-ES".into(),
            enc: "A256GCM".into(),
            apu: None,
            apv: None,
            epk_override: None,
            encrypted_key: Vec::new(),
            extra_header: Vec::new(),
        }
    }
}

fn concat_kdf(z: &[u8], alg_id: &str, apu: &[u8], apv: &[u8], bits: u32) -> Vec<u8> {
    let mut h = sha2::Sha256::new();
    h.update(1u32.to_be_bytes());
    h.update(z);
    for part in [alg_id.as_bytes(), apu, apv] {
        h.update((part.len() as u32).to_be_bytes());
        h.update(part);
    }
    h.update(bits.to_be_bytes());
    h.finalize()[..(bits / 8) as usize].to_vec()
}

/// Encrypts `plaintext` to the recipient's P-256 public key (65-byte SEC1)
/// as a compact JWE (RFC 7516 §7.1, RFC 7518 §4.6).
pub fn encrypt(recipient_sec1: &[u8], plaintext: &[u8], opt: &JweOptions) -> String {
    let eph = p256::SecretKey::random(&mut rand_core::OsRng);
    let epk = eph.public_key();
    let point = p256::EncodedPoint::from(epk);
    let (x, y) = match &opt.epk_override {
        Some((x, y)) => (x.clone(), y.clone()),
        None => (point.x().unwrap().to_vec(), point.y().unwrap().to_vec()),
    };
    let mut header = serde_json::json!({
        "alg": opt.alg,
        "enc": opt.enc,
        "epk": {"kty": "EC", "crv": "P-256", "x": B64.encode(&x), "y": B64.encode(&y)},
    });
    if let Some(apu) = &opt.apu {
        header["apu"] = B64.encode(apu).into();
    }
    if let Some(apv) = &opt.apv {
        header["apv"] = B64.encode(apv).into();
    }
    for (k, v) in &opt.extra_header {
        header[k.as_str()] = v.clone();
    }
    let h64 = B64.encode(header.to_string());
    let peer = p256::PublicKey::from_sec1_bytes(recipient_sec1).expect("recipient key");
    let z = p256::ecdh::diffie_hellman(eph.to_nonzero_scalar(), peer.as_affine());
    let apu = opt.apu.clone().unwrap_or_default();
    let apv = opt.apv.clone().unwrap_or_default();
    let iv: [u8; 12] = rand_bytes();
    let mut buf = plaintext.to_vec();
    let tag = match opt.enc.as_str() {
        "A128GCM" => {
            let k = concat_kdf(z.raw_secret_bytes(), &opt.enc, &apu, &apv, 128);
            aes_gcm::Aes128Gcm::new_from_slice(&k)
                .unwrap()
                .encrypt_in_place_detached(&iv.into(), h64.as_bytes(), &mut buf)
                .unwrap()
                .to_vec()
        }
        _ => {
            // A256GCM, and any other enc name (a forgery) keyed like A256GCM.
            let k = concat_kdf(z.raw_secret_bytes(), &opt.enc, &apu, &apv, 256);
            aes_gcm::Aes256Gcm::new_from_slice(&k)
                .unwrap()
                .encrypt_in_place_detached(&iv.into(), h64.as_bytes(), &mut buf)
                .unwrap()
                .to_vec()
        }
    };
    format!(
        "{h64}.{}.{}.{}.{}",
        B64.encode(&opt.encrypted_key),
        B64.encode(iv),
        B64.encode(&buf),
        B64.encode(&tag)
    )
}

fn rand_bytes<const N: usize>() -> [u8; N] {
    let mut b = [0u8; N];
    rand_core::RngCore::fill_bytes(&mut rand_core::OsRng, &mut b);
    b
}

/// `{"response": "<JWE of {"vp_token": …}>"}` for the verifier's key.
pub fn encrypted_response(recipient_sec1: &[u8], vp_token_json: &str, opt: &JweOptions) -> String {
    let plaintext = format!("{{\"vp_token\":{vp_token_json}}}");
    serde_json::json!({ "response": encrypt(recipient_sec1, plaintext.as_bytes(), opt) }).to_string()
}

/// `{"vp_token": …}`.
pub fn plain_response(vp_token_json: &str) -> String {
    format!("{{\"vp_token\":{vp_token_json}}}")
}
