//! The homomorphic per-candidate sums of the ballots that count (spec:
//! protocol §7.2, board §4.8): kept by the verifier (V6.1), the server (to
//! post the aggregate) and each trustee (to check it before decrypting).

use curve25519_dalek::ristretto::RistrettoPoint;
use curve25519_dalek::traits::Identity;
use shortlist_crypto::ballot::ContestShape;
use shortlist_crypto::elgamal::Ciphertext;
use shortlist_crypto::Point;

use crate::payload::{Aggregate, Ballot, ContestAggregate};

/// Running sums `(ΣA, ΣB)` per candidate of every contest.
#[derive(Clone, Debug)]
pub struct BallotSums {
    contests: Vec<(u32, Vec<(RistrettoPoint, RistrettoPoint)>)>,
}

impl BallotSums {
    /// Zero sums for these contest shapes (manifest order).
    pub fn new(shapes: &[ContestShape]) -> Self {
        let zero = (RistrettoPoint::identity(), RistrettoPoint::identity());
        Self {
            contests: shapes.iter().map(|s| (s.contest_id, vec![zero; usize::from(s.candidates)])).collect(),
        }
    }

    /// Adds a ballot's ciphertexts.
    pub fn add(&mut self, ballot: &Ballot) {
        self.apply(ballot.contests.iter().map(|c| c.ciphertexts.as_slice()), true);
    }

    /// Takes a superseded ballot's ciphertexts back out.
    pub fn subtract(&mut self, ballot: &Ballot) {
        self.apply(ballot.contests.iter().map(|c| c.ciphertexts.as_slice()), false);
    }

    /// Adds the ciphertexts of an admitted ballot's encoding, decoding only
    /// them ([`Ballot::ciphertexts_of`]): the server's sum at the tally.
    pub fn add_encoded(&mut self, ballot: &[u8]) -> crate::error::Result<()> {
        let contests = Ballot::ciphertexts_of(ballot)?;
        self.apply(contests.iter().map(|(_, cts)| cts.as_slice()), true);
        Ok(())
    }

    /// Adds sums of other ballots (made over the same shapes).
    pub fn merge(&mut self, other: &BallotSums) {
        for ((_, slots), (_, theirs)) in self.contests.iter_mut().zip(&other.contests) {
            for (slot, t) in slots.iter_mut().zip(theirs) {
                slot.0 += t.0;
                slot.1 += t.1;
            }
        }
    }

    /// Adds (or takes out) each contest's ciphertexts, in manifest order.
    fn apply<'a>(&mut self, contests: impl IntoIterator<Item = &'a [Ciphertext]>, add: bool) {
        for ((_, slots), cts) in self.contests.iter_mut().zip(contests) {
            for (slot, ct) in slots.iter_mut().zip(cts) {
                if add {
                    slot.0 += ct.a.point();
                    slot.1 += ct.b.point();
                } else {
                    slot.0 -= ct.a.point();
                    slot.1 -= ct.b.point();
                }
            }
        }
    }

    /// The sums an aggregate payload holds (a saved verifier state keeps
    /// its sums as one: spec: board §8.6).
    pub(crate) fn from_aggregate(a: &Aggregate) -> Self {
        Self {
            contests: a
                .contests
                .iter()
                .map(|c| (c.contest_id, c.totals.iter().map(|t| (*t.a.point(), *t.b.point())).collect()))
                .collect(),
        }
    }

    /// The aggregate payload for `ballots` counted ballots.
    pub fn to_aggregate(&self, ballots: u64) -> Aggregate {
        Aggregate {
            contests: self
                .contests
                .iter()
                .map(|(contest_id, slots)| ContestAggregate {
                    contest_id: *contest_id,
                    ballots,
                    totals: slots
                        .iter()
                        .map(|(a, b)| Ciphertext { a: Point::from_point(*a), b: Point::from_point(*b) })
                        .collect(),
                })
                .collect(),
        }
    }
}
