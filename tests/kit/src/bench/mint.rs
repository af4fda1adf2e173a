//! A minimal bench-only issuer: mints an IACA (P-256 or P-384), a P-256
//! Document Signer, and a DeviceResponse with a deviceSignature, so the
//! benchmarks can cover inputs no public vector has (a P-384 IACA, a 100 KB
//! portrait). Fixed keys and dates: the output is the same on every run.

use der::asn1::UtcTime;
use der::Encode;
use kakunin::internals::cbor::{tag24, write_bytes, write_head, write_text};
use kakunin::{DeviceAuthInput, SessionTranscript, TrustStore, UnixTime, Verifier};
use sha2::{Digest, Sha256};
use signature::Signer;
use std::str::FromStr;
use std::time::Duration;
use x509_cert::builder::{Builder, CertificateBuilder, Profile};
use x509_cert::ext::pkix::ExtendedKeyUsage;
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use x509_cert::spki::SubjectPublicKeyInfoOwned;
use x509_cert::time::{Time, Validity};

/// extKeyUsage of an mdoc Document Signer (ISO 18013-5 Annex B.1.4).
const OID_EKU_MDL_DS: der::asn1::ObjectIdentifier = der::asn1::ObjectIdentifier::new_unwrap("1.0.18013.5.1.2");

const DOC_TYPE: &str = "org.iso.18013.5.1.mDL";
const NS: &str = "org.iso.18013.5.1";
/// 2025-01-01T00:00:00Z .. 2027-01-01T00:00:00Z; verification at 2026-01-01.
const NOT_BEFORE: u64 = 1_735_689_600;
const NOT_AFTER: u64 = 1_798_761_600;
const NOW: &str = "2026-01-01T00:00:00Z";

pub struct Case {
    pub name: &'static str,
    pub response: Vec<u8>,
    pub transcript: SessionTranscript,
    pub trust: TrustStore,
    pub now: UnixTime,
}

impl Case {
    pub fn verify(&self, v: &Verifier) -> bool {
        let auth = DeviceAuthInput {
            session_transcript: Some(&self.transcript),
            reader_key: None,
        };
        v.verify_device_response(std::hint::black_box(&self.response), auth, self.now)
            .is_valid()
    }

    /// IACA on P-384 (ecdsa-with-SHA384 on the DS certificate), 3 small elements.
    pub fn p384_iaca() -> Self {
        let iaca = p384::ecdsa::SigningKey::from_slice(&[0x38; 48]).unwrap();
        let (iaca_der, ds_der) = pki(&iaca, |b| b.build::<p384::ecdsa::DerSignature>().unwrap());
        Self::mint("p384_iaca", &iaca_der, &ds_der, 0)
    }

    /// P-256 IACA, a portrait of `bytes` bytes.
    pub fn portrait(bytes: usize) -> Self {
        let iaca = p256::ecdsa::SigningKey::from_slice(&[0x25; 32]).unwrap();
        let (iaca_der, ds_der) = pki(&iaca, |b| b.build::<p256::ecdsa::DerSignature>().unwrap());
        Self::mint("portrait_100k", &iaca_der, &ds_der, bytes)
    }

