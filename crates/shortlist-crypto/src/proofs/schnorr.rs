//! Schnorr proof of knowledge of `x` with `X = x·B₀` (spec: §5.1).
//!
//! Transcript (after the caller's context): `dom-sep "schnorr-pok"`, `X`, `R`,
//! then the challenge `c`. Verification: `z·B₀ = R + c·X` (spec: V2.1).
//! The prover's hedged nonce is drawn after `X`, before `R` (spec: §4.6).

use alloc::vec::Vec;

use curve25519_dalek::constants::RISTRETTO_BASEPOINT_TABLE;
use curve25519_dalek::scalar::Scalar;
use merlin::Transcript;
use rand_core::CryptoRngCore;

use crate::batch::{BatchVerifier, GENERATOR};
use crate::error::{CryptoError, Result};
use crate::labels;
use crate::secret::SecretScalar;
use crate::transcript::{StatementTranscript, TranscriptExt};
use crate::wire::{hex_serde, Point, Reader, WriteExt};

/// A Schnorr proof: commitment `R` and response `z`; 64 bytes `R ‖ z`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SchnorrProof {
    /// `R = w·B₀`.
    pub commitment: Point,
    /// `z = w + c·x`.
    pub response: Scalar,
}

/// Length of a Schnorr proof encoding.
pub const SCHNORR_LEN: usize = 64;

/// `context ‖ dom-sep "schnorr-pok" ‖ X`: the statement, absorbed the same
/// way by prover and verifier (spec: §5.1).
fn statement_transcript(context: &Transcript, key: &Point) -> StatementTranscript {
    StatementTranscript::new(context, labels::DS_SCHNORR, |t| t.append_point(labels::STMT_KEY, key))
}

impl SchnorrProof {
    /// Proves knowledge of `secret` for `key = secret·B₀`, bound to `context`.
    pub fn prove(
        context: &Transcript,
        key: &Point,
        secret: &SecretScalar,
        rng: &mut impl CryptoRngCore,
    ) -> Result<Self> {
        let st = statement_transcript(context, key);
        // spec: §4.6 — the hedge is built after the whole statement.
        let [w] = st.hedged_nonces::<1>(&[secret.expose_secret()], rng);
        let commitment = Point::from_point(w.expose_secret() * RISTRETTO_BASEPOINT_TABLE);
        let c = st.challenge(&[(labels::COMMIT_R, &commitment)]);
        let proof = Self { commitment, response: w.expose_secret() + c * secret.expose_secret() };
        // The prover checks its own output.
        proof.verify(context, key, rng)?;
        Ok(proof)
    }

    /// Verifies the proof alone (spec: V2.1).
    pub fn verify(&self, context: &Transcript, key: &Point, rng: &mut impl CryptoRngCore) -> Result<()> {
        let mut batch = BatchVerifier::new(rng);
        self.add_to_batch(context, key, &mut batch, 0);
        batch.verify().map_err(|_| CryptoError::ProofFailed { step: "V2.1", proof: "Schnorr", context: None })
    }

    /// Adds `z·B₀ − R − c·X = 0` to a batch as one item.
    pub fn add_to_batch(&self, context: &Transcript, key: &Point, batch: &mut BatchVerifier, index: u32) {
        let c = statement_transcript(context, key).challenge(&[(labels::COMMIT_R, &self.commitment)]);
        let mut item = batch.item("schnorr", index);
        item.equation();
        // Negated (spec: §5.5): the commitment keeps a 128-bit coefficient.
        item.shared(GENERATOR, -self.response);
        item.term(Scalar::ONE, self.commitment.point());
        item.term(c, key.point());
    }

    /// `R ‖ z`.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(SCHNORR_LEN);
        out.put_point(&self.commitment);
        out.put_scalar(&self.response);
        out
    }

    /// Decodes `R ‖ z`.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let mut r = Reader::new("Schnorr proof", bytes);
        let proof = Self::read(&mut r)?;
        r.finish()?;
        Ok(proof)
    }

    pub(crate) fn read(r: &mut Reader<'_>) -> Result<Self> {
        Ok(Self { commitment: r.point()?, response: r.scalar()? })
    }
}

hex_serde!(SchnorrProof);
