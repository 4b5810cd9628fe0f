//! The record verifier (spec: board §8): runs every numbered step over an
//! election record, streaming it entry by entry, and reports each step with
//! its counts. Ballot proofs are checked in batches (one multiscalar
//! multiplication per batch); verification memory grows with the number of
//! credentials, not with the size of the record.

mod ceremony;
mod live;
mod report;
mod setup;
mod state;
mod voting;

use std::collections::HashMap;
use std::path::Path;

use shortlist_crypto::ballot::ContestShape;
use shortlist_crypto::transcript::ElectionContext;

use crate::checkpoint::Checkpoint;
use crate::definition::BallotDefinition;
use crate::entry::{Chain, Entry, EntryKind, Hash};
use crate::error::Result;
use crate::manifest::Manifest;
use crate::merkle::{leaf_hash, Frontier};
use crate::record::{self, Frame};

pub use live::{verify_path_from, Progress};
pub use report::{ContestTable, Phase, Report, Step, StepReport, Turnout};
pub use state::STATE_MAGIC;

/// The poll as established by the entries read so far.
pub(crate) struct Poll {
    pub(crate) manifest: Manifest,
    pub(crate) manifest_hash: Hash,
    pub(crate) definition: Option<(BallotDefinition, Hash)>,
    /// The lifecycle's setup facts: candidates, the definition's index, the
    /// timetable in force at the current entry with the amendments admitted
    /// so far (spec: V1.4, V1.5).
    pub(crate) setup: crate::lifecycle::Setup,
}

impl Poll {
    /// The crypto context once the definition and the joint key are known.
    pub(crate) fn context(&self, joint_key: &shortlist_crypto::Point) -> Option<ElectionContext> {
        self.definition.as_ref().map(|(_, dh)| ElectionContext {
            manifest_hash: self.manifest_hash,
            definition_hash: *dh,
            joint_key: *joint_key,
        })
    }

    /// The contest shapes, in manifest order.
    pub(crate) fn shapes(&self) -> Vec<ContestShape> {
        let Some((def, _)) = &self.definition else { return Vec::new() };
        self.manifest.contests.iter().filter_map(|c| def.shape(&self.manifest, c.contest_id).ok()).collect()
    }
}

/// Verifies a record, entry by entry.
pub struct Verifier {
    report: Report,
    chain: Chain,
    frontier: Frontier,
    last_checkpoint: Option<u64>,
    poll: Option<Poll>,
    ceremony: ceremony::Ceremony,
    voting: voting::Voting,
    pending_checkpoints: HashMap<u64, Checkpoint>,
    saved: Vec<Checkpoint>,
    // The latest checkpoint read.
    latest: Option<Checkpoint>,
    // The manifest hash the record must have (spec: board §1.5).
    expected_manifest: Option<Hash>,
    // (head, root) at every size after the aggregate, to check the checkpoint
    // each decryption share names (spec: V6.2).
    tally_heads: HashMap<u64, (Hash, Hash)>,
    // The entries a saved state replays (spec: board §8.6).
    kept: state::Kept,
}

/// What a verified record establishes for a trustee about to decrypt (spec:
/// protocol §7.2, board §8.5): read only after [`Verifier::finish_with_facts`].
#[derive(Clone, Debug, Default)]
pub struct Facts {
    /// The manifest and its hash.
    pub manifest: Option<(Manifest, Hash)>,
    /// The key ceremony's qualified set and public outcome (spec: V5.6).
    pub group: Option<(shortlist_crypto::dkg::GroupPublic, Vec<u16>)>,
    /// The ballot definition's payload hash.
    pub definition_hash: Option<Hash>,
    /// The aggregate entry: its index, payload hash and contents.
    pub aggregate: Option<(u64, Hash, crate::payload::Aggregate)>,
    /// The latest checkpoint of the record.
    pub checkpoint: Option<Checkpoint>,
    /// The timetable in force at the end of the record (spec: V1.5).
    pub timetable: Option<crate::manifest::Timetable>,
}

impl Default for Verifier {
    fn default() -> Self {
        Self::new()
    }
}

impl Verifier {
    /// A verifier that has read nothing.
    pub fn new() -> Self {
        Self {
            report: Report::new(),
            chain: Chain::new(),
            frontier: Frontier::new(),
            last_checkpoint: None,
            poll: None,
            ceremony: ceremony::Ceremony::default(),
            voting: voting::Voting::default(),
            pending_checkpoints: HashMap::new(),
            saved: Vec::new(),
            latest: None,
            expected_manifest: None,
            tally_heads: HashMap::new(),
            kept: state::Kept::default(),
        }
    }

