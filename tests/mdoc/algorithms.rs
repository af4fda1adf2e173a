//! Every COSE algorithm and curve end to end (ISO 18013-5 §9.1.2.4, §9.1.3;
//! RFC 9053 §2): IACA, Document Signer and device keys on P-256, P-384,
//! P-521 and Ed25519; deviceMac on each ECDH curve. Every valid combination
//! verifies, and each forgery — `alg` that does not match the key, an ECDSA
//! signature DER-encoded instead of `r‖s`, a hash other than the
//! algorithm's, a flipped bit, a reader key on another curve — is rejected
//! with its own code.

use crate::support;

use ciborium::Value;
use kakunin::{
    Curve, DeviceAuthInput, DeviceAuthKind, ErrorCode, ReaderKey, SignatureAlgorithm, UnixTime, Verification,
    VerifiedDocument, Verifier,
};
use support::keys::{alg_header, issue_cert_as, issue_cert_for_spki, CurvePki, HashAlg, SigForm, TestKey, X509Alg};
use support::*;

const ALGORITHMS: [SignatureAlgorithm; 4] = [
    SignatureAlgorithm::Es256,
    SignatureAlgorithm::Es384,
    SignatureAlgorithm::Es512,
    SignatureAlgorithm::EdDsa,
];
const HASHES: [HashAlg; 3] = [HashAlg::Sha256, HashAlg::Sha384, HashAlg::Sha512];

fn now() -> UnixTime {
    UnixTime::from_secs(T2024)
}

fn verify_against(store: kakunin::TrustStore, bytes: &[u8], reader: Option<&ReaderKey>) -> Verification {
    let t = transcript();
    Verifier::new(store).verify_device_response(
        bytes,
        DeviceAuthInput {
            session_transcript: Some(&t),
            reader_key: reader,
        },
        now(),
    )
}

fn verify(pki: &CurvePki, bytes: &[u8]) -> Verification {
    verify_against(pki.trust_store(), bytes, None)
}

#[track_caller]
fn assert_valid(v: Verification, what: &str) -> VerifiedDocument {
    assert!(v.is_valid(), "{what}: {:?}", v.error_codes());
    v.into_verified().expect("valid").remove(0)
}

#[track_caller]
fn assert_first(v: &Verification, code: ErrorCode, what: &str) {
    assert!(!v.is_valid(), "{what}: forgery verified as valid");
    assert_eq!(v.error_codes().first(), Some(&code), "{what}: {:?}", v.error_codes());
}

// ---------------------------------------------------------------- X.509 chain

#[test]
fn every_iaca_curve_issues_every_document_signer_curve() {
    for iaca in TestKey::CURVES {
        for ds in TestKey::CURVES {
            let what = format!("IACA {} → DS {}", iaca.name(), ds.name());
            let pki = CurvePki::new(TestKey::new(iaca, 1), TestKey::new(ds, 2));
            let doc = assert_valid(verify(&pki, &pki.mint(&pki.spec())), &what);
            assert_eq!(doc.issuer().signature_algorithm, pki.ds_key.algorithm(), "{what}");
            assert_eq!(doc.issuer().anchor_subject, "CN=Test IACA,C=JP", "{what}");
            assert_eq!(
                doc.element(MDL_NS, "given_name").and_then(|v| v.as_text()),
                Some("Hanako")
            );
        }
    }
}

