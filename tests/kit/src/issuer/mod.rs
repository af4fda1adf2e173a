//! A test-only issuer and holder: mints a test PKI (IACA → Document Signer)
//! and mdoc DeviceResponses — valid ones, and forged ones through the knobs
//! of [`MdocSpec`]. Keys are derived from fixed seeds so runs are repeatable.
//!
//! Nothing here is used by the library; it exists so that every check has a
//! negative test built from a real forged input.
#![allow(dead_code)]

use ciborium::Value;
use der::asn1::{GeneralizedTime, ObjectIdentifier, OctetString, UtcTime};
use der::Encode;
use p256::ecdsa::SigningKey;
use sha2::Digest;
use std::time::Duration;
use x509_cert::ext::pkix::KeyUsages;
use x509_cert::ext::Extension;
use x509_cert::time::Time;

pub mod jp_mnc;
pub mod keys;
pub mod online;
pub mod revocation;
pub mod t4t;

use keys::{SigForm, TestKey};

pub const OID_ECDSA_SHA256: &str = "1.2.840.10045.4.3.2";
pub const OID_EKU_DS: &str = "1.0.18013.5.1.2";

/// 2024-01-01T00:00:00Z.
pub const T2024: i64 = 1_704_067_200;
pub const DAY: i64 = 86_400;
pub const YEAR: i64 = 365 * DAY;

/// A deterministic P-256 key from a one-byte seed.
pub fn key(seed: u8) -> SigningKey {
    let mut d = [seed; 32];
    d[0] = 0x11; // keep the scalar below the group order
    SigningKey::from_slice(&d).expect("valid scalar")
}

/// tests/data of the library (this crate is tests/kit).
fn data_dir() -> String {
    format!("{}/../data", env!("CARGO_MANIFEST_DIR"))
}

pub fn hex_file(path: &str) -> Vec<u8> {
    let p = format!("{}/{path}", data_dir());
    hex::decode(
        std::fs::read_to_string(&p)
            .unwrap_or_else(|e| panic!("{p}: {e}"))
            .trim(),
    )
    .expect("hex")
}

pub fn data_file(path: &str) -> Vec<u8> {
    let p = format!("{}/{path}", data_dir());
    std::fs::read(&p).unwrap_or_else(|e| panic!("{p}: {e}"))
}

fn time(secs: i64) -> Time {
    let d = Duration::from_secs(secs as u64);
    if secs < 2_524_608_000 {
        Time::UtcTime(UtcTime::from_unix_duration(d).expect("utc"))
    } else {
        Time::GeneralTime(GeneralizedTime::from_unix_duration(d).expect("gen"))
    }
}

fn ext<T: Encode>(oid: &str, critical: bool, v: &T) -> Extension {
    Extension {
        extn_id: ObjectIdentifier::new_unwrap(oid),
        critical,
        extn_value: OctetString::new(v.to_der().expect("ext der")).expect("octets"),
    }
}

/// What a test certificate should look like; fields are the knobs forgeries turn.
#[derive(Clone, Debug)]
pub struct CertSpec {
    pub subject: String,
    pub serial: u8,
    pub not_before: i64,
    pub not_after: i64,
    pub ca: Option<bool>,
    pub key_usage: Option<Vec<KeyUsages>>,
    pub eku: Option<Vec<&'static str>>,
    pub ski: bool,
    pub aki: bool,
    /// basicConstraints pathLenConstraint of a CA (ignored for a non-CA).
    pub path_len: Option<u8>,
}

impl CertSpec {
    pub fn iaca(cn: &str) -> Self {
        CertSpec {
            subject: format!("CN={cn},C=JP"),
            serial: 1,
            not_before: T2024 - YEAR,
            not_after: T2024 + 10 * YEAR,
            ca: Some(true),
            key_usage: Some(vec![KeyUsages::KeyCertSign, KeyUsages::CRLSign]),
            eku: None,
            ski: true,
            aki: false,
            path_len: Some(0),
        }
    }

    pub fn ds(cn: &str) -> Self {
        CertSpec {
            subject: format!("CN={cn},C=JP"),
            serial: 2,
            not_before: T2024 - DAY * 30,
            not_after: T2024 + 3 * YEAR,
            ca: Some(false),
            key_usage: Some(vec![KeyUsages::DigitalSignature]),
            eku: Some(vec![OID_EKU_DS]),
            ski: true,
            aki: true,
            path_len: None,
        }
    }
}

