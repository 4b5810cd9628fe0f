//! Consistency proofs: a tree of one size is a prefix of a tree of a larger
//! size, so the log was only appended to (spec: board §3; RFC 9162 §2.1.4).
//!
//! Edge cases outside the RFC's algorithm (defined for `0 < old < new`)
//! follow transparency-dev/merkle: an old size of 0 is always rejected (even
//! 0 → 0); equal sizes need an empty proof and equal roots; an old size above
//! the new one is rejected.
//!
//! Encoding (big-endian): `old_size: u64 ‖ new_size: u64 ‖ count: u16 ‖
//! count × 32-byte hash`. The sizes fix the path length, so any other count,
//! sizes outside the rules above, and trailing bytes are rejected.

use subtle::ConstantTimeEq;

use super::codec::{hex_serde, write_path, Reader};
use super::tree::{consistency_path_len, split_point};
use super::{node_hash, Hash, MerkleError, TreeSize};

/// What proof encodings and errors call this proof.
const WHAT: &str = "consistency";

/// The hashes that show the tree of `old_size` leaves is a prefix of the tree
/// of `new_size` leaves (PROOF of RFC 9162 §2.1.4.1).
///
/// Every value of this type has `0 < old_size <= new_size` and a path of the
/// length the sizes fix (empty when they are equal).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsistencyProof {
    old_size: TreeSize,
    new_size: TreeSize,
    path: Vec<Hash>,
}

impl ConsistencyProof {
    /// Assembles a proof, checking the sizes and that the path has the length
    /// they fix.
    pub fn new(old_size: TreeSize, new_size: TreeSize, path: Vec<Hash>) -> Result<Self, MerkleError> {
        let expected = expected_len(old_size, new_size)?;
        if path.len() != expected {
            return Err(MerkleError::ProofLength { proof: WHAT, expected, actual: path.len() });
        }
        Ok(Self { old_size, new_size, path })
    }

    /// The size of the older tree.
    pub fn old_size(&self) -> TreeSize {
        self.old_size
    }

    /// The size of the newer tree.
    pub fn new_size(&self) -> TreeSize {
        self.new_size
    }

    /// The proof's hashes, in the order of RFC 9162 §2.1.4.1.
    pub fn path(&self) -> &[Hash] {
        &self.path
    }

    /// Checks that the tree with root `old_root` (of `old_size` leaves) is a
    /// prefix of the tree with root `new_root` (of `new_size` leaves)
    /// (RFC 9162 §2.1.4.2). Roots are compared in constant time.
    pub fn verify(&self, old_root: &Hash, new_root: &Hash) -> Result<(), MerkleError> {
        let (old_size, new_size) = (self.old_size.get(), self.new_size.get());
        // spec: board §3: the sizes are in range and fix the path length.
        let expected = expected_len(self.old_size, self.new_size)?;
        let length_error = || MerkleError::ProofLength { proof: WHAT, expected, actual: self.path.len() };
        if self.path.len() != expected {
            return Err(length_error());
        }
        if old_size == new_size {
            // spec: board §3 policy: the same tree, so the same root.
            return if bool::from(old_root.ct_eq(new_root)) {
                Ok(())
            } else {
                Err(MerkleError::NewRootMismatch { old_size, new_size })
            };
        }
        // RFC 9162 §2.1.4.2 step 2: a complete old tree is its own first node.
        let mut hashes = self.path.iter();
        let seed =
            if old_size.is_power_of_two() { *old_root } else { *hashes.next().ok_or_else(length_error)? };
        let (fr, sr) = rebuild(seed, hashes, old_size, new_size).ok_or_else(length_error)?;
        if !bool::from(fr.ct_eq(old_root)) {
            return Err(MerkleError::OldRootMismatch { old_size, new_size });
        }
        if !bool::from(sr.ct_eq(new_root)) {
            return Err(MerkleError::NewRootMismatch { old_size, new_size });
        }
        Ok(())
    }

