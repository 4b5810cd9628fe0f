//! The shape of the tree: its root from a list of leaf hashes, and the
//! arithmetic that proofs share (spec: board §3; RFC 9162 §2.1.1).

use super::{empty_root, node_hash, Hash};

/// The root of the tree whose leaf hashes are `leaves`, in order
/// (MTH of RFC 9162 §2.1.1).
///
/// The tree splits at the largest power of two below the number of leaves.
/// This takes O(n) hashes and O(log n) stack.
pub fn root_from_leaves(leaves: &[Hash]) -> Hash {
    match leaves {
        [] => empty_root(),
        [only] => *only,
        _ => {
            let k = usize_split_point(leaves.len());
            match leaves.split_at_checked(k) {
                Some((left, right)) => node_hash(&root_from_leaves(left), &root_from_leaves(right)),
                // Unreachable: 0 < k < len.
                None => empty_root(),
            }
        }
    }
}

/// The largest power of two strictly below `n`, for `n >= 2`; 0 otherwise.
pub(crate) fn split_point(n: u64) -> u64 {
    if n < 2 {
        0
    } else {
        // n - 1 >= 1, so its highest set bit is the largest power of two < n.
        1u64 << (u64::BITS - 1 - (n - 1).leading_zeros())
    }
}

/// [`split_point`] for slice lengths.
fn usize_split_point(n: usize) -> usize {
    if n < 2 {
        0
    } else {
        1usize << (usize::BITS - 1 - (n - 1).leading_zeros())
    }
}

/// The number of bits needed to write `x` (0 for 0).
pub(crate) fn bit_len(x: u64) -> u32 {
    u64::BITS - x.leading_zeros()
}

/// The length of the inclusion path of leaf `index` in a tree of `size`
/// leaves, for `index < size`: the siblings below the point where the leaf's
/// path leaves the tree's right border, plus the border nodes above it.
pub(crate) fn inclusion_path_len(index: u64, size: u64) -> usize {
    let last = size.saturating_sub(1);
    let inner = bit_len(index ^ last);
    let border = index.checked_shr(inner).unwrap_or(0).count_ones();
    as_usize(inner).saturating_add(as_usize(border))
}

/// The length of the consistency proof from `old_size` to `new_size`, for
/// `0 < old_size < new_size` (RFC 9162 §2.1.4.1): the inclusion path of the
/// old tree's last complete subtree, plus that subtree itself unless the old
/// tree is complete (a power of two), in which case the verifier knows it.
pub(crate) fn consistency_path_len(old_size: u64, new_size: u64) -> usize {
    let level = old_size.trailing_zeros();
    let index = old_size.saturating_sub(1).checked_shr(level).unwrap_or(0);
    let size = new_size.saturating_sub(1).checked_shr(level).unwrap_or(0).saturating_add(1);
    let seed = usize::from(index != 0);
    seed.saturating_add(inclusion_path_len(index, size))
}

/// A bit count as a `usize` (it is at most 64).
fn as_usize(bits: u32) -> usize {
    usize::try_from(bits).unwrap_or(usize::MAX)
}