/// Issues a certificate for `subject_key`, signed by `issuer_key` under `issuer_name`.
pub fn issue_cert(spec: &CertSpec, subject_key: &SigningKey, issuer_name: &str, issuer_key: &SigningKey) -> Vec<u8> {
    keys::issue_cert_with(
        spec,
        &TestKey::P256(subject_key.clone()),
        issuer_name,
        &TestKey::P256(issuer_key.clone()),
    )
}

/// A test IACA with one Document Signer.
pub struct TestPki {
    pub iaca_key: SigningKey,
    pub iaca_der: Vec<u8>,
    pub iaca_name: String,
    pub ds_key: SigningKey,
    pub ds_der: Vec<u8>,
}

impl TestPki {
    pub fn new() -> Self {
        Self::with_specs(CertSpec::iaca("Test IACA"), CertSpec::ds("Test DS"))
    }

    pub fn with_specs(iaca: CertSpec, ds: CertSpec) -> Self {
        let iaca_key = key(1);
        let ds_key = key(2);
        let iaca_der = issue_cert(&iaca, &iaca_key, &iaca.subject, &iaca_key);
        let ds_der = issue_cert(&ds, &ds_key, &iaca.subject, &iaca_key);
        TestPki {
            iaca_key,
            iaca_der,
            iaca_name: iaca.subject.clone(),
            ds_key,
            ds_der,
        }
    }

    pub fn trust_store(&self) -> kakunin::TrustStore {
        kakunin::TrustStore::from_pem_or_der(&self.iaca_der).expect("anchor")
    }
}

impl Default for TestPki {
    fn default() -> Self {
        Self::new()
    }
}

pub fn text(s: &str) -> Value {
    Value::Text(s.to_owned())
}

pub fn tdate(secs: i64) -> Value {
    Value::Tag(0, Box::new(text(&kakunin::UnixTime::from_secs(secs).to_rfc3339())))
}

pub fn full_date(s: &str) -> Value {
    Value::Tag(1004, Box::new(text(s)))
}

pub fn enc(v: &Value) -> Vec<u8> {
    let mut out = Vec::new();
    ciborium::into_writer(v, &mut out).expect("cbor");
    out
}

pub fn tag24(bytes: Vec<u8>) -> Value {
    Value::Tag(24, Box::new(Value::Bytes(bytes)))
}

pub fn map(entries: Vec<(Value, Value)>) -> Value {
    Value::Map(entries)
}

/// Device authentication the holder performs.
#[derive(Clone, Debug)]
pub enum DeviceAuthMode {
    /// deviceSignature with the device key.
    Signature,
    /// deviceMac toward the reader's ephemeral public key (SEC1 bytes).
    Mac { reader_public_sec1: Vec<u8> },
    /// No deviceSigned at all.
    NoDeviceSigned,
}

