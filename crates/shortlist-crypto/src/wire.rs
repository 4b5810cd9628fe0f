//! Canonical wire encodings (spec: §3): points, scalars, hashes and the
//! reader/writer that every composite encoding uses.
//!
//! Decoding checks the exact length, canonical scalars (< ℓ), canonical
//! ristretto255 points, the identity where it is forbidden, counts, the
//! version byte and trailing bytes, and returns an error, never panics.

use core::fmt;

use curve25519_dalek::ristretto::{CompressedRistretto, RistrettoPoint};
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::Identity;
use subtle::{Choice, ConditionallySelectable};

use crate::bytes::{ByteError, ByteReader};
use crate::error::{CryptoError, Result};

/// Length of a point encoding.
pub const POINT_LEN: usize = 32;
/// Length of a scalar encoding.
pub const SCALAR_LEN: usize = 32;
/// Length of a hash (SHA-256 output) on the wire.
pub const HASH_LEN: usize = 32;
/// The version byte that opens every composite encoding of protocol version 1.
pub const WIRE_VERSION: u8 = 1;

/// A canonical ristretto255 group element, kept with its 32-byte encoding so
/// that transcripts never re-compress it (spec: §3.2).
#[derive(Clone, Copy)]
pub struct Point {
    compressed: CompressedRistretto,
    point: RistrettoPoint,
}

impl Point {
    /// The identity element.
    pub fn identity() -> Self {
        Self::from_parts(CompressedRistretto::identity(), RistrettoPoint::identity())
    }

    /// Wraps a computed point, compressing it once.
    pub fn from_point(point: RistrettoPoint) -> Self {
        Self { compressed: point.compress(), point }
    }

    /// Wraps a point whose compression the caller has computed (e.g. in a batch).
    pub(crate) fn from_parts(compressed: CompressedRistretto, point: RistrettoPoint) -> Self {
        Self { compressed, point }
    }

    /// Decodes a canonical encoding; the identity is allowed (spec: E3).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        Self::decode("point", bytes)
    }

    /// Decodes a canonical encoding that must not be the identity (spec: E3).
    pub fn from_bytes_nonidentity(bytes: &[u8]) -> Result<Self> {
        Self::decode_nonidentity("point", bytes)
    }

    pub(crate) fn decode(what: &'static str, bytes: &[u8]) -> Result<Self> {
        let arr: [u8; POINT_LEN] = bytes.try_into().map_err(|_| CryptoError::WrongLength {
            what,
            expected: POINT_LEN,
            found: bytes.len(),
        })?;
        let compressed = CompressedRistretto(arr);
        let point = compressed.decompress().ok_or(CryptoError::InvalidPoint { what })?;
        Ok(Self { compressed, point })
    }

    pub(crate) fn decode_nonidentity(what: &'static str, bytes: &[u8]) -> Result<Self> {
        let p = Self::decode(what, bytes)?;
        p.require_nonidentity(what)
    }

    /// Returns the point, or an error if it is the identity.
    pub(crate) fn require_nonidentity(self, what: &'static str) -> Result<Self> {
        if self.is_identity() {
            Err(CryptoError::IdentityPoint { what })
        } else {
            Ok(self)
        }
    }

    /// `b` if `choice` is set, else `a`, in constant time.
    pub(crate) fn ct_select(a: &Self, b: &Self, choice: Choice) -> Self {
        let mut bytes = [0u8; POINT_LEN];
        for ((o, x), y) in bytes.iter_mut().zip(a.compressed.as_bytes()).zip(b.compressed.as_bytes()) {
            *o = u8::conditional_select(x, y, choice);
        }
        Self {
            compressed: CompressedRistretto(bytes),
            point: RistrettoPoint::conditional_select(&a.point, &b.point, choice),
        }
    }

    /// Swaps `a` and `b` if `choice` is set, in constant time.
    pub(crate) fn ct_swap(a: &mut Self, b: &mut Self, choice: Choice) {
        let (x, y) = (Self::ct_select(a, b, choice), Self::ct_select(b, a, choice));
        *a = x;
        *b = y;
    }

    /// Whether this is the identity element.
    pub fn is_identity(&self) -> bool {
        self.compressed == CompressedRistretto::identity()
    }

    /// The 32-byte canonical encoding.
    pub fn to_bytes(&self) -> [u8; POINT_LEN] {
        self.compressed.to_bytes()
    }

    /// The canonical encoding as a compressed point.
    pub fn compressed(&self) -> &CompressedRistretto {
        &self.compressed
    }

    /// The group element.
    pub fn point(&self) -> &RistrettoPoint {
        &self.point
    }
}

impl zeroize::Zeroize for Point {
    fn zeroize(&mut self) {
        self.compressed.zeroize();
        self.point.zeroize();
    }
}

