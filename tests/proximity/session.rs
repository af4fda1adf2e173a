//! Reader session against ISO 18013-5 Annex D (tests/data/iso18013-5-annex-d):
//! engagement, transcript, session encryption, DeviceRequest/ReaderAuth.

use crate::support;

use base64::Engine;
use kakunin::session::{
    reader_authentication_bytes, verify_device_request, verify_reader_auth, DeviceEngagement, DeviceRequestBuilder,
    Handover, ItemsRequest, ReaderAuthKey, ReaderAuthSigner, ReaderSession, RetrievalMethod, SessionEvent,
    SessionState, SessionStatus,
};
use kakunin::{
    Curve, DeviceAuthInput, Error, ErrorCode, ReaderKey, SessionTranscript, SignatureAlgorithm, TrustStore, UnixTime,
    Verifier,
};
use support::{annex_d, data_file as data};

fn at_2021() -> UnixTime {
    UnixTime::parse_rfc3339("2021-01-01T00:00:00Z").unwrap()
}

fn annex_d_reader_key() -> ReaderKey {
    ReaderKey::from_scalar(Curve::P256, &annex_d("e_reader_key.d.hex")).unwrap()
}

fn annex_d_session() -> ReaderSession {
    let (de, handover) =
        DeviceEngagement::from_nfc_handover(&annex_d("handover_select.hex"), Some(&annex_d("handover_request.hex")))
            .unwrap();
    ReaderSession::with_reader_key(de, handover, annex_d_reader_key()).unwrap()
}

fn iaca_verifier() -> Verifier {
    Verifier::new(TrustStore::from_pem_or_der(&data("iso18013-5-annex-d/iaca_cert.pem")).unwrap())
}

#[test]
fn annex_d_replay_is_byte_identical_and_verifies() {
    let mut s = annex_d_session();
    assert_eq!(s.engagement().raw(), annex_d("device_engagement_nfc.hex"));
    assert_eq!(s.e_reader_key_bytes(), annex_d("e_reader_key_bytes.hex"));
    assert_eq!(
        s.session_transcript().as_tagged_bytes(),
        annex_d("session_transcript_bytes.hex")
    );
    assert_eq!(
        s.session_transcript().as_array_bytes(),
        annex_d("session_transcript.hex")
    );
    let se = s.establish(&annex_d("device_request.hex")).unwrap();
    assert_eq!(se, annex_d("session_establishment.hex"));
    assert_eq!(s.state(), SessionState::AwaitingResponse);
    let ev = s.receive(&annex_d("session_data_device_response.hex")).unwrap();
    let SessionEvent::Response(response) = ev else {
        panic!("{ev:?}")
    };
    assert_eq!(response, annex_d("device_response.hex"));
    let v = iaca_verifier().verify_device_response(&response, s.device_auth_input(), at_2021());
    assert!(v.is_valid(), "{:?}", v.error_codes());
    assert_eq!(s.terminate(), annex_d("session_termination.hex"));
    assert_eq!(s.state(), SessionState::Closed);
}

#[test]
fn qr_engagement_is_parsed_and_kept_raw() {
    let raw = annex_d("device_engagement.hex");
    let qr = format!("mdoc:{}", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&raw));
    let de = DeviceEngagement::from_qr(&qr).unwrap();
    assert_eq!(de.raw(), raw);
    assert_eq!(de.version(), "1.0");
    assert_eq!(de.curve(), Curve::P256);
    assert_eq!(de.e_device_key_bytes(), annex_d("e_device_key_bytes.hex"));
    let mut sec1 = vec![4u8];
    sec1.extend(annex_d("e_device_key.x.hex"));
    sec1.extend(annex_d("e_device_key.y.hex"));
    assert_eq!(de.e_device_key_sec1(), sec1);
    match de.retrieval_methods() {
        [RetrievalMethod::Ble {
            peripheral_server_mode,
            central_client_mode,
            central_client_uuid,
            ..
        }] => {
            assert!(!peripheral_server_mode);
            assert!(central_client_mode);
            assert_eq!(
                central_client_uuid.unwrap().to_string(),
                "45efef74-2b2c-4837-a9a3-b0e1d05a6917"
            );
        }
        other => panic!("{other:?}"),
    }
    // QR handover is null: the transcript ends with 0xf6 and embeds the QR bytes.
    let s = ReaderSession::with_reader_key(de, Handover::Qr, annex_d_reader_key()).unwrap();
    assert_eq!(s.session_transcript().as_array_bytes().last(), Some(&0xf6));
    assert_ne!(
        s.session_transcript().as_tagged_bytes(),
        annex_d("session_transcript_bytes.hex")
    );
}

