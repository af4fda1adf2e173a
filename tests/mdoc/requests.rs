//! Responses bound to their requests, and answers bound to the docType the
//! caller expects: forged and over-sharing responses minted by the test
//! issuer in `tests/kit`, and the recorded ISO 18013-5 Annex D session.

use crate::support;

use ciborium::Value;
use kakunin::doctype::{JP_MNC_DOCTYPE, MDL_DOCTYPE, PID_DOCTYPE};
use kakunin::session::{DeviceEngagement, DeviceRequestBuilder, ReaderSession, SessionEvent};
use kakunin::{
    AgeEvidence, AgeVerdict, Curve, DeviceAuthInput, ErrorCode, ItemsRequest, ReaderKey, Request, TrustStore, UnixTime,
    Verification, Verifier,
};
use support::*;

const LOYALTY: &str = "com.example.loyalty.1";

fn now() -> UnixTime {
    UnixTime::from_secs(T2024)
}

fn verify_for(trust: TrustStore, request: &Request, bytes: &[u8]) -> Verification {
    let t = transcript();
    let auth = DeviceAuthInput {
        session_transcript: Some(&t),
        reader_key: None,
    };
    Verifier::new(trust).verify_device_response_for(request, bytes, auth, now())
}

fn mdl_request(elements: &[&str]) -> Request {
    let mut items = ItemsRequest::new(MDL);
    for e in elements {
        items = items.element(MDL_NS, e);
    }
    Request::new().with(items)
}

#[test]
fn a_document_of_a_doc_type_not_requested_is_rejected() {
    let pki = TestPki::new();
    let response = mint(&pki, &MdocSpec::default());
    let pid_only = Request::new().with(ItemsRequest::new(PID_DOCTYPE).element(PID_DOCTYPE, "age_over_18"));
    let v = verify_for(pki.trust_store(), &pid_only, &response);
    assert!(!v.is_valid());
    assert_eq!(v.error_codes(), vec![ErrorCode::DocumentNotRequested]);
    let rejected = v.documents()[0].as_ref().unwrap_err();
    assert_eq!(rejected.claimed_doc_type(), MDL);
    assert!(v.to_json().contains("\"document_not_requested\""));
    assert!(!v.to_json().contains("Hanako"), "no element of a rejected document");

    // No request at all asks for nothing.
    let v = verify_for(pki.trust_store(), &Request::new(), &response);
    assert_eq!(v.error_codes(), vec![ErrorCode::DocumentNotRequested]);

    // Asked for, it verifies.
    let v = verify_for(pki.trust_store(), &mdl_request(&["age_over_20"]), &response);
    assert!(v.is_valid(), "{:?}", v.error_codes());
}

#[test]
fn of_two_documents_only_the_requested_one_verifies() {
    let pki = TestPki::new();
    let other = MdocSpec {
        doc_type: PID_DOCTYPE.into(),
        namespaces: vec![(PID_DOCTYPE.into(), vec![("age_over_18".into(), Value::Bool(true))])],
        ..MdocSpec::default()
    };
    let response = device_response(vec![
        mint_document(&pki, &MdocSpec::default()),
        mint_document(&pki, &other),
    ]);
    let v = verify_for(pki.trust_store(), &mdl_request(&["family_name"]), &response);
    assert!(!v.is_valid());
    assert!(v.documents()[0].is_ok());
    let rejected = v.documents()[1].as_ref().unwrap_err();
    assert_eq!(rejected.claimed_doc_type(), PID_DOCTYPE);
    assert_eq!(rejected.errors()[0].code(), ErrorCode::DocumentNotRequested);
}

#[test]
fn elements_not_requested_are_not_returned() {
    let pki = TestPki::new();
    let spec = MdocSpec {
        device_namespaces: vec![(MDL_NS.into(), vec![("given_name".into(), text("Device"))])],
        key_authorized_namespaces: vec![MDL_NS.into()],
        ..MdocSpec::default()
    };
    let response = mint(&pki, &spec);
    let v = verify_for(
        pki.trust_store(),
        &mdl_request(&["family_name", "age_over_20"]),
        &response,
    );
    assert!(v.is_valid(), "{:?}", v.error_codes());
    let json = v.to_json();
    let docs = v.into_verified().unwrap();
    let d = &docs[0];
    assert_eq!(
        d.element(MDL_NS, "family_name").and_then(|e| e.as_text()),
        Some("Yamada")
    );
    assert_eq!(d.element(MDL_NS, "age_over_20").and_then(|e| e.as_bool()), Some(true));
    assert!(d.element(MDL_NS, "given_name").is_none());
    assert!(d.element(MDL_NS, "birth_date").is_none());
    let ids: Vec<&str> = d.elements().map(|(_, id, _)| id).collect();
    assert_eq!(ids, ["family_name", "age_over_20"]);
    assert!(
        d.device_namespaces().is_empty(),
        "device-signed given_name was not requested"
    );
    assert!(
        !json.contains("Hanako") && !json.contains("1990-04-01") && !json.contains("Device"),
        "{json}"
    );
    // Answers only see what was requested: no birth date to fall back on.
    assert_eq!(d.age_at_least(MDL_DOCTYPE, 30).evidence, AgeEvidence::None);
    assert_eq!(d.basic_info(MDL_DOCTYPE).given_name, None);
}

