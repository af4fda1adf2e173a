//! Online presentations, verifier side, against a simulated wallet
//! (tests/kit/src/issuer/online.rs): ISO/IEC 18013-7 Annex C over the Digital
//! Credentials API and Apple's in-app `APPLE-HPKE-v1` envelope. Every
//! forgery is a real input the verifier must refuse with the stated code.

use crate::support;

use kakunin::presentation::online::{annex_c, apple};
use kakunin::privacy::{RequestBuilder, RequestPolicy, INDIVIDUAL_NUMBER};
use kakunin::session::{ItemsRequest, ReaderAuthKey};
use kakunin::{ErrorCode, ReaderKey, UnixTime, Verification, Verifier};
use support::online::{self as wallet, AppleRequest, AppleTamper, Tamper};
use support::{MdocSpec, TestPki, MDL, MDL_NS, T2024};

const ORIGIN: &str = "https://city.example.jp";

fn now() -> UnixTime {
    UnixTime::from_secs(T2024 + 3600)
}

fn items() -> ItemsRequest {
    ItemsRequest::new(MDL)
        .element(MDL_NS, "family_name")
        .element(MDL_NS, "age_over_20")
}

fn verifier(pki: &TestPki) -> Verifier {
    Verifier::new(pki.trust_store())
}

fn only_error(v: &Verification) -> ErrorCode {
    assert!(!v.is_valid(), "must be rejected: {}", v.to_json());
    let codes = v.error_codes();
    assert!(!codes.is_empty(), "{}", v.to_json());
    codes[0]
}

fn annex_c_run(tamper: &Tamper) -> Verification {
    let pki = TestPki::new();
    let req = annex_c::build_request(&[items()], ORIGIN, None).unwrap();
    let answer = wallet::annex_c_response(&pki, &MdocSpec::default(), &req.data, ORIGIN, tamper);
    annex_c::verify_response(&verifier(&pki), &req.state, answer.as_bytes(), now())
}

#[test]
fn annex_c_round_trip() {
    let v = annex_c_run(&Tamper::default());
    assert!(v.is_valid(), "{}", v.to_json());
    let docs = v.into_verified().unwrap();
    assert_eq!(docs[0].doc_type(), MDL);
}

#[test]
fn annex_c_request_shape() {
    let req = annex_c::build_request(&[items()], ORIGIN, None).unwrap();
    let json: serde_json::Value = serde_json::from_str(&req.data).unwrap();
    let obj = json.as_object().unwrap();
    assert_eq!(obj.len(), 2);
    let dr = wallet::unb64(obj["deviceRequest"].as_str().unwrap());
    assert_eq!(dr, req.device_request);
    let parsed = wallet::parse_annex_c_request(&req.data);
    assert!(parsed.nonce.len() >= 16);
    assert_eq!(parsed.recipient, req.state.recipient_public_key());
    assert!(!req.data.contains('='), "base64url without padding");
    // The library's transcript is the one the wallet builds on its own.
    assert_eq!(
        req.state.session_transcript().as_array_bytes(),
        wallet::annex_c_transcript(&parsed.encryption_info, ORIGIN).as_slice()
    );
    assert_eq!(
        &req.state.session_transcript().as_array_bytes()[..3],
        &[0x83, 0xf6, 0xf6]
    );
    // A fresh key and nonce per request.
    let again = annex_c::build_request(&[items()], ORIGIN, None).unwrap();
    let parsed2 = wallet::parse_annex_c_request(&again.data);
    assert_ne!(parsed.nonce, parsed2.nonce);
    assert_ne!(parsed.recipient, parsed2.recipient);
}

