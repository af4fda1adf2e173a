//! The test issuer's revocation and trust-list material: CRLs, Token Status
//! List / identifier list CWTs, VICALs, and re-signed certificate forgeries.
//! Everything is deterministic (fixed keys and times).

use super::{enc, issue_cert, key, map, sig_structure, tdate, text, CertSpec, TestPki, DAY, T2024};
use ciborium::Value;
use der::asn1::{BitString, GeneralizedTime, ObjectIdentifier, UtcTime};
use der::{Decode, Encode};
use p256::ecdsa::signature::Signer;
use p256::ecdsa::{Signature, SigningKey};
use std::io::Write;
use std::str::FromStr;
use std::time::Duration;
use x509_cert::crl::{CertificateList, RevokedCert, TbsCertList};
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use x509_cert::spki::AlgorithmIdentifierOwned;
use x509_cert::time::Time;
use x509_cert::{Certificate, TbsCertificate, Version};

fn time(secs: i64) -> Time {
    let d = Duration::from_secs(secs as u64);
    if secs < 2_524_608_000 {
        Time::UtcTime(UtcTime::from_unix_duration(d).expect("utc"))
    } else {
        Time::GeneralTime(GeneralizedTime::from_unix_duration(d).expect("gen"))
    }
}

fn ecdsa_sha256() -> AlgorithmIdentifierOwned {
    AlgorithmIdentifierOwned {
        oid: ObjectIdentifier::new_unwrap(super::OID_ECDSA_SHA256),
        parameters: None,
    }
}

/// What a test CRL looks like.
#[derive(Clone, Debug)]
pub struct CrlSpec {
    pub issuer: String,
    pub this_update: i64,
    pub next_update: Option<i64>,
    pub revoked_serials: Vec<u8>,
    /// Extra CRL extensions (OID, critical), each with a NULL value.
    pub extensions: Vec<(&'static str, bool)>,
}

impl CrlSpec {
    /// A current CRL of the test IACA listing nothing.
    pub fn of(pki: &TestPki) -> Self {
        CrlSpec {
            issuer: pki.iaca_name.clone(),
            this_update: T2024 - DAY,
            next_update: Some(T2024 + 7 * DAY),
            revoked_serials: vec![],
            extensions: vec![],
        }
    }
}

/// Issues a CRL signed by `key`.
pub fn issue_crl(spec: &CrlSpec, key: &SigningKey) -> Vec<u8> {
    let revoked: Vec<RevokedCert> = spec
        .revoked_serials
        .iter()
        .map(|s| RevokedCert {
            serial_number: SerialNumber::new(&[*s]).unwrap(),
            revocation_date: time(spec.this_update - DAY),
            crl_entry_extensions: None,
        })
        .collect();
    let tbs = TbsCertList {
        version: Version::V2,
        signature: ecdsa_sha256(),
        issuer: Name::from_str(&spec.issuer).unwrap(),
        this_update: time(spec.this_update),
        next_update: spec.next_update.map(time),
        revoked_certificates: if revoked.is_empty() { None } else { Some(revoked) },
        crl_extensions: if spec.extensions.is_empty() {
            None
        } else {
            Some(
                spec.extensions
                    .iter()
                    .map(|(oid, critical)| x509_cert::ext::Extension {
                        extn_id: ObjectIdentifier::new_unwrap(oid),
                        critical: *critical,
                        extn_value: der::asn1::OctetString::new(vec![0x05, 0x00]).unwrap(),
                    })
                    .collect(),
            )
        },
    };
    let sig: Signature = key.sign(&tbs.to_der().unwrap());
    CertificateList {
        tbs_cert_list: tbs,
        signature_algorithm: ecdsa_sha256(),
        signature: BitString::from_bytes(sig.to_der().as_bytes()).unwrap(),
    }
    .to_der()
    .unwrap()
}

/// Parses `der`, lets `edit` change the tbsCertificate, re-signs with `issuer_key`.
pub fn resign(der: &[u8], issuer_key: &SigningKey, edit: impl FnOnce(&mut TbsCertificate)) -> Vec<u8> {
    resign_cert(der, issuer_key, |c| edit(&mut c.tbs_certificate))
}

/// Like [`resign`], but `edit` sees the whole certificate (e.g. its outer signatureAlgorithm).
pub fn resign_cert(der: &[u8], issuer_key: &SigningKey, edit: impl FnOnce(&mut Certificate)) -> Vec<u8> {
    let mut cert = Certificate::from_der(der).unwrap();
    edit(&mut cert);
    let sig: Signature = issuer_key.sign(&cert.tbs_certificate.to_der().unwrap());
    cert.signature = BitString::from_bytes(sig.to_der().as_bytes()).unwrap();
    cert.to_der().unwrap()
}

/// The status-signing certificate of the test IACA (serial 5, no DS EKU).
pub fn status_signer(pki: &TestPki) -> (SigningKey, Vec<u8>) {
    let k = key(5);
    let spec = CertSpec {
        serial: 5,
        eku: None,
        ..CertSpec::ds("Test Status Signer")
    };
    let der = issue_cert(&spec, &k, &pki.iaca_name, &pki.iaca_key);
    (k, der)
}

pub const STATUS_URI: &str = "https://issuer.example/status/1";

/// MSO `status` with a Token Status List reference.
pub fn status_list_ref(idx: u64, uri: &str) -> Value {
    map(vec![(
        text("status_list"),
        map(vec![
            (text("idx"), Value::Integer(idx.into())),
            (text("uri"), text(uri)),
        ]),
    )])
}

/// MSO `status` with an identifier list reference.
pub fn identifier_list_ref(id: &[u8], uri: &str) -> Value {
    map(vec![(
        text("identifier_list"),
        map(vec![(text("id"), Value::Bytes(id.to_vec())), (text("uri"), text(uri))]),
    )])
}

/// What a test status token looks like.
#[derive(Clone, Debug)]
pub struct TokenSpec {
    pub sub: String,
    pub iat: i64,
    pub exp: Option<i64>,
    pub ttl: Option<u64>,
    pub typ: Option<String>,
    /// `Some((bits, statuses))` for a status list; else an identifier list.
    pub bits: u8,
    pub statuses: Vec<u8>,
    pub identifiers: Option<Vec<Vec<u8>>>,
    pub x5chain: Vec<Vec<u8>>,
    pub break_signature: bool,
}

impl TokenSpec {
    pub fn status_list(signer_der: &[u8], bits: u8, statuses: Vec<u8>) -> Self {
        TokenSpec {
            sub: STATUS_URI.into(),
            iat: T2024 - 3600,
            exp: Some(T2024 + DAY),
            ttl: Some(43_200),
            typ: Some("application/statuslist+cwt".into()),
            bits,
            statuses,
            identifiers: None,
            x5chain: vec![signer_der.to_vec()],
            break_signature: false,
        }
    }

