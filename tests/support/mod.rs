//! Test-only helpers shared by the integration tests.
#![allow(dead_code)]

pub mod holder;

/// Reads a hex file from tests/data.
pub fn data_hex(path: &str) -> Vec<u8> {
    let p = format!("{}/tests/data/{path}", env!("CARGO_MANIFEST_DIR"));
    hex::decode(
        std::fs::read_to_string(&p)
            .unwrap_or_else(|e| panic!("{p}: {e}"))
            .trim(),
    )
    .unwrap()
}

/// Reads a file from tests/data.
pub fn data(path: &str) -> Vec<u8> {
    let p = format!("{}/tests/data/{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&p).unwrap_or_else(|e| panic!("{p}: {e}"))
}

/// An Annex D file.
pub fn annex_d(name: &str) -> Vec<u8> {
    data_hex(&format!("iso18013-5-annex-d/{name}"))
}
