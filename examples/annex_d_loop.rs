//! Verifies the ISO 18013-5 Annex D DeviceResponse N times (issue 7); used by
//! `benches/instructions.sh` to count instructions with callgrind.
//!
//! ```text
//! annex_d_loop N [miss|hit]
//! ```
//! `miss` (default) disables the Document Signer cache, so every iteration is
//! a full verification; `hit` keeps it, so all but the first skip the chain
//! signature. Exit 1 if any verification fails.

use kakunin::{Curve, DeviceAuthInput, DsCache, ReaderKey, SessionTranscript, TrustStore, UnixTime, Verifier};
use std::process::ExitCode;

fn data(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/data/iso18013-5-annex-d/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    hex::decode(text.trim()).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(1);
    let hit = args.next().as_deref() == Some("hit");
    let response = data("device_response.hex");
    let transcript = SessionTranscript::from_bytes(&data("session_transcript_bytes.hex")).expect("transcript");
    let reader = ReaderKey::from_scalar(Curve::P256, &data("e_reader_key.d.hex")).expect("reader key");
    let trust = TrustStore::from_pem_or_der(&data("iaca_cert.der.hex")).expect("IACA");
    let cache = if hit { DsCache::default() } else { DsCache::disabled() };
    let verifier = Verifier::new(trust).with_ds_cache(cache);
    let now = UnixTime::parse_rfc3339("2021-01-01T00:00:00Z").expect("time");
    let auth = DeviceAuthInput {
        session_transcript: Some(&transcript),
        reader_key: Some(&reader),
    };
    let mut ok = true;
    for _ in 0..n {
        ok &= std::hint::black_box(verifier.verify_device_response(&response, auth, now)).is_valid();
    }
    if ok {
        ExitCode::SUCCESS
    } else {
        eprintln!("annex_d_loop: verification failed");
        ExitCode::FAILURE
    }
}
