#![no_main]
//! Fuzz target: see `kakunin::internals::fuzz::x509` (fixed anchor: Annex D IACA).

use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

use kakunin_test_kit::fixtures;

static SCENARIO: OnceLock<kakunin::internals::fuzz::CertificateScenario> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let scenario = SCENARIO.get_or_init(fixtures::certificates);
    if let Err(v) = kakunin::internals::fuzz::x509(scenario, data) {
        panic!("invariant violated: {}", v.0);
    }
});
