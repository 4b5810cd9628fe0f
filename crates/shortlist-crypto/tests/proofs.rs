//! The zero-knowledge proofs (spec: §5) and ballots (spec: §8): completeness,
//! soundness against every tampered component, binding to their context,
//! out-of-range plaintexts, randomized batch verification that names the
//! culprit, and Benaloh audits.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

mod common;

use common::{disjunctive_fields, tamper, Field};
use curve25519_dalek::constants::{RISTRETTO_BASEPOINT_POINT, RISTRETTO_BASEPOINT_TABLE};
use curve25519_dalek::ristretto::RistrettoPoint;
use rand_chacha::ChaCha20Rng;
use shortlist_crypto::ballot::{BallotContext, ContestShape, EncryptedContest};
use shortlist_crypto::batch::{BatchVerifier, ItemLabel};
use shortlist_crypto::elgamal::{Ciphertext, Encrypter, SecretKey};
use shortlist_crypto::proofs::bit::{BitProof, BIT_KIND};
use shortlist_crypto::proofs::dleq::{DleqProof, DleqStatement};
use shortlist_crypto::proofs::range::{RangeProof, RANGE_KIND};
use shortlist_crypto::proofs::schnorr::SchnorrProof;
use shortlist_crypto::secret::SecretScalar;
use shortlist_crypto::transcript::{protocol_transcript, ElectionContext, TranscriptExt};
use shortlist_crypto::{CryptoError, Point, Scalar};

/// A proof context: a fresh protocol transcript that has absorbed `$tag`.
macro_rules! test_context {
    ($tag:expr) => {{
        let mut t = protocol_transcript();
        t.append_hash(b"manifest", &$tag);
        t
    }};
}

fn key_pair(rng: &mut ChaCha20Rng) -> (SecretScalar, Point) {
    let x = SecretScalar::random(rng);
    let key = SecretKey::from_secret(x.clone()).public_key();
    (x, key)
}

fn random_point(rng: &mut ChaCha20Rng) -> Point {
    Point::from_point(RistrettoPoint::random(rng))
}

fn failed(step: &'static str, proof: &'static str) -> CryptoError {
    CryptoError::ProofFailed { step, proof, context: None }
}

// ---------------------------------------------------------------------------
// Schnorr (spec: §5.1, V2.1)
// ---------------------------------------------------------------------------

#[test]
fn schnorr_is_complete_sound_and_bound_to_its_context() {
    let mut rng = common::insecure_test_rng(20);
    let ctx = test_context!([1u8; 32]);
    for _ in 0..3 {
        let (x, key) = key_pair(&mut rng);
        let proof = SchnorrProof::prove(&ctx, &key, &x, &mut rng).unwrap();
        proof.verify(&ctx, &key, &mut rng).unwrap();
        let bytes = proof.to_bytes();
        for (name, at, field) in [("R", 0, Field::Point), ("z", 32, Field::Scalar)] {
            let bad = SchnorrProof::from_bytes(&tamper(&bytes, at, field)).unwrap();
            assert_eq!(bad.verify(&ctx, &key, &mut rng), Err(failed("V2.1", "Schnorr")), "tampered {name}");
        }
        // Another context, another key.
        assert!(proof.verify(&test_context!([2u8; 32]), &key, &mut rng).is_err());
        let (_, other_key) = key_pair(&mut rng);
        assert!(proof.verify(&ctx, &other_key, &mut rng).is_err());
        // The prover checks its own output: a wrong secret gives no proof.
        let (wrong, _) = key_pair(&mut rng);
        assert_eq!(SchnorrProof::prove(&ctx, &key, &wrong, &mut rng), Err(failed("V2.1", "Schnorr")));
    }
}

// ---------------------------------------------------------------------------
// Chaum–Pedersen (spec: §5.2, V2.2)
// ---------------------------------------------------------------------------