    fn mint(name: &'static str, iaca_der: &[u8], ds_der: &[u8], portrait: usize) -> Self {
        let ds_key = ds_key();
        let device_key = p256::ecdsa::SigningKey::from_slice(&[0xde; 32]).unwrap();
        // Elements: (identifier, encoded value).
        let mut elements: Vec<(&str, Vec<u8>)> = Vec::new();
        let mut v = Vec::new();
        write_text(&mut v, "Doe");
        elements.push(("family_name", v));
        elements.push(("age_over_18", vec![0xf5]));
        let mut v = Vec::new();
        write_text(&mut v, "2025-01-01");
        elements.push(("issue_date", v));
        if portrait > 0 {
            let mut v = Vec::new();
            // A JPEG-looking blob (content does not matter to the verifier).
            let mut img = vec![0xffu8, 0xd8, 0xff, 0xe0];
            img.extend((0..portrait - 4).map(|i| (i * 31 % 251) as u8));
            write_bytes(&mut v, &img);
            elements.push(("portrait", v));
        }
        // IssuerSignedItemBytes and their digests.
        let mut items = Vec::new();
        let mut digests = Vec::new();
        for (i, (id, value)) in elements.iter().enumerate() {
            let mut it = Vec::new();
            write_head(&mut it, 5, 4);
            write_text(&mut it, "digestID");
            write_head(&mut it, 0, i as u64);
            write_text(&mut it, "random");
            write_bytes(&mut it, &[i as u8; 16]);
            write_text(&mut it, "elementIdentifier");
            write_text(&mut it, id);
            write_text(&mut it, "elementValue");
            it.extend_from_slice(value);
            let wrapped = tag24(&it);
            digests.push(Sha256::digest(&wrapped).to_vec());
            items.push(wrapped);
        }
        // MobileSecurityObject.
        let point = device_key.verifying_key().to_encoded_point(false);
        let mut mso = Vec::new();
        write_head(&mut mso, 5, 6);
        write_text(&mut mso, "version");
        write_text(&mut mso, "1.0");
        write_text(&mut mso, "digestAlgorithm");
        write_text(&mut mso, "SHA-256");
        write_text(&mut mso, "valueDigests");
        write_head(&mut mso, 5, 1);
        write_text(&mut mso, NS);
        write_head(&mut mso, 5, digests.len() as u64);
        for (i, d) in digests.iter().enumerate() {
            write_head(&mut mso, 0, i as u64);
            write_bytes(&mut mso, d);
        }
        write_text(&mut mso, "deviceKeyInfo");
        write_head(&mut mso, 5, 1);
        write_text(&mut mso, "deviceKey");
        write_head(&mut mso, 5, 4);
        mso.extend_from_slice(&[0x01, 0x02, 0x20, 0x01]); // kty: EC2, crv: P-256
        mso.push(0x21); // x
        write_bytes(&mut mso, point.x().unwrap());
        mso.push(0x22); // y
        write_bytes(&mut mso, point.y().unwrap());
        write_text(&mut mso, "docType");
        write_text(&mut mso, DOC_TYPE);
        write_text(&mut mso, "validityInfo");
        write_head(&mut mso, 5, 3);
        for key in ["signed", "validFrom", "validUntil"] {
            write_text(&mut mso, key);
            write_head(&mut mso, 6, 0);
            write_text(
                &mut mso,
                if key == "validUntil" {
                    "2026-12-31T00:00:00Z"
                } else {
                    "2025-06-01T00:00:00Z"
                },
            );
        }
        let payload = tag24(&mso);
        let protected = [0xa1, 0x01, 0x26]; // {1: -7}
        let issuer_sig = sign1(&ds_key, &protected, &payload);
        let mut issuer_auth = Vec::new();
        write_head(&mut issuer_auth, 4, 4);
        write_bytes(&mut issuer_auth, &protected);
        write_head(&mut issuer_auth, 5, 1);
        write_head(&mut issuer_auth, 0, 33); // x5chain
        write_bytes(&mut issuer_auth, ds_der);
        write_bytes(&mut issuer_auth, &payload);
        write_bytes(&mut issuer_auth, &issuer_sig);

        // Device authentication over an OpenID4VP-style transcript.
        let mut transcript = vec![0x83, 0xf6, 0xf6, 0x82];
        write_text(&mut transcript, "OpenID4VPHandover");
        write_bytes(&mut transcript, &[0x42; 32]);
        let device_ns = tag24(&[0xa0]);
        let mut da = Vec::new();
        write_head(&mut da, 4, 4);
        write_text(&mut da, "DeviceAuthentication");
        da.extend_from_slice(&transcript);
        write_text(&mut da, DOC_TYPE);
        da.extend_from_slice(&device_ns);
        let device_sig = sign1(&device_key, &protected, &tag24(&da));

        let mut r = Vec::new();
        write_head(&mut r, 5, 3);
        write_text(&mut r, "version");
        write_text(&mut r, "1.0");
        write_text(&mut r, "documents");
        write_head(&mut r, 4, 1);
        write_head(&mut r, 5, 3);
        write_text(&mut r, "docType");
        write_text(&mut r, DOC_TYPE);
        write_text(&mut r, "issuerSigned");
        write_head(&mut r, 5, 2);
        write_text(&mut r, "nameSpaces");
        write_head(&mut r, 5, 1);
        write_text(&mut r, NS);
        write_head(&mut r, 4, items.len() as u64);
        for it in &items {
            r.extend_from_slice(it);
        }
        write_text(&mut r, "issuerAuth");
        r.extend_from_slice(&issuer_auth);
        write_text(&mut r, "deviceSigned");
        write_head(&mut r, 5, 2);
        write_text(&mut r, "nameSpaces");
        r.extend_from_slice(&device_ns);
        write_text(&mut r, "deviceAuth");
        write_head(&mut r, 5, 1);
        write_text(&mut r, "deviceSignature");
        write_head(&mut r, 4, 4);
        write_bytes(&mut r, &protected);
        r.push(0xa0);
        r.push(0xf6); // detached payload
        write_bytes(&mut r, &device_sig);
        write_text(&mut r, "status");
        write_head(&mut r, 0, 0);

        Case {
            name,
            response: r,
            transcript: SessionTranscript::from_bytes(&transcript).unwrap(),
            trust: TrustStore::from_pem_or_der(iaca_der).unwrap(),
            now: UnixTime::parse_rfc3339(NOW).unwrap(),
        }
    }
}