/// Everything that goes into one minted document; defaults are valid.
#[derive(Clone, Debug)]
pub struct MdocSpec {
    pub doc_type: String,
    pub mso_doc_type: Option<String>,
    pub namespaces: Vec<(String, Vec<(String, Value)>)>,
    pub signed: i64,
    pub valid_from: i64,
    pub valid_until: i64,
    pub mso_version: String,
    pub digest_algorithm: String,
    /// Protected header of issuerAuth (default `{1: -7}`).
    pub issuer_protected: Vec<(Value, Value)>,
    /// Put x5chain in the protected header instead of the unprotected one.
    pub x5chain_protected: bool,
    /// Extra certificates after the DS in x5chain.
    pub extra_chain: Vec<Vec<u8>>,
    pub device_key_seed: u8,
    pub device_auth: DeviceAuthMode,
    /// Device-signed elements (DeviceNameSpaces).
    pub device_namespaces: Vec<(String, Vec<(String, Value)>)>,
    /// MSO keyAuthorizations nameSpaces.
    pub key_authorized_namespaces: Vec<String>,
    /// Omit the digest of this (ns, id) from the MSO.
    pub drop_digest: Option<(String, String)>,
    /// Change this element's value after its digest was taken.
    pub tamper_value: Option<(String, String)>,
    /// Use this digestID for every item (duplicates).
    pub force_digest_id: Option<u64>,
    /// Flip a bit of the issuer signature.
    pub break_issuer_signature: bool,
    /// Flip a bit of the device signature / MAC.
    pub break_device_auth: bool,
    /// Attach this payload to deviceSignature instead of leaving it nil.
    pub device_payload: Option<Vec<u8>>,
    /// Protected header of the device COSE (default by mode).
    pub device_protected: Option<Vec<(Value, Value)>>,
    /// Provide both deviceSignature and deviceMac.
    pub both_device_auths: bool,
    /// The MSO deviceKey on any curve (default: P-256 from `device_key_seed`);
    /// deviceSignature then defaults to its algorithm.
    pub device_key: Option<TestKey>,
    /// How the DS encodes the issuer signature (default: valid COSE).
    pub issuer_signature_form: SigForm,
    /// How the device encodes deviceSignature (default: valid COSE).
    pub device_signature_form: SigForm,
    /// Send this COSE_Key as the MSO deviceKey instead of the device key's own.
    pub device_cose_key: Option<Value>,
    /// MSO `status` (second edition), e.g. from `revocation::status_list_ref`.
    pub mso_status: Option<Value>,
    /// Device authentication over this encoded SessionTranscript instead of
    /// [`transcript_bytes`] (online flows: tests/kit/src/issuer/online.rs).
    pub transcript: Option<Vec<u8>>,
}

pub const MDL: &str = "org.iso.18013.5.1.mDL";
pub const MDL_NS: &str = "org.iso.18013.5.1";

impl Default for MdocSpec {
    fn default() -> Self {
        MdocSpec {
            doc_type: MDL.into(),
            mso_doc_type: None,
            namespaces: vec![(
                MDL_NS.into(),
                vec![
                    ("family_name".into(), text("Yamada")),
                    ("given_name".into(), text("Hanako")),
                    ("birth_date".into(), full_date("1990-04-01")),
                    ("age_over_20".into(), Value::Bool(true)),
                ],
            )],
            signed: T2024 - DAY,
            valid_from: T2024 - DAY,
            valid_until: T2024 + YEAR,
            mso_version: "1.0".into(),
            digest_algorithm: "SHA-256".into(),
            issuer_protected: vec![(Value::Integer(1.into()), Value::Integer((-7).into()))],
            x5chain_protected: false,
            extra_chain: Vec::new(),
            device_key_seed: 3,
            device_auth: DeviceAuthMode::Signature,
            device_namespaces: Vec::new(),
            key_authorized_namespaces: Vec::new(),
            drop_digest: None,
            tamper_value: None,
            force_digest_id: None,
            break_issuer_signature: false,
            break_device_auth: false,
            device_payload: None,
            device_protected: None,
            both_device_auths: false,
            device_key: None,
            issuer_signature_form: SigForm::Cose,
            device_signature_form: SigForm::Cose,
            device_cose_key: None,
            mso_status: None,
            transcript: None,
        }
    }
}

fn hash(alg: &str, data: &[u8]) -> Vec<u8> {
    match alg {
        "SHA-384" => sha2::Sha384::digest(data).to_vec(),
        "SHA-512" => sha2::Sha512::digest(data).to_vec(),
        _ => sha2::Sha256::digest(data).to_vec(),
    }
}

fn sig_structure(context: &str, protected: &[u8], payload: &[u8]) -> Vec<u8> {
    enc(&Value::Array(vec![
        text(context),
        Value::Bytes(protected.to_vec()),
        Value::Bytes(vec![]),
        Value::Bytes(payload.to_vec()),
    ]))
}

/// The session transcript used by minted responses (an OpenID4VP-like handover).
pub fn transcript_bytes() -> Vec<u8> {
    enc(&Value::Array(vec![
        Value::Null,
        Value::Null,
        Value::Array(vec![text("TestHandover"), Value::Bytes(vec![7; 32])]),
    ]))
}

pub fn transcript() -> kakunin::SessionTranscript {
    kakunin::SessionTranscript::from_bytes(&transcript_bytes()).expect("transcript")
}

