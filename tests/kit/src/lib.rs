//! kakunin's test kit: what its tests, benches, examples and fuzz targets
//! share, built once as a crate instead of being compiled into every test
//! binary through `#[path]`.
//!
//! - the test issuer and holder (the [`issuer`] module's items, re-exported
//!   here: `TestPki`, `MdocSpec`, `mint`, `keys`, `revocation`, `online`, …),
//!   with [`oid4vp_wallet`], a simulated OpenID4VP wallet;
//! - [`examples`]: the example binaries the CLI and C ABI tests run, and a
//!   folder of its own per test;
//! - [`bench`]: the Annex D inputs and the bench-only issuer of the benches
//!   and `examples/annex_d_loop.rs`;
//! - [`fixtures`]: the fixed scenarios of the fuzz targets, replayed by
//!   `tests/fuzz/`, and [`online_openid4vp_harness`], the OpenID4VP target's
//!   body (feature `fuzz`; the fuzz crate turns `issuer` off).
//!
//! Nothing here is used by the library. Test-only code: panics on bad input.

// `TestPki::new()` and the like mint keys and certificates; a `Default`
// would hide that work behind `..Default::default()`.
#![allow(clippy::new_without_default)]

pub mod examples;
#[cfg(feature = "fuzz")]
pub mod fixtures;
#[cfg(feature = "fuzz")]
pub mod online_openid4vp_harness;

#[cfg(feature = "issuer")]
pub mod bench;
#[cfg(feature = "issuer")]
pub mod issuer;
#[cfg(feature = "issuer")]
pub mod oid4vp_wallet;

#[cfg(feature = "issuer")]
pub use issuer::*;
