//! Dealerless threshold key generation (spec: §6), Pedersen-style.
//!
//! 1. Each trustee `i` picks a random polynomial `f_i` of degree `t − 1` and a
//!    share-encryption key `e_i`, and publishes a [`CommitmentMessage`]:
//!    Feldman commitments `C_{i,k} = a_{i,k}·B₀`, `E_i = e_i·B₀`, and Schnorr
//!    proofs of knowledge of `a_{i,0}` and `e_i`.
//! 2. Each trustee sends `f_i(j)` to every other trustee `j`, encrypted to `E_j`
//!    ([`transport`]).
//! 3. Each recipient checks `f_i(j)·B₀ = Σ_k j^k·C_{i,k}`; a bad share gets a
//!    [`transport::Complaint`] that anyone can adjudicate.
//! 4. Over the qualified set `Q`, the joint key is `K = Σ_{i∈Q} C_{i,0}`, the
//!    share of `j` is `s_j = Σ_{i∈Q} f_i(j)` and its verification key
//!    `VK_j = Σ_k j^k·(Σ_{i∈Q} C_{i,k})`.

pub mod transport;

use alloc::vec::Vec;

use curve25519_dalek::constants::RISTRETTO_BASEPOINT_TABLE;
use curve25519_dalek::ristretto::RistrettoPoint;
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::{Identity, VartimeMultiscalarMul};
use merlin::Transcript;
use rand_core::CryptoRngCore;
use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::batch::BatchVerifier;
use crate::error::{CryptoError, Result};
use crate::labels;
use crate::proofs::schnorr::SchnorrProof;
use crate::secret::SecretScalar;
use crate::threshold::KeyShare;
use crate::transcript::{protocol_transcript, Hash32, TranscriptExt};
use crate::wire::{hex_serde, Point, Reader, WriteExt, WIRE_VERSION};

/// The most trustees a ceremony may have (spec: §6.1).
pub const MAX_TRUSTEES: u16 = 256;

/// The public parameters of a key ceremony (spec: §6.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CeremonyParams {
    /// The manifest hash that names the poll.
    pub manifest_hash: Hash32,
    /// The number of trustees `n`.
    pub n: u16,
    /// The threshold `t`: any `t` shares decrypt, fewer learn nothing.
    pub t: u16,
}

impl CeremonyParams {
    /// Checks `1 ≤ t ≤ n ≤ MAX_TRUSTEES` (spec: V5.0).
    pub fn validate(&self) -> Result<()> {
        if self.t == 0 || self.t > self.n || self.n > MAX_TRUSTEES {
            return Err(CryptoError::InvalidParameters {
                step: "V5.0",
                reason: alloc::format!("need 1 ≤ t ≤ n ≤ {MAX_TRUSTEES}, got t = {}, n = {}", self.t, self.n),
            });
        }
        Ok(())
    }

    /// Checks that `index` names a trustee, `1 ≤ index ≤ n`.
    pub fn check_index(&self, step: &'static str, index: u16) -> Result<()> {
        if index == 0 || index > self.n {
            return Err(CryptoError::BadTrusteeIndex { step, index, reason: "not in 1..=n" });
        }
        Ok(())
    }

    /// The ceremony transcript every ceremony proof forks from (spec: §4.4).
    pub(crate) fn transcript(&self) -> Transcript {
        let mut t = protocol_transcript();
        t.domain_sep(labels::DS_CEREMONY);
        t.append_hash(labels::MANIFEST, &self.manifest_hash);
        t.append_int(labels::TRUSTEES_N, u64::from(self.n));
        t.append_int(labels::THRESHOLD_T, u64::from(self.t));
        t
    }
}

/// A trustee's ceremony secrets: its polynomial and share-encryption key.
///
/// # Security
/// Zeroized on drop, redacted in `Debug`, never serialized. Keep only until the
/// ceremony is finished; what the trustee keeps afterwards is its [`KeyShare`].
#[derive(Zeroize, ZeroizeOnDrop)]
pub struct TrusteeSecrets {
    #[zeroize(skip)]
    index: u16,
    coefficients: Vec<SecretScalar>,
    encryption_secret: SecretScalar,
}

