//! Inclusion proofs: a leaf is in a tree of a given size
//! (spec: board §3; RFC 9162 §2.1.3).
//!
//! Encoding (big-endian): `index: u64 ‖ size: u64 ‖ count: u16 ‖ count × 32-byte
//! hash`. The index and size fix the path length, so any other count, an
//! index not below the size, and trailing bytes are rejected.

use subtle::ConstantTimeEq;

use super::codec::{hex_serde, write_path, Reader};
use super::tree::{inclusion_path_len, split_point};
use super::{node_hash, Hash, LeafIndex, MerkleError, TreeSize};

/// What proof encodings and errors call this proof.
const WHAT: &str = "inclusion";

/// An audit path: the sibling hashes that lead from one leaf to the root of
/// the tree of `size` leaves, ordered from the leaf up (PATH of
/// RFC 9162 §2.1.3.1).
///
/// Every value of this type has an index below its size and a path of the
/// length they fix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InclusionProof {
    index: LeafIndex,
    size: TreeSize,
    path: Vec<Hash>,
}

impl InclusionProof {
    /// Assembles a proof, checking that the index is below the size and the
    /// path has the length they fix.
    pub fn new(index: LeafIndex, size: TreeSize, path: Vec<Hash>) -> Result<Self, MerkleError> {
        let expected = expected_len(index, size)?;
        if path.len() != expected {
            return Err(MerkleError::ProofLength { proof: WHAT, expected, actual: path.len() });
        }
        Ok(Self { index, size, path })
    }

    /// The index of the leaf the proof is about.
    pub fn index(&self) -> LeafIndex {
        self.index
    }

    /// The size of the tree the proof is against.
    pub fn size(&self) -> TreeSize {
        self.size
    }

    /// The sibling hashes, from the leaf up.
    pub fn path(&self) -> &[Hash] {
        &self.path
    }

    /// Checks that `leaf_hash` is leaf `index` of the tree of `size` leaves
    /// whose root is `root` (RFC 9162 §2.1.3.2). The root is compared in
    /// constant time.
    pub fn verify(&self, leaf_hash: &Hash, root: &Hash) -> Result<(), MerkleError> {
        let (index, size) = (self.index.get(), self.size.get());
        // spec: board §3 (RFC 9162 §2.1.3.2 step 1): the index is below the size,
        // and the path has exactly the length they fix.
        let expected = expected_len(self.index, self.size)?;
        let length_error = || MerkleError::ProofLength { proof: WHAT, expected, actual: self.path.len() };
        if self.path.len() != expected {
            return Err(length_error());
        }
        // Step 2–4: climb from the leaf, taking each sibling from the left or
        // the right according to the bits of the index.
        let mut f = index;
        let mut s = size.saturating_sub(1);
        let mut r = *leaf_hash;
        for p in &self.path {
            if s == 0 {
                return Err(length_error());
            }
            if f & 1 == 1 || f == s {
                r = node_hash(p, &r);
                if f & 1 == 0 {
                    // A right-border node with no right sibling: skip the
                    // levels where it is promoted unchanged.
                    while f & 1 == 0 && f != 0 {
                        f >>= 1;
                        s >>= 1;
                    }
                }
            } else {
                r = node_hash(&r, p);
            }
            f >>= 1;
            s >>= 1;
        }
        // Step 5: the path reached the top, and at the given root.
        if s != 0 {
            return Err(length_error());
        }
        if bool::from(r.ct_eq(root)) {
            Ok(())
        } else {
            Err(MerkleError::InclusionRootMismatch { index, size })
        }
    }

    /// The canonical encoding: `index ‖ size ‖ count ‖ hashes`, big-endian.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(18 + 32 * self.path.len());
        out.extend_from_slice(&self.index.get().to_be_bytes());
        out.extend_from_slice(&self.size.get().to_be_bytes());
        write_path(&mut out, &self.path);
        out
    }

    /// Decodes the canonical encoding, rejecting an index not below the size,
    /// a count other than the one they fix, and trailing bytes.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, MerkleError> {
        let mut r = Reader::new(WHAT, bytes);
        let index = LeafIndex::new(r.u64()?);
        let size = TreeSize::new(r.u64()?);
        let expected = expected_len(index, size)?;
        let count = usize::from(r.u16()?);
        if count != expected {
            return Err(MerkleError::ProofLength { proof: WHAT, expected, actual: count });
        }
        let path = r.hashes(count)?;
        r.finish()?;
        Ok(Self { index, size, path })
    }
}

hex_serde!(InclusionProof);

/// The path length that `index` and `size` fix, or why there is none.
fn expected_len(index: LeafIndex, size: TreeSize) -> Result<usize, MerkleError> {
    let (index, size) = (index.get(), size.get());
    if index >= size {
        return Err(MerkleError::LeafIndexOutOfRange { index, size });
    }
    Ok(inclusion_path_len(index, size))
}

/// PATH(index, D[0:size]) of RFC 9162 §2.1.3.1, with `subtree(start, end)`
/// giving MTH(D[start:end]) for the subtrees the recursion visits.
///
/// The caller has checked `index < size`. Runs in O(log size) calls to
/// `subtree`.
pub(crate) fn inclusion_path<F>(index: u64, size: u64, mut subtree: F) -> Result<Vec<Hash>, MerkleError>
where
    F: FnMut(u64, u64) -> Result<Hash, MerkleError>,
{
    let mut path = Vec::new();
    let (mut start, mut end) = (0u64, size);
    while end - start > 1 {
        let mid = start + split_point(end - start);
        if index < mid {
            // PATH(m, D[n]) = PATH(m, D[0:k]) : MTH(D[k:n])
            path.push(subtree(mid, end)?);
            end = mid;
        } else {
            // PATH(m, D[n]) = PATH(m - k, D[k:n]) : MTH(D[0:k])
            path.push(subtree(start, mid)?);
            start = mid;
        }
    }
    // The recursion lists the deepest sibling first.
    path.reverse();
    Ok(path)
}
