//! The Merkle module's error type (spec: board §3).

use thiserror::Error;

/// Why a Merkle computation, a proof check or a decoding failed.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum MerkleError {
    /// A leaf index was not below the tree size (this includes every index
    /// in the empty tree).
    #[error("leaf index {index} is not below tree size {size} (RFC 9162 §2.1.3.2 step 1)")]
    LeafIndexOutOfRange {
        /// The leaf index.
        index: u64,
        /// The tree size.
        size: u64,
    },
    /// A consistency proof from the empty tree was asked for or given.
    #[error("consistency from tree size 0 is not defined (board §3 policy)")]
    EmptyOldTree,
    /// A consistency proof's old size exceeded its new size.
    #[error("old tree size {old_size} exceeds new tree size {new_size}")]
    SizesOutOfOrder {
        /// The older tree size.
        old_size: u64,
        /// The newer tree size.
        new_size: u64,
    },
    /// A tree size beyond the leaves that the log holds was asked for.
    #[error("tree size {size} exceeds the log's {log_size} leaves")]
    SizeBeyondLog {
        /// The tree size asked for.
        size: u64,
        /// How many leaves the log holds.
        log_size: u64,
    },
    /// A tree could not grow: its size would not fit in a `u64` (or `usize`).
    #[error("the tree is full: its size no longer fits the platform's integers")]
    TreeFull,
    /// A proof had a different number of hashes from the one its sizes fix.
    #[error("{proof} proof has {actual} hashes; its index and sizes require {expected}")]
    ProofLength {
        /// Which kind of proof.
        proof: &'static str,
        /// The length the index and sizes require.
        expected: usize,
        /// The length that was given.
        actual: usize,
    },
    /// An inclusion proof did not lead to the expected root.
    #[error(
        "inclusion of leaf {index} in tree size {size} does not match the root (RFC 9162 §2.1.3.2 step 5)"
    )]
    InclusionRootMismatch {
        /// The leaf index.
        index: u64,
        /// The tree size.
        size: u64,
    },
    /// A consistency proof did not lead to the old root.
    #[error(
        "consistency proof {old_size}→{new_size} does not match the old root (RFC 9162 §2.1.4.2 step 7)"
    )]
    OldRootMismatch {
        /// The older tree size.
        old_size: u64,
        /// The newer tree size.
        new_size: u64,
    },
    /// A consistency proof did not lead to the new root (or, for equal sizes,
    /// the two roots differ).
    #[error(
        "consistency proof {old_size}→{new_size} does not match the new root (RFC 9162 §2.1.4.2 step 7)"
    )]
    NewRootMismatch {
        /// The older tree size.
        old_size: u64,
        /// The newer tree size.
        new_size: u64,
    },
    /// An encoding had the wrong length.
    #[error("{what}: expected {expected} bytes, found {found}")]
    WrongLength {
        /// What was being decoded.
        what: &'static str,
        /// The length it must have.
        expected: usize,
        /// The length that was given.
        found: usize,
    },
    /// An encoding ended early or had bytes left over.
    #[error("{what}: malformed encoding: {reason}")]
    Malformed {
        /// What was being decoded.
        what: &'static str,
        /// What was wrong with it.
        reason: &'static str,
    },
    /// A hex string was not valid lowercase or uppercase hex.
    #[error("{what}: invalid hex")]
    InvalidHex {
        /// What was being decoded.
        what: &'static str,
    },
}