impl core::fmt::Debug for TrusteeSecrets {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "TrusteeSecrets {{ index: {}, .. <redacted> }}", self.index)
    }
}

/// A trustee's round-one message (spec: §6.2).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommitmentMessage {
    /// The trustee's index `i`.
    pub trustee: u16,
    /// Feldman commitments `C_{i,k} = a_{i,k}·B₀`, `k = 0..t`.
    pub coefficients: Vec<Point>,
    /// Proof of knowledge of `a_{i,0}`.
    pub coefficient_proof: SchnorrProof,
    /// The share-encryption key `E_i = e_i·B₀`.
    pub encryption_key: Point,
    /// Proof of knowledge of `e_i`.
    pub encryption_key_proof: SchnorrProof,
}

/// The transcript of trustee `i`'s round-one proofs: they bind all its commitments.
fn commitment_transcript(
    params: &CeremonyParams,
    trustee: u16,
    coefficients: &[Point],
    enc_key: &Point,
) -> Transcript {
    let mut t = params.transcript();
    t.append_int(labels::TRUSTEE, u64::from(trustee));
    t.append_int(labels::COUNT, coefficients.len() as u64);
    for c in coefficients {
        t.append_point(labels::STMT_COEFF, c);
    }
    t.append_point(labels::STMT_ENC_KEY, enc_key);
    t
}

/// Round one for trustee `index`: draws the polynomial and encryption key and
/// makes the commitment message (spec: §6.2).
pub fn start(
    params: &CeremonyParams,
    index: u16,
    rng: &mut impl CryptoRngCore,
) -> Result<(TrusteeSecrets, CommitmentMessage)> {
    params.validate()?;
    params.check_index("V5.1", index)?;
    let coefficients: Vec<SecretScalar> = (0..params.t).map(|_| SecretScalar::random(rng)).collect();
    let encryption_secret = SecretScalar::random(rng);
    let commitments: Vec<Point> = coefficients
        .iter()
        .map(|a| Point::from_point(a.expose_secret() * RISTRETTO_BASEPOINT_TABLE))
        .collect();
    let encryption_key = Point::from_point(encryption_secret.expose_secret() * RISTRETTO_BASEPOINT_TABLE);
    let t = commitment_transcript(params, index, &commitments, &encryption_key);
    let (Some(c0), Some(a0)) = (commitments.first(), coefficients.first()) else {
        return Err(CryptoError::InvalidParameters { step: "V5.0", reason: "t must be at least 1".into() });
    };
    let coefficient_proof = SchnorrProof::prove(&t.fork(0), c0, a0, rng)?;
    let encryption_key_proof = SchnorrProof::prove(&t.fork(1), &encryption_key, &encryption_secret, rng)?;
    let msg = CommitmentMessage {
        trustee: index,
        coefficients: commitments,
        coefficient_proof,
        encryption_key,
        encryption_key_proof,
    };
    Ok((TrusteeSecrets { index, coefficients, encryption_secret }, msg))
}

impl CommitmentMessage {
    /// Checks the message: index, `t` commitments, no identity in `C_{i,0}` or
    /// `E_i`, and both proofs of knowledge (spec: V5.1).
    pub fn verify(&self, params: &CeremonyParams, rng: &mut impl CryptoRngCore) -> Result<()> {
        params.validate()?;
        params.check_index("V5.1", self.trustee)?;
        if self.coefficients.len() != usize::from(params.t) {
            return Err(CryptoError::InvalidParameters {
                step: "V5.1",
                reason: alloc::format!(
                    "trustee {} committed to {} coefficients, expected t = {}",
                    self.trustee,
                    self.coefficients.len(),
                    params.t
                ),
            });
        }
        let c0 = self
            .coefficients
            .first()
            .ok_or(CryptoError::IdentityPoint { what: "commitment C_0" })?
            .require_nonidentity("commitment C_0")?;
        self.encryption_key.require_nonidentity("share-encryption key")?;
        let t = commitment_transcript(params, self.trustee, &self.coefficients, &self.encryption_key);
        let mut batch = BatchVerifier::new(rng);
        batch.set_tag(u64::from(self.trustee));
        self.coefficient_proof.add_to_batch(&t.fork(0), &c0, &mut batch, 0);
        self.encryption_key_proof.add_to_batch(&t.fork(1), &self.encryption_key, &mut batch, 1);
        batch.verify().map_err(|_| CryptoError::ProofFailed {
            step: "V5.1",
            proof: "Schnorr",
            context: Some(alloc::format!("commitment message of trustee {}", self.trustee)),
        })
    }