#[test]
fn dleq_is_complete_sound_and_bound_to_its_statement() {
    let mut rng = common::insecure_test_rng(21);
    let ctx = test_context!([1u8; 32]);
    for _ in 0..3 {
        let (x, image_g) = key_pair(&mut rng);
        let base = random_point(&mut rng);
        let st =
            DleqStatement { base, image_g, image_h: Point::from_point(x.expose_secret() * base.point()) };
        let proof = DleqProof::prove(&ctx, &st, &x, &mut rng).unwrap();
        proof.verify(&ctx, &st, &mut rng).unwrap();
        let bytes = proof.to_bytes();
        for (name, at, field) in [("R1", 0, Field::Point), ("R2", 32, Field::Point), ("z", 64, Field::Scalar)]
        {
            let bad = DleqProof::from_bytes(&tamper(&bytes, at, field)).unwrap();
            assert_eq!(
                bad.verify(&ctx, &st, &mut rng),
                Err(failed("V2.2", "Chaum–Pedersen")),
                "tampered {name}"
            );
        }
        assert!(proof.verify(&test_context!([2u8; 32]), &st, &mut rng).is_err());
        let other = random_point(&mut rng);
        for moved in [
            DleqStatement { base: other, ..st },
            DleqStatement { image_g: other, ..st },
            DleqStatement { image_h: other, ..st },
        ] {
            assert!(proof.verify(&ctx, &moved, &mut rng).is_err(), "{moved:?}");
        }
        // Unequal logs cannot be proven.
        let (y, _) = key_pair(&mut rng);
        let lie = DleqStatement { image_h: Point::from_point(y.expose_secret() * base.point()), ..st };
        assert_eq!(DleqProof::prove(&ctx, &lie, &x, &mut rng), Err(failed("V2.2", "Chaum–Pedersen")));
    }
}

// ---------------------------------------------------------------------------
// 0-or-1 proofs (spec: §5.3, V2.3)
// ---------------------------------------------------------------------------

/// `(r·B₀, v·B₀ + r·K)` for any integer `v`, negative included.
fn encrypt_signed(key: &Point, v: i64, r: &SecretScalar) -> Ciphertext {
    let m = if v < 0 { -Scalar::from(v.unsigned_abs()) } else { Scalar::from(v.unsigned_abs()) };
    let a = r.expose_secret() * RISTRETTO_BASEPOINT_TABLE;
    let b = m * RISTRETTO_BASEPOINT_POINT + r.expose_secret() * key.point();
    Ciphertext { a: Point::from_point(a), b: Point::from_point(b) }
}

#[test]
fn bit_proof_is_complete_sound_and_bound_to_its_context() {
    let mut rng = common::insecure_test_rng(22);
    let ctx = test_context!([1u8; 32]);
    let (_, key) = key_pair(&mut rng);
    let enc = Encrypter::new(&key);
    for m in [0u16, 1] {
        let r = SecretScalar::random(&mut rng);
        let ct = Ciphertext::encrypt(&key, u64::from(m), &r);
        let proof = BitProof::prove(&ctx, &enc, &ct, m, &r, &mut rng).unwrap();
        proof.verify(&ctx, &key, &ct, &mut rng).unwrap();
        let bytes = proof.to_bytes();
        let fields = disjunctive_fields(0, 2);
        assert_eq!(fields.len(), 7);
        for (name, at, field) in fields {
            let bad = BitProof::from_bytes(&tamper(&bytes, at, field)).unwrap();
            assert_eq!(
                bad.verify(&ctx, &key, &ct, &mut rng),
                Err(failed("V2.3", BIT_KIND)),
                "m = {m}: tampered {name}"
            );
        }
        assert!(proof.verify(&test_context!([2u8; 32]), &key, &ct, &mut rng).is_err());
        let (_, other_key) = key_pair(&mut rng);
        assert!(proof.verify(&ctx, &other_key, &ct, &mut rng).is_err());
        let same_m = Ciphertext::encrypt(&key, u64::from(m), &SecretScalar::random(&mut rng));
        assert!(proof.verify(&ctx, &key, &same_m, &mut rng).is_err());
    }
}

