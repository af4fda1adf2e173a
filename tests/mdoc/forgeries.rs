//! One forged input per check: each must be rejected with the right code.
//! The forgeries are minted by the test issuer in `tests/kit`.

use crate::support;

use ciborium::Value;
use kakunin::{DeviceAuthInput, ErrorCode, Limits, Policy, UnixTime, Verification, Verifier};
use support::*;

fn now() -> UnixTime {
    UnixTime::from_secs(T2024)
}

fn verify_with(pki: &TestPki, bytes: &[u8], policy: Policy, at: UnixTime) -> Verification {
    let t = transcript();
    let (rk, _) = reader_key();
    Verifier::new(pki.trust_store())
        .with_policy(policy)
        .verify_device_response(
            bytes,
            DeviceAuthInput {
                session_transcript: Some(&t),
                reader_key: Some(&rk),
            },
            at,
        )
}

/// Verifies with the test transcript and the given reader key (or none).
fn verify_keyed(pki: &TestPki, bytes: &[u8], reader_key: Option<&kakunin::ReaderKey>) -> Verification {
    let t = transcript();
    let auth = DeviceAuthInput {
        session_transcript: Some(&t),
        reader_key,
    };
    Verifier::new(pki.trust_store()).verify_device_response(bytes, auth, now())
}

fn verify(pki: &TestPki, bytes: &[u8]) -> Verification {
    verify_with(pki, bytes, Policy::default(), now())
}

#[track_caller]
fn assert_rejected(v: &Verification, code: ErrorCode) {
    assert!(!v.is_valid(), "forgery verified as valid");
    let codes = v.error_codes();
    assert!(codes.contains(&code), "expected {code}, got {codes:?}");
    for d in v.documents() {
        if let Err(r) = d {
            assert!(!r.errors().is_empty());
        }
    }
}

#[track_caller]
fn assert_first(v: &Verification, code: ErrorCode) {
    assert!(!v.is_valid());
    assert_eq!(v.error_codes().first(), Some(&code), "got {:?}", v.error_codes());
}

fn spec() -> MdocSpec {
    MdocSpec::default()
}

#[test]
fn minted_response_is_valid() {
    let pki = TestPki::new();
    let v = verify(&pki, &mint(&pki, &spec()));
    assert!(v.is_valid(), "{:?}", v.error_codes());
    let docs = v.into_verified().unwrap();
    assert_eq!(docs[0].doc_type(), MDL);
    assert_eq!(docs[0].device_auth(), Some(kakunin::DeviceAuthKind::Signature));
    assert_eq!(
        docs[0].element(MDL_NS, "family_name").and_then(|v| v.as_text()),
        Some("Yamada")
    );
    assert_eq!(
        docs[0].element(MDL_NS, "age_over_20").and_then(|v| v.as_bool()),
        Some(true)
    );
}

#[test]
fn minted_mac_response_is_valid_and_wrong_reader_key_fails() {
    let pki = TestPki::new();
    let (_, sec1) = reader_key();
    let bytes = mint(
        &pki,
        &MdocSpec {
            device_auth: DeviceAuthMode::Mac {
                reader_public_sec1: sec1,
            },
            ..spec()
        },
    );
    let v = verify(&pki, &bytes);
    assert!(v.is_valid(), "{:?}", v.error_codes());
    assert_eq!(
        v.documents()[0].as_ref().unwrap().device_auth(),
        Some(kakunin::DeviceAuthKind::Mac)
    );

    let other = kakunin::ReaderKey::from_scalar(kakunin::Curve::P256, &key(77).to_bytes()).unwrap();
    let v = verify_keyed(&pki, &bytes, Some(&other));
    assert_rejected(&v, ErrorCode::DeviceMacInvalid);
}

#[test]
fn cbor_malformed_trailing_bytes() {
    let pki = TestPki::new();
    let mut b = mint(&pki, &spec());
    b.push(0x00);
    let v = verify(&pki, &b);
    assert_rejected(&v, ErrorCode::CborMalformed);
    assert!(v.documents().is_empty());
}

