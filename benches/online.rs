//! Online presentations: an ISO 18013-7 Annex C answer (the committed
//! fixture of tests/data/derived/online: one mDL, deviceSignature) opened and
//! verified, and, in the same run, the cryptographic primitives it performs:
//! HPKE open (ECDH + HKDF + AES-128-GCM), ECDSA P-256 for issuerAuth,
//! deviceSignature and (cache miss) the DS certificate, SHA-256 of the
//! digests. Printed as `overhead = full / primitives`, paired as in
//! benches/verify.rs.

use criterion::{criterion_group, Criterion};
use kakunin::internals::crypto::primitives::{self, VerifyKey};
use kakunin::internals::crypto::{hpke, BACKEND};
use kakunin::presentation::online::annex_c;
use kakunin::{Curve, DsCache, ReaderKey, SignatureAlgorithm, TrustStore, UnixTime, Verifier};
use std::hint::black_box;
use std::time::{Duration, Instant};

const ORIGIN: &str = "https://city.example.jp";

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/tests/data/derived/online/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

struct Online {
    state: annex_c::RequestState,
    key: ReaderKey,
    response: Vec<u8>,
    enc: Vec<u8>,
    ct: Vec<u8>,
    info: Vec<u8>,
    trust: TrustStore,
    now: UnixTime,
    // ECDSA P-256 stand-ins of the same sizes as the response's signatures.
    ecdsa_key: VerifyKey,
    cose_msg: Vec<u8>,
    cose_sig: Vec<u8>,
    x509_msg: Vec<u8>,
    x509_sig: Vec<u8>,
    digests: Vec<Vec<u8>>,
}

impl Online {
    fn new() -> Self {
        use base64::Engine;
        use p256::ecdsa::signature::Signer;
        let key = ReaderKey::from_bytes(&fixture("hpke.pem")).unwrap();
        let state =
            annex_c::RequestState::from_request_data(&fixture("annex_c_request.json"), ORIGIN, key.clone()).unwrap();
        let response = fixture("annex_c_response.json");
        let json: serde_json::Value = serde_json::from_slice(&response).unwrap();
        let envelope = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(json["response"].as_str().unwrap())
            .unwrap();
        let item = kakunin::internals::cbor::decode(&envelope, &kakunin::Limits::default()).unwrap();
        let params = &item.value.as_array().unwrap()[1];
        let enc = params.get("enc").unwrap().value.as_bytes().unwrap().to_vec();
        let ct = params.get("cipherText").unwrap().value.as_bytes().unwrap().to_vec();
        let info = state.session_transcript().as_array_bytes().to_vec();
        let sk = p256::ecdsa::SigningKey::from_slice(&[0x21; 32]).unwrap();
        let ecdsa_key =
            VerifyKey::from_sec1(Curve::P256, sk.verifying_key().to_encoded_point(false).as_bytes()).unwrap();
        let cose_msg = vec![0x5a; 600];
        let cose_sig: p256::ecdsa::Signature = sk.sign(&cose_msg);
        let x509_msg = vec![0x3c; 400];
        let x509_sig: p256::ecdsa::Signature = sk.sign(&x509_msg);
        Online {
            trust: TrustStore::from_pem_or_der(&fixture("iaca.der")).unwrap(),
            state,
            key,
            response,
            enc,
            ct,
            info,
            now: UnixTime::from_secs(1_704_070_800),
            ecdsa_key,
            cose_msg,
            cose_sig: cose_sig.to_bytes().to_vec(),
            x509_msg,
            x509_sig: x509_sig.to_der().as_bytes().to_vec(),
            // Four IssuerSignedItemBytes, the DeviceAuthenticationBytes and the MSO.
            digests: [90usize, 90, 90, 90, 120, 400].iter().map(|n| vec![0x11; *n]).collect(),
        }
    }

    fn verifier(&self, cache: DsCache) -> Verifier {
        Verifier::new(self.trust.clone()).with_ds_cache(cache)
    }

    fn full(&self, v: &Verifier) -> bool {
        annex_c::verify_response(v, &self.state, black_box(&self.response), self.now).is_valid()
    }