#[test]
fn bad_engagements_are_rejected() {
    let raw = annex_d("device_engagement.hex");
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&raw);
    assert!(DeviceEngagement::from_qr(&format!("mdoc/{b64}")).is_err());
    assert!(DeviceEngagement::from_qr("mdoc:!!!!").is_err());
    for cut in [1, 10, raw.len() - 1] {
        assert_eq!(
            DeviceEngagement::from_bytes(&raw[..cut]).unwrap_err().code(),
            ErrorCode::CborMalformed
        );
    }
    // version "2.0" (a2 00 63 "1.0" → "2.0")
    let mut v2 = raw.clone();
    v2[4] = b'2';
    assert_eq!(
        DeviceEngagement::from_bytes(&v2).unwrap_err().code(),
        ErrorCode::UnsupportedVersion
    );
    // EDeviceKey point off the curve
    let mut off = raw.clone();
    let pos = off.len() - 40;
    off[pos] ^= 1;
    assert!(DeviceEngagement::from_bytes(&off).is_err());
    // Handover Select without an engagement record (the Request) is rejected.
    assert!(DeviceEngagement::from_nfc_handover(&annex_d("handover_request.hex"), None).is_err());
}

#[test]
fn nfc_static_handover_has_null_request() {
    let (de, handover) = DeviceEngagement::from_nfc_handover(&annex_d("handover_select.hex"), None).unwrap();
    assert!(matches!(&handover, Handover::Nfc { request: None, .. }));
    let s = ReaderSession::with_reader_key(de, handover, annex_d_reader_key()).unwrap();
    assert_eq!(s.session_transcript().as_array_bytes().last(), Some(&0xf6));
}

#[test]
fn tampered_session_data_fails_and_closes() {
    let mut s = annex_d_session();
    s.establish(&annex_d("device_request.hex")).unwrap();
    let mut sd = annex_d("session_data_device_response.hex");
    let n = sd.len();
    sd[n - 5] ^= 0x80; // inside the GCM tag
    let e = s.receive(&sd).unwrap_err();
    assert_eq!(e.code(), ErrorCode::SessionDecryptionFailed);
    assert_eq!(s.state(), SessionState::Closed);
    // Once closed, nothing more is accepted, not even the genuine message.
    let e = s.receive(&annex_d("session_data_device_response.hex")).unwrap_err();
    assert_eq!(e.code(), ErrorCode::SessionProtocolError);
    assert_eq!(
        s.error_message(SessionStatus::EncryptionError),
        vec![0xa1, 0x66, b's', b't', b'a', b't', b'u', b's', 0x0a]
    );
}

#[test]
fn replayed_session_data_fails_on_the_counter() {
    let mut s = annex_d_session();
    s.establish(&annex_d("device_request.hex")).unwrap();
    s.receive(&annex_d("session_data_device_response.hex")).unwrap();
    assert_eq!(s.state(), SessionState::Idle);
    // Between requests, unsolicited data is a protocol error…
    let mut idle = annex_d_session();
    idle.establish(&annex_d("device_request.hex")).unwrap();
    idle.receive(&annex_d("session_data_device_response.hex")).unwrap();
    let e = idle.receive(&annex_d("session_data_device_response.hex")).unwrap_err();
    assert_eq!(e.code(), ErrorCode::SessionProtocolError);
    // …while the holder's termination is accepted.
    let mut idle = annex_d_session();
    idle.establish(&annex_d("device_request.hex")).unwrap();
    idle.receive(&annex_d("session_data_device_response.hex")).unwrap();
    assert_eq!(
        idle.receive(&annex_d("session_termination.hex")).unwrap(),
        SessionEvent::Terminated
    );
    assert_eq!(idle.state(), SessionState::Closed);

    s.request(&annex_d("device_request.hex")).unwrap();
    // The same ciphertext again was encrypted with counter 1, the reader now expects 2.
    let e = s.receive(&annex_d("session_data_device_response.hex")).unwrap_err();
    assert_eq!(e.code(), ErrorCode::SessionDecryptionFailed);
}

