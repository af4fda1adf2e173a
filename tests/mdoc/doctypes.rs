//! Document types, counter answers, request policy and audit records, on the
//! shared real samples (tests/data) and on minted My Number Card responses.

use crate::support;

use ciborium::Value;
use kakunin::audit::AuditRecord;
use kakunin::doctype::{self, ElementRole, ValueType};
use kakunin::privacy::{self, PolicyViolation, RequestBuilder, RequestPolicy};
use kakunin::{
    AgeEvidence, AgeVerdict, DeviceAuthInput, ElementValue, ErrorCode, ImageFormat, ReaderKey, SessionTranscript,
    TrustStore, UnixTime, Verification, VerifiedDocument, Verifier,
};
use support::jp_mnc::{self, MncHolder, ISO_NS, JP_NS, MNC};
use support::*;

fn at(s: &str) -> UnixTime {
    UnixTime::parse_rfc3339(s).unwrap()
}

fn store(paths: &[&str]) -> TrustStore {
    let mut b = TrustStore::builder();
    for p in paths {
        b.add_pem_or_der(&data_file(p)).unwrap();
    }
    b.build()
}

/// The real issuers' samples other than Annex D and walt.id need the
/// interoperable certificate profile (an explicit opt-in; see README
/// "Deliberate choices"): EUDI's DS extKeyUsage is a mis-encoded OID, the
/// SPRIND DS has none.
fn lenient(paths: &[&str]) -> Verifier {
    Verifier::new(store(paths))
        .with_policy(kakunin::Policy::default().with_certificate_profile(kakunin::CertificateProfile::Interoperable))
}

fn now() -> UnixTime {
    UnixTime::from_secs(T2024)
}

fn verify_minted(pki: &TestPki, bytes: &[u8], t: UnixTime) -> Verification {
    let tr = transcript();
    Verifier::new(pki.trust_store()).verify_device_response(
        bytes,
        DeviceAuthInput {
            session_transcript: Some(&tr),
            reader_key: None,
        },
        t,
    )
}

fn mint_one(spec: &MdocSpec, t: UnixTime) -> Verification {
    let pki = TestPki::new();
    verify_minted(&pki, &mint(&pki, spec), t)
}

fn only(v: Verification) -> VerifiedDocument {
    assert!(v.is_valid(), "{:?}", v.error_codes());
    let mut d = v.into_verified().unwrap();
    assert_eq!(d.len(), 1);
    d.remove(0)
}

fn annex_d() -> Verification {
    let tr = SessionTranscript::from_bytes(&hex_file("iso18013-5-annex-d/session_transcript_bytes.hex")).unwrap();
    let rk = ReaderKey::from_scalar(kakunin::Curve::P256, &hex_file("iso18013-5-annex-d/e_reader_key.d.hex")).unwrap();
    Verifier::new(store(&["iso18013-5-annex-d/iaca_cert.pem"])).verify_device_response(
        &hex_file("iso18013-5-annex-d/device_response.hex"),
        DeviceAuthInput {
            session_transcript: Some(&tr),
            reader_key: Some(&rk),
        },
        at("2021-01-01T00:00:00Z"),
    )
}

fn eudi_mdl() -> Verification {
    let tr = SessionTranscript::from_bytes(&hex_file("eudi-verifier-endpoint/mdl_session_transcript.hex")).unwrap();
    lenient(&["eudi-verifier-endpoint/pid_issuer_ca_ut_02.pem"]).verify_device_response(
        &hex_file("eudi-verifier-endpoint/mdl_device_response.hex"),
        DeviceAuthInput {
            session_transcript: Some(&tr),
            reader_key: None,
        },
        at("2025-12-19T09:19:37Z"),
    )
}

fn eudi_three() -> Verification {
    lenient(&["eudi-verifier-endpoint/pid_issuer_ca_ut_01.pem"]).verify_device_response_issuer_only(
        &hex_file("eudi-verifier-endpoint/three_documents_device_response.hex"),
        at("2024-10-05T00:00:00Z"),
    )
}

fn asitplus_pid() -> Verification {
    let t = at("2024-11-01T00:00:00Z");
    let d = lenient(&["asitplus-vck-eudi-pid/pid_issuer_ca_eu_01.pem"]).verify_issuer_signed(
        &hex_file("asitplus-vck-eudi-pid/pid_issuer_signed.hex"),
        Some(doctype::PID_DOCTYPE),
        t,
    );
    Verification::from_document(d, t)
}

fn sprind_pid() -> Verification {
    let t = at("2024-08-20T00:00:00Z");
    let d = lenient(&["sprind-funke-pid/sprind_funke_issuing_ca.pem"]).verify_issuer_signed(
        &hex_file("sprind-funke-pid/pid_issuer_signed.hex"),
        Some(doctype::PID_DOCTYPE),
        t,
    );
    Verification::from_document(d, t)
}

fn waltid_photoid() -> Verification {
    let t = at("2025-10-01T00:00:00Z");
    let d = Verifier::new(store(&["waltid-iso23220-photoid/waltid_test_iaca.pem"]))
        .verify_document_issuer_only(&hex_file("waltid-iso23220-photoid/photoid_document.hex"), t);
    Verification::from_document(d, t)
}

