//! The tally, written once (spec: board §4.9, V6.3–V6.7; protocol §7.3):
//! combining decryption shares and the bounded discrete log, ranking,
//! tie-break and slate — pure functions of the aggregate, the shares, the
//! ballot definition and the manifest, used alike by the server, the
//! verifier and `simulate`, so anyone can recompute the result from the board.

use sha2::{Digest, Sha256};
use shortlist_crypto::dlog::DiscreteLog;
use shortlist_crypto::elgamal::Ciphertext;
use shortlist_crypto::threshold::{combine, DecryptionShare};

use crate::definition::{BallotDefinition, DefinedContest};
use crate::entry::Hash;
use crate::error::BoardError;
use crate::manifest::{ContestRules, Manifest};
use crate::payload::{Aggregate, ContestResult, DecryptionShares, PollResult, TrusteeMessage};

/// One contest's counts from its aggregate `totals` and at least
/// `threshold` decryption shares (spec: protocol §7.3, board V6.3): the
/// shares are combined, then each candidate's count is the discrete log
/// searched up to `bound`, the number of counted ballots (spec: V4.6; the
/// verifier passes the number it recomputed, never the posted one).
pub fn decrypt_counts(
    threshold: u16,
    totals: &[Ciphertext],
    shares: &[DecryptionShare],
    bound: u64,
) -> shortlist_crypto::Result<Vec<u64>> {
    let points = combine(threshold, totals, shares)?;
    let dlog = DiscreteLog::new(bound, points.len());
    points.iter().map(|p| dlog.solve(p)).collect()
}

/// The result from the board's entries (spec: board §4.9, V6.3–V6.7;
/// api §5 "Tally"): the aggregate (`aggregate_payload`, whose hash seeds
/// the tie-break), the ballot definition, and the decryption-share messages
/// in board order (`shares`), of which the first `threshold` are combined. Every contest's counts are
/// searched up to the number of ballots the aggregate sums. What the server
/// posts once the result is due ([`crate::lifecycle::rules::result_due`]).
pub fn poll_result(
    manifest: &Manifest,
    definition: &BallotDefinition,
    aggregate_payload: &[u8],
    shares: &[TrusteeMessage],
) -> crate::error::Result<PollResult> {
    let aggregate = Aggregate::from_bytes(aggregate_payload)?;
    let seed: Hash = crate::entry::payload_hash(aggregate_payload);
    let first = shares.iter().take(usize::from(manifest.threshold));
    let mut per_trustee = Vec::new();
    for msg in first {
        per_trustee.push((msg.trustee, DecryptionShares::from_bytes(&msg.body)?.decoded()?));
    }
    if per_trustee.len() < usize::from(manifest.threshold) {
        return Err(BoardError::invalid("V6.3", "fewer decryption shares than the threshold"));
    }
    let mut contests = Vec::with_capacity(aggregate.contests.len());
    for (i, contest) in aggregate.contests.iter().enumerate() {
        let shares: Vec<DecryptionShare> =
            per_trustee.iter().filter_map(|(_, s)| s.get(i).cloned()).collect();
        let counts = decrypt_counts(manifest.threshold, &contest.totals, &shares, contest.ballots)?;
        let def = definition.contests.get(i).ok_or_else(|| BoardError::invalid("V6.4", "no such contest"))?;
        let rules = manifest.contests.get(i).ok_or_else(|| BoardError::invalid("V6.4", "no such contest"))?;
        contests.push(contest_result(rules, def, counts, &seed));
    }
    Ok(PollResult { trustees: per_trustee.iter().map(|(t, _)| *t).collect(), contests })
}

/// One contest's result from its counts: the ranking with the tie-break
/// seeded by the aggregate entry's payload hash, and the slate (board §4.9).
pub fn contest_result(
    rules: &ContestRules,
    contest: &DefinedContest,
    counts: Vec<u64>,
    seed: &Hash,
) -> ContestResult {
    let ranking = rank(contest, &counts, seed);
    let slate = slate(rules, contest, &ranking);
    ContestResult { contest_id: contest.contest_id, counts, ranking, slate }
}

/// Domain separator of tie-break keys.
pub const TIE_BREAK_DOMAIN: &[u8] = b"shortlist/v1/tie-break\0";