#[test]
fn out_of_order_calls_and_statuses_are_protocol_errors() {
    let mut s = annex_d_session();
    let e = s.receive(&annex_d("session_data_device_response.hex")).unwrap_err();
    assert_eq!(e.code(), ErrorCode::SessionProtocolError);

    let mut s = annex_d_session();
    assert_eq!(s.request(b"x").unwrap_err().code(), ErrorCode::SessionProtocolError);
    s.establish(b"x").unwrap();
    assert_eq!(s.establish(b"x").unwrap_err().code(), ErrorCode::SessionProtocolError);

    for (msg, code) in [
        (
            &[0xa1, 0x66, b's', b't', b'a', b't', b'u', b's', 0x0a][..],
            Some(ErrorCode::SessionProtocolError),
        ),
        (
            &[0xa1, 0x66, b's', b't', b'a', b't', b'u', b's', 0x0b][..],
            Some(ErrorCode::SessionProtocolError),
        ),
        (
            &[0xa1, 0x66, b's', b't', b'a', b't', b'u', b's', 0x0c][..],
            Some(ErrorCode::SessionProtocolError),
        ),
        (&[0xa0][..], Some(ErrorCode::SessionProtocolError)),
        (
            &[0xa1, 0x63, b'f', b'o', b'o', 0x01][..],
            Some(ErrorCode::SessionProtocolError),
        ),
        (&[0xa1, 0x66, b's', b't', b'a', b't', b'u', b's', 0x14][..], None),
    ] {
        let mut s = annex_d_session();
        s.establish(b"x").unwrap();
        match (s.receive(msg), code) {
            (Ok(ev), None) => assert_eq!(ev, SessionEvent::Terminated),
            (Err(e), Some(c)) => assert_eq!(e.code(), c, "{e}"),
            (r, c) => panic!("{r:?} vs {c:?}"),
        }
        assert_eq!(s.state(), SessionState::Closed);
    }
}

#[test]
fn reader_key_must_match_the_device_curve() {
    let (de, h) = DeviceEngagement::from_nfc_handover(&annex_d("handover_select.hex"), None).unwrap();
    let p384 = kakunin::session::generate_ephemeral_key(Curve::P384).unwrap();
    let e = ReaderSession::with_reader_key(de.clone(), h.clone(), p384).unwrap_err();
    assert_eq!(e.code(), ErrorCode::AlgorithmKeyMismatch);
    // Fresh keys differ per session.
    let a = ReaderSession::new(de.clone(), h.clone()).unwrap();
    let b = ReaderSession::new(de, h).unwrap();
    assert_ne!(a.e_reader_key_bytes(), b.e_reader_key_bytes());
    assert_eq!(a.reader_key().curve(), Curve::P256);
}

fn annex_d_items_request() -> ItemsRequest {
    let ns = "org.iso.18013.5.1";
    ItemsRequest::new("org.iso.18013.5.1.mDL")
        .element_with_retention(ns, "family_name", true)
        .element_with_retention(ns, "document_number", true)
        .element_with_retention(ns, "driving_privileges", true)
        .element_with_retention(ns, "issue_date", true)
        .element_with_retention(ns, "expiry_date", true)
        .element(ns, "portrait")
}

/// An "HSM" that returns the signature Annex D's reader produced.
struct AnnexDHsm {
    chain: Vec<Vec<u8>>,
    calls: std::cell::Cell<usize>,
}

impl ReaderAuthSigner for AnnexDHsm {
    fn algorithm(&self) -> SignatureAlgorithm {
        SignatureAlgorithm::Es256
    }
    fn certificate_chain(&self) -> &[Vec<u8>] {
        &self.chain
    }
    fn sign(&self, to_be_signed: &[u8]) -> Result<Vec<u8>, Error> {
        assert_eq!(to_be_signed, annex_d("reader_auth_sig_structure.hex"));
        self.calls.set(self.calls.get() + 1);
        let ra = annex_d("reader_auth.hex");
        Ok(ra[ra.len() - 64..].to_vec())
    }
}

