#![no_main]
//! Fuzz target: see `kakunin::internals::fuzz::cbor`.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(v) = kakunin::internals::fuzz::cbor(data) {
        panic!("invariant violated: {}", v.0);
    }
});