fn auth0(n: u8) -> Verification {
    let tr = SessionTranscript::from_bytes(&hex_file("auth0-mdl-examples/session_transcript_bytes.hex")).unwrap();
    Verifier::new(store(&["auth0-mdl-examples/issuer.pem"])).verify_device_response(
        &hex_file(&format!("auth0-mdl-examples/example{n}_device_response.hex")),
        DeviceAuthInput {
            session_transcript: Some(&tr),
            reader_key: None,
        },
        at("2024-01-01T00:00:00Z"),
    )
}

fn mnc(holder: &MncHolder) -> Verification {
    let pki = TestPki::new();
    verify_minted(&pki, &holder.response(&pki), now())
}

/// Minted samples for the registered docTypes that have no public vector:
/// an EU age-verification attestation, an ISO/IEC 23220-2 document in the
/// later `family_name`/`family_name_viz` spelling with the nested birth_date,
/// and an mDL with AAMVA elements.
fn minted(doc_type: &str) -> Verification {
    let pki = TestPki::new();
    let spec = match doc_type {
        "eu.europa.ec.av.1" => MdocSpec {
            doc_type: doc_type.into(),
            namespaces: vec![(
                "eu.europa.ec.av.1".into(),
                vec![
                    ("age_over_18".into(), Value::Bool(true)),
                    ("age_over_21".into(), Value::Bool(false)),
                ],
            )],
            ..MdocSpec::default()
        },
        "org.iso.23220.1" => MdocSpec {
            doc_type: doc_type.into(),
            namespaces: vec![(
                ISO_NS.into(),
                vec![
                    ("family_name".into(), text("Müller-Łukasiewicz")),
                    ("family_name_viz".into(), text("MUELLER-LUKASIEWICZ")),
                    ("given_name".into(), text("Zoë")),
                    (
                        "birth_date".into(),
                        map(vec![(text("birth_date"), full_date("1985-07-14"))]),
                    ),
                    ("issue_date".into(), tdate(T2024 - YEAR)),
                    ("expiry_date".into(), full_date("2033-12-31")),
                    ("resident_address".into(), text("Rue de la Loi 200, 1049 Bruxelles")),
                    ("sex".into(), Value::Integer(2.into())),
                ],
            )],
            ..MdocSpec::default()
        },
        _ => MdocSpec {
            namespaces: vec![
                (
                    MDL_NS.into(),
                    vec![
                        ("family_name".into(), text("Doe")),
                        ("given_name".into(), text("Jane")),
                        ("birth_date".into(), full_date("2001-03-15")),
                        ("resident_address".into(), text("123 Main St, Springfield")),
                        ("age_in_years".into(), Value::Integer(22.into())),
                        (
                            "driving_privileges".into(),
                            Value::Array(vec![map(vec![(text("vehicle_category_code"), text("C"))])]),
                        ),
                    ],
                ),
                (
                    "org.iso.18013.5.1.aamva".into(),
                    vec![
                        ("DHS_compliance".into(), text("F")),
                        ("organ_donor".into(), Value::Integer(1.into())),
                        ("family_name_truncation".into(), text("N")),
                        ("hazmat_endorsement_expiration_date".into(), full_date("2026-03-15")),
                    ],
                ),
            ],
            ..MdocSpec::default()
        },
    };
    verify_minted(&pki, &mint(&pki, &spec), now())
}

/// Every valid sample: real ones from tests/data and minted ones.
fn valid_samples() -> Vec<(&'static str, Verification)> {
    vec![
        ("annex-d mDL", annex_d()),
        ("eudi mDL", eudi_mdl()),
        ("eudi PID+PID+mDL", eudi_three()),
        ("a-sit PID", asitplus_pid()),
        ("sprind PID", sprind_pid()),
        ("walt.id photo ID", waltid_photoid()),
        ("auth0 example2 mDL", auth0(2)),
        ("My Number Card hanako", mnc(&jp_mnc::hanako())),
        ("My Number Card kichiro", mnc(&jp_mnc::kichiro())),
        ("minted EU AV", minted("eu.europa.ec.av.1")),
        ("minted ISO 23220", minted("org.iso.23220.1")),
        ("minted mDL + AAMVA", minted(MDL)),
    ]
}

// ---------------------------------------------------------------- registry

#[test]
fn real_samples_still_verify_with_the_registry() {
    for (name, v) in valid_samples() {
        assert!(v.is_valid(), "{name}: {:?}", v.error_codes());
    }
}