    fn hpke_open(&self) -> usize {
        hpke::open(&self.key, &self.enc, &self.info, &[], black_box(&self.ct))
            .unwrap()
            .len()
    }

    fn ecdsa_cose(&self) -> bool {
        self.ecdsa_key
            .verify_cose(SignatureAlgorithm::Es256, black_box(&self.cose_msg), &self.cose_sig)
    }

    fn ecdsa_x509(&self) -> bool {
        self.ecdsa_key
            .verify_x509_ecdsa_sha256(black_box(&self.x509_msg), &self.x509_sig)
    }

    fn sha256_all(&self) -> u8 {
        self.digests
            .iter()
            .fold(0, |x, d| x ^ primitives::sha256(black_box(d))[0])
    }
}

fn bench(c: &mut Criterion) {
    let o = Online::new();
    let miss = o.verifier(DsCache::disabled());
    let hit = o.verifier(DsCache::default());
    assert!(o.full(&miss) && o.full(&hit));
    let mut g = c.benchmark_group(format!("{BACKEND}/annex_c"));
    g.bench_function("open_and_verify_cache_miss", |b| b.iter(|| o.full(&miss)));
    g.bench_function("open_and_verify_cache_hit", |b| b.iter(|| o.full(&hit)));
    g.bench_function("open_only", |b| {
        b.iter(|| annex_c::open_response(&o.state, black_box(&o.response), &kakunin::Limits::default()).unwrap())
    });
    g.finish();
    let mut g = c.benchmark_group(format!("{BACKEND}/online_primitives"));
    g.bench_function("hpke_open", |b| b.iter(|| o.hpke_open()));
    g.bench_function("ecdsa_p256_verify_cose", |b| b.iter(|| o.ecdsa_cose()));
    g.bench_function("ecdsa_p256_verify_x509", |b| b.iter(|| o.ecdsa_x509()));
    g.bench_function("sha256_digests", |b| b.iter(|| o.sha256_all()));
    g.finish();
    overhead_report(&o, &miss, &hit);
}

/// Best-of-rounds nanoseconds per call; each round runs `n` calls.
fn per_call(n: u32, f: &mut dyn FnMut()) -> f64 {
    let start = Instant::now();
    for _ in 0..n {
        f();
    }
    start.elapsed().as_secs_f64() * 1e9 / f64::from(n)
}

/// The full Annex C verification and each primitive, timed in interleaved
/// rounds of the same process; the least disturbed round of each is kept.
fn overhead_report(o: &Online, miss: &Verifier, hit: &Verifier) {
    let (rounds, n) = (15, 40);
    let mut best = [f64::INFINITY; 6];
    let deadline = Instant::now() + Duration::from_secs(60);
    for _ in 0..rounds {
        let fs: [&mut dyn FnMut(); 6] = [
            &mut || assert!(o.full(miss)),
            &mut || assert!(o.full(hit)),
            &mut || assert!(o.hpke_open() > 0),
            &mut || assert!(o.ecdsa_cose()),
            &mut || assert!(o.ecdsa_x509()),
            &mut || {
                black_box(o.sha256_all());
            },
        ];
        for (i, f) in fs.into_iter().enumerate() {
            best[i] = best[i].min(per_call(n, f));
        }
        if Instant::now() > deadline {
            break;
        }
    }
    let [full_miss, full_hit, hpke_open, cose, x509, sha] = best;
    // issuerAuth + deviceSignature, plus the DS certificate on a cache miss.
    let prim_hit = hpke_open + 2.0 * cose + sha;
    let prim_miss = prim_hit + x509;
    let us = |ns: f64| ns / 1000.0;
    println!();
    println!("== {BACKEND}: Annex C overhead (paired, best of {rounds} rounds x {n})");
    println!(
        "   primitives: hpke open {:.1} us, ecdsa cose {:.1} us (x2), ecdsa x509 {:.1} us, 6 x sha256 {:.1} us",
        us(hpke_open),
        us(cose),
        us(x509),
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
