//! The OpenID4VP fuzz harness, shared by fuzz/fuzz_targets/online_openid4vp.rs
//! and tests/fuzz/regressions.rs (which replays fuzz/seeds/online_openid4vp on
//! stable). The first byte picks the parser; the rest is the input.
//! Invariants: no panic; nothing made of fuzz bytes verifies (the trust store
//! is empty); every JWE error carries one of the three codes decryption may
//! report; a restored request state round-trips.

use kakunin::presentation::online::openid4vp::{self as oid4vp, jwe, EncryptionKey, Flow, RequestState};
use kakunin::{ErrorCode, TrustStore, UnixTime, Verifier};
use std::sync::OnceLock;

struct Fixture {
    verifier: Verifier,
    key: EncryptionKey,
}

static FIXTURE: OnceLock<Fixture> = OnceLock::new();

fn fixture() -> &'static Fixture {
    FIXTURE.get_or_init(|| Fixture {
        verifier: Verifier::new(TrustStore::builder().build()),
        // The key of tests/data/jwe/vectors.json (d = 11 42…42), so seeds made
        // from those vectors reach AES-GCM.
        key: EncryptionKey::from_scalar(&{
            let mut d = [0x42u8; 32];
            d[0] = 0x11;
            d
        })
        .expect("fixed key"),
    })
}

/// Runs one fuzz input; panics when an invariant breaks.
pub fn run(data: &[u8]) {
    let Some((&mode, input)) = data.split_first() else {
        return;
    };
    let f = fixture();
    let now = UnixTime::from_secs(1_704_067_200);
    let flow = Flow::Redirect {
        client_id: "x509_san_dns:rp.example".into(),
        response_uri: "https://rp.example/post".into(),
    };
    match mode % 4 {
        0 => {
            if let Ok(p) = oid4vp::parse_vp_token(input) {
                assert!(!p.is_empty(), "a parsed vp_token has at least one presentation");
            }
            let st = flow.session_transcript("n", None);
            assert!(!oid4vp::verify_vp_token(&f.verifier, input, &st, now).is_valid());
        }
        1 => {
            let text = String::from_utf8_lossy(input);
            if let Err(e) = jwe::decrypt(&text, &f.key) {
                assert!(
                    matches!(
                        e.code(),
                        ErrorCode::StructureInvalid | ErrorCode::UnsupportedAlgorithm | ErrorCode::JweDecryptFailed
                    ),
                    "unexpected JWE error code {}",
                    e.code()
                );
            }
        }
        2 => {
            let r = oid4vp::verify_response(&f.verifier, input, Some(&f.key), &flow, "n", now);
            assert!(!r.is_valid());
            let r = oid4vp::verify_response(&f.verifier, input, None, &flow, "n", now);
            assert!(!r.is_valid());
        }
        _ => {
            if let Ok(state) = RequestState::from_bytes(input) {
                let again = RequestState::from_bytes(&state.to_bytes()).expect("a state round-trips");
                assert_eq!(again.nonce(), state.nonce());
                assert!(!state.verify(&f.verifier, input, now).is_valid());
            }
        }
    }
}
