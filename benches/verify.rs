//! Verification benchmarks. Run on each backend:
//!
//! ```text
//! cargo bench --bench verify                    # RustCrypto (default)
//! cargo bench --bench verify --features aws-lc  # aws-lc
//! ```
//!
//! Besides the criterion groups, the run ends with a paired report (same
//! process, interleaved rounds, best round kept) of the Annex D verification
//! against the sum of the cryptographic primitives it performs, printed as
//! `overhead = full / primitives`.

use criterion::{criterion_group, BenchmarkId, Criterion};
use kakunin::internals::cbor::{self, Item};
use kakunin::internals::crypto::BACKEND;
use kakunin::{
    CertificateProfile, DeviceAuthInput, DsCache, Limits, Policy, SessionTranscript, TrustStore, UnixTime, Verifier,
};
use std::hint::black_box;
use std::time::{Duration, Instant};

use kakunin_test_kit::bench::annex_d::{self, AnnexD};
use kakunin_test_kit::bench::mint;

fn data(dir: &str, name: &str) -> Vec<u8> {
    annex_d::data(dir, name)
}

fn at(s: &str) -> UnixTime {
    UnixTime::parse_rfc3339(s).unwrap()
}

/// A deviceSignature response: the EUDI reference wallet's mDL.
struct Eudi {
    response: Vec<u8>,
    transcript: SessionTranscript,
    trust: TrustStore,
    now: UnixTime,
}

impl Eudi {
    fn new() -> Self {
        let dir = "eudi-verifier-endpoint";
        let mut b = TrustStore::builder();
        b.add_pem_or_der(&data(dir, "pid_issuer_ca_ut_01.pem")).unwrap();
        b.add_pem_or_der(&data(dir, "pid_issuer_ca_ut_02.pem")).unwrap();
        let e = Eudi {
            response: data(dir, "mdl_device_response.hex"),
            transcript: SessionTranscript::from_bytes(&data(dir, "mdl_session_transcript.hex")).unwrap(),
            trust: b.build(),
            now: at("2025-12-19T09:19:37Z"),
        };
        assert!(e.verify(&e.verifier()));
        e
    }

    /// The EUDI reference issuer needs the interoperable certificate profile
    /// (its DS extKeyUsage is 1.3.130.2.0.0.1.2).
    fn verifier(&self) -> Verifier {
        Verifier::new(self.trust.clone())
            .with_policy(Policy::default().with_certificate_profile(CertificateProfile::Interoperable))
    }

    fn verify(&self, v: &Verifier) -> bool {
        let auth = DeviceAuthInput {
            session_transcript: Some(&self.transcript),
            reader_key: None,
        };
        v.verify_device_response(black_box(&self.response), auth, self.now)
            .is_valid()
    }
}

