//! `isomdl_loop N [isomdl|kakunin-miss|kakunin-hit]`: runs one side of the
//! comparison N times, for instruction counts with callgrind
//! (see `../instructions.sh`).

use kakunin_isomdl_compare::Inputs;

fn main() {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(1);
    let side = args.next().unwrap_or_else(|| "isomdl".to_owned());
    let i = Inputs::new();
    for _ in 0..n {
        let ok = match side.as_str() {
            "isomdl" => i.isomdl(),
            "kakunin-miss" => i.kakunin(&i.miss),
            "kakunin-hit" => i.kakunin(&i.hit),
            other => panic!("unknown side {other:?}"),
        };
        assert!(ok);
    }
}
