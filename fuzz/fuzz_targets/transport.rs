#![no_main]
//! Fuzz target: see `kakunin::fuzzing::transport`.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(v) = kakunin::fuzzing::transport(data) {
        panic!("invariant violated: {}", v.0);
    }
});
