//! The one byte reader under every encoding (spec: protocol §3, board §2 and
//! §3): big-endian integers, fixed-size arrays and byte runs, read front to
//! back without ever panicking. Each encoding's own reader — the crypto wire
//! reader ([`crate::wire`]), the board's codec and the Merkle proofs' —
//! wraps it and reports its failures in its own error type, with the reasons
//! of the spec's class E4 (malformed composite): "truncated" when the input
//! ends early, "trailing bytes" when bytes are left over.

/// Why a read failed (always class E4, protocol §3.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ByteError {
    /// The input ends before the value.
    Truncated,
    /// Bytes are left after the last value.
    Trailing,
}

impl ByteError {
    /// The spec's words for it: `truncated` or `trailing bytes`.
    pub const fn reason(self) -> &'static str {
        match self {
            ByteError::Truncated => "truncated",
            ByteError::Trailing => "trailing bytes",
        }
    }
}

impl core::fmt::Display for ByteError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.reason())
    }
}

/// Reads an encoding front to back.
#[derive(Clone, Debug)]
pub struct ByteReader<'a> {
    rest: &'a [u8],
}

impl<'a> ByteReader<'a> {
    /// Starts reading `bytes`.
    pub const fn new(bytes: &'a [u8]) -> Self {
        Self { rest: bytes }
    }

    /// The next `n` bytes.
    pub fn take(&mut self, n: usize) -> Result<&'a [u8], ByteError> {
        let (head, tail) = self.rest.split_at_checked(n).ok_or(ByteError::Truncated)?;
        self.rest = tail;
        Ok(head)
    }

    /// The next `N` bytes as an array.
    pub fn array<const N: usize>(&mut self) -> Result<[u8; N], ByteError> {
        self.take(N)?.try_into().map_err(|_| ByteError::Truncated)
    }

    /// One byte.
    pub fn u8(&mut self) -> Result<u8, ByteError> {
        self.array::<1>().map(u8::from_be_bytes)
    }

    /// A big-endian `u16`.
    pub fn u16(&mut self) -> Result<u16, ByteError> {
        self.array::<2>().map(u16::from_be_bytes)
    }

    /// A big-endian `u32`.
    pub fn u32(&mut self) -> Result<u32, ByteError> {
        self.array::<4>().map(u32::from_be_bytes)
    }

    /// A big-endian `u64`.
    pub fn u64(&mut self) -> Result<u64, ByteError> {
        self.array::<8>().map(u64::from_be_bytes)
    }

    /// How many bytes are left.
    pub fn remaining(&self) -> usize {
        self.rest.len()
    }

    /// Everything that is left.
    pub fn rest(&mut self) -> &'a [u8] {
        core::mem::take(&mut self.rest)
    }

    /// Ends reading: bytes left over are an error.
    pub fn finish(self) -> Result<(), ByteError> {
        if self.rest.is_empty() {
            Ok(())
        } else {
            Err(ByteError::Trailing)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_big_endian_and_refuses_short_and_long_input() {
        let mut r = ByteReader::new(&[1, 0, 2, 0, 0, 0, 3, 9]);
        assert_eq!(r.u8(), Ok(1));
        assert_eq!(r.u16(), Ok(2));
        assert_eq!(r.u32(), Ok(3));
        assert_eq!(r.remaining(), 1);
        assert_eq!(r.u16(), Err(ByteError::Truncated));
        assert_eq!(r.clone().finish(), Err(ByteError::Trailing));
        assert_eq!(r.rest(), &[9]);
        assert_eq!(r.finish(), Ok(()));
        assert_eq!(ByteReader::new(&[0; 7]).u64(), Err(ByteError::Truncated));
        assert_eq!(ByteReader::new(&[0; 3]).take(usize::MAX), Err(ByteError::Truncated));
    }
}
