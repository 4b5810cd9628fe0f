//! The dealerless key ceremony (spec: §6, V5): honest runs for random `(n, t)`,
//! bad shares detected and blamed on their sender, false complaints blamed on
//! the complainer, and the checks of commitment messages, the qualified set
//! and a trustee's final share.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

mod common;

use curve25519_dalek::constants::RISTRETTO_BASEPOINT_POINT;
use curve25519_dalek::ristretto::RistrettoPoint;
use curve25519_dalek::traits::Identity;
use proptest::prelude::*;
use rand_chacha::ChaCha20Rng;
use shortlist_crypto::dkg::transport::{Complaint, EncryptedShare, ShareCheck, Verdict};
use shortlist_crypto::dkg::{self, CeremonyParams, CommitmentMessage, GroupPublic, TrusteeSecrets};
use shortlist_crypto::elgamal::{encode_plaintext, Ciphertext};
use shortlist_crypto::secret::SecretScalar;
use shortlist_crypto::threshold::{combine, lagrange_at_zero, KeyShare};
use shortlist_crypto::{CryptoError, Point, Scalar};

/// Round two: every encrypted share, from every trustee.
fn round_two(
    params: &CeremonyParams,
    secrets: &[TrusteeSecrets],
    msgs: &[CommitmentMessage],
) -> Vec<EncryptedShare> {
    secrets.iter().flat_map(|s| s.encrypt_shares(params, msgs).unwrap()).collect()
}

fn share_from(shares: &[EncryptedShare], sender: u16, recipient: u16) -> EncryptedShare {
    shares.iter().find(|s| s.sender == sender && s.recipient == recipient).unwrap().clone()
}

fn msg(msgs: &[CommitmentMessage], i: u16) -> &CommitmentMessage {
    msgs.iter().find(|m| m.trustee == i).unwrap()
}

/// Opens `share` as its recipient; returns the complaint if it is bad.
fn receive(
    params: &CeremonyParams,
    secrets: &[TrusteeSecrets],
    msgs: &[CommitmentMessage],
    share: &EncryptedShare,
    rng: &mut ChaCha20Rng,
) -> Option<Complaint> {
    let me = secrets.iter().find(|s| s.index() == share.recipient).unwrap();
    match me.receive_share(params, msg(msgs, share.sender), msg(msgs, share.recipient), share, rng).unwrap() {
        ShareCheck::Valid(_) => None,
        ShareCheck::Invalid(c) => Some(*c),
    }
}

fn adjudicate(
    params: &CeremonyParams,
    msgs: &[CommitmentMessage],
    complaint: &Complaint,
    share: &EncryptedShare,
    rng: &mut ChaCha20Rng,
) -> Verdict {
    complaint
        .adjudicate(params, msg(msgs, complaint.sender), msg(msgs, complaint.recipient), share, rng)
        .unwrap()
}

/// Finishes the ceremony over `qualified` and returns every qualified trustee's key share.
fn finish_over(
    params: &CeremonyParams,
    secrets: &[TrusteeSecrets],
    msgs: &[CommitmentMessage],
    shares: &[EncryptedShare],
    qualified: &[u16],
    rng: &mut ChaCha20Rng,
) -> (GroupPublic, Vec<KeyShare>) {
    let qual_msgs: Vec<&CommitmentMessage> = qualified.iter().map(|i| msg(msgs, *i)).collect();
    let public = GroupPublic::derive(params, &qual_msgs).unwrap();
    let mut keys = Vec::new();
    for s in secrets.iter().filter(|s| qualified.contains(&s.index())) {
        let mut received: Vec<(u16, SecretScalar)> = Vec::new();
        for sh in shares.iter().filter(|sh| sh.recipient == s.index() && qualified.contains(&sh.sender)) {
            let check = s.receive_share(params, msg(msgs, sh.sender), msg(msgs, s.index()), sh, rng).unwrap();
            match check {
                ShareCheck::Valid(v) => received.push((sh.sender, v)),
                ShareCheck::Invalid(c) => panic!("qualified share rejected: {c:?}"),
            }
        }
        keys.push(s.finish(params, &public, qualified, &received).unwrap());
    }
    (public, keys)
}