#[test]
fn annex_c_state_survives_storage_and_hides_the_key() {
    let pki = TestPki::new();
    let req = annex_c::build_request(&[items()], ORIGIN, None).unwrap();
    let stored = req.state.to_bytes();
    let restored = annex_c::RequestState::from_bytes(&stored).unwrap();
    assert_eq!(restored.encryption_info(), req.state.encryption_info());
    assert_eq!(restored.origin(), ORIGIN);
    let answer = wallet::annex_c_response(&pki, &MdocSpec::default(), &req.data, ORIGIN, &Tamper::default());
    assert!(annex_c::verify_response(&verifier(&pki), &restored, answer.as_bytes(), now()).is_valid());
    let debug = format!("{:?}", req.state);
    assert!(debug.contains("redacted"));
    let d = hex::encode(&stored[stored.len() - 200..]);
    assert!(!debug.contains(&d));
    assert!(annex_c::RequestState::from_bytes(b"\x80").is_err());
    let mut bad = stored.to_vec();
    bad[3] ^= 1;
    assert!(annex_c::RequestState::from_bytes(&bad).is_err());
}

#[test]
fn annex_c_whole_credential_is_accepted() {
    let pki = TestPki::new();
    let req = annex_c::build_request(&[items()], ORIGIN, None).unwrap();
    let answer = wallet::annex_c_response(&pki, &MdocSpec::default(), &req.data, ORIGIN, &Tamper::default());
    let whole = format!("{{\"protocol\":\"org-iso-mdoc\",\"data\":{answer}}}");
    assert!(annex_c::verify_response(&verifier(&pki), &req.state, whole.as_bytes(), now()).is_valid());
    let other = format!("{{\"protocol\":\"openid4vp\",\"data\":{answer}}}");
    let v = annex_c::verify_response(&verifier(&pki), &req.state, other.as_bytes(), now());
    assert_eq!(only_error(&v), ErrorCode::StructureInvalid);
}

#[test]
fn annex_c_cli_state_from_request_and_key() {
    let pki = TestPki::new();
    let req = annex_c::build_request(&[items()], ORIGIN, None).unwrap();
    let key = ReaderKey::from_bytes(
        &annex_c::RequestState::from_bytes(&req.state.to_bytes())
            .unwrap()
            .to_bytes(),
    );
    assert!(key.is_err(), "the state is not a key encoding");
    let answer = wallet::annex_c_response(&pki, &MdocSpec::default(), &req.data, ORIGIN, &Tamper::default());
    // Another key than the request's recipient: hpke_key_mismatch, before anything else.
    let other = kakunin::internals::crypto::hpke::generate_key().unwrap();
    let state = annex_c::RequestState::from_request_data(req.data.as_bytes(), ORIGIN, other).unwrap();
    let v = annex_c::verify_response(&verifier(&pki), &state, b"not even json", now());
    assert_eq!(only_error(&v), ErrorCode::HpkeKeyMismatch);
    let v = annex_c::verify_response(&verifier(&pki), &state, answer.as_bytes(), now());
    assert_eq!(only_error(&v), ErrorCode::HpkeKeyMismatch);
}

#[test]
fn annex_c_wrong_origin() {
    let v = annex_c_run(&Tamper {
        origin: Some("https://city.example.jp.evil.example".into()),
        ..Tamper::default()
    });
    assert_eq!(only_error(&v), ErrorCode::HpkeDecryptFailed);
    // Also a trailing slash: the origin is hashed verbatim.
    let v = annex_c_run(&Tamper {
        origin: Some(format!("{ORIGIN}/")),
        ..Tamper::default()
    });
    assert_eq!(only_error(&v), ErrorCode::HpkeDecryptFailed);
}

#[test]
fn annex_c_relayed_request() {
    // The wallet answered another session's request (same key holder, other
    // encryptionInfo): the transcript differs.
    let other = annex_c::build_request(&[items()], ORIGIN, None).unwrap();
    let other_ei = wallet::parse_annex_c_request(&other.data).encryption_info;
    let v = annex_c_run(&Tamper {
        encryption_info: Some(other_ei),
        ..Tamper::default()
    });
    assert_eq!(only_error(&v), ErrorCode::HpkeDecryptFailed);
    // And a response to one request checked against another state.
    let pki = TestPki::new();
    let a = annex_c::build_request(&[items()], ORIGIN, None).unwrap();
    let b = annex_c::build_request(&[items()], ORIGIN, None).unwrap();
    let answer = wallet::annex_c_response(&pki, &MdocSpec::default(), &a.data, ORIGIN, &Tamper::default());
    let v = annex_c::verify_response(&verifier(&pki), &b.state, answer.as_bytes(), now());
    assert_eq!(only_error(&v), ErrorCode::HpkeDecryptFailed);
}