#[test]
fn p384_iaca_signs_a_p256_document_signer() {
    let (iaca, ds) = (TestKey::p384(1), TestKey::p256(2));
    let pki = CurvePki::new(iaca.clone(), ds.clone());
    assert_valid(verify(&pki, &pki.mint(&pki.spec())), "IACA P-384 → DS P-256");

    // A flipped bit in the DS certificate's signature (inside the DER integer s).
    let mut forged = CurvePki::new(iaca.clone(), ds.clone());
    let n = forged.ds_der.len();
    forged.ds_der[n - 3] ^= 0x01;
    assert_first(
        &verify(&forged, &forged.mint(&forged.spec())),
        ErrorCode::IssuerChainUntrusted,
        "flipped DS certificate signature",
    );

    // Labelled ecdsa-with-SHA256 but signed over SHA-384, and the reverse.
    for (labelled, signed) in [(HashAlg::Sha256, HashAlg::Sha384), (HashAlg::Sha384, HashAlg::Sha256)] {
        let mut forged = CurvePki::new(iaca.clone(), ds.clone());
        forged.ds_der = issue_cert_as(
            &CertSpec::ds("Test DS"),
            &ds,
            &forged.iaca_name,
            &iaca,
            X509Alg::Ecdsa(labelled),
            X509Alg::Ecdsa(signed),
        );
        assert_first(
            &verify(&forged, &forged.mint(&forged.spec())),
            ErrorCode::IssuerChainUntrusted,
            &format!("DS certificate labelled {labelled:?}, signed over {signed:?}"),
        );
    }

    // A DS certificate that a P-256 impostor signed under the IACA's name.
    let mut forged = CurvePki::new(iaca, ds.clone());
    forged.ds_der = issue_cert_with_impostor(&ds, &forged.iaca_name);
    assert_first(
        &verify(&forged, &forged.mint(&forged.spec())),
        ErrorCode::IssuerChainUntrusted,
        "DS signed by an impostor IACA",
    );
}

fn issue_cert_with_impostor(ds: &TestKey, iaca_name: &str) -> Vec<u8> {
    let impostor = TestKey::p256(1);
    let spec = CertSpec {
        aki: false,
        ..CertSpec::ds("Test DS")
    };
    support::keys::issue_cert_with(&spec, ds, iaca_name, &impostor)
}

#[test]
fn certificate_signature_algorithm_confusion_is_untrusted() {
    // An Ed25519 IACA's pure signature labelled as ECDSA, and an ECDSA IACA's
    // DER signature labelled as Ed25519: the label decides how to verify, and
    // neither verifies.
    let spec = CertSpec::ds("Test DS");
    for (iaca, labelled, signed) in [
        (TestKey::ed25519(1), X509Alg::Ecdsa(HashAlg::Sha256), X509Alg::Ed25519),
        (TestKey::ed25519(1), X509Alg::Ecdsa(HashAlg::Sha512), X509Alg::Ed25519),
        (TestKey::p256(1), X509Alg::Ed25519, X509Alg::Ecdsa(HashAlg::Sha256)),
        (TestKey::p521(1), X509Alg::Ed25519, X509Alg::Ecdsa(HashAlg::Sha512)),
    ] {
        let what = format!("{} IACA, labelled {labelled:?}, signed {signed:?}", iaca.curve().name());
        let mut pki = CurvePki::new(iaca.clone(), TestKey::p256(2));
        pki.ds_der = issue_cert_as(&spec, &pki.ds_key, &pki.iaca_name, &iaca, labelled, signed);
        assert_first(
            &verify(&pki, &pki.mint(&pki.spec())),
            ErrorCode::IssuerChainUntrusted,
            &what,
        );
    }
}

#[test]
fn certificate_signature_algorithm_must_equal_the_signed_one() {
    // RFC 5280 §4.1.1.2: the outer signatureAlgorithm must be the
    // tbsCertificate.signature the issuer signed. Here the issuer signed a
    // tbsCertificate naming ecdsa-with-SHA256, but over SHA-384, and the
    // outer label was changed to ecdsa-with-SHA384 so that it verifies.
    use der::{Decode, Encode};
    let (iaca, ds) = (TestKey::p384(1), TestKey::p256(2));
    let mut pki = CurvePki::new(iaca.clone(), ds.clone());
    let signed = issue_cert_as(
        &CertSpec::ds("Test DS"),
        &ds,
        &pki.iaca_name,
        &iaca,
        X509Alg::Ecdsa(HashAlg::Sha256),
        X509Alg::Ecdsa(HashAlg::Sha384),
    );
    let mut cert = x509_cert::Certificate::from_der(&signed).unwrap();
    cert.signature_algorithm = X509Alg::Ecdsa(HashAlg::Sha384).identifier();
    pki.ds_der = cert.to_der().unwrap();
    assert_first(
        &verify(&pki, &pki.mint(&pki.spec())),
        ErrorCode::CertificateProfileInvalid,
        "outer signatureAlgorithm relabelled",
    );
}