/// Any `t` of `keys` decrypt an encryption of `m` under the joint key.
fn assert_decrypts(public: &GroupPublic, keys: &[KeyShare], t: u16, m: u64, rng: &mut ChaCha20Rng) {
    let election = common::election(public);
    let cts = [Ciphertext::encrypt(&public.joint_key, m, &SecretScalar::random(rng))];
    let shares: Vec<_> =
        keys[..usize::from(t)].iter().map(|k| k.decrypt(&election, &cts, rng).unwrap()).collect();
    for s in &shares {
        s.verify(&election, &public.verification_key(s.trustee), &cts, rng).unwrap();
    }
    assert_eq!(combine(t, &cts, &shares).unwrap(), vec![encode_plaintext(m)]);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(10))]

    /// An honest ceremony for random `(n, t)`: the joint key is the sum of the
    /// `C_{i,0}`, each share matches its verification key, the verification
    /// keys of any `t` trustees interpolate to the joint key, and any `t`
    /// shares decrypt.
    #[test]
    fn honest_ceremonies_agree_on_the_joint_key(
        (n, t) in (1..=5u16).prop_flat_map(|n| (Just(n), 1..=n)),
        seed in any::<u64>(),
        pick in any::<prop::sample::Index>(),
    ) {
        let mut rng = common::insecure_test_rng(seed);
        let (params, secrets, msgs) = common::round_one(n, t, &mut rng);
        let shares = round_two(&params, &secrets, &msgs);
        prop_assert_eq!(shares.len(), usize::from(n) * usize::from(n - 1));
        let all: Vec<u16> = (1..=n).collect();
        let (public, keys) = finish_over(&params, &secrets, &msgs, &shares, &all, &mut rng);
        let sum: RistrettoPoint = msgs.iter().map(|m| m.coefficients[0].point()).sum();
        prop_assert_eq!(public.joint_key, Point::from_point(sum));
        for k in &keys {
            prop_assert_eq!(k.verification_key(), public.verification_key(k.index()));
        }
        // A t-subset starting at a random trustee.
        let start = pick.index(usize::from(n));
        let subset: Vec<u16> = (0..usize::from(t)).map(|i| all[(start + i) % all.len()]).collect();
        let interpolated: RistrettoPoint = subset
            .iter()
            .map(|j| lagrange_at_zero(*j, &subset) * public.verification_key(*j).point())
            .sum();
        prop_assert_eq!(Point::from_point(interpolated), public.joint_key);
        let chosen: Vec<KeyShare> = subset.iter().map(|j| keys[usize::from(*j - 1)].clone()).collect();
        assert_decrypts(&public, &chosen, t, 7, &mut rng);
    }
}

#[test]
fn altered_sealed_bytes_are_detected_and_blamed_on_the_sender() {
    let mut rng = common::insecure_test_rng(50);
    let (params, secrets, msgs) = common::round_one(5, 3, &mut rng);
    let shares = round_two(&params, &secrets, &msgs);
    let good = share_from(&shares, 1, 3);
    assert!(receive(&params, &secrets, &msgs, &good, &mut rng).is_none());
    for (byte, bit) in [(0usize, 1u8), (17, 0x80), (31, 4), (32, 1), (47, 0x40)] {
        let mut bad = good.clone();
        bad.sealed[byte] ^= bit;
        let complaint = receive(&params, &secrets, &msgs, &bad, &mut rng).expect("altered share accepted");
        assert_eq!((complaint.sender, complaint.recipient), (1, 3));
        assert_eq!(
            adjudicate(&params, &msgs, &complaint, &bad, &mut rng),
            Verdict::SenderAtFault { sender: 1 }
        );
        // The same complaint against the share that was really sent is false.
        assert_eq!(
            adjudicate(&params, &msgs, &complaint, &good, &mut rng),
            Verdict::ComplainerAtFault { recipient: 3 }
        );
    }
}

