//! Test keys on every curve kakunin accepts (ISO 18013-5 §9.1.2.4, RFC 9053):
//! P-256, P-384, P-521 and Ed25519, for the IACA, the Document Signer and the
//! device. Each key signs COSE (fixed-size `r‖s`, RFC 9053 §2.1) and X.509
//! (DER ECDSA with the hash that matches the curve, or pure Ed25519), exports
//! its SPKI and COSE_Key, and does ECDH for the deviceMac path.
//!
//! The ECDSA hash is chosen here explicitly (SHA-256/384/512) and the key
//! signs the prehash, so a verifier that hashed with anything else than the
//! algorithm's hash would fail these tests.

use super::{enc, ext, key, map, sig_structure, tag24, time, CertSpec, DeviceAuthMode, MdocSpec};
use ciborium::Value;
use der::asn1::{BitString, ObjectIdentifier, OctetString};
use der::{Any, Encode};
use ecdsa::signature::hazmat::PrehashSigner;
use ed25519_dalek::Signer as _;
use kakunin::Curve;
use sha2::Digest;
use std::str::FromStr;
use x509_cert::ext::pkix::{
    AuthorityKeyIdentifier, BasicConstraints, ExtendedKeyUsage, KeyUsage, KeyUsages, SubjectKeyIdentifier,
};
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use x509_cert::spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};
use x509_cert::time::Validity;
use x509_cert::{Certificate, TbsCertificate, Version};

const OID_EC_PUBLIC_KEY: &str = "1.2.840.10045.2.1";
const OID_ED25519: &str = "1.3.101.112";

/// A hash function, as used by ECDSA.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HashAlg {
    Sha256,
    Sha384,
    Sha512,
}

impl HashAlg {
    pub fn digest(self, data: &[u8]) -> Vec<u8> {
        match self {
            HashAlg::Sha256 => sha2::Sha256::digest(data).to_vec(),
            HashAlg::Sha384 => sha2::Sha384::digest(data).to_vec(),
            HashAlg::Sha512 => sha2::Sha512::digest(data).to_vec(),
        }
    }
}

/// An X.509 signature algorithm (RFC 5758 §3.2, RFC 8410 §3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum X509Alg {
    Ecdsa(HashAlg),
    Ed25519,
}

impl X509Alg {
    pub fn oid(self) -> &'static str {
        match self {
            X509Alg::Ecdsa(HashAlg::Sha256) => "1.2.840.10045.4.3.2",
            X509Alg::Ecdsa(HashAlg::Sha384) => "1.2.840.10045.4.3.3",
            X509Alg::Ecdsa(HashAlg::Sha512) => "1.2.840.10045.4.3.4",
            X509Alg::Ed25519 => OID_ED25519,
        }
    }

    /// The AlgorithmIdentifier: parameters absent for both families
    /// (RFC 5758 §3.2, RFC 8410 §3).
    pub fn identifier(self) -> AlgorithmIdentifierOwned {
        AlgorithmIdentifierOwned {
            oid: ObjectIdentifier::new_unwrap(self.oid()),
            parameters: None,
        }
    }
}

/// How a test signer writes a COSE signature.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SigForm {
    /// As RFC 9053 wants it: ECDSA fixed-size `r‖s` with the algorithm's
    /// hash, or pure EdDSA.
    #[default]
    Cose,
    /// The ECDSA signature DER-encoded, as X.509 carries it (forgery).
    Der,
    /// Fixed-size `r‖s`, but over another hash than the algorithm's (forgery).
    OtherHash(HashAlg),
}

/// A signing key on one of the four curves.
#[derive(Clone)]
pub enum TestKey {
    P256(p256::ecdsa::SigningKey),
    P384(p384::ecdsa::SigningKey),
    P521(p521::ecdsa::SigningKey),
    Ed25519(ed25519_dalek::SigningKey),
}