#[test]
fn device_request_builder_reproduces_annex_d() {
    let items = annex_d_items_request();
    assert_eq!(items.to_cbor(), annex_d("items_request.hex"));
    let transcript = SessionTranscript::from_bytes(&annex_d("session_transcript_bytes.hex")).unwrap();
    assert_eq!(
        reader_authentication_bytes(&transcript, &items.to_tagged_bytes()),
        annex_d("reader_authentication_bytes.hex")
    );
    let hsm = AnnexDHsm {
        chain: vec![annex_d("reader_cert.der.hex")],
        calls: Default::default(),
    };
    let req = DeviceRequestBuilder::new()
        .add_with_reader_auth(&items, &transcript, &hsm)
        .unwrap()
        .build();
    assert_eq!(hsm.calls.get(), 1);
    assert_eq!(req, annex_d("device_request.hex"));
    // Unsigned requests: intentToRetain defaults to false.
    let plain = DeviceRequestBuilder::new()
        .add(&ItemsRequest::new("org.iso.18013.5.1.mDL").element("org.iso.18013.5.1", "age_over_18"))
        .unwrap()
        .build();
    let checks = verify_device_request(&plain, &transcript, &TrustStore::default(), at_2021()).unwrap();
    assert_eq!(checks.len(), 1);
    assert!(checks[0].reader_auth.is_none());
    assert!(hex::encode(&plain).contains(&format!("{}f4", hex::encode("age_over_18"))));
}

#[test]
fn annex_d_reader_auth_verifies_against_the_reader_root() {
    let transcript = SessionTranscript::from_bytes(&annex_d("session_transcript_bytes.hex")).unwrap();
    let roots = TrustStore::from_pem_or_der(&data("iso18013-5-annex-d/reader_root_cert.pem")).unwrap();
    let items = kakunin::internals::cbor::tag24(&annex_d("items_request.hex"));
    let ok = verify_reader_auth(&annex_d("reader_auth.hex"), &items, &transcript, &roots, at_2021()).unwrap();
    assert_eq!(ok.anchor_subject, "CN=reader root");
    let checks = verify_device_request(&annex_d("device_request.hex"), &transcript, &roots, at_2021()).unwrap();
    assert_eq!(checks[0].doc_type, "org.iso.18013.5.1.mDL");
    assert!(matches!(checks[0].reader_auth, Some(Ok(_))));

    // Wrong anchor (the IACA is not a reader root).
    let iaca = TrustStore::from_pem_or_der(&data("iso18013-5-annex-d/iaca_cert.pem")).unwrap();
    let e = verify_reader_auth(&annex_d("reader_auth.hex"), &items, &transcript, &iaca, at_2021()).unwrap_err();
    assert_eq!(e.code(), ErrorCode::ReaderAuthInvalid);
    // Tampered request: portrait intentToRetain false → true.
    let mut forged = annex_d("items_request.hex");
    let n = forged.len();
    assert_eq!(forged[n - 1], 0xf4);
    forged[n - 1] = 0xf5;
    let e = verify_reader_auth(
        &annex_d("reader_auth.hex"),
        &kakunin::internals::cbor::tag24(&forged),
        &transcript,
        &roots,
        at_2021(),
    )
    .unwrap_err();
    assert_eq!(e.code(), ErrorCode::ReaderAuthInvalid);
    // Another session's transcript.
    let (de, _) = DeviceEngagement::from_nfc_handover(&annex_d("handover_select.hex"), None).unwrap();
    let other = ReaderSession::with_reader_key(de, Handover::Qr, annex_d_reader_key()).unwrap();
    let e = verify_reader_auth(
        &annex_d("reader_auth.hex"),
        &items,
        other.session_transcript(),
        &roots,
        at_2021(),
    )
    .unwrap_err();
    assert_eq!(e.code(), ErrorCode::ReaderAuthInvalid);
    // Reader certificate expired (notAfter 2023-12-31).
    let later = UnixTime::parse_rfc3339("2024-06-01T00:00:00Z").unwrap();
    let e = verify_reader_auth(&annex_d("reader_auth.hex"), &items, &transcript, &roots, later).unwrap_err();
    assert_eq!(e.code(), ErrorCode::CertificateExpired);
    // Forged signature bytes.
    let mut ra = annex_d("reader_auth.hex");
    let n = ra.len();
    ra[n - 1] ^= 1;
    let e = verify_reader_auth(&ra, &items, &transcript, &roots, at_2021()).unwrap_err();
    assert_eq!(e.code(), ErrorCode::ReaderAuthInvalid);
}