#[test]
fn swapped_or_foreign_shares_are_blamed_on_their_sender() {
    let mut rng = common::insecure_test_rng(51);
    let (params, secrets, msgs) = common::round_one(5, 3, &mut rng);
    let shares = round_two(&params, &secrets, &msgs);
    // Trustees 1 and 2 swap what they send to trustee 4.
    let (mut from1, mut from2) = (share_from(&shares, 1, 4), share_from(&shares, 2, 4));
    std::mem::swap(&mut from1.sealed, &mut from2.sealed);
    for (share, sender) in [(&from1, 1u16), (&from2, 2)] {
        let complaint = receive(&params, &secrets, &msgs, share, &mut rng).expect("swapped share accepted");
        assert_eq!(complaint.sender, sender);
        assert_eq!(
            adjudicate(&params, &msgs, &complaint, share, &mut rng),
            Verdict::SenderAtFault { sender }
        );
    }
    // Trustee 5 re-uses its share from another ceremony of the same poll.
    let (p2, s2, m2) = common::round_one(5, 3, &mut common::insecure_test_rng(52));
    let foreign = share_from(&round_two(&p2, &s2, &m2), 5, 2);
    let complaint = receive(&params, &secrets, &msgs, &foreign, &mut rng).expect("foreign share accepted");
    assert_eq!(
        adjudicate(&params, &msgs, &complaint, &foreign, &mut rng),
        Verdict::SenderAtFault { sender: 5 }
    );
}

/// Trustee 2 publishes commitments to one polynomial but sends shares of
/// another, under the same share-encryption key: the shares decrypt, but do
/// not match the commitments (V5.4). It is disqualified and the others finish.
#[test]
fn shares_that_do_not_match_the_commitments_disqualify_the_sender() {
    let (n, t) = (5u16, 3u16);
    let mut rng = common::insecure_test_rng(53);
    let params = CeremonyParams { manifest_hash: common::MANIFEST, n, t };
    let mut secrets = Vec::new();
    let mut msgs = Vec::new();
    for i in 1..=n {
        let (s, m) = dkg::start(&params, i, &mut common::insecure_test_rng(1000 + u64::from(i))).unwrap();
        m.verify(&params, &mut rng).unwrap();
        secrets.push(s);
        msgs.push(m);
    }
    // Same RNG stream as trustee 2's, except the t coefficients (64 bytes each).
    let mut spliced = common::insecure_spliced_test_rng(9999, 1002, 64 * usize::from(t));
    let (cheat, cheat_msg) = dkg::start(&params, 2, &mut spliced).unwrap();
    assert_eq!(cheat_msg.encryption_key, msgs[1].encryption_key, "fixture: start draws f before e");
    assert_ne!(cheat_msg.coefficients, msgs[1].coefficients);

    let mut shares: Vec<EncryptedShare> = round_two(&params, &secrets, &msgs);
    shares.retain(|s| s.sender != 2);
    shares.extend(cheat.encrypt_shares(&params, &msgs).unwrap());

    for r in [1u16, 3, 4, 5] {
        let bad = share_from(&shares, 2, r);
        let complaint = receive(&params, &secrets, &msgs, &bad, &mut rng).expect("mismatched share accepted");
        assert_eq!(
            adjudicate(&params, &msgs, &complaint, &bad, &mut rng),
            Verdict::SenderAtFault { sender: 2 }
        );
        // Every other share to r is fine.
        for s in [1u16, 3, 4, 5].iter().filter(|s| **s != r) {
            assert!(receive(&params, &secrets, &msgs, &share_from(&shares, *s, r), &mut rng).is_none());
        }
    }
    let qualified = [1u16, 3, 4, 5];
    let (public, keys) = finish_over(&params, &secrets, &msgs, &shares, &qualified, &mut rng);
    assert_eq!(keys.len(), 4);
    let sum: RistrettoPoint = qualified.iter().map(|i| msg(&msgs, *i).coefficients[0].point()).sum();
    assert_eq!(public.joint_key, Point::from_point(sum));
    assert_decrypts(&public, &keys[1..], t, 3, &mut rng);
}