#[test]
fn registry_covers_the_issue_doc_types() {
    for dt in [
        doctype::MDL_DOCTYPE,
        doctype::PID_DOCTYPE,
        doctype::AV_DOCTYPE,
        doctype::ISO23220_DOCTYPE,
        doctype::PHOTOID_DOCTYPE,
        doctype::JP_MNC_DOCTYPE,
    ] {
        assert!(doctype::doc_type(dt).is_some(), "{dt}");
    }
    let e = |dt, ns, id| doctype::element(dt, ns, id).map(|e| (e.value_type, e.security_relevant));
    assert_eq!(e(MDL, MDL_NS, "birth_date"), Some((ValueType::FullDate, true)));
    assert_eq!(e(MDL, MDL_NS, "portrait"), Some((ValueType::Bytes, true)));
    assert_eq!(
        e(MDL, MDL_NS, "driving_privileges"),
        Some((ValueType::DrivingPrivileges, false))
    );
    assert_eq!(e(MDL, MDL_NS, "age_over_18"), Some((ValueType::Bool, true)));
    assert_eq!(e(MDL, MDL_NS, "age_in_years"), Some((ValueType::Uint, true)));
    assert_eq!(
        e(MDL, "org.iso.18013.5.1.aamva", "DHS_compliance"),
        Some((ValueType::Text, false))
    );
    assert_eq!(
        e("eu.europa.ec.av.1", "eu.europa.ec.av.1", "age_over_18"),
        Some((ValueType::Bool, true))
    );
    for id in [
        "family_name_unicode",
        "family_name_latin1",
        "family_name",
        "family_name_viz",
    ] {
        assert_eq!(
            e("org.iso.23220.photoid.1", ISO_NS, id),
            Some((ValueType::Text, false)),
            "{id}"
        );
    }
    assert_eq!(e(MNC, ISO_NS, "birth_date"), Some((ValueType::BirthDate, true)));
    for id in [
        "full_name_unicode",
        "resident_address_unicode",
        "sex_unicode",
        "individual_number_unicode",
        "local_gov_code_unicode",
    ] {
        assert_eq!(e(MNC, JP_NS, id).map(|x| x.0), Some(ValueType::Text), "{id}");
    }
    assert_eq!(e(MNC, JP_NS, "birth_date_unicode"), Some((ValueType::Text, true)));
    assert_eq!(e(MNC, JP_NS, "portrait"), Some((ValueType::Bytes, true)));
    assert_eq!(
        doctype::element(MNC, JP_NS, "full_name_unicode").and_then(|e| e.role),
        Some(ElementRole::FullName)
    );
    assert!(doctype::element(MNC, JP_NS, "favourite_colour").is_none());
}

#[test]
fn minted_samples_of_the_other_registered_doc_types() {
    let d = only(minted("eu.europa.ec.av.1"));
    assert!(d.warnings().is_empty());
    let a = d.age_at_least(d.doc_type(), 18);
    assert_eq!((a.verdict, a.evidence), (AgeVerdict::AtLeast, AgeEvidence::AgeOver(18)));
    assert_eq!(d.age_at_least(d.doc_type(), 21).verdict, AgeVerdict::Under);
    assert!(!d.basic_info(d.doc_type()).has_basic_items());

    let d = only(minted("org.iso.23220.1"));
    assert!(d.warnings().is_empty(), "{:?}", d.warnings());
    let b = d.basic_info(d.doc_type());
    assert_eq!(
        (b.family_name, b.given_name, b.birth_date),
        (Some("Müller-Łukasiewicz"), Some("Zoë"), Some("1985-07-14"))
    );
    assert_eq!(b.address, Some("Rue de la Loi 200, 1049 Bruxelles"));
    assert_eq!(d.age_at_least(d.doc_type(), 18).evidence, AgeEvidence::BirthDate);
    assert_eq!(d.age_at_least(d.doc_type(), 18).verdict, AgeVerdict::AtLeast);

    let d = only(minted(MDL));
    assert!(d.warnings().is_empty(), "{:?}", d.warnings());
    assert_eq!(d.age_at_least(d.doc_type(), 21).evidence, AgeEvidence::AgeInYears);
    assert_eq!(d.age_at_least(d.doc_type(), 21).verdict, AgeVerdict::AtLeast);
    assert_eq!(d.basic_info(d.doc_type()).address, Some("123 Main St, Springfield"));
    // AAMVA types are checked too: organ_donor as text is flagged.
    let spec = spec_with("org.iso.18013.5.1.aamva", vec![("organ_donor", text("yes"))]);
    let d = only(mint_one(&spec, now()));
    assert_eq!(
        d.warnings().iter().map(|w| w.element.as_str()).collect::<Vec<_>>(),
        ["organ_donor"]
    );
}

#[test]
fn real_samples_keep_off_type_elements_as_warnings() {
    // SPRIND sends nationality as a map {value, countryName}.
    let d = only(sprind_pid());
    let w: Vec<_> = d.warnings().iter().map(|w| (w.element.as_str(), w.received)).collect();
    assert_eq!(w, [("nationality", "map")]);
    // walt.id sends document numbers and the postal code as integers.
    let d = only(waltid_photoid());
    let w: Vec<_> = d.warnings().iter().map(|w| w.element.as_str()).collect();
    assert_eq!(w, ["document_number", "resident_postal_code", "travel_document_number"]);
    assert!(only(annex_d()).warnings().is_empty());
    assert!(only(mnc(&jp_mnc::hanako())).warnings().is_empty());
}

#[test]
fn real_portrait_as_text_is_rejected() {
    // auth0-lab/mdl examples 1 and 4 carry `portrait` as a text string
    // (ISO 18013-5 Table 5: bstr); example 2 discloses no portrait.
    let v = auth0(1);
    assert_eq!(v.error_codes(), [ErrorCode::ElementTypeInvalid]);
    let d = Verifier::new(store(&["auth0-mdl-examples/issuer.pem"])).verify_device_response_issuer_only(
        &hex_file("auth0-mdl-examples/example4_device_response.hex"),
        at("2024-01-01T00:00:00Z"),
    );
    assert_eq!(d.error_codes(), [ErrorCode::ElementTypeInvalid]);
    assert!(auth0(2).is_valid());
}

fn spec_with(ns: &str, elements: Vec<(&str, Value)>) -> MdocSpec {
    MdocSpec {
        namespaces: vec![(
            ns.into(),
            elements.into_iter().map(|(k, v)| (k.to_owned(), v)).collect(),
        )],
        ..MdocSpec::default()
    }
}

