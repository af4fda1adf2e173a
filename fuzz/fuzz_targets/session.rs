#![no_main]
//! Fuzz target: see `kakunin::internals::fuzz::session` (Annex D session scenario).

use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

use kakunin_test_kit::fixtures;

static SCENARIO: OnceLock<kakunin::internals::fuzz::SessionScenario> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let scenario = SCENARIO.get_or_init(fixtures::session);
    if let Err(v) = kakunin::internals::fuzz::session(scenario, data) {
        panic!("invariant violated: {}", v.0);
    }
});
