#![no_main]
//! Fuzz target: Apple's in-app `APPLE-HPKE-v1` envelope (CBOR shape,
//! algorithm/mode, pkRHash, infoHash, HPKE open, `{identity}`) with the
//! committed key and request values of tests/data/derived/online. Any input
//! must end in a verdict; without a real HPKE seal it is never valid.

use kakunin::presentation::online::apple;
use kakunin::{ReaderKey, TrustStore, UnixTime, Verifier};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

static FIXTURE: OnceLock<(Verifier, ReaderKey)> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let (verifier, key) = FIXTURE.get_or_init(|| {
        let key = ReaderKey::from_bytes(include_bytes!("../../tests/data/derived/online/hpke.pem")).expect("key");
        let trust =
            TrustStore::from_pem_or_der(include_bytes!("../../tests/data/derived/online/iaca.der")).expect("iaca");
        (Verifier::new(trust), key)
    });
    let context = apple::RequestContext {
        nonce: &[0xa7; 32],
        merchant_id: "merchant.jp.example.city",
        team_id: "ABCDE12345",
    };
    let v = apple::verify_envelope(verifier, key, context, data, UnixTime::from_secs(1_704_070_800));
    let _ = v.to_json();
    if v.documents().is_empty() {
        assert!(!v.is_valid());
        assert!(!v.errors().is_empty(), "a rejected envelope names its error");
    }
});