#[test]
fn a_certificate_hash_other_than_the_curves_own_is_accepted() {
    // RFC 5758 §3.2 pairs no hash with a curve: a P-384 IACA may sign with
    // ecdsa-with-SHA256, a P-256 IACA with ecdsa-with-SHA512, and a P-521
    // IACA with ecdsa-with-SHA256 (ECDSA uses the whole 256-bit hash, FIPS
    // 186-5 §6.4.1).
    for (iaca, hash) in [
        (TestKey::p384(1), HashAlg::Sha256),
        (TestKey::p256(1), HashAlg::Sha512),
        (TestKey::p256(1), HashAlg::Sha384),
        (TestKey::p521(1), HashAlg::Sha384),
        (TestKey::p521(1), HashAlg::Sha256),
    ] {
        let what = format!("{} IACA with {hash:?}", iaca.curve().name());
        let mut pki = CurvePki::new(iaca.clone(), TestKey::p256(2));
        let alg = X509Alg::Ecdsa(hash);
        pki.ds_der = issue_cert_as(&CertSpec::ds("Test DS"), &pki.ds_key, &pki.iaca_name, &iaca, alg, alg);
        assert_valid(verify(&pki, &pki.mint(&pki.spec())), &what);
    }
}

// ------------------------------------------------------------------ issuerAuth

/// A Document Signer on `ds`'s curve: its algorithm verifies; every other
/// `alg`, a DER signature, another hash and a flipped bit are refused.
fn document_signer_case(ds: TestKey) {
    let curve = ds.curve().name();
    let pki = CurvePki::new(TestKey::p256(1), ds.clone());
    let spec = pki.spec();
    let doc = assert_valid(verify(&pki, &pki.mint(&spec)), curve);
    assert_eq!(doc.issuer().signature_algorithm, ds.algorithm());

    for alg in ALGORITHMS.into_iter().filter(|a| *a != ds.algorithm()) {
        let forged = MdocSpec {
            issuer_protected: alg_header(alg.cose_id()),
            ..spec.clone()
        };
        assert_first(
            &verify(&pki, &pki.mint(&forged)),
            ErrorCode::AlgorithmKeyMismatch,
            &format!("{} in issuerAuth with a {curve} DS", alg.name()),
        );
    }

    let flipped = MdocSpec {
        break_issuer_signature: true,
        ..spec.clone()
    };
    assert_first(
        &verify(&pki, &pki.mint(&flipped)),
        ErrorCode::IssuerSignatureInvalid,
        &format!("{curve}: flipped bit"),
    );

    if let Some(own) = ds.cose_hash() {
        let der = MdocSpec {
            issuer_signature_form: SigForm::Der,
            ..spec.clone()
        };
        assert_first(
            &verify(&pki, &pki.mint(&der)),
            ErrorCode::IssuerSignatureInvalid,
            &format!("{curve}: DER-encoded signature"),
        );
        for h in HASHES.into_iter().filter(|h| *h != own) {
            let other = MdocSpec {
                issuer_signature_form: SigForm::OtherHash(h),
                ..spec.clone()
            };
            assert_first(
                &verify(&pki, &pki.mint(&other)),
                ErrorCode::IssuerSignatureInvalid,
                &format!("{curve}: r‖s over {h:?}"),
            );
        }
    }
}

#[test]
fn es256_with_a_p256_document_signer() {
    document_signer_case(TestKey::p256(2));
}

#[test]
fn es384_with_a_p384_document_signer() {
    document_signer_case(TestKey::p384(2));
}

#[test]
fn es512_with_a_p521_document_signer() {
    document_signer_case(TestKey::p521(2));
}

#[test]
fn eddsa_with_an_ed25519_document_signer() {
    document_signer_case(TestKey::ed25519(2));
}

#[test]
fn eddsa_signature_with_a_non_canonical_s_is_refused() {
    // S + L is the same signature modulo L (malleated); RFC 8032 §5.1.7 wants S < L.
    let pki = CurvePki::new(TestKey::p256(1), TestKey::ed25519(2));
    let bytes = pki.mint(&pki.spec());
    let forged = edit_issuer_signature(&bytes, |sig| {
        assert_eq!(sig.len(), 64);
        add_group_order(&mut sig[32..]);
    });
    assert_first(
        &verify(&pki, &forged),
        ErrorCode::IssuerSignatureInvalid,
        "Ed25519 S + L",
    );
}