#[test]
fn reader_auth_key_signs_and_verifies() {
    let now = UnixTime::parse_rfc3339("2025-01-01T00:00:00Z").unwrap();
    let key = ReaderKey::from_bytes(&data("session-reader-pki/reader.key.pem")).unwrap();
    let signer = ReaderAuthKey::new(key, &data("session-reader-pki/reader.pem")).unwrap();
    let roots = TrustStore::from_pem_or_der(&data("session-reader-pki/reader_root.pem")).unwrap();
    let mut s = annex_d_session();
    let items = annex_d_items_request();
    let req = DeviceRequestBuilder::new()
        .add_with_reader_auth(&items, s.session_transcript(), &signer)
        .unwrap()
        .build();
    let checks = verify_device_request(&req, s.session_transcript(), &roots, now).unwrap();
    let ok = checks[0].reader_auth.as_ref().unwrap().as_ref().unwrap();
    assert_eq!(ok.anchor_subject, "CN=kakunin test reader root");
    // The Annex D root does not vouch for it.
    let annex_roots = TrustStore::from_pem_or_der(&data("iso18013-5-annex-d/reader_root_cert.pem")).unwrap();
    let checks = verify_device_request(&req, s.session_transcript(), &annex_roots, now).unwrap();
    assert_eq!(
        checks[0].reader_auth.as_ref().unwrap().as_ref().unwrap_err().code(),
        ErrorCode::ReaderAuthInvalid
    );
    s.establish(&req).unwrap();

    // A key that does not match the certificate is refused.
    let wrong = ReaderKey::from_bytes(&data("session-reader-pki/reader_root.key.pem")).unwrap();
    assert_eq!(
        ReaderAuthKey::new(wrong, &data("session-reader-pki/reader.pem"))
            .unwrap_err()
            .code(),
        ErrorCode::AlgorithmKeyMismatch
    );
}

struct DerHsm(Vec<Vec<u8>>);
impl ReaderAuthSigner for DerHsm {
    fn algorithm(&self) -> SignatureAlgorithm {
        SignatureAlgorithm::Es256
    }
    fn certificate_chain(&self) -> &[Vec<u8>] {
        &self.0
    }
    fn sign(&self, _: &[u8]) -> Result<Vec<u8>, Error> {
        Ok(vec![0x30; 70]) // a DER-sized signature
    }
}

#[test]
fn hsm_returning_der_signature_is_refused() {
    let s = annex_d_session();
    let e = DeviceRequestBuilder::new()
        .add_with_reader_auth(&annex_d_items_request(), s.session_transcript(), &DerHsm(vec![vec![1]]))
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::StructureInvalid);
}

/// Apple ProximityReader: iOS hands the app `responseData`, the raw
/// `sessionTranscript` and `ephemeralReaderKey`; Annex D bytes stand in.
#[test]
fn apple_proximity_reader_raw_data_verifies() {
    let response_data = annex_d("device_response.hex");
    let transcript = SessionTranscript::from_bytes(&annex_d("session_transcript_bytes.hex")).unwrap();
    let key = annex_d_reader_key();
    let v = iaca_verifier().verify_device_response(
        &response_data,
        DeviceAuthInput {
            session_transcript: Some(&transcript),
            reader_key: Some(&key),
        },
        at_2021(),
    );
    assert!(v.is_valid(), "{:?}", v.error_codes());
    // ephemeralReaderKey as CryptoKit's X9.63 (04 ‖ X ‖ Y ‖ d) and raw forms.
    let mut x963 = vec![4u8];
    x963.extend(annex_d("e_reader_key.x.hex"));
    x963.extend(annex_d("e_reader_key.y.hex"));
    x963.extend(annex_d("e_reader_key.d.hex"));
    for form in [x963.clone(), annex_d("e_reader_key.d.hex")] {
        let k = kakunin::ReaderKey::from_platform_bytes(&form).unwrap();
        let v = iaca_verifier().verify_device_response(
            &response_data,
            DeviceAuthInput {
                session_transcript: Some(&transcript),
                reader_key: Some(&k),
            },
            at_2021(),
        );
        assert!(v.is_valid(), "{:?}", v.error_codes());
    }
    // An X9.63 blob whose public part does not belong to d is refused.
    let n = x963.len();
    x963[n - 1] ^= 1;
    assert!(kakunin::ReaderKey::from_platform_bytes(&x963).is_err());
    // The transcript as a bare array works too.
    let bare = SessionTranscript::from_bytes(&annex_d("session_transcript.hex")).unwrap();
    let v = iaca_verifier().verify_device_response(
        &response_data,
        DeviceAuthInput {
            session_transcript: Some(&bare),
            reader_key: Some(&key),
        },
        at_2021(),
    );
    assert!(v.is_valid());
    // Without the ephemeral reader key a deviceMac cannot verify.
    let v = iaca_verifier().verify_device_response(
        &response_data,
        DeviceAuthInput {
            session_transcript: Some(&transcript),
            reader_key: None,
        },
        at_2021(),
    );
    assert!(
        v.error_codes().contains(&ErrorCode::ReaderKeyMissing),
        "{:?}",
        v.error_codes()
    );
    // A transcript rebuilt from the QR engagement is not the one the holder used.
    let de = DeviceEngagement::from_bytes(&annex_d("device_engagement.hex")).unwrap();
    let wrong = ReaderSession::with_reader_key(de, Handover::Qr, annex_d_reader_key()).unwrap();
    let v = iaca_verifier().verify_device_response(&response_data, wrong.device_auth_input(), at_2021());
    assert!(
        v.error_codes().contains(&ErrorCode::DeviceMacInvalid),
        "{:?}",
        v.error_codes()
    );
}

