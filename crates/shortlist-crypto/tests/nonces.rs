//! Hedged prover nonces (spec: §4.6): a trustee whose RNG repeats, as after a
//! VM snapshot is restored, must not use one nonce for two challenges. The
//! hedge absorbs the whole statement, so a repeated RNG gives different nonces
//! for different statements, and the same proof for the same statement.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use common::hedge::{
    challenge_by_hand, dleq_statement_by_hand, hedged_nonce_by_hand, schnorr_statement_by_hand,
};
use common::{insecure_test_rng, InsecureFixedOutputTestRng, DEFINITION, MANIFEST};
use curve25519_dalek::constants::RISTRETTO_BASEPOINT_POINT;
use merlin::Transcript;
use shortlist_crypto::elgamal::Ciphertext;
use shortlist_crypto::proofs::dleq::{DleqProof, DleqStatement};
use shortlist_crypto::proofs::schnorr::SchnorrProof;
use shortlist_crypto::secret::SecretScalar;
use shortlist_crypto::threshold::{DecryptionShare, KeyShare};
use shortlist_crypto::transcript::ElectionContext;
use shortlist_crypto::{Point, Scalar};

/// What a trustee's RNG returns on every call, before and after the snapshot.
const SNAPSHOT_RNG: [u8; 32] = [0x5a; 32];
const TRUSTEE: u16 = 2;

fn point_of(x: &SecretScalar) -> Point {
    Point::from_point(RISTRETTO_BASEPOINT_POINT * x.expose_secret())
}

fn election(joint_key: Point) -> ElectionContext {
    ElectionContext { manifest_hash: MANIFEST, definition_hash: DEFINITION, joint_key }
}

/// `fork(T_dec, i)` of spec §4.5, with raw merlin calls.
fn decryption_fork_by_hand(ctx: &ElectionContext, count: u64, i: u64) -> Transcript {
    let mut t = Transcript::new(b"shortlist");
    t.append_u64(b"version", 1);
    t.append_message(b"dom-sep", b"decryption");
    t.append_message(b"manifest", &ctx.manifest_hash);
    t.append_message(b"definition", &ctx.definition_hash);
    t.append_message(b"joint-key", &ctx.joint_key.to_bytes());
    t.append_u64(b"trustee", u64::from(TRUSTEE));
    t.append_u64(b"count", count);
    t.append_u64(b"index", i);
    t
}

/// Two tallies of three ciphertexts each that a malicious server could ask a
/// trustee to decrypt, one before and one after restoring its VM.
fn two_tallies(key: &Point, seed: u64) -> (Vec<Ciphertext>, Vec<Ciphertext>) {
    let mut rng = insecure_test_rng(seed);
    let mut tally = |m: u64| -> Vec<Ciphertext> {
        (0..3).map(|_| Ciphertext::encrypt(key, m, &SecretScalar::random(&mut rng))).collect()
    };
    (tally(1), tally(2))
}

fn challenge_of(ctx: &ElectionContext, count: u64, i: u64, st: &DleqStatement, p: &DleqProof) -> Scalar {
    let t = dleq_statement_by_hand(&decryption_fork_by_hand(ctx, count, i), st);
    challenge_by_hand(&t, &[(b"R1", &p.commitment_g), (b"R2", &p.commitment_h)])
}

/// The special-soundness extractor: two proofs with one nonce and two challenges.
fn extract(z1: Scalar, c1: Scalar, z2: Scalar, c2: Scalar) -> Scalar {
    (z1 - z2) * (c1 - c2).invert()
}

#[test]
fn decryption_nonces_differ_across_tallies_when_the_rng_repeats() {
    let mut rng = insecure_test_rng(400);
    let share = KeyShare::new(TRUSTEE, SecretScalar::random(&mut rng));
    let vk = share.verification_key();
    let ctx = election(point_of(&SecretScalar::random(&mut rng)));
    let (tally1, tally2) = two_tallies(&ctx.joint_key, 401);
    // The same RNG state before each decryption: a VM snapshot restored, twice.
    let d1 = share.decrypt(&ctx, &tally1, &mut insecure_test_rng(402)).unwrap();
    let d2 = share.decrypt(&ctx, &tally2, &mut insecure_test_rng(402)).unwrap();
    d1.verify(&ctx, &vk, &tally1, &mut rng).unwrap();
    d2.verify(&ctx, &vk, &tally2, &mut rng).unwrap();
    for i in 0..tally1.len() {
        let (p1, p2) = (&d1.proofs[i], &d2.proofs[i]);
        // R₁ = w·B₀ depends on the nonce alone: different R₁, different nonces.
        assert_ne!(p1.commitment_g, p2.commitment_g, "item {i}: one nonce for two tallies");
        let st1 = DleqStatement { base: tally1[i].a, image_g: vk, image_h: d1.partials[i] };
        let st2 = DleqStatement { base: tally2[i].a, image_g: vk, image_h: d2.partials[i] };
        let (c1, c2) = (challenge_of(&ctx, 3, i as u64, &st1, p1), challenge_of(&ctx, 3, i as u64, &st2, p2));
        assert_ne!(c1, c2);
        let guess = extract(p1.response, c1, p2.response, c2);
        assert_ne!(point_of(&SecretScalar::new(guess)), vk, "item {i}: the key share was extracted");
    }
}

