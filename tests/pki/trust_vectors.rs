//! Trust material from real issuers: every shared anchor loads under the
//! IACA profile (or as a pinned signer), every shared vector still verifies
//! under the interoperable profile (an explicit opt-in), the default strict
//! Annex B profile refuses exactly the rules the vector's issuer breaks, and the AAMVA VICAL
//! loads (and is refused once stale).

use crate::support;

use kakunin::vical::{Vical, VicalPolicy};
use kakunin::ParsedCertificate;
use kakunin::{
    AnchorRole, CertificateProfile, DeviceAuthInput, ErrorCode, Policy, RevocationMode, RevocationPolicy,
    SessionTranscript, TrustAnchor, TrustStore, UnixTime, Verification, Verifier,
};
use support::{data_file, hex_file};

fn at(s: &str) -> UnixTime {
    UnixTime::parse_rfc3339(s).unwrap()
}

fn store(pems: &[&str]) -> TrustStore {
    let mut b = TrustStore::builder();
    for p in pems {
        b.add_pem_or_der(&data_file(p)).unwrap();
    }
    b.build()
}

fn anchor(pem: &str) -> TrustAnchor {
    let der = kakunin::certificates_from_pem_or_der(&data_file(pem))
        .unwrap()
        .remove(0);
    TrustAnchor::from_der(&der).unwrap()
}

#[test]
fn real_iacas_load_as_iacas() {
    for p in [
        "iso18013-5-annex-d/iaca_cert.pem",
        "eudi-verifier-endpoint/pid_issuer_ca_ut_01.pem",
        "eudi-verifier-endpoint/pid_issuer_ca_ut_02.pem",
        "asitplus-vck-eudi-pid/pid_issuer_ca_eu_01.pem",
        "sprind-funke-pid/sprind_funke_issuing_ca.pem",
        "waltid-iso23220-photoid/waltid_test_iaca.pem",
        "aamva-vical/aamva_dts_root_ca.pem",
    ] {
        assert_eq!(anchor(p).role(), AnchorRole::Iaca, "{p}");
    }
}

#[test]
fn auth0_self_signed_signer_loads_as_pinned_signer_only() {
    // A CA without keyUsage: not an IACA, so it may only be a pinned signer.
    let a = anchor("auth0-mdl-examples/issuer.pem");
    assert_eq!(a.role(), AnchorRole::PinnedSigner);
    let der = a.certificate().der().to_vec();
    let e = TrustAnchor::iaca(&der).unwrap_err();
    assert_eq!(e.code(), ErrorCode::CertificateProfileInvalid);
    assert!(e.message().contains("keyUsage extension missing"), "{e}");
}

#[test]
fn intermediate_ca_is_refused_as_anchor() {
    // The AAMVA issuing CA is a CA with keyCertSign but not self-signed.
    let der = kakunin::certificates_from_pem_or_der(&data_file("aamva-vical/aamva_dts_issuing_ca.pem"))
        .unwrap()
        .remove(0);
    let e = TrustAnchor::from_der(&der).unwrap_err();
    assert_eq!(e.code(), ErrorCode::CertificateProfileInvalid);
    assert!(e.message().contains("not a self-signed root"), "{e}");
}

fn transcript(path: &str) -> SessionTranscript {
    SessionTranscript::from_bytes(&hex_file(path)).unwrap()
}

fn issuer_only(v: &Verifier, file: &str, now: UnixTime) -> Verification {
    let bytes = hex_file(file);
    let item = kakunin::internals::cbor::decode(&bytes, &kakunin::Limits::default()).unwrap();
    if item.get("issuerAuth").is_some() {
        Verification::from_document(v.verify_issuer_signed(&bytes, None, now), now)
    } else if item.get("documents").is_some() {
        v.verify_device_response_issuer_only(&bytes, now)
    } else {
        Verification::from_document(v.verify_document_issuer_only(&bytes, now), now)
    }
}

struct Case {
    file: &'static str,
    anchors: &'static [&'static str],
    now: &'static str,
    /// Error codes the strict Annex B profile adds (empty: the issuer meets it).
    strict_codes: &'static [ErrorCode],
}