#[test]
fn nfc_handover_exposes_the_ble_carrier() {
    let (de, _) =
        DeviceEngagement::from_nfc_handover(&annex_d("handover_select.hex"), Some(&annex_d("handover_request.hex")))
            .unwrap();
    assert_eq!(de.raw(), annex_d("device_engagement_nfc.hex"), "bytes unchanged");
    match de.retrieval_methods() {
        [RetrievalMethod::Ble {
            peripheral_server_mode: false,
            central_client_mode: true,
            central_client_uuid: Some(u),
            device_address: Some(addr),
            ..
        }] => {
            assert_eq!(u.to_string(), "3a82d455-d5fc-4db3-bea0-6fd2f6ff32c8");
            assert_eq!(addr.len(), 7);
        }
        other => panic!("{other:?}"),
    }
    // Static handover: no Request, so no UUID is known.
    let (de, _) = DeviceEngagement::from_nfc_handover(&annex_d("handover_select.hex"), None).unwrap();
    assert!(matches!(
        de.retrieval_methods(),
        [RetrievalMethod::Ble {
            central_client_uuid: None,
            ..
        }]
    ));
}

#[test]
fn reader_auth_through_an_intermediate_ca() {
    let now = UnixTime::parse_rfc3339("2025-01-01T00:00:00Z").unwrap();
    let key = ReaderKey::from_bytes(&data("session-reader-pki/reader_via_intermediate.key.pem")).unwrap();
    let mut chain = data("session-reader-pki/reader_via_intermediate.pem");
    chain.extend(data("session-reader-pki/reader_intermediate.pem"));
    let signer = ReaderAuthKey::new(key.clone(), &chain).unwrap();
    assert_eq!(signer.certificate_chain().len(), 2);
    let roots = TrustStore::from_pem_or_der(&data("session-reader-pki/reader_root.pem")).unwrap();
    let s = annex_d_session();
    let req = DeviceRequestBuilder::new()
        .add_with_reader_auth(&annex_d_items_request(), s.session_transcript(), &signer)
        .unwrap()
        .build();
    let checks = verify_device_request(&req, s.session_transcript(), &roots, now).unwrap();
    assert!(
        matches!(checks[0].reader_auth, Some(Ok(_))),
        "{:?}",
        checks[0].reader_auth
    );

    // A root whose pathLenConstraint is 0 does not allow the intermediate.
    let strict = TrustStore::from_pem_or_der(&data("session-reader-pki/reader_root_pathlen0.pem")).unwrap();
    let checks = verify_device_request(&req, s.session_transcript(), &strict, now).unwrap();
    let e = checks[0].reader_auth.as_ref().unwrap().as_ref().unwrap_err();
    assert_eq!(e.code(), ErrorCode::ReaderAuthInvalid);
    // …but still vouches for a leaf it issued directly (same name and key).
    let direct = ReaderAuthKey::new(
        ReaderKey::from_bytes(&data("session-reader-pki/reader.key.pem")).unwrap(),
        &data("session-reader-pki/reader.pem"),
    )
    .unwrap();
    let req2 = DeviceRequestBuilder::new()
        .add_with_reader_auth(&annex_d_items_request(), s.session_transcript(), &direct)
        .unwrap()
        .build();
    let checks = verify_device_request(&req2, s.session_transcript(), &strict, now).unwrap();
    assert!(matches!(checks[0].reader_auth, Some(Ok(_))));

    // Without the intermediate in x5chain the leaf does not chain.
    let alone = ReaderAuthKey::new(key, &data("session-reader-pki/reader_via_intermediate.pem")).unwrap();
    let req = DeviceRequestBuilder::new()
        .add_with_reader_auth(&annex_d_items_request(), s.session_transcript(), &alone)
        .unwrap()
        .build();
    let checks = verify_device_request(&req, s.session_transcript(), &roots, now).unwrap();
    let e = checks[0].reader_auth.as_ref().unwrap().as_ref().unwrap_err();
    assert_eq!(e.code(), ErrorCode::ReaderAuthInvalid);

    // An end-entity certificate cannot act as the intermediate.
    let key = ReaderKey::from_bytes(&data("session-reader-pki/reader_via_intermediate.key.pem")).unwrap();
    let mut fake = data("session-reader-pki/reader_via_intermediate.pem");
    fake.extend(data("session-reader-pki/reader.pem"));
    let signer = ReaderAuthKey::new(key, &fake).unwrap();
    let req = DeviceRequestBuilder::new()
        .add_with_reader_auth(&annex_d_items_request(), s.session_transcript(), &signer)
        .unwrap()
        .build();
    let checks = verify_device_request(&req, s.session_transcript(), &roots, now).unwrap();
    assert!(checks[0].reader_auth.as_ref().unwrap().is_err());
}