#[test]
fn cbor_malformed_truncated_and_duplicate_keys() {
    let pki = TestPki::new();
    let b = mint(&pki, &spec());
    assert_rejected(&verify(&pki, &b[..b.len() - 3]), ErrorCode::CborMalformed);
    // A DeviceResponse whose top-level map repeats "status".
    let dup = enc(&map(vec![
        (text("version"), text("1.0")),
        (text("documents"), Value::Array(vec![mint_document(&pki, &spec())])),
        (text("status"), Value::Integer(0.into())),
        (text("status"), Value::Integer(0.into())),
    ]));
    assert_rejected(&verify(&pki, &dup), ErrorCode::CborMalformed);
}

#[test]
fn cbor_malformed_duplicate_key_inside_signed_item() {
    // A disclosed IssuerSignedItem that repeats elementValue: its digest is
    // in the MSO, yet the duplicate must be refused before anything else.
    let pki = TestPki::new();
    let mut doc = mint_document(&pki, &spec());
    let Value::Map(entries) = &mut doc else { panic!() };
    let Value::Map(is) = &mut entries[1].1 else { panic!() };
    let Value::Map(nss) = &mut is[0].1 else { panic!() };
    let Value::Array(items) = &mut nss[0].1 else { panic!() };
    items[0] = tag24(enc(&map(vec![
        (text("digestID"), Value::Integer(0.into())),
        (text("random"), Value::Bytes(vec![1; 16])),
        (text("elementIdentifier"), text("family_name")),
        (text("elementValue"), text("A")),
        (text("elementValue"), text("B")),
    ])));
    assert_rejected(&verify(&pki, &device_response(vec![doc])), ErrorCode::CborMalformed);
}

#[test]
fn structure_invalid_missing_issuer_signed_and_alg() {
    let pki = TestPki::new();
    let bad_doc = map(vec![(text("docType"), text(MDL))]);
    assert_rejected(
        &verify(&pki, &device_response(vec![bad_doc])),
        ErrorCode::StructureInvalid,
    );
    // alg only in the unprotected header: the protected header is empty.
    let bytes = mint(
        &pki,
        &MdocSpec {
            issuer_protected: vec![],
            ..spec()
        },
    );
    assert_rejected(&verify(&pki, &bytes), ErrorCode::StructureInvalid);
}

#[test]
fn unsupported_versions() {
    let pki = TestPki::new();
    assert_rejected(
        &verify(
            &pki,
            &mint(
                &pki,
                &MdocSpec {
                    mso_version: "2.0".into(),
                    ..spec()
                },
            ),
        ),
        ErrorCode::UnsupportedVersion,
    );
    let resp = enc(&map(vec![
        (text("version"), text("9.9")),
        (text("documents"), Value::Array(vec![mint_document(&pki, &spec())])),
        (text("status"), Value::Integer(0.into())),
    ]));
    assert_rejected(&verify(&pki, &resp), ErrorCode::UnsupportedVersion);
}

#[test]
fn unsupported_algorithms() {
    let pki = TestPki::new();
    let md5 = mint(
        &pki,
        &MdocSpec {
            digest_algorithm: "MD5".into(),
            ..spec()
        },
    );
    assert_rejected(&verify(&pki, &md5), ErrorCode::UnsupportedAlgorithm);
    let rs256 = mint(
        &pki,
        &MdocSpec {
            issuer_protected: vec![(Value::Integer(1.into()), Value::Integer((-257).into()))],
            ..spec()
        },
    );
    assert_rejected(&verify(&pki, &rs256), ErrorCode::UnsupportedAlgorithm);
    let (_, sec1) = reader_key();
    let mac_alg = mint(
        &pki,
        &MdocSpec {
            device_auth: DeviceAuthMode::Mac {
                reader_public_sec1: sec1,
            },
            device_protected: Some(vec![(Value::Integer(1.into()), Value::Integer(6.into()))]),
            ..spec()
        },
    );
    assert_rejected(&verify(&pki, &mac_alg), ErrorCode::UnsupportedAlgorithm);
}

