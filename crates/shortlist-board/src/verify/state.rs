//! A settled verifier saved to bytes and loaded again (spec: board §8.6,
//! "verifier state"): what a live follower keeps between runs so that it
//! resumes where it stopped instead of re-reading the prefix.
//!
//! Layout (version 1, every integer big-endian, codec of board §2):
//! the 16-byte magic `SHORTLIST-VST\x00\x01\n`; `u64` the record bytes read
//! (the offset of the next frame in the reader's copy of the record); the
//! chain (`u64` next index, 32-byte head); the frontier (`u64` size, then one
//! 32-byte hash per set bit of the size); the checkpoints (latest read, the
//! one that ended the record read so far, every one read by size, the saved
//! ones to match, the expected manifest hash, the heads after the
//! aggregate); the kept entries (every entry but credentials and ballots,
//! replayed on load, then where among them the first ballot froze the key
//! ceremony and where its group was derived, each an optional `u64`); the report so far (per step: id, checked, failed, messages;
//! entries, ballots, poll); then the voting facts (`voting/state.rs`,
//! `lifecycle/roll/state.rs`). A state is only written settled (no ballot
//! queued), and holds nothing secret: only what the record shows.

use std::collections::HashMap;

use super::{Report, Verifier};
use crate::checkpoint::Checkpoint;
use crate::codec::{saved_count, saved_len, Reader, Writer};
use crate::entry::{Chain, Entry, EntryKind};
use crate::error::{BoardError, Result};
use crate::merkle::Frontier;

/// The first 16 bytes of a saved verifier state.
pub const STATE_MAGIC: &[u8; 16] = b"SHORTLIST-VST\x00\x01\n";

/// The entries a saved state replays: everything but credentials and
/// ballots, whose facts are saved instead; and where, among them, the first
/// ballot froze the key ceremony and where its group was derived.
#[derive(Default)]
pub(crate) struct Kept {
    entries: Vec<Entry>,
    freeze_at: Option<u64>,
    group_at: Option<u64>,
}

impl Kept {
    /// Keeps `e` if a loaded state must replay it; `derived` tells whether
    /// the ceremony's group is derived once `e` is read.
    pub(crate) fn entry(&mut self, e: &Entry, derived: bool) {
        match e.kind {
            EntryKind::Credential => {}
            EntryKind::Ballot | EntryKind::SpoiledBallot => {
                self.freeze_at.get_or_insert(saved_len(self.entries.len()));
            }
            _ => self.entries.push(e.clone()),
        }
        if derived {
            self.group_at.get_or_insert(saved_len(self.entries.len()));
        }
    }
}

fn option_u64(w: &mut Writer, v: Option<u64>) {
    match v {
        Some(v) => w.u8(1).u64(v),
        None => w.u8(0),
    };
}

fn read_option_u64(r: &mut Reader<'_>) -> Result<Option<u64>> {
    Ok(if r.u8()? == 0 { None } else { Some(r.u64()?) })
}

fn checkpoints<'a>(w: &mut Writer, cs: impl ExactSizeIterator<Item = &'a Checkpoint>) {
    w.u64(saved_len(cs.len()));
    for c in cs {
        w.bytes(&c.to_bytes());
    }
}

fn read_checkpoints(r: &mut Reader<'_>) -> Result<Vec<Checkpoint>> {
    (0..saved_count(r)?).map(|_| Checkpoint::from_bytes(r.bytes(1024)?)).collect()
}

impl Verifier {
    /// Settles the verifier and saves its state; `record_bytes` is the
    /// offset the next frame will have in the caller's copy of the record
    /// (the verifier re-reads superseded ballots from that copy at the end).
    pub fn save(&mut self, record_bytes: u64) -> Result<Vec<u8>> {
        self.settle();
        let mut w = Writer::new();
        w.fixed(STATE_MAGIC).u64(record_bytes);
        w.u64(self.chain.len()).fixed(&self.chain.head());
        w.u64(self.frontier.size().get());
        for h in self.frontier.border() {
            w.fixed(h.as_bytes());
        }
        checkpoints(&mut w, self.latest.iter());
        option_u64(&mut w, self.last_checkpoint);
        let mut pending: Vec<&Checkpoint> = self.pending_checkpoints.values().collect();
        pending.sort_by_key(|c| c.size);
        checkpoints(&mut w, pending.into_iter());
        checkpoints(&mut w, self.saved.iter());
        match &self.expected_manifest {
            Some(h) => w.u8(1).fixed(h),
            None => w.u8(0),
        };
        w.u64(saved_len(self.tally_heads.len()));
        for (size, (head, root)) in &self.tally_heads {
            w.u64(*size).fixed(head).fixed(root);
        }
        w.u64(saved_len(self.kept.entries.len()));
        for e in &self.kept.entries {
            w.bytes(&e.to_bytes());
        }
        option_u64(&mut w, self.kept.freeze_at);
        option_u64(&mut w, self.kept.group_at);
        self.write_report(&mut w);
        self.voting.write_state(&mut w)?;
        Ok(w.finish())
    }