#[test]
fn bit_proof_cannot_be_made_for_two_or_minus_one() {
    let mut rng = common::insecure_test_rng(23);
    let ctx = test_context!([1u8; 32]);
    let (_, key) = key_pair(&mut rng);
    let enc = Encrypter::new(&key);
    let r = SecretScalar::random(&mut rng);
    let two = Ciphertext::encrypt(&key, 2, &r);
    assert_eq!(two, encrypt_signed(&key, 2, &r));
    let minus_one = encrypt_signed(&key, -1, &r);

    // The prover refuses a plaintext outside {0, 1}.
    assert!(matches!(
        BitProof::prove(&ctx, &enc, &two, 2, &r, &mut rng),
        Err(CryptoError::InvalidSelection { .. })
    ));
    // Claiming 0 or 1 for these ciphertexts: the prover's self-check refuses.
    for ct in [&two, &minus_one] {
        for m in [0u16, 1] {
            assert_eq!(BitProof::prove(&ctx, &enc, ct, m, &r, &mut rng), Err(failed("V2.3", BIT_KIND)));
        }
    }
    // A proof made for an honest ciphertext with the same randomness, then
    // attached to the encryption of 2 or −1, is rejected.
    for (m, ct) in [(1u16, &two), (0, &minus_one), (1, &minus_one)] {
        let honest = Ciphertext::encrypt(&key, u64::from(m), &r);
        let proof = BitProof::prove(&ctx, &enc, &honest, m, &r, &mut rng).unwrap();
        assert_eq!(proof.verify(&ctx, &key, ct, &mut rng), Err(failed("V2.3", BIT_KIND)));
    }
}

// ---------------------------------------------------------------------------
// Range proofs (spec: §5.4, V2.4)
// ---------------------------------------------------------------------------

#[test]
fn range_proof_is_complete_for_every_value_and_sound_against_tampering() {
    let mut rng = common::insecure_test_rng(24);
    let ctx = test_context!([1u8; 32]);
    let (_, key) = key_pair(&mut rng);
    let enc = Encrypter::new(&key);
    for (min, max) in [(0u16, 0u16), (0, 3), (2, 5)] {
        for m in min..=max {
            let r = SecretScalar::random(&mut rng);
            let ct = Ciphertext::encrypt(&key, u64::from(m), &r);
            let proof = RangeProof::prove(&ctx, &enc, &ct, min, max, m, &r, &mut rng).unwrap();
            proof.verify(&ctx, &key, &ct, &mut rng).unwrap();
            assert!(proof.verify(&test_context!([2u8; 32]), &key, &ct, &mut rng).is_err());
            let bytes = proof.to_bytes();
            let k = usize::from(max - min) + 1;
            for (name, at, field) in disjunctive_fields(4, k) {
                let bad = RangeProof::from_bytes(&tamper(&bytes, at, field)).unwrap();
                assert_eq!(
                    bad.verify(&ctx, &key, &ct, &mut rng),
                    Err(failed("V2.4", RANGE_KIND)),
                    "[{min}, {max}] m = {m}: tampered {name}"
                );
            }
            // The same branches relabelled as another range of the same width.
            let mut shifted = bytes.clone();
            shifted[0..2].copy_from_slice(&(min + 1).to_be_bytes());
            shifted[2..4].copy_from_slice(&(max + 1).to_be_bytes());
            let shifted = RangeProof::from_bytes(&shifted).unwrap();
            assert_eq!(shifted.verify(&ctx, &key, &ct, &mut rng), Err(failed("V2.4", RANGE_KIND)));
            // A wider range than the proof has branches for.
            let mut wider = proof.clone();
            wider.max += 1;
            assert!(wider.verify(&ctx, &key, &ct, &mut rng).is_err());
            let mut empty = proof.clone();
            empty.min = max + 1;
            assert!(matches!(
                empty.verify(&ctx, &key, &ct, &mut rng),
                Err(CryptoError::InvalidParameters { step: "V2.4", .. })
            ));
        }
    }
}

