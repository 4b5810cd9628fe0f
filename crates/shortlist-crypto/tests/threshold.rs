//! Threshold decryption (spec: §7, V6): a tally of random valid ballots
//! decrypts to the right counts from any `t` of `n` trustees, short or
//! repeated share sets are refused, and a bad decryption share is caught by
//! its proofs (V6.2).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

mod common;

use std::sync::OnceLock;

use curve25519_dalek::constants::RISTRETTO_BASEPOINT_POINT;
use curve25519_dalek::ristretto::RistrettoPoint;
use proptest::prelude::*;
use rand_chacha::ChaCha20Rng;
use shortlist_crypto::ballot::{aggregate, BallotContext, ContestShape, EncryptedContest};
use shortlist_crypto::batch::BatchVerifier;
use shortlist_crypto::dkg::{CeremonyParams, GroupPublic};
use shortlist_crypto::dlog::DiscreteLog;
use shortlist_crypto::elgamal::{encode_plaintext, Ciphertext, Encrypter};
use shortlist_crypto::secret::SecretScalar;
use shortlist_crypto::threshold::{combine, DecryptionShare, KeyShare};
use shortlist_crypto::transcript::ElectionContext;
use shortlist_crypto::{CryptoError, Point, Scalar};

struct Ceremony {
    params: CeremonyParams,
    public: GroupPublic,
    keys: Vec<KeyShare>,
    election: ElectionContext,
    enc: Encrypter,
}

/// One honest 3-of-5 ceremony, shared by every test of this file.
fn ceremony() -> &'static Ceremony {
    static C: OnceLock<Ceremony> = OnceLock::new();
    C.get_or_init(|| {
        let (params, public, keys) = common::honest_ceremony(5, 3, &mut common::insecure_test_rng(40));
        let election = common::election(&public);
        let enc = Encrypter::new(&public.joint_key);
        Ceremony { params, public, keys, election, enc }
    })
}

/// Casts, verifies (alone and in one batch) and aggregates the ballots.
fn cast_all(shape: &ContestShape, ballots: &[Vec<bool>], rng: &mut ChaCha20Rng) -> Vec<Ciphertext> {
    let c = ceremony();
    let mut contests = Vec::new();
    let mut batch = BatchVerifier::new(common::insecure_test_rng(41));
    let key = batch.shared_base(&c.public.joint_key);
    for (i, sel) in ballots.iter().enumerate() {
        let cred = [u8::try_from(i).unwrap(); 32];
        let ctx = BallotContext { election: &c.election, credential: &cred };
        let (contest, _) = EncryptedContest::encrypt(&c.enc, &ctx, shape, sel, rng).unwrap();
        contest.verify(&ctx, shape, rng).unwrap();
        batch.set_tag(u64::try_from(i).unwrap());
        contest.add_to_batch(&ctx, shape, key, &mut batch).unwrap();
        contests.push(contest);
    }
    batch.verify().unwrap();
    aggregate(&contests, usize::from(shape.candidates))
}

fn expected_counts(candidates: usize, ballots: &[Vec<bool>]) -> Vec<u64> {
    (0..candidates).map(|i| ballots.iter().filter(|b| b[i]).count() as u64).collect()
}

/// Every trustee's verified decryption share of `totals`, in trustee order.
fn all_shares(totals: &[Ciphertext], rng: &mut ChaCha20Rng) -> Vec<DecryptionShare> {
    let c = ceremony();
    c.keys
        .iter()
        .map(|k| {
            let share = k.decrypt(&c.election, totals, rng).unwrap();
            share.verify(&c.election, &c.public.verification_key(share.trustee), totals, rng).unwrap();
            share
        })
        .collect()
}

fn counts(totals: &[Ciphertext], shares: &[DecryptionShare], bound: u64) -> Vec<u64> {
    let points = combine(ceremony().params.t, totals, shares).unwrap();
    let dlog = DiscreteLog::new(bound, points.len());
    points.iter().map(|p| dlog.solve(p).unwrap()).collect()
}

