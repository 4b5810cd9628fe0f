//! Bounded discrete logarithm by baby-step giant-step (spec: §7.4): finds
//! `m ∈ [0, bound]` with `M = m·B₀`.
//!
//! The baby-step table holds the first 8 bytes of the encodings of
//! `j·B₀, j < s`, sorted, so a look-up is a binary search and needs no hash
//! map; a hit is confirmed on the whole encoding. With `q` targets the table
//! size `s ≈ √(q·bound)` balances building the table against `q` searches.

use alloc::vec::Vec;

use curve25519_dalek::constants::RISTRETTO_BASEPOINT_POINT;
use curve25519_dalek::ristretto::{CompressedRistretto, RistrettoPoint};
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::Identity;

use crate::error::{CryptoError, Result};

/// A baby-step table for discrete logs up to a bound.
pub struct DiscreteLog {
    bound: u64,
    step: u64,
    // (first 8 bytes of the encoding of j·B₀, j), sorted.
    table: Vec<(u64, u32)>,
    giant: RistrettoPoint,
}

/// The largest table this builds: 2²² entries of 16 bytes (64 MiB).
const MAX_STEP: u64 = 1 << 22;
/// Baby steps are compressed in chunks of this many points, to bound memory.
const CHUNK: u64 = 4096;

fn prefix(c: &CompressedRistretto) -> u64 {
    let b = c.as_bytes();
    let mut p = [0u8; 8];
    p.copy_from_slice(b.get(..8).unwrap_or(&[0u8; 8]));
    u64::from_le_bytes(p)
}

impl DiscreteLog {
    /// Builds a table for logs in `[0, bound]`, sized for about `targets` look-ups.
    pub fn new(bound: u64, targets: usize) -> Self {
        let q = u64::try_from(targets.max(1)).unwrap_or(u64::MAX);
        let want = integer_sqrt(bound.saturating_mul(q)).max(1);
        let step = want.min(bound.saturating_add(1)).clamp(1, MAX_STEP);
        let half = RISTRETTO_BASEPOINT_POINT * Scalar::from(2u8).invert();
        // j·B₀/2 for every j, compressed as doubles a chunk at a time (one
        // shared field inversion per chunk).
        let mut table: Vec<(u64, u32)> = Vec::with_capacity(usize::try_from(step).unwrap_or(0));
        let mut halves = Vec::with_capacity(usize::try_from(CHUNK).unwrap_or(0));
        let mut acc = RistrettoPoint::identity();
        let mut j = 0u32;
        for start in (0..step).step_by(usize::try_from(CHUNK).unwrap_or(1)) {
            halves.clear();
            for _ in start..(start + CHUNK).min(step) {
                halves.push(acc);
                acc += half;
            }
            for c in RistrettoPoint::double_and_compress_batch(&halves) {
                table.push((prefix(&c), j));
                j = j.saturating_add(1);
            }
        }
        table.sort_unstable();
        let giant = RISTRETTO_BASEPOINT_POINT * Scalar::from(step);
        Self { bound, step, table, giant }
    }

    /// The upper bound of the search.
    pub fn bound(&self) -> u64 {
        self.bound
    }

    /// Finds `m ≤ bound` with `target = m·B₀` (spec: V6.5).
    pub fn solve(&self, target: &RistrettoPoint) -> Result<u64> {
        let mut point = *target;
        let mut base = 0u64;
        loop {
            let c = point.compress();
            let key = prefix(&c);
            let start = self.table.partition_point(|(p, _)| *p < key);
            for (_, j) in self.table.iter().skip(start).take_while(|(p, _)| *p == key) {
                let m = base.saturating_add(u64::from(*j));
                if m <= self.bound && RISTRETTO_BASEPOINT_POINT * Scalar::from(u64::from(*j)) == point {
                    return Ok(m);
                }
            }
            point -= self.giant;
            base = match base.checked_add(self.step) {
                Some(b) if b <= self.bound => b,
                _ => return Err(CryptoError::DiscreteLogOutOfRange { bound: self.bound }),
            };
        }
    }
}

fn integer_sqrt(n: u64) -> u64 {
    if n < 2 {
        return n;
    }
    // Newton's method on integers.
    let mut x = n;
    let mut y = x.div_ceil(2);
    while y < x {
        x = y;
        y = (x + n / x) / 2;
    }
    x
}