/// Adds the Ed25519 group order L to a little-endian 32-byte scalar.
fn add_group_order(s: &mut [u8]) {
    const L: [u8; 32] = [
        0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
    ];
    let mut carry = 0u16;
    for (b, l) in s.iter_mut().zip(L) {
        let v = u16::from(*b) + u16::from(l) + carry;
        let [lo, hi] = v.to_le_bytes();
        *b = lo;
        carry = u16::from(hi);
    }
    assert_eq!(carry, 0);
}

/// Decodes a minted response, lets `f` edit documents[0]'s issuerAuth
/// signature, and re-encodes (ciborium wrote it, so the rest round-trips).
fn edit_issuer_signature(bytes: &[u8], f: impl FnOnce(&mut Vec<u8>)) -> Vec<u8> {
    edit_document(bytes, |doc| {
        let auth = field(field(doc, "issuerSigned"), "issuerAuth");
        let Value::Array(parts) = auth else {
            panic!("issuerAuth")
        };
        let Value::Bytes(sig) = &mut parts[3] else {
            panic!("signature")
        };
        f(sig);
    })
}

/// Like [`edit_issuer_signature`] for documents[0]'s deviceSignature.
fn edit_device_signature(bytes: &[u8], f: impl FnOnce(&mut Vec<u8>)) -> Vec<u8> {
    edit_document(bytes, |doc| {
        let auth = field(field(field(doc, "deviceSigned"), "deviceAuth"), "deviceSignature");
        let Value::Array(parts) = auth else {
            panic!("deviceSignature")
        };
        let Value::Bytes(sig) = &mut parts[3] else {
            panic!("signature")
        };
        f(sig);
    })
}

fn edit_document(bytes: &[u8], f: impl FnOnce(&mut Value)) -> Vec<u8> {
    let mut resp: Value = ciborium::from_reader(bytes).expect("response");
    let docs = field(&mut resp, "documents");
    let Value::Array(docs) = docs else { panic!("documents") };
    f(&mut docs[0]);
    enc(&resp)
}

fn field<'a>(v: &'a mut Value, key: &str) -> &'a mut Value {
    let Value::Map(entries) = v else { panic!("not a map") };
    entries
        .iter_mut()
        .find(|(k, _)| k.as_text() == Some(key))
        .map(|(_, v)| v)
        .unwrap_or_else(|| panic!("{key} missing"))
}

// ------------------------------------------------------------- deviceSignature

/// An MSO deviceKey on `device`'s curve: deviceSignature with its algorithm
/// verifies; every other `alg`, a DER signature, another hash and a flipped
/// bit are refused.
fn device_signature_case(device: TestKey) {
    let curve = device.curve().name();
    // The P-256 test PKI of the other tests: only the device key changes.
    let pki = TestPki::new();
    let store = pki.trust_store();
    let spec = MdocSpec::default().with_device_key(device.clone());
    let doc = assert_valid(verify_against(store.clone(), &mint(&pki, &spec), None), curve);
    assert_eq!(doc.device_auth(), Some(DeviceAuthKind::Signature));

    for alg in ALGORITHMS.into_iter().filter(|a| *a != device.algorithm()) {
        let forged = MdocSpec {
            device_protected: Some(alg_header(alg.cose_id())),
            ..spec.clone()
        };
        assert_first(
            &verify_against(store.clone(), &mint(&pki, &forged), None),
            ErrorCode::AlgorithmKeyMismatch,
            &format!("{} deviceSignature with a {curve} deviceKey", alg.name()),
        );
    }

    let flipped = MdocSpec {
        break_device_auth: true,
        ..spec.clone()
    };
    assert_first(
        &verify_against(store.clone(), &mint(&pki, &flipped), None),
        ErrorCode::DeviceSignatureInvalid,
        &format!("{curve}: flipped bit"),
    );

    if let Some(own) = device.cose_hash() {
        let der = MdocSpec {
            device_signature_form: SigForm::Der,
            ..spec.clone()
        };
        assert_first(
            &verify_against(store.clone(), &mint(&pki, &der), None),
            ErrorCode::DeviceSignatureInvalid,
            &format!("{curve}: DER-encoded device signature"),
        );
        for h in HASHES.into_iter().filter(|h| *h != own) {
            let other = MdocSpec {
                device_signature_form: SigForm::OtherHash(h),
                ..spec.clone()
            };
            assert_first(
                &verify_against(store.clone(), &mint(&pki, &other), None),
                ErrorCode::DeviceSignatureInvalid,
                &format!("{curve}: device r‖s over {h:?}"),
            );
        }
    }
}

