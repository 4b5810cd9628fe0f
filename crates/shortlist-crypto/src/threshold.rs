//! Threshold decryption (spec: §7): each trustee's partial decryption with a
//! Chaum–Pedersen proof, and their combination by Lagrange interpolation
//! from any `t` of the `n` key shares.

use alloc::vec::Vec;

use curve25519_dalek::constants::RISTRETTO_BASEPOINT_TABLE;
use curve25519_dalek::ristretto::RistrettoPoint;
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::VartimeMultiscalarMul;
use merlin::Transcript;
use rand_core::CryptoRngCore;

use crate::batch::BatchVerifier;
use crate::elgamal::Ciphertext;
use crate::error::{CryptoError, Result};
use crate::labels;
use crate::proofs::dleq::{DleqProof, DleqStatement};
use crate::secret::SecretScalar;
use crate::transcript::{ElectionContext, TranscriptExt};
use crate::wire::{hex_serde, Point, Reader, WriteExt, WIRE_VERSION};

/// The most ciphertexts one decryption share may cover.
pub const MAX_DECRYPTION_ITEMS: usize = 65_536;

/// A trustee's share `s_j` of the joint secret key, at index `j ≥ 1`.
///
/// # Security
/// The share is zeroized on drop and redacted in `Debug`; it never leaves the
/// trustee's machine.
#[derive(Clone, Debug)]
pub struct KeyShare {
    index: u16,
    secret: SecretScalar,
}

/// A trustee's partial decryptions `D_i = s_j·A_i` of a list of ciphertexts,
/// each with a Chaum–Pedersen proof that `log_B₀ VK_j = log_{A_i} D_i` (spec: §7.1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecryptionShare {
    /// The trustee's index `j`.
    pub trustee: u16,
    /// `D_i = s_j·A_i` for each ciphertext.
    pub partials: Vec<Point>,
    /// One proof per partial.
    pub proofs: Vec<DleqProof>,
}

fn share_transcript(ctx: &ElectionContext, trustee: u16, count: usize) -> Transcript {
    let mut t = ctx.transcript(labels::DS_DECRYPTION);
    t.append_int(labels::TRUSTEE, u64::from(trustee));
    t.append_int(labels::COUNT, count as u64);
    t
}

impl KeyShare {
    /// Wraps a trustee's index and secret share.
    pub fn new(index: u16, secret: SecretScalar) -> Self {
        Self { index, secret }
    }

    /// The trustee index `j`.
    pub fn index(&self) -> u16 {
        self.index
    }

    /// The secret share; callers must not log or store it unencrypted.
    pub fn expose_secret(&self) -> &SecretScalar {
        &self.secret
    }

    /// The verification key `VK_j = s_j·B₀`.
    pub fn verification_key(&self) -> Point {
        Point::from_point(self.secret.expose_secret() * RISTRETTO_BASEPOINT_TABLE)
    }

    /// Partially decrypts each ciphertext and proves it (spec: §7.1).
    pub fn decrypt(
        &self,
        ctx: &ElectionContext,
        ciphertexts: &[Ciphertext],
        rng: &mut impl CryptoRngCore,
    ) -> Result<DecryptionShare> {
        if ciphertexts.len() > MAX_DECRYPTION_ITEMS {
            return Err(CryptoError::InvalidParameters {
                step: "V6.2",
                reason: alloc::format!("at most {MAX_DECRYPTION_ITEMS} ciphertexts per share"),
            });
        }
        let vk = self.verification_key();
        let t = share_transcript(ctx, self.index, ciphertexts.len());
        let mut partials = Vec::with_capacity(ciphertexts.len());
        let mut proofs = Vec::with_capacity(ciphertexts.len());
        for (i, ct) in ciphertexts.iter().enumerate() {
            let d = Point::from_point(self.secret.expose_secret() * ct.a.point());
            let st = DleqStatement { base: ct.a, image_g: vk, image_h: d };
            proofs.push(DleqProof::prove(&t.fork(i as u64), &st, &self.secret, rng)?);
            partials.push(d);
        }
        Ok(DecryptionShare { trustee: self.index, partials, proofs })
    }
}

impl DecryptionShare {
    /// Adds every proof of the share to a batch (spec: V6.2).
    pub fn add_to_batch(
        &self,
        ctx: &ElectionContext,
        verification_key: &Point,
        ciphertexts: &[Ciphertext],
        batch: &mut BatchVerifier,
    ) -> Result<()> {
        if self.partials.len() != ciphertexts.len() || self.proofs.len() != ciphertexts.len() {
            return Err(CryptoError::InvalidParameters {
                step: "V6.2",
                reason: alloc::format!(
                    "trustee {} decrypted {} ciphertexts, expected {}",
                    self.trustee,
                    self.partials.len(),
                    ciphertexts.len()
                ),
            });
        }
        let t = share_transcript(ctx, self.trustee, ciphertexts.len());
        for (i, ((ct, d), proof)) in ciphertexts.iter().zip(&self.partials).zip(&self.proofs).enumerate() {
            let st = DleqStatement { base: ct.a, image_g: *verification_key, image_h: *d };
            proof.add_to_batch(&t.fork(i as u64), &st, batch, u32::try_from(i).unwrap_or(u32::MAX));
        }
        Ok(())
    }