#[test]
fn range_proof_cannot_be_made_outside_the_range() {
    let mut rng = common::insecure_test_rng(25);
    let ctx = test_context!([1u8; 32]);
    let (_, key) = key_pair(&mut rng);
    let enc = Encrypter::new(&key);
    let (min, max) = (1u16, 3u16);
    for m in [0u16, 4, 9] {
        let r = SecretScalar::random(&mut rng);
        let ct = Ciphertext::encrypt(&key, u64::from(m), &r);
        assert!(matches!(
            RangeProof::prove(&ctx, &enc, &ct, min, max, m, &r, &mut rng),
            Err(CryptoError::InvalidSelection { .. })
        ));
        for claim in min..=max {
            assert_eq!(
                RangeProof::prove(&ctx, &enc, &ct, min, max, claim, &r, &mut rng),
                Err(failed("V2.4", RANGE_KIND))
            );
            let honest = Ciphertext::encrypt(&key, u64::from(claim), &r);
            let lifted = RangeProof::prove(&ctx, &enc, &honest, min, max, claim, &r, &mut rng).unwrap();
            assert_eq!(lifted.verify(&ctx, &key, &ct, &mut rng), Err(failed("V2.4", RANGE_KIND)));
        }
    }
}

// ---------------------------------------------------------------------------
// Ballots (spec: §8, V3)
// ---------------------------------------------------------------------------

struct Poll {
    election: ElectionContext,
    enc: Encrypter,
    shape: ContestShape,
}

fn poll(rng: &mut ChaCha20Rng, shape: ContestShape) -> Poll {
    let (_, key) = key_pair(rng);
    let election = ElectionContext { manifest_hash: [1u8; 32], definition_hash: [2u8; 32], joint_key: key };
    Poll { election, enc: Encrypter::new(&key), shape }
}

const SHAPE: ContestShape = ContestShape { contest_id: 7, candidates: 4, min: 1, max: 2 };

fn cast(p: &Poll, credential: &[u8; 32], selections: &[bool], rng: &mut ChaCha20Rng) -> EncryptedContest {
    let ctx = BallotContext { election: &p.election, credential };
    EncryptedContest::encrypt(&p.enc, &ctx, &p.shape, selections, rng).unwrap().0
}

fn bits(n: usize, mask: u32) -> Vec<bool> {
    (0..n).map(|i| mask & (1 << i) != 0).collect()
}

#[test]
fn every_selection_within_the_limits_encrypts_and_verifies() {
    let mut rng = common::insecure_test_rng(26);
    for shape in [
        SHAPE,
        ContestShape { contest_id: 1, candidates: 1, min: 0, max: 1 },
        ContestShape { contest_id: 2, candidates: 3, min: 0, max: 0 },
        ContestShape { contest_id: 3, candidates: 3, min: 3, max: 3 },
    ] {
        let p = poll(&mut rng, shape);
        let n = usize::from(shape.candidates);
        let cred = [3u8; 32];
        let ctx = BallotContext { election: &p.election, credential: &cred };
        for mask in 0..(1u32 << n) {
            let sel = bits(n, mask);
            let total = sel.iter().filter(|s| **s).count();
            let result = EncryptedContest::encrypt(&p.enc, &ctx, &shape, &sel, &mut rng);
            if (usize::from(shape.min)..=usize::from(shape.max)).contains(&total) {
                let (contest, _) = result.unwrap();
                contest.verify(&ctx, &shape, &mut rng).unwrap();
            } else {
                assert!(matches!(result, Err(CryptoError::InvalidSelection { .. })), "{sel:?} in {shape:?}");
            }
        }
    }
}

