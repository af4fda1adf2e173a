//! The C ABI (feature `capi`): C and C++ programs built against the static
//! library, and the committed header against the one cbindgen generates.

use kakunin_test_kit as support;

mod c_api;
mod header;