/// `SHA-256(domain ‖ seed ‖ u32 candidate id)`, the seed being SHA-256 of the
/// aggregate entry's payload: among tied candidates, the smaller key ranks
/// higher. The aggregate is the sum of every counted ballot, fixed only after
/// voting closes, so no one can shape it to favour a candidate in a tie.
pub fn tie_break_key(seed: &Hash, candidate_id: u32) -> Hash {
    let mut h = Sha256::new();
    h.update(TIE_BREAK_DOMAIN);
    h.update(seed);
    h.update(candidate_id.to_be_bytes());
    h.finalize().into()
}

/// Candidate ids from most to fewest votes, ties broken by [`tie_break_key`].
/// `counts` follows the definition's candidate order.
pub fn rank(contest: &DefinedContest, counts: &[u64], seed: &Hash) -> Vec<u32> {
    let mut order: Vec<(u64, Hash, u32)> = contest
        .candidates
        .iter()
        .zip(counts)
        .map(|(c, n)| (*n, tie_break_key(seed, c.candidate_id), c.candidate_id))
        .collect();
    order.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    order.into_iter().map(|(_, _, id)| id).collect()
}

/// The slate, in ranking order: walk the ranking and take each candidate
/// unless taking them would leave too few seats to meet the slate rules (a
/// rule asks for at most as many seats as there are candidates that satisfy
/// it); then fill any seat left with the passed-over candidates, best first.
pub fn slate(rules: &ContestRules, contest: &DefinedContest, ranking: &[u32]) -> Vec<u32> {
    let seats = usize::from(rules.seats);
    let satisfies = |id: u32, r: &crate::manifest::SlateRule| {
        contest
            .candidates
            .iter()
            .find(|c| c.candidate_id == id)
            .is_some_and(|c| c.attribute(&r.attribute) == Some(r.value.as_str()))
    };
    let targets: Vec<usize> = rules
        .slate_rules
        .iter()
        .map(|r| {
            let standing = contest.candidates.iter().filter(|c| satisfies(c.candidate_id, r)).count();
            usize::from(r.min_seats).min(standing)
        })
        .collect();
    let mut chosen: Vec<u32> = Vec::with_capacity(seats);
    for id in ranking {
        if chosen.len() >= seats {
            break;
        }
        let deficit: usize = rules
            .slate_rules
            .iter()
            .zip(&targets)
            .map(|(r, target)| {
                let have = chosen.iter().chain(core::iter::once(id)).filter(|c| satisfies(**c, r)).count();
                target.saturating_sub(have)
            })
            .sum();
        if deficit < seats - chosen.len() {
            chosen.push(*id);
        }
    }
    // A candidate passed over to keep room for a rule is taken after all if
    // seats remain once the walk is done (the rules are then as met as they
    // can be): the slate always has min(seats, candidates) members.
    for id in ranking {
        if chosen.len() >= seats {
            break;
        }
        if !chosen.contains(id) {
            chosen.push(*id);
        }
    }
    let position = |id: &u32| ranking.iter().position(|r| r == id).unwrap_or(usize::MAX);
    chosen.sort_by_key(position);
    chosen
}

/// Candidates with the same count, in the order the tie-break key put them.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Tie {
    /// The count they share.
    pub count: u64,
    /// Their ids, in ranking order (ascending tie-break key).
    pub candidates: Vec<u32>,
    /// Whether the tie-break decided who is on the slate (some of them are,
    /// some are not).
    pub decisive: bool,
}

/// A candidate whose place on the slate a slate rule changed.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct SlateMove {
    /// The candidate.
    pub candidate_id: u32,
    /// Their rank, from 1.
    pub rank: u32,
    /// `true`: on the slate though ranked below the seats, by a rule;
    /// `false`: ranked within the seats but passed over to keep seats for a rule.
    pub elected: bool,
    /// The rules (indices into the contest's slate rules) that moved them:
    /// rules the plain top seats fall short of, that an elected candidate
    /// satisfies, or that a passed-over candidate does not.
    pub rules: Vec<usize>,
}

/// Why a contest's result is what it is (spec: board §4.9): every tie and
/// how it was broken, and every candidate a slate rule moved. A pure function
/// of what the verifier recomputes, so anyone can print it.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Explanation {
    /// Ties, best count first.
    pub ties: Vec<Tie>,
    /// Slate moves, in ranking order.
    pub moves: Vec<SlateMove>,
}

/// Explains a contest's ranking and slate. `counts` follows the definition's
/// candidate order; `ranking` and `slate` are [`rank`] and [`slate`]'s.
pub fn explain(
    rules: &ContestRules,
    contest: &DefinedContest,
    counts: &[u64],
    ranking: &[u32],
    slate: &[u32],
) -> Explanation {
    Explanation { ties: ties(contest, counts, ranking, slate), moves: moves(rules, contest, ranking, slate) }
}

