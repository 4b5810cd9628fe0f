//! The fuzz targets of `fuzz/` (issue 16, Build 3) under a normal `cargo
//! test`: every kept input — the seeds in `fuzz/seeds/TARGET/` and the
//! crashes found and fixed in `fuzz/regressions/TARGET/` — runs through its
//! target without a panic, and so do random mutations of the seeds (a short
//! stable-Rust stand-in for the coverage-guided runs; `FUZZ_MUTATIONS` sets
//! how many per seed, default 200).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic, missing_docs)]

#[path = "../fuzz/src/targets.rs"]
mod targets;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha20Rng;

fn inputs(dir: &str, target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fuzz").join(dir).join(target);
    let Ok(read) = std::fs::read_dir(&dir) else { return Vec::new() };
    let mut out: Vec<_> = read
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .map(|p| {
            let bytes = std::fs::read(&p).unwrap();
            (p, bytes)
        })
        .collect();
    out.sort();
    out
}

fn run(target: &str, f: fn(&[u8]), input: &[u8], what: &str) {
    if catch_unwind(AssertUnwindSafe(|| f(input))).is_err() {
        panic!("target {target} panicked on {what}");
    }
}

/// `SHORTLIST_WRITE_FUZZ_SEEDS=1` rewrites `fuzz/seeds/` first (from a fresh
/// honest record), as `SHORTLIST_WRITE_VECTORS` does for the test vectors.
fn write_seeds_if_asked() {
    if std::env::var("SHORTLIST_WRITE_FUZZ_SEEDS").is_err() {
        return;
    }
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fuzz/seeds");
    let record = std::env::temp_dir().join(format!("shortlist-fuzz-seed-{}.record", std::process::id()));
    let out = record.to_str().unwrap();
    let code = shortlist_cli::run(["shortlist", "simulate", "--voters", "2", "--out", out]);
    assert_eq!(code, std::process::ExitCode::SUCCESS);
    let bytes = std::fs::read(&record).unwrap();
    std::fs::remove_file(&record).unwrap();
    targets::write_seeds(&dir, Some(&bytes)).unwrap();
}

#[test]
fn kept_inputs_and_mutations_of_the_seeds_run_without_panic() {
    let per_seed: usize = std::env::var("FUZZ_MUTATIONS").ok().and_then(|v| v.parse().ok()).unwrap_or(200);
    write_seeds_if_asked();
    let mut rng = ChaCha20Rng::seed_from_u64(rand::random());
    for (target, f) in targets::TARGETS {
        let seeds = inputs("seeds", target);
        assert!(!seeds.is_empty(), "no seeds for {target}");
        let regressions = inputs("regressions", target);
        for (path, bytes) in seeds.iter().chain(&regressions) {
            run(target, *f, bytes, &path.display().to_string());
        }
        let mut runs = 0;
        for (path, seed) in &seeds {
            // Large seeds (a whole record) cost a verification per run.
            let n = if seed.len() > 20_000 { per_seed / 20 } else { per_seed };
            for _ in 0..n {
                let mut m = seed.clone();
                for _ in 0..rng.gen_range(1..=4) {
                    match rng.gen_range(0..4) {
                        0 if m.len() > 1 => {
                            let i = rng.gen_range(1..m.len());
                            m[i] ^= 1 << rng.gen_range(0..8);
                        }
                        1 if m.len() > 1 => {
                            let i = rng.gen_range(1..m.len());
                            m.truncate(i);
                        }
                        2 => {
                            let i = rng.gen_range(1..=m.len().max(1));
                            m.insert(i.min(m.len()), rng.gen());
                        }
                        _ if m.len() > 2 => {
                            let i = rng.gen_range(1..m.len());
                            let j = rng.gen_range(1..m.len());
                            m.swap(i, j);
                        }
                        _ => {}
                    }
                }
                run(
                    target,
                    *f,
                    &m,
                    &format!("a mutation of {} ({})", path.display(), hex::encode(&m[..m.len().min(64)])),
                );
                runs += 1;
            }
        }
        eprintln!("{target}: {} kept inputs, {runs} mutations", seeds.len() + regressions.len());
    }
}
