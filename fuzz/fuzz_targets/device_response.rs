#![no_main]
//! Fuzz target: see `kakunin::internals::fuzz::device_response`.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(v) = kakunin::internals::fuzz::device_response(data) {
        panic!("invariant violated: {}", v.0);
    }
});