#[test]
fn sha384_and_sha512_digests_verify() {
    let pki = TestPki::new();
    for alg in ["SHA-384", "SHA-512"] {
        let v = verify(
            &pki,
            &mint(
                &pki,
                &MdocSpec {
                    digest_algorithm: alg.into(),
                    ..spec()
                },
            ),
        );
        assert!(v.is_valid(), "{alg}: {:?}", v.error_codes());
    }
}

#[test]
fn issuer_signature_invalid() {
    let pki = TestPki::new();
    let b = mint(
        &pki,
        &MdocSpec {
            break_issuer_signature: true,
            ..spec()
        },
    );
    assert_first(&verify(&pki, &b), ErrorCode::IssuerSignatureInvalid);
}

#[test]
fn issuer_chain_untrusted_other_anchor() {
    let pki = TestPki::new();
    let other = TestPki::with_specs(CertSpec::iaca("Other IACA"), CertSpec::ds("Other DS"));
    let b = mint(&other, &spec());
    assert_first(&verify(&pki, &b), ErrorCode::IssuerChainUntrusted);
}

#[test]
fn issuer_chain_untrusted_same_name_impostor_iaca() {
    // The attacker makes an IACA with the trusted IACA's name, issues a DS,
    // and ships the impostor IACA inside x5chain: only the store confers trust.
    let pki = TestPki::new();
    let impostor_key = key(66);
    let iaca = CertSpec::iaca("Test IACA");
    let impostor_der = issue_cert(&iaca, &impostor_key, &iaca.subject, &impostor_key);
    let ds_key = key(67);
    let ds_der = issue_cert(&CertSpec::ds("Evil DS"), &ds_key, &iaca.subject, &impostor_key);
    let evil = TestPki {
        iaca_key: impostor_key,
        iaca_der: impostor_der.clone(),
        iaca_name: iaca.subject,
        ds_key,
        ds_der,
    };
    let b = mint(
        &evil,
        &MdocSpec {
            extra_chain: vec![impostor_der],
            ..spec()
        },
    );
    assert_first(&verify(&pki, &b), ErrorCode::IssuerChainUntrusted);
}

#[test]
fn issuer_chain_scoped_anchor() {
    let pki = TestPki::new();
    let store = kakunin::TrustStore::builder()
        .add(
            kakunin::TrustAnchor::from_der(&pki.iaca_der)
                .unwrap()
                .with_doc_types(["org.iso.23220.1.jp.mnc"]),
        )
        .build();
    let t = transcript();
    let v = Verifier::new(store).verify_device_response(
        &mint(&pki, &spec()),
        DeviceAuthInput {
            session_transcript: Some(&t),
            reader_key: None,
        },
        now(),
    );
    assert_first(&v, ErrorCode::IssuerChainUntrusted);
}

#[test]
fn x5chain_in_protected_header_verifies() {
    let pki = TestPki::new();
    let v = verify(
        &pki,
        &mint(
            &pki,
            &MdocSpec {
                x5chain_protected: true,
                ..spec()
            },
        ),
    );
    assert!(v.is_valid(), "{:?}", v.error_codes());
}

#[test]
fn certificate_expired_and_not_yet_valid() {
    let pki = TestPki::new();
    let b = mint(
        &pki,
        &MdocSpec {
            valid_until: T2024 + 20 * YEAR,
            ..spec()
        },
    );
    assert_first(
        &verify_with(&pki, &b, Policy::default(), UnixTime::from_secs(T2024 + 4 * YEAR)),
        ErrorCode::CertificateExpired,
    );
    let early = UnixTime::from_secs(T2024 - 40 * DAY);
    let b = mint(
        &pki,
        &MdocSpec {
            signed: T2024 - 50 * DAY,
            valid_from: T2024 - 50 * DAY,
            ..spec()
        },
    );
    assert_first(
        &verify_with(&pki, &b, Policy::default(), early),
        ErrorCode::CertificateNotYetValid,
    );
}

