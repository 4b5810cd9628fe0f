//! A member's view across the crates: a ballot made by the crypto core is
//! appended to a board, the member keeps a receipt, and later checks it
//! offline against the ballot they cast.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use rand::rngs::OsRng;
use shortlist_board::board::BoardWriter;
use shortlist_board::definition::{BallotDefinition, Candidate, DefinedContest};
use shortlist_board::entry::EntryKind;
use shortlist_board::manifest::{ContestRules, Manifest, RevotePolicy, TieBreak, Timetable, TrusteeInfo};
use shortlist_board::merkle::{leaf_hash, MerkleLog};
use shortlist_board::payload::{Ballot, Purpose};
use shortlist_board::receipt::Receipt;
use shortlist_crypto::ballot::{BallotContext, EncryptedContest};
use shortlist_crypto::credential::CredentialSecret;
use shortlist_crypto::elgamal::{Encrypter, SecretKey};
use shortlist_crypto::transcript::ElectionContext;

#[test]
fn a_cast_ballot_receipt_checks_offline_and_only_for_that_ballot() {
    let mut rng = OsRng;
    let server = CredentialSecret::generate(&mut rng);
    let manifest = Manifest {
        poll_id: "receipt-e2e".into(),
        title: "Receipts".into(),
        timetable: Timetable { nominations_close: 10, voting_open: 20, voting_close: 30 },
        contests: vec![ContestRules {
            contest_id: 1,
            title: "Slate".into(),
            seats: 2,
            min_selections: 0,
            max_selections: 2,
            slate_rules: vec![],
        }],
        trustees: vec![TrusteeInfo {
            index: 1,
            name: "T".into(),
            key: CredentialSecret::generate(&mut rng).public_key(),
        }],
        threshold: 1,
        revote: RevotePolicy::LastCounts,
        tie_break: TieBreak::AggregateHash,
        server_key: server.public_key(),
        calendar: Default::default(),
        registrar: None,
    };
    let candidates =
        (0..4).map(|i| Candidate { candidate_id: i, name: format!("C{i}"), attributes: vec![] }).collect();
    let definition = BallotDefinition { contests: vec![DefinedContest { contest_id: 1, candidates }] };

    let mut board = BoardWriter::new();
    let mut log = MerkleLog::new();
    let mut put = |kind, time, payload: Vec<u8>| {
        let e = board.append(kind, time, payload).unwrap();
        log.push(leaf_hash(&e.hash())).unwrap();
        e
    };
    let mh = put(EntryKind::Manifest, 0, manifest.to_bytes()).payload_hash();
    let dh = put(EntryKind::Definition, 10, definition.to_bytes()).payload_hash();

    // The joint key would come from the ceremony; one key suffices here.
    let key = SecretKey::random(&mut rng);
    let ctx = ElectionContext { manifest_hash: mh, definition_hash: dh, joint_key: key.public_key() };
    let shape = definition.shape(&manifest, 1).unwrap();
    let member = CredentialSecret::generate(&mut rng);
    let cred = member.public_key().to_bytes();
    put(EntryKind::Credential, 15, cred.to_vec());
    let bctx = BallotContext { election: &ctx, credential: &cred };
    let (contest, _) = EncryptedContest::encrypt(
        &Encrypter::new(&ctx.joint_key),
        &bctx,
        &shape,
        &[true, false, true, false],
        &mut rng,
    )
    .unwrap();
    let ballot = Ballot::sign(Purpose::Cast, &member, &mh, &dh, vec![contest]).to_bytes();
    let entry = put(EntryKind::Ballot, 21, ballot.clone());
    let other = put(EntryKind::Ballot, 22, vec![1, 2, 3]);

    let checkpoint = board.checkpoint(&server, 23).unwrap();
    let receipt = Receipt::issue(&entry, &log, checkpoint).unwrap();
    // The member keeps only the receipt's bytes and their ballot.
    let kept = Receipt::from_bytes(&receipt.to_bytes()).unwrap();
    kept.verify(&ballot, &manifest.server_key, &mh).unwrap();
    assert!(kept.verify(&other.payload, &manifest.server_key, &mh).is_err(), "another ballot");
    assert!(kept.verify(&ballot, &manifest.server_key, &dh).is_err(), "another poll");
    let mut altered = ballot.clone();
    altered[40] ^= 1;
    assert!(kept.verify(&altered, &manifest.server_key, &mh).is_err(), "an altered ballot");
}
