//! Voting and tally steps of the record verifier (spec: board §8, V4.x, V6.x).

use std::collections::{HashMap, HashSet};

use shortlist_crypto::ballot::BallotContext;
use shortlist_crypto::batch::BatchVerifier;
use shortlist_crypto::credential::CredentialPublicKey;

use super::ceremony::Ceremony;
use super::report::{Report, Step};
use super::Poll;
use crate::entry::{Entry, EntryKind};
use crate::lifecycle::setup::record_phase;
use crate::lifecycle::{rules, Now, Refusal, Roll};
use crate::payload::{Aggregate, Ballot, PollResult, Purpose, SpoiledBallot, TrusteeMessage};
use crate::sums::BallotSums;

mod registrar;
mod result;
mod state;
mod tally_entries;

/// Ballots whose proofs are checked in one multiscalar multiplication.
const BATCH: usize = 256;
/// Ballots read before a chunk is checked (in parallel, `BATCH` per task).
const CHUNK: usize = 4 * BATCH;

/// A ballot entry waiting to be checked.
struct Queued {
    index: u64,
    time: u64,
    // The voting close in force at this entry (spec: V1.5).
    close: u64,
    offset: u64,
    payload: Vec<u8>,
}

/// A ballot entry after the parallel part of its checks.
struct Checked {
    index: u64,
    time: u64,
    close: u64,
    offset: u64,
    ballot: std::result::Result<Ballot, String>,
    signature_ok: bool,
    proof_failures: Vec<String>,
}

/// Decodes a slice of queued ballots, checks their signatures, and checks
/// their proofs in one batch. Runs on any thread.
fn check_slice(
    poll: &Poll,
    ctx: Option<&shortlist_crypto::transcript::ElectionContext>,
    trusted_below: u64,
    slice: &[Queued],
) -> Vec<Checked> {
    let shapes = poll.shapes();
    let dh = poll.definition.as_ref().map(|(_, h)| *h).unwrap_or_default();
    let mut checked: Vec<Checked> = slice
        .iter()
        .map(|q| {
            let ballot = Ballot::from_bytes(&q.payload).map_err(|e| e.to_string());
            let signature_ok = ballot
                .as_ref()
                .is_ok_and(|b| b.verify_signature(Purpose::Cast, &poll.manifest_hash, &dh).is_ok());
            Checked {
                index: q.index,
                time: q.time,
                close: q.close,
                offset: q.offset,
                ballot,
                signature_ok,
                proof_failures: Vec::new(),
            }
        })
        .collect();
    let Some(ctx) = ctx else {
        for c in checked.iter_mut().filter(|c| c.index >= trusted_below) {
            c.proof_failures.push("no joint key: the ballot cannot be checked".into());
        }
        return checked;
    };
    let mut batch = BatchVerifier::new(rand::rngs::OsRng);
    let key = batch.shared_base(&ctx.joint_key);
    for c in checked.iter_mut().filter(|c| c.index >= trusted_below) {
        let Ok(ballot) = &c.ballot else { continue };
        batch.set_tag(c.index);
        let cred = ballot.credential.to_bytes();
        let bctx = BallotContext { election: ctx, credential: &cred };
        if ballot.contests.len() != shapes.len() {
            c.proof_failures.push(format!("{} contests, expected {}", ballot.contests.len(), shapes.len()));
            continue;
        }
        for (contest, shape) in ballot.contests.iter().zip(&shapes) {
            if let Err(err) = contest.add_to_batch(&bctx, shape, key, &mut batch) {
                c.proof_failures.push(err.to_string());
            }
        }
    }
    for label in batch.failing_items_if_any() {
        if let Some(c) = checked.iter_mut().find(|c| c.index == label.tag) {
            c.proof_failures.push(format!("invalid {} {}", label.kind, label.index));
        }
    }
    checked
}

/// What the verifier has learned of the voting and the tally.
#[derive(Default)]
pub(crate) struct Voting {
    // Entries below this index had their proofs checked by an earlier run (--since).
    pub(crate) trusted_below: u64,
    // The lifecycle's facts as replayed: registered credentials, the ballot
    // that counts per credential, every contest's fingerprint (spec: V4.1,
    // V4.6, V4.7). Its rules are the server's (crate::lifecycle).
    roll: Roll,
    // Ballot entries read but not yet checked, in board order.
    queue: Vec<Queued>,
    // Credential → record offset of the ballot that counts now.
    counted_at: HashMap<[u8; 32], u64>,
    superseded: Vec<u64>,
    sums: Option<BallotSums>,
    // Audited contests' fingerprints: an audited encryption is public and
    // must never be cast, before or after the audit (spec: V4.7).
    audited: Vec<([u8; 32], u64)>,
    // Ballots repeating ciphertexts already on the board, and ballots whose
    // proofs failed: a copy with invalid proofs is reported at V4.5 only.
    duplicates: Vec<u64>,
    proofs_failed: HashSet<u64>,
    closed: Option<(u64, u64)>,
    // The aggregate entry: its index, its payload hash (the tie-break seed) and contents.
    aggregate: Option<(u64, [u8; 32], Aggregate)>,
    shares: Vec<(u64, TrusteeMessage)>,
    result: Option<(u64, PollResult)>,
    // Audited ballots read.
    audits: u64,
}

