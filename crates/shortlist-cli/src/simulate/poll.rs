//! The simulated poll: every lifecycle step as a board entry (spec: board §4).

use anyhow::{Context, Result};
use curve25519_dalek::constants::RISTRETTO_BASEPOINT_POINT;
use rand::rngs::OsRng;
use rand::{Rng, SeedableRng};
use shortlist_board::board::BoardWriter;
use shortlist_board::definition::{BallotDefinition, Candidate, CandidateRegistration, DefinedContest};
use shortlist_board::entry::{EntryKind, Hash};
use shortlist_board::manifest::{
    ContestRules, Manifest, RevotePolicy, SlateRule, TieBreak, Timetable, TrusteeInfo,
};
use shortlist_board::payload::{ContestResult, DecryptionShares, PollResult, TrusteeMessage};
use shortlist_board::record::Frame;
use shortlist_board::registrar::{RegistrarBody, RegistrarEntry};
use shortlist_board::tally;
use shortlist_crypto::credential::CredentialSecret;
use shortlist_crypto::dkg::CeremonyParams;
use shortlist_crypto::elgamal::{Ciphertext, Encrypter};
use shortlist_crypto::transcript::ElectionContext;
use shortlist_crypto::Point;

use super::shared::{Board, Opened, CANDIDATES, CHECKPOINT_EVERY};
use super::votes::Votes;
use super::Tamper;

/// What the simulation wrote.
pub struct Summary {
    /// The server's signing key (to sign forged checkpoints in tamper mode).
    pub server: CredentialSecret,
    /// Entries written.
    pub entries: u64,
    /// Ballots cast (revotes included).
    pub ballots: u64,
    /// Revotes among them.
    pub revotes: u64,
    /// Audited (spoiled) ballots.
    pub audited: u64,
}

const TRUSTEES: u16 = 5;
const THRESHOLD: u16 = 3;
const SEATS: u16 = 9;

/// How much the simulated poll's amendment extends voting, in seconds.
const EXTENSION: u64 = 50;

fn manifest(voters: usize, server: &CredentialSecret, trustees: &[CredentialSecret]) -> Manifest {
    // The manifest plans voting to close 50 s earlier than it does: an
    // amendment extends it (spec: board §4.11), so every record has one.
    let close = 2000 + 10 * u64::try_from(voters).unwrap_or(u64::MAX / 20) + 50;
    Manifest {
        poll_id: "sim-2027".into(),
        title: "Simulated shortlist: 9 of 30".into(),
        timetable: Timetable { nominations_close: 1000, voting_open: 2000, voting_close: close },
        contests: vec![ContestRules {
            contest_id: 1,
            title: "Candidates for the 9-seat slate".into(),
            seats: SEATS,
            min_selections: 0,
            max_selections: SEATS,
            slate_rules: vec![SlateRule { attribute: "gender".into(), value: "woman".into(), min_seats: 5 }],
        }],
        trustees: trustees
            .iter()
            .zip(1u16..)
            .map(|(k, i)| TrusteeInfo { index: i, name: format!("Trustee {i}"), key: k.public_key() })
            .collect(),
        threshold: THRESHOLD,
        revote: RevotePolicy::LastCounts,
        tie_break: TieBreak::AggregateHash,
        server_key: server.public_key(),
        calendar: Default::default(),
        registrar: None,
    }
}

fn candidate(i: u32) -> Candidate {
    let gender = if i % 2 == 0 { "woman" } else { "man" };
    Candidate {
        candidate_id: 100 + i,
        name: format!("Candidate {:02}", i + 1),
        attributes: vec![("gender".into(), gender.into())],
    }
}

