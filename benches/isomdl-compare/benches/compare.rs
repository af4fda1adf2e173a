//! kakunin vs isomdl 0.2.0 on the same ISO 18013-5 Annex D DeviceResponse,
//! paired in one run. What each side does: see `src/lib.rs`.

use criterion::Criterion;
use kakunin_isomdl_compare::Inputs;
use std::time::Instant;

fn per_call(n: u32, f: &mut dyn FnMut() -> bool) -> f64 {
    let start = Instant::now();
    for _ in 0..n {
        assert!(f());
    }
    start.elapsed().as_nanos() as f64 / f64::from(n)
}

fn main() {
    let i = Inputs::new();
    assert!(i.kakunin(&i.miss) && i.kakunin(&i.hit) && i.isomdl());
    // isomdl's own verdict on the full flow, for the record: its x509 ruleset
    // reports the expired DS (system clock) and MAC is unsupported.
    let backend = kakunin::internals::crypto::BACKEND;

    let mut c = Criterion::default().configure_from_args();
    let mut g = c.benchmark_group(format!("annex_d_vs_isomdl/{backend}"));
    g.bench_function("kakunin_cache_miss", |b| b.iter(|| i.kakunin(&i.miss)));
    g.bench_function("kakunin_cache_hit", |b| b.iter(|| i.kakunin(&i.hit)));
    g.bench_function("isomdl_0.2.0", |b| b.iter(|| i.isomdl()));
    g.finish();

    // Paired: interleaved rounds, best round of each kept.
    let (rounds, n) = (15, 30);
    let mut best = [f64::INFINITY; 3];
    for _ in 0..rounds {
        best[0] = best[0].min(per_call(n, &mut || i.kakunin(&i.miss)));
        best[1] = best[1].min(per_call(n, &mut || i.kakunin(&i.hit)));
        best[2] = best[2].min(per_call(n, &mut || i.isomdl()));
    }
    let [miss, hit, iso] = best;
    println!();
    println!("== Annex D, paired (best of {rounds} rounds x {n}), kakunin backend {backend}");
    println!("   isomdl 0.2.0:        {:8.1} us", iso / 1000.0);
    println!(
        "   kakunin, cache miss: {:8.1} us  ({:.2}x faster than isomdl)",
        miss / 1000.0,
        iso / miss
    );
    println!(
        "   kakunin, cache hit:  {:8.1} us  ({:.2}x faster than isomdl)",
        hit / 1000.0,
        iso / hit
    );
    c.final_summary();
}
