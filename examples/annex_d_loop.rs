//! Verifies the ISO 18013-5 Annex D DeviceResponse N times; used by
//! `benches/instructions.sh` to count instructions with callgrind.
//!
//! ```text
//! annex_d_loop N [miss|hit|primitives]
//! ```
//! `miss` (default) disables the Document Signer cache, so every iteration is
//! a full verification; `hit` keeps it, so all but the first skip the chain
//! signature; `primitives` runs only the cryptographic primitives a full
//! verification performs (2 ECDSA P-256, 1 ECDH, HKDF + HMAC, 7 SHA-256);
//! `portrait` verifies a minted response with a 100 KB portrait instead (for
//! `valgrind --tool=dhat`: bytes allocated per verification).
//! Exit 1 if any verification fails.

use kakunin_test_kit::bench::{annex_d, mint};

use kakunin::DsCache;
use std::hint::black_box;
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(1);
    let mode = args.next().unwrap_or_else(|| "miss".to_owned());
    let d = annex_d::AnnexD::new();
    let mut ok = true;
    match mode.as_str() {
        "miss" | "hit" => {
            let cache = if mode == "hit" {
                DsCache::default()
            } else {
                DsCache::disabled()
            };
            let v = d.verifier(cache);
            for _ in 0..n {
                ok &= black_box(d.verify(&v));
            }
        }
        "primitives" => {
            for _ in 0..n {
                ok &= d.ecdsa_cose() && d.ecdsa_x509() && d.ecdh().is_some() && d.hkdf_hmac();
                black_box(d.sha256_all());
            }
        }
        "portrait" => {
            let case = mint::Case::portrait(100 * 1024);
            let v = kakunin::Verifier::new(case.trust.clone());
            for _ in 0..n {
                ok &= black_box(case.verify(&v));
            }
        }
        other => {
            eprintln!("annex_d_loop: unknown mode {other:?}");
            return ExitCode::from(2);
        }
    }
    if ok {
        ExitCode::SUCCESS
    } else {
        eprintln!("annex_d_loop: verification failed");
        ExitCode::FAILURE
    }
}