impl std::fmt::Debug for TestKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "TestKey({}, {})", self.curve().name(), hex::encode(self.key_id()))
    }
}

impl TestKey {
    /// A deterministic key on `curve` from a one-byte seed. P-256 keys equal
    /// [`super::key`]`(seed)`.
    pub fn new(curve: Curve, seed: u8) -> Self {
        match curve {
            Curve::P256 => TestKey::P256(key(seed)),
            Curve::P384 => {
                let mut d = [seed; 48];
                d[0] = 0x11; // below the group order
                TestKey::P384(p384::ecdsa::SigningKey::from_slice(&d).expect("P-384 scalar"))
            }
            Curve::P521 => {
                let mut d = [seed; 66];
                d[0] = 0x01; // 521 bits, below the group order 0x01ff…
                d[1] = 0x11;
                TestKey::P521(p521::ecdsa::SigningKey::from_slice(&d).expect("P-521 scalar"))
            }
            Curve::Ed25519 => {
                let mut d = [seed; 32];
                d[0] = 0x11;
                TestKey::Ed25519(ed25519_dalek::SigningKey::from_bytes(&d))
            }
            other => panic!("no test key for {other:?}"),
        }
    }

    pub fn p256(seed: u8) -> Self {
        Self::new(Curve::P256, seed)
    }
    pub fn p384(seed: u8) -> Self {
        Self::new(Curve::P384, seed)
    }
    pub fn p521(seed: u8) -> Self {
        Self::new(Curve::P521, seed)
    }
    pub fn ed25519(seed: u8) -> Self {
        Self::new(Curve::Ed25519, seed)
    }

    /// Every curve, for loops over combinations.
    pub const CURVES: [Curve; 4] = [Curve::P256, Curve::P384, Curve::P521, Curve::Ed25519];
    /// The curves that can do ECDH (deviceMac).
    pub const ECDH_CURVES: [Curve; 3] = [Curve::P256, Curve::P384, Curve::P521];

    pub fn curve(&self) -> Curve {
        match self {
            TestKey::P256(_) => Curve::P256,
            TestKey::P384(_) => Curve::P384,
            TestKey::P521(_) => Curve::P521,
            TestKey::Ed25519(_) => Curve::Ed25519,
        }
    }

    /// The COSE algorithm mdoc pairs with this key's curve.
    pub fn algorithm(&self) -> kakunin::SignatureAlgorithm {
        match self {
            TestKey::P256(_) => kakunin::SignatureAlgorithm::Es256,
            TestKey::P384(_) => kakunin::SignatureAlgorithm::Es384,
            TestKey::P521(_) => kakunin::SignatureAlgorithm::Es512,
            TestKey::Ed25519(_) => kakunin::SignatureAlgorithm::EdDsa,
        }
    }

    /// A protected header `{1: alg}` for this key.
    pub fn protected_header(&self) -> Vec<(Value, Value)> {
        alg_header(self.algorithm().cose_id())
    }

    /// The hash of this key's COSE algorithm (ES256/384/512); `None` for EdDSA.
    pub fn cose_hash(&self) -> Option<HashAlg> {
        match self {
            TestKey::P256(_) => Some(HashAlg::Sha256),
            TestKey::P384(_) => Some(HashAlg::Sha384),
            TestKey::P521(_) => Some(HashAlg::Sha512),
            TestKey::Ed25519(_) => None,
        }
    }

    /// The X.509 signature algorithm with the hash that matches the curve.
    pub fn x509_alg(&self) -> X509Alg {
        self.cose_hash().map_or(X509Alg::Ed25519, X509Alg::Ecdsa)
    }

