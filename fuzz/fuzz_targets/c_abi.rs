#![no_main]
//! Fuzz target: see `kakunin::internals::fuzz::c_abi` (Annex D scenario built
//! through the C ABI).

use libfuzzer_sys::fuzz_target;

use kakunin_test_kit::fixtures;

fuzz_target!(|data: &[u8]| {
    if let Err(v) = fixtures::c_abi(data) {
        panic!("invariant violated: {}", v.0);
    }
});