#[test]
fn device_signature_with_a_p256_device_key() {
    device_signature_case(TestKey::p256(3));
}

#[test]
fn device_signature_with_a_p384_device_key() {
    device_signature_case(TestKey::p384(3));
}

#[test]
fn device_signature_with_a_p521_device_key() {
    device_signature_case(TestKey::p521(3));
}

#[test]
fn device_signature_with_an_ed25519_device_key() {
    device_signature_case(TestKey::ed25519(3));
}

#[test]
fn document_signer_and_device_curves_are_independent() {
    // Each DS curve with the same device curve and with the next one.
    for (i, ds) in TestKey::CURVES.into_iter().enumerate() {
        for device in [ds, TestKey::CURVES[(i + 1) % 4]] {
            let what = format!("DS {} + device {}", ds.name(), device.name());
            let pki = CurvePki::new(TestKey::p384(1), TestKey::new(ds, 2));
            let spec = pki.spec().with_device_key(TestKey::new(device, 3));
            let doc = assert_valid(verify(&pki, &pki.mint(&spec)), &what);
            assert_eq!(doc.device_auth(), Some(DeviceAuthKind::Signature), "{what}");
        }
    }
}

// ------------------------------------------------------------------- deviceMac

/// deviceMac with a device key and a reader key on `curve` verifies; another
/// reader key on the same curve, a flipped tag, and a reader key on any other
/// curve are refused.
fn device_mac_case(curve: Curve) {
    let c = curve.name();
    let device = TestKey::new(curve, 3);
    let reader = TestKey::new(curve, 9);
    let pki = TestPki::new();
    let store = pki.trust_store();
    let spec = MdocSpec::default().with_device_key(device).with_mac_to(&reader);
    let bytes = mint(&pki, &spec);
    let doc = assert_valid(verify_against(store.clone(), &bytes, Some(&reader.reader_key())), c);
    assert_eq!(doc.device_auth(), Some(DeviceAuthKind::Mac));

    let other_reader = TestKey::new(curve, 10).reader_key();
    assert_first(
        &verify_against(store.clone(), &bytes, Some(&other_reader)),
        ErrorCode::DeviceMacInvalid,
        &format!("{c}: another reader key on the same curve"),
    );

    let flipped = MdocSpec {
        break_device_auth: true,
        ..spec.clone()
    };
    assert_first(
        &verify_against(store.clone(), &mint(&pki, &flipped), Some(&reader.reader_key())),
        ErrorCode::DeviceMacInvalid,
        &format!("{c}: flipped tag"),
    );

    for other in TestKey::ECDH_CURVES.into_iter().filter(|o| *o != curve) {
        let wrong = TestKey::new(other, 9).reader_key();
        assert_first(
            &verify_against(store.clone(), &bytes, Some(&wrong)),
            ErrorCode::AlgorithmKeyMismatch,
            &format!("{c} deviceKey with a {} reader key", other.name()),
        );
    }
}

#[test]
fn device_mac_with_p256_keys() {
    device_mac_case(Curve::P256);
}

#[test]
fn device_mac_with_p384_keys() {
    device_mac_case(Curve::P384);
}

#[test]
fn device_mac_with_p521_keys() {
    device_mac_case(Curve::P521);
}

#[test]
fn device_mac_with_an_ed25519_device_key_is_a_key_mismatch() {
    // Ed25519 is a signature key; no reader key can agree a MAC key with it.
    // The response carries an Ed25519 deviceKey and a deviceMac.
    let pki = TestPki::new();
    let bytes = mint(&pki, &MdocSpec::default().with_device_key(TestKey::ed25519(3)));
    let forged = edit_document(&bytes, |doc| {
        let auth = field(field(doc, "deviceSigned"), "deviceAuth");
        *auth = map(vec![(
            text("deviceMac"),
            Value::Array(vec![
                Value::Bytes(enc(&map(alg_header(5)))),
                map(vec![]),
                Value::Null,
                Value::Bytes(vec![0x5a; 32]),
            ]),
        )]);
    });
    for curve in TestKey::ECDH_CURVES {
        assert_first(
            &verify_against(pki.trust_store(), &forged, Some(&TestKey::new(curve, 9).reader_key())),
            ErrorCode::AlgorithmKeyMismatch,
            &format!("Ed25519 deviceKey with a {} reader key", curve.name()),
        );
    }
}