fn bench(c: &mut Criterion) {
    let d = AnnexD::new();
    let miss = d.verifier(DsCache::disabled());
    let hit = d.verifier(DsCache::default());
    assert!(d.verify(&miss) && d.verify(&hit));

    let mut g = c.benchmark_group(format!("{BACKEND}/annex_d"));
    g.bench_function("parse_only", |b| {
        b.iter(|| cbor::decode(black_box(&d.response), &Limits::default()).map(|i: Item<'_>| i.raw.len()))
    });
    g.bench_function("full_cache_miss", |b| b.iter(|| d.verify(&miss)));
    g.bench_function("full_cache_hit", |b| b.iter(|| d.verify(&hit)));
    g.bench_function("threads/1", |b| b.iter(|| d.verify(&hit)));
    g.bench_function("threads/2", |b| {
        // Throughput: time per verification with the verifier shared by 2 threads.
        b.iter_custom(|iters| {
            let start = Instant::now();
            std::thread::scope(|s| {
                for t in 0..2u64 {
                    let (d, hit) = (&d, &hit);
                    s.spawn(move || {
                        for _ in 0..(iters / 2 + (iters % 2) * t) {
                            black_box(d.verify(hit));
                        }
                    });
                }
            });
            start.elapsed()
        })
    });
    g.finish();

    let mut g = c.benchmark_group(format!("{BACKEND}/primitives"));
    g.bench_function("ecdsa_p256_verify_cose", |b| b.iter(|| d.ecdsa_cose()));
    g.bench_function("ecdsa_p256_verify_x509", |b| b.iter(|| d.ecdsa_x509()));
    g.bench_function("ecdh_p256", |b| b.iter(|| d.ecdh()));
    g.bench_function("hkdf_hmac", |b| b.iter(|| d.hkdf_hmac()));
    g.bench_function("sha256_items_and_salt", |b| b.iter(|| d.sha256_all()));
    g.finish();

    let e = Eudi::new();
    let eudi_hit = e.verifier();
    let eudi_miss = e.verifier().with_ds_cache(DsCache::disabled());
    let mut g = c.benchmark_group(format!("{BACKEND}/device_signature_eudi_mdl"));
    g.bench_function("full_cache_miss", |b| b.iter(|| e.verify(&eudi_miss)));
    g.bench_function("full_cache_hit", |b| b.iter(|| e.verify(&eudi_hit)));
    g.finish();

    let mut g = c.benchmark_group(format!("{BACKEND}/minted"));
    for case in [mint::Case::p384_iaca(), mint::Case::portrait(100 * 1024)] {
        let v = Verifier::new(case.trust.clone()).with_ds_cache(DsCache::disabled());
        assert!(case.verify(&v), "{}", case.name);
        g.bench_function(BenchmarkId::new(case.name, "cache_miss"), |b| {
            b.iter(|| case.verify(&v))
        });
    }
    g.finish();

    overhead_report(&d, &miss, &hit);
}

/// Best-of-rounds nanoseconds per call; each round runs `n` calls.
fn per_call(n: u32, f: &mut dyn FnMut()) -> f64 {
    let start = Instant::now();
    for _ in 0..n {
        f();
    }
    start.elapsed().as_secs_f64() * 1e9 / f64::from(n)
}

/// Paired measurement: the full verification and each primitive are timed in
/// interleaved rounds of the same process; the minimum per-call time of each
/// is kept (the least disturbed round on a shared machine).
fn overhead_report(d: &AnnexD, miss: &Verifier, hit: &Verifier) {
    let rounds = 15;
    let n = 40;
    let mut best = [f64::INFINITY; 7];
    let deadline = Instant::now() + Duration::from_secs(60);
    for _ in 0..rounds {
        let fs: [&mut dyn FnMut(); 7] = [
            &mut || assert!(d.verify(miss)),
            &mut || assert!(d.verify(hit)),
            &mut || assert!(d.ecdsa_cose()),
            &mut || assert!(d.ecdsa_x509()),
            &mut || assert!(d.ecdh().is_some()),
            &mut || assert!(d.hkdf_hmac()),
            &mut || {
                black_box(d.sha256_all());
            },
        ];
        for (i, f) in fs.into_iter().enumerate() {
            best[i] = best[i].min(per_call(n, f));
        }
        if Instant::now() > deadline {
            break;
        }
    }
    let [full_miss, full_hit, cose, x509, ecdh, mac, sha] = best;
    let prim_miss = cose + x509 + ecdh + mac + sha;
    let prim_hit = cose + ecdh + mac + sha;
    let us = |ns: f64| ns / 1000.0;
    println!();
    println!("== {BACKEND}: Annex D overhead (paired, best of {rounds} rounds x {n})");
    println!(
        "   primitives: ecdsa cose {:.1} us, ecdsa x509 {:.1} us, ecdh {:.1} us, hkdf+hmac {:.1} us, 7 x sha256 {:.1} us",
        us(cose),
        us(x509),
        us(ecdh),
        us(mac),
        us(sha)
    );
    println!(
        "   cache miss: full {:.1} us / primitives {:.1} us = overhead {:.3}x",
        us(full_miss),
        us(prim_miss),
        full_miss / prim_miss
    );
    println!(
        "   cache hit:  full {:.1} us / primitives {:.1} us = overhead {:.3}x",
        us(full_hit),
        us(prim_hit),
        full_hit / prim_hit
    );
}

criterion_group!(benches, bench);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
}
