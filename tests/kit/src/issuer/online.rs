//! A simulated wallet for the online flows: it reads the verifier's request
//! the way a wallet does, builds the SessionTranscript on its own (ciborium +
//! sha2, independently of the library), mints a DeviceResponse whose
//! deviceSignature covers that transcript, and seals it with HPKE
//! (RFC 9180 base mode, P-256 / HKDF-SHA256 / AES-128-GCM).
//!
//! Every knob of [`Tamper`] produces one forgery the verifier must refuse.

use super::{enc, text, MdocSpec, TestPki};
use base64::Engine;
use ciborium::Value;
use sha2::Digest;

pub fn b64(data: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(data)
}

pub fn unb64(s: &str) -> Vec<u8> {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(s)
        .expect("base64url")
}

fn sha256(data: &[u8]) -> Vec<u8> {
    sha2::Sha256::digest(data).to_vec()
}

/// `[null, null, ["dcapi", SHA-256(CBOR([encryptionInfo, origin]))]]`.
pub fn annex_c_transcript(encryption_info: &str, origin: &str) -> Vec<u8> {
    let hash = sha256(&enc(&Value::Array(vec![text(encryption_info), text(origin)])));
    enc(&Value::Array(vec![
        Value::Null,
        Value::Null,
        Value::Array(vec![text("dcapi"), Value::Bytes(hash)]),
    ]))
}

/// `[null, null, ["AppleIdentityPresentment_1.0", nonce, merchantId, teamId, pkRHash]]`.
pub fn apple_transcript(nonce: &[u8], merchant_id: &str, team_id: &str, pk_r_hash: &[u8]) -> Vec<u8> {
    enc(&Value::Array(vec![
        Value::Null,
        Value::Null,
        Value::Array(vec![
            text("AppleIdentityPresentment_1.0"),
            Value::Bytes(nonce.to_vec()),
            text(merchant_id),
            text(team_id),
            Value::Bytes(pk_r_hash.to_vec()),
        ]),
    ]))
}

/// What the wallet reads out of `encryptionInfo`.
pub struct ParsedRequest {
    pub encryption_info: String,
    pub nonce: Vec<u8>,
    pub recipient: Vec<u8>,
}

/// Reads the request `data` JSON as a wallet does.
pub fn parse_annex_c_request(data_json: &str) -> ParsedRequest {
    let v: serde_json::Value = serde_json::from_str(data_json).expect("request JSON");
    let ei = v["encryptionInfo"].as_str().expect("encryptionInfo").to_owned();
    let item: Value = ciborium::from_reader(unb64(&ei).as_slice()).expect("CBOR");
    let arr = item.as_array().expect("array");
    assert_eq!(arr[0].as_text(), Some("dcapi"));
    let params = arr[1].as_map().expect("map");
    let get = |k: &str| {
        params
            .iter()
            .find(|(key, _)| key.as_text() == Some(k))
            .map(|(_, v)| v.clone())
            .expect(k)
    };
    let nonce = get("nonce").as_bytes().expect("nonce").clone();
    let cose = get("recipientPublicKey");
    let cose = cose.as_map().expect("COSE_Key");
    let coord = |label: i64| {
        cose.iter()
            .find(|(k, _)| k.as_integer() == Some(label.into()))
            .and_then(|(_, v)| v.as_bytes().cloned())
            .expect("coordinate")
    };
    let mut recipient = vec![4u8];
    recipient.extend(coord(-2));
    recipient.extend(coord(-3));
    ParsedRequest {
        encryption_info: ei,
        nonce,
        recipient,
    }
}

/// One way for the wallet (or a man in the middle) to get it wrong.
#[derive(Clone, Debug, Default)]
pub struct Tamper {
    /// Build the transcript for this origin instead of the verifier's.
    pub origin: Option<String>,
    /// Seal to (and sign over) another request's `encryptionInfo` (a relay).
    pub encryption_info: Option<String>,
    /// Use `#6.24(bstr .cbor SessionTranscript)` as HPKE info.
    pub tag24_info: bool,
    /// Flip a bit of `enc` (off the curve).
    pub flip_enc: bool,
    /// Flip a bit of the ciphertext.
    pub flip_ciphertext: bool,
    /// Use this HPKE info instead of the transcript (another flow's transcript).
    pub info: Option<Vec<u8>>,
    /// Sign the DeviceResponse over this transcript instead.
    pub signed_transcript: Option<Vec<u8>>,
    /// Envelope type other than "dcapi".
    pub envelope_type: Option<String>,
    /// An extra envelope member.
    pub extra_member: bool,
}