/// The reader's private key in every format the API reads (PKCS#8 and SEC1,
/// DER and PEM, COSE_Key with `d`), on each ECDH curve.
fn reader_key_encodings(k: &TestKey) -> Vec<(&'static str, Vec<u8>)> {
    use p256::pkcs8::{EncodePrivateKey, LineEnding};
    macro_rules! encodings {
        ($sk:expr) => {{
            let sk = $sk;
            vec![
                ("PKCS#8 DER", sk.to_pkcs8_der().unwrap().as_bytes().to_vec()),
                (
                    "PKCS#8 PEM",
                    sk.to_pkcs8_pem(LineEnding::LF).unwrap().as_bytes().to_vec(),
                ),
                ("SEC1 DER", sk.to_sec1_der().unwrap().to_vec()),
                ("SEC1 PEM", sk.to_sec1_pem(LineEnding::LF).unwrap().as_bytes().to_vec()),
            ]
        }};
    }
    let d = k.secret_bytes();
    let mut out = match k.curve() {
        Curve::P256 => encodings!(p256::SecretKey::from_slice(&d).unwrap()),
        Curve::P384 => encodings!(p384::SecretKey::from_slice(&d).unwrap()),
        Curve::P521 => encodings!(p521::SecretKey::from_slice(&d).unwrap()),
        other => panic!("{other:?} is no ECDH curve"),
    };
    let Value::Map(mut cose) = k.cose_key() else {
        panic!("COSE_Key")
    };
    cose.push((Value::Integer((-4).into()), Value::Bytes(d)));
    out.push(("COSE_Key", enc(&Value::Map(cose))));
    out
}

#[test]
fn reader_keys_on_every_curve_in_every_format_verify_device_mac() {
    let pki = TestPki::new();
    for curve in TestKey::ECDH_CURVES {
        let reader = TestKey::new(curve, 9);
        let bytes = mint(
            &pki,
            &MdocSpec::default()
                .with_device_key(TestKey::new(curve, 3))
                .with_mac_to(&reader),
        );
        for (format, encoded) in reader_key_encodings(&reader) {
            let what = format!("{} reader key as {format}", curve.name());
            let key = ReaderKey::from_bytes(&encoded).unwrap_or_else(|e| panic!("{what}: {e}"));
            assert_eq!(key.curve(), curve, "{what}");
            let doc = assert_valid(verify_against(pki.trust_store(), &bytes, Some(&key)), &what);
            assert_eq!(doc.device_auth(), Some(DeviceAuthKind::Mac), "{what}");
        }
        // Another reader's key, in the same formats, fails the MAC.
        for (format, encoded) in reader_key_encodings(&TestKey::new(curve, 10)) {
            let key = ReaderKey::from_bytes(&encoded).unwrap();
            assert_first(
                &verify_against(pki.trust_store(), &bytes, Some(&key)),
                ErrorCode::DeviceMacInvalid,
                &format!("{} other reader key as {format}", curve.name()),
            );
        }
    }
}

// --------------------------------------------------------- MSO deviceKey form

/// A COSE_Key built from `(label, value)` pairs.
fn cose_key(entries: Vec<(i64, Value)>) -> Value {
    map(entries
        .into_iter()
        .map(|(k, v)| (Value::Integer(k.into()), v))
        .collect())
}

fn int(i: i64) -> Value {
    Value::Integer(i.into())
}

#[test]
fn compressed_device_keys_verify_on_each_nist_curve() {
    let pki = TestPki::new();
    for curve in TestKey::ECDH_CURVES {
        let device = TestKey::new(curve, 3);
        let spec = MdocSpec {
            device_cose_key: Some(device.cose_key_compressed()),
            ..MdocSpec::default().with_device_key(device.clone())
        };
        let what = format!("compressed {} deviceKey", curve.name());
        assert_valid(verify_against(pki.trust_store(), &mint(&pki, &spec), None), &what);

        // The other sign bit names the other point (x, -y): the device's
        // signature no longer verifies.
        let Value::Map(mut other) = device.cose_key_compressed() else {
            unreachable!()
        };
        for (k, v) in other.iter_mut() {
            if *k == int(-3) {
                *v = Value::Bool(!matches!(v, Value::Bool(true)));
            }
        }
        let forged = MdocSpec {
            device_cose_key: Some(Value::Map(other)),
            ..spec
        };
        assert_first(
            &verify_against(pki.trust_store(), &mint(&pki, &forged), None),
            ErrorCode::DeviceSignatureInvalid,
            &format!("{what} with the other sign bit"),
        );
    }
}