    pub fn identifier_list(signer_der: &[u8], ids: Vec<Vec<u8>>) -> Self {
        TokenSpec {
            typ: Some("application/identifierlist+cwt".into()),
            identifiers: Some(ids),
            ..Self::status_list(signer_der, 1, vec![])
        }
    }
}

/// Packs statuses `bits` each, least-significant first (draft-ietf-oauth-status-list §4.1).
pub fn pack(bits: u8, statuses: &[u8]) -> Vec<u8> {
    let per = 8 / bits as usize;
    let mut out = vec![0u8; statuses.len().div_ceil(per)];
    for (i, s) in statuses.iter().enumerate() {
        out[i / per] |= s << ((i % per) * bits as usize);
    }
    out
}

/// Mints a status token (COSE_Sign1 CWT) signed by `key`.
pub fn status_token(spec: &TokenSpec, key: &SigningKey) -> Vec<u8> {
    let mut protected = vec![(Value::Integer(1.into()), Value::Integer((-7).into()))];
    if let Some(t) = &spec.typ {
        protected.push((Value::Integer(16.into()), text(t)));
    }
    let protected = enc(&map(protected));
    let mut claims = vec![
        (Value::Integer(2.into()), text(&spec.sub)),
        (Value::Integer(6.into()), Value::Integer(spec.iat.into())),
    ];
    if let Some(e) = spec.exp {
        claims.push((Value::Integer(4.into()), Value::Integer(e.into())));
    }
    if let Some(t) = spec.ttl {
        claims.push((Value::Integer(65534.into()), Value::Integer(t.into())));
    }
    match &spec.identifiers {
        None => {
            let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
            z.write_all(&pack(spec.bits, &spec.statuses)).unwrap();
            let lst = z.finish().unwrap();
            claims.push((
                Value::Integer(65533.into()),
                map(vec![
                    (text("bits"), Value::Integer(spec.bits.into())),
                    (text("lst"), Value::Bytes(lst)),
                ]),
            ));
        }
        Some(ids) => {
            claims.push((
                Value::Integer(65530.into()),
                map(vec![(
                    text("identifiers"),
                    map(ids.iter().map(|i| (Value::Bytes(i.clone()), map(vec![]))).collect()),
                )]),
            ));
        }
    }
    let payload = enc(&map(claims));
    let sig: Signature = key.sign(&sig_structure("Signature1", &protected, &payload));
    let mut sig = sig.to_bytes().to_vec();
    if spec.break_signature {
        sig[3] ^= 1;
    }
    let unprotected = if spec.x5chain.is_empty() {
        map(vec![])
    } else {
        map(vec![(
            Value::Integer(33.into()),
            Value::Array(spec.x5chain.iter().cloned().map(Value::Bytes).collect()),
        )])
    };
    enc(&Value::Tag(
        18,
        Box::new(Value::Array(vec![
            Value::Bytes(protected),
            unprotected,
            Value::Bytes(payload),
            Value::Bytes(sig),
        ])),
    ))
}

/// A VICAL PKI: root → intermediate → VICAL signer.
pub struct VicalPki {
    pub root_der: Vec<u8>,
    pub intermediate_der: Vec<u8>,
    pub signer_key: SigningKey,
    pub signer_der: Vec<u8>,
}

impl VicalPki {
    pub fn new() -> Self {
        let root_key = key(40);
        // One intermediate CA below the root.
        let root = CertSpec {
            path_len: Some(1),
            ..CertSpec::iaca("Test VICAL Root")
        };
        let root_der = issue_cert(&root, &root_key, &root.subject, &root_key);
        let int_key = key(41);
        let int = CertSpec {
            serial: 2,
            ..CertSpec::iaca("Test VICAL Intermediate")
        };
        let intermediate_der = issue_cert(&int, &int_key, &root.subject, &root_key);
        let signer_key = key(42);
        let signer = CertSpec {
            serial: 3,
            eku: Some(vec!["1.0.18013.5.1.8"]),
            ..CertSpec::ds("Test VICAL Signer")
        };
        let signer_der = issue_cert(&signer, &signer_key, &int.subject, &int_key);
        VicalPki {
            root_der,
            intermediate_der,
            signer_key,
            signer_der,
        }
    }
}

/// Mints a VICAL listing `entries` (certificate, docTypes), signed by `pki`'s signer.
pub fn vical(
    pki: &VicalPki,
    chain: Vec<Vec<u8>>,
    date: i64,
    next_update: i64,
    entries: Vec<(Vec<u8>, Vec<&str>)>,
) -> Vec<u8> {
    let infos = entries
        .into_iter()
        .map(|(cert, dts)| {
            let mut m = vec![(text("certificate"), Value::Bytes(cert))];
            if !dts.is_empty() {
                m.push((text("docType"), Value::Array(dts.into_iter().map(text).collect())));
            }
            m.push((text("issuingCountry"), text("JP")));
            map(m)
        })
        .collect();
    let payload = enc(&map(vec![
        (text("version"), text("1.0")),
        (text("vicalProvider"), text("Test DTS")),
        (text("date"), tdate(date)),
        (text("vicalIssueID"), Value::Integer(7.into())),
        (text("nextUpdate"), tdate(next_update)),
        (text("certificateInfos"), Value::Array(infos)),
    ]));
    let protected = enc(&map(vec![(Value::Integer(1.into()), Value::Integer((-7).into()))]));
    let sig: Signature = pki.signer_key.sign(&sig_structure("Signature1", &protected, &payload));
    enc(&Value::Array(vec![
        Value::Bytes(protected),
        map(vec![(
            Value::Integer(33.into()),
            Value::Array(chain.into_iter().map(Value::Bytes).collect()),
        )]),
        Value::Bytes(payload),
        Value::Bytes(sig.to_bytes().to_vec()),
    ]))
}

pub const VICAL_DATE: i64 = T2024 - DAY;
pub const VICAL_NEXT: i64 = T2024 + 30 * DAY;