    /// The uncompressed SEC1 point, or the raw 32-byte Ed25519 key.
    pub fn public_bytes(&self) -> Vec<u8> {
        match self {
            TestKey::P256(k) => k.verifying_key().to_encoded_point(false).as_bytes().to_vec(),
            TestKey::P384(k) => k.verifying_key().to_encoded_point(false).as_bytes().to_vec(),
            TestKey::P521(k) => p521::ecdsa::VerifyingKey::from(k)
                .to_encoded_point(false)
                .as_bytes()
                .to_vec(),
            TestKey::Ed25519(k) => k.verifying_key().to_bytes().to_vec(),
        }
    }

    /// The private scalar (NIST curves) or seed (Ed25519), big-endian.
    pub fn secret_bytes(&self) -> Vec<u8> {
        match self {
            TestKey::P256(k) => k.to_bytes().to_vec(),
            TestKey::P384(k) => k.to_bytes().to_vec(),
            TestKey::P521(k) => k.to_bytes().to_vec(),
            TestKey::Ed25519(k) => k.to_bytes().to_vec(),
        }
    }

    /// The key identifier the test PKI puts in SKI/AKI (SHA-256 of the key, 20 bytes).
    pub fn key_id(&self) -> Vec<u8> {
        sha2::Sha256::digest(self.public_bytes())[..20].to_vec()
    }

    /// COSE_Key (RFC 9053 §7.1/§7.2): EC2 with x and y, or OKP with x.
    pub fn cose_key(&self) -> Value {
        let int = |i: i64| Value::Integer(i.into());
        match self {
            TestKey::Ed25519(_) => map(vec![
                (int(1), int(1)),
                (int(-1), int(6)),
                (int(-2), Value::Bytes(self.public_bytes())),
            ]),
            _ => {
                let p = self.public_bytes();
                let n = self.curve().field_bytes();
                map(vec![
                    (int(1), int(2)),
                    (int(-1), int(self.curve().cose_id())),
                    (int(-2), Value::Bytes(p[1..1 + n].to_vec())),
                    (int(-3), Value::Bytes(p[1 + n..].to_vec())),
                ])
            }
        }
    }

    /// COSE_Key of an EC2 key with the compressed point: `y` is the sign
    /// bit (RFC 9053 §7.1.1).
    pub fn cose_key_compressed(&self) -> Value {
        let Value::Map(mut m) = self.cose_key() else {
            unreachable!("a COSE_Key is a map")
        };
        let odd = self.public_bytes().last().is_some_and(|b| b & 1 == 1);
        for (k, v) in m.iter_mut() {
            if *k == Value::Integer((-3).into()) {
                *v = Value::Bool(odd);
            }
        }
        Value::Map(m)
    }

    /// SubjectPublicKeyInfo (RFC 5480 §2, RFC 8410 §4).
    pub fn spki(&self) -> SubjectPublicKeyInfoOwned {
        let curve_oid = match self {
            TestKey::P256(_) => Some("1.2.840.10045.3.1.7"),
            TestKey::P384(_) => Some("1.3.132.0.34"),
            TestKey::P521(_) => Some("1.3.132.0.35"),
            TestKey::Ed25519(_) => None,
        };
        let algorithm = match curve_oid {
            Some(c) => AlgorithmIdentifierOwned {
                oid: ObjectIdentifier::new_unwrap(OID_EC_PUBLIC_KEY),
                parameters: Some(Any::encode_from(&ObjectIdentifier::new_unwrap(c)).expect("curve oid")),
            },
            None => AlgorithmIdentifierOwned {
                oid: ObjectIdentifier::new_unwrap(OID_ED25519),
                parameters: None,
            },
        };
        SubjectPublicKeyInfoOwned {
            algorithm,
            subject_public_key: BitString::from_bytes(&self.public_bytes()).expect("key bits"),
        }
    }

