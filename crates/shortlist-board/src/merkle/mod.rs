//! The RFC 9162 Merkle tree over bulletin-board entries (spec: board §3).
//!
//! The tree is the one of RFC 9162 §2.1 with SHA-256: a leaf hash is
//! SHA-256(0x00 ‖ data), an interior node is SHA-256(0x01 ‖ left ‖ right),
//! the empty tree's root is SHA-256(""), and a tree of n > 1 leaves splits at
//! the largest power of two below n (§2.1.1).
//!
//! - [`hash`]: the [`Hash`](struct@Hash) type, [`leaf_hash`], [`node_hash`] and the
//!   [`LeafIndex`] and [`TreeSize`] newtypes.
//! - [`tree`]: [`root_from_leaves`], the root of a list of leaf hashes.
//! - [`frontier`]: [`Frontier`], the root of a stream of leaves in
//!   O(log n) memory.
//! - [`log`]: [`MerkleLog`], an in-memory log that makes proofs.
//! - [`inclusion`]: [`InclusionProof`] (RFC 9162 §2.1.3).
//! - [`consistency`]: [`ConsistencyProof`] (RFC 9162 §2.1.4).
//!
//! Roots are compared in constant time, proofs have one canonical encoding,
//! and every failure is a precise [`MerkleError`].

mod codec;
pub mod consistency;
mod error;
pub mod frontier;
pub mod hash;
pub mod inclusion;
pub mod log;
pub mod tree;

pub use consistency::ConsistencyProof;
pub use error::MerkleError;
pub use frontier::Frontier;
pub use hash::{empty_root, leaf_hash, node_hash, Hash, LeafIndex, TreeSize, HASH_LEN};
pub use inclusion::InclusionProof;
pub use log::MerkleLog;
pub use tree::root_from_leaves;
