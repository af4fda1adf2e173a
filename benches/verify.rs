//! Verification benchmarks (issue 7). Run on each backend:
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
use kakunin::cbor::{self, Item};
use kakunin::crypto::primitives::{self, EcdhKey, VerifyKey};
use kakunin::crypto::BACKEND;
use kakunin::{
    Curve, DeviceAuthInput, DsCache, Limits, ReaderKey, SessionTranscript, SignatureAlgorithm, TrustStore, UnixTime,
    Verifier,
};
use std::hint::black_box;
use std::time::{Duration, Instant};

#[path = "support/mint.rs"]
mod mint;

fn data(dir: &str, name: &str) -> Vec<u8> {
    let path = format!("{}/tests/data/{dir}/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    if name.ends_with(".hex") {
        hex::decode(text.trim()).unwrap()
    } else {
        text.into_bytes()
    }
}

fn annex(name: &str) -> Vec<u8> {
    data("iso18013-5-annex-d", name)
}

fn at(s: &str) -> UnixTime {
    UnixTime::parse_rfc3339(s).unwrap()
}

/// Annex D inputs, and the inputs of each primitive the verification performs.
struct AnnexD {
    response: Vec<u8>,
    transcript: SessionTranscript,
    reader: ReaderKey,
    trust: TrustStore,
    now: UnixTime,
    // primitives
    ds_key: VerifyKey,
    iaca_key: VerifyKey,
    device_key: VerifyKey,
    reader_ecdh: EcdhKey,
    sig_structure: Vec<u8>,
    issuer_sig: Vec<u8>,
    ds_tbs: Vec<u8>,
    ds_sig: Vec<u8>,
    shared_secret: Vec<u8>,
    transcript_tagged: Vec<u8>,
    salt: [u8; 32],
    mac_structure: Vec<u8>,
    mac_tag: Vec<u8>,
    items: Vec<Vec<u8>>,
}

fn spki_point(cert: &x509_cert::Certificate) -> Vec<u8> {
    cert.tbs_certificate
        .subject_public_key_info
        .subject_public_key
        .raw_bytes()
        .to_vec()
}

fn issuer_signed_items(response: &[u8]) -> Vec<Vec<u8>> {
    let item = cbor::decode(response, &Limits::default()).unwrap();
    let doc = &item.get("documents").unwrap().value.as_array().unwrap()[0];
    let ns = doc.get("issuerSigned").unwrap().get("nameSpaces").unwrap();
    let mut out = Vec::new();
    for (_, items) in ns.value.as_map().unwrap() {
        for it in items.value.as_array().unwrap() {
            out.push(it.raw.to_vec());
        }
    }
    out
}

impl AnnexD {
    fn new() -> Self {
        use der::{Decode, Encode};
        let iaca_der = annex("iaca_cert.der.hex");
        let ds_der = annex("ds_cert.der.hex");
        let iaca = x509_cert::Certificate::from_der(&iaca_der).unwrap();
        let ds = x509_cert::Certificate::from_der(&ds_der).unwrap();
        let issuer_auth = annex("issuer_auth.hex");
        let device_auth = annex("device_auth.hex");
        let mut device_point = vec![4u8];
        device_point.extend(annex("s_device_key.x.hex"));
        device_point.extend(annex("s_device_key.y.hex"));
        let response = annex("device_response.hex");
        let transcript_tagged = annex("session_transcript_bytes.hex");
        let d = AnnexD {
            items: issuer_signed_items(&response),
            response,
            transcript: SessionTranscript::from_bytes(&transcript_tagged).unwrap(),
            reader: ReaderKey::from_scalar(Curve::P256, &annex("e_reader_key.d.hex")).unwrap(),
            trust: TrustStore::from_pem_or_der(&iaca_der).unwrap(),
            now: at("2021-01-01T00:00:00Z"),
            ds_key: VerifyKey::from_sec1(Curve::P256, &spki_point(&ds)).unwrap(),
            iaca_key: VerifyKey::from_sec1(Curve::P256, &spki_point(&iaca)).unwrap(),
            device_key: VerifyKey::from_sec1(Curve::P256, &device_point).unwrap(),
            reader_ecdh: EcdhKey::from_scalar(Curve::P256, &annex("e_reader_key.d.hex")).unwrap(),
            sig_structure: annex("issuer_auth_sig_structure.hex"),
            issuer_sig: issuer_auth[issuer_auth.len() - 64..].to_vec(),
            ds_tbs: ds.tbs_certificate.to_der().unwrap(),
            ds_sig: ds.signature.raw_bytes().to_vec(),
            shared_secret: annex("e_mac_shared_secret.hex"),
            salt: primitives::sha256(&transcript_tagged),
            transcript_tagged,
            mac_structure: annex("mac_structure.hex"),
            mac_tag: device_auth[device_auth.len() - 32..].to_vec(),
        };
        // The primitives must succeed on these inputs, or we time failures.
        assert!(d
            .ds_key
            .verify_cose(SignatureAlgorithm::Es256, &d.sig_structure, &d.issuer_sig));
        assert!(d.iaca_key.verify_x509_ecdsa_sha256(&d.ds_tbs, &d.ds_sig));
        assert!(d.reader_ecdh.ecdh(&d.device_key).is_some());
        assert!(d.mac_ok());
        assert_eq!(d.items.len(), 6);
        d
    }

    fn verifier(&self, cache: DsCache) -> Verifier {
        Verifier::new(self.trust.clone()).with_ds_cache(cache)
    }

    fn verify(&self, v: &Verifier) -> bool {
        let auth = DeviceAuthInput {
            session_transcript: Some(&self.transcript),
            reader_key: Some(&self.reader),
        };
        v.verify_device_response(black_box(&self.response), auth, self.now)
            .is_valid()
    }

    fn mac_ok(&self) -> bool {
        self.hkdf_hmac()
    }

    fn ecdsa_cose(&self) -> bool {
        self.ds_key.verify_cose(
            SignatureAlgorithm::Es256,
            black_box(&self.sig_structure),
            &self.issuer_sig,
        )
    }

    fn ecdsa_x509(&self) -> bool {
        self.iaca_key
            .verify_x509_ecdsa_sha256(black_box(&self.ds_tbs), &self.ds_sig)
    }

    fn ecdh(&self) -> Option<u8> {
        self.reader_ecdh.ecdh(black_box(&self.device_key))
    }

    /// SHA-256 of the 6 disclosed items and of SessionTranscriptBytes (the salt).
    fn sha256_all(&self) -> u8 {
        let mut x = primitives::sha256(black_box(&self.transcript_tagged))[0];
        for it in &self.items {
            x ^= primitives::sha256(black_box(it))[0];
        }
        x
    }

    /// HKDF (EMacKey) + HMAC over the MAC_structure.
    fn hkdf_hmac(&self) -> bool {
        // The salt hash is counted in `sha256_all`.
        primitives::hkdf_hmac(
            &self.shared_secret,
            &self.salt,
            b"EMacKey",
            black_box(&self.mac_structure),
            &self.mac_tag,
        )
    }
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
        assert!(e.verify(&Verifier::new(e.trust.clone())));
        e
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
    let eudi_hit = Verifier::new(e.trust.clone());
    let eudi_miss = Verifier::new(e.trust.clone()).with_ds_cache(DsCache::disabled());
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
    start.elapsed().as_nanos() as f64 / f64::from(n)
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
