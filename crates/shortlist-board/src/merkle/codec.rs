//! The canonical byte encodings of proofs: a strict reader and the hex serde
//! glue (spec: board §3).

use shortlist_crypto::bytes::{ByteError, ByteReader};

use super::{Hash, MerkleError, HASH_LEN};

/// Reads a big-endian encoding front to back, never panicking, over the one
/// byte reader ([`ByteReader`], shared with the board's codec and the crypto
/// wire), reporting its failures as [`MerkleError::Malformed`].
pub(crate) struct Reader<'a> {
    what: &'static str,
    bytes: ByteReader<'a>,
}

impl<'a> Reader<'a> {
    /// Starts reading `bytes`, naming them `what` in errors.
    pub(crate) fn new(what: &'static str, bytes: &'a [u8]) -> Self {
        Self { what, bytes: ByteReader::new(bytes) }
    }

    fn malformed(&self, e: ByteError) -> MerkleError {
        MerkleError::Malformed { what: self.what, reason: e.reason() }
    }

    fn take<const N: usize>(&mut self) -> Result<[u8; N], MerkleError> {
        self.bytes.array::<N>().map_err(|e| self.malformed(e))
    }

    /// Reads a big-endian `u64`.
    pub(crate) fn u64(&mut self) -> Result<u64, MerkleError> {
        self.take::<8>().map(u64::from_be_bytes)
    }

    /// Reads a big-endian `u16`.
    pub(crate) fn u16(&mut self) -> Result<u16, MerkleError> {
        self.take::<2>().map(u16::from_be_bytes)
    }

    /// Reads `count` hashes of 32 bytes each.
    pub(crate) fn hashes(&mut self, count: usize) -> Result<Vec<Hash>, MerkleError> {
        // Check the length first so that a bad count cannot make us allocate.
        let needed = count
            .checked_mul(HASH_LEN)
            .ok_or(MerkleError::Malformed { what: self.what, reason: "hash count overflows" })?;
        if self.bytes.remaining() < needed {
            return Err(MerkleError::Malformed { what: self.what, reason: "truncated" });
        }
        (0..count).map(|_| self.take::<HASH_LEN>().map(Hash::new)).collect()
    }

    /// Ends decoding; bytes left over are an error.
    pub(crate) fn finish(self) -> Result<(), MerkleError> {
        let what = self.what;
        self.bytes.finish().map_err(|e| MerkleError::Malformed { what, reason: e.reason() })
    }
}

/// Appends a proof's path after its header: a `u16` count, then the hashes.
///
/// A valid proof has at most 65 hashes (the tree height is at most 64), and
/// proofs are validated when they are built, so the count always fits; were
/// it ever not to, the count written would disagree with the hashes and the
/// decoder would reject the encoding.
pub(crate) fn write_path(out: &mut Vec<u8>, path: &[Hash]) {
    let count = u16::try_from(path.len()).unwrap_or(u16::MAX);
    out.extend_from_slice(&count.to_be_bytes());
    for h in path {
        out.extend_from_slice(h.as_bytes());
    }
}

/// Implements serde for a type as the lowercase hex of its canonical
/// encoding, decoding through the same strict `from_bytes`.
macro_rules! hex_serde {
    ($ty:ty) => {
        impl serde::Serialize for $ty {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&hex::encode(self.to_bytes()))
            }
        }
        impl<'de> serde::Deserialize<'de> for $ty {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let text = <String as serde::Deserialize>::deserialize(d)?;
                let bytes = hex::decode(&text).map_err(serde::de::Error::custom)?;
                <$ty>::from_bytes(&bytes).map_err(serde::de::Error::custom)
            }
        }
    };
}
pub(crate) use hex_serde;