#[test]
fn unrequested_elements_are_still_checked_against_their_digests() {
    let pki = TestPki::new();
    let spec = MdocSpec {
        tamper_value: Some((MDL_NS.into(), "given_name".into())),
        ..MdocSpec::default()
    };
    let response = mint(&pki, &spec);
    let v = verify_for(pki.trust_store(), &mdl_request(&["family_name"]), &response);
    assert_eq!(v.error_codes(), vec![ErrorCode::DigestMismatch]);
}

/// An IACA trusted only for a loyalty-card docType signs a "loyalty card"
/// that carries `org.iso.18013.5.1/age_over_20`. It verifies (the issuer is
/// trusted for that docType), but it must not answer an age question.
#[test]
fn a_loyalty_card_issuer_cannot_vouch_an_age() {
    let pki = TestPki::new();
    let mut builder = TrustStore::builder();
    builder.add_pem_or_der_for(&pki.iaca_der, &[LOYALTY]).unwrap();
    let trust = builder.build();
    let spec = MdocSpec {
        doc_type: LOYALTY.into(),
        namespaces: vec![(
            MDL_NS.into(),
            vec![
                ("age_over_20".into(), Value::Bool(true)),
                ("family_name".into(), text("Yamada")),
                ("birth_date".into(), full_date("1990-04-01")),
            ],
        )],
        ..MdocSpec::default()
    };
    let response = mint(&pki, &spec);
    let t = transcript();
    let auth = DeviceAuthInput {
        session_transcript: Some(&t),
        reader_key: None,
    };
    let v = Verifier::new(trust).verify_device_response(&response, auth, now());
    let docs = v.into_verified().expect("the loyalty card itself verifies");
    let d = &docs[0];
    assert_eq!(d.doc_type(), LOYALTY);
    for expected in [MDL_DOCTYPE, LOYALTY, d.doc_type()] {
        let a = d.age_at_least(expected, 20);
        assert_eq!(
            (a.verdict, a.evidence),
            (AgeVerdict::Unknown, AgeEvidence::None),
            "{expected}"
        );
        assert_eq!(
            d.age_at_least_at_offset(expected, 20, 9 * 3600).verdict,
            AgeVerdict::Unknown
        );
        assert!(!d.basic_info(expected).has_basic_items(), "{expected}");
    }
}

#[test]
fn answers_come_only_from_the_doc_type_the_caller_expects() {
    let pki = TestPki::new();
    let t = transcript();
    let auth = DeviceAuthInput {
        session_transcript: Some(&t),
        reader_key: None,
    };
    let v = Verifier::new(pki.trust_store()).verify_device_response(&mint(&pki, &MdocSpec::default()), auth, now());
    let docs = v.into_verified().unwrap();
    let d = &docs[0];
    assert_eq!(d.age_at_least(MDL_DOCTYPE, 20).verdict, AgeVerdict::AtLeast);
    assert_eq!(d.basic_info(MDL_DOCTYPE).family_name, Some("Yamada"));
    for other in [PID_DOCTYPE, JP_MNC_DOCTYPE, ""] {
        assert_eq!(d.age_at_least(other, 20).verdict, AgeVerdict::Unknown, "{other}");
        assert!(!d.basic_info(other).has_basic_items(), "{other}");
        assert!(d.portrait(other).is_none(), "{other}");
    }
}