#[test]
fn encrypt_refuses_bad_selections_and_a_foreign_key() {
    let mut rng = common::insecure_test_rng(27);
    let p = poll(&mut rng, SHAPE);
    let cred = [3u8; 32];
    let ctx = BallotContext { election: &p.election, credential: &cred };
    for sel in [
        vec![true, true, true, false],         // max + 1
        vec![false; 4],                        // min − 1
        vec![true, false, false],              // too few candidates
        vec![true, false, false, false, true], // too many
    ] {
        assert!(
            matches!(
                EncryptedContest::encrypt(&p.enc, &ctx, &SHAPE, &sel, &mut rng),
                Err(CryptoError::InvalidSelection { .. })
            ),
            "{sel:?}"
        );
    }
    let (_, other) = key_pair(&mut rng);
    let sel = [true, false, false, false];
    assert!(matches!(
        EncryptedContest::encrypt(&Encrypter::new(&other), &ctx, &SHAPE, &sel, &mut rng),
        Err(CryptoError::InvalidParameters { step: "V3.1", .. })
    ));
    for bad_shape in [
        ContestShape { candidates: 0, min: 0, max: 0, ..SHAPE },
        ContestShape { min: 3, max: 2, ..SHAPE },
        ContestShape { max: 5, ..SHAPE },
        ContestShape { candidates: 1025, ..SHAPE },
        // 1025 range branches: more than a range proof may have (V2.4).
        ContestShape { candidates: 1024, min: 0, max: 1024, ..SHAPE },
    ] {
        assert!(matches!(
            EncryptedContest::encrypt(&p.enc, &ctx, &bad_shape, &sel, &mut rng),
            Err(CryptoError::InvalidParameters { step: "V3.1", .. })
        ));
        assert!(bad_shape.validate().is_err(), "{bad_shape:?}");
    }
    ContestShape { candidates: 1024, min: 1, max: 1024, ..SHAPE }.validate().unwrap();
}

fn assert_ballot_fails(contest: &EncryptedContest, ctx: &BallotContext<'_>, step: &str, culprit: &str) {
    let mut rng = common::insecure_test_rng(0);
    match contest.verify(ctx, &SHAPE, &mut rng) {
        Err(CryptoError::ProofFailed { step: s, proof: "ballot", context: Some(c) }) => {
            assert_eq!(s, step, "{c}");
            assert!(c.contains(culprit), "{c} does not name {culprit}");
        }
        other => panic!("expected {step} naming {culprit}, got {other:?}"),
    }
}

#[test]
fn ballot_rejects_every_tampered_proof_component() {
    let mut rng = common::insecure_test_rng(28);
    let p = poll(&mut rng, SHAPE);
    let cred = [3u8; 32];
    let ctx = BallotContext { election: &p.election, credential: &cred };
    let contest = cast(&p, &cred, &[true, false, true, false], &mut rng);
    contest.verify(&ctx, &SHAPE, &mut rng).unwrap();

    for i in 0..contest.bit_proofs.len() {
        let bytes = contest.bit_proofs[i].to_bytes();
        for (name, at, field) in disjunctive_fields(0, 2) {
            let mut bad = contest.clone();
            bad.bit_proofs[i] = BitProof::from_bytes(&tamper(&bytes, at, field)).unwrap();
            assert_ballot_fails(&bad, &ctx, "V3.3", &format!("#0 bit proof {i}"));
            // Exactly that proof fails.
            let mut batch = BatchVerifier::new(common::insecure_test_rng(1));
            let key = batch.shared_base(&p.election.joint_key);
            bad.add_to_batch(&ctx, &SHAPE, key, &mut batch).unwrap();
            let culprits = batch.failing_items();
            let want = ItemLabel { tag: 0, kind: BIT_KIND, index: u32::try_from(i).unwrap() };
            assert_eq!(culprits, vec![want], "bit proof {i}, {name}");
        }
    }
    let bytes = contest.range_proof.to_bytes();
    for (name, at, field) in disjunctive_fields(4, 2) {
        let mut bad = contest.clone();
        bad.range_proof = RangeProof::from_bytes(&tamper(&bytes, at, field)).unwrap();
        assert_ballot_fails(&bad, &ctx, "V3.4", "range proof 4");
        let _ = name;
    }
    // Any ciphertext component replaced by another point.
    for i in 0..contest.ciphertexts.len() {
        for which in 0..2 {
            let mut bad = contest.clone();
            let ct = &mut bad.ciphertexts[i];
            let slot = if which == 0 { &mut ct.a } else { &mut ct.b };
            *slot = Point::from_point(slot.point() + RISTRETTO_BASEPOINT_POINT);
            assert!(bad.verify(&ctx, &SHAPE, &mut rng).is_err(), "ciphertext {i}, component {which}");
        }
    }
    // A = identity is refused before any proof is checked.
    let mut bad = contest.clone();
    bad.ciphertexts[1].a = Point::identity();
    assert!(matches!(
        bad.verify(&ctx, &SHAPE, &mut rng),
        Err(CryptoError::InvalidParameters { step: "V3.2", .. })
    ));
    // Two bit proofs swapped.
    let mut bad = contest.clone();
    bad.bit_proofs.swap(0, 1);
    assert_ballot_fails(&bad, &ctx, "V3.3", "bit proof 0");
}