/// Runs the poll, emitting every frame in order. With a `seed`, every
/// random choice comes from it and the record is the same byte for byte on
/// every run (the board-level vectors of `spec/vectors/board.json`).
pub fn simulate(
    voters: usize,
    tamper: Option<Tamper>,
    seed: Option<u64>,
    emit: &mut dyn FnMut(Frame) -> Result<()>,
) -> Result<Summary> {
    let mut rng = match seed {
        Some(s) => rand_chacha::ChaCha20Rng::seed_from_u64(s),
        None => rand_chacha::ChaCha20Rng::from_seed(OsRng.gen()),
    };
    let server = CredentialSecret::generate(&mut rng);
    let trustee_keys: Vec<CredentialSecret> =
        (0..TRUSTEES).map(|_| CredentialSecret::generate(&mut rng)).collect();
    let mut manifest = manifest(voters, &server, &trustee_keys);
    // The unlisted-credential tamper runs in registrar mode (spec: board
    // §4.12): the registrar lists every voter's key but the first's.
    let registrar = CredentialSecret::generate(&mut rng);
    let registrar_mode = tamper == Some(Tamper::UnlistedCredential);
    if registrar_mode {
        manifest.registrar = Some(registrar.public_key());
    }
    let voter_keys: Vec<CredentialSecret> =
        (0..voters).map(|_| CredentialSecret::generate(&mut rng)).collect();
    let mut board = Board { writer: BoardWriter::new(), server, emit };
    let poll = open(&mut board, &manifest, &trustee_keys, &mut rng)?;
    if registrar_mode {
        list(&mut board, &voter_keys, &registrar, &poll.mh)?;
    }
    let mut votes = Votes::new(tamper, registrar_mode, &poll.shape);
    for (i, cred) in voter_keys.iter().enumerate() {
        votes.voter(&mut board, &poll, &mut rng, (i, voters), cred)?;
    }
    let (totals, seed) = close_and_aggregate(&mut board, &votes, &poll, tamper)?;
    let close = poll.close;
    tally_and_result(
        &mut board,
        &poll,
        &manifest,
        &trustee_keys,
        (&totals, votes.counted, &seed),
        tamper,
        &mut rng,
    )?;
    if board.writer.len() % CHECKPOINT_EVERY != 0 {
        board.checkpoint(close + 14)?;
    }
    let _ = rng.gen::<u8>();
    let Votes { ballots, revotes, audited, .. } = votes;
    Ok(Summary { entries: board.writer.len(), server: board.server, ballots, revotes, audited })
}

/// The manifest, the candidates, the key ceremony and the definition.
fn open(
    board: &mut Board<'_>,
    manifest: &Manifest,
    trustee_keys: &[CredentialSecret],
    rng: &mut rand_chacha::ChaCha20Rng,
) -> Result<Opened> {
    let planned = manifest.timetable.voting_close;
    let close = planned + EXTENSION;
    let mh = board.put(EntryKind::Manifest, 0, manifest.to_bytes())?.payload_hash();
    let candidates: Vec<Candidate> = (0..CANDIDATES).map(candidate).collect();
    for (c, t) in candidates.iter().zip(100u64..) {
        let reg = CandidateRegistration {
            contest_id: 1,
            candidate: c.clone(),
            statement: format!("{} would serve the movement well.", c.name),
        };
        board.put(EntryKind::Candidate, t, reg.to_bytes())?;
    }
    let params = CeremonyParams { manifest_hash: mh, n: TRUSTEES, t: THRESHOLD };
    let run = crate::ceremony::run_with(&params, rng)?;
    for (m, key) in run.commitments.iter().zip(trustee_keys) {
        let msg = TrusteeMessage::sign(key, &mh, EntryKind::CeremonyCommitment, m.trustee, m.to_bytes());
        board.put(EntryKind::CeremonyCommitment, 500, msg.to_bytes())?;
    }
    for s in &run.shares {
        let key = trustee_keys.get(usize::from(s.sender - 1)).context("trustee key")?;
        let msg = TrusteeMessage::sign(key, &mh, EntryKind::CeremonyShare, s.sender, s.to_bytes());
        board.put(EntryKind::CeremonyShare, 501, msg.to_bytes())?;
    }
    let definition = BallotDefinition { contests: vec![DefinedContest { contest_id: 1, candidates }] };
    let dh = board.put(EntryKind::Definition, 1000, definition.to_bytes())?.payload_hash();
    let shape = definition.shape(manifest, 1)?;
    let ctx = ElectionContext { manifest_hash: mh, definition_hash: dh, joint_key: run.public.joint_key };
    let enc = Encrypter::new(&ctx.joint_key);
    Ok(Opened { mh, dh, run, definition, shape, ctx, enc, planned, close })
}

