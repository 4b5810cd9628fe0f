//! The tally steps of the record verifier (spec: board §8, V6.x): once the
//! whole record is read, the checks left for the end of voting (V4.6, V4.7),
//! the aggregate recomputed from the ballots that count (V6.1), each
//! decryption share checked and the valid ones combined (V6.2, V6.3), and
//! the posted result against the counts (V6.4 and on).

use std::collections::HashSet;

use shortlist_crypto::threshold::DecryptionShare;

use super::super::ceremony::Ceremony;
use super::super::report::{ContestTable, Phase, Report, Step};
use super::super::Poll;
use super::Voting;
use crate::definition::DefinedContest;
use crate::error::Result;
use crate::manifest::ContestRules;
use crate::payload::{Aggregate, Ballot, ContestResult, DecryptionShares};
use crate::record::Frame;
use crate::sums::BallotSums;
use crate::tally;

impl Voting {
    /// Whether the result entry was read.
    pub(crate) fn has_result(&self) -> bool {
        self.result.is_some()
    }

    /// Whether voting was closed on the record.
    pub(crate) fn closed(&self) -> bool {
        self.closed.is_some()
    }

    /// The aggregate entry, once read: its index, payload hash and contents.
    pub(crate) fn aggregate(&self) -> Option<&(u64, [u8; 32], Aggregate)> {
        self.aggregate.as_ref()
    }

    pub(crate) fn finish(
        &mut self,
        poll: &Poll,
        ceremony: &mut Ceremony,
        report: &mut Report,
        reread: &mut dyn FnMut(u64) -> Result<Frame>,
    ) {
        self.flush(poll, ceremony, report);
        self.registrar_finish(poll, report);
        for (hash, audited_at) in std::mem::take(&mut self.audited) {
            // Cast before it was audited (the other order is reported when cast).
            if let Some(cast) = self.roll.fingerprint(&hash).filter(|f| f.cast) {
                report.fail(
                    Step::V4_7,
                    format!("entry {}: casts the audited ballot of entry {audited_at}", cast.at),
                );
            }
        }
        for index in std::mem::take(&mut self.duplicates) {
            if !self.proofs_failed.contains(&index) {
                report.fail(Step::V4_7, format!("entry {index}: ciphertexts already on the board"));
            }
        }
        for offset in std::mem::take(&mut self.superseded) {
            match reread(offset) {
                Ok(Frame::Entry(e)) => match Ballot::from_bytes(&e.payload) {
                    Ok(b) => {
                        if let Some(sums) = self.sums.as_mut() {
                            sums.subtract(&b);
                        }
                    }
                    Err(err) => report.fail(Step::V4_6, err.to_string()),
                },
                _ => {
                    report.fail(Step::V4_6, format!("cannot re-read the superseded ballot at byte {offset}"))
                }
            }
        }
        report.checked(Step::V4_6, 0);
        report.turnout = super::super::report::Turnout {
            members: self.roll.roll_members(),
            credentials: u64::try_from(self.roll.credentials()).unwrap_or(u64::MAX),
            ballots_cast: report.ballots,
            ballots_counted: u64::try_from(self.roll.counted()).unwrap_or(u64::MAX),
            audited: self.audits,
        };
        let Some(totals) = self.check_aggregate(poll, report) else { return };
        let Some((counts, decrypted_by)) = self.decrypt(poll, ceremony, &totals, report) else { return };
        self.check_result(poll, &counts, &decrypted_by, report);
    }

    /// V6.1: voting closed, and the posted aggregates equal the recomputed ones.
    fn check_aggregate(&self, poll: &Poll, report: &mut Report) -> Option<Aggregate> {
        report.checked(Step::V6_1, 1);
        // spec: board §8.1 — a record that ends before the tally is in progress.
        // An aggregate before voting closed was reported when read.
        if self.closed.is_none() {
            report.reached(Phase::VotingOpen);
            return None;
        }
        let Some((index, _, aggregate)) = &self.aggregate else {
            report.reached(Phase::VotingClosed);
            return None;
        };
        let ballots = u64::try_from(self.roll.counted()).unwrap_or(u64::MAX);
        let shapes = poll.shapes();
        let expected = match &self.sums {
            Some(sums) => sums.to_aggregate(ballots),
            None => BallotSums::new(&shapes).to_aggregate(ballots),
        };
        let matches = *aggregate == expected;
        if !matches {
            report.fail(
                Step::V6_1,
                format!(
                    "entry {index}: the posted aggregate is not the sum of the {ballots} ballots that count"
                ),
            );
        }
        Some(aggregate.clone())
    }

