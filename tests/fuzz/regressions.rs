//! Replays every fuzz seed (`fuzz/seeds/<target>/`) and every minimised
//! crash (`fuzz/regressions/<target>/`) through the same functions the fuzz
//! targets call, on the stable toolchain, inside `cargo test`.

use crate::fixtures;

use kakunin::internals::fuzz::{self, Violation};
use std::path::{Path, PathBuf};

fn inputs(target: &str) -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let mut out = Vec::new();
    for kind in ["seeds", "regressions"] {
        let Ok(dir) = std::fs::read_dir(root.join(kind).join(target)) else {
            continue;
        };
        for entry in dir {
            let path = entry.unwrap().path();
            if path.is_file() && !path.file_name().unwrap().to_string_lossy().starts_with('.') {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

fn replay(target: &str, min_seeds: usize, f: impl Fn(&[u8]) -> Result<(), Violation>) {
    let files = inputs(target);
    assert!(files.len() >= min_seeds, "{target}: only {} inputs", files.len());
    for path in files {
        let data = std::fs::read(&path).unwrap();
        if let Err(v) = f(&data) {
            panic!("{}: invariant violated: {}", path.display(), v.0);
        }
    }
}

#[test]
fn replay_cbor() {
    replay("cbor", 10, fuzz::cbor);
}

#[test]
fn replay_cose() {
    replay("cose", 5, fuzz::cose);
}

#[test]
fn replay_mso() {
    replay("mso", 6, fuzz::mso);
}

#[test]
fn replay_x509() {
    let scenario = fixtures::certificates();
    replay("x509", 8, |d| fuzz::x509(&scenario, d));
}

#[test]
fn replay_device_response() {
    replay("device_response", 8, fuzz::device_response);
}

#[test]
fn replay_verify() {
    let scenarios = fixtures::scenarios();
    replay("verify", 3, |d| fuzz::verify(&scenarios, d));
}

#[test]
fn replay_session() {
    let scenario = fixtures::session();
    replay("session", 8, |d| fuzz::session(&scenario, d));
}

#[test]
fn replay_transport() {
    replay("transport", 5, fuzz::transport);
}

#[test]
fn replay_c_abi() {
    replay("c_abi", 5, fixtures::c_abi);
}

#[test]
fn replay_trust_lists() {
    let scenario = fixtures::trust_lists();
    replay("trust_lists", 3, |d| fuzz::trust_lists(&scenario, d));
}

/// The end-to-end seeds really reach the deep checks: the Annex D and EUDI
/// mDL seeds verify completely in their scenarios (so the fuzzer starts from
/// inputs that pass every check).
#[test]
fn verify_seeds_are_valid_in_their_scenarios() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/seeds/verify");
    let annex_d = std::fs::read(root.join("annex_d_device_response")).unwrap();
    let eudi = std::fs::read(root.join("eudi_mdl_device_response")).unwrap();
    let v = fixtures::annex_d().verify(&annex_d);
    assert!(v.is_valid(), "{:?}", v.error_codes());
    let v = fixtures::eudi_mdl().verify(&eudi);
    assert!(v.is_valid(), "{:?}", v.error_codes());
    // And not across scenarios.
    assert!(!fixtures::eudi_mdl().verify(&annex_d).is_valid());
    assert!(!fixtures::annex_d().verify(&eudi).is_valid());
}

use crate::online_openid4vp_harness;

/// Replays the `online_openid4vp` fuzz seeds (and any minimised crash)
/// through the fuzz harness on stable.
#[test]
fn online_openid4vp_fuzz_seeds_replay() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let mut n = 0;
    for kind in ["seeds", "regressions"] {
        let Ok(dir) = std::fs::read_dir(root.join(kind).join("online_openid4vp")) else {
            continue;
        };
        for e in dir {
            let p = e.unwrap().path();
            online_openid4vp_harness::run(&std::fs::read(&p).unwrap());
            n += 1;
        }
    }
    assert!(n >= 10, "only {n} seeds");
}