const CASES: &[Case] = &[
    Case {
        file: "iso18013-5-annex-d/device_response.hex",
        anchors: &["iso18013-5-annex-d/iaca_cert.pem"],
        now: "2021-01-01T00:00:00Z",
        strict_codes: &[],
    },
    Case {
        // EKU 1.3.130.2.0.0.1.2 and issuing_country GR under a UT signer.
        file: "eudi-verifier-endpoint/mdl_device_response.hex",
        anchors: &["eudi-verifier-endpoint/pid_issuer_ca_ut_02.pem"],
        now: "2025-12-19T09:19:37Z",
        strict_codes: &[ErrorCode::CertificateProfileInvalid, ErrorCode::CountryMismatch],
    },
    Case {
        file: "eudi-verifier-endpoint/three_documents_device_response.hex",
        anchors: &["eudi-verifier-endpoint/pid_issuer_ca_ut_01.pem"],
        now: "2024-10-05T00:00:00Z",
        strict_codes: &[ErrorCode::CertificateProfileInvalid],
    },
    Case {
        file: "asitplus-vck-eudi-pid/pid_issuer_signed.hex",
        anchors: &["asitplus-vck-eudi-pid/pid_issuer_ca_eu_01.pem"],
        now: "2024-11-01T00:00:00Z",
        strict_codes: &[ErrorCode::CertificateProfileInvalid],
    },
    Case {
        // No extKeyUsage at all.
        file: "sprind-funke-pid/pid_issuer_signed.hex",
        anchors: &["sprind-funke-pid/sprind_funke_issuing_ca.pem"],
        now: "2024-08-20T00:00:00Z",
        strict_codes: &[ErrorCode::CertificateProfileInvalid],
    },
    Case {
        file: "waltid-iso23220-photoid/photoid_document.hex",
        anchors: &["waltid-iso23220-photoid/waltid_test_iaca.pem"],
        now: "2025-10-01T00:00:00Z",
        strict_codes: &[],
    },
];

#[test]
fn shared_vectors_verify_with_the_interoperable_profile() {
    for c in CASES {
        let v = Verifier::new(store(c.anchors))
            .with_policy(Policy::default().with_certificate_profile(CertificateProfile::Interoperable));
        let r = issuer_only(&v, c.file, at(c.now));
        assert!(r.is_valid(), "{}: {}", c.file, r.to_json());
    }
}

#[test]
fn the_default_profile_refuses_exactly_the_known_deviations() {
    // The twin of the test above: without the opt-in, the vectors whose
    // issuers break Annex B.1.4 are refused, the others still verify.
    for c in CASES {
        let r = issuer_only(&Verifier::new(store(c.anchors)), c.file, at(c.now));
        let mut codes = r.error_codes();
        codes.sort();
        codes.dedup();
        assert_eq!(codes, c.strict_codes, "{}", c.file);
        assert_eq!(r.is_valid(), c.strict_codes.is_empty(), "{}", c.file);
    }
}

#[test]
fn strict_annex_b_profile_flags_exactly_the_known_deviations() {
    for c in CASES {
        let v = Verifier::new(store(c.anchors))
            .with_policy(Policy::default().with_certificate_profile(CertificateProfile::AnnexB));
        let r = issuer_only(&v, c.file, at(c.now));
        let mut codes = r.error_codes();
        codes.sort();
        codes.dedup();
        assert_eq!(codes, c.strict_codes, "{}", c.file);
    }
}