impl Voting {
    /// Where the lifecycle stands for entry `index` at `time` of a replay:
    /// the phase the record shows there (`lifecycle::setup::record_phase`)
    /// and the timetable in force.
    pub(crate) fn now(&self, poll: &Poll, index: u64, time: u64) -> Now {
        let phase = record_phase(
            poll.setup.defined_before(index),
            self.closed.is_some_and(|(at, _)| at < index),
            self.aggregate.as_ref().is_some_and(|(at, _, _)| *at < index),
            self.result.as_ref().is_some_and(|(at, _)| *at < index),
        );
        Now { phase, time, timetable: poll.setup.timetable() }
    }

    pub(crate) fn entry(
        &mut self,
        poll: &Poll,
        ceremony: &mut Ceremony,
        e: &Entry,
        offset: u64,
        report: &mut Report,
    ) {
        let tally_kind = matches!(
            e.kind,
            EntryKind::VotingClosed | EntryKind::Aggregate | EntryKind::DecryptionShare | EntryKind::Result
        );
        if tally_kind && !poll.setup.defined_before(e.index) {
            // spec: V1.4 — nothing is voted on or tallied before the ballot
            // definition: the entry is reported and otherwise ignored.
            report.fail(
                Step::V1_4,
                format!("entry {}: {} before the ballot definition", e.index, e.kind.name()),
            );
            return;
        }
        match e.kind {
            EntryKind::Credential => self.credential(poll, e, report),
            EntryKind::RegistrarList | EntryKind::RegistrarSupplement | EntryKind::RegistrarRevocation => {
                self.registrar(poll, ceremony, e, report)
            }
            EntryKind::Ballot => self.ballot(poll, ceremony, e, offset, report),
            EntryKind::SpoiledBallot => self.spoiled(poll, ceremony, e, report),
            EntryKind::VotingClosed => self.voting_closed(poll, e, report),
            EntryKind::Aggregate => self.aggregate_entry(poll, e, report),
            EntryKind::DecryptionShare => self.decryption_share(poll, e, report),
            EntryKind::Result => self.result_entry(poll, e, report),
            _ => report.fail(Step::V1_1, format!("entry {}: unexpected {} entry", e.index, e.kind.name())),
        }
    }

    fn credential(&mut self, poll: &Poll, e: &Entry, report: &mut Report) {
        report.checked(Step::V4_1, 1);
        match CredentialPublicKey::from_bytes(&e.payload) {
            Ok(pk) => {
                // spec: V4.1 — the lifecycle's registration rule; the record
                // shows no tokens, so the token is taken as fresh.
                self.sync(poll);
                self.roll.phase = self.now(poll, e.index, e.time).phase;
                match self.roll.register(e.index, e.time, pk.to_bytes()) {
                    Ok(()) => {}
                    Err(Refusal::AlreadyRegistered) => {
                        report.fail(Step::V4_1, format!("entry {}: credential registered twice", e.index));
                    }
                    Err(r @ Refusal::RegistrarMode) => {
                        report.fail(Step::V4_9, format!("entry {}: {r}", e.index))
                    }
                    Err(_) => {
                        report
                            .fail(Step::V4_1, format!("entry {}: registration after voting closed", e.index));
                    }
                }
            }
            Err(err) => report.fail(Step::V4_1, format!("entry {}: {err}", e.index)),
        }
    }

    /// Gives the roll the manifest's revote policy and the timetable in force.
    fn sync(&mut self, poll: &Poll) {
        self.roll.revote = poll.manifest.revote;
        self.roll.timetable = poll.setup.timetable();
        self.roll.set_registrar_mode(poll.manifest.registrar.is_some());
    }

    fn ballot(&mut self, poll: &Poll, ceremony: &mut Ceremony, e: &Entry, offset: u64, report: &mut Report) {
        self.queue.push(Queued {
            index: e.index,
            time: e.time,
            close: poll.setup.timetable().voting_close,
            offset,
            payload: e.payload.clone(),
        });
        if self.queue.len() >= CHUNK {
            self.flush(poll, ceremony, report);
        }
    }