impl PartialEq for Point {
    fn eq(&self, other: &Self) -> bool {
        // Encodings are canonical, so equal elements have equal bytes.
        self.compressed == other.compressed
    }
}
impl Eq for Point {}

impl fmt::Debug for Point {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Point({})", hex::encode(self.compressed.as_bytes()))
    }
}

/// Decodes a canonical scalar (< ℓ, 32 bytes little-endian) (spec: E2).
pub fn scalar_from_bytes(what: &'static str, bytes: &[u8]) -> Result<Scalar> {
    let arr: [u8; SCALAR_LEN] = bytes.try_into().map_err(|_| CryptoError::WrongLength {
        what,
        expected: SCALAR_LEN,
        found: bytes.len(),
    })?;
    Option::from(Scalar::from_canonical_bytes(arr)).ok_or(CryptoError::NonCanonicalScalar { what })
}

/// Appends canonical encodings to a byte vector (spec: §3).
pub(crate) trait WriteExt {
    fn put_point(&mut self, p: &Point);
    fn put_scalar(&mut self, s: &Scalar);
    fn put_u16(&mut self, v: u16);
    fn put_u32(&mut self, v: u32);
}

impl WriteExt for Vec<u8> {
    fn put_point(&mut self, p: &Point) {
        self.extend_from_slice(p.compressed.as_bytes());
    }
    fn put_scalar(&mut self, s: &Scalar) {
        self.extend_from_slice(s.as_bytes());
    }
    fn put_u16(&mut self, v: u16) {
        self.extend_from_slice(&v.to_be_bytes());
    }
    fn put_u32(&mut self, v: u32) {
        self.extend_from_slice(&v.to_be_bytes());
    }
}

/// Reads a composite encoding front to back over the one byte reader
/// ([`crate::bytes::ByteReader`]), reporting its failures as E4 for `what`;
/// [`Reader::finish`] rejects trailing bytes.
pub(crate) struct Reader<'a> {
    what: &'static str,
    bytes: ByteReader<'a>,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(what: &'static str, bytes: &'a [u8]) -> Self {
        Self { what, bytes: ByteReader::new(bytes) }
    }

    /// The byte reader's failure as this encoding's E4 error.
    fn malformed(&self, e: ByteError) -> CryptoError {
        CryptoError::Malformed { what: self.what, reason: e.reason() }
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        self.bytes.take(n).map_err(|e| self.malformed(e))
    }

    /// Reads and checks the version byte (spec: E4).
    pub(crate) fn version(&mut self) -> Result<()> {
        match self.take(1)? {
            [WIRE_VERSION] => Ok(()),
            _ => Err(CryptoError::Malformed { what: self.what, reason: "unknown version byte" }),
        }
    }

    pub(crate) fn u16(&mut self) -> Result<u16> {
        self.bytes.u16().map_err(|e| self.malformed(e))
    }

    pub(crate) fn u32(&mut self) -> Result<u32> {
        self.bytes.u32().map_err(|e| self.malformed(e))
    }

    pub(crate) fn point(&mut self) -> Result<Point> {
        Point::decode(self.what, self.take(POINT_LEN)?)
    }

    pub(crate) fn scalar(&mut self) -> Result<Scalar> {
        scalar_from_bytes(self.what, self.take(SCALAR_LEN)?)
    }

    /// How many bytes are left.
    pub(crate) fn remaining(&self) -> usize {
        self.bytes.remaining()
    }

    pub(crate) fn bytes(&mut self, n: usize) -> Result<&'a [u8]> {
        self.take(n)
    }

    /// Ends decoding; trailing bytes are an error (spec: E4).
    pub(crate) fn finish(self) -> Result<()> {
        let what = self.what;
        self.bytes.finish().map_err(|e| CryptoError::Malformed { what, reason: e.reason() })
    }
}

/// Implements serde for a wire type as the lowercase hex of its canonical
/// encoding, decoding through the same strict `from_bytes` (spec: §3.6).
macro_rules! hex_serde {
    ($ty:ty) => {
        impl serde::Serialize for $ty {
            fn serialize<S: serde::Serializer>(&self, s: S) -> core::result::Result<S::Ok, S::Error> {
                s.serialize_str(&hex::encode(self.to_bytes()))
            }
        }
        impl<'de> serde::Deserialize<'de> for $ty {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> core::result::Result<Self, D::Error> {
                let text = <alloc::string::String as serde::Deserialize>::deserialize(d)?;
                let bytes = hex::decode(&text).map_err(serde::de::Error::custom)?;
                <$ty>::from_bytes(&bytes).map_err(serde::de::Error::custom)
            }
        }
    };
}
pub(crate) use hex_serde;

hex_serde!(Point);
