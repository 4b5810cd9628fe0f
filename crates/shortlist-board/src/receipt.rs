//! Ballot receipts (spec: board §6.2): what a member keeps to check, offline
//! and later, that their ballot is on the board — the tracking code, the
//! entry's position and header, a signed checkpoint and an inclusion proof.

use sha2::{Digest, Sha256};
use shortlist_crypto::credential::CredentialPublicKey;

use crate::checkpoint::{Checkpoint, CHECKPOINT_LEN};
use crate::codec::{Reader, Writer};
use crate::entry::{Entry, EntryKind, Hash};
use crate::error::{BoardError, Result};
use crate::merkle::{leaf_hash, InclusionProof, LeafIndex, MerkleLog, TreeSize};

/// A receipt for a ballot entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Receipt {
    /// SHA-256 of the ballot entry's payload.
    pub tracking_code: Hash,
    /// The entry's index.
    pub index: u64,
    /// The hash of the entry before it.
    pub prev: Hash,
    /// The server's time of append.
    pub time: u64,
    /// A signed checkpoint that covers the entry.
    pub checkpoint: Checkpoint,
    /// The entry's inclusion proof under the checkpoint's root.
    pub proof: InclusionProof,
}

impl Receipt {
    /// Makes a receipt for entry `entry` from the board's Merkle log and a
    /// checkpoint of size `checkpoint.size` that covers it.
    pub fn issue(entry: &Entry, log: &MerkleLog, checkpoint: Checkpoint) -> Result<Self> {
        let proof = log
            .inclusion_proof(LeafIndex::new(entry.index), TreeSize::new(checkpoint.size))
            .map_err(|e| BoardError::invalid("V1.1", e.to_string()))?;
        Ok(Self {
            tracking_code: entry.payload_hash(),
            index: entry.index,
            prev: entry.prev,
            time: entry.time,
            checkpoint,
            proof,
        })
    }

    /// Checks the receipt against the ballot's payload, offline (spec: board
    /// §6.2): the tracking code, the server's signature on the checkpoint and
    /// the inclusion of the rebuilt entry under the checkpoint's root.
    pub fn verify(
        &self,
        ballot_payload: &[u8],
        server: &CredentialPublicKey,
        manifest_hash: &Hash,
    ) -> Result<()> {
        let code: Hash = Sha256::digest(ballot_payload).into();
        if code != self.tracking_code {
            return Err(BoardError::invalid("V1.1", "the receipt's tracking code is not this ballot's"));
        }
        self.checkpoint.verify(server, manifest_hash)?;
        let entry = Entry {
            index: self.index,
            prev: self.prev,
            kind: EntryKind::Ballot,
            time: self.time,
            payload: ballot_payload.to_vec(),
        };
        if self.proof.index().get() != self.index || self.proof.size().get() != self.checkpoint.size {
            return Err(BoardError::invalid("V1.1", "the inclusion proof is for another position or size"));
        }
        let root = crate::merkle::Hash::new(self.checkpoint.root);
        self.proof.verify(&leaf_hash(&entry.hash()), &root).map_err(|e| {
            BoardError::invalid("V1.1", format!("the ballot is not under the checkpoint's root: {e}"))
        })
    }

    /// Encoding: `code ‖ u64 index ‖ prev ‖ u64 time ‖ checkpoint ‖ bytes proof`.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut w = Writer::new();
        w.fixed(&self.tracking_code).u64(self.index).fixed(&self.prev).u64(self.time);
        w.fixed(&self.checkpoint.to_bytes()).bytes(&self.proof.to_bytes());
        w.finish()
    }

    /// Decodes a receipt.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let mut r = Reader::new("receipt", bytes);
        let tracking_code = r.fixed::<32>()?;
        let index = r.u64()?;
        let prev = r.fixed::<32>()?;
        let time = r.u64()?;
        let checkpoint = Checkpoint::from_bytes(&r.fixed::<CHECKPOINT_LEN>()?)?;
        let proof = InclusionProof::from_bytes(r.bytes(64 * 32 + 32)?)
            .map_err(|e| BoardError::malformed("receipt", e.to_string()))?;
        r.finish()?;
        Ok(Self { tracking_code, index, prev, time, checkpoint, proof })
    }
}