    /// Checks the queued ballots: decoding, signatures and proofs in parallel
    /// (one batch per `BATCH` ballots), then every ordered rule in board
    /// order (spec: V4.2–V4.7).
    pub(crate) fn flush(&mut self, poll: &Poll, ceremony: &mut Ceremony, report: &mut Report) {
        if self.queue.is_empty() {
            return;
        }
        let queue = std::mem::take(&mut self.queue);
        let ctx = ceremony.group(poll, report).and_then(|g| poll.context(&g.joint_key));
        let trusted_below = self.trusted_below;
        let checked: Vec<Checked> = {
            #[cfg(feature = "parallel")]
            {
                use rayon::prelude::*;
                queue
                    .par_chunks(BATCH)
                    .flat_map_iter(|s| check_slice(poll, ctx.as_ref(), trusted_below, s))
                    .collect()
            }
            #[cfg(not(feature = "parallel"))]
            {
                queue.chunks(BATCH).flat_map(|s| check_slice(poll, ctx.as_ref(), trusted_below, s)).collect()
            }
        };
        for c in checked {
            self.ordered_rules(poll, c, report);
        }
    }

    /// The rules that depend on board order, for one checked ballot.
    fn ordered_rules(&mut self, poll: &Poll, c: Checked, report: &mut Report) {
        report.ballots += 1;
        for step in [Step::V4_2, Step::V4_3, Step::V4_4, Step::V4_6, Step::V4_7] {
            report.checked(step, 1);
        }
        if c.index >= self.trusted_below {
            report.checked(Step::V4_5, 1);
        }
        let index = c.index;
        let ballot = match c.ballot {
            Ok(b) => b,
            Err(err) => {
                self.proofs_failed.insert(index);
                report.fail(Step::V4_5, format!("entry {index}: {err}"));
                return;
            }
        };
        if !poll.setup.defined_before(index) {
            report.fail(Step::V1_4, format!("entry {index}: ballot before the ballot definition"));
            return;
        }
        if !c.signature_ok {
            report.fail(Step::V4_2, format!("entry {index}: bad credential signature"));
        }
        if !c.proof_failures.is_empty() {
            self.proofs_failed.insert(index);
            report.fail(Step::V4_5, format!("entry {index}: {}", c.proof_failures.join(", ")));
        }
        let cred = ballot.credential.to_bytes();
        let fingerprints: Vec<[u8; 32]> =
            ballot.contests.iter().map(|c| crate::payload::ciphertexts_hash(&c.ciphertexts)).collect();
        // The lifecycle's admission rule for a cast ballot, with the close in
        // force when the entry was read (spec: V1.5).
        self.sync(poll);
        self.roll.timetable.voting_close = c.close;
        self.roll.phase = self.now(poll, index, c.time).phase;
        let refusals = self.roll.ballot_refusals(index, c.time, &cred, &fingerprints);
        for refusal in &refusals {
            self.report_refusal(index, &cred, &fingerprints, refusal, report);
        }
        // spec: V4.6 — "counted" is the lifecycle's admission: a ballot that
        // decodes, is signed (V4.2), proves (V4.5) and breaks no rule of
        // V4.3–V4.7 becomes its credential's counted ballot, replacing an
        // earlier one under `last`; any other is on the board but not summed.
        if c.signature_ok && c.proof_failures.is_empty() && refusals.is_empty() {
            self.count(poll, index, c.offset, &ballot, &fingerprints, report);
        } else {
            self.roll.record_fingerprints(index, &fingerprints, true);
        }
    }

    /// Reports a rule of V4.3–V4.9 that the ballot at `index` breaks.
    fn report_refusal(
        &mut self,
        index: u64,
        cred: &[u8; 32],
        fingerprints: &[[u8; 32]],
        refusal: &Refusal,
        report: &mut Report,
    ) {
        let short = hex::encode(cred.get(..8).unwrap_or_default());
        match refusal {
            Refusal::Unregistered => {
                report.fail(Step::V4_3, format!("entry {index}: credential {short} is not registered"))
            }
            Refusal::AlreadyVoted => {
                report.fail(Step::V4_6, format!("entry {index}: a second ballot where the first counts"))
            }
            Refusal::DuplicateCiphertexts => self.duplicate(index, fingerprints, report),
            Refusal::Unlisted => report.fail(
                Step::V4_9,
                format!("entry {index}: credential {short} is not on the registrar's list"),
            ),
            Refusal::Revoked => report.fail(
                Step::V4_9,
                format!("entry {index}: credential {short} was revoked before this ballot"),
            ),
            _ => report.fail(Step::V4_4, format!("entry {index}: ballot outside the voting window")),
        }
    }