    /// ECDSA over `hash(msg)`: (fixed-size `r‖s`, DER). Panics for Ed25519.
    pub fn ecdsa(&self, hash: HashAlg, msg: &[u8]) -> (Vec<u8>, Vec<u8>) {
        let mut h = hash.digest(msg);
        // A hash shorter than the group order is used whole as an integer
        // (FIPS 186-5 §6.4.1); RustCrypto wants at least half the field
        // size, so hand it the same integer left-padded (SHA-256 on P-521).
        let n = self.curve().field_bytes();
        if h.len() < n {
            let mut padded = vec![0u8; n - h.len()];
            padded.extend_from_slice(&h);
            h = padded;
        }
        match self {
            TestKey::P256(k) => {
                let s: p256::ecdsa::Signature = k.sign_prehash(&h).expect("sign");
                (s.to_bytes().to_vec(), s.to_der().as_bytes().to_vec())
            }
            TestKey::P384(k) => {
                let s: p384::ecdsa::Signature = k.sign_prehash(&h).expect("sign");
                (s.to_bytes().to_vec(), s.to_der().as_bytes().to_vec())
            }
            TestKey::P521(k) => {
                let s: p521::ecdsa::Signature = k.sign_prehash(&h).expect("sign");
                (s.to_bytes().to_vec(), s.to_der().as_bytes().to_vec())
            }
            TestKey::Ed25519(_) => panic!("Ed25519 is not ECDSA"),
        }
    }

    /// A COSE signature (RFC 9053 §2.1: ECDSA as fixed-size `r‖s` with the
    /// algorithm's hash; §2.2: pure EdDSA).
    pub fn sign_cose(&self, msg: &[u8]) -> Vec<u8> {
        match (self, self.cose_hash()) {
            (TestKey::Ed25519(k), _) => k.sign(msg).to_bytes().to_vec(),
            (_, Some(h)) => self.ecdsa(h, msg).0,
            (_, None) => unreachable!("ECDSA keys have a hash"),
        }
    }

    /// A COSE signature in `form` (all but [`SigForm::Cose`] are forgeries).
    pub fn sign_cose_as(&self, form: SigForm, msg: &[u8]) -> Vec<u8> {
        match form {
            SigForm::Cose => self.sign_cose(msg),
            SigForm::Der => self.ecdsa(self.cose_hash().expect("DER needs an ECDSA key"), msg).1,
            SigForm::OtherHash(h) => self.ecdsa(h, msg).0,
        }
    }

    /// An X.509 signature value with `alg` (DER ECDSA, or pure Ed25519).
    pub fn sign_x509(&self, alg: X509Alg, tbs: &[u8]) -> Vec<u8> {
        match (self, alg) {
            (TestKey::Ed25519(k), X509Alg::Ed25519) => k.sign(tbs).to_bytes().to_vec(),
            (_, X509Alg::Ecdsa(h)) => self.ecdsa(h, tbs).1,
            (k, a) => panic!("{k:?} cannot sign {a:?}"),
        }
    }

    /// ECDH with a peer's SEC1 public key on the same curve: the x-coordinate
    /// of the shared point (SEC 1 §3.3.1).
    pub fn ecdh(&self, peer_sec1: &[u8]) -> Vec<u8> {
        match self {
            TestKey::P256(k) => {
                let p = p256::PublicKey::from_sec1_bytes(peer_sec1).expect("P-256 peer");
                p256::ecdh::diffie_hellman(k.as_nonzero_scalar(), p.as_affine())
                    .raw_secret_bytes()
                    .to_vec()
            }
            TestKey::P384(k) => {
                let p = p384::PublicKey::from_sec1_bytes(peer_sec1).expect("P-384 peer");
                p384::ecdh::diffie_hellman(k.as_nonzero_scalar(), p.as_affine())
                    .raw_secret_bytes()
                    .to_vec()
            }
            TestKey::P521(k) => {
                let p = p521::PublicKey::from_sec1_bytes(peer_sec1).expect("P-521 peer");
                p521::ecdh::diffie_hellman(k.as_nonzero_scalar(), p.as_affine())
                    .raw_secret_bytes()
                    .to_vec()
            }
            TestKey::Ed25519(_) => panic!("Ed25519 keys do no ECDH"),
        }
    }