/// Ballots within `[min, max]`: drawn freely, then fixed up.
fn ballots_strategy() -> impl Strategy<Value = (ContestShape, Vec<Vec<bool>>)> {
    (1..=5u16)
        .prop_flat_map(|c| (Just(c), 0..=c))
        .prop_flat_map(|(c, max)| (Just(c), 0..=max, Just(max)))
        .prop_flat_map(|(c, min, max)| {
            let shape = ContestShape { contest_id: 3, candidates: c, min, max };
            let ballots = prop::collection::vec(prop::collection::vec(any::<bool>(), usize::from(c)), 1..=6);
            (Just(shape), ballots)
        })
        .prop_map(|(shape, mut ballots)| {
            for b in &mut ballots {
                while b.iter().filter(|s| **s).count() > usize::from(shape.max) {
                    *b.iter_mut().find(|s| **s).unwrap() = false;
                }
                while b.iter().filter(|s| **s).count() < usize::from(shape.min) {
                    *b.iter_mut().find(|s| !**s).unwrap() = true;
                }
            }
            (shape, ballots)
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(16))]

    /// Random valid ballots verify, and any `t`-or-more subset of trustees
    /// decrypts their aggregate to the right counts.
    #[test]
    fn random_valid_ballots_verify_and_decrypt_to_the_right_counts(
        (shape, ballots) in ballots_strategy(),
        trustees in prop::sample::subsequence(vec![0usize, 1, 2, 3, 4], 3..=5),
        seed in any::<u64>(),
    ) {
        let mut rng = common::insecure_test_rng(seed);
        let totals = cast_all(&shape, &ballots, &mut rng);
        let c = ceremony();
        let shares: Vec<DecryptionShare> = trustees
            .iter()
            .map(|i| c.keys[*i].decrypt(&c.election, &totals, &mut rng).unwrap())
            .collect();
        for s in &shares {
            s.verify(&c.election, &c.public.verification_key(s.trustee), &totals, &mut rng).unwrap();
        }
        let want = expected_counts(usize::from(shape.candidates), &ballots);
        prop_assert_eq!(counts(&totals, &shares, ballots.len() as u64), want);
    }
}

fn sample_ballots() -> (ContestShape, Vec<Vec<bool>>) {
    let shape = ContestShape { contest_id: 3, candidates: 4, min: 1, max: 2 };
    let b = |v: [u8; 4]| v.iter().map(|x| *x == 1).collect::<Vec<bool>>();
    (shape, vec![b([1, 1, 0, 0]), b([0, 1, 0, 0]), b([0, 1, 0, 1]), b([1, 0, 0, 1]), b([0, 0, 0, 1])])
}

#[test]
fn every_subset_of_t_or_more_trustees_decrypts_the_same_tally() {
    let mut rng = common::insecure_test_rng(42);
    let (shape, ballots) = sample_ballots();
    let totals = cast_all(&shape, &ballots, &mut rng);
    let shares = all_shares(&totals, &mut rng);
    let want = expected_counts(4, &ballots);
    assert_eq!(want, vec![2, 3, 0, 3]);
    let mut subsets = 0;
    for mask in 0u32..32 {
        let subset: Vec<DecryptionShare> =
            (0..5).filter(|i| mask & (1 << i) != 0).map(|i| shares[i].clone()).collect();
        if subset.len() < 3 {
            assert!(matches!(combine(3, &totals, &subset), Err(CryptoError::NotEnoughShares { .. })));
            continue;
        }
        assert_eq!(counts(&totals, &subset, 5), want, "trustees {mask:05b}");
        // The order of the shares does not matter.
        let reversed: Vec<DecryptionShare> = subset.iter().rev().cloned().collect();
        assert_eq!(counts(&totals, &reversed, 5), want);
        subsets += 1;
    }
    assert_eq!(subsets, 10 + 5 + 1);
}

#[test]
fn too_few_repeated_or_zero_trustees_are_refused() {
    let mut rng = common::insecure_test_rng(43);
    let (shape, ballots) = sample_ballots();
    let totals = cast_all(&shape, &ballots, &mut rng);
    let s = all_shares(&totals, &mut rng);
    assert_eq!(combine(3, &totals, &[]), Err(CryptoError::NotEnoughShares { threshold: 3, got: 0 }));
    assert_eq!(combine(3, &totals, &s[1..3]), Err(CryptoError::NotEnoughShares { threshold: 3, got: 2 }));
    assert!(matches!(combine(0, &totals, &s), Err(CryptoError::NotEnoughShares { threshold: 0, .. })));
    for shares in [
        vec![s[0].clone(), s[0].clone(), s[1].clone()],
        vec![s[0].clone(), s[1].clone(), s[2].clone(), s[0].clone()],
    ] {
        assert_eq!(
            combine(3, &totals, &shares),
            Err(CryptoError::BadTrusteeIndex { step: "V6.3", index: 1, reason: "repeated" })
        );
    }
    let mut zero = s[2].clone();
    zero.trustee = 0;
    assert!(matches!(
        combine(3, &totals, &[s[0].clone(), s[1].clone(), zero]),
        Err(CryptoError::BadTrusteeIndex { step: "V6.3", index: 0, .. })
    ));
    // A share with a partial missing.
    let mut short = s[2].clone();
    short.partials.pop();
    assert!(matches!(
        combine(3, &totals, &[s[0].clone(), s[1].clone(), short]),
        Err(CryptoError::InvalidParameters { step: "V6.3", .. })
    ));
}