#[test]
fn session_values_can_move_across_threads() {
    // The C ABI will hand ReaderSession out as an opaque handle.
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<ReaderSession>();
    assert_send_sync::<kakunin::transport::nfc::NfcReader>();
    assert_send_sync::<kakunin::transport::ble::BleReader>();
    let s = annex_d_session();
    let t = std::thread::spawn(move || s.session_transcript().as_tagged_bytes().to_vec());
    assert_eq!(t.join().unwrap(), annex_d("session_transcript_bytes.hex"));
}

#[test]
fn my_number_is_requested_only_through_the_privacy_policy() {
    use kakunin::privacy::{RequestBuilder, RequestPolicy};
    const MNC: &str = "org.iso.23220.1.jp.mnc";
    const JP: &str = "org.iso.23220.1.jp";
    // Asking directly is refused, with or without reader authentication.
    let direct = ItemsRequest::new(MNC).element(JP, "individual_number_unicode");
    let e = DeviceRequestBuilder::new().add(&direct).unwrap_err();
    assert_eq!(e.code(), kakunin::ErrorCode::RequestRefused);
    // Through a policy without a purpose: refused before any bytes exist.
    assert!(RequestBuilder::new(MNC)
        .element(JP, "individual_number_unicode")
        .build(&RequestPolicy::new())
        .is_err());
    // With a stated purpose the request goes out, not retained by default.
    let policy = RequestPolicy::new()
        .allow_individual_number("マイナンバー法 §19 (tax filing)")
        .unwrap();
    let checked = RequestBuilder::new(MNC)
        .element(JP, "individual_number_unicode")
        .build(&policy)
        .unwrap();
    let req = DeviceRequestBuilder::new()
        .add(&ItemsRequest::from(&checked))
        .unwrap()
        .build();
    let hex_req = hex::encode(&req);
    assert!(hex_req.contains(&format!("{}f4", hex::encode("individual_number_unicode"))));
    // A policy-approved age-only request converts as is.
    let age = kakunin::privacy::jp_alcohol_tobacco_request(MNC).unwrap();
    let bytes = DeviceRequestBuilder::new()
        .add(&ItemsRequest::from(&age))
        .unwrap()
        .build();
    assert!(hex::encode(bytes).contains(&hex::encode("age_over_20")));
}

/// PEM text of DER certificates, leaf first.
fn pem(ders: &[&[u8]]) -> Vec<u8> {
    let mut out = String::new();
    for d in ders {
        out.push_str("-----BEGIN CERTIFICATE-----\n");
        out.push_str(&base64::engine::general_purpose::STANDARD.encode(d));
        out.push_str("\n-----END CERTIFICATE-----\n");
    }
    out.into_bytes()
}