    /// The canonical encoding: `old_size ‖ new_size ‖ count ‖ hashes`,
    /// big-endian.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(18 + 32 * self.path.len());
        out.extend_from_slice(&self.old_size.get().to_be_bytes());
        out.extend_from_slice(&self.new_size.get().to_be_bytes());
        write_path(&mut out, &self.path);
        out
    }

    /// Decodes the canonical encoding, rejecting sizes outside the rules, a
    /// count other than the one they fix, and trailing bytes.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, MerkleError> {
        let mut r = Reader::new(WHAT, bytes);
        let old_size = TreeSize::new(r.u64()?);
        let new_size = TreeSize::new(r.u64()?);
        let expected = expected_len(old_size, new_size)?;
        let count = usize::from(r.u16()?);
        if count != expected {
            return Err(MerkleError::ProofLength { proof: WHAT, expected, actual: count });
        }
        let path = r.hashes(count)?;
        r.finish()?;
        Ok(Self { old_size, new_size, path })
    }
}

hex_serde!(ConsistencyProof);

/// The path length that the sizes fix, or why there is none.
fn expected_len(old_size: TreeSize, new_size: TreeSize) -> Result<usize, MerkleError> {
    let (old_size, new_size) = (old_size.get(), new_size.get());
    if old_size == 0 {
        return Err(MerkleError::EmptyOldTree);
    }
    if old_size > new_size {
        return Err(MerkleError::SizesOutOfOrder { old_size, new_size });
    }
    if old_size == new_size {
        return Ok(0);
    }
    Ok(consistency_path_len(old_size, new_size))
}

/// PROOF(old_size, D[0:new_size]) of RFC 9162 §2.1.4.1, with
/// `subtree(start, end)` giving MTH(D[start:end]) for the subtrees the
/// recursion visits.
///
/// The caller has checked `0 < old_size <= new_size`. Runs in
/// O(log new_size) calls to `subtree`.
pub(crate) fn consistency_path<F>(
    old_size: u64,
    new_size: u64,
    mut subtree: F,
) -> Result<Vec<Hash>, MerkleError>
where
    F: FnMut(u64, u64) -> Result<Hash, MerkleError>,
{
    let mut path = Vec::new();
    // SUBPROOF(m, D[start:end], b), unrolled; `m` counts from `start`.
    let (mut start, mut end, mut m, mut b) = (0u64, new_size, old_size, true);
    loop {
        let n = end - start;
        if m == n {
            // SUBPROOF(m, D[m], true) = {}; SUBPROOF(m, D[m], false) = {MTH(D[m])}
            if !b {
                path.push(subtree(start, end)?);
            }
            break;
        }
        let k = split_point(n);
        if m <= k {
            // SUBPROOF(m, D[0:k], b) : MTH(D[k:n])
            path.push(subtree(start + k, end)?);
            end = start + k;
        } else {
            // SUBPROOF(m - k, D[k:n], false) : MTH(D[0:k])
            path.push(subtree(start, start + k)?);
            start += k;
            m -= k;
            b = false;
        }
    }
    path.reverse();
    Ok(path)
}

/// RFC 9162 §2.1.4.2 steps 3–7: rebuilds the old and the new root from
/// `seed` (the old tree's last complete subtree) and the rest of the path;
/// `None` if the path is too short or too long for the sizes.
fn rebuild<'a>(
    seed: Hash,
    hashes: impl Iterator<Item = &'a Hash>,
    old_size: u64,
    new_size: u64,
) -> Option<(Hash, Hash)> {
    // Steps 3–4.
    let mut f = old_size.checked_sub(1)?;
    let mut s = new_size.checked_sub(1)?;
    while f & 1 == 1 {
        f >>= 1;
        s >>= 1;
    }
    // Steps 5–6: from the old tree's last complete subtree upwards.
    let (mut fr, mut sr) = (seed, seed);
    for c in hashes {
        if s == 0 {
            return None;
        }
        if f & 1 == 1 || f == s {
            fr = node_hash(c, &fr);
            sr = node_hash(c, &sr);
            if f & 1 == 0 {
                while f & 1 == 0 && f != 0 {
                    f >>= 1;
                    s >>= 1;
                }
            }
        } else {
            sr = node_hash(&sr, c);
        }
        f >>= 1;
        s >>= 1;
    }
    // Step 7.
    (s == 0).then_some((fr, sr))
}
