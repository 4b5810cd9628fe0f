//! Hashes, the leaf and node hash functions, and the index newtypes of the
//! Merkle tree (spec: board §3; RFC 9162 §2.1).
//!
//! The only inputs ever hashed are the ones RFC 9162 fixes:
//!
//! | value       | SHA-256 input            |
//! |-------------|--------------------------|
//! | empty root  | the empty string         |
//! | leaf hash   | `0x00 ‖ data`            |
//! | node hash   | `0x01 ‖ left ‖ right`    |

use core::fmt;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use subtle::{Choice, ConstantTimeEq};

use super::codec::hex_serde;
use super::MerkleError;

/// The length in bytes of a [`Hash`](struct@Hash).
pub const HASH_LEN: usize = 32;

/// The domain-separation prefix of a leaf hash (RFC 9162 §2.1.1).
const LEAF_PREFIX: u8 = 0x00;
/// The domain-separation prefix of an interior node hash (RFC 9162 §2.1.1).
const NODE_PREFIX: u8 = 0x01;

/// A SHA-256 value in the tree: a leaf hash, a node hash or a root.
///
/// Equality is constant time. Debug, Display and serde use lowercase hex.
#[derive(Clone, Copy)]
pub struct Hash([u8; HASH_LEN]);

impl Hash {
    /// Wraps 32 bytes as a hash.
    pub const fn new(bytes: [u8; HASH_LEN]) -> Self {
        Self(bytes)
    }

    /// The 32 bytes of the hash.
    pub const fn as_bytes(&self) -> &[u8; HASH_LEN] {
        &self.0
    }

    /// The 32 bytes of the hash, by value (the canonical encoding).
    pub const fn to_bytes(&self) -> [u8; HASH_LEN] {
        self.0
    }

    /// Decodes a hash from exactly 32 bytes.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, MerkleError> {
        <[u8; HASH_LEN]>::try_from(bytes).map(Self).map_err(|_| MerkleError::WrongLength {
            what: "hash",
            expected: HASH_LEN,
            found: bytes.len(),
        })
    }

    /// The lowercase hex of the hash.
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }

    /// Decodes a hash from 64 hex digits.
    pub fn from_hex(text: &str) -> Result<Self, MerkleError> {
        let bytes = hex::decode(text).map_err(|_| MerkleError::InvalidHex { what: "hash" })?;
        Self::from_bytes(&bytes)
    }
}

impl ConstantTimeEq for Hash {
    fn ct_eq(&self, other: &Self) -> Choice {
        self.0.ct_eq(&other.0)
    }
}

impl PartialEq for Hash {
    fn eq(&self, other: &Self) -> bool {
        self.ct_eq(other).into()
    }
}

impl Eq for Hash {}

impl From<[u8; HASH_LEN]> for Hash {
    fn from(bytes: [u8; HASH_LEN]) -> Self {
        Self(bytes)
    }
}

impl fmt::Debug for Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Hash({})", self.to_hex())
    }
}

impl fmt::Display for Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

hex_serde!(Hash);

/// The root of the empty tree: SHA-256 of the empty string (RFC 9162 §2.1.1).
pub fn empty_root() -> Hash {
    Hash(Sha256::digest([]).into())
}

/// The hash of a leaf: SHA-256(0x00 ‖ data) (RFC 9162 §2.1.1).
pub fn leaf_hash(data: &[u8]) -> Hash {
    let mut h = Sha256::new();
    h.update([LEAF_PREFIX]);
    h.update(data);
    Hash(h.finalize().into())
}

/// The hash of an interior node: SHA-256(0x01 ‖ left ‖ right) (RFC 9162 §2.1.1).
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update([NODE_PREFIX]);
    h.update(left.0);
    h.update(right.0);
    Hash(h.finalize().into())
}

/// The 0-based position of a leaf in the tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct LeafIndex(u64);

impl LeafIndex {
    /// Wraps a 0-based leaf position.
    pub const fn new(index: u64) -> Self {
        Self(index)
    }

    /// The 0-based leaf position.
    pub const fn get(self) -> u64 {
        self.0
    }
}

impl fmt::Display for LeafIndex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// The number of leaves in a tree (a version of the log).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TreeSize(u64);

impl TreeSize {
    /// Wraps a number of leaves.
    pub const fn new(size: u64) -> Self {
        Self(size)
    }

    /// The number of leaves.
    pub const fn get(self) -> u64 {
        self.0
    }
}

impl fmt::Display for TreeSize {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}