#[track_caller]
fn assert_type_rejected(spec: &MdocSpec, leaked: &str) {
    let v = mint_one(spec, now());
    assert!(!v.is_valid());
    assert_eq!(v.error_codes(), [ErrorCode::ElementTypeInvalid]);
    let kakunin::DocumentResult::Err(r) = &v.documents()[0] else {
        unreachable!()
    };
    for e in r.errors() {
        assert!(!e.message().contains(leaked), "value leaked into {:?}", e.message());
    }
}

#[test]
fn security_relevant_type_contradictions_are_rejected() {
    assert_type_rejected(&spec_with(MDL_NS, vec![("age_over_20", text("true"))]), "\"true\"");
    assert_type_rejected(
        &spec_with(MDL_NS, vec![("portrait", text("data:image/jpeg;base64,/9j/4AAQ"))]),
        "base64",
    );
    assert_type_rejected(
        &spec_with(MDL_NS, vec![("birth_date", Value::Integer(19_900_401.into()))]),
        "19900401",
    );
    assert_type_rejected(
        &spec_with(MDL_NS, vec![("birth_date", full_date("1990-02-30"))]),
        "1990-02-30",
    );
    assert_type_rejected(&spec_with(MDL_NS, vec![("age_in_years", text("33"))]), "33");
    assert_type_rejected(
        &spec_with(MDL_NS, vec![("age_in_years", Value::Integer((-3).into()))]),
        "-3",
    );
    assert_type_rejected(
        &spec_with(doctype::PID_NS, vec![("age_over_18", Value::Integer(1.into()))]),
        "xx",
    );
    assert_type_rejected(
        &MdocSpec {
            doc_type: doctype::PID_DOCTYPE.into(),
            ..spec_with(doctype::PID_NS, vec![("birth_date", text("26.01.1984"))])
        },
        "26.01.1984",
    );
    // My Number Card: a birth date that is not text, a portrait that is not bytes.
    let mut h = jp_mnc::hanako();
    h.birth_date = Some(Value::Integer(19_900_401.into()));
    assert_type_rejected(&h.spec(), "19900401");
    let mut spec = jp_mnc::hanako().spec();
    spec.namespaces[0]
        .1
        .push(("birth_date_unicode".into(), Value::Integer(2.into())));
    spec.namespaces[0]
        .1
        .retain(|(k, v)| k != "birth_date_unicode" || matches!(v, Value::Integer(_)));
    assert_type_rejected(&spec, "平成");
    let mut spec = jp_mnc::hanako().spec();
    for (k, v) in spec.namespaces[0].1.iter_mut() {
        if k == "portrait" {
            *v = text("portrait.jpg");
        }
    }
    assert_type_rejected(&spec, "portrait.jpg");
    // A nested 23220-2 birth_date map without a date.
    let mut h = jp_mnc::hanako();
    h.birth_date = Some(map(vec![(text("year"), Value::Integer(1990.into()))]));
    assert_type_rejected(&h.spec(), "1990");
}

#[test]
fn device_signed_type_contradiction_is_rejected() {
    let spec = MdocSpec {
        device_namespaces: vec![(MDL_NS.into(), vec![("age_over_20".into(), text("yes"))])],
        key_authorized_namespaces: vec![MDL_NS.into()],
        ..MdocSpec::default()
    };
    let v = mint_one(&spec, now());
    assert_eq!(v.error_codes(), [ErrorCode::ElementTypeInvalid]);
}

#[test]
fn other_type_contradictions_are_flagged_and_unknowns_verify() {
    let spec = spec_with(
        MDL_NS,
        vec![
            ("family_name", Value::Integer(7.into())),
            ("age_over_20", Value::Bool(true)),
            ("favourite_colour", Value::Array(vec![])),
        ],
    );
    let d = only(mint_one(&spec, now()));
    assert_eq!(d.warnings().len(), 1);
    let w = &d.warnings()[0];
    assert_eq!(
        (w.namespace.as_str(), w.element.as_str(), w.expected, w.received),
        (MDL_NS, "family_name", ValueType::Text, "integer")
    );
    // An unknown docType with odd types verifies, typed generically.
    let spec = MdocSpec {
        doc_type: "com.example.loyalty.1".into(),
        ..spec_with(
            "com.example.loyalty.1",
            vec![("age_over_20", text("maybe")), ("points", Value::Float(1.5))],
        )
    };
    let d = only(mint_one(&spec, now()));
    assert!(d.warnings().is_empty());
    assert_eq!(
        d.element("com.example.loyalty.1", "points"),
        Some(&ElementValue::Float(1.5))
    );
    // …and gives no age answer from unregistered elements.
    assert_eq!(d.age_at_least(d.doc_type(), 20).verdict, AgeVerdict::Unknown);
}

// ----------------------------------------------------------------- answers

fn age_spec(elements: Vec<(&str, Value)>) -> MdocSpec {
    spec_with(MDL_NS, elements)
}