#[test]
fn annex_c_tag24_info() {
    let v = annex_c_run(&Tamper {
        tag24_info: true,
        ..Tamper::default()
    });
    assert_eq!(only_error(&v), ErrorCode::HpkeDecryptFailed);
}

#[test]
fn annex_c_tampered_enc_and_ciphertext() {
    for t in [
        Tamper {
            flip_enc: true,
            ..Tamper::default()
        },
        Tamper {
            flip_ciphertext: true,
            ..Tamper::default()
        },
    ] {
        assert_eq!(only_error(&annex_c_run(&t)), ErrorCode::HpkeDecryptFailed, "{t:?}");
    }
}

#[test]
fn annex_c_transcript_of_another_flow() {
    // Sealed and signed over Apple's transcript.
    let apple = wallet::apple_transcript(&[1; 16], "merchant", "team", &[2; 32]);
    let v = annex_c_run(&Tamper {
        info: Some(apple.clone()),
        ..Tamper::default()
    });
    assert_eq!(only_error(&v), ErrorCode::HpkeDecryptFailed);
    // Sealed correctly, but the device signed another flow's transcript.
    let v = annex_c_run(&Tamper {
        signed_transcript: Some(apple),
        ..Tamper::default()
    });
    assert_eq!(only_error(&v), ErrorCode::DeviceSignatureInvalid);
}

#[test]
fn annex_c_envelope_fails_closed() {
    for t in [
        Tamper {
            envelope_type: Some("dcapi2".into()),
            ..Tamper::default()
        },
        Tamper {
            extra_member: true,
            ..Tamper::default()
        },
    ] {
        assert_eq!(only_error(&annex_c_run(&t)), ErrorCode::StructureInvalid, "{t:?}");
    }
    let pki = TestPki::new();
    let req = annex_c::build_request(&[items()], ORIGIN, None).unwrap();
    let answer = wallet::annex_c_response(&pki, &MdocSpec::default(), &req.data, ORIGIN, &Tamper::default());
    let run = |s: &str| {
        only_error(&annex_c::verify_response(
            &verifier(&pki),
            &req.state,
            s.as_bytes(),
            now(),
        ))
    };
    assert_eq!(run("{"), ErrorCode::StructureInvalid);
    assert_eq!(run("[]"), ErrorCode::StructureInvalid);
    assert_eq!(run("{\"response\":1}"), ErrorCode::StructureInvalid);
    assert_eq!(run("{\"response\":\"!!\"}"), ErrorCode::StructureInvalid);
    assert_eq!(run("{\"response\":\"_w\"}"), ErrorCode::CborMalformed);
    let padded = answer.replace("\"}", "==\"}");
    assert_eq!(run(&padded), ErrorCode::StructureInvalid);
    let extra = answer.replace('}', ",\"more\":1}");
    assert_eq!(run(&extra), ErrorCode::StructureInvalid);
    // A plain DeviceResponse (no envelope) is not an Annex C answer.
    let plain = format!(
        "{{\"response\":\"{}\"}}",
        wallet::b64(&support::mint(&pki, &MdocSpec::default()))
    );
    assert_eq!(run(&plain), ErrorCode::StructureInvalid);
}

#[test]
fn annex_c_privacy_policy_applies() {
    let err = annex_c::build_request(
        &[ItemsRequest::new(MDL).element(MDL_NS, INDIVIDUAL_NUMBER)],
        ORIGIN,
        None,
    )
    .unwrap_err();
    assert_eq!(err.code(), ErrorCode::RequestRefused);
    let policy = RequestPolicy::new()
        .allow_individual_number("tax filing at the counter")
        .unwrap();
    let approved = RequestBuilder::new(MDL)
        .element(MDL_NS, INDIVIDUAL_NUMBER)
        .build(&policy)
        .unwrap();
    assert!(annex_c::build_request(&[ItemsRequest::from(&approved)], ORIGIN, None).is_ok());
}

