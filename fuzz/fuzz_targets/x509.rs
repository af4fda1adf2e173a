#![no_main]
//! Fuzz target: see `kakunin::fuzzing::x509` (fixed anchor: Annex D IACA).

use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

use kakunin_test_kit::fixtures;

static SCENARIO: OnceLock<kakunin::fuzzing::CertificateScenario> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let scenario = SCENARIO.get_or_init(fixtures::certificates);
    if let Err(v) = kakunin::fuzzing::x509(scenario, data) {
        panic!("invariant violated: {}", v.0);
    }
});
