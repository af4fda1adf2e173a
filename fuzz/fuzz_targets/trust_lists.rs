#![no_main]
//! Fuzz target: see `kakunin::internals::fuzz::trust_lists` (AAMVA VICAL anchor,
//! Annex D IACA and DS).

use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

use kakunin_test_kit::fixtures;

static SCENARIO: OnceLock<kakunin::internals::fuzz::TrustListScenario> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let scenario = SCENARIO.get_or_init(fixtures::trust_lists);
    if let Err(v) = kakunin::internals::fuzz::trust_lists(scenario, data) {
        panic!("invariant violated: {}", v.0);
    }
});