#[test]
fn age_from_age_over_nn() {
    let d = only(mint_one(
        &age_spec(vec![
            ("age_over_18", Value::Bool(true)),
            ("age_over_20", Value::Bool(true)),
        ]),
        now(),
    ));
    let a = d.age_at_least(d.doc_type(), 20);
    assert_eq!((a.verdict, a.evidence), (AgeVerdict::AtLeast, AgeEvidence::AgeOver(20)));
    assert!(a.is_at_least());
    // The nearest NN ≥ n that is true proves it.
    let a = d.age_at_least(d.doc_type(), 16);
    assert_eq!((a.verdict, a.evidence), (AgeVerdict::AtLeast, AgeEvidence::AgeOver(18)));
    // Nothing decides 21.
    assert_eq!(d.age_at_least(d.doc_type(), 21).verdict, AgeVerdict::Unknown);
    assert_eq!(d.age_at_least(d.doc_type(), 21).evidence, AgeEvidence::None);
    assert_eq!(AgeEvidence::AgeOver(20).element_id(), "age_over_20");
}

#[test]
fn age_over_nn_false_disproves() {
    let d = only(mint_one(
        &age_spec(vec![
            ("age_over_18", Value::Bool(true)),
            ("age_over_20", Value::Bool(false)),
        ]),
        now(),
    ));
    let a = d.age_at_least(d.doc_type(), 20);
    assert_eq!((a.verdict, a.evidence), (AgeVerdict::Under, AgeEvidence::AgeOver(20)));
    assert!(!a.is_at_least());
    let a = d.age_at_least(d.doc_type(), 25);
    assert_eq!((a.verdict, a.evidence), (AgeVerdict::Under, AgeEvidence::AgeOver(20)));
    // 18 true, 21 false: 20 is undecided by age_over_NN alone.
    let d = only(mint_one(
        &age_spec(vec![
            ("age_over_18", Value::Bool(true)),
            ("age_over_21", Value::Bool(false)),
        ]),
        now(),
    ));
    assert_eq!(d.age_at_least(d.doc_type(), 20).verdict, AgeVerdict::Unknown);
}

#[test]
fn age_from_age_in_years() {
    let d = only(mint_one(
        &age_spec(vec![("age_in_years", Value::Integer(20.into()))]),
        now(),
    ));
    let a = d.age_at_least(d.doc_type(), 20);
    assert_eq!((a.verdict, a.evidence), (AgeVerdict::AtLeast, AgeEvidence::AgeInYears));
    let a = d.age_at_least(d.doc_type(), 21);
    assert_eq!((a.verdict, a.evidence), (AgeVerdict::Under, AgeEvidence::AgeInYears));
}

#[test]
fn age_from_birth_date_and_verification_time() {
    let d = only(mint_one(
        &age_spec(vec![("birth_date", full_date("2003-12-31"))]),
        now(),
    ));
    let a = d.age_at_least(d.doc_type(), 20);
    assert_eq!((a.verdict, a.evidence), (AgeVerdict::AtLeast, AgeEvidence::BirthDate));
    assert_eq!(d.age_at_least(d.doc_type(), 21).verdict, AgeVerdict::Under);
    // The same document, verified a day earlier: 19.
    let pki = TestPki::new();
    let bytes = mint(
        &pki,
        &MdocSpec {
            signed: T2024 - 3 * DAY,
            valid_from: T2024 - 3 * DAY,
            ..age_spec(vec![("birth_date", full_date("2003-12-31"))])
        },
    );
    let d = only(verify_minted(&pki, &bytes, UnixTime::from_secs(T2024 - 2 * DAY)));
    assert_eq!(d.age_at_least(d.doc_type(), 20).verdict, AgeVerdict::Under);
}

#[test]
fn birthday_boundary_depends_on_the_local_date() {
    // 髙橋 𠮷郎 turns 20 on 2024-01-01; T2024 is 2024-01-01T00:00Z = 09:00 JST.
    let d = only(mnc(&jp_mnc::kichiro()));
    let a = d.age_at_least(d.doc_type(), 20);
    assert_eq!((a.verdict, a.evidence), (AgeVerdict::Unknown, AgeEvidence::BirthDate));
    assert_eq!(
        d.age_at_least_at_offset(d.doc_type(), 20, 9 * 3600).verdict,
        AgeVerdict::AtLeast
    );
    assert_eq!(
        d.age_at_least_at_offset(d.doc_type(), 20, -5 * 3600).verdict,
        AgeVerdict::Under
    );
    assert_eq!(d.age_at_least(d.doc_type(), 19).verdict, AgeVerdict::AtLeast);
}

#[test]
fn contradictory_age_evidence_is_not_trusted() {
    for (name, els) in [
        (
            "over_20 true, over_18 false",
            vec![("age_over_20", Value::Bool(true)), ("age_over_18", Value::Bool(false))],
        ),
        (
            "over_20 true, age 15",
            vec![
                ("age_over_20", Value::Bool(true)),
                ("age_in_years", Value::Integer(15.into())),
            ],
        ),
        (
            "over_20 true, born 2010",
            vec![
                ("age_over_20", Value::Bool(true)),
                ("birth_date", full_date("2010-05-05")),
            ],
        ),
        (
            "age 30, born 2010",
            vec![
                ("age_in_years", Value::Integer(30.into())),
                ("birth_date", full_date("2010-05-05")),
            ],
        ),
        (
            "over_20 false, age 40",
            vec![
                ("age_over_20", Value::Bool(false)),
                ("age_in_years", Value::Integer(40.into())),
            ],
        ),
    ] {
        let d = only(mint_one(&age_spec(els), now()));
        assert_eq!(
            d.age_at_least(d.doc_type(), 20).verdict,
            AgeVerdict::Contradictory,
            "{name}"
        );
    }
    // A stale `false` (signed before a birthday) does not outvote a birth date
    // when the answer is drawn from the birth date…
    let d = only(mint_one(
        &age_spec(vec![
            ("age_over_21", Value::Bool(false)),
            ("birth_date", full_date("2003-06-01")),
        ]),
        now(),
    ));
    assert_eq!(d.age_at_least(d.doc_type(), 20).verdict, AgeVerdict::AtLeast);
}

