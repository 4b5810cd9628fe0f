//! What the simulated poll's steps share (spec: board §4): the board they
//! append to, the poll as its setup leaves it, and the sums of ballots.

use anyhow::{Context, Result};
use shortlist_board::board::BoardWriter;
use shortlist_board::definition::BallotDefinition;
use shortlist_board::entry::{EntryKind, Hash};
use shortlist_board::record::Frame;
use shortlist_crypto::ballot::{ContestShape, EncryptedContest};
use shortlist_crypto::credential::CredentialSecret;
use shortlist_crypto::elgamal::Encrypter;
use shortlist_crypto::transcript::ElectionContext;
use shortlist_crypto::Scalar;

use crate::ceremony::CeremonyRun;

/// Candidates in the simulated contest.
pub(super) const CANDIDATES: u32 = 30;
/// A checkpoint is signed after this many entries.
pub(super) const CHECKPOINT_EVERY: u64 = 1000;

/// The board being written, and where its frames go.
pub(super) struct Board<'a> {
    pub(super) writer: BoardWriter,
    pub(super) server: CredentialSecret,
    pub(super) emit: &'a mut dyn FnMut(Frame) -> Result<()>,
}

impl Board<'_> {
    pub(super) fn put(
        &mut self,
        kind: EntryKind,
        time: u64,
        payload: Vec<u8>,
    ) -> Result<shortlist_board::entry::Entry> {
        let e = self.writer.append(kind, time, payload)?;
        (self.emit)(Frame::Entry(e.clone()))?;
        if self.writer.len() % CHECKPOINT_EVERY == 0 {
            self.checkpoint(time)?;
        }
        Ok(e)
    }

    pub(super) fn checkpoint(&mut self, time: u64) -> Result<shortlist_board::checkpoint::Checkpoint> {
        let c = self.writer.checkpoint(&self.server, time)?;
        (self.emit)(Frame::Checkpoint(c.clone()))?;
        Ok(c)
    }
}

/// Changes the first response of the first bit proof by one.
pub(super) fn tamper_proof(contest: &EncryptedContest) -> Result<EncryptedContest> {
    let mut bytes = contest.to_bytes();
    let n = contest.ciphertexts.len();
    let at = 7 + 64 * n + 5 * 32;
    let z: [u8; 32] = bytes.get(at..at + 32).context("short")?.try_into()?;
    let z = Scalar::from_canonical_bytes(z).into_option().context("scalar")? + Scalar::ONE;
    bytes.get_mut(at..at + 32).context("short")?.copy_from_slice(z.as_bytes());
    Ok(EncryptedContest::from_bytes(&bytes)?)
}

/// The poll as its setup leaves it: hashes, the ceremony, the definition,
/// and what ballots are made with.
pub(super) struct Opened {
    pub(super) mh: Hash,
    pub(super) dh: Hash,
    pub(super) run: CeremonyRun,
    pub(super) definition: BallotDefinition,
    pub(super) shape: ContestShape,
    pub(super) ctx: ElectionContext,
    pub(super) enc: Encrypter,
    // The manifest's voting close, and the one an amendment moves it to.
    pub(super) planned: u64,
    pub(super) close: u64,
}