    /// Trusts the proofs of every entry covered by `since`, a checkpoint that
    /// an earlier run of the verifier passed (spec: board §8.3): the record
    /// must still match it (else equivocation, V1.1), every other step runs
    /// over the whole record, and proofs are checked only after it.
    pub fn since(&mut self, since: Checkpoint) {
        self.voting.trusted_below = since.size;
        self.saved.push(since);
    }

    /// Requires the record's manifest hash to be `h`, the poll's identity as
    /// the organiser published it (spec: board §1.5, V1.3).
    pub fn expect_manifest_hash(&mut self, h: Hash) {
        self.expected_manifest = Some(h);
    }

    /// Adds checkpoints saved earlier (by a monitor or a member): each must
    /// be signed by the server and match the record at its size, or the
    /// record and the checkpoint together prove equivocation (spec: V1.1).
    pub fn expect_checkpoints(&mut self, saved: Vec<Checkpoint>) {
        self.saved.extend(saved);
    }

    /// Freezes the key ceremony as the entries read so far leave it and
    /// returns its qualified group (spec: V5.6): what a server derives, over
    /// its own board, before it opens voting. `None` if there is no manifest
    /// or the ceremony failed (the report says why).
    pub fn ceremony_group(&mut self) -> Option<shortlist_crypto::dkg::GroupPublic> {
        let poll = self.poll.as_ref()?;
        self.ceremony.freeze();
        self.ceremony.group(poll, &mut self.report).cloned()
    }

    /// The key ceremony's qualified set as the entries read so far leave it,
    /// with its public outcome (spec: V5.6); freezes the ceremony, like
    /// [`Self::ceremony_group`].
    pub fn ceremony_qualified(&mut self) -> Option<(shortlist_crypto::dkg::GroupPublic, Vec<u16>)> {
        let g = self.ceremony_group()?;
        Some((g, self.ceremony.qualified().to_vec()))
    }

    /// The report so far (steps that ran on the entries read).
    pub fn report(&self) -> &Report {
        &self.report
    }

    /// Reads one frame; `offset` is its byte position in the record.
    pub fn feed(&mut self, frame: &Frame, offset: u64) {
        match frame {
            Frame::Entry(e) => self.entry(e, offset),
            Frame::Checkpoint(c) => self.checkpoint(c),
        }
    }

    /// Records that the frame at byte `offset` cannot be read (spec: V1.1);
    /// the caller stops reading there and calls [`Verifier::finish`].
    pub fn unreadable(&mut self, offset: u64, err: &crate::BoardError) {
        self.report.fail(Step::V1_1, format!("unreadable record at byte {offset}: {err}"));
    }

    fn entry(&mut self, e: &Entry, offset: u64) {
        self.report.entries += 1;
        self.report.checked(Step::V1_1, 1);
        let hash = match self.chain.check_next(e) {
            Ok(h) => h,
            Err(err) => {
                self.report.fail(Step::V1_1, err.to_string());
                // The ballots queued are checked before an entry out of
                // index order: the ordered rules compare indices, which
                // agree with the reading order only between breaks, so the
                // outcome never depends on where batches end (board §8.6).
                self.settle();
                // Resynchronise on this entry so later steps still run.
                self.chain = resync(e);
                e.hash()
            }
        };
        if self.frontier.push(leaf_hash(&hash)).is_err() {
            self.report.fail(Step::V1_1, "the tree is full");
        }
        self.last_checkpoint = None;
        self.by_kind(e, offset);
        self.kept.entry(e, self.ceremony.derived());
        if self.voting.aggregate().is_some() {
            self.tally_heads.insert(self.chain.len(), (self.chain.head(), *self.frontier.root().as_bytes()));
        }
        self.match_saved();
    }

    /// The steps of an entry by its kind (after the chain); `offset` is
    /// its byte position in the record.
    fn by_kind(&mut self, e: &Entry, offset: u64) {
        match e.kind {
            EntryKind::Manifest => self.manifest(e),
            EntryKind::Candidate => self.candidate(e),
            EntryKind::Definition => self.definition(e),
            EntryKind::Amendment => self.amendment(e),
            EntryKind::CeremonyCommitment | EntryKind::CeremonyShare | EntryKind::CeremonyComplaint => {
                if let Some(poll) = &self.poll {
                    self.ceremony.entry(poll, e, &mut self.report);
                }
            }
            _ => {
                if e.kind == EntryKind::DecryptionShare {
                    self.named_checkpoint(e);
                }
                if matches!(e.kind, EntryKind::Ballot | EntryKind::SpoiledBallot) {
                    // The key ceremony is over once ballots arrive (spec: V5.6):
                    // its group is derived here, so that a later ceremony
                    // entry fails V5.6 wherever the ballot batches end.
                    self.ceremony.freeze();
                    if let Some(poll) = &self.poll {
                        self.ceremony.group(poll, &mut self.report);
                    }
                }
                if let Some(poll) = &self.poll {
                    self.voting.entry(poll, &mut self.ceremony, e, offset, &mut self.report);
                }
            }
        }
    }

