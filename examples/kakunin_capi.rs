//! The C ABI (`include/kakunin.h`) as a static library for the C tests:
//! `cargo test` builds this example, and tests/c_abi/c_api.rs links its
//! `libkakunin_capi.a`. Integrators build the real `libkakunin` with
//! `cargo cinstall` or `cargo rustc --lib --features capi --crate-type staticlib`.

pub use kakunin::ffi::*;