#[test]
fn real_eudi_mdl_age_elements_disagree_on_the_exact_age() {
    // The EUDI sample says age_in_years 79, birth_date 1948-05-30 (77 on
    // 2025-12-19): both agree the holder is over 20, not about 78.
    let d = only(eudi_mdl());
    let a = d.age_at_least(d.doc_type(), 20);
    assert_eq!((a.verdict, a.evidence), (AgeVerdict::AtLeast, AgeEvidence::AgeOver(21)));
    let a = d.age_at_least(d.doc_type(), 78);
    assert_eq!(
        (a.verdict, a.evidence),
        (AgeVerdict::Contradictory, AgeEvidence::AgeInYears)
    );
}

#[test]
fn age_never_comes_from_device_signed_elements() {
    let spec = MdocSpec {
        namespaces: vec![(MDL_NS.into(), vec![("family_name".into(), text("Yamada"))])],
        device_namespaces: vec![(MDL_NS.into(), vec![("age_over_20".into(), Value::Bool(true))])],
        key_authorized_namespaces: vec![MDL_NS.into()],
        ..MdocSpec::default()
    };
    let d = only(mint_one(&spec, now()));
    assert_eq!(d.device_namespaces().len(), 1);
    assert_eq!(d.age_at_least(d.doc_type(), 20).verdict, AgeVerdict::Unknown);
}

#[test]
fn real_samples_answer_age_questions() {
    let d = only(sprind_pid());
    assert_eq!(d.age_at_least(d.doc_type(), 18).evidence, AgeEvidence::AgeOver(18));
    assert_eq!(d.age_at_least(d.doc_type(), 65).verdict, AgeVerdict::Under);
    assert_eq!(d.age_at_least(d.doc_type(), 40).evidence, AgeEvidence::AgeInYears);
    let d = only(asitplus_pid());
    assert_eq!(d.age_at_least(d.doc_type(), 18).evidence, AgeEvidence::AgeOver(18));
    let d = only(waltid_photoid());
    assert_eq!(d.age_at_least(d.doc_type(), 18).verdict, AgeVerdict::AtLeast);
    assert_eq!(d.age_at_least(d.doc_type(), 25).evidence, AgeEvidence::AgeInYears);
    let v = eudi_three();
    let pid = v.documents()[0].as_ref().unwrap();
    let a = pid.age_at_least(pid.doc_type(), 18);
    assert_eq!((a.verdict, a.evidence), (AgeVerdict::Under, AgeEvidence::BirthDate));
}

#[test]
fn my_number_card_basic_four_items_exactly_as_received() {
    let h = jp_mnc::hanako();
    let d = only(mnc(&h));
    assert_eq!(d.doc_type(), MNC);
    let b = d.basic_info(d.doc_type());
    assert_eq!(b.full_name, h.full_name.as_deref());
    assert_eq!(b.address, h.address.as_deref());
    assert_eq!(b.birth_date, Some("平成2年4月1日"));
    assert_eq!(b.sex_text, Some("女"));
    assert_eq!(b.sex_code, Some(2));
    assert_eq!(b.birth_date_value.map(|d| d.to_string()), Some("1990-04-01".into()));
    let name = b.full_name.unwrap();
    assert_eq!(name.as_bytes(), "𠮷田\u{3000}花子".as_bytes());
    assert!(name.contains('\u{3000}') && name.contains('\u{20BB7}'));
    assert_eq!(name.chars().count(), 5);
    assert!(b.address.unwrap().contains('\u{3000}'));
    assert!(b.has_basic_items());
    let p = d.portrait(d.doc_type()).unwrap();
    assert_eq!(p.format, ImageFormat::Jpeg);
    assert_eq!(p.bytes, jp_mnc::portrait_jpeg().as_slice());
    // Age from the 23220-2 namespace of the card: age_over_20 first.
    let a = d.age_at_least(d.doc_type(), jp_mnc_age());
    assert_eq!((a.verdict, a.evidence), (AgeVerdict::AtLeast, AgeEvidence::AgeOver(20)));
    assert_eq!(d.age_at_least(d.doc_type(), 65).verdict, AgeVerdict::Under);
    assert_eq!(d.age_at_least(d.doc_type(), 30).evidence, AgeEvidence::AgeInYears);
}

fn jp_mnc_age() -> u8 {
    privacy::JP_ALCOHOL_TOBACCO_AGE
}

#[test]
fn my_number_card_nested_birth_date() {
    let mut h = jp_mnc::kichiro();
    h.birth_date = Some(map(vec![(text("birth_date"), full_date("2004-01-01"))]));
    let d = only(mnc(&h));
    assert_eq!(d.basic_info(d.doc_type()).birth_date, Some("平成16年1月1日"));
    assert_eq!(
        d.age_at_least_at_offset(d.doc_type(), 20, 9 * 3600).verdict,
        AgeVerdict::AtLeast
    );
    // An approximate birth date answers nothing.
    h.birth_date = Some(map(vec![
        (text("birth_date"), full_date("2004-01-01")),
        (text("approximate_mask"), text("00001111")),
    ]));
    let d = only(mnc(&h));
    assert_eq!(
        d.age_at_least_at_offset(d.doc_type(), 20, 9 * 3600).verdict,
        AgeVerdict::Unknown
    );
}