    /// This key as the reader's ephemeral key (EReaderKey.Priv) for deviceMac.
    pub fn reader_key(&self) -> kakunin::ReaderKey {
        kakunin::ReaderKey::from_scalar(self.curve(), &self.secret_bytes()).expect("reader key")
    }
}

/// A protected header `{1: alg}`.
pub fn alg_header(alg: i64) -> Vec<(Value, Value)> {
    vec![(Value::Integer(1.into()), Value::Integer(alg.into()))]
}

/// Issues a certificate for `subject_key`, signed by `issuer_key` under
/// `issuer_name` with the X.509 algorithm that matches the issuer's curve.
pub fn issue_cert_with(spec: &CertSpec, subject_key: &TestKey, issuer_name: &str, issuer_key: &TestKey) -> Vec<u8> {
    let alg = issuer_key.x509_alg();
    issue_cert_as(spec, subject_key, issuer_name, issuer_key, alg, alg)
}

/// Like [`issue_cert_with`], but the certificate names `labelled` as its
/// signature algorithm while the issuer actually signs with `signed` (the
/// two differ only in forgeries).
pub fn issue_cert_as(
    spec: &CertSpec,
    subject_key: &TestKey,
    issuer_name: &str,
    issuer_key: &TestKey,
    labelled: X509Alg,
    signed: X509Alg,
) -> Vec<u8> {
    let subject = (subject_key.spki(), subject_key.key_id());
    issue_cert_for_spki(spec, subject, issuer_name, issuer_key, labelled, signed)
}

/// Like [`issue_cert_as`] for any SubjectPublicKeyInfo (and its SKI value),
/// e.g. one no test key has.
pub fn issue_cert_for_spki(
    spec: &CertSpec,
    (spki, subject_key_id): (SubjectPublicKeyInfoOwned, Vec<u8>),
    issuer_name: &str,
    issuer_key: &TestKey,
    labelled: X509Alg,
    signed: X509Alg,
) -> Vec<u8> {
    let mut exts = Vec::new();
    if let Some(ca) = spec.ca {
        exts.push(ext(
            "2.5.29.19",
            true,
            &BasicConstraints {
                ca,
                path_len_constraint: if ca { spec.path_len } else { None },
            },
        ));
    }
    if let Some(ku) = &spec.key_usage {
        let mut flags = flagset::FlagSet::<KeyUsages>::default();
        for k in ku {
            flags |= *k;
        }
        exts.push(ext("2.5.29.15", true, &KeyUsage(flags)));
    }
    if let Some(eku) = &spec.eku {
        exts.push(ext(
            "2.5.29.37",
            true,
            &ExtendedKeyUsage(eku.iter().map(|o| ObjectIdentifier::new_unwrap(o)).collect()),
        ));
    }
    if spec.ski {
        exts.push(ext(
            "2.5.29.14",
            false,
            &SubjectKeyIdentifier(OctetString::new(subject_key_id).unwrap()),
        ));
    }
    if spec.aki {
        exts.push(ext(
            "2.5.29.35",
            false,
            &AuthorityKeyIdentifier {
                key_identifier: Some(OctetString::new(issuer_key.key_id()).unwrap()),
                authority_cert_issuer: None,
                authority_cert_serial_number: None,
            },
        ));
    }
    let alg = labelled.identifier();
    let tbs = TbsCertificate {
        version: Version::V3,
        serial_number: SerialNumber::new(&[spec.serial]).expect("serial"),
        signature: alg.clone(),
        issuer: Name::from_str(issuer_name).expect("issuer name"),
        validity: Validity {
            not_before: time(spec.not_before),
            not_after: time(spec.not_after),
        },
        subject: Name::from_str(&spec.subject).expect("subject name"),
        subject_public_key_info: spki,
        issuer_unique_id: None,
        subject_unique_id: None,
        extensions: Some(exts),
    };
    let tbs_der = tbs.to_der().expect("tbs der");
    let sig = issuer_key.sign_x509(signed, &tbs_der);
    let cert = Certificate {
        tbs_certificate: tbs,
        signature_algorithm: alg,
        signature: BitString::from_bytes(&sig).expect("bits"),
    };
    cert.to_der().expect("cert der")
}