#[test]
fn a_repeated_rng_on_the_same_tally_repeats_the_whole_share() {
    // Same statement, context, witness and RNG: the same nonce, the same
    // challenge and so the same proof, which reveals nothing new.
    let mut rng = insecure_test_rng(410);
    let share = KeyShare::new(TRUSTEE, SecretScalar::random(&mut rng));
    let ctx = election(point_of(&SecretScalar::random(&mut rng)));
    let (tally, _) = two_tallies(&ctx.joint_key, 411);
    let d1 = share.decrypt(&ctx, &tally, &mut InsecureFixedOutputTestRng::new(SNAPSHOT_RNG)).unwrap();
    let d2 = share.decrypt(&ctx, &tally, &mut InsecureFixedOutputTestRng::new(SNAPSHOT_RNG)).unwrap();
    assert_eq!(d1, d2);
}

/// The prover before issue 15: the nonce hedged on `fork(T_dec, i)` alone.
fn context_only_prover(
    ctx: &ElectionContext,
    i: u64,
    st: &DleqStatement,
    s: &SecretScalar,
) -> (Scalar, DleqProof) {
    let w = hedged_nonce_by_hand(&decryption_fork_by_hand(ctx, 3, i), s.expose_secret(), SNAPSHOT_RNG);
    let commitment_g = Point::from_point(RISTRETTO_BASEPOINT_POINT * w);
    let commitment_h = Point::from_point(st.base.point() * w);
    let mut p = DleqProof { commitment_g, commitment_h, response: Scalar::ZERO };
    let c = challenge_of(ctx, 3, i, st, &p);
    p.response = w + c * s.expose_secret();
    (w, p)
}

#[test]
fn the_context_only_hedge_gave_away_the_key_share_and_the_statement_hedge_does_not() {
    let mut rng = insecure_test_rng(420);
    let s = SecretScalar::random(&mut rng);
    let share = KeyShare::new(TRUSTEE, s.clone());
    let vk = share.verification_key();
    let ctx = election(point_of(&SecretScalar::random(&mut rng)));
    let (tally1, tally2) = two_tallies(&ctx.joint_key, 421);
    let statement = |ct: &Ciphertext| DleqStatement {
        base: ct.a,
        image_g: vk,
        image_h: Point::from_point(ct.a.point() * s.expose_secret()),
    };
    let (st1, st2) = (statement(&tally1[0]), statement(&tally2[0]));

    // Before: the same nonce for both tallies; both proofs verify, and together they give `s`.
    let (w1, old1) = context_only_prover(&ctx, 0, &st1, &s);
    let (w2, old2) = context_only_prover(&ctx, 0, &st2, &s);
    assert_eq!(w1, w2);
    let t = decryption_fork_by_hand(&ctx, 3, 0);
    old1.verify(&t, &st1, &mut rng).unwrap();
    old2.verify(&t, &st2, &mut rng).unwrap();
    let (c1, c2) = (challenge_of(&ctx, 3, 0, &st1, &old1), challenge_of(&ctx, 3, 0, &st2, &old2));
    assert_eq!(extract(old1.response, c1, old2.response, c2), *s.expose_secret());

    // Now: the crate's prover with the same repeated RNG uses neither that nonce nor one nonce twice.
    let d1 = share.decrypt(&ctx, &tally1, &mut InsecureFixedOutputTestRng::new(SNAPSHOT_RNG)).unwrap();
    let d2 = share.decrypt(&ctx, &tally2, &mut InsecureFixedOutputTestRng::new(SNAPSHOT_RNG)).unwrap();
    let (new1, new2) = (&d1.proofs[0], &d2.proofs[0]);
    assert_ne!(new1.commitment_g, old1.commitment_g);
    assert_ne!(new1.commitment_g, new2.commitment_g);
    for (st, p) in [(&st1, new1), (&st2, new2)] {
        let w = hedged_nonce_by_hand(&dleq_statement_by_hand(&t, st), s.expose_secret(), SNAPSHOT_RNG);
        assert_eq!(p.commitment_g, Point::from_point(RISTRETTO_BASEPOINT_POINT * w), "nonce of spec §4.6");
    }
    let (c1, c2) = (challenge_of(&ctx, 3, 0, &st1, new1), challenge_of(&ctx, 3, 0, &st2, new2));
    assert_ne!(extract(new1.response, c1, new2.response, c2), *s.expose_secret());
    let check =
        |d: &DecryptionShare, tally: &[Ciphertext]| d.verify(&ctx, &vk, tally, &mut insecure_test_rng(0));
    check(&d1, &tally1).unwrap();
    check(&d2, &tally2).unwrap();
}