#[test]
fn false_or_unproven_complaints_are_blamed_on_the_complainer() {
    let mut rng = common::insecure_test_rng(54);
    let (params, secrets, msgs) = common::round_one(4, 2, &mut rng);
    let shares = round_two(&params, &secrets, &msgs);
    let good = share_from(&shares, 2, 1);
    let mut bad = good.clone();
    bad.sealed[5] ^= 1;
    let genuine = receive(&params, &secrets, &msgs, &bad, &mut rng).unwrap();
    assert_eq!(adjudicate(&params, &msgs, &genuine, &bad, &mut rng), Verdict::SenderAtFault { sender: 2 });

    // Built by hand from public fields: a correct proof of Z, about a good share.
    let about_good = Complaint {
        sender: 2,
        recipient: 1,
        shared_point: genuine.shared_point,
        proof: genuine.proof.clone(),
    };
    assert_eq!(
        adjudicate(&params, &msgs, &about_good, &good, &mut rng),
        Verdict::ComplainerAtFault { recipient: 1 }
    );

    // About a bad share, but with a tampered proof or a wrong Z: unproven.
    let mut tampered = genuine.clone();
    tampered.proof.response += Scalar::ONE;
    let mut wrong_z = genuine.clone();
    wrong_z.shared_point = Point::from_point(genuine.shared_point.point() + RISTRETTO_BASEPOINT_POINT);
    let mut moved_r = genuine.clone();
    moved_r.proof.commitment_h =
        Point::from_point(genuine.proof.commitment_h.point() + RISTRETTO_BASEPOINT_POINT);
    let mut identity_z = genuine.clone();
    identity_z.shared_point = Point::from_point(RistrettoPoint::identity());
    for c in [&tampered, &wrong_z, &moved_r, &identity_z] {
        assert_eq!(
            adjudicate(&params, &msgs, c, &bad, &mut rng),
            Verdict::ComplainerAtFault { recipient: 1 }
        );
    }
    // The proof is bound to the ceremony: replayed in another poll, it fails.
    let other = CeremonyParams { manifest_hash: [3u8; 32], ..params };
    let verdict = genuine.adjudicate(&other, msg(&msgs, 2), msg(&msgs, 1), &bad, &mut rng).unwrap();
    assert_eq!(verdict, Verdict::ComplainerAtFault { recipient: 1 });
    // A complaint about another pair than the share's is refused.
    let other_share = share_from(&shares, 3, 1);
    assert!(matches!(
        genuine.adjudicate(&params, msg(&msgs, 2), msg(&msgs, 1), &other_share, &mut rng),
        Err(CryptoError::BadTrusteeIndex { step: "V5.5", .. })
    ));
    // A share opened by someone it is not addressed to.
    assert!(matches!(
        secrets[2].receive_share(&params, msg(&msgs, 2), msg(&msgs, 3), &good, &mut rng),
        Err(CryptoError::BadTrusteeIndex { step: "V5.4", .. })
    ));
}

fn assert_v5_1(m: &CommitmentMessage, params: &CeremonyParams, what: &str) {
    let mut rng = common::insecure_test_rng(0);
    match m.verify(params, &mut rng) {
        Err(CryptoError::ProofFailed { step: "V5.1", .. })
        | Err(CryptoError::InvalidParameters { step: "V5.1", .. }) => {}
        other => panic!("{what}: expected a V5.1 failure, got {other:?}"),
    }
}