#[test]
fn ballot_is_bound_to_poll_contest_credential_and_ciphertexts() {
    let mut rng = common::insecure_test_rng(29);
    let p = poll(&mut rng, SHAPE);
    let cred = [3u8; 32];
    let ctx = BallotContext { election: &p.election, credential: &cred };
    let contest = cast(&p, &cred, &[false, true, true, false], &mut rng);
    contest.verify(&ctx, &SHAPE, &mut rng).unwrap();

    let (_, other_key) = key_pair(&mut rng);
    let elections = [
        ElectionContext { manifest_hash: [9u8; 32], ..p.election.clone() },
        ElectionContext { definition_hash: [9u8; 32], ..p.election.clone() },
        ElectionContext { joint_key: other_key, ..p.election.clone() },
    ];
    for election in &elections {
        let moved = BallotContext { election, credential: &cred };
        assert!(contest.verify(&moved, &SHAPE, &mut rng).is_err(), "{election:?}");
    }
    let other_cred = [4u8; 32];
    let moved = BallotContext { election: &p.election, credential: &other_cred };
    assert!(contest.verify(&moved, &SHAPE, &mut rng).is_err(), "copied to another credential");

    // Another contest id: refused as a shape mismatch, and if relabelled
    // consistently, the proofs fail.
    let other_shape = ContestShape { contest_id: 8, ..SHAPE };
    assert!(matches!(
        contest.verify(&ctx, &other_shape, &mut rng),
        Err(CryptoError::InvalidParameters { step: "V3.1", .. })
    ));
    let mut relabelled = contest.clone();
    relabelled.contest_id = 8;
    assert!(matches!(
        relabelled.verify(&ctx, &other_shape, &mut rng),
        Err(CryptoError::ProofFailed { proof: "ballot", .. })
    ));
    // Another shape with the same id.
    assert!(contest.verify(&ctx, &ContestShape { max: 3, ..SHAPE }, &mut rng).is_err());

    // A ciphertext, or a ciphertext with its bit proof, taken from another ballot.
    let other = cast(&p, &cred, &[false, true, true, false], &mut rng);
    let mut mixed = contest.clone();
    mixed.ciphertexts[1] = other.ciphertexts[1];
    assert!(mixed.verify(&ctx, &SHAPE, &mut rng).is_err());
    mixed.bit_proofs[1] = other.bit_proofs[1].clone();
    assert!(mixed.verify(&ctx, &SHAPE, &mut rng).is_err());
    let mut mixed = contest.clone();
    mixed.range_proof = other.range_proof.clone();
    assert_ballot_fails(&mixed, &ctx, "V3.4", "range proof");
}

