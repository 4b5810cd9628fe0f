//! The verifier replays key-ceremony entries through the lifecycle's rule
//! for trustee messages (spec: api §5, board §8.3): one message per
//! `(kind, trustee, recipient)`. A second encrypted share from one trustee
//! to another, which the server refuses, fails V5.2 on a record (before
//! issue 12's replay it only excluded its sender from the qualified set).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use shortlist_board::board::BoardWriter;
use shortlist_board::entry::EntryKind;
use shortlist_board::payload::TrusteeMessage;
use shortlist_board::record::RecordWriter;
use shortlist_crypto::credential::CredentialSecret;
use shortlist_crypto::dkg::{self, CeremonyParams};

mod common;

/// A record of a two-trustee ceremony (threshold 2): both commitments, both
/// shares, then `extra` more copies of trustee 1's share to trustee 2.
fn record(extra: usize) -> Vec<u8> {
    let mut rng = ChaCha20Rng::seed_from_u64(5);
    let (mut m, server) = common::sample_manifest(&mut rng, 2, 2);
    let keys: Vec<CredentialSecret> = (0..2).map(|_| CredentialSecret::generate(&mut rng)).collect();
    for (t, k) in m.trustees.iter_mut().zip(&keys) {
        t.key = k.public_key();
    }
    let mut b = BoardWriter::new();
    let mut w = RecordWriter::new(Vec::new()).unwrap();
    let manifest = b.append(EntryKind::Manifest, 0, m.to_bytes()).unwrap();
    let h = manifest.payload_hash();
    w.entry(&manifest).unwrap();
    let params = CeremonyParams { manifest_hash: h, n: 2, t: 2 };
    let (secrets, commitments): (Vec<_>, Vec<_>) =
        (1..=2u16).map(|i| dkg::start(&params, i, &mut rng).unwrap()).unzip();
    let mut post = |kind: EntryKind, trustee: u16, body: Vec<u8>| {
        let msg = TrusteeMessage::sign(&keys[usize::from(trustee - 1)], &h, kind, trustee, body);
        w.entry(&b.append(kind, 1, msg.to_bytes()).unwrap()).unwrap();
    };
    for c in &commitments {
        post(EntryKind::CeremonyCommitment, c.trustee, c.to_bytes());
    }
    let shares: Vec<_> = secrets.iter().map(|s| s.encrypt_shares(&params, &commitments).unwrap()).collect();
    for (i, s) in shares.iter().enumerate() {
        post(EntryKind::CeremonyShare, u16::try_from(i + 1).unwrap(), s[0].to_bytes());
    }
    for _ in 0..extra {
        post(EntryKind::CeremonyShare, 1, shares[0][0].to_bytes());
    }
    w.checkpoint(&b.checkpoint(&server, 1).unwrap()).unwrap();
    w.finish().unwrap()
}

#[test]
fn an_honest_ceremony_passes() {
    assert_eq!(common::failures(&record(0)), Vec::new());
}

#[test]
fn a_second_share_for_the_same_pair_fails_v5_2() {
    let failed = common::failures(&record(1));
    assert_eq!(failed.iter().map(|f| f.0).collect::<Vec<_>>(), vec!["V5.2"], "{failed:?}");
    assert!(
        failed[0].1.iter().any(|d| d.contains("entry 5: trustee 1 sent trustee 2 a second share")),
        "{failed:?}"
    );
}
