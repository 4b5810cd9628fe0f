//! The voting facts of a settled verifier as bytes, for a saved verifier
//! state (spec: board §8.6). The voting-closed, aggregate, decryption-share
//! and result entries are not saved here: the verifier keeps those entries
//! and replays them when it loads.

use std::collections::HashSet;

use super::Voting;
use crate::codec::{saved_count, saved_len, Reader, Writer};
use crate::error::{BoardError, Result};
use crate::payload::Aggregate;
use crate::sums::BallotSums;

fn indices<'a>(w: &mut Writer, items: impl ExactSizeIterator<Item = &'a u64>) {
    w.u64(saved_len(items.len()));
    for i in items {
        w.u64(*i);
    }
}

fn read_indices(r: &mut Reader<'_>) -> Result<Vec<u64>> {
    (0..saved_count(r)?).map(|_| r.u64()).collect()
}

impl Voting {
    /// Appends the voting facts; the ballot queue must be empty (settled).
    pub(crate) fn write_state(&self, w: &mut Writer) -> Result<()> {
        if !self.queue.is_empty() {
            return Err(BoardError::malformed("verifier state", "ballots still queued: settle first"));
        }
        w.u64(self.trusted_below).u64(self.audits);
        self.roll.write_state(w);
        w.u64(saved_len(self.counted_at.len()));
        for (cred, offset) in &self.counted_at {
            w.fixed(cred).u64(*offset);
        }
        indices(w, self.superseded.iter());
        match &self.sums {
            Some(s) => w.u8(1).bytes(&s.to_aggregate(0).to_bytes()),
            None => w.u8(0),
        };
        w.u64(saved_len(self.audited.len()));
        for (f, at) in &self.audited {
            w.fixed(f).u64(*at);
        }
        indices(w, self.duplicates.iter());
        let mut failed: Vec<u64> = self.proofs_failed.iter().copied().collect();
        failed.sort_unstable();
        indices(w, failed.iter());
        Ok(())
    }

    /// Reads the facts [`Self::write_state`] wrote into a fresh `Voting`.
    pub(crate) fn read_state(&mut self, r: &mut Reader<'_>) -> Result<()> {
        self.trusted_below = r.u64()?;
        self.audits = r.u64()?;
        self.roll.read_state(r)?;
        for _ in 0..saved_count(r)? {
            let cred = r.fixed::<32>()?;
            self.counted_at.insert(cred, r.u64()?);
        }
        self.superseded = read_indices(r)?;
        self.sums = match r.u8()? {
            0 => None,
            _ => Some(BallotSums::from_aggregate(&Aggregate::from_bytes(r.bytes(usize::MAX)?)?)),
        };
        for _ in 0..saved_count(r)? {
            let f = r.fixed::<32>()?;
            self.audited.push((f, r.u64()?));
        }
        self.duplicates = read_indices(r)?;
        self.proofs_failed = read_indices(r)?.into_iter().collect::<HashSet<u64>>();
        Ok(())
    }
}
