//! Benaloh audits (spec: §8.4, board §4.7): the audited contest as posted,
//! the opening that reveals its selections and randomness, and the check
//! that an opening re-encrypts to the posted ciphertexts (V3.5).

use super::*;

/// An audited contest as posted (spec: §8.4, board §4.7): the contest id and
/// its ciphertexts, with no proof and no credential, so that an audit never
/// ties a choice to a member.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditedContest {
    /// The contest id.
    pub contest_id: u32,
    /// One ciphertext per candidate, in the definition's order.
    pub ciphertexts: Vec<Ciphertext>,
}

impl AuditedContest {
    /// Encoding: `version ‖ u32 contest ‖ u16 n ‖ n ciphertexts`.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(7 + self.ciphertexts.len() * CIPHERTEXT_LEN);
        out.push(WIRE_VERSION);
        out.put_u32(self.contest_id);
        out.put_u16(u16::try_from(self.ciphertexts.len()).unwrap_or(u16::MAX));
        for ct in &self.ciphertexts {
            ct.write(&mut out);
        }
        out
    }

    /// Decodes an audited contest.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let mut r = Reader::new("audited contest", bytes);
        r.version()?;
        let contest_id = r.u32()?;
        let n = r.u16()?;
        if n == 0 || n > MAX_CANDIDATES {
            return Err(CryptoError::Malformed {
                what: "audited contest",
                reason: "candidate count out of range",
            });
        }
        let mut ciphertexts = Vec::with_capacity(usize::from(n));
        for _ in 0..n {
            ciphertexts.push(Ciphertext { a: r.point()?, b: r.point()? });
        }
        r.finish()?;
        Ok(Self { contest_id, ciphertexts })
    }

    /// Checks that an opening reveals exactly these ciphertexts and a
    /// selection the contest allows (spec: V3.5, V3.1).
    pub fn check_opening(&self, shape: &ContestShape, key: &Point, opening: &ContestOpening) -> Result<()> {
        if self.contest_id != shape.contest_id || self.ciphertexts.len() != usize::from(shape.candidates) {
            return Err(CryptoError::InvalidParameters {
                step: "V3.1",
                reason: "the audited contest does not have the contest's id or size".into(),
            });
        }
        let total = opening.selections.iter().map(|s| u32::from(*s)).sum::<u32>();
        if total < u32::from(shape.min) || total > u32::from(shape.max) {
            return Err(CryptoError::InvalidSelection {
                reason: alloc::format!("{total} selections, allowed {} to {}", shape.min, shape.max),
            });
        }
        check_opening(self.contest_id, &self.ciphertexts, &self.to_bytes(), key, opening)
    }
}

hex_serde!(AuditedContest);

impl ContestSecrets {
    /// Reveals the selections and randomness for a Benaloh audit. The contest
    /// must then be spoiled, never cast.
    pub fn open(&self) -> ContestOpening {
        ContestOpening {
            contest_id: self.contest_id,
            selections: self.selections.clone(),
            randomness: self.randomness.iter().map(|r| *r.expose_secret()).collect(),
        }
    }
}

impl ContestOpening {
    /// Encoding: `version ‖ u32 contest ‖ u16 n ‖ n selection bytes ‖ n scalars`.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(7 + 33 * self.selections.len());
        out.push(WIRE_VERSION);
        out.put_u32(self.contest_id);
        out.put_u16(u16::try_from(self.selections.len()).unwrap_or(u16::MAX));
        out.extend_from_slice(&self.selections);
        for r in &self.randomness {
            out.put_scalar(r);
        }
        out
    }

    /// Decodes an opening; each selection byte must be 0 or 1.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let mut r = Reader::new("contest opening", bytes);
        r.version()?;
        let contest_id = r.u32()?;
        let n = r.u16()?;
        if n == 0 || n > MAX_CANDIDATES {
            return Err(CryptoError::Malformed {
                what: "contest opening",
                reason: "candidate count out of range",
            });
        }
        let n = usize::from(n);
        let selections = r.bytes(n)?.to_vec();
        if selections.iter().any(|s| *s > 1) {
            return Err(CryptoError::Malformed {
                what: "contest opening",
                reason: "a selection is not 0 or 1",
            });
        }
        let mut randomness = Vec::with_capacity(n);
        for _ in 0..n {
            randomness.push(r.scalar()?);
        }
        r.finish()?;
        Ok(Self { contest_id, selections, randomness })
    }
}

hex_serde!(ContestOpening);

/// Checks that `opening` re-encrypts to `ciphertexts` under `key` (spec:
/// V3.5); `public` is the encoding the batch weights are derived from.
pub(super) fn check_opening(
    contest_id: u32,
    ciphertexts: &[Ciphertext],
    public: &[u8],
    key: &Point,
    opening: &ContestOpening,
) -> Result<()> {
    let n = ciphertexts.len();
    if opening.contest_id != contest_id || opening.selections.len() != n || opening.randomness.len() != n {
        return Err(CryptoError::InvalidParameters {
            step: "V3.5",
            reason: "the opening does not match the contest's size or id".into(),
        });
    }
    if let Some(i) = opening.selections.iter().position(|s| *s > 1) {
        return Err(CryptoError::AuditMismatch { candidate: i });
    }
    // Fast path: one randomized multiscalar check of every
    // `r_i·B₀ = A_i` and `r_i·K + s_i·B₀ = B_i`.
    let weights = crate::transcript::public_weights(
        labels::DS_AUDIT,
        &[&key.to_bytes(), public, &opening.to_bytes()],
        2 * n,
    );
    let (mut g, mut k) = (Scalar::ZERO, Scalar::ZERO);
    let mut scalars = Vec::with_capacity(2 * n + 2);
    let mut points = Vec::with_capacity(2 * n + 2);
    for (((ct, s), r), w) in
        ciphertexts.iter().zip(&opening.selections).zip(&opening.randomness).zip(weights.chunks(2))
    {
        let (Some(wa), Some(wb)) = (w.first(), w.get(1)) else { break };
        g += wa * r + wb * Scalar::from(*s);
        k += wb * r;
        scalars.extend([-wa, -wb]);
        points.extend([*ct.a.point(), *ct.b.point()]);
    }
    scalars.extend([g, k]);
    points.extend([curve25519_dalek::constants::RISTRETTO_BASEPOINT_POINT, *key.point()]);
    if RistrettoPoint::vartime_multiscalar_mul(&scalars, &points).is_identity() {
        return Ok(());
    }
    // Slow path: find the first candidate that does not open.
    for (i, ((ct, s), r)) in ciphertexts.iter().zip(&opening.selections).zip(&opening.randomness).enumerate()
    {
        let expect = Ciphertext::encrypt(key, u64::from(*s), &SecretScalar::new(*r));
        if &expect != ct {
            return Err(CryptoError::AuditMismatch { candidate: i });
        }
    }
    Err(CryptoError::AuditMismatch { candidate: 0 })
}