#[test]
fn annex_c_reader_auth_signs_the_annex_c_transcript() {
    use kakunin::session::verify_device_request;
    let data = |p: &str| support::data_file(&format!("session-reader-pki/{p}"));
    let key = ReaderKey::from_bytes(&data("reader.key.pem")).unwrap();
    let signer = ReaderAuthKey::new(key, &data("reader.pem")).unwrap();
    let req = annex_c::build_request(&[items()], ORIGIN, Some(&signer)).unwrap();
    let anchors = kakunin::TrustStore::from_pem_or_der(&data("reader_root.pem")).unwrap();
    let checks = verify_device_request(
        &req.device_request,
        &req.state.session_transcript(),
        &anchors,
        UnixTime::now(),
    )
    .unwrap();
    assert!(checks[0].reader_auth.as_ref().unwrap().is_ok());
    // Over another origin's transcript it does not verify.
    let other = annex_c::session_transcript(req.state.encryption_info(), "https://evil.example");
    let checks = verify_device_request(&req.device_request, &other, &anchors, UnixTime::now()).unwrap();
    assert!(checks[0].reader_auth.as_ref().unwrap().is_err());
}

// ---- Apple in-app ----

fn apple_setup() -> (TestPki, ReaderKey, AppleRequest) {
    let key = kakunin::internals::crypto::hpke::generate_key().unwrap();
    let req = AppleRequest {
        nonce: vec![0x5a; 32],
        merchant_id: "merchant.jp.example.city".into(),
        team_id: "ABCDE12345".into(),
        recipient: kakunin::internals::crypto::hpke::public_key_bytes(&key),
    };
    (TestPki::new(), key, req)
}

fn apple_run(t: &AppleTamper) -> Verification {
    let (pki, key, req) = apple_setup();
    let envelope = wallet::apple_envelope(&pki, &MdocSpec::default(), &req, t);
    let ctx = apple::RequestContext {
        nonce: &req.nonce,
        merchant_id: &req.merchant_id,
        team_id: &req.team_id,
    };
    apple::verify_envelope(&verifier(&pki), &key, ctx, &envelope, now())
}

#[test]
fn apple_round_trip_point_and_spki_hash() {
    let v = apple_run(&AppleTamper::default());
    assert!(v.is_valid(), "{}", v.to_json());
    let v = apple_run(&AppleTamper {
        pk_r_hash_of_spki: true,
        ..AppleTamper::default()
    });
    assert!(v.is_valid(), "{}", v.to_json());
}

#[test]
fn apple_wrong_request_values() {
    let cases = [
        AppleTamper {
            nonce: Some(vec![0x5b; 32]),
            ..AppleTamper::default()
        },
        AppleTamper {
            merchant_id: Some("merchant.example.evil".into()),
            ..AppleTamper::default()
        },
        AppleTamper {
            team_id: Some("ZZZZZ99999".into()),
            ..AppleTamper::default()
        },
    ];
    for t in cases {
        assert_eq!(
            only_error(&apple_run(&t)),
            ErrorCode::SessionTranscriptMismatch,
            "{t:?}"
        );
    }
    // A forged infoHash that matches our transcript does not help a wallet
    // that sealed over another one: HPKE fails.
    let v = apple_run(&AppleTamper {
        nonce: Some(vec![0x5b; 32]),
        genuine_info_hash: true,
        ..AppleTamper::default()
    });
    assert_eq!(only_error(&v), ErrorCode::HpkeDecryptFailed);
}

#[test]
fn apple_key_mismatch() {
    let v = apple_run(&AppleTamper {
        pk_r_hash: Some(vec![0; 32]),
        ..AppleTamper::default()
    });
    assert_eq!(only_error(&v), ErrorCode::HpkeKeyMismatch);
    // Sealed for us, but opened with another key.
    let (pki, _, req) = apple_setup();
    let envelope = wallet::apple_envelope(&pki, &MdocSpec::default(), &req, &AppleTamper::default());
    let other = kakunin::internals::crypto::hpke::generate_key().unwrap();
    let ctx = apple::RequestContext {
        nonce: &req.nonce,
        merchant_id: &req.merchant_id,
        team_id: &req.team_id,
    };
    let v = apple::verify_envelope(&verifier(&pki), &other, ctx, &envelope, now());
    assert_eq!(only_error(&v), ErrorCode::HpkeKeyMismatch);
}