#[test]
fn annex_d_and_auth0_full_verification_still_pass() {
    let v = Verifier::new(store(&["iso18013-5-annex-d/iaca_cert.pem"]));
    let t = transcript("iso18013-5-annex-d/session_transcript_bytes.hex");
    let rk = kakunin::ReaderKey::from_scalar(kakunin::Curve::P256, &hex_file("iso18013-5-annex-d/e_reader_key.d.hex"))
        .unwrap();
    let r = v.verify_device_response(
        &hex_file("iso18013-5-annex-d/device_response.hex"),
        DeviceAuthInput {
            session_transcript: Some(&t),
            reader_key: Some(&rk),
        },
        at("2021-01-01T00:00:00Z"),
    );
    assert!(r.is_valid(), "{:?}", r.error_codes());

    // auth0's self-signed signer is a pinned signer: example 2 verifies;
    // example 1 passes every trust check and fails only on an element type.
    let v = Verifier::new(store(&["auth0-mdl-examples/issuer.pem"]));
    let t = transcript("auth0-mdl-examples/session_transcript_bytes.hex");
    let run = |n: u8| {
        v.verify_device_response(
            &hex_file(&format!("auth0-mdl-examples/example{n}_device_response.hex")),
            DeviceAuthInput {
                session_transcript: Some(&t),
                reader_key: None,
            },
            at("2024-01-01T00:00:00Z"),
        )
    };
    let r = run(2);
    assert!(r.is_valid(), "example2: {:?}", r.error_codes());
    assert_eq!(
        r.documents()[0].as_ref().unwrap().issuer().trust_path,
        kakunin::TrustPath::PinnedSigner
    );
    assert_eq!(run(1).error_codes(), vec![ErrorCode::ElementTypeInvalid]);
}

fn aamva_root() -> ParsedCertificate {
    let der = kakunin::certificates_from_pem_or_der(&data_file("aamva-vical/aamva_dts_root_ca.pem"))
        .unwrap()
        .remove(0);
    ParsedCertificate::from_der(&der).unwrap()
}

/// The AAMVA production VICAL signer (`AAMVA Prod Vical-Signer-01`) has the
/// VICAL extKeyUsage 1.0.18013.5.1.8 but keyUsage nonRepudiation only, not
/// digitalSignature: it verifies only with the explicit opt-in.
fn aamva_policy() -> VicalPolicy {
    VicalPolicy::default().with_allow_content_commitment_signer(true)
}

#[test]
fn aamva_vical_signer_lacks_digital_signature() {
    let bytes = hex_file("aamva-vical/aamva_vical_2025-11-18.hex");
    let e = Vical::verify(
        &bytes,
        &[aamva_root()],
        at("2025-11-18T20:00:00Z"),
        &VicalPolicy::default(),
    )
    .unwrap_err();
    assert_eq!(e.code(), ErrorCode::TrustListInvalid);
    assert!(e.message().contains("lacks digitalSignature"), "{e}");
}

#[test]
fn aamva_vical_verifies_and_loads_scoped_iacas() {
    let bytes = hex_file("aamva-vical/aamva_vical_2025-11-18.hex");
    let vical = Vical::verify(&bytes, &[aamva_root()], at("2025-11-18T20:00:00Z"), &aamva_policy()).unwrap();
    assert_eq!(vical.provider(), "AAMVA");
    assert_eq!(vical.issue_id(), Some(227602));
    assert_eq!(vical.entries().len(), 14);
    let (store, rejected) = vical.trust_store();
    assert!(rejected.is_empty(), "{rejected:?}");
    assert_eq!(store.anchors().len(), 14);
    for a in store.anchors() {
        assert_eq!(a.role(), AnchorRole::Iaca);
        assert!(a.covers("org.iso.18013.5.1.mDL"));
        assert!(!a.covers("eu.europa.ec.eudi.pid.1"));
    }
}

#[test]
fn aamva_vical_stale_tampered_and_unanchored_are_refused() {
    let bytes = hex_file("aamva-vical/aamva_vical_2025-11-18.hex");
    let p = aamva_policy();
    // Rollback: an operator who already accepted a later issue.
    let e = Vical::verify(
        &bytes,
        &[aamva_root()],
        at("2025-11-18T20:00:00Z"),
        &p.with_last_issue_id(227603),
    )
    .unwrap_err();
    assert_eq!(e.code(), ErrorCode::TrustListStale);
    let e = Vical::verify(&bytes, &[aamva_root()], at("2025-11-20T00:00:00Z"), &p).unwrap_err();
    assert_eq!(e.code(), ErrorCode::TrustListStale);
    // Too old for a one-hour maximum age even before nextUpdate.
    let e = Vical::verify(
        &bytes,
        &[aamva_root()],
        at("2025-11-18T20:00:00Z"),
        &p.with_max_age_secs(3600),
    )
    .unwrap_err();
    assert_eq!(e.code(), ErrorCode::TrustListStale);
    // Issued after "now".
    let e = Vical::verify(&bytes, &[aamva_root()], at("2025-11-18T00:00:00Z"), &p).unwrap_err();
    assert_eq!(e.code(), ErrorCode::TrustListInvalid);
    // One payload byte changed: the signature fails.
    let mut forged = bytes.clone();
    let n = forged.len();
    forged[n - 200] ^= 1;
    let e = Vical::verify(&forged, &[aamva_root()], at("2025-11-18T20:00:00Z"), &p).unwrap_err();
    assert_eq!(e.code(), ErrorCode::TrustListInvalid);
    // Another anchor: the chain leads nowhere.
    let other = ParsedCertificate::from_der(&support::TestPki::new().iaca_der).unwrap();
    let e = Vical::verify(&bytes, &[other], at("2025-11-18T20:00:00Z"), &p).unwrap_err();
    assert_eq!(e.code(), ErrorCode::TrustListInvalid);
    assert!(e.message().contains("trust anchor"), "{e}");
}

