//! The proof that a ciphertext encrypts a value in `[min, max]` (spec: §5.4):
//! the disjunctive proof with one branch per value, under domain separator
//! `"range-proof"`. A ballot uses it on the sum of a contest's ciphertexts.
//! Encoding: `u16 min ‖ u16 max ‖` the `k = max − min + 1` branch proof.

use alloc::vec::Vec;

use merlin::Transcript;
use rand_core::CryptoRngCore;

use crate::batch::{BatchVerifier, SharedBase};
use crate::elgamal::{Ciphertext, Encrypter};
use crate::error::{CryptoError, Result};
use crate::labels;
use crate::proofs::disjunctive::{DisjunctiveProof, DisjunctiveStatement};
use crate::secret::SecretScalar;
use crate::wire::{hex_serde, Point, Reader, WriteExt};

/// The most branches a range proof may have (spec: §5.4).
pub const MAX_RANGE_BRANCHES: usize = 1024;

/// The item kind that names range proofs in batch failures.
pub const RANGE_KIND: &str = "range proof";

/// A proof that a ciphertext encrypts a value in `[min, max]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RangeProof {
    /// The smallest allowed value.
    pub min: u16,
    /// The largest allowed value.
    pub max: u16,
    pub(crate) proof: DisjunctiveProof,
}

fn check_range(min: u16, max: u16) -> Result<usize> {
    if min > max {
        return Err(CryptoError::InvalidParameters {
            step: "V2.4",
            reason: alloc::format!("range [{min}, {max}] is empty"),
        });
    }
    let k = usize::from(max - min) + 1;
    if k > MAX_RANGE_BRANCHES {
        return Err(CryptoError::InvalidParameters {
            step: "V2.4",
            reason: alloc::format!("range [{min}, {max}] has more than {MAX_RANGE_BRANCHES} values"),
        });
    }
    Ok(k)
}

impl RangeProof {
    /// Proves that `ct = Enc(m; r)` with `min ≤ m ≤ max`.
    #[allow(clippy::too_many_arguments)]
    pub fn prove(
        context: &Transcript,
        enc: &Encrypter,
        ct: &Ciphertext,
        min: u16,
        max: u16,
        m: u16,
        r: &SecretScalar,
        rng: &mut impl CryptoRngCore,
    ) -> Result<Self> {
        check_range(min, max)?;
        let st = DisjunctiveStatement { key: enc.key(), ciphertext: ct, lo: min, hi: max };
        let proof = DisjunctiveProof::prove(context, labels::DS_RANGE, enc, &st, m, r, rng)?;
        let proof = Self { min, max, proof };
        proof.verify(context, enc.key(), ct, rng)?;
        Ok(proof)
    }

    pub(crate) fn from_parts(min: u16, max: u16, proof: DisjunctiveProof) -> Self {
        Self { min, max, proof }
    }

    /// Verifies the proof alone (spec: V2.4).
    pub fn verify(
        &self,
        context: &Transcript,
        key: &Point,
        ct: &Ciphertext,
        rng: &mut impl CryptoRngCore,
    ) -> Result<()> {
        check_range(self.min, self.max)?;
        let st = DisjunctiveStatement { key, ciphertext: ct, lo: self.min, hi: self.max };
        self.proof.verify(context, labels::DS_RANGE, &st, RANGE_KIND, "V2.4", rng)
    }

    /// Adds the proof's equations to a batch as one item.
    pub fn add_to_batch(
        &self,
        context: &Transcript,
        key: &Point,
        key_base: SharedBase,
        ct: &Ciphertext,
        batch: &mut BatchVerifier,
        index: u32,
    ) -> Result<()> {
        check_range(self.min, self.max)?;
        let st = DisjunctiveStatement { key, ciphertext: ct, lo: self.min, hi: self.max };
        self.proof.add_to_batch(context, labels::DS_RANGE, &st, key_base, batch, RANGE_KIND, index)
    }

    /// `u16 min ‖ u16 max ‖ branches`.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.write(&mut out);
        out
    }

    /// Decodes `u16 min ‖ u16 max ‖ branches`.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let mut r = Reader::new("range proof", bytes);
        let p = Self::read(&mut r)?;
        r.finish()?;
        Ok(p)
    }

    pub(crate) fn write(&self, out: &mut Vec<u8>) {
        out.put_u16(self.min);
        out.put_u16(self.max);
        self.proof.write(out);
    }

    pub(crate) fn read(r: &mut Reader<'_>) -> Result<Self> {
        let min = r.u16()?;
        let max = r.u16()?;
        let k = check_range(min, max)?;
        Ok(Self { min, max, proof: DisjunctiveProof::read(r, k)? })
    }

    /// The underlying disjunctive proof.
    pub fn inner(&self) -> &DisjunctiveProof {
        &self.proof
    }
}

hex_serde!(RangeProof);
