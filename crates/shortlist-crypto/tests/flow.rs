//! A whole poll through the crypto core: ceremony, ballots, tally, decryption.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use shortlist_crypto::ballot::{aggregate, BallotContext, ContestShape, EncryptedContest};
use shortlist_crypto::batch::BatchVerifier;
use shortlist_crypto::dlog::DiscreteLog;
use shortlist_crypto::elgamal::Encrypter;
use shortlist_crypto::threshold::combine;

#[test]
fn three_of_five_poll_decrypts_the_right_counts() {
    let mut rng = common::insecure_test_rng(1);
    let (params, public, keys) = common::honest_ceremony(5, 3, &mut rng);
    let ctx = common::election(&public);
    let enc = Encrypter::new(&public.joint_key);
    let shape = ContestShape { contest_id: 1, candidates: 6, min: 0, max: 3 };
    let votes: Vec<Vec<bool>> = vec![
        vec![true, false, true, false, false, false],
        vec![true, true, true, false, false, false],
        vec![false, false, false, false, false, false],
        vec![false, false, true, false, false, true],
    ];
    let mut contests = Vec::new();
    let mut batch = BatchVerifier::new(common::insecure_test_rng(2));
    let key_base = batch.shared_base(&public.joint_key);
    for (i, v) in votes.iter().enumerate() {
        let cred = [i as u8; 32];
        let bctx = BallotContext { election: &ctx, credential: &cred };
        let (c, _secrets) = EncryptedContest::encrypt(&enc, &bctx, &shape, v, &mut rng).unwrap();
        c.verify(&bctx, &shape, &mut rng).unwrap();
        let bytes = c.to_bytes();
        assert_eq!(EncryptedContest::from_bytes(&bytes).unwrap(), c);
        batch.set_tag(i as u64);
        c.add_to_batch(&bctx, &shape, key_base, &mut batch).unwrap();
        contests.push(c);
    }
    batch.verify().unwrap();
    let totals = aggregate(&contests, 6);
    let shares: Vec<_> = keys[1..4].iter().map(|k| k.decrypt(&ctx, &totals, &mut rng).unwrap()).collect();
    for s in &shares {
        s.verify(&ctx, &public.verification_key(s.trustee), &totals, &mut rng).unwrap();
    }
    let points = combine(params.t, &totals, &shares).unwrap();
    let dlog = DiscreteLog::new(4, points.len());
    let counts: Vec<u64> = points.iter().map(|p| dlog.solve(p).unwrap()).collect();
    assert_eq!(counts, vec![2, 1, 3, 0, 0, 1]);
}

#[test]
fn secrets_print_nothing_secret() {
    use shortlist_crypto::dkg::{self, CeremonyParams};
    use shortlist_crypto::elgamal::SecretKey;
    use shortlist_crypto::secret::SecretScalar;
    use shortlist_crypto::threshold::KeyShare;
    use shortlist_crypto::Scalar;

    let mut rng = common::insecure_test_rng(77);
    let s = Scalar::from(0x1234_5678_9abc_def0u64);
    let hex_s = hex::encode(s.as_bytes());
    let shown = [
        format!("{:?}", SecretScalar::new(s)),
        format!("{:?}", KeyShare::new(1, SecretScalar::new(s))),
        format!("{:?}", SecretKey::from_secret(SecretScalar::new(s))),
    ];
    for text in &shown {
        assert!(text.contains("redacted"), "{text}");
        assert!(!text.contains(&hex_s) && !text.contains("4660"), "{text}");
    }
    let params = CeremonyParams { manifest_hash: common::MANIFEST, n: 3, t: 2 };
    let (secrets, _) = dkg::start(&params, 1, &mut rng).unwrap();
    assert_eq!(format!("{secrets:?}"), "TrusteeSecrets { index: 1, .. <redacted> }");
    let key = SecretKey::random(&mut rng);
    let ctx = shortlist_crypto::transcript::ElectionContext {
        manifest_hash: common::MANIFEST,
        definition_hash: common::DEFINITION,
        joint_key: key.public_key(),
    };
    let enc = Encrypter::new(&ctx.joint_key);
    let shape = ContestShape { contest_id: 1, candidates: 3, min: 0, max: 2 };
    let prepared = EncryptedContest::prepare(&enc, &shape, &mut rng).unwrap();
    assert_eq!(format!("{prepared:?}"), "PreparedContest(<redacted>)");
    let cred = [3u8; 32];
    let bctx = BallotContext { election: &ctx, credential: &cred };
    let (_, secrets) = prepared.finish(&bctx, &[true, false, true]).unwrap();
    assert_eq!(format!("{secrets:?}"), "ContestSecrets(<redacted>)");
}

#[test]
fn prepared_ballot_refuses_another_key() {
    let mut rng = common::insecure_test_rng(78);
    let (_, public, _) = common::honest_ceremony(3, 2, &mut rng);
    let ctx = common::election(&public);
    let other = Encrypter::new(&shortlist_crypto::elgamal::SecretKey::random(&mut rng).public_key());
    let shape = ContestShape { contest_id: 1, candidates: 3, min: 0, max: 2 };
    let cred = [4u8; 32];
    let bctx = BallotContext { election: &ctx, credential: &cred };
    let prepared = EncryptedContest::prepare(&other, &shape, &mut rng).unwrap();
    assert!(prepared.finish(&bctx, &[true, false, false]).is_err());
}