#[test]
fn eudi_mdl_status_reference_is_read_and_required_revocation_reports_what_is_missing() {
    // The EUDI reference mDL carries a second-edition MSO status (Token Status
    // List, idx 3971 at issuer.eudiw.dev); no list or CRL is published with it.
    let file = "eudi-verifier-endpoint/mdl_device_response.hex";
    let now = at("2025-12-19T09:19:37Z");
    let anchors = store(&["eudi-verifier-endpoint/pid_issuer_ca_ut_02.pem"]);
    // The EUDI reference issuer needs the interoperable profile (see above).
    let lenient = Policy::default().with_certificate_profile(CertificateProfile::Interoperable);
    let best = lenient
        .clone()
        .with_revocation(RevocationPolicy::new(RevocationMode::BestEffort));
    assert!(issuer_only(&Verifier::new(anchors.clone()).with_policy(best), file, now).is_valid());
    let required = lenient.with_revocation(RevocationPolicy::new(RevocationMode::Required));
    let r = issuer_only(&Verifier::new(anchors).with_policy(required), file, now);
    assert_eq!(
        r.error_codes(),
        vec![ErrorCode::RevocationUnavailable, ErrorCode::RevocationUnavailable]
    );
    let json = r.to_json();
    assert!(json.contains("no CRL of"), "{json}");
    assert!(json.contains("https://issuer.eudiw.dev/token_status_list/"), "{json}");
}

/// A private key (or anything else that is not a certificate) given as a
/// trust anchor is `not_a_certificate`, not a profile failure: the operator
/// picked the wrong file, and the message says what was found.
#[test]
fn private_key_as_anchor_is_not_a_certificate() {
    let pem = data_file("session-reader-pki/reader.key.pem");
    let e = TrustStore::from_pem_or_der(&pem).unwrap_err();
    assert_eq!(e.code(), ErrorCode::NotACertificate);
    assert!(e.message().contains("no CERTIFICATE block"), "{e}");
    assert!(e.message().contains("PRIVATE KEY"), "{e}");

    // The same key as DER (base64 body of the PEM): does not decode as X.509.
    let text = String::from_utf8(pem).unwrap();
    let body: String = text.lines().filter(|l| !l.starts_with("-----")).collect();
    let der = base64::Engine::decode(&base64::engine::general_purpose::STANDARD, body).unwrap();
    for r in [
        TrustAnchor::from_der(&der),
        TrustAnchor::iaca(&der),
        TrustAnchor::pinned_signer(&der),
    ] {
        assert_eq!(r.unwrap_err().code(), ErrorCode::NotACertificate);
    }
    assert_eq!(
        TrustStore::from_pem_or_der(&der).unwrap_err().code(),
        ErrorCode::NotACertificate
    );
    // A real certificate that breaks the profile keeps its own code.
    let der = kakunin::certificates_from_pem_or_der(&data_file("aamva-vical/aamva_dts_issuing_ca.pem"))
        .unwrap()
        .remove(0);
    assert_eq!(
        TrustAnchor::from_der(&der).unwrap_err().code(),
        ErrorCode::CertificateProfileInvalid
    );
}
