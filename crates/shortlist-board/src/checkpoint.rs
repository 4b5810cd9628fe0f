//! Signed checkpoints (spec: board §6): the server's signature on the board's
//! size, head hash and Merkle root at a time. Two valid checkpoints that
//! disagree are proof that the server equivocated.

use shortlist_crypto::credential::{CredentialPublicKey, CredentialSecret, SIGNATURE_LEN};

use crate::codec::{Reader, Writer};
use crate::entry::Hash;
use crate::error::{BoardError, Result};
use crate::merkle::ConsistencyProof;

/// Domain separator of the signed checkpoint message.
pub const CHECKPOINT_DOMAIN: &[u8] = b"shortlist/v1/checkpoint\0";
/// Length of a checkpoint encoding.
pub const CHECKPOINT_LEN: usize = 8 + 32 + 32 + 8 + SIGNATURE_LEN;

/// A signed checkpoint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checkpoint {
    /// The number of entries covered (the last has index `size − 1`).
    pub size: u64,
    /// The hash of entry `size − 1`.
    pub head: Hash,
    /// The RFC 9162 root over the first `size` entry hashes.
    pub root: Hash,
    /// The server's clock, Unix seconds.
    pub time: u64,
    /// The server's ed25519 signature.
    pub signature: [u8; SIGNATURE_LEN],
}

/// The signed message: `domain ‖ manifest hash ‖ u64 size ‖ head ‖ root ‖ u64 time`.
fn message(manifest_hash: &Hash, size: u64, head: &Hash, root: &Hash, time: u64) -> Vec<u8> {
    let mut w = Writer::new();
    w.fixed(CHECKPOINT_DOMAIN).fixed(manifest_hash).u64(size).fixed(head).fixed(root).u64(time);
    w.finish()
}

impl Checkpoint {
    /// Signs a checkpoint with the server's key.
    pub fn sign(
        server: &CredentialSecret,
        manifest_hash: &Hash,
        size: u64,
        head: Hash,
        root: Hash,
        time: u64,
    ) -> Self {
        let signature = server.sign(&message(manifest_hash, size, &head, &root, time));
        Self { size, head, root, time, signature }
    }

    /// Checks the signature (spec: board V1.2).
    pub fn verify(&self, server: &CredentialPublicKey, manifest_hash: &Hash) -> Result<()> {
        server
            .verify(&message(manifest_hash, self.size, &self.head, &self.root, self.time), &self.signature)
            .map_err(|_| {
                BoardError::invalid("V1.2", format!("checkpoint at size {} has a bad signature", self.size))
            })
    }

    /// The 144-byte encoding.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut w = Writer::new();
        w.u64(self.size).fixed(&self.head).fixed(&self.root).u64(self.time).fixed(&self.signature);
        w.finish()
    }

    /// Decodes a checkpoint.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let mut r = Reader::new("checkpoint", bytes);
        let c = Self {
            size: r.u64()?,
            head: r.fixed::<32>()?,
            root: r.fixed::<32>()?,
            time: r.u64()?,
            signature: r.fixed::<SIGNATURE_LEN>()?,
        };
        r.finish()?;
        Ok(c)
    }
}

/// Checks that `new` extends `old` (spec: board §6.1): both signed by the
/// server, and the consistency proof links their roots. If both signatures
/// hold and the proof does not, the pair is proof that the server equivocated.
pub fn check_consistency(
    old: &Checkpoint,
    new: &Checkpoint,
    proof: &ConsistencyProof,
    server: &CredentialPublicKey,
    manifest_hash: &Hash,
) -> Result<()> {
    old.verify(server, manifest_hash)?;
    new.verify(server, manifest_hash)?;
    if old.size == new.size {
        if old.root != new.root || old.head != new.head {
            return Err(BoardError::invalid(
                "V1.1",
                format!("equivocation: two signed boards of size {}", old.size),
            ));
        }
        return Ok(());
    }
    if proof.old_size().get() != old.size || proof.new_size().get() != new.size {
        return Err(BoardError::invalid("V1.1", "the consistency proof is for other sizes"));
    }
    proof.verify(&crate::merkle::Hash::new(old.root), &crate::merkle::Hash::new(new.root)).map_err(|e| {
        BoardError::invalid(
            "V1.1",
            format!("equivocation: size {} is not a prefix of size {}: {e}", old.size, new.size),
        )
    })
}