#[test]
fn certificate_profile_invalid() {
    let iaca = CertSpec::iaca("Test IACA");
    let cases = [
        CertSpec {
            ca: Some(true),
            ..CertSpec::ds("CA DS")
        },
        CertSpec {
            key_usage: Some(vec![x509_cert::ext::pkix::KeyUsages::KeyCertSign]),
            ..CertSpec::ds("KU DS")
        },
        CertSpec {
            key_usage: None,
            ..CertSpec::ds("No KU DS")
        },
        CertSpec {
            eku: Some(vec!["1.3.6.1.5.5.7.3.1"]),
            ..CertSpec::ds("TLS DS")
        },
    ];
    for ds in cases {
        let pki = TestPki::with_specs(iaca.clone(), ds.clone());
        let v = verify(&pki, &mint(&pki, &spec()));
        assert_rejected(&v, ErrorCode::CertificateProfileInvalid);
    }
    // Without extKeyUsage: refused by default (Annex B), accepted only by the
    // interoperable profile, which the caller must choose.
    let pki = TestPki::with_specs(
        iaca,
        CertSpec {
            eku: None,
            ..CertSpec::ds("No EKU DS")
        },
    );
    let b = mint(&pki, &spec());
    assert_rejected(&verify(&pki, &b), ErrorCode::CertificateProfileInvalid);
    let lenient = Policy::default().with_certificate_profile(kakunin::CertificateProfile::Interoperable);
    assert!(verify_with(&pki, &b, lenient, now()).is_valid());
}

#[test]
fn pinned_signer_can_be_disallowed() {
    // A DS that is itself the anchor is a pinned signer; policy may refuse it.
    let pki = TestPki::new();
    let store = kakunin::TrustStore::from_pem_or_der(&pki.ds_der).unwrap();
    let b = mint(&pki, &spec());
    let t = transcript();
    let auth = DeviceAuthInput {
        session_transcript: Some(&t),
        reader_key: None,
    };
    assert!(Verifier::new(store.clone())
        .verify_device_response(&b, auth, now())
        .is_valid());
    let strict = Verifier::new(store).with_policy(Policy::default().with_allow_anchor_as_signer(false));
    assert_first(
        &strict.verify_device_response(&b, auth, now()),
        ErrorCode::IssuerChainUntrusted,
    );
}

#[test]
fn mso_doctype_mismatch() {
    let pki = TestPki::new();
    let b = mint(
        &pki,
        &MdocSpec {
            mso_doc_type: Some("org.iso.23220.1.jp.mnc".into()),
            ..spec()
        },
    );
    assert_rejected(&verify(&pki, &b), ErrorCode::MsoDoctypeMismatch);
}

#[test]
fn mso_expired_not_yet_valid_and_skew() {
    let pki = TestPki::new();
    let b = mint(
        &pki,
        &MdocSpec {
            valid_until: T2024 - 60,
            ..spec()
        },
    );
    assert_first(&verify(&pki, &b), ErrorCode::MsoExpired);
    assert!(verify_with(&pki, &b, Policy::default().with_clock_skew_secs(120), now()).is_valid());
    let b = mint(
        &pki,
        &MdocSpec {
            valid_from: T2024 + 60,
            signed: T2024 - DAY,
            ..spec()
        },
    );
    assert_first(&verify(&pki, &b), ErrorCode::MsoNotYetValid);
    let b = mint(
        &pki,
        &MdocSpec {
            valid_from: T2024 - DAY,
            signed: T2024 + 3600,
            ..spec()
        },
    );
    assert_first(&verify(&pki, &b), ErrorCode::MsoNotYetValid);
}

#[test]
fn digest_mismatch_and_missing() {
    let pki = TestPki::new();
    let b = mint(
        &pki,
        &MdocSpec {
            tamper_value: Some((MDL_NS.into(), "family_name".into())),
            ..spec()
        },
    );
    assert_first(&verify(&pki, &b), ErrorCode::DigestMismatch);
    let b = mint(
        &pki,
        &MdocSpec {
            drop_digest: Some((MDL_NS.into(), "age_over_20".into())),
            ..spec()
        },
    );
    assert_first(&verify(&pki, &b), ErrorCode::DigestMissing);
    // Every item claims digestID 0: the MSO map then repeats a key, which the
    // signed-structure hygiene refuses before any digest is compared.
    let b = mint(
        &pki,
        &MdocSpec {
            force_digest_id: Some(0),
            ..spec()
        },
    );
    assert_first(&verify(&pki, &b), ErrorCode::CborMalformed);
}