#[test]
fn basic_info_of_mdl_pid_and_photo_id() {
    let d = only(annex_d());
    let b = d.basic_info(d.doc_type());
    assert_eq!(b.family_name, Some("Doe"));
    let p = b.portrait.unwrap();
    assert_eq!(p.format, ImageFormat::Jpeg);
    assert_eq!(p.bytes, hex_file("iso18013-5-annex-d/portrait.jpg.hex").as_slice());
    let d = only(eudi_mdl());
    let b = d.basic_info(d.doc_type());
    assert_eq!(
        (b.family_name, b.given_name, b.birth_date, b.sex_code),
        (Some("Georgiou"), Some("Georgios"), Some("1948-05-30"), Some(1))
    );
    assert_eq!(d.portrait(d.doc_type()).map(|p| p.format), Some(ImageFormat::Jpeg));
    let d = only(sprind_pid());
    let b = d.basic_info(d.doc_type());
    assert_eq!(
        (b.family_name, b.given_name, b.birth_date),
        (Some("MUSTERMANN"), Some("ERIKA"), Some("1984-01-26"))
    );
    let d = only(waltid_photoid());
    let b = d.basic_info(d.doc_type());
    assert_eq!(
        (b.family_name, b.given_name, b.birth_date),
        (Some("Doe"), Some("John"), Some("2000-01-20"))
    );
    assert_eq!(b.address, Some("Püchlgasse 1D, 4.4.4."));
    assert_eq!(b.full_name, None);
}

// ----------------------------------------------------------------- privacy

#[test]
fn individual_number_is_refused_without_a_stated_purpose() {
    let req = RequestBuilder::new(MNC)
        .element(JP_NS, "full_name_unicode")
        .element(JP_NS, "individual_number_unicode");
    assert_eq!(
        req.clone().build(&RequestPolicy::new()),
        Err(PolicyViolation::IndividualNumberNotEnabled)
    );
    assert_eq!(
        req.clone().build(&RequestPolicy::default()).unwrap_err().code(),
        "individual_number_not_enabled"
    );
    // Also under another namespace.
    let other = RequestBuilder::new(MNC).element(ISO_NS, "individual_number_unicode");
    assert!(other.build(&RequestPolicy::new()).is_err());
    assert_eq!(
        RequestPolicy::new().allow_individual_number("  "),
        Err(PolicyViolation::PurposeMissing)
    );
    let policy = RequestPolicy::new()
        .allow_individual_number("源泉徴収票の作成（所得税法第226条）")
        .unwrap();
    let r = req.build(&policy).unwrap();
    assert_eq!(r.purpose(), Some("源泉徴収票の作成（所得税法第226条）"));
    assert!(r.elements().iter().all(|e| !e.intent_to_retain));
    // The purpose is recorded only for requests that ask for the number.
    let plain = RequestBuilder::new(MNC)
        .element(JP_NS, "full_name_unicode")
        .build(&policy)
        .unwrap();
    assert_eq!(plain.purpose(), None);
}

#[test]
fn requests_are_minimal_and_not_retained_by_default() {
    let r = privacy::jp_alcohol_tobacco_request(MNC).unwrap();
    assert_eq!(r.doc_type(), MNC);
    let ids: Vec<_> = r
        .elements()
        .iter()
        .map(|e| (e.namespace.as_str(), e.element.as_str(), e.intent_to_retain))
        .collect();
    assert_eq!(ids, [(ISO_NS, "age_over_20", false)]);
    let steps = privacy::age_request_steps(MDL, 20);
    let ids: Vec<Vec<&str>> = steps
        .iter()
        .map(|s| s.elements().iter().map(|e| e.element.as_str()).collect())
        .collect();
    assert_eq!(ids, [vec!["age_over_20"], vec!["age_in_years"], vec!["birth_date"]]);
    assert_eq!(privacy::age_request_steps("eu.europa.ec.av.1", 18).len(), 1);
    assert!(privacy::age_over_request("com.example.unknown", 20).is_none());
    let retained = RequestBuilder::new(MDL)
        .element_retained(MDL_NS, "family_name")
        .build(&RequestPolicy::new())
        .unwrap();
    assert!(retained.elements()[0].intent_to_retain);
    assert_eq!(
        RequestBuilder::new(MDL).build(&RequestPolicy::new()),
        Err(PolicyViolation::EmptyRequest)
    );
    assert!(matches!(
        RequestBuilder::new(MDL)
            .element(MDL_NS, "age_over_20")
            .element(MDL_NS, "age_over_20")
            .build(&RequestPolicy::new()),
        Err(PolicyViolation::DuplicateElement { .. })
    ));
    // ItemsRequest CBOR: {"docType", "nameSpaces": {ns: {id: false}}}.
    let items: Value = ciborium::from_reader(r.items_request_cbor().as_slice()).unwrap();
    let expected = map(vec![
        (text("docType"), text(MNC)),
        (
            text("nameSpaces"),
            map(vec![(
                text(ISO_NS),
                map(vec![(text("age_over_20"), Value::Bool(false))]),
            )]),
        ),
    ]);
    assert_eq!(items, expected);
}

// ------------------------------------------------------------------- audit

