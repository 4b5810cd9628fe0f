//! The floor of our proof system on this machine, measured in the same run
//! as the prover and the verifier (issue 14): for a 30-candidate, choose ≤ 9
//! contest, the constant-time fixed-base multiplications and batched
//! compressions a ballot's prover needs, and the decompressions and the
//! multiscalar multiplication its verifier needs; then each measured figure
//! beside its floor.
//!
//! Counts (from `shortlist-crypto`'s prover, spec: protocol §5):
//! - per candidate, the ciphertext `(r·B₀, r·K + m·B₀)` is 2 fixed-base
//!   multiplications (`m·B₀` is a point added) and its 0/1 proof 5
//!   (`prepare_halves` with k = 2: 2 + 3(k − 1)); the sum's range proof over
//!   `min..=max` has k = max − min + 1 branches: 2 + 3(k − 1);
//! - points carried: 2 per ciphertext, 2 per proof branch.
//! - the verifier's floor multiscalar multiplication has one term per
//!   distinct point it must touch: the two shared bases and the
//!   ciphertexts with full-size scalars (a weight times a challenge), and
//!   each proof's commitment points with 128-bit scalars (their random
//!   weight alone, spec: protocol §5.5). A verifier that merged every
//!   repeated point would do exactly this one; ours adds a term each time a
//!   point appears in an equation, which is what the ratio shows.
//!
//! Run: `cargo bench --bench floor`. Plain timing loops (median of samples),
//! not criterion: the point is the table of ratios in one run.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use curve25519_dalek::constants::{ED25519_BASEPOINT_POINT, RISTRETTO_BASEPOINT_TABLE};
use curve25519_dalek::edwards::{
    EdwardsBasepointTableRadix128, EdwardsBasepointTableRadix16, EdwardsBasepointTableRadix256,
    EdwardsBasepointTableRadix32, EdwardsBasepointTableRadix64, EdwardsPoint,
};
use curve25519_dalek::ristretto::{CompressedRistretto, RistrettoBasepointTable, RistrettoPoint};
use curve25519_dalek::traits::{BasepointTable, VartimeMultiscalarMul};
use rand::rngs::OsRng;
use rand::seq::index::sample;
use shortlist_crypto::ballot::{BallotContext, ContestShape, EncryptedContest};
use shortlist_crypto::batch::BatchVerifier;
use shortlist_crypto::elgamal::{Encrypter, SecretKey};
use shortlist_crypto::transcript::ElectionContext;
use shortlist_crypto::Scalar;

const SHAPE: ContestShape = ContestShape { contest_id: 1, candidates: 30, min: 0, max: 9 };
const BATCH: usize = 64;

/// Median time of one call of `f`, over samples of about 100 ms each.
fn time<R>(mut f: impl FnMut() -> R) -> Duration {
    let mut per_call = Vec::new();
    // Warm up and size the samples.
    let start = Instant::now();
    let mut n = 0u32;
    while start.elapsed() < Duration::from_millis(100) {
        black_box(f());
        n += 1;
    }
    for _ in 0..11 {
        let s = Instant::now();
        for _ in 0..n {
            black_box(f());
        }
        per_call.push(s.elapsed() / n);
    }
    per_call.sort();
    per_call[per_call.len() / 2]
}

