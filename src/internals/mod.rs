//! **Not part of kakunin's API.** Exempt from semver: anything here may
//! change or vanish in any release, patch releases included.
//!
//! Compiled only with the cargo feature `internals`, which only kakunin's own
//! tests and benches (through the self dev-dependency in Cargo.toml) and its
//! fuzz crate (`fuzz/Cargo.toml`) turn on. A dependent that turns it on opts
//! out of every compatibility promise.
//!
//! - [`fuzz`]: the entry points of the fuzz targets and of their replay in
//!   `tests/fuzz_regressions.rs`;
//! - [`cbor`]: kakunin's own CBOR decoder and writer, for the tests of its
//!   limits and properties and for building test inputs;
//! - [`crypto`]: the name of the backend compiled in, HPKE for test holders,
//!   and the backend's primitives that the benches time next to a whole
//!   verification.

pub mod fuzz;

/// kakunin's CBOR decoder and writer (see the module doc: not API).
pub mod cbor {
    pub use crate::cbor::*;
}

/// The crypto backend's name, HPKE and primitives (see the module doc: not API).
pub mod crypto {
    pub use crate::crypto::{hpke, primitives, BACKEND};
}
