#![no_main]
//! Fuzz target: the OpenID4VP 1.0 response parsers — `vp_token` JSON, the
//! Authorization Response (plain, JWE, DC API credential object), compact
//! JWE decryption and the serialised request state. See
//! `tests/kit/src/online_openid4vp_harness.rs` for the modes and invariants.

use libfuzzer_sys::fuzz_target;

use kakunin_test_kit::online_openid4vp_harness as harness;

fuzz_target!(|data: &[u8]| harness::run(data));
