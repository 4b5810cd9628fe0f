//! Ballot benchmarks (issue: a 30-candidate contest, at most 9 selections):
//! encrypt+prove, verify one ballot, batched verification of 1,000 ballots,
//! and decryption with discrete logs of 30 counts up to 500,000.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use rand::rngs::OsRng;
use rand::seq::index::sample;
use shortlist_crypto::ballot::{BallotContext, ContestShape, EncryptedContest};
use shortlist_crypto::batch::BatchVerifier;
use shortlist_crypto::dlog::DiscreteLog;
use shortlist_crypto::elgamal::{Ciphertext, Encrypter, SecretKey};
use shortlist_crypto::secret::SecretScalar;
use shortlist_crypto::threshold::{combine, KeyShare};
use shortlist_crypto::transcript::ElectionContext;
use shortlist_crypto::Scalar;

const SHAPE: ContestShape = ContestShape { contest_id: 1, candidates: 30, min: 0, max: 9 };

fn random_selection(rng: &mut OsRng) -> Vec<bool> {
    let k = (rand::Rng::gen_range(rng, 0..=9)) as usize;
    let mut v = vec![false; 30];
    for i in sample(rng, 30, k) {
        v[i] = true;
    }
    v
}

fn setup() -> (ElectionContext, Encrypter) {
    let key = SecretKey::random(&mut OsRng);
    let ctx =
        ElectionContext { manifest_hash: [1; 32], definition_hash: [2; 32], joint_key: key.public_key() };
    let enc = Encrypter::new(&ctx.joint_key);
    (ctx, enc)
}

fn ballot(c: &mut Criterion) {
    let (ctx, enc) = setup();
    let cred = [5u8; 32];
    let bctx = BallotContext { election: &ctx, credential: &cred };
    // A booth draws from a userspace CSPRNG seeded by the OS, as thread_rng does.
    let mut rng = rand::thread_rng();
    let mut g = c.benchmark_group("ballot-30-choose-9");
    g.bench_function("encrypter setup (once per poll)", |b| b.iter(|| Encrypter::new(&ctx.joint_key)));
    g.bench_function("encrypt+prove", |b| {
        b.iter_batched(
            || random_selection(&mut OsRng),
            |sel| EncryptedContest::encrypt(&enc, &bctx, &SHAPE, &sel, &mut rng).unwrap(),
            BatchSize::SmallInput,
        )
    });
    g.bench_function("prepare (before the choice)", |b| {
        b.iter(|| EncryptedContest::prepare(&enc, &SHAPE, &mut rng).unwrap())
    });
    g.bench_function("finish (after the choice)", |b| {
        b.iter_batched(
            || (EncryptedContest::prepare(&enc, &SHAPE, &mut OsRng).unwrap(), random_selection(&mut OsRng)),
            |(prepared, sel)| prepared.finish(&bctx, &sel).unwrap(),
            BatchSize::SmallInput,
        )
    });
    let ballots: Vec<Vec<u8>> = (0..1000)
        .map(|_| {
            let sel = random_selection(&mut OsRng);
            EncryptedContest::encrypt(&enc, &bctx, &SHAPE, &sel, &mut OsRng).unwrap().0.to_bytes()
        })
        .collect();
    g.bench_function("decode+verify one", |b| {
        let mut i = 0;
        b.iter(|| {
            i = (i + 1) % ballots.len();
            let c = EncryptedContest::from_bytes(&ballots[i]).unwrap();
            c.verify(&bctx, &SHAPE, &mut OsRng).unwrap()
        })
    });
    g.throughput(Throughput::Elements(1000));
    g.sample_size(10);
    g.bench_function("decode+batch-verify 1000", |b| {
        b.iter(|| {
            let mut batch = BatchVerifier::new(OsRng);
            let kb = batch.shared_base(&ctx.joint_key);
            for (i, bytes) in ballots.iter().enumerate() {
                let c = EncryptedContest::from_bytes(bytes).unwrap();
                batch.set_tag(i as u64);
                c.add_to_batch(&bctx, &SHAPE, kb, &mut batch).unwrap();
            }
            batch.verify().unwrap()
        })
    });
    g.finish();
}

fn decryption(c: &mut Criterion) {
    // 30 aggregates with counts up to 500,000, decrypted by 3 trustees of a
    // 3-of-5 sharing; includes proving and checking shares and building the table.
    let mut rng = OsRng;
    let coeffs: Vec<Scalar> = (0..3).map(|_| Scalar::random(&mut rng)).collect();
    let eval = |j: u64| coeffs.iter().rev().fold(Scalar::ZERO, |acc, a| acc * Scalar::from(j) + a);
    let key = SecretKey::from_secret(SecretScalar::new(coeffs[0]));
    let ctx =
        ElectionContext { manifest_hash: [1; 32], definition_hash: [2; 32], joint_key: key.public_key() };
    let shares: Vec<KeyShare> =
        (1..=3u16).map(|j| KeyShare::new(j, SecretScalar::new(eval(u64::from(j))))).collect();
    let counts: Vec<u64> = (0..30u64).map(|i| 500_000 - i * 16_001).collect();
    let cts: Vec<Ciphertext> = counts
        .iter()
        .map(|m| Ciphertext::encrypt(&ctx.joint_key, *m, &SecretScalar::random(&mut rng)))
        .collect();
    let mut g = c.benchmark_group("tally-30-counts-to-500k");
    g.sample_size(10);
    let dec: Vec<_> = shares.iter().map(|s| s.decrypt(&ctx, &cts, &mut rng).unwrap()).collect();
    g.bench_function("combine + discrete logs (incl. table)", |b| {
        b.iter(|| {
            let pts = combine(3, &cts, &dec).unwrap();
            let dl = DiscreteLog::new(500_000, pts.len());
            let got: Vec<u64> = pts.iter().map(|p| dl.solve(p).unwrap()).collect();
            assert_eq!(got, counts);
        })
    });
    g.bench_function("3 trustees' partial decryptions with proofs", |b| {
        b.iter(|| shares.iter().map(|s| s.decrypt(&ctx, &cts, &mut OsRng).unwrap()).collect::<Vec<_>>())
    });
    g.bench_function("verify 3 decryption shares", |b| {
        b.iter(|| {
            for (s, k) in dec.iter().zip(&shares) {
                s.verify(&ctx, &k.verification_key(), &cts, &mut OsRng).unwrap();
            }
        })
    });
    g.finish();
}

criterion_group!(benches, ballot, decryption);
criterion_main!(benches);
