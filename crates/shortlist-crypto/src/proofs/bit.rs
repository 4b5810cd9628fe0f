//! The proof that a ciphertext encrypts 0 or 1 (spec: §5.3): the disjunctive
//! proof with two branches, under domain separator `"bit-proof"`.
//! Encoding, 224 bytes: `a₀ ‖ b₀ ‖ a₁ ‖ b₁ ‖ c₀ ‖ z₀ ‖ z₁`.

use alloc::vec::Vec;

use merlin::Transcript;
use rand_core::CryptoRngCore;

use crate::batch::{BatchVerifier, SharedBase};
use crate::elgamal::{Ciphertext, Encrypter};
use crate::error::Result;
use crate::labels;
use crate::proofs::disjunctive::{DisjunctiveProof, DisjunctiveStatement};
use crate::secret::SecretScalar;
use crate::wire::{hex_serde, Point, Reader};

/// A proof that a ciphertext encrypts 0 or 1.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BitProof(pub(crate) DisjunctiveProof);

/// Length of a bit proof encoding.
pub const BIT_PROOF_LEN: usize = 224;

/// The item kind that names bit proofs in batch failures.
pub const BIT_KIND: &str = "bit proof";

fn statement<'a>(key: &'a Point, ct: &'a Ciphertext) -> DisjunctiveStatement<'a> {
    DisjunctiveStatement { key, ciphertext: ct, lo: 0, hi: 1 }
}

impl BitProof {
    /// Proves that `ct = Enc(m; r)` with `m ∈ {0, 1}` under `enc`'s key.
    pub fn prove(
        context: &Transcript,
        enc: &Encrypter,
        ct: &Ciphertext,
        m: u16,
        r: &SecretScalar,
        rng: &mut impl CryptoRngCore,
    ) -> Result<Self> {
        let st = statement(enc.key(), ct);
        let p = DisjunctiveProof::prove(context, labels::DS_BIT, enc, &st, m, r, rng)?;
        let proof = Self(p);
        proof.verify(context, enc.key(), ct, rng)?;
        Ok(proof)
    }

    /// Verifies the proof alone (spec: V2.3).
    pub fn verify(
        &self,
        context: &Transcript,
        key: &Point,
        ct: &Ciphertext,
        rng: &mut impl CryptoRngCore,
    ) -> Result<()> {
        self.0.verify(context, labels::DS_BIT, &statement(key, ct), BIT_KIND, "V2.3", rng)
    }

    /// Adds the proof's four equations to a batch as one item.
    pub fn add_to_batch(
        &self,
        context: &Transcript,
        key: &Point,
        key_base: SharedBase,
        ct: &Ciphertext,
        batch: &mut BatchVerifier,
        index: u32,
    ) -> Result<()> {
        self.0.add_to_batch(context, labels::DS_BIT, &statement(key, ct), key_base, batch, BIT_KIND, index)
    }

    /// The 224-byte encoding.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(BIT_PROOF_LEN);
        self.0.write(&mut out);
        out
    }

    /// Decodes the 224-byte encoding.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let mut r = Reader::new("bit proof", bytes);
        let p = Self::read(&mut r)?;
        r.finish()?;
        Ok(p)
    }

    pub(crate) fn read(r: &mut Reader<'_>) -> Result<Self> {
        Ok(Self(DisjunctiveProof::read(r, 2)?))
    }

    pub(crate) fn write(&self, out: &mut Vec<u8>) {
        self.0.write(out);
    }

    /// The underlying disjunctive proof.
    pub fn inner(&self) -> &DisjunctiveProof {
        &self.0
    }
}

hex_serde!(BitProof);