fn ds_key() -> p256::ecdsa::SigningKey {
    p256::ecdsa::SigningKey::from_slice(&[0xd5; 32]).unwrap()
}

/// COSE_Sign1 ES256 signature over `["Signature1", protected, h'', payload]`.
fn sign1(key: &p256::ecdsa::SigningKey, protected: &[u8], payload: &[u8]) -> Vec<u8> {
    let mut tbs = Vec::new();
    write_head(&mut tbs, 4, 4);
    write_text(&mut tbs, "Signature1");
    write_bytes(&mut tbs, protected);
    write_bytes(&mut tbs, &[]);
    write_bytes(&mut tbs, payload);
    let sig: p256::ecdsa::Signature = key.sign(&tbs);
    sig.to_bytes().to_vec()
}

fn validity() -> Validity {
    let t = |s| Time::UtcTime(UtcTime::from_unix_duration(Duration::from_secs(s)).unwrap());
    Validity {
        not_before: t(NOT_BEFORE),
        not_after: t(NOT_AFTER),
    }
}

/// An IACA (self-signed by `iaca`) and a DS certificate it issues.
fn pki<S>(iaca: &S, build: impl Fn(CertificateBuilder<'_, S>) -> x509_cert::Certificate) -> (Vec<u8>, Vec<u8>)
where
    S: signature::Keypair + x509_cert::spki::DynSignatureAlgorithmIdentifier,
    S::VerifyingKey: x509_cert::spki::EncodePublicKey,
{
    let iaca_name = Name::from_str("CN=kakunin bench IACA,C=UT").unwrap();
    let iaca_spki = SubjectPublicKeyInfoOwned::from_key(iaca.verifying_key()).unwrap();
    let root = CertificateBuilder::new(
        Profile::Root,
        SerialNumber::from(1u32),
        validity(),
        iaca_name.clone(),
        iaca_spki,
        iaca,
    )
    .unwrap();
    let iaca_der = build(root).to_der().unwrap();
    let ds_spki = SubjectPublicKeyInfoOwned::from_key(*ds_key().verifying_key()).unwrap();
    let mut leaf = CertificateBuilder::new(
        Profile::Leaf {
            issuer: iaca_name,
            enable_key_agreement: false,
            enable_key_encipherment: false,
        },
        SerialNumber::from(2u32),
        validity(),
        Name::from_str("CN=kakunin bench DS,C=UT").unwrap(),
        ds_spki,
        iaca,
    )
    .unwrap();
    leaf.add_extension(&ExtendedKeyUsage(vec![OID_EKU_MDL_DS])).unwrap();
    let ds_der = build(leaf).to_der().unwrap();
    (iaca_der, ds_der)
}
