//! What shares the fuzz crate's fixtures and corpora (fuzz/): the seeds and
//! minimised crashes replayed on stable, and the CBOR property tests. Left
//! out of the published package with fuzz/ itself (Cargo.toml `include`).

use kakunin_test_kit::{fixtures, online_openid4vp_harness};

mod cbor_props;
mod regressions;
