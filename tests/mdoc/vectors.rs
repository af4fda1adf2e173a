//! The shared public vectors (tests/data, sources in each folder's README):
//! every sample with a device part verifies completely, issuer-only samples
//! verify issuer-side, and the shipped negative samples are rejected with
//! the right code.

use crate::support;

use kakunin::{
    CertificateProfile, DeviceAuthInput, DeviceAuthKind, ElementValue, ErrorCode, Policy, ReaderKey, SessionTranscript,
    TrustStore, UnixTime, Verifier,
};
use support::{data_file, hex_file};

fn at(s: &str) -> UnixTime {
    UnixTime::parse_rfc3339(s).unwrap()
}

fn store(files: &[&str]) -> TrustStore {
    let mut b = TrustStore::builder();
    for f in files {
        b.add_pem_or_der(&data_file(f)).unwrap();
    }
    b.build()
}

/// A verifier with the interoperable certificate profile, the explicit opt-in
/// that the EUDI reference issuer (extKeyUsage 1.3.130.2.0.0.1.2, a
/// mis-encoding of 1.0.18013.5.1.2; `issuing_country` GR under a UT
/// Document Signer), the A-SIT test issuer and SPRIND (no extKeyUsage) need.
fn lenient(files: &[&str]) -> Verifier {
    Verifier::new(store(files))
        .with_policy(Policy::default().with_certificate_profile(CertificateProfile::Interoperable))
}

/// Every code is `certificate_profile_invalid` or `country_mismatch`, and there is one.
#[track_caller]
fn strict_rejects(codes: Vec<ErrorCode>) {
    assert!(!codes.is_empty());
    assert!(
        codes.contains(&ErrorCode::CertificateProfileInvalid)
            && codes
                .iter()
                .all(|c| matches!(c, ErrorCode::CertificateProfileInvalid | ErrorCode::CountryMismatch)),
        "{codes:?}"
    );
}

const ANNEX_D: &str = "iso18013-5-annex-d";

fn annex_d_inputs() -> (Verifier, Vec<u8>, SessionTranscript, ReaderKey) {
    let v = Verifier::new(store(&["iso18013-5-annex-d/iaca_cert.pem"]));
    let resp = hex_file(&format!("{ANNEX_D}/device_response.hex"));
    let st = SessionTranscript::from_bytes(&hex_file(&format!("{ANNEX_D}/session_transcript_bytes.hex"))).unwrap();
    let rk = ReaderKey::from_scalar(
        kakunin::Curve::P256,
        &hex_file(&format!("{ANNEX_D}/e_reader_key.d.hex")),
    )
    .unwrap();
    (v, resp, st, rk)
}

#[test]
fn annex_d_verifies_with_device_mac() {
    let (v, resp, st, rk) = annex_d_inputs();
    let r = v.verify_device_response(
        &resp,
        DeviceAuthInput {
            session_transcript: Some(&st),
            reader_key: Some(&rk),
        },
        at("2021-01-01T00:00:00Z"),
    );
    assert!(r.is_valid(), "{:?}", r.error_codes());
    let doc = r.documents()[0].as_ref().unwrap();
    assert_eq!(doc.doc_type(), "org.iso.18013.5.1.mDL");
    assert_eq!(doc.device_auth(), Some(DeviceAuthKind::Mac));
    assert_eq!(
        doc.element("org.iso.18013.5.1", "family_name"),
        Some(&ElementValue::Text("Doe".into()))
    );
    assert_eq!(
        doc.element("org.iso.18013.5.1", "document_number"),
        Some(&ElementValue::Text("123456789".into()))
    );
    assert_eq!(
        doc.element("org.iso.18013.5.1", "issue_date"),
        Some(&ElementValue::FullDate("2019-10-20".into()))
    );
    let portrait = doc
        .element("org.iso.18013.5.1", "portrait")
        .and_then(ElementValue::as_bytes)
        .unwrap();
    assert_eq!(portrait, hex_file(&format!("{ANNEX_D}/portrait.jpg.hex")).as_slice());
    assert_eq!(doc.issuer().subject, "C=US,CN=utopia ds");
    assert_eq!(doc.elements().count(), 6);
}

#[test]
fn annex_d_transcript_accepted_untagged_too() {
    let (v, resp, _, rk) = annex_d_inputs();
    let st = SessionTranscript::from_bytes(&hex_file(&format!("{ANNEX_D}/session_transcript.hex"))).unwrap();
    let r = v.verify_device_response(
        &resp,
        DeviceAuthInput {
            session_transcript: Some(&st),
            reader_key: Some(&rk),
        },
        at("2021-01-01T00:00:00Z"),
    );
    assert!(r.is_valid(), "{:?}", r.error_codes());
}