/// A test IACA with one Document Signer, each on any curve.
pub struct CurvePki {
    pub iaca_key: TestKey,
    pub iaca_der: Vec<u8>,
    pub iaca_name: String,
    pub ds_key: TestKey,
    pub ds_der: Vec<u8>,
}

impl CurvePki {
    /// The default IACA and DS profiles with these keys.
    pub fn new(iaca_key: TestKey, ds_key: TestKey) -> Self {
        Self::with_specs(CertSpec::iaca("Test IACA"), iaca_key, CertSpec::ds("Test DS"), ds_key)
    }

    pub fn with_specs(iaca: CertSpec, iaca_key: TestKey, ds: CertSpec, ds_key: TestKey) -> Self {
        let iaca_der = issue_cert_with(&iaca, &iaca_key, &iaca.subject, &iaca_key);
        let ds_der = issue_cert_with(&ds, &ds_key, &iaca.subject, &iaca_key);
        CurvePki {
            iaca_key,
            iaca_der,
            iaca_name: iaca.subject,
            ds_key,
            ds_der,
        }
    }

    pub fn trust_store(&self) -> kakunin::TrustStore {
        kakunin::TrustStore::from_pem_or_der(&self.iaca_der).expect("anchor")
    }

    /// A valid spec for this PKI: issuerAuth `alg` matches the DS key.
    pub fn spec(&self) -> MdocSpec {
        MdocSpec {
            issuer_protected: self.ds_key.protected_header(),
            ..MdocSpec::default()
        }
    }

    pub fn mint_document(&self, spec: &MdocSpec) -> Value {
        super::mint_document_by(&self.ds_der, &self.ds_key, spec)
    }

    pub fn mint(&self, spec: &MdocSpec) -> Vec<u8> {
        super::device_response(vec![self.mint_document(spec)])
    }
}

impl MdocSpec {
    /// This spec with `device_key` as the MSO deviceKey; deviceSignature then
    /// defaults to that key's algorithm.
    pub fn with_device_key(self, device_key: TestKey) -> Self {
        MdocSpec {
            device_key: Some(device_key),
            ..self
        }
    }

    /// This spec with deviceMac toward `reader`'s public key.
    pub fn with_mac_to(self, reader: &TestKey) -> Self {
        MdocSpec {
            device_auth: DeviceAuthMode::Mac {
                reader_public_sec1: reader.public_bytes(),
            },
            ..self
        }
    }
}

/// EMacKey (ISO 18013-5 §9.1.3): HKDF-SHA256(ECDH z, salt =
/// SHA-256(SessionTranscriptBytes), info "EMacKey"), 32 bytes.
pub fn emac_key(z: &[u8], transcript_bytes: &[u8]) -> [u8; 32] {
    let salt = sha2::Sha256::digest(enc(&tag24(transcript_bytes.to_vec())));
    let hk = hkdf::Hkdf::<sha2::Sha256>::new(Some(&salt), z);
    let mut k = [0u8; 32];
    hk.expand(b"EMacKey", &mut k).expect("hkdf");
    k
}

/// HMAC-SHA256 over the MAC_structure (RFC 9052 §6.3) of `payload`.
pub fn mac0_tag(key: &[u8], protected: &[u8], payload: &[u8]) -> Vec<u8> {
    use hmac::Mac;
    let mut m = hmac::Hmac::<sha2::Sha256>::new_from_slice(key).expect("hmac key");
    m.update(&sig_structure("MAC0", protected, payload));
    m.finalize().into_bytes().to_vec()
}