/// A contest whose total is max + 1 cannot carry a valid range proof: neither
/// the encrypter's nor one lifted from a valid ballot.
#[test]
fn a_total_of_max_plus_one_is_refused_and_a_lifted_range_proof_rejected() {
    let mut rng = common::insecure_test_rng(30);
    let p = poll(&mut rng, SHAPE);
    let cred = [3u8; 32];
    let ctx = BallotContext { election: &p.election, credential: &cred };
    let over = [true, true, true, false];
    assert!(matches!(
        EncryptedContest::encrypt(&p.enc, &ctx, &SHAPE, &over, &mut rng),
        Err(CryptoError::InvalidSelection { .. })
    ));
    // Valid bit proofs on three selections, from a looser shape with the same id.
    let loose = ContestShape { max: 3, ..SHAPE };
    let (three, _) = EncryptedContest::encrypt(&p.enc, &ctx, &loose, &over, &mut rng).unwrap();
    three.verify(&ctx, &loose, &mut rng).unwrap();
    assert!(three.verify(&ctx, &SHAPE, &mut rng).is_err(), "its own range proof says [1, 3]");

    let valid = cast(&p, &cred, &[true, true, false, false], &mut rng);
    let mut lifted = three.clone();
    lifted.range_proof = valid.range_proof.clone();
    assert_ballot_fails(&lifted, &ctx, "V3.4", "#0 range proof 4");
    // Only the range proof fails: the bit proofs are genuine.
    let mut batch = BatchVerifier::new(common::insecure_test_rng(1));
    let key = batch.shared_base(&p.election.joint_key);
    lifted.add_to_batch(&ctx, &SHAPE, key, &mut batch).unwrap();
    assert_eq!(batch.failing_items(), vec![ItemLabel { tag: 0, kind: RANGE_KIND, index: 4 }]);

    // A standalone range proof for [1, 2] lifted onto the sum of three selections.
    let ctx_t = test_context!([1u8; 32]);
    let r = SecretScalar::random(&mut rng);
    let two = Ciphertext::encrypt(&p.election.joint_key, 2, &r);
    let proof = RangeProof::prove(&ctx_t, &p.enc, &two, 1, 2, 2, &r, &mut rng).unwrap();
    let three_ct = Ciphertext::encrypt(&p.election.joint_key, 3, &r);
    assert!(proof.verify(&ctx_t, &p.election.joint_key, &three_ct, &mut rng).is_err());
}

// ---------------------------------------------------------------------------
// Batch verification (spec: §5.5)
// ---------------------------------------------------------------------------

fn twenty_ballots(p: &Poll, rng: &mut ChaCha20Rng) -> Vec<([u8; 32], EncryptedContest)> {
    (0..20u8)
        .map(|i| {
            let cred = [i; 32];
            let sel = bits(4, [1, 3, 5, 8, 12][usize::from(i) % 5]);
            (cred, cast(p, &cred, &sel, rng))
        })
        .collect()
}

fn batch_of(p: &Poll, ballots: &[([u8; 32], EncryptedContest)]) -> BatchVerifier {
    let mut batch = BatchVerifier::new(common::insecure_test_rng(2));
    let key = batch.shared_base(&p.election.joint_key);
    for (i, (cred, c)) in ballots.iter().enumerate() {
        batch.set_tag(u64::try_from(i).unwrap());
        let ctx = BallotContext { election: &p.election, credential: cred };
        c.add_to_batch(&ctx, &SHAPE, key, &mut batch).unwrap();
    }
    batch
}

#[test]
fn batch_of_twenty_ballots_names_exactly_the_tampered_proofs() {
    let mut rng = common::insecure_test_rng(31);
    let p = poll(&mut rng, SHAPE);
    let mut ballots = twenty_ballots(&p, &mut rng);
    let honest = batch_of(&p, &ballots);
    assert_eq!(honest.len(), 20 * 5);
    assert!(honest.failing_items().is_empty());
    honest.verify().unwrap();

    // One response of ballot 13's bit proof for candidate 2, changed by one.
    let bytes = ballots[13].1.bit_proofs[2].to_bytes();
    ballots[13].1.bit_proofs[2] = BitProof::from_bytes(&tamper(&bytes, 192, Field::Scalar)).unwrap();
    let batch = batch_of(&p, &ballots);
    assert_eq!(batch.failing_items(), vec![ItemLabel { tag: 13, kind: BIT_KIND, index: 2 }]);
    assert_eq!(
        batch.verify(),
        Err(CryptoError::BatchFailed { culprits: vec!["#13 bit proof 2".to_owned()] })
    );

    // And ballot 5's range proof too: both are named, in board order.
    let bytes = ballots[5].1.range_proof.to_bytes();
    ballots[5].1.range_proof = RangeProof::from_bytes(&tamper(&bytes, 4, Field::Point)).unwrap();
    let batch = batch_of(&p, &ballots);
    assert_eq!(
        batch.failing_items(),
        vec![
            ItemLabel { tag: 5, kind: RANGE_KIND, index: 4 },
            ItemLabel { tag: 13, kind: BIT_KIND, index: 2 },
        ]
    );
    assert_eq!(
        batch.verify(),
        Err(CryptoError::BatchFailed {
            culprits: vec!["#5 range proof 4".to_owned(), "#13 bit proof 2".to_owned()]
        })
    );
}

