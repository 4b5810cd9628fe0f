//! The disjunctive Chaum–Pedersen proof that a ciphertext encrypts a value in
//! `[lo, hi]` (spec: §5.3): a Cramer–Damgård–Schoenmakers OR of one branch per
//! value. The 0-or-1 proof ([`super::bit`]) and the contest-total proof
//! ([`super::range`]) are its two instances, each with its own domain separator.
//!
//! For each value `v` the proof carries commitments `(a_v, b_v)`, a response
//! `z_v` and, for every `v < hi`, a challenge `c_v`; `c_hi = c − Σ c_v`.
//! Branch `v` holds when `z_v·B₀ = a_v + c_v·A` and
//! `z_v·K = b_v + c_v·(B − v·B₀)`.

use alloc::vec::Vec;

use curve25519_dalek::ristretto::RistrettoPoint;
use curve25519_dalek::scalar::Scalar;
use merlin::Transcript;
use rand_core::CryptoRngCore;

use crate::batch::{BatchVerifier, SharedBase, GENERATOR};
use crate::elgamal::{Ciphertext, Encrypter};
use crate::error::{CryptoError, Result};
use crate::labels;
use crate::secret::SecretScalar;
use crate::transcript::TranscriptExt;
use crate::wire::{Point, Reader, WriteExt};

/// The statement: `ct` encrypts, under `key`, some value in `lo..=hi`.
#[derive(Clone, Copy, Debug)]
pub struct DisjunctiveStatement<'a> {
    /// The encryption key `K`.
    pub key: &'a Point,
    /// The ciphertext `(A, B)`.
    pub ciphertext: &'a Ciphertext,
    /// The smallest allowed value.
    pub lo: u16,
    /// The largest allowed value.
    pub hi: u16,
}

impl DisjunctiveStatement<'_> {
    fn branches(&self) -> Result<usize> {
        if self.lo > self.hi {
            return Err(CryptoError::InvalidParameters {
                step: "V2.3",
                reason: alloc::format!("range [{}, {}] is empty", self.lo, self.hi),
            });
        }
        Ok(usize::from(self.hi - self.lo) + 1)
    }
}

/// A disjunctive proof with `k = hi − lo + 1` branches:
/// `k` pairs `(a_v, b_v)`, `k − 1` challenges and `k` responses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DisjunctiveProof {
    /// `(a_v, b_v)` for `v = lo..=hi`.
    pub commitments: Vec<(Point, Point)>,
    /// `c_v` for `v = lo..hi` (the last is derived).
    pub challenges: Vec<Scalar>,
    /// `z_v` for `v = lo..=hi`.
    pub responses: Vec<Scalar>,
}

/// Absorbs the statement and commitments and returns the challenge `c`.
fn challenge(
    context: &Transcript,
    domain: &'static [u8],
    st: &DisjunctiveStatement<'_>,
    commitments: &[(Point, Point)],
) -> Scalar {
    let mut t = context.clone();
    t.domain_sep(domain);
    t.append_int(labels::STMT_MIN, u64::from(st.lo));
    t.append_int(labels::STMT_MAX, u64::from(st.hi));
    t.append_point(labels::STMT_KEY, st.key);
    t.append_point(labels::STMT_CT_A, &st.ciphertext.a);
    t.append_point(labels::STMT_CT_B, &st.ciphertext.b);
    for (a, b) in commitments {
        t.append_point(labels::COMMIT_A, a);
        t.append_point(labels::COMMIT_B, b);
    }
    t.challenge_scalar(labels::CHALLENGE)
}

/// The prover's state between committing and answering.
///
/// # Security
/// Holds the nonces and the simulated branches' responses; zeroized on drop.
pub(crate) struct Pending {
    real: usize,
    nonce: SecretScalar,
    sim_challenges: Vec<Scalar>,
    sim_t: Vec<SecretScalar>,
}

/// Phase 1: returns the halved commitments `(a_v/2, b_v/2)` and the state.
///
/// With `A = r·B₀`, `B = m·B₀ + r·K`, a simulated branch `v ≠ m` takes random
/// `t_v`, `c_v` and sets `a_v = t_v·B₀`, `b_v = t_v·K + c_v·(v − m)·B₀`,
/// `z_v = t_v + c_v·r`; the real branch takes `a_m = w·B₀`, `b_m = w·K`.
pub(crate) fn commit(
    enc: &Encrypter,
    lo: u16,
    hi: u16,
    m: u16,
    rng: &mut impl CryptoRngCore,
) -> Result<(Vec<RistrettoPoint>, Pending)> {
    if m < lo || m > hi {
        return Err(CryptoError::InvalidSelection {
            reason: alloc::format!("value {m} is outside [{lo}, {hi}]"),
        });
    }
    let k = usize::from(hi - lo) + 1;
    let real = usize::from(m - lo);
    let nonce = SecretScalar::random(rng);
    let mut halves = Vec::with_capacity(2 * k);
    let mut sim_challenges = Vec::with_capacity(k);
    let mut sim_t = Vec::with_capacity(k);
    for (i, v) in (lo..=hi).enumerate() {
        if i == real {
            let w = nonce.expose_secret();
            halves.push(enc.half_g(w));
            halves.push(enc.half_k(w));
            sim_challenges.push(Scalar::ZERO);
            sim_t.push(SecretScalar::new(Scalar::ZERO));
        } else {
            let c = Scalar::random(rng);
            let t = SecretScalar::random(rng);
            let shift = Scalar::from(v) - Scalar::from(m);
            halves.push(enc.half_g(t.expose_secret()));
            halves.push(enc.half_combo(&(c * shift), t.expose_secret()));
            sim_challenges.push(c);
            sim_t.push(t);
        }
    }
    Ok((halves, Pending { real, nonce, sim_challenges, sim_t }))
}