    /// Verifies the whole share against the trustee's verification key (spec: V6.2).
    pub fn verify(
        &self,
        ctx: &ElectionContext,
        verification_key: &Point,
        ciphertexts: &[Ciphertext],
        rng: &mut impl CryptoRngCore,
    ) -> Result<()> {
        let mut batch = BatchVerifier::new(rng);
        batch.set_tag(u64::from(self.trustee));
        self.add_to_batch(ctx, verification_key, ciphertexts, &mut batch)?;
        batch.verify().map_err(|e| match e {
            CryptoError::BatchFailed { culprits } => CryptoError::ProofFailed {
                step: "V6.2",
                proof: "decryption share",
                context: Some(alloc::format!("trustee {}: {}", self.trustee, culprits.join(", "))),
            },
            other => other,
        })
    }

    /// Encoding: `version ‖ u16 trustee ‖ u32 count ‖ count × (D ‖ proof)`.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(7 + 128 * self.partials.len());
        out.push(WIRE_VERSION);
        out.put_u16(self.trustee);
        out.put_u32(u32::try_from(self.partials.len()).unwrap_or(u32::MAX));
        for (d, p) in self.partials.iter().zip(&self.proofs) {
            out.put_point(d);
            out.extend_from_slice(&p.to_bytes());
        }
        out
    }

    /// Decodes a decryption share.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let mut r = Reader::new("decryption share", bytes);
        r.version()?;
        let trustee = r.u16()?;
        let count = usize::try_from(r.u32()?).unwrap_or(usize::MAX);
        if count > MAX_DECRYPTION_ITEMS {
            return Err(CryptoError::Malformed { what: "decryption share", reason: "too many partials" });
        }
        // Reserve no more than the input can hold (128 bytes per item).
        let cap = count.min(r.remaining() / 128);
        let mut partials = Vec::with_capacity(cap);
        let mut proofs = Vec::with_capacity(cap);
        for _ in 0..count {
            partials.push(r.point()?);
            proofs.push(DleqProof::read(&mut r)?);
        }
        r.finish()?;
        Ok(Self { trustee, partials, proofs })
    }
}

hex_serde!(DecryptionShare);

/// The Lagrange coefficient at 0 of `j` over the index set `set` (spec: §7.3):
/// `λ_j = Π_{m ∈ set, m ≠ j} m / (m − j)`.
pub fn lagrange_at_zero(j: u16, set: &[u16]) -> Scalar {
    let mut num = Scalar::ONE;
    let mut den = Scalar::ONE;
    let sj = Scalar::from(j);
    for m in set.iter().filter(|m| **m != j) {
        let sm = Scalar::from(*m);
        num *= sm;
        den *= sm - sj;
    }
    num * den.invert()
}

/// Combines verified shares from at least `threshold` distinct trustees into
/// `mᵢ·B₀ = Bᵢ − Σ_j λ_j·D_{j,i}` for each ciphertext (spec: V6.3, V6.4).
pub fn combine(
    threshold: u16,
    ciphertexts: &[Ciphertext],
    shares: &[DecryptionShare],
) -> Result<Vec<RistrettoPoint>> {
    let mut set: Vec<u16> = Vec::with_capacity(shares.len());
    for s in shares {
        if s.trustee == 0 {
            return Err(CryptoError::BadTrusteeIndex {
                step: "V6.3",
                index: 0,
                reason: "indices start at 1",
            });
        }
        if set.contains(&s.trustee) {
            return Err(CryptoError::BadTrusteeIndex { step: "V6.3", index: s.trustee, reason: "repeated" });
        }
        if s.partials.len() != ciphertexts.len() {
            return Err(CryptoError::InvalidParameters {
                step: "V6.3",
                reason: alloc::format!("trustee {} has {} partials", s.trustee, s.partials.len()),
            });
        }
        set.push(s.trustee);
    }
    if set.len() < usize::from(threshold) || threshold == 0 {
        return Err(CryptoError::NotEnoughShares { threshold, got: set.len() });
    }
    let lambdas: Vec<Scalar> = set.iter().map(|j| lagrange_at_zero(*j, &set)).collect();
    let mut out = Vec::with_capacity(ciphertexts.len());
    for (i, ct) in ciphertexts.iter().enumerate() {
        // Lengths were checked above; collect so the MSM sees exact sizes.
        let partials: Vec<RistrettoPoint> =
            shares.iter().filter_map(|s| s.partials.get(i).map(|p| *p.point())).collect();
        if partials.len() != lambdas.len() {
            return Err(CryptoError::InvalidParameters { step: "V6.3", reason: "missing partial".into() });
        }
        let combined = RistrettoPoint::vartime_multiscalar_mul(lambdas.iter(), partials);
        out.push(ct.b.point() - combined);
    }
    Ok(out)
}