#[test]
fn malformed_device_keys_are_refused() {
    let pki = TestPki::new();
    let p384 = TestKey::p384(3);
    let p = p384.public_bytes();
    let (x, y) = (p[1..49].to_vec(), p[49..].to_vec());
    let p256 = TestKey::p256(3).public_bytes();
    let ed = TestKey::ed25519(3).public_bytes();
    let mut y_flipped = y.clone();
    y_flipped[47] ^= 1;
    let cases: Vec<(&str, Value, ErrorCode)> = vec![
        (
            "crv P-384 with P-256 coordinates",
            cose_key(vec![
                (1, int(2)),
                (-1, int(2)),
                (-2, Value::Bytes(p256[1..33].to_vec())),
                (-3, Value::Bytes(p256[33..].to_vec())),
            ]),
            ErrorCode::StructureInvalid,
        ),
        (
            "crv P-256 with P-384 coordinates",
            cose_key(vec![
                (1, int(2)),
                (-1, int(1)),
                (-2, Value::Bytes(x.clone())),
                (-3, Value::Bytes(y.clone())),
            ]),
            ErrorCode::StructureInvalid,
        ),
        (
            "P-384 point off the curve",
            cose_key(vec![
                (1, int(2)),
                (-1, int(2)),
                (-2, Value::Bytes(x.clone())),
                (-3, Value::Bytes(y_flipped)),
            ]),
            ErrorCode::StructureInvalid,
        ),
        (
            "kty OKP with crv P-384",
            cose_key(vec![(1, int(1)), (-1, int(2)), (-2, Value::Bytes(x.clone()))]),
            ErrorCode::StructureInvalid,
        ),
        (
            "kty EC2 with crv Ed25519",
            cose_key(vec![
                (1, int(2)),
                (-1, int(6)),
                (-2, Value::Bytes(ed.clone())),
                (-3, Value::Bytes(ed.clone())),
            ]),
            ErrorCode::StructureInvalid,
        ),
        (
            "EC2 without y",
            cose_key(vec![(1, int(2)), (-1, int(2)), (-2, Value::Bytes(x.clone()))]),
            ErrorCode::StructureInvalid,
        ),
        (
            "crv X25519 (key agreement only; not supported)",
            cose_key(vec![(1, int(1)), (-1, int(4)), (-2, Value::Bytes(ed.clone()))]),
            ErrorCode::UnsupportedAlgorithm,
        ),
        (
            "crv brainpoolP256r1 (not supported)",
            cose_key(vec![
                (1, int(2)),
                (-1, int(256)),
                (-2, Value::Bytes(x.clone())),
                (-3, Value::Bytes(y.clone())),
            ]),
            ErrorCode::UnsupportedAlgorithm,
        ),
    ];
    for (what, key, code) in cases {
        let spec = MdocSpec {
            device_cose_key: Some(key),
            ..MdocSpec::default().with_device_key(p384.clone())
        };
        assert_first(&verify_against(pki.trust_store(), &mint(&pki, &spec), None), code, what);
    }
}

/// The Ed25519 identity point, and the signature (R = identity, S = 0) that
/// cofactorless non-strict verification accepts for every message under it.
fn ed25519_identity_and_universal_signature() -> (Vec<u8>, Vec<u8>) {
    let mut identity = vec![0u8; 32];
    identity[0] = 1;
    let mut universal = identity.clone();
    universal.extend_from_slice(&[0u8; 32]);
    // The premise: plain verification accepts it; strict verification does not.
    let vk = ed25519_dalek::VerifyingKey::from_bytes(&identity.clone().try_into().unwrap()).unwrap();
    let sig = ed25519_dalek::Signature::from_slice(&universal).unwrap();
    assert!(ed25519_dalek::Verifier::verify(&vk, b"any message", &sig).is_ok());
    assert!(vk.verify_strict(b"any message", &sig).is_err());
    (identity, universal)
}

