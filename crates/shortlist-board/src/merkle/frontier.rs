//! The right border of the tree, for computing the root of a stream of
//! leaves in O(log n) memory (spec: board §3; RFC 9162 §2.1.1).
//!
//! A tree of n leaves is a sequence of complete subtrees, one for each set
//! bit of n, largest first; its root folds them together from the right.
//! A [`Frontier`] keeps just those subtree hashes, so a verifier can read a
//! board of any length entry by entry and still end with its root.

use super::{empty_root, node_hash, Hash, LeafIndex, MerkleError, TreeSize};

/// The hashes of the complete subtrees on the right border of a tree
/// (a compact range covering leaves `[0, size)`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Frontier {
    /// The number of leaves pushed so far.
    size: u64,
    /// One hash per set bit of `size`, for the largest subtree first.
    border: Vec<Hash>,
}

impl Frontier {
    /// The frontier of the empty tree.
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends a leaf hash and returns its index.
    ///
    /// Fails only with [`MerkleError::TreeFull`] once 2^64 − 1 leaves are in.
    pub fn push(&mut self, leaf_hash: Hash) -> Result<LeafIndex, MerkleError> {
        let index = self.size;
        let new_size = index.checked_add(1).ok_or(MerkleError::TreeFull)?;
        // Each trailing one bit of the old size is a complete subtree of the
        // same height as the one being built: merge them, smallest first.
        let mut node = leaf_hash;
        for _ in 0..index.trailing_ones() {
            match self.border.pop() {
                Some(left) => node = node_hash(&left, &node),
                // Unreachable: the border holds one hash per set bit.
                None => break,
            }
        }
        self.border.push(node);
        self.size = new_size;
        Ok(LeafIndex::new(index))
    }

    /// The frontier of `size` leaves with this border (as [`Self::border`]
    /// gives it, largest subtree first); `None` unless the border holds one
    /// hash per set bit of `size`.
    pub fn from_parts(size: u64, border: Vec<Hash>) -> Option<Self> {
        (usize::try_from(size.count_ones()).ok() == Some(border.len())).then_some(Self { size, border })
    }

    /// The number of leaves pushed so far.
    pub fn size(&self) -> TreeSize {
        TreeSize::new(self.size)
    }

    /// The root of the tree of the leaves pushed so far (MTH of
    /// RFC 9162 §2.1.1); SHA-256("") when there are none.
    pub fn root(&self) -> Hash {
        let mut hashes = self.border.iter().rev();
        match hashes.next() {
            None => empty_root(),
            Some(last) => hashes.fold(*last, |acc, left| node_hash(left, &acc)),
        }
    }

    /// The hashes of the complete subtrees on the right border, largest first
    /// (one for each set bit of the size).
    pub fn border(&self) -> &[Hash] {
        &self.border
    }
}