#[test]
fn requests_are_read_from_the_device_request_as_sent() {
    let r = Request::from_device_request(&annex_d("device_request.hex")).unwrap();
    assert_eq!(r.items().len(), 1);
    assert_eq!(r.items()[0].doc_type(), MDL_DOCTYPE);
    for e in [
        "family_name",
        "document_number",
        "driving_privileges",
        "issue_date",
        "expiry_date",
        "portrait",
    ] {
        assert!(r.asks_for(MDL_DOCTYPE, MDL_NS, e), "{e}");
    }
    assert!(!r.asks_for(MDL_DOCTYPE, MDL_NS, "birth_date"));
    assert!(!r.asks_for(PID_DOCTYPE, MDL_NS, "family_name"));

    // The builder reports what it encoded.
    let mut b = DeviceRequestBuilder::new();
    b.add(&ItemsRequest::new(MDL_DOCTYPE).element(MDL_NS, "age_over_20"))
        .unwrap();
    b.add(&ItemsRequest::new(PID_DOCTYPE).element_with_retention(PID_DOCTYPE, "family_name", true))
        .unwrap();
    assert_eq!(&Request::from_device_request(&b.build()).unwrap(), b.request());

    // Policy-checked requests convert into the same model.
    let checked = [
        kakunin::privacy::age_over_request(MDL_DOCTYPE, 20).unwrap(),
        kakunin::privacy::age_over_request(PID_DOCTYPE, 18).unwrap(),
    ];
    let r: Request = checked.iter().map(ItemsRequest::from).collect();
    assert!(r.asks_for(MDL_DOCTYPE, MDL_NS, "age_over_20") && r.asks_for(PID_DOCTYPE, PID_DOCTYPE, "age_over_18"));
    assert!(!r.asks_for(MDL_DOCTYPE, MDL_NS, "age_over_18"));

    for bad in [&b"\xa0"[..], b"\x80", b"x"] {
        assert!(Request::from_device_request(bad).is_err());
    }
    // intentToRetain must be a bool.
    let items = enc(&map(vec![
        (text("docType"), text(MDL)),
        (
            text("nameSpaces"),
            map(vec![(text(MDL_NS), map(vec![(text("age_over_20"), text("yes"))]))]),
        ),
    ]));
    let req = enc(&map(vec![
        (text("version"), text("1.0")),
        (
            text("docRequests"),
            Value::Array(vec![map(vec![(text("itemsRequest"), tag24(items))])]),
        ),
    ]));
    assert_eq!(
        Request::from_device_request(&req).unwrap_err().code(),
        ErrorCode::StructureInvalid
    );
}

fn annex_d_session() -> ReaderSession {
    let (de, handover) =
        DeviceEngagement::from_nfc_handover(&annex_d("handover_select.hex"), Some(&annex_d("handover_request.hex")))
            .unwrap();
    let key = ReaderKey::from_scalar(Curve::P256, &annex_d("e_reader_key.d.hex")).unwrap();
    ReaderSession::with_reader_key(de, handover, key).unwrap()
}

/// The reader session binds the response to the DeviceRequest it sent.
fn annex_d_verified_with_request(device_request: &[u8]) -> Verification {
    let mut s = annex_d_session();
    s.establish(device_request).unwrap();
    let SessionEvent::Response(response) = s.receive(&annex_d("session_data_device_response.hex")).unwrap() else {
        panic!("no response")
    };
    let trust = TrustStore::from_pem_or_der(&data_file("iso18013-5-annex-d/iaca_cert.pem")).unwrap();
    let at = UnixTime::parse_rfc3339("2021-01-01T00:00:00Z").unwrap();
    s.verify_device_response(&Verifier::new(trust), &response, at)
}

#[test]
fn the_reader_session_binds_the_response_to_its_request() {
    let v = annex_d_verified_with_request(&annex_d("device_request.hex"));
    assert!(v.is_valid(), "{:?}", v.error_codes());
    assert_eq!(v.documents()[0].as_ref().unwrap().elements().count(), 6);

    let mut b = DeviceRequestBuilder::new();
    b.add(&ItemsRequest::new(MDL_DOCTYPE).element(MDL_NS, "family_name"))
        .unwrap();
    let v = annex_d_verified_with_request(&b.build());
    assert!(v.is_valid(), "{:?}", v.error_codes());
    let ids: Vec<String> = v.documents()[0]
        .as_ref()
        .unwrap()
        .elements()
        .map(|(_, id, _)| id.to_owned())
        .collect();
    assert_eq!(ids, ["family_name"]);

    let mut b = DeviceRequestBuilder::new();
    b.add(&ItemsRequest::new(PID_DOCTYPE).element(PID_DOCTYPE, "age_over_18"))
        .unwrap();
    let v = annex_d_verified_with_request(&b.build());
    assert_eq!(v.error_codes(), vec![ErrorCode::DocumentNotRequested]);

    // A request the session cannot read accepts no document.
    let v = annex_d_verified_with_request(b"\xa0");
    assert_eq!(v.error_codes(), vec![ErrorCode::DocumentNotRequested]);
}