#[test]
fn batch_mixes_proof_types_and_an_empty_batch_passes() {
    let mut rng = common::insecure_test_rng(32);
    BatchVerifier::new(common::insecure_test_rng(3)).verify().unwrap();
    let ctx = test_context!([1u8; 32]);
    let mut batch = BatchVerifier::new(common::insecure_test_rng(3));
    let mut schnorrs = Vec::new();
    for i in 0..5u32 {
        let (x, key) = key_pair(&mut rng);
        let proof = SchnorrProof::prove(&ctx, &key, &x, &mut rng).unwrap();
        schnorrs.push((key, proof));
        let base = random_point(&mut rng);
        let st = DleqStatement {
            base,
            image_g: key,
            image_h: Point::from_point(x.expose_secret() * base.point()),
        };
        let mut dleq = DleqProof::prove(&ctx, &st, &x, &mut rng).unwrap();
        if i == 3 {
            dleq.response += Scalar::ONE;
        }
        batch.set_tag(100 + u64::from(i));
        schnorrs.last().unwrap().1.add_to_batch(&ctx, &key, &mut batch, i);
        dleq.add_to_batch(&ctx, &st, &mut batch, i);
    }
    assert_eq!(batch.len(), 10);
    assert_eq!(batch.failing_items(), vec![ItemLabel { tag: 103, kind: "chaum-pedersen", index: 3 }]);
    assert_eq!(
        batch.verify(),
        Err(CryptoError::BatchFailed { culprits: vec!["#103 chaum-pedersen 3".into()] })
    );
}

// ---------------------------------------------------------------------------
// Benaloh audit (spec: §8.4, V3.5)
// ---------------------------------------------------------------------------

#[test]
fn audit_opening_matches_and_any_change_is_named() {
    let mut rng = common::insecure_test_rng(33);
    let p = poll(&mut rng, SHAPE);
    let key = p.election.joint_key;
    let cred = [3u8; 32];
    let ctx = BallotContext { election: &p.election, credential: &cred };
    let sel = [false, true, false, true];
    let (contest, secrets) = EncryptedContest::encrypt(&p.enc, &ctx, &SHAPE, &sel, &mut rng).unwrap();
    let opening = secrets.open();
    assert_eq!(opening.contest_id, SHAPE.contest_id);
    assert_eq!(opening.selections, vec![0, 1, 0, 1]);
    contest.check_opening(&key, &opening).unwrap();

    for i in 0..4 {
        let mut flipped = opening.clone();
        flipped.selections[i] ^= 1;
        assert_eq!(contest.check_opening(&key, &flipped), Err(CryptoError::AuditMismatch { candidate: i }));
        let mut two = opening.clone();
        two.selections[i] = 2;
        assert_eq!(contest.check_opening(&key, &two), Err(CryptoError::AuditMismatch { candidate: i }));
        let mut moved = opening.clone();
        moved.randomness[i] += Scalar::ONE;
        assert_eq!(contest.check_opening(&key, &moved), Err(CryptoError::AuditMismatch { candidate: i }));
    }
    // Under another key, the first ciphertext already fails.
    let (_, other) = key_pair(&mut rng);
    assert_eq!(contest.check_opening(&other, &opening), Err(CryptoError::AuditMismatch { candidate: 0 }));
    // Another ballot with the same selections does not open with this randomness.
    let (again, _) = EncryptedContest::encrypt(&p.enc, &ctx, &SHAPE, &sel, &mut rng).unwrap();
    assert_eq!(again.check_opening(&key, &opening), Err(CryptoError::AuditMismatch { candidate: 0 }));
    // Wrong contest id or size.
    let mut wrong_id = opening.clone();
    wrong_id.contest_id += 1;
    let mut short = opening.clone();
    short.selections.pop();
    short.randomness.pop();
    for bad in [wrong_id, short] {
        assert!(matches!(
            contest.check_opening(&key, &bad),
            Err(CryptoError::InvalidParameters { step: "V3.5", .. })
        ));
    }
}