fn assert_share_fails(
    share: &DecryptionShare,
    vk: &Point,
    election: &ElectionContext,
    totals: &[Ciphertext],
) {
    let mut rng = common::insecure_test_rng(0);
    match share.verify(election, vk, totals, &mut rng) {
        Err(CryptoError::ProofFailed { step: "V6.2", proof: "decryption share", context: Some(c) }) => {
            assert!(c.starts_with(&format!("trustee {}", share.trustee)), "{c}");
        }
        other => panic!("expected a V6.2 failure, got {other:?}"),
    }
}

#[test]
fn a_tampered_decryption_share_fails_v6_2_and_names_the_partial() {
    let mut rng = common::insecure_test_rng(44);
    let c = ceremony();
    let (shape, ballots) = sample_ballots();
    let totals = cast_all(&shape, &ballots, &mut rng);
    let shares = all_shares(&totals, &mut rng);
    let share = &shares[1];
    let vk = c.public.verification_key(share.trustee);
    for i in 0..totals.len() {
        // The partial replaced by another valid point.
        let mut bad = share.clone();
        bad.partials[i] = Point::from_point(bad.partials[i].point() + RISTRETTO_BASEPOINT_POINT);
        assert_share_fails(&bad, &vk, &c.election, &totals);
        let mut rng2 = common::insecure_test_rng(1);
        let err = bad.verify(&c.election, &vk, &totals, &mut rng2).unwrap_err().to_string();
        assert!(err.contains(&format!("#2 chaum-pedersen {i}")), "{err}");
        // Combined without verifying, it gives a wrong count.
        let got = combine(3, &totals, &[shares[0].clone(), bad.clone(), shares[2].clone()]).unwrap();
        let right = combine(3, &totals, &shares[..3]).unwrap();
        assert_ne!(got[i], right[i]);
        // The proof's response changed by one.
        let mut bad = share.clone();
        bad.proofs[i].response += Scalar::ONE;
        assert_share_fails(&bad, &vk, &c.election, &totals);
    }
    // Checked against another trustee's key, or claiming another index.
    assert_share_fails(share, &c.public.verification_key(3), &c.election, &totals);
    let mut relabelled = share.clone();
    relabelled.trustee = 3;
    assert_share_fails(&relabelled, &c.public.verification_key(3), &c.election, &totals);
    // Another poll, or other ciphertexts.
    let other = ElectionContext { manifest_hash: [1u8; 32], ..c.election.clone() };
    assert_share_fails(share, &vk, &other, &totals);
    let mut moved = totals.clone();
    moved[0] = moved[0].add(&Ciphertext::encrypt(&c.public.joint_key, 0, &SecretScalar::random(&mut rng)));
    assert_share_fails(share, &vk, &c.election, &moved);
    // Wrong number of partials.
    assert!(matches!(
        share.verify(&c.election, &vk, &totals[1..], &mut rng),
        Err(CryptoError::InvalidParameters { step: "V6.2", .. })
    ));
}

#[test]
fn shares_of_many_ciphertexts_batch_and_decrypt_plaintexts() {
    let mut rng = common::insecure_test_rng(45);
    let c = ceremony();
    let plain: Vec<u64> = (0..20).map(|i| (i * 37) % 50).collect();
    let cts: Vec<Ciphertext> = plain
        .iter()
        .map(|m| Ciphertext::encrypt(&c.public.joint_key, *m, &SecretScalar::random(&mut rng)))
        .collect();
    let shares: Vec<DecryptionShare> =
        c.keys[2..].iter().map(|k| k.decrypt(&c.election, &cts, &mut rng).unwrap()).collect();
    let mut batch = BatchVerifier::new(common::insecure_test_rng(46));
    for s in &shares {
        batch.set_tag(u64::from(s.trustee));
        s.add_to_batch(&c.election, &c.public.verification_key(s.trustee), &cts, &mut batch).unwrap();
    }
    assert_eq!(batch.len(), 60);
    batch.verify().unwrap();
    let points = combine(3, &cts, &shares).unwrap();
    let expect: Vec<RistrettoPoint> = plain.iter().map(|m| encode_plaintext(*m)).collect();
    assert_eq!(points, expect);
    let dlog = DiscreteLog::new(49, points.len());
    assert_eq!(points.iter().map(|p| dlog.solve(p).unwrap()).collect::<Vec<_>>(), plain);
    // A plaintext above the bound is reported, not mis-solved.
    assert_eq!(
        DiscreteLog::new(10, 1).solve(&encode_plaintext(11)),
        Err(CryptoError::DiscreteLogOutOfRange { bound: 10 })
    );
}