#[test]
fn digest_id_disclosed_twice() {
    // The same IssuerSignedItemBytes sent twice: each digest matches, the
    // repetition must still be refused.
    let pki = TestPki::new();
    let mut doc = mint_document(&pki, &spec());
    let Value::Map(entries) = &mut doc else { panic!() };
    let Value::Map(is) = &mut entries[1].1 else { panic!() };
    let Value::Map(nss) = &mut is[0].1 else { panic!() };
    let Value::Array(items) = &mut nss[0].1 else { panic!() };
    let first = items[0].clone();
    items.push(first);
    // The digest exists: the repetition is a structure error, not a missing digest.
    assert_first(&verify(&pki, &device_response(vec![doc])), ErrorCode::StructureInvalid);
}

#[test]
fn digest_missing_unknown_namespace() {
    let pki = TestPki::new();
    // Items in a namespace the MSO has no digests for: mint with two
    // namespaces, then rename the second one after signing.
    let mut s = spec();
    s.namespaces
        .push(("org.example.extra".into(), vec![("x".into(), Value::Bool(true))]));
    let mut doc = mint_document(&pki, &s);
    let Value::Map(entries) = &mut doc else { panic!() };
    let Value::Map(is) = &mut entries[1].1 else { panic!() };
    let Value::Map(nss) = &mut is[0].1 else { panic!() };
    nss[1].0 = text("org.example.unknown");
    assert_first(&verify(&pki, &device_response(vec![doc])), ErrorCode::DigestMissing);
}

#[test]
fn device_signature_invalid() {
    let pki = TestPki::new();
    let b = mint(
        &pki,
        &MdocSpec {
            break_device_auth: true,
            ..spec()
        },
    );
    assert_first(&verify(&pki, &b), ErrorCode::DeviceSignatureInvalid);
    // An attached payload that is not the DeviceAuthenticationBytes.
    let b = mint(
        &pki,
        &MdocSpec {
            device_payload: Some(b"something else".to_vec()),
            ..spec()
        },
    );
    assert_first(&verify(&pki, &b), ErrorCode::DeviceSignatureInvalid);
    // A response replayed under another session transcript.
    let other =
        kakunin::SessionTranscript::from_bytes(&enc(&Value::Array(vec![Value::Null, Value::Null, text("x")]))).unwrap();
    let v = Verifier::new(pki.trust_store()).verify_device_response(
        &mint(&pki, &spec()),
        DeviceAuthInput {
            session_transcript: Some(&other),
            reader_key: None,
        },
        now(),
    );
    assert_first(&v, ErrorCode::DeviceSignatureInvalid);
}

#[test]
fn device_mac_invalid() {
    let pki = TestPki::new();
    let (_, sec1) = reader_key();
    let b = mint(
        &pki,
        &MdocSpec {
            device_auth: DeviceAuthMode::Mac {
                reader_public_sec1: sec1,
            },
            break_device_auth: true,
            ..spec()
        },
    );
    assert_first(&verify(&pki, &b), ErrorCode::DeviceMacInvalid);
}

#[test]
fn device_auth_missing() {
    let pki = TestPki::new();
    let b = mint(
        &pki,
        &MdocSpec {
            device_auth: DeviceAuthMode::NoDeviceSigned,
            ..spec()
        },
    );
    assert_first(&verify(&pki, &b), ErrorCode::DeviceAuthMissing);
    let (_, sec1) = reader_key();
    let both = mint(
        &pki,
        &MdocSpec {
            device_auth: DeviceAuthMode::Mac {
                reader_public_sec1: sec1,
            },
            both_device_auths: true,
            ..spec()
        },
    );
    // Both present is a malformed DeviceAuth (a choice of one), not a missing one.
    assert_first(&verify(&pki, &both), ErrorCode::StructureInvalid);
    // Neither present: an empty DeviceAuth map.
    let mut doc = mint_document(&pki, &spec());
    let Value::Map(entries) = &mut doc else { panic!() };
    let Value::Map(ds) = &mut entries[2].1 else { panic!() };
    let Value::Map(auth) = &mut ds[1].1 else { panic!() };
    auth.clear();
    assert_first(&verify(&pki, &device_response(vec![doc])), ErrorCode::DeviceAuthMissing);
}