/// Registrar mode: the list of every voter's key but the first's (spec:
/// board §4.12).
fn list(
    board: &mut Board<'_>,
    voter_keys: &[CredentialSecret],
    registrar: &CredentialSecret,
    mh: &Hash,
) -> Result<()> {
    let mut keys: Vec<[u8; 32]> = voter_keys.iter().skip(1).map(|k| k.public_key().to_bytes()).collect();
    keys.sort_unstable();
    let roll_size = u64::try_from(keys.len())?;
    let per = shortlist_board::registrar::MAX_KEYS_PER_ENTRY;
    for (part, chunk) in keys.chunks(per).enumerate() {
        let body = RegistrarBody::List { roll_size, part: u32::try_from(part)?, keys: chunk.to_vec() };
        board.put(EntryKind::RegistrarList, 1500, RegistrarEntry::sign(body, mh, registrar).to_bytes())?;
    }
    Ok(())
}

/// Voting closed, and the aggregate of the counted ballots (wrong, for the
/// wrong-aggregate tamper); returns the totals and the tie-break seed.
fn close_and_aggregate(
    board: &mut Board<'_>,
    votes: &Votes,
    p: &Opened,
    tamper: Option<Tamper>,
) -> Result<(Vec<Ciphertext>, Hash)> {
    let close = p.close;
    board.put(EntryKind::VotingClosed, close + 10, Vec::new())?;
    let mut aggregate = votes.sums.to_aggregate(votes.counted);
    if tamper == Some(Tamper::WrongAggregate) {
        if let Some(t) = aggregate.contests.first_mut().and_then(|c| c.totals.first_mut()) {
            t.b = Point::from_point(t.b.point() + RISTRETTO_BASEPOINT_POINT);
        }
    }
    let totals = aggregate.contests.first().map(|c| c.totals.clone()).unwrap_or_default();
    let seed = board.put(EntryKind::Aggregate, close + 11, aggregate.to_bytes())?.payload_hash();
    Ok((totals, seed))
}

/// Four trustees decrypt under the checkpoint they verified (any three
/// suffice), and the result (with the tampers aimed at it).
fn tally_and_result(
    board: &mut Board<'_>,
    p: &Opened,
    manifest: &Manifest,
    trustee_keys: &[CredentialSecret],
    (totals, counted, seed): (&[Ciphertext], u64, &Hash),
    tamper: Option<Tamper>,
    rng: &mut rand_chacha::ChaCha20Rng,
) -> Result<()> {
    let close = p.close;
    // The checkpoint the trustees verify the board under and name in their shares.
    let verified = board.checkpoint(close + 11)?;
    let mut good = Vec::new();
    for key in p.run.keys.iter().take(4) {
        let mut share = key.decrypt(&p.ctx, totals, rng)?;
        if tamper == Some(Tamper::BadDecryptionShare) && key.index() == 2 {
            share.partials.swap(0, 1);
        } else {
            good.push(share.clone());
        }
        let signer = trustee_keys.get(usize::from(key.index() - 1)).context("trustee key")?;
        let body =
            DecryptionShares { checkpoint: verified.clone(), shares: vec![share.to_bytes()] }.to_bytes();
        let msg = TrusteeMessage::sign(signer, &p.mh, EntryKind::DecryptionShare, key.index(), body);
        board.put(EntryKind::DecryptionShare, close + 12, msg.to_bytes())?;
    }
    let counts = tally::decrypt_counts(THRESHOLD, totals, &good, counted)?;
    let rules = manifest.contests.first().context("contest")?;
    let def_contest = p.definition.contests.first().context("contest")?;
    let ContestResult { ranking, mut slate, .. } =
        tally::contest_result(rules, def_contest, counts.clone(), seed);
    let mut posted_counts = counts;
    match tamper {
        Some(Tamper::WrongCount) => {
            if let Some(c) = posted_counts.first_mut() {
                *c += 1;
            }
        }
        Some(Tamper::WrongSlate) => {
            let outsider = ranking.iter().find(|id| !slate.contains(id)).copied();
            if let (Some(last), Some(o)) = (slate.last_mut(), outsider) {
                *last = o;
            }
        }
        _ => {}
    }
    let mut trustees: Vec<u16> = good.iter().map(|s| s.trustee).collect();
    if tamper == Some(Tamper::ResultTrustees) {
        // Trustee 5 posted no decryption share.
        if let Some(last) = trustees.last_mut() {
            *last = TRUSTEES;
        }
    }
    let result = PollResult {
        trustees,
        contests: vec![ContestResult { contest_id: 1, counts: posted_counts, ranking, slate }],
    };
    board.put(EntryKind::Result, close + 13, result.to_bytes())?;
    Ok(())
}