#[test]
fn annex_d_rejected_today_as_expired() {
    let (v, resp, st, rk) = annex_d_inputs();
    let r = v.verify_device_response(
        &resp,
        DeviceAuthInput {
            session_transcript: Some(&st),
            reader_key: Some(&rk),
        },
        at("2026-11-27T00:00:00Z"),
    );
    assert!(!r.is_valid());
    assert_eq!(r.error_codes().first(), Some(&ErrorCode::CertificateExpired));
    assert!(r.error_codes().contains(&ErrorCode::MsoExpired));
    assert!(r.to_json().contains("\"elements\":{}"));
}

#[test]
fn annex_d_needs_the_reader_key_and_the_right_one() {
    let (v, resp, st, _) = annex_d_inputs();
    let t = at("2021-01-01T00:00:00Z");
    let r = v.verify_device_response(
        &resp,
        DeviceAuthInput {
            session_transcript: Some(&st),
            reader_key: None,
        },
        t,
    );
    assert_eq!(r.error_codes(), vec![ErrorCode::ReaderKeyMissing]);
    // The device's own ephemeral key is not the reader's: the MAC must fail.
    let wrong = ReaderKey::from_scalar(
        kakunin::Curve::P256,
        &hex_file(&format!("{ANNEX_D}/e_device_key.d.hex")),
    )
    .unwrap();
    let r = v.verify_device_response(
        &resp,
        DeviceAuthInput {
            session_transcript: Some(&st),
            reader_key: Some(&wrong),
        },
        t,
    );
    assert_eq!(r.error_codes(), vec![ErrorCode::DeviceMacInvalid]);
}

#[test]
fn annex_d_mac_key_matches_published_emackey() {
    // Cross-check of our derivation against the published EMacKey: a COSE_Key
    // reader key with d and x/y gives the same result as the raw scalar.
    let (v, resp, st, _) = annex_d_inputs();
    let d = hex_file(&format!("{ANNEX_D}/e_reader_key.d.hex"));
    let x = hex_file(&format!("{ANNEX_D}/e_reader_key.x.hex"));
    let y = hex_file(&format!("{ANNEX_D}/e_reader_key.y.hex"));
    let cose = support::enc(&support::map(vec![
        (ciborium::Value::Integer(1.into()), ciborium::Value::Integer(2.into())),
        (
            ciborium::Value::Integer((-1).into()),
            ciborium::Value::Integer(1.into()),
        ),
        (ciborium::Value::Integer((-2).into()), ciborium::Value::Bytes(x)),
        (ciborium::Value::Integer((-3).into()), ciborium::Value::Bytes(y)),
        (ciborium::Value::Integer((-4).into()), ciborium::Value::Bytes(d)),
    ]));
    let rk = ReaderKey::from_bytes(&cose).unwrap();
    let r = v.verify_device_response(
        &resp,
        DeviceAuthInput {
            session_transcript: Some(&st),
            reader_key: Some(&rk),
        },
        at("2021-01-01T00:00:00Z"),
    );
    assert!(r.is_valid());
}

#[test]
fn eudi_mdl_verifies_with_device_signature_over_openid4vp_transcript() {
    let v = lenient(&["eudi-verifier-endpoint/pid_issuer_ca_ut_02.pem"]);
    let resp = hex_file("eudi-verifier-endpoint/mdl_device_response.hex");
    let st = SessionTranscript::from_bytes(&hex_file("eudi-verifier-endpoint/mdl_session_transcript.hex")).unwrap();
    let r = v.verify_device_response(
        &resp,
        DeviceAuthInput {
            session_transcript: Some(&st),
            reader_key: None,
        },
        at("2025-12-19T09:19:37Z"),
    );
    assert!(r.is_valid(), "{:?}", r.error_codes());
    let doc = r.documents()[0].as_ref().unwrap();
    assert_eq!(doc.device_auth(), Some(DeviceAuthKind::Signature));
    assert_eq!(doc.elements().count(), 26);
    // The same response under another session's transcript must not verify.
    let other = SessionTranscript::from_bytes(&hex_file("openid4vp-1.0-spec-examples/redirect_session_transcript.hex"))
        .unwrap();
    let r = v.verify_device_response(
        &resp,
        DeviceAuthInput {
            session_transcript: Some(&other),
            reader_key: None,
        },
        at("2025-12-19T09:19:37Z"),
    );
    assert_eq!(r.error_codes(), vec![ErrorCode::DeviceSignatureInvalid]);
}