    fn write_report(&self, w: &mut Writer) {
        let r = &self.report;
        w.u64(saved_len(r.steps.len()));
        for s in &r.steps {
            w.str(s.id).u64(s.checked).u64(s.failed).count(s.details.len());
            for d in &s.details {
                w.str(d);
            }
        }
        w.u64(r.entries).u64(r.ballots);
        match &r.poll {
            Some((id, hash)) => w.u8(1).str(id).str(hash),
            None => w.u8(0),
        };
    }

    /// Loads a state [`Self::save`] wrote; returns the verifier and the
    /// record bytes read. The kept entries are replayed (manifest,
    /// definition, amendments, ceremony, tally entries) to rebuild the poll
    /// and the ceremony; what they report again is dropped for the report
    /// saved.
    pub fn load(bytes: &[u8]) -> Result<(Self, u64)> {
        let bad = |why: &str| BoardError::malformed("verifier state", why.to_string());
        let mut r = Reader::new("verifier state", bytes);
        if &r.fixed::<16>()? != STATE_MAGIC {
            return Err(bad("not a shortlist verifier state (bad magic or version)"));
        }
        let record_bytes = r.u64()?;
        let mut v = Verifier::new();
        let (next, head) = (r.u64()?, r.fixed::<32>()?);
        v.chain = Chain::new();
        v.chain.resync(next, head);
        let size = r.u64()?;
        let border =
            (0..size.count_ones()).map(|_| r.fixed::<32>().map(Into::into)).collect::<Result<_>>()?;
        v.frontier = Frontier::from_parts(size, border).ok_or_else(|| bad("frontier"))?;
        v.latest = read_checkpoints(&mut r)?.pop();
        v.last_checkpoint = read_option_u64(&mut r)?;
        v.pending_checkpoints = read_checkpoints(&mut r)?.into_iter().map(|c| (c.size, c)).collect();
        v.saved = read_checkpoints(&mut r)?;
        v.expected_manifest = if r.u8()? == 0 { None } else { Some(r.fixed::<32>()?) };
        let mut heads = HashMap::new();
        for _ in 0..saved_count(&mut r)? {
            let size = r.u64()?;
            heads.insert(size, (r.fixed::<32>()?, r.fixed::<32>()?));
        }
        v.tally_heads = heads;
        let entries = (0..saved_count(&mut r)?)
            .map(|_| Entry::from_bytes(r.bytes(usize::MAX)?))
            .collect::<Result<Vec<Entry>>>()?;
        let (freeze_at, group_at) = (read_option_u64(&mut r)?, read_option_u64(&mut r)?);
        let report = read_report(&mut r)?;
        v.voting.read_state(&mut r)?;
        r.finish()?;
        v.kept = Kept { entries: Vec::new(), freeze_at, group_at };
        v.replay(&entries);
        v.kept.entries = entries;
        v.report = report;
        Ok((v, record_bytes))
    }

    /// Replays the kept entries into the poll, the ceremony and the tally
    /// facts, reporting into a scratch report.
    fn replay(&mut self, entries: &[Entry]) {
        let (freeze_at, group_at) = (self.kept.freeze_at, self.kept.group_at);
        for k in 0..=saved_len(entries.len()) {
            if freeze_at == Some(k) {
                self.ceremony.freeze();
            }
            if group_at == Some(k) {
                if let Some(poll) = &self.poll {
                    self.ceremony.group(poll, &mut self.report);
                }
            }
            if let Some(e) = usize::try_from(k).ok().and_then(|k| entries.get(k)) {
                // Credentials and ballots are not kept: no offset is needed.
                self.by_kind(e, 0);
            }
        }
    }
}

fn read_report(r: &mut Reader<'_>) -> Result<Report> {
    let mut report = Report::new();
    let n = saved_count(r)?;
    if n != saved_len(report.steps.len()) {
        return Err(BoardError::malformed("verifier state", "another verifier's steps"));
    }
    for s in &mut report.steps {
        if r.str()? != s.id {
            return Err(BoardError::malformed("verifier state", "another verifier's steps"));
        }
        s.checked = r.u64()?;
        s.failed = r.u64()?;
        s.details = (0..r.count(64)?).map(|_| r.str()).collect::<Result<_>>()?;
    }
    report.entries = r.u64()?;
    report.ballots = r.u64()?;
    report.poll = if r.u8()? == 0 { None } else { Some((r.str()?, r.str()?)) };
    Ok(report)
}