/// Every text, date and byte value of the document (bytes as base64 and hex).
fn leaf_values(v: &ElementValue, out: &mut Vec<String>) {
    match v {
        ElementValue::Text(s) | ElementValue::FullDate(s) | ElementValue::DateTime(s) => out.push(s.clone()),
        ElementValue::Bytes(b) if !b.is_empty() => {
            out.push(base64_std(b));
            out.push(hex::encode(b));
        }
        ElementValue::Array(a) => a.iter().for_each(|x| leaf_values(x, out)),
        ElementValue::Map(m) => m.iter().for_each(|(_, x)| leaf_values(x, out)),
        ElementValue::Tagged(_, x) => leaf_values(x, out),
        _ => {}
    }
}

/// Whether a digit occurs outside every JSON string literal.
fn has_json_number(json: &str) -> bool {
    let (mut in_str, mut escaped) = (false, false);
    for c in json.chars() {
        if in_str {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_str = false,
                _ => {}
            }
        } else if c == '"' {
            in_str = true;
        } else if c.is_ascii_digit() {
            return true;
        }
    }
    false
}

fn base64_std(b: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(b)
}

#[test]
fn audit_records_contain_no_element_value() {
    assert!(has_json_number("{\"a\":[1]}") && !has_json_number("{\"a\":\"1\\\"2\"}"));
    let req = privacy::jp_alcohol_tobacco_request(MNC).unwrap();
    for (name, v) in valid_samples() {
        let json = AuditRecord::new(&v).with_requests(std::slice::from_ref(&req)).to_json();
        let mut identifiers = vec![];
        let mut values = vec![];
        for d in v.documents() {
            let d = d.as_ref().unwrap();
            identifiers.push(d.doc_type().to_owned());
            for ns in d.namespaces().iter().chain(d.device_namespaces()) {
                identifiers.push(ns.name.clone());
                for (id, val) in &ns.elements {
                    identifiers.push(id.clone());
                    leaf_values(val, &mut values);
                }
            }
            assert!(
                json.contains(&format!("\"ds_serial\":\"{}\"", d.issuer().serial_hex)),
                "{name}"
            );
            assert!(
                json.contains(&format!("\"iaca_key_id\":\"{}\"", d.issuer().anchor_key_id_hex)),
                "{name}"
            );
            for (ns, id, _) in d.elements() {
                assert!(
                    json.contains(&format!("\"{id}\"")) && json.contains(&format!("\"{ns}\"")),
                    "{name}: {id}"
                );
            }
        }
        let mut checked = 0;
        let had_values = !values.is_empty();
        for val in values {
            // Short or identifier-like values ("US", "1.0") say nothing about a person.
            if val.chars().count() < 3 || identifiers.contains(&val) {
                continue;
            }
            checked += 1;
            assert!(!json.contains(&val), "{name}: audit record contains the value {val:?}");
        }
        // Integer values cannot hide in the record either: it has no JSON number.
        assert!(!has_json_number(&json), "{name}: {json}");
        // (Only the AV attestation has no text or byte value at all.)
        assert!(checked > 0 || !had_values, "{name}: no value checked");
        assert!(json.contains("\"verdict\":\"valid\""), "{name}");
    }
}

#[test]
fn audit_record_of_a_rejection_has_codes_not_messages() {
    let mut h = jp_mnc::hanako();
    h.birth_date = Some(Value::Integer(19_900_401.into()));
    let v = mnc(&h);
    let json = AuditRecord::new(&v).to_json();
    assert!(json.contains("\"verdict\":\"invalid\""), "{json}");
    assert!(json.contains("\"error_codes\":[\"element_type_invalid\"]"), "{json}");
    assert!(
        !json.contains("19900401") && !json.contains("𠮷") && !json.contains("expected"),
        "{json}"
    );
    let policy = RequestPolicy::new()
        .allow_individual_number("本人確認（番号法第16条）")
        .unwrap();
    let r = RequestBuilder::new(MNC)
        .element(JP_NS, "individual_number_unicode")
        .build(&policy)
        .unwrap();
    let json = AuditRecord::new(&v).with_requests(&[r]).to_json();
    assert!(json.contains("\"purpose\":\"本人確認（番号法第16条）\""), "{json}");
    assert!(json.contains("\"individual_number_unicode\":false"), "{json}");
}

#[test]
fn error_messages_never_carry_values() {
    let mut h = jp_mnc::hanako();
    h.sex = None;
    let mut spec = h.spec();
    spec.tamper_value = Some((JP_NS.into(), "full_name_unicode".into()));
    let v = mint_one(&spec, now());
    assert_eq!(v.error_codes(), [ErrorCode::DigestMismatch]);
    let kakunin::DocumentResult::Err(r) = &v.documents()[0] else {
        unreachable!()
    };
    for e in r.errors() {
        assert!(
            !e.message().contains("forged") && !e.message().contains("𠮷"),
            "{}",
            e.message()
        );
    }
}

#[test]
fn debug_output_of_results_carries_no_value() {
    for (name, v) in [("annex-d", annex_d()), ("mnc", mnc(&jp_mnc::hanako()))] {
        let dbg = format!("{v:?}");
        assert!(
            dbg.contains("family_name") || dbg.contains("full_name_unicode"),
            "{name}"
        );
        for value in ["Doe", "花子", "東京都", "ffd8ff", "[255, 216, 255"] {
            assert!(!dbg.contains(value), "{name}: {value} in {dbg}");
        }
    }
}