#[test]
fn commitment_messages_with_bad_proofs_or_counts_fail_v5_1() {
    let mut rng = common::insecure_test_rng(55);
    let (params, _secrets, msgs) = common::round_one(5, 3, &mut rng);
    let m = &msgs[0];
    let bump = |p: &Point| Point::from_point(p.point() + RISTRETTO_BASEPOINT_POINT);

    let mut bad = m.clone();
    bad.coefficient_proof.response += Scalar::ONE;
    assert_v5_1(&bad, &params, "coefficient proof response");
    let mut bad = m.clone();
    bad.coefficient_proof.commitment = bump(&bad.coefficient_proof.commitment);
    assert_v5_1(&bad, &params, "coefficient proof commitment");
    let mut bad = m.clone();
    bad.encryption_key_proof.response += Scalar::ONE;
    assert_v5_1(&bad, &params, "encryption key proof response");
    let mut bad = m.clone();
    bad.encryption_key_proof.commitment = bump(&bad.encryption_key_proof.commitment);
    assert_v5_1(&bad, &params, "encryption key proof commitment");
    for k in 0..3 {
        let mut bad = m.clone();
        bad.coefficients[k] = bump(&bad.coefficients[k]);
        assert_v5_1(&bad, &params, &format!("coefficient {k}"));
    }
    let mut bad = m.clone();
    bad.encryption_key = bump(&bad.encryption_key);
    assert_v5_1(&bad, &params, "encryption key");
    // The proofs swapped, or the message claimed by another trustee, or another poll.
    let mut bad = m.clone();
    std::mem::swap(&mut bad.coefficient_proof, &mut bad.encryption_key_proof);
    assert_v5_1(&bad, &params, "proofs swapped");
    let mut bad = m.clone();
    bad.trustee = 2;
    assert_v5_1(&bad, &params, "relabelled");
    assert_v5_1(m, &CeremonyParams { manifest_hash: [4u8; 32], ..params }, "another poll");
    // One coefficient too few or too many.
    let mut short = m.clone();
    short.coefficients.pop();
    assert!(matches!(
        short.verify(&params, &mut rng),
        Err(CryptoError::InvalidParameters { step: "V5.1", .. })
    ));
    let mut long = m.clone();
    long.coefficients.push(bump(&m.coefficients[2]));
    assert!(matches!(
        long.verify(&params, &mut rng),
        Err(CryptoError::InvalidParameters { step: "V5.1", .. })
    ));
    assert_v5_1(m, &CeremonyParams { t: 4, ..params }, "verified against t + 1");
    // The identity as C_0 or E is refused (E3).
    let mut bad = m.clone();
    bad.coefficients[0] = Point::identity();
    assert!(matches!(bad.verify(&params, &mut rng), Err(CryptoError::IdentityPoint { .. })));
    let mut bad = m.clone();
    bad.encryption_key = Point::identity();
    assert!(matches!(bad.verify(&params, &mut rng), Err(CryptoError::IdentityPoint { .. })));
    // Index out of 1..=n.
    for index in [0u16, 6] {
        let mut bad = m.clone();
        bad.trustee = index;
        assert!(matches!(
            bad.verify(&params, &mut rng),
            Err(CryptoError::BadTrusteeIndex { step: "V5.1", .. })
        ));
        assert!(dkg::start(&params, index, &mut rng).is_err());
    }
    for bad_params in [
        CeremonyParams { t: 0, ..params },
        CeremonyParams { t: 6, ..params },
        CeremonyParams { n: 257, t: 3, ..params },
    ] {
        assert!(matches!(
            dkg::start(&bad_params, 1, &mut rng),
            Err(CryptoError::InvalidParameters { step: "V5.0", .. })
        ));
    }
}