#[test]
fn eudi_mdl_is_refused_by_the_default_annex_b_profile() {
    let v = Verifier::new(store(&["eudi-verifier-endpoint/pid_issuer_ca_ut_02.pem"]));
    let resp = hex_file("eudi-verifier-endpoint/mdl_device_response.hex");
    let st = SessionTranscript::from_bytes(&hex_file("eudi-verifier-endpoint/mdl_session_transcript.hex")).unwrap();
    let r = v.verify_device_response(
        &resp,
        DeviceAuthInput {
            session_transcript: Some(&st),
            reader_key: None,
        },
        at("2025-12-19T09:19:37Z"),
    );
    strict_rejects(r.error_codes());
}

#[test]
fn eudi_three_documents_issuer_side() {
    let strict = Verifier::new(store(&["eudi-verifier-endpoint/pid_issuer_ca_ut_01.pem"]));
    let resp = hex_file("eudi-verifier-endpoint/three_documents_device_response.hex");
    strict_rejects(
        strict
            .verify_device_response_issuer_only(&resp, at("2024-10-05T00:00:00Z"))
            .error_codes(),
    );
    let v = lenient(&["eudi-verifier-endpoint/pid_issuer_ca_ut_01.pem"]);
    let resp = hex_file("eudi-verifier-endpoint/three_documents_device_response.hex");
    let r = v.verify_device_response_issuer_only(&resp, at("2024-10-05T00:00:00Z"));
    assert!(r.is_valid(), "{:?}", r.error_codes());
    let types: Vec<_> = r
        .documents()
        .iter()
        .map(|d| d.as_ref().unwrap().doc_type().to_owned())
        .collect();
    assert_eq!(
        types,
        [
            "eu.europa.ec.eudi.pid.1",
            "eu.europa.ec.eudi.pid.1",
            "org.iso.18013.5.1.mDL"
        ]
    );
    assert!(r
        .documents()
        .iter()
        .all(|d| d.as_ref().unwrap().device_auth().is_none()));

    let r = v.verify_device_response_issuer_only(&resp, at("2024-11-01T00:00:00Z"));
    assert!(!r.is_valid());
    assert!(r.documents()[0].is_ok() && r.documents()[1].is_ok());
    let rej = r.documents()[2].as_ref().unwrap_err();
    assert_eq!(
        rej.errors().iter().map(|e| e.code()).collect::<Vec<_>>(),
        vec![ErrorCode::MsoExpired]
    );

    // Full verification without a transcript cannot pass.
    let r = v.verify_device_response(&resp, DeviceAuthInput::default(), at("2024-10-05T00:00:00Z"));
    assert!(r
        .error_codes()
        .iter()
        .all(|c| *c == ErrorCode::SessionTranscriptMissing));
}

#[test]
fn eudi_untrusted_mdl_is_rejected() {
    let v = Verifier::new(store(&[
        "eudi-verifier-endpoint/pid_issuer_ca_ut_01.pem",
        "eudi-verifier-endpoint/pid_issuer_ca_ut_02.pem",
    ]));
    let resp = hex_file("eudi-verifier-endpoint/untrusted_mdl_device_response.hex");
    let r = v.verify_device_response_issuer_only(&resp, at("2024-11-01T00:00:00Z"));
    assert_eq!(r.error_codes(), vec![ErrorCode::IssuerChainUntrusted]);
}

fn auth0(n: u8) -> kakunin::Verification {
    let v = Verifier::new(store(&["auth0-mdl-examples/issuer.pem"]));
    let resp = hex_file(&format!("auth0-mdl-examples/example{n}_device_response.hex"));
    let st = SessionTranscript::from_bytes(&hex_file("auth0-mdl-examples/session_transcript_bytes.hex")).unwrap();
    v.verify_device_response(
        &resp,
        DeviceAuthInput {
            session_transcript: Some(&st),
            reader_key: None,
        },
        at("2024-01-01T00:00:00Z"),
    )
}

#[test]
fn auth0_examples_with_non_preferred_lengths_verify() {
    let r = auth0(2);
    assert!(r.is_valid(), "example2: {:?}", r.error_codes());
    let doc = r.documents()[0].as_ref().unwrap();
    assert_eq!(doc.device_auth(), Some(DeviceAuthKind::Signature));
    assert_eq!(doc.issuer().trust_path, kakunin::TrustPath::PinnedSigner);
    assert_eq!(doc.elements().count(), 6);
}

#[test]
fn auth0_example1_portrait_as_text_is_an_element_type_error() {
    // example1 passes every signature and digest check, but sends `portrait`
    // as a text string where ISO 18013-5 Table 5 wants a bstr: the
    // document-type registry (src/doctype) rejects it.
    let r = auth0(1);
    assert_eq!(r.error_codes(), vec![ErrorCode::ElementTypeInvalid]);
    let msg = r.documents()[0].as_ref().unwrap_err().errors()[0].message().to_owned();
    assert!(msg.contains("org.iso.18013.5.1/portrait"), "{msg}");
}