/// The runs of equal counts in the ranking; decisive when the slate cuts
/// through one.
fn ties(contest: &DefinedContest, counts: &[u64], ranking: &[u32], slate: &[u32]) -> Vec<Tie> {
    let count_of = |id: u32| {
        contest
            .candidates
            .iter()
            .position(|c| c.candidate_id == id)
            .and_then(|i| counts.get(i))
            .copied()
            .unwrap_or(0)
    };
    let mut ties: Vec<Tie> = Vec::new();
    for id in ranking {
        let n = count_of(*id);
        match ties.last_mut() {
            Some(t) if t.count == n => t.candidates.push(*id),
            _ => ties.push(Tie { count: n, candidates: vec![*id], decisive: false }),
        }
    }
    ties.retain(|t| t.candidates.len() > 1);
    for t in &mut ties {
        let on = t.candidates.iter().filter(|id| slate.contains(id)).count();
        t.decisive = on > 0 && on < t.candidates.len();
    }
    ties
}

/// The candidates the slate rules moved onto or off the plain top seats,
/// each with the rules (that the top seats do not meet) that moved it.
fn moves(rules: &ContestRules, contest: &DefinedContest, ranking: &[u32], slate: &[u32]) -> Vec<SlateMove> {
    let satisfies = |id: u32, r: &crate::manifest::SlateRule| {
        contest
            .candidates
            .iter()
            .find(|c| c.candidate_id == id)
            .is_some_and(|c| c.attribute(&r.attribute) == Some(r.value.as_str()))
    };
    let seats = usize::from(rules.seats);
    let top: Vec<u32> = ranking.iter().take(seats).copied().collect();
    // The rules the plain top seats do not meet (as far as candidates stand).
    let short: Vec<usize> = rules
        .slate_rules
        .iter()
        .enumerate()
        .filter(|(_, r)| {
            let standing = contest.candidates.iter().filter(|c| satisfies(c.candidate_id, r)).count();
            let target = usize::from(r.min_seats).min(standing);
            top.iter().filter(|id| satisfies(**id, r)).count() < target
        })
        .map(|(i, _)| i)
        .collect();
    let mut moves = Vec::new();
    for (id, rank) in ranking.iter().zip(1u32..) {
        let in_top = top.contains(id);
        let elected = slate.contains(id);
        if in_top == elected {
            continue;
        }
        let moved_by = short
            .iter()
            .copied()
            .filter(|i| rules.slate_rules.get(*i).is_some_and(|r| satisfies(*id, r) == elected))
            .collect();
        moves.push(SlateMove { candidate_id: *id, rank, elected, rules: moved_by });
    }
    moves
}

/// A slate rule in words: `at least 5 seats for gender = woman`.
pub fn describe_rule(r: &crate::manifest::SlateRule) -> String {
    format!("at least {} seats for {} = {}", r.min_seats, r.attribute, r.value)
}

/// An [`Explanation`] as sentences (English), naming candidates.
pub fn notes(rules: &ContestRules, contest: &DefinedContest, ex: &Explanation) -> Vec<String> {
    let name = |id: &u32| {
        contest
            .candidates
            .iter()
            .find(|c| c.candidate_id == *id)
            .map_or_else(|| format!("#{id}"), |c| c.name.clone())
    };
    let rule_list = |idx: &[usize]| {
        idx.iter().filter_map(|i| rules.slate_rules.get(*i)).map(describe_rule).collect::<Vec<_>>().join("; ")
    };
    let mut out = Vec::new();
    for t in &ex.ties {
        out.push(format!(
            "tie at {} votes: {} — ordered by the tie-break key SHA-256(aggregate, id){}",
            t.count,
            t.candidates.iter().map(name).collect::<Vec<_>>().join(", "),
            if t.decisive { "; it decided a seat" } else { "" }
        ));
    }
    for m in &ex.moves {
        if m.elected {
            out.push(format!(
                "{} (rank {}) is on the slate by the rule: {}",
                name(&m.candidate_id),
                m.rank,
                rule_list(&m.rules)
            ));
        } else {
            out.push(format!(
                "{} (rank {}) was passed over to keep seats for the rule: {}",
                name(&m.candidate_id),
                m.rank,
                rule_list(&m.rules)
            ));
        }
    }
    out
}
