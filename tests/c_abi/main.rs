//! The C ABI (feature `capi`): C and C++ programs built against the static
//! library, and the committed header against the one cbindgen generates.

#[path = "../support/mod.rs"]
mod support;

mod c_api;
mod header;
