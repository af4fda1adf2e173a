#![no_main]
//! Fuzz target: see `kakunin::fuzzing::mso`.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(v) = kakunin::fuzzing::mso(data) {
        panic!("invariant violated: {}", v.0);
    }
});