    /// An admitted ballot at `index` (record `offset`) becomes its member's
    /// counted ballot and is summed (spec: V4.6, V4.9, V6.1).
    fn count(
        &mut self,
        poll: &Poll,
        index: u64,
        offset: u64,
        ballot: &Ballot,
        fingerprints: &[[u8; 32]],
        report: &mut Report,
    ) {
        let cred = ballot.credential.to_bytes();
        match self.roll.record_ballot(index, cred, fingerprints) {
            Err(_) => {
                report.fail(Step::V4_6, format!("entry {index}: a second ballot where the first counts"))
            }
            Ok(previous) => {
                // One counted ballot per member across a re-issue (spec: V4.9).
                let voter = self.roll.voter(&cred);
                if let Some(old) = self.counted_at.insert(voter, offset).filter(|_| previous.is_some()) {
                    self.superseded.push(old);
                }
                self.sums.get_or_insert_with(|| BallotSums::new(&poll.shapes())).add(ballot);
            }
        }
    }

    /// V4.7: a ballot repeating ciphertexts on the board. Casting an
    /// audited encryption is reported at once; a copy of a cast ballot is
    /// reported at the end, unless its proofs failed (then V4.5 only).
    fn duplicate(&mut self, index: u64, fingerprints: &[[u8; 32]], report: &mut Report) {
        let audited = fingerprints.iter().filter_map(|f| self.roll.fingerprint(f)).find(|f| !f.cast);
        match audited {
            Some(f) => {
                report.fail(Step::V4_7, format!("entry {index}: casts the audited ballot of entry {}", f.at))
            }
            None => self.duplicates.push(index),
        }
    }

    /// V4.8: an audited ballot carries no credential or signature (board
    /// §4.7); its openings must re-encrypt to its ciphertexts and choose
    /// within the contest's limits, inside the voting window.
    fn spoiled(&mut self, poll: &Poll, ceremony: &mut Ceremony, e: &Entry, report: &mut Report) {
        report.checked(Step::V4_8, 1);
        self.audits += 1;
        let spoiled = match SpoiledBallot::from_bytes(&e.payload) {
            Ok(s) => s,
            Err(err) => {
                report.fail(Step::V4_8, format!("entry {}: {err}", e.index));
                return;
            }
        };
        if !poll.setup.defined_before(e.index) {
            report
                .fail(Step::V1_4, format!("entry {}: audited ballot before the ballot definition", e.index));
            return;
        }
        let fingerprints: Vec<[u8; 32]> =
            spoiled.contests.iter().map(|c| crate::payload::ciphertexts_hash(&c.ciphertexts)).collect();
        // spec: V4.7 — an audit repeating ciphertexts within itself or of an
        // earlier audit (audits are replayed in board order; a cast ballot's
        // are compared at the end, since ballots are checked in batches).
        let repeated = fingerprints.iter().filter_map(|f| self.roll.fingerprint(f)).find(|f| !f.cast);
        let fresh = rules::fingerprints_distinct(&fingerprints) && repeated.is_none();
        self.audited.extend(fingerprints.iter().map(|f| (*f, e.index)));
        // spec: V4.8 — the lifecycle's audit rule: phase and voting window.
        match rules::audit_ballot(&self.now(poll, e.index, e.time), fresh) {
            Err(Refusal::DuplicateCiphertexts) => report.fail(
                Step::V4_7,
                match repeated {
                    Some(f) => format!("entry {}: repeats the audited ballot of entry {}", e.index, f.at),
                    None => format!("entry {}: two contests with the same ciphertexts", e.index),
                },
            ),
            Err(_) => report
                .fail(Step::V4_8, format!("entry {}: audited ballot outside the voting window", e.index)),
            Ok(_) => {}
        }
        self.roll.record_audit(e.index, &fingerprints);
        if e.index < self.trusted_below {
            return;
        }
        open_audit(poll, ceremony, e.index, &spoiled, report);
    }
}

/// spec: V4.8 — the audited ballot's openings re-encrypt to its
/// ciphertexts under the joint key and choose within the contests' limits.
fn open_audit(
    poll: &Poll,
    ceremony: &mut Ceremony,
    index: u64,
    spoiled: &SpoiledBallot,
    report: &mut Report,
) {
    let Some(group) = ceremony.group(poll, report) else {
        report.fail(Step::V4_8, format!("entry {}: no joint key to check the audited ballot", index));
        return;
    };
    let key = group.joint_key;
    let shapes = poll.shapes();
    let ok = spoiled.contests.len() == shapes.len()
        && spoiled.openings.len() == shapes.len()
        && spoiled
            .contests
            .iter()
            .zip(&shapes)
            .zip(&spoiled.openings)
            .all(|((c, s), o)| c.check_opening(s, &key, o).is_ok());
    if !ok {
        report
            .fail(Step::V4_8, format!("entry {}: the audited ballot does not open to a valid choice", index));
    }
}