/// Seals a DeviceResponse for `spec` (its transcript set to `transcript`) to
/// `recipient`; returns `(enc, cipherText)`.
pub fn seal_response(
    pki: &TestPki,
    spec: &MdocSpec,
    recipient: &[u8],
    signed_transcript: Vec<u8>,
    info: &[u8],
    tamper: &Tamper,
) -> (Vec<u8>, Vec<u8>) {
    let spec = MdocSpec {
        transcript: Some(signed_transcript),
        ..spec.clone()
    };
    let dr = super::mint(pki, &spec);
    let (mut e, mut ct) = kakunin::internals::crypto::hpke::seal(recipient, info, &[], &dr).expect("seal");
    if tamper.flip_enc {
        e[64] ^= 1;
    }
    if tamper.flip_ciphertext {
        ct[3] ^= 0x80;
    }
    (e, ct)
}

/// The wallet's answer to an Annex C request: the credential `data`
/// `{"response": b64url(["dcapi", {"enc", "cipherText"}])}`.
pub fn annex_c_response(pki: &TestPki, spec: &MdocSpec, request_data: &str, origin: &str, tamper: &Tamper) -> String {
    let req = parse_annex_c_request(request_data);
    let ei = tamper.encryption_info.clone().unwrap_or(req.encryption_info);
    let origin = tamper.origin.as_deref().unwrap_or(origin);
    let transcript = annex_c_transcript(&ei, origin);
    let info = match (&tamper.info, tamper.tag24_info) {
        (Some(i), _) => i.clone(),
        (None, true) => enc(&super::tag24(transcript.clone())),
        (None, false) => transcript.clone(),
    };
    let signed = tamper.signed_transcript.clone().unwrap_or(transcript);
    let (e, ct) = seal_response(pki, spec, &req.recipient, signed, &info, tamper);
    let mut params = vec![(text("enc"), Value::Bytes(e)), (text("cipherText"), Value::Bytes(ct))];
    if tamper.extra_member {
        params.push((text("aad"), Value::Bytes(vec![])));
    }
    let envelope = enc(&Value::Array(vec![
        text(tamper.envelope_type.as_deref().unwrap_or("dcapi")),
        Value::Map(params),
    ]));
    format!("{{\"response\":\"{}\"}}", b64(&envelope))
}

/// The verifier's Apple in-app parameters.
#[derive(Clone, Debug)]
pub struct AppleRequest {
    pub nonce: Vec<u8>,
    pub merchant_id: String,
    pub team_id: String,
    /// The verifier's encryption public key (65-byte point).
    pub recipient: Vec<u8>,
}

/// What the Apple envelope can get wrong.
#[derive(Clone, Debug, Default)]
pub struct AppleTamper {
    pub common: Tamper,
    /// Hash the DER SubjectPublicKeyInfo instead of the point into pkRHash.
    pub pk_r_hash_of_spki: bool,
    /// Use this pkRHash.
    pub pk_r_hash: Option<Vec<u8>>,
    /// Use this infoHash.
    pub info_hash: Option<Vec<u8>>,
    /// Put the hash of the verifier's genuine transcript into infoHash,
    /// whatever transcript the wallet sealed over.
    pub genuine_info_hash: bool,
    /// The wallet saw these values instead of the verifier's.
    pub nonce: Option<Vec<u8>>,
    pub merchant_id: Option<String>,
    pub team_id: Option<String>,
    pub algorithm: Option<String>,
    pub mode: Option<i64>,
    /// Plaintext member name instead of "identity".
    pub identity_key: Option<String>,
}

/// DER SubjectPublicKeyInfo of a P-256 point.
pub fn p256_spki(point: &[u8]) -> Vec<u8> {
    let mut der = hex::decode("3059301306072a8648ce3d020106082a8648ce3d030107034200").unwrap();
    der.extend_from_slice(point);
    der
}