    /// V6.2, V6.3: checks each decryption share and combines the valid ones;
    /// the counts, and the trustees whose shares were valid, in board order.
    fn decrypt(
        &self,
        poll: &Poll,
        ceremony: &mut Ceremony,
        aggregate: &Aggregate,
        report: &mut Report,
    ) -> Option<(Vec<Vec<u64>>, Vec<u16>)> {
        let group = ceremony.group(poll, report)?.clone();
        let ctx = poll.context(&group.joint_key)?;
        let mut valid: Vec<Vec<DecryptionShare>> = vec![Vec::new(); aggregate.contests.len()];
        let mut decrypted_by = Vec::new();
        let mut rng = rand::rngs::OsRng;
        // One share per trustee was enforced as they were read (lifecycle).
        for (index, msg) in &self.shares {
            let shares = DecryptionShares::from_bytes(&msg.body).ok().and_then(|body| body.decoded().ok());
            let Some(shares) = shares.filter(|s| s.len() == aggregate.contests.len()) else {
                report.fail(Step::V6_2, format!("entry {index}: malformed decryption shares"));
                continue;
            };
            let vk = group.verification_key(msg.trustee);
            let ok = shares
                .iter()
                .zip(&aggregate.contests)
                .all(|(s, c)| s.trustee == msg.trustee && s.verify(&ctx, &vk, &c.totals, &mut rng).is_ok());
            if ok {
                decrypted_by.push(msg.trustee);
                for (slot, s) in valid.iter_mut().zip(shares) {
                    slot.push(s);
                }
            } else {
                report.fail(
                    Step::V6_2,
                    format!("entry {index}: trustee {}'s decryption share does not verify", msg.trustee),
                );
            }
        }
        report.checked(Step::V6_3, 1);
        if self.result.is_none() && valid.iter().any(|v| v.len() < usize::from(poll.manifest.threshold)) {
            // spec: board §8.1 — fewer valid shares than the threshold so far.
            report.reached(Phase::Tallying);
            return None;
        }
        let mut counts = Vec::with_capacity(aggregate.contests.len());
        for (contest, shares) in aggregate.contests.iter().zip(&valid) {
            // The search bound is the recomputed number of ballots, never the posted one.
            let bound = u64::try_from(self.roll.counted()).unwrap_or(u64::MAX);
            match tally::decrypt_counts(poll.manifest.threshold, &contest.totals, shares, bound) {
                Ok(c) => counts.push(c),
                Err(err) => {
                    report.fail(Step::V6_3, err.to_string());
                    return None;
                }
            }
        }
        Some((counts, decrypted_by))
    }

    /// V6.6, V6.7: the posted result names trustees that decrypted and the
    /// manifest's contests, has the decrypted counts, and the ranking and
    /// the slate the rules give.
    fn check_result(&self, poll: &Poll, counts: &[Vec<u64>], decrypted_by: &[u16], report: &mut Report) {
        report.checked(Step::V6_6, 1);
        report.checked(Step::V6_7, 1);
        let Some((index, result)) = &self.result else {
            report.reached(Phase::Tallying);
            return;
        };
        result_trustees(poll, *index, &result.trustees, decrypted_by, report);
        let Some((def, _)) = &poll.definition else { return };
        let seed = self.aggregate.as_ref().map(|(_, h, _)| *h).unwrap_or_default();
        for (((posted, counts), rules), contest) in
            result.contests.iter().zip(counts).zip(&poll.manifest.contests).zip(&def.contests)
        {
            check_contest(*index, posted, (counts, &seed), (rules, contest), report);
        }
        if result.contests.len() != counts.len() {
            report.fail(Step::V6_6, format!("entry {index}: the result has the wrong number of contests"));
        }
    }
}

/// spec: V6.6 — the result's trustees: distinct, at least t, each with a
/// valid decryption share on the board.
fn result_trustees(poll: &Poll, index: u64, trustees: &[u16], decrypted_by: &[u16], report: &mut Report) {
    let distinct: HashSet<u16> = trustees.iter().copied().collect();
    if distinct.len() != trustees.len()
        || trustees.len() < usize::from(poll.manifest.threshold)
        || trustees.iter().any(|t| !decrypted_by.contains(t))
    {
        report.fail(
            Step::V6_6,
            format!(
                "entry {index}: the result names trustees {:?}, not t distinct ones with valid shares {:?}",
                trustees, decrypted_by
            ),
        );
    }
}

/// One contest of the result (spec: V6.6 counts, V6.7 ranking and slate),
/// and its table for the report.
fn check_contest(
    index: u64,
    posted: &ContestResult,
    (counts, seed): (&[u64], &[u8; 32]),
    (rules, contest): (&ContestRules, &DefinedContest),
    report: &mut Report,
) {
    if posted.contest_id != rules.contest_id {
        report.fail(
            Step::V6_6,
            format!(
                "entry {index}: contest {} where the manifest has {}",
                posted.contest_id, rules.contest_id
            ),
        );
    }
    if posted.counts != counts {
        report.fail(
            Step::V6_6,
            format!("entry {index}: contest {} counts differ from the decryption", posted.contest_id),
        );
    }
    let ContestResult { ranking, slate, .. } = tally::contest_result(rules, contest, counts.to_vec(), seed);
    if posted.ranking != ranking || posted.slate != slate {
        report.fail(
            Step::V6_7,
            format!("entry {index}: contest {} ranking or slate differs from the rules", posted.contest_id),
        );
    }
    let rows = ranking
        .iter()
        .filter_map(|id| {
            let pos = contest.candidates.iter().position(|c| c.candidate_id == *id)?;
            let c = contest.candidates.get(pos)?;
            Some((c.name.clone(), counts.get(pos).copied().unwrap_or(0), slate.contains(id)))
        })
        .collect();
    let explanation = tally::explain(rules, contest, counts, &ranking, &slate);
    let notes = tally::notes(rules, contest, &explanation);
    report.result.push(ContestTable { title: rules.title.clone(), rows, explanation, notes });
}