    /// `Σ_k j^k·C_{i,k}`: what `f_i(j)·B₀` must equal (spec: V5.4).
    pub fn expected_share_image(&self, j: u16) -> RistrettoPoint {
        evaluate_commitments(&self.coefficients, j)
    }

    /// Encoding: `version ‖ u16 trustee ‖ u16 t ‖ t points ‖ π_C ‖ E ‖ π_E`.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(5 + 32 * self.coefficients.len() + 160);
        out.push(WIRE_VERSION);
        out.put_u16(self.trustee);
        out.put_u16(u16::try_from(self.coefficients.len()).unwrap_or(u16::MAX));
        for c in &self.coefficients {
            out.put_point(c);
        }
        out.extend_from_slice(&self.coefficient_proof.to_bytes());
        out.put_point(&self.encryption_key);
        out.extend_from_slice(&self.encryption_key_proof.to_bytes());
        out
    }

    /// Decodes a commitment message.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let mut r = Reader::new("commitment message", bytes);
        r.version()?;
        let trustee = r.u16()?;
        let t = r.u16()?;
        if t == 0 || t > MAX_TRUSTEES {
            return Err(CryptoError::Malformed {
                what: "commitment message",
                reason: "threshold out of range",
            });
        }
        let mut coefficients = Vec::with_capacity(usize::from(t));
        for _ in 0..t {
            coefficients.push(r.point()?);
        }
        let coefficient_proof = SchnorrProof::read(&mut r)?;
        let encryption_key = r.point()?;
        let encryption_key_proof = SchnorrProof::read(&mut r)?;
        r.finish()?;
        Ok(Self { trustee, coefficients, coefficient_proof, encryption_key, encryption_key_proof })
    }
}

hex_serde!(CommitmentMessage);

impl TrusteeSecrets {
    /// The secrets as bytes, for the trustee's own encrypted key file:
    /// `u16 index ‖ u16 t ‖ t × scalar ‖ scalar`.
    ///
    /// # Security
    /// The bytes are the trustee's ceremony secrets: store them only
    /// encrypted, on the trustee's machine. They are wiped when dropped.
    pub fn expose_to_bytes(&self) -> zeroize::Zeroizing<Vec<u8>> {
        let mut out = zeroize::Zeroizing::new(Vec::with_capacity(4 + 32 * (self.coefficients.len() + 1)));
        out.extend_from_slice(&self.index.to_be_bytes());
        let t = u16::try_from(self.coefficients.len()).unwrap_or(u16::MAX);
        out.extend_from_slice(&t.to_be_bytes());
        for c in &self.coefficients {
            out.extend_from_slice(c.expose_secret().as_bytes());
        }
        out.extend_from_slice(self.encryption_secret.expose_secret().as_bytes());
        out
    }

    /// Reads what [`Self::expose_to_bytes`] wrote; canonical scalars only.
    pub fn from_secret_bytes(bytes: &[u8]) -> Result<Self> {
        let mut r = crate::wire::Reader::new("trustee secrets", bytes);
        let index = r.u16()?;
        let t = r.u16()?;
        if index == 0 || t == 0 {
            return Err(CryptoError::Malformed {
                what: "trustee secrets",
                reason: "index and t must be at least 1",
            });
        }
        let mut coefficients = Vec::with_capacity(usize::from(t));
        for _ in 0..t {
            coefficients.push(SecretScalar::new(r.scalar()?));
        }
        let encryption_secret = SecretScalar::new(r.scalar()?);
        r.finish()?;
        Ok(Self { index, coefficients, encryption_secret })
    }

    /// The trustee's index.
    pub fn index(&self) -> u16 {
        self.index
    }

    /// `f_i(j)`, evaluated by Horner's rule.
    fn evaluate(&self, j: u16) -> SecretScalar {
        let x = Scalar::from(j);
        let mut acc = Scalar::ZERO;
        for a in self.coefficients.iter().rev() {
            acc = acc * x + a.expose_secret();
        }
        SecretScalar::new(acc)
    }