#[test]
fn session_transcript_and_reader_key_missing() {
    let pki = TestPki::new();
    let v = Verifier::new(pki.trust_store()).verify_device_response(
        &mint(&pki, &spec()),
        DeviceAuthInput::default(),
        now(),
    );
    assert_first(&v, ErrorCode::SessionTranscriptMissing);
    let (_, sec1) = reader_key();
    let b = mint(
        &pki,
        &MdocSpec {
            device_auth: DeviceAuthMode::Mac {
                reader_public_sec1: sec1,
            },
            ..spec()
        },
    );
    let v = verify_keyed(&pki, &b, None);
    assert_first(&v, ErrorCode::ReaderKeyMissing);
}

#[test]
fn algorithm_key_mismatch() {
    let pki = TestPki::new();
    let es384 = vec![(Value::Integer(1.into()), Value::Integer((-35).into()))];
    let b = mint(
        &pki,
        &MdocSpec {
            device_protected: Some(es384.clone()),
            ..spec()
        },
    );
    assert_first(&verify(&pki, &b), ErrorCode::AlgorithmKeyMismatch);
    let b = mint(
        &pki,
        &MdocSpec {
            issuer_protected: es384,
            ..spec()
        },
    );
    assert_first(&verify(&pki, &b), ErrorCode::AlgorithmKeyMismatch);
    let p384 = kakunin::ReaderKey::from_scalar(kakunin::Curve::P384, &[0x22; 48]).unwrap();
    let (_, sec1) = reader_key();
    let b = mint(
        &pki,
        &MdocSpec {
            device_auth: DeviceAuthMode::Mac {
                reader_public_sec1: sec1,
            },
            ..spec()
        },
    );
    let v = verify_keyed(&pki, &b, Some(&p384));
    assert_first(&v, ErrorCode::AlgorithmKeyMismatch);
}

#[test]
fn limit_exceeded() {
    let pki = TestPki::new();
    let b = mint(&pki, &spec());
    let mut small = Limits::default();
    small.max_input_bytes = 100;
    let v = verify_with(&pki, &b, Policy::default().with_limits(small), now());
    assert_rejected(&v, ErrorCode::LimitExceeded);
    assert!(v.errors()[0].message().contains("max_input_bytes"));
    let mut one_doc = Limits::default();
    one_doc.max_documents = 1;
    let two = device_response(vec![mint_document(&pki, &spec()), mint_document(&pki, &spec())]);
    assert_rejected(
        &verify_with(&pki, &two, Policy::default().with_limits(one_doc), now()),
        ErrorCode::LimitExceeded,
    );
    let mut few = Limits::default();
    few.max_elements = 2;
    assert_rejected(
        &verify_with(&pki, &b, Policy::default().with_limits(few), now()),
        ErrorCode::LimitExceeded,
    );
}

#[test]
fn large_portrait_passes_default_limits() {
    let pki = TestPki::new();
    let mut s = spec();
    s.namespaces[0]
        .1
        .push(("portrait".into(), Value::Bytes(vec![0xff; 100 * 1024])));
    let v = verify(&pki, &mint(&pki, &s));
    assert!(v.is_valid(), "{:?}", v.error_codes());
}

