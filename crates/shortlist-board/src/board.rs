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

    /// A board resumed at its head (spec: board §5, §6): the last entry's
    /// hash `head` and the Merkle frontier of every entry so far (its size
    /// is the board's), with the manifest hash (`None` only while the board
    /// is empty). Appending to it continues the same chain and tree as the
    /// writer that wrote those entries.
    pub fn resume(head: Hash, frontier: Frontier, manifest_hash: Option<Hash>) -> Result<Self> {
        let size = frontier.size().get();
        if (size == 0) != manifest_hash.is_none() {
            return Err(BoardError::invalid("V1.1", "a board has a manifest hash once it has entry 0"));
        }
        let mut chain = Chain::new();
        chain.resync(size, if size == 0 { chain.head() } else { head });
        Ok(Self { chain, frontier, manifest_hash })
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

    /// The hash of the last entry (the chain's head; spec: board §5).
    pub fn head(&self) -> Hash {
        self.chain.head()
    }

    /// The Merkle frontier of every entry (spec: board §6).
    pub fn frontier(&self) -> &Frontier {
        &self.frontier
    }

    /// The manifest hash, once entry 0 is written.
    pub fn manifest_hash(&self) -> Option<Hash> {
        self.manifest_hash
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn payload(i: u8) -> Vec<u8> {
        vec![i; usize::from(i) + 1]
    }

    /// A writer resumed from a head and a frontier continues the same chain
    /// and tree: the same entries and the same checkpoint bytes.
    #[test]
    fn a_resumed_writer_writes_what_the_first_would_have() {
        let key = CredentialSecret::from_secret_bytes(&[7u8; 32]);
        let kinds = [EntryKind::Manifest, EntryKind::Candidate, EntryKind::Candidate, EntryKind::Definition];
        for cut in 0..kinds.len() {
            let mut whole = BoardWriter::new();
            let mut frontier = Frontier::new();
            let mut head = [0u8; 32];
            let mut first = Vec::new();
            for (i, kind) in kinds.iter().enumerate() {
                let e = whole.append(*kind, 10 + i as u64, payload(i as u8)).unwrap();
                if i < cut {
                    frontier.push(leaf_hash(&e.hash())).unwrap();
                    head = e.hash();
                }
                first.push(e);
            }
            let mh = if cut == 0 { None } else { whole.manifest_hash() };
            let mut resumed = BoardWriter::resume(head, frontier, mh).unwrap();
            for (i, kind) in kinds.iter().enumerate().skip(cut) {
                let e = resumed.append(*kind, 10 + i as u64, payload(i as u8)).unwrap();
                assert_eq!(e, first[i], "entry {i} after resuming at {cut}");
            }
            assert_eq!(resumed.head(), whole.head());
            assert_eq!(resumed.frontier().root(), whole.frontier().root());
            let (a, b) = (whole.checkpoint(&key, 99).unwrap(), resumed.checkpoint(&key, 99).unwrap());
            assert_eq!(a.to_bytes(), b.to_bytes());
        }
    }

    #[test]
    fn a_resumed_board_needs_its_manifest_hash_once_it_has_entries() {
        let mut frontier = Frontier::new();
        frontier.push(leaf_hash(&[1u8; 32])).unwrap();
        assert!(BoardWriter::resume([1u8; 32], frontier.clone(), None).is_err());
        assert!(BoardWriter::resume([0u8; 32], Frontier::new(), Some([2u8; 32])).is_err());
        assert!(BoardWriter::resume([1u8; 32], frontier, Some([2u8; 32])).is_ok());
    }
}
