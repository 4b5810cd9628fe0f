//! An in-memory Merkle log that answers roots and proofs for any of its past
//! sizes (spec: board §3; RFC 9162 §2.1).
//!
//! The log keeps every complete subtree: level h holds the hashes of the
//! aligned subtrees of 2^h leaves, built as leaves arrive. That costs about
//! two hashes of memory per leaf and one node hash per leaf on average, and
//! the hash of any subtree the RFC's recursions visit is a fold of at most
//! 64 stored hashes. So a root takes O(log n) hashes and a proof O(log² n),
//! whatever the number of leaves.

use super::consistency::consistency_path;
use super::inclusion::inclusion_path;
use super::{
    empty_root, node_hash, ConsistencyProof, Hash, InclusionProof, LeafIndex, MerkleError, TreeSize,
};

/// An append-only list of leaf hashes with every complete subtree cached.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MerkleLog {
    /// `levels[h][i]` is MTH of leaves `[i·2^h, (i+1)·2^h)`; `levels[0]` are
    /// the leaf hashes.
    levels: Vec<Vec<Hash>>,
}

impl MerkleLog {
    /// An empty log.
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends a leaf hash and returns its index.
    ///
    /// Fails only with [`MerkleError::TreeFull`] when the size no longer fits
    /// a `u64`.
    pub fn push(&mut self, leaf_hash: Hash) -> Result<LeafIndex, MerkleError> {
        let index = self.size().get();
        index.checked_add(1).ok_or(MerkleError::TreeFull)?;
        let mut node = leaf_hash;
        let mut height = 0usize;
        loop {
            if self.levels.len() == height {
                self.levels.push(Vec::new());
            }
            let Some(level) = self.levels.get_mut(height) else {
                break;
            };
            level.push(node);
            // An even count closes a subtree one level up.
            let n = level.len();
            if n % 2 == 1 {
                break;
            }
            let (Some(left), Some(right)) = (level.get(n - 2), level.get(n - 1)) else {
                break;
            };
            node = node_hash(left, right);
            height += 1;
        }
        Ok(LeafIndex::new(index))
    }

    /// The number of leaves in the log.
    pub fn size(&self) -> TreeSize {
        let n = self.leaves().len();
        TreeSize::new(u64::try_from(n).unwrap_or(u64::MAX))
    }

    /// Whether the log has no leaves.
    pub fn is_empty(&self) -> bool {
        self.leaves().is_empty()
    }

    /// All leaf hashes, in order.
    pub fn leaves(&self) -> &[Hash] {
        self.levels.first().map_or(&[], Vec::as_slice)
    }

    /// The hash of leaf `index`, if the log has it.
    pub fn leaf(&self, index: LeafIndex) -> Option<Hash> {
        let i = usize::try_from(index.get()).ok()?;
        self.leaves().get(i).copied()
    }

    /// The root of the whole log.
    pub fn root(&self) -> Hash {
        // The whole log is always in range.
        self.root_at(self.size()).unwrap_or_else(|_| empty_root())
    }

    /// The root of the log's first `size` leaves (MTH of RFC 9162 §2.1.1).
    pub fn root_at(&self, size: TreeSize) -> Result<Hash, MerkleError> {
        self.check_size(size)?;
        self.subtree(0, size.get())
    }

    /// The proof that leaf `index` is in the tree of the first `size` leaves
    /// (RFC 9162 §2.1.3.1). Costs O(log² size) hashes; the proof is checked
    /// before it is returned.
    pub fn inclusion_proof(&self, index: LeafIndex, size: TreeSize) -> Result<InclusionProof, MerkleError> {
        self.check_size(size)?;
        if index.get() >= size.get() {
            return Err(MerkleError::LeafIndexOutOfRange { index: index.get(), size: size.get() });
        }
        let path = inclusion_path(index.get(), size.get(), |start, end| self.subtree(start, end))?;
        let proof = InclusionProof::new(index, size, path)?;
        let leaf = self
            .leaf(index)
            .ok_or(MerkleError::SizeBeyondLog { size: size.get(), log_size: self.size().get() })?;
        proof.verify(&leaf, &self.root_at(size)?)?;
        Ok(proof)
    }

    /// The proof that the tree of the first `old_size` leaves is a prefix of
    /// the tree of the first `new_size` (RFC 9162 §2.1.4.1). Costs
    /// O(log² new_size) hashes; the proof is checked before it is returned.
    pub fn consistency_proof(
        &self,
        old_size: TreeSize,
        new_size: TreeSize,
    ) -> Result<ConsistencyProof, MerkleError> {
        self.check_size(new_size)?;
        let (old, new) = (old_size.get(), new_size.get());
        if old == 0 {
            return Err(MerkleError::EmptyOldTree);
        }
        if old > new {
            return Err(MerkleError::SizesOutOfOrder { old_size: old, new_size: new });
        }
        let path = consistency_path(old, new, |start, end| self.subtree(start, end))?;
        let proof = ConsistencyProof::new(old_size, new_size, path)?;
        proof.verify(&self.root_at(old_size)?, &self.root_at(new_size)?)?;
        Ok(proof)
    }

    /// Fails unless the log holds at least `size` leaves.
    fn check_size(&self, size: TreeSize) -> Result<(), MerkleError> {
        let log_size = self.size().get();
        if size.get() > log_size {
            return Err(MerkleError::SizeBeyondLog { size: size.get(), log_size });
        }
        Ok(())
    }

    /// MTH(D[start:end]) for a range the RFC's recursions visit: `start` is a
    /// multiple of a power of two at least `end - start`. Such a range is the
    /// complete subtrees given by the set bits of its length, largest first,
    /// folded together from the right.
    fn subtree(&self, start: u64, end: u64) -> Result<Hash, MerkleError> {
        let beyond = || MerkleError::SizeBeyondLog { size: end, log_size: self.size().get() };
        let len = end.checked_sub(start).ok_or_else(beyond)?;
        let mut acc: Option<Hash> = None;
        let mut chunk_end = end;
        for height in 0..u64::BITS {
            let width = 1u64 << height;
            if len & width == 0 {
                continue;
            }
            let chunk_start = chunk_end - width;
            let stored = usize::try_from(height)
                .ok()
                .and_then(|h| self.levels.get(h))
                .zip(usize::try_from(chunk_start >> height).ok())
                .and_then(|(level, i)| level.get(i))
                .ok_or_else(beyond)?;
            acc = Some(match acc {
                None => *stored,
                Some(right) => node_hash(stored, &right),
            });
            chunk_end = chunk_start;
        }
        Ok(acc.unwrap_or_else(empty_root))
    }
}

impl Extend<Hash> for MerkleLog {
    /// Appends leaf hashes; any beyond a full tree are dropped.
    fn extend<I: IntoIterator<Item = Hash>>(&mut self, leaves: I) {
        for leaf in leaves {
            if self.push(leaf).is_err() {
                break;
            }
        }
    }
}

impl FromIterator<Hash> for MerkleLog {
    fn from_iter<I: IntoIterator<Item = Hash>>(leaves: I) -> Self {
        let mut log = Self::new();
        log.extend(leaves);
        log
    }
}