#[test]
fn derive_and_finish_refuse_incomplete_or_inconsistent_inputs() {
    let mut rng = common::insecure_test_rng(56);
    let (params, secrets, msgs) = common::round_one(5, 3, &mut rng);
    let shares = round_two(&params, &secrets, &msgs);
    let refs: Vec<&CommitmentMessage> = msgs.iter().collect();
    // Fewer than t qualified.
    for k in 0..3 {
        assert!(matches!(
            GroupPublic::derive(&params, &refs[..k]),
            Err(CryptoError::InvalidParameters { step: "V5.6", .. })
        ));
    }
    // Repeated, out-of-range, or with the wrong number of commitments.
    assert!(matches!(
        GroupPublic::derive(&params, &[refs[0], refs[1], refs[0]]),
        Err(CryptoError::BadTrusteeIndex { step: "V5.6", index: 1, .. })
    ));
    let mut stray = msgs[2].clone();
    stray.trustee = 6;
    assert!(matches!(
        GroupPublic::derive(&params, &[refs[0], refs[1], &stray]),
        Err(CryptoError::BadTrusteeIndex { step: "V5.6", .. })
    ));
    let mut short = msgs[2].clone();
    short.coefficients.pop();
    assert!(matches!(
        GroupPublic::derive(&params, &[refs[0], refs[1], &short]),
        Err(CryptoError::InvalidParameters { step: "V5.6", .. })
    ));

    let all: Vec<u16> = (1..=5).collect();
    let public = GroupPublic::derive(&params, &refs).unwrap();
    let me = &secrets[0];
    let mut received: Vec<(u16, SecretScalar)> = Vec::new();
    for sh in shares.iter().filter(|s| s.recipient == 1) {
        match me.receive_share(&params, msg(&msgs, sh.sender), &msgs[0], sh, &mut rng).unwrap() {
            ShareCheck::Valid(v) => received.push((sh.sender, v)),
            ShareCheck::Invalid(c) => panic!("{c:?}"),
        }
    }
    me.finish(&params, &public, &all, &received).unwrap();
    // A missing share from a qualified trustee.
    let missing: Vec<(u16, SecretScalar)> = received.iter().filter(|(s, _)| *s != 4).cloned().collect();
    assert_eq!(
        me.finish(&params, &public, &all, &missing).unwrap_err(),
        CryptoError::BadShare {
            sender: 4,
            recipient: 1,
            reason: "no valid share from this qualified trustee"
        }
    );
    // A wrong share value, or a qualified set that differs from the public outcome's.
    let mut wrong = received.clone();
    wrong[0].1 = SecretScalar::new(wrong[0].1.expose_secret() + Scalar::ONE);
    assert!(matches!(
        me.finish(&params, &public, &all, &wrong),
        Err(CryptoError::InvalidParameters { step: "V5.6", .. })
    ));
    assert!(matches!(
        me.finish(&params, &public, &[1, 2, 3, 4], &received),
        Err(CryptoError::InvalidParameters { step: "V5.6", .. })
    ));
}

/// A trustee's ceremony secrets survive a round trip through their bytes
/// (the trustee's key file): the restored secrets make the same shares.
#[test]
fn trustee_secrets_round_trip_and_reject_bad_bytes() {
    let params = CeremonyParams { manifest_hash: [7; 32], n: 3, t: 2 };
    let mut rng = common::insecure_test_rng(42);
    let mut secrets = Vec::new();
    let mut msgs = Vec::new();
    for i in 1..=3 {
        let (s, m) = dkg::start(&params, i, &mut rng).unwrap();
        secrets.push(s);
        msgs.push(m);
    }
    let bytes = secrets[0].expose_to_bytes();
    assert_eq!(bytes.len(), 4 + 32 * 3);
    let restored = TrusteeSecrets::from_secret_bytes(&bytes).unwrap();
    assert_eq!(restored.index(), 1);
    let a: Vec<_> = secrets[0].encrypt_shares(&params, &msgs).unwrap().iter().map(|s| s.recipient).collect();
    let b: Vec<_> = restored.encrypt_shares(&params, &msgs).unwrap().iter().map(|s| s.recipient).collect();
    assert_eq!(a, b);
    // The shares the restored secrets send open to the same values.
    let from_restored = restored.encrypt_shares(&params, &msgs).unwrap();
    let check = secrets[1]
        .receive_share(&params, msg(&msgs, 1), msg(&msgs, 2), &share_from(&from_restored, 1, 2), &mut rng)
        .unwrap();
    assert!(matches!(check, ShareCheck::Valid(_)));
    // Truncated, trailing, index 0 and non-canonical scalars are refused.
    assert!(TrusteeSecrets::from_secret_bytes(&bytes[..bytes.len() - 1]).is_err());
    let mut longer = bytes.to_vec();
    longer.push(0);
    assert!(TrusteeSecrets::from_secret_bytes(&longer).is_err());
    let mut zero = bytes.to_vec();
    zero[0] = 0;
    zero[1] = 0;
    assert!(TrusteeSecrets::from_secret_bytes(&zero).is_err());
    let mut high = bytes.to_vec();
    high[4..36].copy_from_slice(&[0xff; 32]);
    assert!(TrusteeSecrets::from_secret_bytes(&high).is_err());
}
