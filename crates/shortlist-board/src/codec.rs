//! The canonical binary encoding of board payloads (spec: board §2):
//! big-endian integers, byte strings and UTF-8 strings with a u32 length,
//! lists with a u32 count, no padding, no trailing bytes.

use shortlist_crypto::bytes::{ByteError, ByteReader};

use crate::error::{BoardError, Result};

/// The longest string a payload may hold (bytes).
pub const MAX_STRING: usize = 64 * 1024;
/// The most items a list may hold.
pub const MAX_LIST: usize = 1 << 20;

/// Builds a canonical encoding.
#[derive(Default)]
pub struct Writer(Vec<u8>);

impl Writer {
    /// An empty writer.
    pub fn new() -> Self {
        Self(Vec::new())
    }
    /// Appends one byte.
    pub fn u8(&mut self, v: u8) -> &mut Self {
        self.0.push(v);
        self
    }
    /// Appends a big-endian u16.
    pub fn u16(&mut self, v: u16) -> &mut Self {
        self.0.extend_from_slice(&v.to_be_bytes());
        self
    }
    /// Appends a big-endian u32.
    pub fn u32(&mut self, v: u32) -> &mut Self {
        self.0.extend_from_slice(&v.to_be_bytes());
        self
    }
    /// Appends a big-endian u64.
    pub fn u64(&mut self, v: u64) -> &mut Self {
        self.0.extend_from_slice(&v.to_be_bytes());
        self
    }
    /// Appends fixed-size bytes with no length.
    pub fn fixed(&mut self, b: &[u8]) -> &mut Self {
        self.0.extend_from_slice(b);
        self
    }
    /// Appends `u32 len ‖ bytes`.
    pub fn bytes(&mut self, b: &[u8]) -> &mut Self {
        self.u32(u32::try_from(b.len()).unwrap_or(u32::MAX));
        self.0.extend_from_slice(b);
        self
    }
    /// Appends `u32 len ‖ UTF-8`.
    pub fn str(&mut self, s: &str) -> &mut Self {
        self.bytes(s.as_bytes())
    }
    /// Appends a list count.
    pub fn count(&mut self, n: usize) -> &mut Self {
        self.u32(u32::try_from(n).unwrap_or(u32::MAX))
    }
    /// The encoding.
    pub fn finish(self) -> Vec<u8> {
        self.0
    }
}

/// Reads a canonical encoding front to back over the one byte reader
/// ([`ByteReader`], shared with the crypto wire and the Merkle proofs),
/// reporting its failures as malformed `what` (spec: board §2, E4).
pub struct Reader<'a> {
    what: &'static str,
    bytes: ByteReader<'a>,
}

impl<'a> Reader<'a> {
    /// Reads `bytes`, naming errors after `what`.
    pub fn new(what: &'static str, bytes: &'a [u8]) -> Self {
        Self { what, bytes: ByteReader::new(bytes) }
    }

    fn malformed(&self, e: ByteError) -> BoardError {
        BoardError::malformed(self.what, e.reason())
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        self.bytes.take(n).map_err(|e| self.malformed(e))
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N]> {
        self.bytes.array::<N>().map_err(|e| self.malformed(e))
    }

    /// Reads one byte.
    pub fn u8(&mut self) -> Result<u8> {
        Ok(u8::from_be_bytes(self.array::<1>()?))
    }
    /// Reads a big-endian u16.
    pub fn u16(&mut self) -> Result<u16> {
        Ok(u16::from_be_bytes(self.array::<2>()?))
    }
    /// Reads a big-endian u32.
    pub fn u32(&mut self) -> Result<u32> {
        Ok(u32::from_be_bytes(self.array::<4>()?))
    }
    /// Reads a big-endian u64.
    pub fn u64(&mut self) -> Result<u64> {
        Ok(u64::from_be_bytes(self.array::<8>()?))
    }
    /// Reads `N` fixed bytes.
    pub fn fixed<const N: usize>(&mut self) -> Result<[u8; N]> {
        self.array::<N>()
    }
    /// Reads `u32 len ‖ bytes` of at most `max` bytes.
    pub fn bytes(&mut self, max: usize) -> Result<&'a [u8]> {
        let n = usize::try_from(self.u32()?).unwrap_or(usize::MAX);
        if n > max {
            return Err(BoardError::malformed(
                self.what,
                format!("a byte string of {n} bytes exceeds {max}"),
            ));
        }
        self.take(n)
    }
    /// Reads `u32 len ‖ UTF-8`.
    pub fn str(&mut self) -> Result<String> {
        let b = self.bytes(MAX_STRING)?;
        String::from_utf8(b.to_vec()).map_err(|_| BoardError::malformed(self.what, "string is not UTF-8"))
    }
    /// Reads a list count of at most `max`.
    pub fn count(&mut self, max: usize) -> Result<usize> {
        let n = usize::try_from(self.u32()?).unwrap_or(usize::MAX);
        if n > max {
            return Err(BoardError::malformed(self.what, format!("a list of {n} items exceeds {max}")));
        }
        Ok(n)
    }
    /// Reads everything that is left.
    pub fn rest(&mut self) -> &'a [u8] {
        self.bytes.rest()
    }
    /// Ends decoding; trailing bytes are an error.
    pub fn finish(self) -> Result<()> {
        let what = self.what;
        self.bytes.finish().map_err(|e| BoardError::malformed(what, e.reason()))
    }
}

/// The most items a list of a saved verifier state may hold (far above any
/// real poll; spec: board §8.6).
pub(crate) const MAX_SAVED_ITEMS: u64 = 1 << 32;

/// Reads a saved state's `u64` item count, refusing one above
/// [`MAX_SAVED_ITEMS`].
pub(crate) fn saved_count(r: &mut Reader<'_>) -> Result<u64> {
    let n = r.u64()?;
    if n > MAX_SAVED_ITEMS {
        return Err(BoardError::malformed("verifier state", "a list is too large"));
    }
    Ok(n)
}

/// A length as a saved state's `u64` count.
pub(crate) fn saved_len(n: usize) -> u64 {
    u64::try_from(n).unwrap_or(u64::MAX)
}