#[test]
fn apple_hpke_tampers() {
    for common in [
        Tamper {
            flip_enc: true,
            ..Tamper::default()
        },
        Tamper {
            flip_ciphertext: true,
            ..Tamper::default()
        },
        Tamper {
            tag24_info: true,
            ..Tamper::default()
        },
        Tamper {
            info: Some(wallet::annex_c_transcript("eA", ORIGIN)),
            ..Tamper::default()
        },
    ] {
        let t = AppleTamper {
            common,
            ..AppleTamper::default()
        };
        assert_eq!(only_error(&apple_run(&t)), ErrorCode::HpkeDecryptFailed, "{t:?}");
    }
    // Signed over the Annex C transcript: device signature fails.
    let t = AppleTamper {
        common: Tamper {
            signed_transcript: Some(wallet::annex_c_transcript("eA", ORIGIN)),
            ..Tamper::default()
        },
        ..AppleTamper::default()
    };
    assert_eq!(only_error(&apple_run(&t)), ErrorCode::DeviceSignatureInvalid);
}

#[test]
fn apple_envelope_fails_closed() {
    let alg = AppleTamper {
        algorithm: Some("EC_v1".into()),
        ..AppleTamper::default()
    };
    assert_eq!(only_error(&apple_run(&alg)), ErrorCode::UnsupportedAlgorithm);
    let mode = AppleTamper {
        mode: Some(1),
        ..AppleTamper::default()
    };
    assert_eq!(only_error(&apple_run(&mode)), ErrorCode::UnsupportedAlgorithm);
    let extra = AppleTamper {
        common: Tamper {
            extra_member: true,
            ..Tamper::default()
        },
        ..AppleTamper::default()
    };
    assert_eq!(only_error(&apple_run(&extra)), ErrorCode::StructureInvalid);
    let identity = AppleTamper {
        identity_key: Some("identities".into()),
        ..AppleTamper::default()
    };
    assert_eq!(only_error(&apple_run(&identity)), ErrorCode::StructureInvalid);
    let (pki, key, req) = apple_setup();
    let ctx = apple::RequestContext {
        nonce: &req.nonce,
        merchant_id: &req.merchant_id,
        team_id: &req.team_id,
    };
    let v = apple::verify_envelope(&verifier(&pki), &key, ctx, b"\xa1", now());
    assert_eq!(only_error(&v), ErrorCode::CborMalformed);
    let v = apple::verify_envelope(&verifier(&pki), &key, ctx, b"\xa0", now());
    assert_eq!(only_error(&v), ErrorCode::StructureInvalid);
}

#[test]
fn backend_is_named() {
    // The same tests run under `--features aws-lc`.
    assert!(["rustcrypto", "aws-lc"].contains(&kakunin::internals::crypto::BACKEND));
}

// ---- committed fixtures (tests/c/test_online.c, examples) ----

/// Where the C test and the README examples find a sealed Annex C answer and
/// an Apple envelope (sealed once with fresh HPKE randomness, so they are
/// committed rather than re-minted; `KAKUNIN_BLESS_FIXTURES=1 cargo test
/// --test online annex_c_apple::` writes a new set).
const FIXTURES: &str = "tests/data/derived/online";
const FIXTURE_HPKE_SEED: u8 = 0x42;
const FIXTURE_APPLE_NONCE: [u8; 32] = [0xa7; 32];
const FIXTURE_MERCHANT: &str = "merchant.jp.example.city";
const FIXTURE_TEAM: &str = "ABCDE12345";