#[test]
fn ed25519_small_order_document_signer_key_accepts_no_signature() {
    // An IACA that certified a small-order Ed25519 key: issuerAuth carrying
    // the universal signature must still fail.
    let (identity, universal) = ed25519_identity_and_universal_signature();
    let iaca = TestKey::p256(1);
    let mut pki = CurvePki::new(iaca.clone(), TestKey::ed25519(2));
    let spki = x509_cert::spki::SubjectPublicKeyInfoOwned {
        algorithm: X509Alg::Ed25519.identifier(),
        subject_public_key: der::asn1::BitString::from_bytes(&identity).unwrap(),
    };
    let alg = iaca.x509_alg();
    pki.ds_der = issue_cert_for_spki(
        &CertSpec::ds("Test DS"),
        (spki, vec![0x1d; 20]),
        &pki.iaca_name,
        &iaca,
        alg,
        alg,
    );
    let forged = edit_issuer_signature(&pki.mint(&pki.spec()), |sig| *sig = universal);
    assert_first(
        &verify(&pki, &forged),
        ErrorCode::IssuerSignatureInvalid,
        "small-order Ed25519 DS key with R = identity, S = 0",
    );
}

#[test]
fn ed25519_small_order_device_key_accepts_no_signature() {
    // The same universal signature under a small-order MSO deviceKey.
    let (identity, universal) = ed25519_identity_and_universal_signature();
    let pki = TestPki::new();
    let spec = MdocSpec {
        device_cose_key: Some(cose_key(vec![(1, int(1)), (-1, int(6)), (-2, Value::Bytes(identity))])),
        ..MdocSpec::default().with_device_key(TestKey::ed25519(3))
    };
    let forged = edit_device_signature(&mint(&pki, &spec), |sig| *sig = universal);
    assert_first(
        &verify_against(pki.trust_store(), &forged, None),
        ErrorCode::DeviceSignatureInvalid,
        "small-order Ed25519 deviceKey with R = identity, S = 0",
    );
}

/// The group order n of a NIST curve, big-endian in the curve's field size.
fn group_order(curve: Curve) -> Vec<u8> {
    use p256::elliptic_curve::bigint::ArrayEncoding;
    use p256::elliptic_curve::Curve as _;
    let be = match curve {
        Curve::P256 => p256::NistP256::ORDER.to_be_byte_array().to_vec(),
        Curve::P384 => p384::NistP384::ORDER.to_be_byte_array().to_vec(),
        Curve::P521 => p521::NistP521::ORDER.to_be_byte_array().to_vec(),
        other => panic!("{other:?} is no ECDSA curve"),
    };
    be[be.len() - curve.field_bytes()..].to_vec()
}

#[test]
fn ecdsa_signatures_with_out_of_range_r_and_s_are_refused() {
    // r = s = 0 (CVE-2022-21449, "psychic signatures": Java accepted them for
    // every message) and r = s = n, which is 0 modulo the order.
    for curve in [Curve::P256, Curve::P384, Curve::P521] {
        let key = TestKey::new(curve, 2);
        let n = group_order(curve);
        assert_eq!(n.len(), curve.field_bytes());
        assert_ne!(n[0], 0, "{curve:?} order sliced wrongly");
        for (what, forged_sig) in [
            ("r = s = 0", vec![0u8; 2 * n.len()]),
            ("r = s = n", [n.clone(), n.clone()].concat()),
        ] {
            let pki = CurvePki::new(TestKey::p256(1), key.clone());
            let forged = edit_issuer_signature(&pki.mint(&pki.spec()), |sig| *sig = forged_sig.clone());
            assert_first(
                &verify(&pki, &forged),
                ErrorCode::IssuerSignatureInvalid,
                &format!("{} issuerAuth with {what}", curve.name()),
            );

            let pki = TestPki::new();
            let bytes = mint(&pki, &MdocSpec::default().with_device_key(key.clone()));
            let forged = edit_device_signature(&bytes, |sig| *sig = forged_sig.clone());
            assert_first(
                &verify_against(pki.trust_store(), &forged, None),
                ErrorCode::DeviceSignatureInvalid,
                &format!("{} deviceSignature with {what}", curve.name()),
            );
        }
    }
}
