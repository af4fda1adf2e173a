//! Verifying mdoc responses: every COSE algorithm and curve, one forged
//! input per check, the shared public vectors, document types and request
//! binding, and the README's error-code table.
//!
//! One test binary per concern (tests/*/main.rs), each linked once; the
//! modules below were separate binaries before.

use kakunin_test_kit as support;

mod algorithms;
mod doctypes;
mod forgeries;
mod readme;
mod requests;
mod vectors;