#[test]
fn committed_fixtures_verify() {
    use p256::pkcs8::{EncodePrivateKey, LineEnding};
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(FIXTURES);
    let pki = TestPki::new();
    let sk = p256::SecretKey::from_slice(&[FIXTURE_HPKE_SEED; 32]).unwrap();
    if std::env::var_os("KAKUNIN_BLESS_FIXTURES").is_some() {
        use p256::elliptic_curve::sec1::ToEncodedPoint;
        let point = sk.public_key().to_encoded_point(false).as_bytes().to_vec();
        let request = wallet::annex_c_request_for(&point, &[0x11; 16]);
        let response = wallet::annex_c_response(&pki, &MdocSpec::default(), &request, ORIGIN, &Tamper::default());
        let apple_req = AppleRequest {
            nonce: FIXTURE_APPLE_NONCE.to_vec(),
            merchant_id: FIXTURE_MERCHANT.into(),
            team_id: FIXTURE_TEAM.into(),
            recipient: point,
        };
        let envelope = wallet::apple_envelope(&pki, &MdocSpec::default(), &apple_req, &AppleTamper::default());
        std::fs::create_dir_all(&dir).unwrap();
        let put = |n: &str, b: &[u8]| std::fs::write(dir.join(n), b).unwrap();
        put("iaca.der", &pki.iaca_der);
        put("hpke.pem", sk.to_pkcs8_pem(LineEnding::LF).unwrap().as_bytes());
        put("annex_c_request.json", request.as_bytes());
        put("annex_c_response.json", response.as_bytes());
        put("apple_envelope.cbor", &envelope);
    }
    let read = |n: &str| std::fs::read(dir.join(n)).unwrap_or_else(|e| panic!("{n}: {e}"));
    assert_eq!(read("iaca.der"), pki.iaca_der);
    let key = ReaderKey::from_bytes(&read("hpke.pem")).unwrap();
    let state = annex_c::RequestState::from_request_data(&read("annex_c_request.json"), ORIGIN, key.clone()).unwrap();
    let v = annex_c::verify_response(&verifier(&pki), &state, &read("annex_c_response.json"), now());
    assert!(v.is_valid(), "{}", v.to_json());
    let ctx = apple::RequestContext {
        nonce: &FIXTURE_APPLE_NONCE,
        merchant_id: FIXTURE_MERCHANT,
        team_id: FIXTURE_TEAM,
    };
    let v = apple::verify_envelope(&verifier(&pki), &key, ctx, &read("apple_envelope.cbor"), now());
    assert!(v.is_valid(), "{}", v.to_json());
}

/// The fuzz seeds of the online targets, replayed on the stable toolchain
/// with the outcome each one stands for.
#[test]
fn fuzz_seeds_replay() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    if !root.join("fuzz/seeds").is_dir() {
        // The published crate ships without the fuzz corpora (see Cargo.toml
        // `include`); the repository's `cargo test` always has them.
        eprintln!("fuzz/seeds absent (packaged crate): online seed replay not run");
        return;
    }
    let seed = |t: &str, n: &str| std::fs::read(root.join("fuzz/seeds").join(t).join(n)).unwrap();
    let fixture = |n: &str| std::fs::read(root.join(FIXTURES).join(n)).unwrap();
    let pki = TestPki::new();
    let key = ReaderKey::from_bytes(&fixture("hpke.pem")).unwrap();
    let state =
        annex_c::RequestState::from_request_data(&fixture("annex_c_request.json"), ORIGIN, key.clone()).unwrap();
    let annex = |n: &str| annex_c::verify_response(&verifier(&pki), &state, &seed("online_annex_c", n), now());
    assert!(annex("response").is_valid());
    assert!(annex("credential").is_valid());
    assert_eq!(only_error(&annex("empty_envelope")), ErrorCode::HpkeDecryptFailed);
    let ctx = apple::RequestContext {
        nonce: &FIXTURE_APPLE_NONCE,
        merchant_id: FIXTURE_MERCHANT,
        team_id: FIXTURE_TEAM,
    };
    let apple_seed = |n: &str| apple::verify_envelope(&verifier(&pki), &key, ctx, &seed("online_apple", n), now());
    assert!(apple_seed("envelope").is_valid());
    assert_eq!(only_error(&apple_seed("empty_map")), ErrorCode::StructureInvalid);
}
