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
use subtle::{Choice, ConditionallySelectable, ConstantTimeGreater};
use zeroize::Zeroize;

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

/// A disjunctive proof prepared before the value is known (spec: §5.3).
///
/// Position 0 holds the *real* set `(a, b) = (w·B₀, w·K)`; positions
/// `1..k` hold *simulated* sets `(t·B₀, t·K + u·B₀)` with random `t`, `u`.
/// Everything here is independent of the plaintext: [`Prepared::place`] then
/// moves the real set to the plaintext's position with constant-time swaps,
/// and [`respond`] derives each simulated challenge as `c_v = u_v / (v − m)`,
/// so no step branches on the secret.
///
/// # Security
/// Holds nonces; they are zeroized on drop.
pub(crate) struct Prepared {
    nonces: Vec<SecretScalar>,
    shifts: Vec<SecretScalar>,
    real: Vec<u8>,
    commitments: Vec<(Point, Point)>,
}

impl Drop for Prepared {
    fn drop(&mut self) {
        self.real.zeroize();
    }
}

/// The secrets of a preparation, before its points are compressed.
pub(crate) struct PreparedSecrets {
    nonces: Vec<SecretScalar>,
    shifts: Vec<SecretScalar>,
}

/// Draws the secrets of a `k`-branch proof and appends its `2k` halved
/// commitments to `halves` (`2 + 3(k − 1)` fixed-base multiplications).
pub(crate) fn prepare_halves(
    enc: &Encrypter,
    k: usize,
    halves: &mut Vec<RistrettoPoint>,
    rng: &mut impl CryptoRngCore,
) -> PreparedSecrets {
    let mut nonces = Vec::with_capacity(k);
    let mut shifts = Vec::with_capacity(k);
    for i in 0..k {
        let t = SecretScalar::random(rng);
        if i == 0 {
            halves.push(enc.half_g(t.expose_secret()));
            halves.push(enc.half_k(t.expose_secret()));
            shifts.push(SecretScalar::new(Scalar::ZERO));
        } else {
            let u = SecretScalar::random(rng);
            halves.push(enc.half_g(t.expose_secret()));
            halves.push(enc.half_combo(u.expose_secret(), t.expose_secret()));
            shifts.push(u);
        }
        nonces.push(t);
    }
    PreparedSecrets { nonces, shifts }
}

impl PreparedSecrets {
    /// Attaches the compressed commitments (in the order of `prepare_halves`).
    pub(crate) fn with_commitments(self, points: &[Point]) -> Prepared {
        let k = self.nonces.len();
        let mut real = alloc::vec![0u8; k];
        if let Some(first) = real.first_mut() {
            *first = 1;
        }
        Prepared { nonces: self.nonces, shifts: self.shifts, real, commitments: pairs(points) }
    }
}

impl Prepared {
    /// Moves the real set to position `index` (= `m − lo`) in constant time,
    /// keeping the simulated sets in order: a pass of conditional swaps.
    pub(crate) fn place(&mut self, index: u16) {
        for i in 1..self.nonces.len() {
            let after = u16::try_from(i - 1).unwrap_or(u16::MAX);
            let swap = index.ct_gt(&after);
            if let (Some([n0, n1]), Some([s0, s1]), Some([r0, r1]), Some([(a0, b0), (a1, b1)])) = (
                self.nonces.get_mut(i - 1..=i),
                self.shifts.get_mut(i - 1..=i),
                self.real.get_mut(i - 1..=i),
                self.commitments.get_mut(i - 1..=i),
            ) {
                SecretScalar::ct_swap(n0, n1, swap);
                SecretScalar::ct_swap(s0, s1, swap);
                u8::conditional_swap(r0, r1, swap);
                Point::ct_swap(a0, a1, swap);
                Point::ct_swap(b0, b1, swap);
            }
        }
    }

    /// Appends `v − m` for every position, with 1 at the real one, so that the
    /// caller can invert them all at once (`Scalar::batch_invert`).
    pub(crate) fn denominators(&self, lo: u16, m: u16, out: &mut Vec<Scalar>) {
        let m = Scalar::from(m);
        for (v, real) in (u64::from(lo)..).zip(&self.real) {
            let d = Scalar::from(v) - m;
            out.push(Scalar::conditional_select(&d, &Scalar::ONE, Choice::from(*real)));
        }
    }
}

/// Answers the challenge (spec: §5.3). `inverses` are the inverted
/// [`Prepared::denominators`], in the same order.
pub(crate) fn respond(
    context: &Transcript,
    domain: &'static [u8],
    st: &DisjunctiveStatement<'_>,
    prepared: &Prepared,
    inverses: &[Scalar],
    r: &SecretScalar,
) -> DisjunctiveProof {
    let c = challenge(context, domain, st, &prepared.commitments);
    let simulated: Vec<Scalar> =
        prepared.shifts.iter().zip(inverses).map(|(u, inv)| u.expose_secret() * inv).collect();
    // The real set's shift is 0, so the sum is over the simulated challenges.
    let c_real = c - simulated.iter().sum::<Scalar>();
    let r = r.expose_secret();
    let mut challenges = Vec::with_capacity(simulated.len());
    let mut responses = Vec::with_capacity(simulated.len());
    for ((cv, t), real) in simulated.iter().zip(&prepared.nonces).zip(&prepared.real) {
        let cv = Scalar::conditional_select(cv, &c_real, Choice::from(*real));
        responses.push(t.expose_secret() + cv * r);
        challenges.push(cv);
    }
    challenges.pop();
    DisjunctiveProof { commitments: prepared.commitments.clone(), challenges, responses }
}

impl DisjunctiveProof {
    /// Proves `st` for plaintext `m` and randomness `r` (prepare, place, respond).
    pub(crate) fn prove(
        context: &Transcript,
        domain: &'static [u8],
        enc: &Encrypter,
        st: &DisjunctiveStatement<'_>,
        m: u16,
        r: &SecretScalar,
        rng: &mut impl CryptoRngCore,
    ) -> Result<Self> {
        let k = st.branches()?;
        if m < st.lo || m > st.hi {
            return Err(CryptoError::InvalidSelection {
                reason: alloc::format!("value {m} is outside [{}, {}]", st.lo, st.hi),
            });
        }
        let mut halves = Vec::with_capacity(2 * k);
        let secrets = prepare_halves(enc, k, &mut halves, rng);
        let mut prepared = secrets.with_commitments(&crate::elgamal::finish_halves(&halves));
        prepared.place(m - st.lo);
        let mut inverses = Vec::with_capacity(k);
        prepared.denominators(st.lo, m, &mut inverses);
        Scalar::batch_invert(&mut inverses);
        Ok(respond(context, domain, st, &prepared, &inverses, r))
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
            // Each equation negated (spec: §5.5): a commitment's coefficient
            // is its bare 128-bit weight, not the full-size ℓ − ω.
            g -= wa * z + wb * cv * Scalar::from(v);
            key -= wb * z;
            ca += wa * cv;
            cb += wb * cv;
            item.raw_term(wa, a.point());
            item.raw_term(wb, b.point());
        }
        item.raw_shared(GENERATOR, g);
        item.raw_shared(key_base, key);
        item.raw_term(ca, st.ciphertext.a.point());
        item.raw_term(cb, st.ciphertext.b.point());
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