#[test]
fn element_not_authorized_and_authorized() {
    let pki = TestPki::new();
    let device_ns = vec![(
        "org.example.device".to_string(),
        vec![("nickname".to_string(), text("hana"))],
    )];
    let b = mint(
        &pki,
        &MdocSpec {
            device_namespaces: device_ns.clone(),
            ..spec()
        },
    );
    assert_first(&verify(&pki, &b), ErrorCode::ElementNotAuthorized);
    let b = mint(
        &pki,
        &MdocSpec {
            device_namespaces: device_ns,
            key_authorized_namespaces: vec!["org.example.device".into()],
            ..spec()
        },
    );
    let v = verify(&pki, &b);
    assert!(v.is_valid(), "{:?}", v.error_codes());
    let doc = v.documents()[0].as_ref().unwrap();
    assert_eq!(
        doc.device_namespaces()[0].get("nickname").and_then(|v| v.as_text()),
        Some("hana")
    );
    // Device-signed values never mix with issuer-signed ones.
    assert!(doc.element("org.example.device", "nickname").is_none());
}

#[test]
fn no_documents() {
    let pki = TestPki::new();
    let empty = device_response(vec![]);
    assert_first(&verify(&pki, &empty), ErrorCode::NoDocuments);
    let status = enc(&map(vec![
        (text("version"), text("1.0")),
        (text("status"), Value::Integer(10.into())),
    ]));
    assert_first(&verify(&pki, &status), ErrorCode::NoDocuments);
}

#[test]
fn one_bad_document_makes_the_response_invalid() {
    let pki = TestPki::new();
    let good = mint_document(&pki, &spec());
    let bad = mint_document(
        &pki,
        &MdocSpec {
            break_issuer_signature: true,
            ..spec()
        },
    );
    let v = verify(&pki, &device_response(vec![good, bad]));
    assert!(!v.is_valid());
    assert!(v.documents()[0].is_ok());
    assert!(v.documents()[1].is_err());
    let json = v.to_json();
    assert!(json.starts_with("{\"status\":\"invalid\""));
    assert!(v.into_verified().is_err());
}

#[test]
fn every_error_code_of_issue_2_is_exercised_here() {
    // Guard: the codes of the core verifier each have a forgery above.
    let src = include_str!("forgeries.rs");
    for code in kakunin::ErrorCode::ALL.iter().take(22) {
        let variant = format!("{code:?}");
        assert!(
            src.contains(&format!("ErrorCode::{variant})")) || src.contains(&format!("ErrorCode::{variant},")),
            "{variant} has no forgery test"
        );
    }
}

#[test]
fn tagged_cose_sign1_issuer_auth_verifies_and_wrong_tag_is_refused() {
    let pki = TestPki::new();
    let wrap = |tag: u64| {
        let mut doc = mint_document(&pki, &spec());
        let Value::Map(entries) = &mut doc else { panic!() };
        let Value::Map(is) = &mut entries[1].1 else { panic!() };
        let auth = std::mem::replace(&mut is[1].1, Value::Null);
        is[1].1 = Value::Tag(tag, Box::new(auth));
        device_response(vec![doc])
    };
    let v = verify(&pki, &wrap(18));
    assert!(v.is_valid(), "{:?}", v.error_codes());
    assert_first(&verify(&pki, &wrap(17)), ErrorCode::StructureInvalid);
}

#[test]
fn issuer_signed_with_an_unknown_key_is_refused() {
    // Renaming "nameSpaces" must not turn into "nothing disclosed, valid".
    let pki = TestPki::new();
    let mut doc = mint_document(&pki, &spec());
    let Value::Map(entries) = &mut doc else { panic!() };
    let Value::Map(is) = &mut entries[1].1 else { panic!() };
    is[0].0 = text("nameSpacEs");
    assert_first(&verify(&pki, &device_response(vec![doc])), ErrorCode::StructureInvalid);
}

/// A protected header `{1: alg, 2: crit, …}` (RFC 9052 §3.1).
fn crit_header(alg: i64, crit: Vec<Value>, extra: Vec<(Value, Value)>) -> Vec<(Value, Value)> {
    let mut h = vec![
        (Value::Integer(1.into()), Value::Integer(alg.into())),
        (Value::Integer(2.into()), Value::Array(crit)),
    ];
    h.extend(extra);
    h
}

fn int(i: i64) -> Value {
    Value::Integer(i.into())
}