/// `PKIdentityDocument.encryptedData`: the CBOR envelope `{"algorithm":
/// "APPLE-HPKE-v1", "params": {"mode": 0, "pkEm", "pkRHash", "infoHash"}, "data"}`.
pub fn apple_envelope(pki: &TestPki, spec: &MdocSpec, req: &AppleRequest, t: &AppleTamper) -> Vec<u8> {
    let pk_r_hash = t.pk_r_hash.clone().unwrap_or_else(|| {
        if t.pk_r_hash_of_spki {
            sha256(&p256_spki(&req.recipient))
        } else {
            sha256(&req.recipient)
        }
    });
    let transcript = apple_transcript(
        t.nonce.as_deref().unwrap_or(&req.nonce),
        t.merchant_id.as_deref().unwrap_or(&req.merchant_id),
        t.team_id.as_deref().unwrap_or(&req.team_id),
        &pk_r_hash,
    );
    let info = match (&t.common.info, t.common.tag24_info) {
        (Some(i), _) => i.clone(),
        (None, true) => enc(&super::tag24(transcript.clone())),
        (None, false) => transcript.clone(),
    };
    let info_hash = t.info_hash.clone().unwrap_or_else(|| {
        if t.genuine_info_hash {
            sha256(&apple_transcript(
                &req.nonce,
                &req.merchant_id,
                &req.team_id,
                &pk_r_hash,
            ))
        } else {
            sha256(&transcript)
        }
    });
    let signed = t.common.signed_transcript.clone().unwrap_or(transcript);
    let spec = MdocSpec {
        transcript: Some(signed),
        ..spec.clone()
    };
    let dr: Value = ciborium::from_reader(super::mint(pki, &spec).as_slice()).unwrap();
    let plaintext = enc(&Value::Map(vec![(
        text(t.identity_key.as_deref().unwrap_or("identity")),
        dr,
    )]));
    let (mut e, mut ct) = kakunin::internals::crypto::hpke::seal(&req.recipient, &info, &[], &plaintext).expect("seal");
    if t.common.flip_enc {
        e[64] ^= 1;
    }
    if t.common.flip_ciphertext {
        ct[3] ^= 0x80;
    }
    let mut params = vec![
        (text("mode"), Value::Integer(t.mode.unwrap_or(0).into())),
        (text("pkEm"), Value::Bytes(e)),
        (text("pkRHash"), Value::Bytes(pk_r_hash)),
        (text("infoHash"), Value::Bytes(info_hash)),
    ];
    if t.common.extra_member {
        params.push((text("extra"), Value::Null));
    }
    enc(&Value::Map(vec![
        (
            text("algorithm"),
            text(t.algorithm.as_deref().unwrap_or("APPLE-HPKE-v1")),
        ),
        (text("params"), Value::Map(params)),
        (text("data"), Value::Bytes(ct)),
    ]))
}

/// A request `data` JSON as another verifier implementation would build it,
/// for the recipient `point` (65 bytes) and `nonce`.
pub fn annex_c_request_for(point: &[u8], nonce: &[u8]) -> String {
    let cose = Value::Map(vec![
        (Value::Integer(1.into()), Value::Integer(2.into())),
        (Value::Integer((-1).into()), Value::Integer(1.into())),
        (Value::Integer((-2).into()), Value::Bytes(point[1..33].to_vec())),
        (Value::Integer((-3).into()), Value::Bytes(point[33..65].to_vec())),
    ]);
    let ei = enc(&Value::Array(vec![
        text("dcapi"),
        Value::Map(vec![
            (text("nonce"), Value::Bytes(nonce.to_vec())),
            (text("recipientPublicKey"), cose),
        ]),
    ]));
    let dr = enc(&Value::Map(vec![
        (text("version"), text("1.0")),
        (text("docRequests"), Value::Array(vec![])),
    ]));
    format!(
        "{{\"deviceRequest\":\"{}\",\"encryptionInfo\":\"{}\"}}",
        b64(&dr),
        b64(&ei)
    )
}
