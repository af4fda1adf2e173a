//! Verifying mdoc responses: every COSE algorithm and curve, one forged
//! input per check, the shared public vectors, document types and request
//! binding, and the README's error-code table.
//!
//! Each tests/<concern>/main.rs is one test binary, so `cargo test` compiles
//! and links a handful rather than one per file; a new test file becomes a
//! `mod` of its concern's binary.

// The test issuer and holder, `crate::support` to the modules.
use kakunin_test_kit as support;

mod algorithms;
mod doctypes;
mod forgeries;
mod readme;
mod requests;
mod vectors;