fn us(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

fn random_selection() -> Vec<bool> {
    let k = rand::Rng::gen_range(&mut OsRng, 0..=usize::from(SHAPE.max));
    let mut v = vec![false; usize::from(SHAPE.candidates)];
    for i in sample(&mut OsRng, v.len(), k) {
        v[i] = true;
    }
    v
}

/// One constant-time fixed-base multiplication with an Edwards table of type `T`.
fn edwards_fixed_base<T: BasepointTable<Point = EdwardsPoint>>(s: &Scalar) -> Duration {
    let table = T::create(&ED25519_BASEPOINT_POINT);
    time(|| table.mul_base(s))
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` passes nothing
    // useful either: run the same in both, it takes a few seconds.
    let n = u32::from(SHAPE.candidates);
    let range_branches = u32::from(SHAPE.max - SHAPE.min) + 1;
    let fixed_base = n * (2 + 5) + (2 + 3 * (range_branches - 1));
    let points = n * (2 + 2 * 2) + 2 * range_branches;

    let key = SecretKey::random(&mut OsRng);
    let ctx =
        ElectionContext { manifest_hash: [1; 32], definition_hash: [2; 32], joint_key: key.public_key() };
    let enc = Encrypter::new(&ctx.joint_key);
    let cred = [5u8; 32];
    let bctx = BallotContext { election: &ctx, credential: &cred };

    // The primitives.
    let key_table = RistrettoBasepointTable::create(ctx.joint_key.point());
    let s = Scalar::random(&mut OsRng);
    let t_fixed_g = time(|| &s * RISTRETTO_BASEPOINT_TABLE);
    let t_fixed_k = time(|| &s * &key_table);
    let t_fixed = (t_fixed_g + t_fixed_k) / 2;
    // What a wider table would give: curve25519-dalek 4 builds radix-32 to
    // radix-256 tables for Edwards points only; its Ristretto table is
    // radix-16 and no public API crosses between the two, so these are
    // measured for the record, not used.
    let wider = [
        ("radix-16", edwards_fixed_base::<EdwardsBasepointTableRadix16>(&s)),
        ("radix-32", edwards_fixed_base::<EdwardsBasepointTableRadix32>(&s)),
        ("radix-64", edwards_fixed_base::<EdwardsBasepointTableRadix64>(&s)),
        ("radix-128", edwards_fixed_base::<EdwardsBasepointTableRadix128>(&s)),
        ("radix-256", edwards_fixed_base::<EdwardsBasepointTableRadix256>(&s)),
    ];
    let pts: Vec<RistrettoPoint> = (0..points).map(|_| RistrettoPoint::random(&mut OsRng)).collect();
    let t_compress = time(|| RistrettoPoint::double_and_compress_batch(&pts)) / points;
    let compressed: Vec<CompressedRistretto> = pts.iter().map(RistrettoPoint::compress).collect();
    let t_decompress = time(|| compressed[7].decompress());
    // Full-size scalars for the shared bases and the ciphertexts, 128-bit
    // weights for the commitments.
    let ciphertext_points = 2 * n as usize;
    let commitment_points = points as usize - ciphertext_points;
    let msm = |ballots: usize| {
        let full = 2 + ballots * ciphertext_points;
        let size = full + ballots * commitment_points;
        let scalars: Vec<Scalar> = (0..size)
            .map(|i| {
                if i < full {
                    Scalar::random(&mut OsRng)
                } else {
                    let mut w = [0u8; 32];
                    rand::RngCore::fill_bytes(&mut OsRng, &mut w[..16]);
                    Scalar::from_bytes_mod_order(w)
                }
            })
            .collect();
        let points: Vec<RistrettoPoint> = (0..size).map(|_| RistrettoPoint::random(&mut OsRng)).collect();
        time(|| RistrettoPoint::vartime_multiscalar_mul(&scalars, &points))
    };
    let one_size = points as usize + 2;
    let t_msm_one = msm(1);
    let t_msm_batch = msm(BATCH) / u32::try_from(BATCH).unwrap();

    // Floors.
    let prove_floor = t_fixed * fixed_base + t_compress * points;
    let verify_floor = t_decompress * points + t_msm_one;
    let batch_floor = t_decompress * points + t_msm_batch;

    // The real thing.
    let mut rng = rand::thread_rng();
    let t_prove =
        time(|| EncryptedContest::encrypt(&enc, &bctx, &SHAPE, &random_selection(), &mut rng).unwrap());
    let ballots: Vec<Vec<u8>> = (0..BATCH)
        .map(|_| {
            EncryptedContest::encrypt(&enc, &bctx, &SHAPE, &random_selection(), &mut OsRng)
                .unwrap()
                .0
                .to_bytes()
        })
        .collect();
    let mut i = 0;
    let t_verify = time(|| {
        i = (i + 1) % ballots.len();
        EncryptedContest::from_bytes(&ballots[i]).unwrap().verify(&bctx, &SHAPE, &mut OsRng).unwrap()
    });
    let t_batch = time(|| {
        let mut batch = BatchVerifier::new(OsRng);
        let kb = batch.shared_base(&ctx.joint_key);
        for (i, bytes) in ballots.iter().enumerate() {
            let c = EncryptedContest::from_bytes(bytes).unwrap();
            batch.set_tag(i as u64);
            c.add_to_batch(&bctx, &SHAPE, kb, &mut batch).unwrap();
        }
        batch.verify().unwrap()
    }) / u32::try_from(BATCH).unwrap();

    println!("floor of a 30-candidate, choose ≤ 9 ballot on this machine (one core)\n");
    println!("primitives");
    println!(
        "  fixed-base multiplication (B₀ table / K table)   {:>8.2} µs / {:.2} µs",
        us(t_fixed_g),
        us(t_fixed_k)
    );
    for (radix, t) in &wider {
        println!(
            "  Edwards fixed-base, {radix:<10} table (unused)   {:>8.2} µs  → encrypt+prove floor {:.0} µs",
            us(*t),
            us(*t * fixed_base + t_compress * points)
        );
    }
    println!("  batched compression, per point                   {:>8.2} µs", us(t_compress));
    println!("  decompression, per point                         {:>8.2} µs", us(t_decompress));
    println!("  multiscalar multiplication, {one_size} points        {:>8.2} µs", us(t_msm_one));
    println!("  multiscalar multiplication, per ballot of {BATCH}     {:>8.2} µs", us(t_msm_batch));
    println!("\n{:<34} {:>10} {:>10} {:>7}", "", "measured", "floor", "ratio");
    for (what, measured, floor, how) in [
        ("encrypt+prove", t_prove, prove_floor, format!("{fixed_base} fixed-base + {points} compressions")),
        ("decode+verify one", t_verify, verify_floor, format!("{points} decompressions + MSM of {one_size}")),
        (
            "decode+verify, batch of 64",
            t_batch,
            batch_floor,
            format!("{points} decompressions + 1/{BATCH} of the batch's MSM"),
        ),
    ] {
        println!(
            "{what:<34} {:>7.0} µs {:>7.0} µs {:>6.2}×   ({how})",
            us(measured),
            us(floor),
            measured.as_secs_f64() / floor.as_secs_f64()
        );
    }
}