/// A DeviceRequest for the Annex D session whose ReaderAuth is signed by
/// `leaf_key` with the x5chain `chain`, checked against `roots`.
fn reader_auth_result(leaf_key: &support::keys::TestKey, chain: &[&[u8]], roots: TrustStore) -> Result<(), Error> {
    let signer = ReaderAuthKey::new(leaf_key.reader_key(), &pem(chain)).unwrap();
    let s = annex_d_session();
    let req = DeviceRequestBuilder::new()
        .add_with_reader_auth(&annex_d_items_request(), s.session_transcript(), &signer)
        .unwrap()
        .build();
    let checks = verify_device_request(
        &req,
        s.session_transcript(),
        &roots,
        UnixTime::from_secs(support::T2024),
    )
    .unwrap();
    checks[0].reader_auth.clone().unwrap().map(|_| ())
}

#[test]
fn reader_auth_pinned_anchor_never_issues() {
    use support::keys::{issue_cert_with, TestKey};
    use support::CertSpec;
    // An operator trusts one reader certificate as itself (not a CA). Its key
    // holder mints another "reader" certificate under that name.
    let pinned_key = TestKey::p256(50);
    let pinned_spec = CertSpec {
        eku: Some(vec!["1.0.18013.5.1.6"]),
        ..CertSpec::ds("Pinned Reader")
    };
    let pinned = issue_cert_with(&pinned_spec, &pinned_key, &pinned_spec.subject, &pinned_key);
    let store = TrustStore::from_pem_or_der(&pinned).unwrap();
    assert_eq!(store.anchors()[0].role(), kakunin::AnchorRole::PinnedSigner);
    let leaf_key = TestKey::p256(51);
    let leaf = issue_cert_with(
        &CertSpec {
            eku: Some(vec!["1.0.18013.5.1.6"]),
            ..CertSpec::ds("Minted Reader")
        },
        &leaf_key,
        &pinned_spec.subject,
        &pinned_key,
    );
    let e = reader_auth_result(&leaf_key, &[&leaf], store.clone()).unwrap_err();
    assert_eq!(e.code(), ErrorCode::ReaderAuthInvalid);
    // The same chain under a CA root of that name and key verifies: the
    // refusal is the anchor's role, nothing else.
    let root_spec = CertSpec::iaca("Pinned Reader");
    let root = issue_cert_with(&root_spec, &pinned_key, &root_spec.subject, &pinned_key);
    let leaf = issue_cert_with(
        &CertSpec {
            eku: Some(vec!["1.0.18013.5.1.6"]),
            ..CertSpec::ds("Minted Reader")
        },
        &leaf_key,
        &root_spec.subject,
        &pinned_key,
    );
    reader_auth_result(&leaf_key, &[&leaf], TrustStore::from_pem_or_der(&root).unwrap()).unwrap();
}

#[test]
fn reader_auth_intermediate_needs_key_cert_sign() {
    use support::keys::{issue_cert_with, TestKey};
    use support::CertSpec;
    use x509_cert::ext::pkix::KeyUsages;
    let root_key = TestKey::p256(52);
    let root_spec = CertSpec {
        path_len: None,
        ..CertSpec::iaca("Reader Root")
    };
    let root = issue_cert_with(&root_spec, &root_key, &root_spec.subject, &root_key);
    let roots = TrustStore::from_pem_or_der(&root).unwrap();
    let int_key = TestKey::p256(53);
    let leaf_key = TestKey::p256(54);
    let chain_with = |key_usage: Vec<KeyUsages>| {
        let int_spec = CertSpec {
            serial: 3,
            key_usage: Some(key_usage),
            aki: true,
            ..CertSpec::iaca("Reader Intermediate")
        };
        let int = issue_cert_with(&int_spec, &int_key, &root_spec.subject, &root_key);
        let leaf = issue_cert_with(
            &CertSpec {
                eku: Some(vec!["1.0.18013.5.1.6"]),
                ..CertSpec::ds("Reader")
            },
            &leaf_key,
            &int_spec.subject,
            &int_key,
        );
        (leaf, int)
    };
    // A CA (basicConstraints cA) whose keyUsage does not allow certificate signing.
    let (leaf, int) = chain_with(vec![KeyUsages::DigitalSignature]);
    let e = reader_auth_result(&leaf_key, &[&leaf, &int], roots.clone()).unwrap_err();
    assert_eq!(e.code(), ErrorCode::ReaderAuthInvalid);
    let (leaf, int) = chain_with(vec![KeyUsages::KeyCertSign, KeyUsages::CRLSign]);
    reader_auth_result(&leaf_key, &[&leaf, &int], roots).unwrap();
}
