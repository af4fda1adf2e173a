//! The benches' inputs, also used by `examples/annex_d_loop.rs`.

pub mod annex_d;
pub mod mint;