    /// spec: V6.2 — a decryption share names the signed checkpoint its
    /// trustee verified: it must cover the aggregate, precede the share, and
    /// match the record at its size, else the two prove equivocation (V1.1).
    fn named_checkpoint(&mut self, e: &Entry) {
        let Some(poll) = &self.poll else { return };
        let named = crate::payload::TrusteeMessage::from_bytes(&e.payload)
            .and_then(|m| crate::payload::DecryptionShares::from_bytes(&m.body));
        let Ok(named) = named else { return }; // reported as malformed at V6.2
        let c = named.checkpoint;
        if c.verify(&poll.manifest.server_key, &poll.manifest_hash).is_err() {
            self.report
                .fail(Step::V6_2, format!("entry {}: the checkpoint the share names is not signed", e.index));
            return;
        }
        let covers = self.voting.aggregate().is_some_and(|(at, _, _)| c.size > *at);
        if !covers || c.size > e.index {
            self.report.fail(
                Step::V6_2,
                format!(
                    "entry {}: the share names a checkpoint of size {} that does not cover the aggregate",
                    e.index, c.size
                ),
            );
            return;
        }
        if self.tally_heads.get(&c.size) != Some(&(c.head, c.root)) {
            self.report.fail(Step::V1_1,
                format!(
                    "equivocation: entry {} decrypts under a signed checkpoint of size {} that disagrees with the record",
                    e.index, c.size
                ),
            );
        }
    }

    /// Compares saved checkpoints of the current size with the record.
    fn match_saved(&mut self) {
        let size = self.chain.len();
        let (head, root) = (self.chain.head(), *self.frontier.root().as_bytes());
        for c in self.saved.iter().filter(|c| c.size == size) {
            self.report.checked(Step::V1_2, 1);
            let signed = self
                .poll
                .as_ref()
                .is_some_and(|p| c.verify(&p.manifest.server_key, &p.manifest_hash).is_ok());
            if !signed {
                self.report.fail(Step::V1_2, format!("saved checkpoint at size {size}: bad signature"));
            } else if c.head != head || c.root != root {
                self.report.fail(
                    Step::V1_1,
                    format!("equivocation: the saved checkpoint at size {size} disagrees with the record"),
                );
            }
        }
    }

    fn manifest(&mut self, e: &Entry) {
        self.report.checked(Step::V1_3, 1);
        if self.poll.is_some() {
            self.report.fail(Step::V1_3, format!("entry {}: a second manifest", e.index));
            return;
        }
        match Manifest::from_bytes(&e.payload) {
            Ok(manifest) => {
                let h = e.payload_hash();
                self.report.poll = Some((manifest.poll_id.clone(), hex::encode(h)));
                if let Some(expected) = self.expected_manifest.filter(|x| *x != h) {
                    self.report.fail(Step::V1_3,
                        format!(
                            "the record's manifest hash is {}, not the {} given: this is another poll's record, or a fake one",
                            hex::encode(h),
                            hex::encode(expected)
                        ),
                    );
                }
                self.poll = Some(Poll {
                    setup: crate::lifecycle::Setup::new(manifest.timetable, manifest.calendar.clone()),
                    manifest,
                    manifest_hash: e.payload_hash(),
                    definition: None,
                });
            }
            Err(err) => self.report.fail(Step::V1_3, err.to_string()),
        }
    }

    fn checkpoint(&mut self, c: &Checkpoint) {
        self.report.checked(Step::V1_2, 1);
        if c.size == 0 {
            self.report.fail(Step::V1_1, "a checkpoint of size 0");
            return;
        }
        if let Some(poll) = &self.poll {
            if c.verify(&poll.manifest.server_key, &poll.manifest_hash).is_err() {
                self.report.fail(Step::V1_2, format!("checkpoint at size {}: bad signature", c.size));
            }
        }
        let size = self.chain.len();
        if c.size != size || c.head != self.chain.head() || c.root != *self.frontier.root().as_bytes() {
            self.report.fail(
                Step::V1_1,
                format!("checkpoint at size {} does not match the {size} entries before it", c.size),
            );
        }
        if let Some(prev) = self.pending_checkpoints.insert(c.size, c.clone()) {
            if prev.root != c.root || prev.head != c.head {
                self.report.fail(
                    Step::V1_1,
                    format!("two signed checkpoints disagree at size {}: equivocation", c.size),
                );
            }
        }
        self.last_checkpoint = Some(c.size);
        self.latest = Some(c.clone());
    }

