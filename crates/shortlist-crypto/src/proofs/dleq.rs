//! Chaum–Pedersen proof of equality of discrete logs (spec: §5.2): knowledge
//! of `x` with `X₁ = x·B₀` and `X₂ = x·H`.
//!
//! Transcript (after the caller's context): `dom-sep "chaum-pedersen"`, `H`,
//! `X₁`, `X₂`, `R₁`, `R₂`, then `c`. Verification (spec: V2.2):
//! `z·B₀ = R₁ + c·X₁` and `z·H = R₂ + c·X₂`. The prover's hedged nonce is
//! drawn after `X₂`, before `R₁` (spec: §4.6).

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

/// The public statement: `X₁ = x·B₀`, `X₂ = x·H`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DleqStatement {
    /// The second base `H`.
    pub base: Point,
    /// `X₁ = x·B₀`.
    pub image_g: Point,
    /// `X₂ = x·H`.
    pub image_h: Point,
}

/// A Chaum–Pedersen proof `R₁ ‖ R₂ ‖ z`, 96 bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DleqProof {
    /// `R₁ = w·B₀`.
    pub commitment_g: Point,
    /// `R₂ = w·H`.
    pub commitment_h: Point,
    /// `z = w + c·x`.
    pub response: Scalar,
}

/// Length of a Chaum–Pedersen proof encoding.
pub const DLEQ_LEN: usize = 96;

/// `context ‖ dom-sep "chaum-pedersen" ‖ H ‖ X₁ ‖ X₂`: the statement, absorbed
/// the same way by prover and verifier (spec: §5.2).
fn statement_transcript(context: &Transcript, st: &DleqStatement) -> StatementTranscript {
    StatementTranscript::new(context, labels::DS_DLEQ, |t| {
        t.append_point(labels::STMT_BASE2, &st.base);
        t.append_point(labels::STMT_IMAGE1, &st.image_g);
        t.append_point(labels::STMT_IMAGE2, &st.image_h);
    })
}

impl DleqProof {
    /// Proves `log_B₀ X₁ = log_H X₂ = secret`, bound to `context`.
    pub fn prove(
        context: &Transcript,
        statement: &DleqStatement,
        secret: &SecretScalar,
        rng: &mut impl CryptoRngCore,
    ) -> Result<Self> {
        let st = statement_transcript(context, statement);
        // spec: §4.6 — the hedge is built after the whole statement.
        let [w] = st.hedged_nonces::<1>(&[secret.expose_secret()], rng);
        let w = w.expose_secret();
        let commitment_g = Point::from_point(w * RISTRETTO_BASEPOINT_TABLE);
        let commitment_h = Point::from_point(w * statement.base.point());
        let c = st.challenge(&[(labels::COMMIT_R1, &commitment_g), (labels::COMMIT_R2, &commitment_h)]);
        let proof = Self { commitment_g, commitment_h, response: w + c * secret.expose_secret() };
        proof.verify(context, statement, rng)?;
        Ok(proof)
    }

    /// Verifies the proof alone (spec: V2.2).
    pub fn verify(
        &self,
        context: &Transcript,
        statement: &DleqStatement,
        rng: &mut impl CryptoRngCore,
    ) -> Result<()> {
        let mut batch = BatchVerifier::new(rng);
        self.add_to_batch(context, statement, &mut batch, 0);
        batch.verify().map_err(|_| CryptoError::ProofFailed {
            step: "V2.2",
            proof: "Chaum–Pedersen",
            context: None,
        })
    }

    /// Adds the two equations to a batch as one item.
    pub fn add_to_batch(
        &self,
        context: &Transcript,
        st: &DleqStatement,
        batch: &mut BatchVerifier,
        index: u32,
    ) {
        let c = statement_transcript(context, st)
            .challenge(&[(labels::COMMIT_R1, &self.commitment_g), (labels::COMMIT_R2, &self.commitment_h)]);
        let mut item = batch.item("chaum-pedersen", index);
        item.equation();
        // Negated (spec: §5.5): the commitments keep 128-bit coefficients.
        item.shared(GENERATOR, -self.response);
        item.term(Scalar::ONE, self.commitment_g.point());
        item.term(c, st.image_g.point());
        item.equation();
        item.term(-self.response, st.base.point());
        item.term(Scalar::ONE, self.commitment_h.point());
        item.term(c, st.image_h.point());
    }

    /// `R₁ ‖ R₂ ‖ z`.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(DLEQ_LEN);
        out.put_point(&self.commitment_g);
        out.put_point(&self.commitment_h);
        out.put_scalar(&self.response);
        out
    }

    /// Decodes `R₁ ‖ R₂ ‖ z`.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let mut r = Reader::new("Chaum–Pedersen proof", bytes);
        let p = Self::read(&mut r)?;
        r.finish()?;
        Ok(p)
    }

    pub(crate) fn read(r: &mut Reader<'_>) -> Result<Self> {
        Ok(Self { commitment_g: r.point()?, commitment_h: r.point()?, response: r.scalar()? })
    }
}

hex_serde!(DleqProof);
