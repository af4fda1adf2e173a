#![no_main]
//! Fuzz target: see `kakunin::internals::fuzz::verify` (Annex D and EUDI mDL
//! scenarios: fixed anchors, times, transcripts and reader key).

use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

use kakunin_test_kit::fixtures;

static SCENARIOS: OnceLock<Vec<kakunin::internals::fuzz::Scenario>> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let scenarios = SCENARIOS.get_or_init(fixtures::scenarios);
    if let Err(v) = kakunin::internals::fuzz::verify(scenarios, data) {
        panic!("invariant violated: {}", v.0);
    }
});