    /// Finishes the ceremony: `s_j = Σ_{i∈Q} f_i(j)` from this trustee's own
    /// polynomial and the valid shares `received` from the other members of
    /// the qualified set `qualified`. Checks `s_j·B₀ = VK_j` (spec: V5.6).
    pub fn finish(
        &self,
        params: &CeremonyParams,
        public: &GroupPublic,
        qualified: &[u16],
        received: &[(u16, SecretScalar)],
    ) -> Result<KeyShare> {
        let mut sum = Scalar::ZERO;
        for q in qualified {
            if *q == self.index {
                sum += self.evaluate(self.index).expose_secret();
            } else {
                let (_, s) = received.iter().find(|(from, _)| from == q).ok_or(CryptoError::BadShare {
                    sender: *q,
                    recipient: self.index,
                    reason: "no valid share from this qualified trustee",
                })?;
                sum += s.expose_secret();
            }
        }
        params.check_index("V5.6", self.index)?;
        let share = KeyShare::new(self.index, SecretScalar::new(sum));
        if share.verification_key() != public.verification_key(self.index) {
            return Err(CryptoError::InvalidParameters {
                step: "V5.6",
                reason: "the summed share does not match the trustee's verification key".into(),
            });
        }
        Ok(share)
    }
}

/// The public outcome of a ceremony over the qualified set (spec: §6.5):
/// the joint key and the summed commitments that give each trustee's
/// verification key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupPublic {
    /// The joint election key `K = Σ_{i∈Q} C_{i,0}`.
    pub joint_key: Point,
    /// `S_k = Σ_{i∈Q} C_{i,k}` for `k = 0..t`.
    pub coefficients: Vec<Point>,
}

impl GroupPublic {
    /// Derives the joint key and summed commitments from the qualified
    /// trustees' commitment messages (spec: V5.6).
    pub fn derive(params: &CeremonyParams, qualified: &[&CommitmentMessage]) -> Result<Self> {
        params.validate()?;
        if qualified.len() < usize::from(params.t) {
            return Err(CryptoError::InvalidParameters {
                step: "V5.6",
                reason: alloc::format!(
                    "only {} qualified trustees, fewer than t = {}",
                    qualified.len(),
                    params.t
                ),
            });
        }
        let mut seen: Vec<u16> = Vec::with_capacity(qualified.len());
        let mut sums = alloc::vec![RistrettoPoint::identity(); usize::from(params.t)];
        for msg in qualified {
            params.check_index("V5.6", msg.trustee)?;
            if seen.contains(&msg.trustee) {
                return Err(CryptoError::BadTrusteeIndex {
                    step: "V5.6",
                    index: msg.trustee,
                    reason: "repeated",
                });
            }
            seen.push(msg.trustee);
            if msg.coefficients.len() != sums.len() {
                return Err(CryptoError::InvalidParameters {
                    step: "V5.6",
                    reason: alloc::format!("trustee {} has the wrong number of commitments", msg.trustee),
                });
            }
            for (s, c) in sums.iter_mut().zip(&msg.coefficients) {
                *s += c.point();
            }
        }
        let coefficients: Vec<Point> = sums.into_iter().map(Point::from_point).collect();
        let joint_key = coefficients
            .first()
            .copied()
            .ok_or(CryptoError::IdentityPoint { what: "joint key" })?
            .require_nonidentity("joint key")?;
        Ok(Self { joint_key, coefficients })
    }

    /// `VK_j = Σ_k j^k·S_k`.
    pub fn verification_key(&self, j: u16) -> Point {
        Point::from_point(evaluate_commitments(&self.coefficients, j))
    }
}

/// `Σ_k j^k·P_k`: a committed polynomial evaluated "in the exponent" at `j`.
fn evaluate_commitments(coefficients: &[Point], j: u16) -> RistrettoPoint {
    let x = Scalar::from(j);
    let mut pow = Scalar::ONE;
    let mut powers = Vec::with_capacity(coefficients.len());
    for _ in coefficients {
        powers.push(pow);
        pow *= x;
    }
    RistrettoPoint::vartime_multiscalar_mul(powers, coefficients.iter().map(|c| *c.point()))
}