#[test]
fn crit_naming_an_unprocessed_parameter_is_refused() {
    let pki = TestPki::new();
    // issuerAuth: the signer makes label 99 critical; kakunin does not
    // process it, so the (validly signed) message must not be accepted.
    let unknown = mint(
        &pki,
        &MdocSpec {
            issuer_protected: crit_header(-7, vec![int(99)], vec![(int(99), Value::Bool(true))]),
            ..spec()
        },
    );
    assert_first(&verify(&pki, &unknown), ErrorCode::StructureInvalid);
    let text_label = mint(
        &pki,
        &MdocSpec {
            issuer_protected: crit_header(-7, vec![text("exp")], vec![(text("exp"), int(1))]),
            ..spec()
        },
    );
    assert_first(&verify(&pki, &text_label), ErrorCode::StructureInvalid);
    // An empty crit array is malformed.
    let empty = mint(
        &pki,
        &MdocSpec {
            issuer_protected: crit_header(-7, vec![], vec![]),
            ..spec()
        },
    );
    assert_first(&verify(&pki, &empty), ErrorCode::StructureInvalid);
    // crit naming what issuerAuth does process (alg, x5chain) is fine.
    let known = mint(
        &pki,
        &MdocSpec {
            issuer_protected: crit_header(-7, vec![int(1), int(33)], vec![]),
            x5chain_protected: true,
            ..spec()
        },
    );
    let v = verify(&pki, &known);
    assert!(v.is_valid(), "{:?}", v.error_codes());

    // deviceSignature: kid (4) made critical; kakunin does not process it.
    let device_sig = mint(
        &pki,
        &MdocSpec {
            device_protected: Some(crit_header(
                -7,
                vec![int(4)],
                vec![(int(4), Value::Bytes(b"k".to_vec()))],
            )),
            ..spec()
        },
    );
    assert_first(&verify(&pki, &device_sig), ErrorCode::StructureInvalid);
    // x5chain is processed for issuerAuth but not for deviceSignature.
    let device_x5 = mint(
        &pki,
        &MdocSpec {
            device_protected: Some(crit_header(
                -7,
                vec![int(33)],
                vec![(int(33), Value::Bytes(pki.ds_der.clone()))],
            )),
            ..spec()
        },
    );
    assert_first(&verify(&pki, &device_x5), ErrorCode::StructureInvalid);
    let device_ok = mint(
        &pki,
        &MdocSpec {
            device_protected: Some(crit_header(-7, vec![int(1)], vec![])),
            ..spec()
        },
    );
    let v = verify(&pki, &device_ok);
    assert!(v.is_valid(), "{:?}", v.error_codes());

    // deviceMac.
    let (_, sec1) = reader_key();
    let mac = |crit: Vec<Value>| {
        mint(
            &pki,
            &MdocSpec {
                device_auth: DeviceAuthMode::Mac {
                    reader_public_sec1: sec1.clone(),
                },
                device_protected: Some(crit_header(5, crit, vec![(int(99), int(0))])),
                ..spec()
            },
        )
    };
    assert_first(&verify(&pki, &mac(vec![int(99)])), ErrorCode::StructureInvalid);
    let v = verify(&pki, &mac(vec![int(1)]));
    assert!(v.is_valid(), "{:?}", v.error_codes());
}

#[test]
fn crit_in_the_unprotected_header_is_refused() {
    // RFC 9052 §3.1: crit belongs in the protected bucket. Moving it to the
    // unprotected header (not signed) is refused, signature still intact.
    let pki = TestPki::new();
    let mut doc = mint_document(&pki, &spec());
    let Value::Map(entries) = &mut doc else { panic!() };
    let Value::Map(is) = &mut entries[1].1 else { panic!() };
    let Value::Array(auth) = &mut is[1].1 else { panic!() };
    let Value::Map(unprotected) = &mut auth[1] else {
        panic!()
    };
    unprotected.push((int(2), Value::Array(vec![int(99)])));
    assert_first(&verify(&pki, &device_response(vec![doc])), ErrorCode::StructureInvalid);
}
