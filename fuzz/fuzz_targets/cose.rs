#![no_main]
//! Fuzz target: see `kakunin::internals::fuzz::cose`.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(v) = kakunin::internals::fuzz::cose(data) {
        panic!("invariant violated: {}", v.0);
    }
});