#[test]
fn auth0_tampered_family_name_is_a_digest_mismatch() {
    let r = auth0(3);
    assert_eq!(r.error_codes(), vec![ErrorCode::DigestMismatch]);
    let msg = r.documents()[0].as_ref().unwrap_err().errors()[0].message().to_owned();
    assert!(msg.contains("org.iso.18013.5.1/family_name"), "{msg}");
}

#[test]
fn auth0_device_signed_elements_without_key_authorization_are_refused() {
    // example4 carries device-signed elements, but its MSO has no
    // keyAuthorizations: ISO 18013-5 §9.1.2.4 does not let the device vouch
    // for them, so the document is rejected (a deliberate, documented choice).
    let r = auth0(4);
    assert_eq!(r.error_codes(), vec![ErrorCode::ElementNotAuthorized]);
}

#[test]
fn asit_pid_issuer_signed_verifies() {
    let bytes = hex_file("asitplus-vck-eudi-pid/pid_issuer_signed.hex");
    let strict = Verifier::new(store(&["asitplus-vck-eudi-pid/pid_issuer_ca_eu_01.pem"]));
    let e = strict
        .verify_issuer_signed(&bytes, None, at("2024-11-01T00:00:00Z"))
        .unwrap_err();
    strict_rejects(e.errors().iter().map(|e| e.code()).collect());
    let v = lenient(&["asitplus-vck-eudi-pid/pid_issuer_ca_eu_01.pem"]);
    let doc = v
        .verify_issuer_signed(&bytes, Some("eu.europa.ec.eudi.pid.1"), at("2024-11-01T00:00:00Z"))
        .unwrap();
    assert_eq!(doc.elements().count(), 8);
    assert_eq!(
        doc.element("eu.europa.ec.eudi.pid.1", "age_over_18"),
        Some(&ElementValue::Bool(true))
    );
    // After the DS certificate expired.
    let e = v
        .verify_issuer_signed(&bytes, None, at("2024-12-01T00:00:00Z"))
        .unwrap_err();
    assert_eq!(e.errors()[0].code(), ErrorCode::CertificateExpired);
    // The wrong docType expectation.
    let e = v
        .verify_issuer_signed(&bytes, Some("org.iso.18013.5.1.mDL"), at("2024-11-01T00:00:00Z"))
        .unwrap_err();
    assert_eq!(e.errors()[0].code(), ErrorCode::MsoDoctypeMismatch);
}

#[test]
fn sprind_pid_issuer_signed_verifies_then_expires() {
    let bytes = hex_file("sprind-funke-pid/pid_issuer_signed.hex");
    let strict = Verifier::new(store(&["sprind-funke-pid/sprind_funke_issuing_ca.pem"]));
    let e = strict
        .verify_issuer_signed(&bytes, None, at("2024-08-20T00:00:00Z"))
        .unwrap_err();
    strict_rejects(e.errors().iter().map(|e| e.code()).collect());
    let v = lenient(&["sprind-funke-pid/sprind_funke_issuing_ca.pem"]);
    let doc = v
        .verify_issuer_signed(&bytes, None, at("2024-08-20T00:00:00Z"))
        .unwrap();
    assert_eq!(doc.doc_type(), "eu.europa.ec.eudi.pid.1");
    assert_eq!(doc.elements().count(), 22);
    let e = v
        .verify_issuer_signed(&bytes, None, at("2024-09-01T00:00:00Z"))
        .unwrap_err();
    assert_eq!(
        e.errors().iter().map(|e| e.code()).collect::<Vec<_>>(),
        vec![ErrorCode::MsoExpired]
    );
}

#[test]
fn waltid_photo_id_document_verifies_with_nanosecond_tdates() {
    let v = Verifier::new(store(&["waltid-iso23220-photoid/waltid_test_iaca.pem"]));
    let bytes = hex_file("waltid-iso23220-photoid/photoid_document.hex");
    let doc = v
        .verify_document_issuer_only(&bytes, at("2025-10-01T00:00:00Z"))
        .unwrap();
    assert_eq!(doc.doc_type(), "org.iso.23220.photoid.1");
    assert_eq!(doc.elements().count(), 32);
    assert_eq!(doc.validity().valid_from.subsec_nanos(), 356_891_173);
    // One second before the fractional validFrom it is not yet valid.
    let e = v
        .verify_document_issuer_only(&bytes, at("2025-09-19T06:18:08Z"))
        .unwrap_err();
    assert_eq!(e.errors()[0].code(), ErrorCode::MsoNotYetValid);
}
