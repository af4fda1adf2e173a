//! The command-line examples as processes: `verify` (offline, online,
//! OpenID4VP, trust and revocation flags, document types) and `reader`
//! (Annex D replay). Binaries come from `support::examples::example`, input
//! files go in a folder of their own per test (`support::examples::TempDir`).

use kakunin_test_kit as support;
use kakunin_test_kit::oid4vp_wallet as wallet;

mod doctypes;
mod online;
mod openid4vp;
mod reader;
mod trust;
mod verify;

/// Runs the example `name` with `args` from the library's root (where
/// `tests/data` is): exit code (-1 when a signal ended it), stdout, stderr.
fn run_example(name: &str, args: &[&str]) -> (i32, String, String) {
    let out = std::process::Command::new(support::examples::example(name))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

/// `verify` with `args`: exit code, stdout, stderr.
fn verify(args: &[&str]) -> (i32, String, String) {
    run_example("verify", args)
}

/// A file under `tests/data`.
fn data(p: &str) -> String {
    format!("{}/tests/data/{p}", env!("CARGO_MANIFEST_DIR"))
}
