#![no_main]
//! Fuzz target: the ISO 18013-7 Annex C response envelope (JSON, base64url,
//! `["dcapi", {enc, cipherText}]`, HPKE open) and, when it opens, the
//! DeviceResponse inside, for the committed request and key of
//! tests/data/derived/online. Any input must end in a verdict whose first
//! error is one the processing order names; a valid verdict needs a real
//! HPKE seal, which the fuzzer cannot forge.

use kakunin::presentation::online::annex_c;
use kakunin::{ErrorCode, ReaderKey, TrustStore, UnixTime, Verifier};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

struct Fixture {
    verifier: Verifier,
    state: annex_c::RequestState,
}

static FIXTURE: OnceLock<Fixture> = OnceLock::new();

fn fixture() -> Fixture {
    let key = ReaderKey::from_bytes(include_bytes!("../../tests/data/derived/online/hpke.pem")).expect("key");
    let state = annex_c::RequestState::from_request_data(
        include_bytes!("../../tests/data/derived/online/annex_c_request.json"),
        "https://city.example.jp",
        key,
    )
    .expect("state");
    let trust = TrustStore::from_pem_or_der(include_bytes!("../../tests/data/derived/online/iaca.der")).expect("iaca");
    Fixture {
        verifier: Verifier::new(trust),
        state,
    }
}

fuzz_target!(|data: &[u8]| {
    let f = FIXTURE.get_or_init(fixture);
    let v = annex_c::verify_response(&f.verifier, &f.state, data, UnixTime::from_secs(1_704_070_800));
    let _ = v.to_json();
    if v.documents().is_empty() {
        let code = v.errors().first().map(|e| e.code());
        assert!(
            matches!(
                code,
                Some(
                    ErrorCode::StructureInvalid
                        | ErrorCode::CborMalformed
                        | ErrorCode::LimitExceeded
                        | ErrorCode::HpkeDecryptFailed
                        | ErrorCode::UnsupportedVersion
                        | ErrorCode::NoDocuments
                )
            ),
            "unexpected envelope verdict {code:?}"
        );
        assert!(!v.is_valid());
    }
});