/// Phase 2: given the compressed commitments, computes the challenge and responses.
pub(crate) fn respond(
    context: &Transcript,
    domain: &'static [u8],
    st: &DisjunctiveStatement<'_>,
    commitments: Vec<(Point, Point)>,
    pending: Pending,
    r: &SecretScalar,
) -> DisjunctiveProof {
    let c = challenge(context, domain, st, &commitments);
    let r = r.expose_secret();
    let sim_sum: Scalar = pending.sim_challenges.iter().sum();
    let mut challenges: Vec<Scalar> = pending.sim_challenges.clone();
    let c_real = c - sim_sum;
    let mut responses = Vec::with_capacity(challenges.len());
    for (i, (ci, t)) in challenges.iter_mut().zip(&pending.sim_t).enumerate() {
        if i == pending.real {
            *ci = c_real;
            responses.push(pending.nonce.expose_secret() + c_real * r);
        } else {
            responses.push(t.expose_secret() + *ci * r);
        }
    }
    challenges.pop();
    DisjunctiveProof { commitments, challenges, responses }
}

impl DisjunctiveProof {
    /// Proves `st` for plaintext `m` and randomness `r` (commit, compress, respond).
    pub(crate) fn prove(
        context: &Transcript,
        domain: &'static [u8],
        enc: &Encrypter,
        st: &DisjunctiveStatement<'_>,
        m: u16,
        r: &SecretScalar,
        rng: &mut impl CryptoRngCore,
    ) -> Result<Self> {
        st.branches()?;
        let (halves, pending) = commit(enc, st.lo, st.hi, m, rng)?;
        let pts = crate::elgamal::finish_halves(&halves);
        let commitments = pairs(&pts);
        Ok(respond(context, domain, st, commitments, pending, r))
    }

    /// Adds the proof's `2k` equations to a batch as one item (spec: V2.3).
    /// `key_base` is the batch's shared handle for `st.key`.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn add_to_batch(
        &self,
        context: &Transcript,
        domain: &'static [u8],
        st: &DisjunctiveStatement<'_>,
        key_base: SharedBase,
        batch: &mut BatchVerifier,
        kind: &'static str,
        index: u32,
    ) -> Result<()> {
        let k = st.branches()?;
        if self.commitments.len() != k || self.responses.len() != k || self.challenges.len() + 1 != k {
            return Err(CryptoError::Malformed { what: kind, reason: "wrong number of branches" });
        }
        let c = challenge(context, domain, st, &self.commitments);
        let last = c - self.challenges.iter().sum::<Scalar>();
        let mut item = batch.item(kind, index);
        let (mut g, mut key, mut ca, mut cb) = (Scalar::ZERO, Scalar::ZERO, Scalar::ZERO, Scalar::ZERO);
        let challenges = self.challenges.iter().chain(core::iter::once(&last));
        for (((v, (a, b)), z), cv) in
            (st.lo..=st.hi).zip(&self.commitments).zip(&self.responses).zip(challenges)
        {
            let wa = item.equation();
            let wb = item.equation();
            g += wa * z + wb * cv * Scalar::from(v);
            key += wb * z;
            ca += wa * cv;
            cb += wb * cv;
            item.raw_term(-wa, a.point());
            item.raw_term(-wb, b.point());
        }
        item.raw_shared(GENERATOR, g);
        item.raw_shared(key_base, key);
        item.raw_term(-ca, st.ciphertext.a.point());
        item.raw_term(-cb, st.ciphertext.b.point());
        Ok(())
    }

    /// Verifies the proof alone.
    pub(crate) fn verify(
        &self,
        context: &Transcript,
        domain: &'static [u8],
        st: &DisjunctiveStatement<'_>,
        kind: &'static str,
        step: &'static str,
        rng: &mut impl CryptoRngCore,
    ) -> Result<()> {
        let mut batch = BatchVerifier::new(rng);
        let key = batch.shared_base(st.key);
        self.add_to_batch(context, domain, st, key, &mut batch, kind, 0)?;
        batch.verify().map_err(|_| CryptoError::ProofFailed { step, proof: kind, context: None })
    }

    /// Number of bytes of a proof with `k` branches: `64k + 32(k−1) + 32k`.
    pub fn encoded_len(k: usize) -> usize {
        128 * k - 32
    }

    /// Writes `(a_v ‖ b_v)_v ‖ (c_v)_{v<hi} ‖ (z_v)_v`.
    pub(crate) fn write(&self, out: &mut Vec<u8>) {
        for (a, b) in &self.commitments {
            out.put_point(a);
            out.put_point(b);
        }
        for c in &self.challenges {
            out.put_scalar(c);
        }
        for z in &self.responses {
            out.put_scalar(z);
        }
    }

    /// Reads a proof of `k` branches.
    pub(crate) fn read(r: &mut Reader<'_>, k: usize) -> Result<Self> {
        let mut commitments = Vec::with_capacity(k);
        for _ in 0..k {
            commitments.push((r.point()?, r.point()?));
        }
        let mut challenges = Vec::with_capacity(k.saturating_sub(1));
        for _ in 1..k {
            challenges.push(r.scalar()?);
        }
        let mut responses = Vec::with_capacity(k);
        for _ in 0..k {
            responses.push(r.scalar()?);
        }
        Ok(Self { commitments, challenges, responses })
    }
}

/// Groups a flat list of points into `(a, b)` pairs.
pub(crate) fn pairs(pts: &[Point]) -> Vec<(Point, Point)> {
    pts.chunks_exact(2)
        .filter_map(|c| match c {
            [a, b] => Some((*a, *b)),
            _ => None,
        })
        .collect()
}