fn ceremony_context() -> Transcript {
    let mut t = Transcript::new(b"shortlist");
    t.append_u64(b"version", 1);
    t.append_message(b"dom-sep", b"key-ceremony");
    t.append_message(b"manifest", &MANIFEST);
    t.append_u64(b"n", 3);
    t.append_u64(b"t", 2);
    t
}

#[test]
fn schnorr_nonces_differ_across_statements_when_the_rng_repeats() {
    let mut rng = insecure_test_rng(430);
    let mut context = ceremony_context();
    context.append_u64(b"trustee", 1);
    context.append_u64(b"index", 0);
    let prove = |x: &SecretScalar| {
        SchnorrProof::prove(&context, &point_of(x), x, &mut InsecureFixedOutputTestRng::new(SNAPSHOT_RNG))
            .unwrap()
    };
    let (x1, x2) = (SecretScalar::random(&mut rng), SecretScalar::random(&mut rng));
    let (p1, p2) = (prove(&x1), prove(&x2));
    assert_ne!(p1.commitment, p2.commitment);
    // The nonce is hedged on the statement `X`, not on the context alone.
    for (x, p) in [(&x1, &p1), (&x2, &p2)] {
        let key = point_of(x);
        let w =
            hedged_nonce_by_hand(&schnorr_statement_by_hand(&context, &key), x.expose_secret(), SNAPSHOT_RNG);
        assert_eq!(p.commitment, Point::from_point(RISTRETTO_BASEPOINT_POINT * w));
        let old = hedged_nonce_by_hand(&context, x.expose_secret(), SNAPSHOT_RNG);
        assert_ne!(p.commitment, Point::from_point(RISTRETTO_BASEPOINT_POINT * old));
        p.verify(&context, &key, &mut rng).unwrap();
    }
    // The same statement again: the same proof (same nonce, same challenge).
    assert_eq!(prove(&x1), p1);
}

#[test]
fn complaint_nonces_differ_across_statements_when_the_rng_repeats() {
    // One recipient key e_j, one complaint context, two senders' keys E_i as H.
    let mut rng = insecure_test_rng(440);
    let mut context = ceremony_context();
    context.append_message(b"dom-sep", b"complaint");
    context.append_u64(b"sender", 1);
    context.append_u64(b"recipient", 2);
    let e = SecretScalar::random(&mut rng);
    let statement = |h: Point| DleqStatement {
        base: h,
        image_g: point_of(&e),
        image_h: Point::from_point(h.point() * e.expose_secret()),
    };
    let st1 = statement(point_of(&SecretScalar::random(&mut rng)));
    let st2 = statement(point_of(&SecretScalar::random(&mut rng)));
    let prove = |st: &DleqStatement| {
        DleqProof::prove(&context, st, &e, &mut InsecureFixedOutputTestRng::new(SNAPSHOT_RNG))
    };
    let (p1, p2) = (prove(&st1).unwrap(), prove(&st2).unwrap());
    assert_ne!(p1.commitment_g, p2.commitment_g);
    for (st, p) in [(&st1, &p1), (&st2, &p2)] {
        let w = hedged_nonce_by_hand(&dleq_statement_by_hand(&context, st), e.expose_secret(), SNAPSHOT_RNG);
        assert_eq!(p.commitment_g, Point::from_point(RISTRETTO_BASEPOINT_POINT * w));
        assert_eq!(p.commitment_h, Point::from_point(st.base.point() * w));
    }
    assert_eq!(prove(&st1).unwrap(), p1);
}