/// Mints the Document map for `spec`, signed by `pki`'s DS.
pub fn mint_document(pki: &TestPki, spec: &MdocSpec) -> Value {
    mint_document_by(&pki.ds_der, &TestKey::P256(pki.ds_key.clone()), spec)
}

/// Mints the Document map for `spec`, signed by the DS `ds_key` (certificate `ds_der`).
pub fn mint_document_by(ds_der: &[u8], ds_key: &TestKey, spec: &MdocSpec) -> Value {
    let device_key = spec
        .device_key
        .clone()
        .unwrap_or_else(|| TestKey::P256(key(spec.device_key_seed)));
    // Issuer-signed items and their digests.
    let mut value_digests = Vec::new();
    let mut issuer_ns = Vec::new();
    let mut next_id: u64 = 0;
    for (ns, elements) in &spec.namespaces {
        let mut items = Vec::new();
        let mut digests = Vec::new();
        for (id, v) in elements {
            let digest_id = spec.force_digest_id.unwrap_or(next_id);
            next_id += 1;
            let item = |val: &Value| {
                enc(&map(vec![
                    (text("digestID"), Value::Integer(digest_id.into())),
                    (text("random"), Value::Bytes(vec![0xa5; 16])),
                    (text("elementIdentifier"), text(id)),
                    (text("elementValue"), val.clone()),
                ]))
            };
            let bytes = item(v);
            let tagged = enc(&tag24(bytes.clone()));
            if spec.drop_digest.as_ref() != Some(&(ns.clone(), id.clone())) {
                digests.push((
                    Value::Integer(digest_id.into()),
                    Value::Bytes(hash(&spec.digest_algorithm, &tagged)),
                ));
            }
            let sent = if spec.tamper_value.as_ref() == Some(&(ns.clone(), id.clone())) {
                item(&text("forged"))
            } else {
                bytes
            };
            items.push(tag24(sent));
        }
        value_digests.push((text(ns), map(digests)));
        issuer_ns.push((text(ns), Value::Array(items)));
    }
    let mut dki = vec![(
        text("deviceKey"),
        spec.device_cose_key.clone().unwrap_or_else(|| device_key.cose_key()),
    )];
    if !spec.key_authorized_namespaces.is_empty() {
        dki.push((
            text("keyAuthorizations"),
            map(vec![(
                text("nameSpaces"),
                Value::Array(spec.key_authorized_namespaces.iter().map(|n| text(n)).collect()),
            )]),
        ));
    }
    let mut mso_entries = vec![
        (text("version"), text(&spec.mso_version)),
        (text("digestAlgorithm"), text(&spec.digest_algorithm)),
        (text("valueDigests"), map(value_digests)),
        (text("deviceKeyInfo"), map(dki)),
        (
            text("docType"),
            text(spec.mso_doc_type.as_deref().unwrap_or(&spec.doc_type)),
        ),
        (
            text("validityInfo"),
            map(vec![
                (text("signed"), tdate(spec.signed)),
                (text("validFrom"), tdate(spec.valid_from)),
                (text("validUntil"), tdate(spec.valid_until)),
            ]),
        ),
    ];
    if let Some(st) = &spec.mso_status {
        mso_entries.push((text("status"), st.clone()));
    }
    let mso = map(mso_entries);
    let payload = enc(&tag24(enc(&mso)));
    let chain = if spec.extra_chain.is_empty() {
        Value::Bytes(ds_der.to_vec())
    } else {
        let mut v = vec![Value::Bytes(ds_der.to_vec())];
        v.extend(spec.extra_chain.iter().cloned().map(Value::Bytes));
        Value::Array(v)
    };
    let mut protected = spec.issuer_protected.clone();
    let mut unprotected = Vec::new();
    if spec.x5chain_protected {
        protected.push((Value::Integer(33.into()), chain));
    } else {
        unprotected.push((Value::Integer(33.into()), chain));
    }
    let protected_bytes = if protected.is_empty() {
        Vec::new()
    } else {
        enc(&map(protected))
    };
    let to_be_signed = sig_structure("Signature1", &protected_bytes, &payload);
    let mut sig_bytes = ds_key.sign_cose_as(spec.issuer_signature_form, &to_be_signed);
    if spec.break_issuer_signature {
        sig_bytes[10] ^= 1;
    }
    let issuer_auth = Value::Array(vec![
        Value::Bytes(protected_bytes),
        map(unprotected),
        Value::Bytes(payload),
        Value::Bytes(sig_bytes),
    ]);
    let issuer_signed = map(vec![
        (text("nameSpaces"), map(issuer_ns)),
        (text("issuerAuth"), issuer_auth),
    ]);

    let mut doc = vec![
        (text("docType"), text(&spec.doc_type)),
        (text("issuerSigned"), issuer_signed),
    ];
    if !matches!(spec.device_auth, DeviceAuthMode::NoDeviceSigned) {
        let dns = map(spec
            .device_namespaces
            .iter()
            .map(|(ns, els)| (text(ns), map(els.iter().map(|(k, v)| (text(k), v.clone())).collect())))
            .collect());
        let dns_bytes = tag24(enc(&dns));
        let transcript = spec.transcript.clone().unwrap_or_else(transcript_bytes);
        let da = enc(&Value::Array(vec![
            text("DeviceAuthentication"),
            ciborium::from_reader(transcript.as_slice()).expect("transcript"),
            text(&spec.doc_type),
            dns_bytes.clone(),
        ]));
        let da_bytes = enc(&tag24(da));
        let mut auths = Vec::new();
        let want_sig = matches!(spec.device_auth, DeviceAuthMode::Signature) || spec.both_device_auths;
        if want_sig {
            let prot = spec
                .device_protected
                .clone()
                .unwrap_or_else(|| device_key.protected_header());
            let prot = enc(&map(prot));
            let to_be_signed = sig_structure("Signature1", &prot, &da_bytes);
            let mut s = device_key.sign_cose_as(spec.device_signature_form, &to_be_signed);
            if spec.break_device_auth {
                s[5] ^= 1;
            }
            let payload = spec.device_payload.clone().map(Value::Bytes).unwrap_or(Value::Null);
            auths.push((
                text("deviceSignature"),
                Value::Array(vec![Value::Bytes(prot), map(vec![]), payload, Value::Bytes(s)]),
            ));
        }
        if let DeviceAuthMode::Mac { reader_public_sec1 } = &spec.device_auth {
            let prot = spec
                .device_protected
                .clone()
                .unwrap_or_else(|| vec![(Value::Integer(1.into()), Value::Integer(5.into()))]);
            let prot = enc(&map(prot));
            let z = device_key.ecdh(reader_public_sec1);
            let k = keys::emac_key(&z, &transcript);
            let mut tag = keys::mac0_tag(&k, &prot, &da_bytes);
            if spec.break_device_auth {
                tag[0] ^= 1;
            }
            auths.push((
                text("deviceMac"),
                Value::Array(vec![Value::Bytes(prot), map(vec![]), Value::Null, Value::Bytes(tag)]),
            ));
        }
        doc.push((
            text("deviceSigned"),
            map(vec![(text("nameSpaces"), dns_bytes), (text("deviceAuth"), map(auths))]),
        ));
    }
    map(doc)
}

/// Wraps documents in a DeviceResponse.
pub fn device_response(docs: Vec<Value>) -> Vec<u8> {
    enc(&map(vec![
        (text("version"), text("1.0")),
        (text("documents"), Value::Array(docs)),
        (text("status"), Value::Integer(0.into())),
    ]))
}

/// Mints a one-document DeviceResponse.
pub fn mint(pki: &TestPki, spec: &MdocSpec) -> Vec<u8> {
    device_response(vec![mint_document(pki, spec)])
}

/// The reader key pair used for MAC tests.
pub fn reader_key() -> (kakunin::ReaderKey, Vec<u8>) {
    let k = key(9);
    let sec1 = k.verifying_key().to_encoded_point(false).as_bytes().to_vec();
    (
        kakunin::ReaderKey::from_scalar(kakunin::Curve::P256, &k.to_bytes()).unwrap(),
        sec1,
    )
}

/// The simulated mdoc device of the session tests (tests/kit/src/issuer/holder.rs).
pub mod holder;

/// An ISO 18013-5 Annex D file (hex).
pub fn annex_d(name: &str) -> Vec<u8> {
    hex_file(&format!("iso18013-5-annex-d/{name}"))
}
