//! Ranking, tie-break and slate (spec: board §4.9): pure functions of the
//! counts, the aggregate, the ballot definition and the manifest, so anyone
//! can recompute the result from the board.

use sha2::{Digest, Sha256};

use crate::definition::DefinedContest;
use crate::entry::Hash;
use crate::manifest::ContestRules;

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