    /// Ends the record: checks that a checkpoint covers every entry and runs
    /// the tally steps. `reread` fetches the frame at a byte offset (for
    /// ballots superseded by a revote).
    pub fn finish(self, reread: &mut dyn FnMut(u64) -> Result<Frame>) -> Report {
        self.finish_with_facts(reread).0
    }

    /// [`Self::finish`], also returning what the record establishes.
    pub fn finish_with_facts(mut self, reread: &mut dyn FnMut(u64) -> Result<Frame>) -> (Report, Facts) {
        let len = self.chain.len();
        for c in self.saved.iter().filter(|c| c.size > len) {
            self.report.fail(
                Step::V1_1,
                format!("a saved checkpoint covers {} entries but the record has {len}", c.size),
            );
        }
        if self.last_checkpoint != Some(self.chain.len()) {
            self.report.fail(
                Step::V1_1,
                "the record does not end with a checkpoint covering every entry (truncated?)",
            );
        }
        match &self.poll {
            None => self.report.fail(Step::V1_3, "the record has no manifest"),
            Some(poll) => {
                if poll.definition.is_none() {
                    // spec: board §8.1 — nominations still open: in progress.
                    self.report.reached(Phase::Nominations);
                }
                // The ceremony may still run until ballots arrive or voting closes.
                let settled = self.voting.closed();
                if !self.ceremony.finish(poll, &mut self.report, settled) {
                    self.report.reached(Phase::KeyCeremony);
                }
                let report = &mut self.report;
                self.voting.finish(poll, &mut self.ceremony, report, reread);
            }
        }
        let facts = match &self.poll {
            None => Facts::default(),
            Some(poll) => Facts {
                manifest: Some((poll.manifest.clone(), poll.manifest_hash)),
                group: self
                    .ceremony
                    .group(poll, &mut self.report)
                    .cloned()
                    .map(|g| (g, self.ceremony.qualified().to_vec())),
                definition_hash: poll.definition.as_ref().map(|(_, h)| *h),
                aggregate: self.voting.aggregate().cloned(),
                checkpoint: self.latest.clone(),
                timetable: Some(poll.setup.timetable()),
            },
        };
        (self.report, facts)
    }
}

fn resync(e: &Entry) -> Chain {
    let mut c = Chain::new();
    c.resync(e.index.saturating_add(1), e.hash());
    c
}

/// Feeds `v` every frame `reader` yields, in order, reporting the byte
/// offset reached after each; an unreadable frame is reported (V1.1) and
/// ends the reading.
pub(crate) fn feed_all<R: std::io::BufRead>(
    v: &mut Verifier,
    reader: &mut record::RecordReader<R>,
    progress: &mut impl FnMut(u64),
) {
    loop {
        let offset = reader.offset();
        match reader.next() {
            None => break,
            Some(Ok(frame)) => v.feed(&frame, offset),
            Some(Err(err)) => {
                v.unreadable(offset, &err);
                break;
            }
        }
        progress(reader.offset());
    }
}

/// Verifies a record file (spec: board §8), reading it twice at most: once
/// in order, and once more for the few ballots superseded by a revote.
pub fn verify_path(
    path: &Path,
    saved: Vec<Checkpoint>,
    since: Option<Checkpoint>,
    manifest_hash: Option<Hash>,
    mut progress: impl FnMut(u64),
) -> Result<Report> {
    let file = std::fs::File::open(path)?;
    let mut reader = record::open(file)?;
    let mut v = Verifier::new();
    if let Some(h) = manifest_hash {
        v.expect_manifest_hash(h);
    }
    v.expect_checkpoints(saved);
    if let Some(c) = since {
        v.since(c);
    }
    feed_all(&mut v, &mut reader, &mut progress);
    let mut reread = |offset: u64| -> Result<Frame> {
        use std::io::{Seek, SeekFrom};
        let mut f = std::fs::File::open(path)?;
        f.seek(SeekFrom::Start(offset))?;
        record::read_frame(&mut std::io::BufReader::new(f))
    };
    Ok(v.finish(&mut reread))
}
