//! Appending to a board (spec: board §5, §6): the hash chain and the Merkle
//! frontier kept together, so that every append yields the next entry and a
//! checkpoint can be signed at any size.

use shortlist_crypto::credential::CredentialSecret;

use crate::checkpoint::Checkpoint;
use crate::entry::{Chain, Entry, EntryKind, Hash};
use crate::error::{BoardError, Result};
use crate::merkle::{leaf_hash, Frontier};

/// The append side of a board: chain, tree and the manifest hash.
#[derive(Default)]
pub struct BoardWriter {
    chain: Chain,
    frontier: Frontier,
    manifest_hash: Option<Hash>,
}

impl BoardWriter {
    /// An empty board.
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends an entry; the first must be the manifest.
    pub fn append(&mut self, kind: EntryKind, time: u64, payload: Vec<u8>) -> Result<Entry> {
        if self.chain.is_empty() != (kind == EntryKind::Manifest) {
            return Err(BoardError::invalid("V1.1", "entry 0, and only entry 0, is the manifest"));
        }
        let entry = self.chain.append(kind, time, payload);
        if kind == EntryKind::Manifest {
            self.manifest_hash = Some(entry.payload_hash());
        }
        self.frontier
            .push(leaf_hash(&self.chain.head()))
            .map_err(|e| BoardError::invalid("V1.1", e.to_string()))?;
        Ok(entry)
    }

    /// Signs a checkpoint of the board as it is now.
    pub fn checkpoint(&self, server: &CredentialSecret, time: u64) -> Result<Checkpoint> {
        let mh = self.manifest_hash.ok_or_else(|| BoardError::invalid("V1.1", "no manifest yet"))?;
        Ok(Checkpoint::sign(
            server,
            &mh,
            self.chain.len(),
            self.chain.head(),
            self.frontier.root().to_bytes(),
            time,
        ))
    }

    /// The number of entries.
    pub fn len(&self) -> u64 {
        self.chain.len()
    }

    /// Whether the board is empty.
    pub fn is_empty(&self) -> bool {
        self.chain.is_empty()
    }

    /// The manifest hash, once entry 0 is written.
    pub fn manifest_hash(&self) -> Option<Hash> {
        self.manifest_hash
    }
}
