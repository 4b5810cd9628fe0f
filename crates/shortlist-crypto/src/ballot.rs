//! Ballots (spec: §8): a contest's selection vector becomes one ciphertext
//! per candidate, a 0-or-1 proof for each and a range proof on their sum,
//! all bound to the election context, the contest id and the voter's
//! credential public key. Also the Benaloh audit: opening a prepared ballot.

use alloc::vec::Vec;

use curve25519_dalek::ristretto::RistrettoPoint;
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::{Identity, IsIdentity, VartimeMultiscalarMul};
use merlin::Transcript;
use rand_core::CryptoRngCore;
use subtle::Choice;
use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::batch::{BatchVerifier, SharedBase};
use crate::elgamal::{finish_halves, Ciphertext, Encrypter, CIPHERTEXT_LEN};
use crate::error::{CryptoError, Result};
use crate::labels;
use crate::proofs::bit::{BitProof, BIT_PROOF_LEN};
use crate::proofs::disjunctive::{self, DisjunctiveProof, DisjunctiveStatement};
use crate::proofs::range::RangeProof;
use crate::secret::SecretScalar;
use crate::transcript::{ElectionContext, Hash32, TranscriptExt};
use crate::wire::{hex_serde, Point, Reader, WriteExt, WIRE_VERSION};

mod audit;
use audit::check_opening;
pub use audit::AuditedContest;

/// The most candidates a contest may have (spec: §8.1).
pub const MAX_CANDIDATES: u16 = 1024;

/// The shape of a contest, from the ballot definition (spec: §8.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ContestShape {
    /// The contest's id in the ballot definition.
    pub contest_id: u32,
    /// The number of candidates.
    pub candidates: u16,
    /// The fewest selections a ballot may make.
    pub min: u16,
    /// The most selections a ballot may make.
    pub max: u16,
}

impl ContestShape {
    /// Checks `1 ≤ candidates ≤ MAX_CANDIDATES`, `min ≤ max ≤ candidates` and
    /// `max − min + 1 ≤ MAX_RANGE_BRANCHES` (spec: V3.1).
    pub fn validate(&self) -> Result<()> {
        if self.candidates == 0 || self.candidates > MAX_CANDIDATES {
            return Err(CryptoError::InvalidParameters {
                step: "V3.1",
                reason: alloc::format!(
                    "a contest needs 1 to {MAX_CANDIDATES} candidates, not {}",
                    self.candidates
                ),
            });
        }
        let branches = usize::from(self.max.saturating_sub(self.min)) + 1;
        if self.min > self.max
            || self.max > self.candidates
            || branches > crate::proofs::range::MAX_RANGE_BRANCHES
        {
            return Err(CryptoError::InvalidParameters {
                step: "V3.1",
                reason: alloc::format!(
                    "selection limits [{}, {}] do not fit {} candidates",
                    self.min,
                    self.max,
                    self.candidates
                ),
            });
        }
        Ok(())
    }
}

/// What a ballot is bound to: the election and the voter's credential key.
#[derive(Clone, Copy, Debug)]
pub struct BallotContext<'a> {
    /// The poll's manifest hash, definition hash and joint key.
    pub election: &'a ElectionContext,
    /// The voter's ed25519 credential public key (32 bytes).
    pub credential: &'a Hash32,
}

/// One contest of a ballot: ciphertexts, their 0-or-1 proofs and the range
/// proof of their sum (spec: §8.2).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EncryptedContest {
    /// The contest id.
    pub contest_id: u32,
    /// One ciphertext per candidate, in the definition's order.
    pub ciphertexts: Vec<Ciphertext>,
    /// One 0-or-1 proof per ciphertext.
    pub bit_proofs: Vec<BitProof>,
    /// The proof that the sum of the ciphertexts lies in `[min, max]`.
    pub range_proof: RangeProof,
}

/// The secrets of a prepared contest: the selections and the randomness.
///
/// # Security
/// Whoever holds these learns the vote. They are zeroized on drop and have no
/// `Debug` content and no `Serialize`; reveal them only to audit (spoil) the
/// ballot, through [`ContestSecrets::open`].
#[derive(Zeroize, ZeroizeOnDrop)]
pub struct ContestSecrets {
    contest_id: u32,
    selections: Vec<u8>,
    randomness: Vec<SecretScalar>,
}

impl core::fmt::Debug for ContestSecrets {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("ContestSecrets(<redacted>)")
    }
}

/// A revealed contest for a Benaloh audit: the selections and randomness
/// that open the ciphertexts (spec: §8.4). Public once revealed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContestOpening {
    /// The contest id.
    pub contest_id: u32,
    /// The claimed selections, 0 or 1 per candidate.
    pub selections: Vec<u8>,
    /// The ElGamal randomness of each ciphertext.
    pub randomness: Vec<Scalar>,
}

/// The transcript every proof of a contest forks from (spec: §4.3).
fn contest_transcript(ctx: &BallotContext<'_>, contest_id: u32, cts: &[Ciphertext]) -> Transcript {
    let mut t = ctx.election.transcript(labels::DS_BALLOT);
    t.append_int(labels::CONTEST, u64::from(contest_id));
    t.append_hash(labels::CREDENTIAL, ctx.credential);
    t.append_int(labels::COUNT, cts.len() as u64);
    for ct in cts {
        t.append_point(labels::STMT_CT_A, &ct.a);
        t.append_point(labels::STMT_CT_B, &ct.b);
    }
    t
}

fn sum_ciphertexts(cts: &[Ciphertext]) -> Ciphertext {
    Ciphertext::sum(cts)
}

/// A contest ballot prepared before the member chooses (spec: §8.3): every
/// scalar multiplication of encrypting and proving is independent of the
/// selections, so a booth runs [`EncryptedContest::prepare`] while the member
/// reads the ballot and [`PreparedContest::finish`] (no scalar multiplication,
/// no branch on the selections) once they choose.
///
/// # Security
/// Holds the ElGamal randomness and proof nonces: zeroized on drop, no
/// `Debug` content. Use it for one ballot only: `finish` consumes it.
pub struct PreparedContest {
    shape: ContestShape,
    key: Point,
    randomness: Vec<SecretScalar>,
    // A_i = r_i·B₀, and B_i for s_i = 0 and for s_i = 1.
    a: Vec<Point>,
    b_zero: Vec<Point>,
    b_one: Vec<Point>,
    bits: Vec<disjunctive::Prepared>,
    range: disjunctive::Prepared,
}

impl core::fmt::Debug for PreparedContest {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("PreparedContest(<redacted>)")
    }
}

impl EncryptedContest {
    /// Encrypts and proves a selection vector (spec: §8.3): [`Self::prepare`]
    /// then [`PreparedContest::finish`]. Returns the public contest and the
    /// secrets needed to audit it.
    pub fn encrypt(
        enc: &Encrypter,
        ctx: &BallotContext<'_>,
        shape: &ContestShape,
        selections: &[bool],
        rng: &mut impl CryptoRngCore,
    ) -> Result<(Self, ContestSecrets)> {
        Self::prepare(enc, shape, rng)?.finish(ctx, selections)
    }

    /// Does every scalar multiplication of a ballot for `shape` before the
    /// selections are known (spec: §8.3, steps 1–3).
    pub fn prepare(
        enc: &Encrypter,
        shape: &ContestShape,
        rng: &mut impl CryptoRngCore,
    ) -> Result<PreparedContest> {
        shape.validate()?;
        let n = usize::from(shape.candidates);
        let k = usize::from(shape.max - shape.min) + 1;
        let mut halves = Vec::with_capacity(7 * n + 2 * k);
        let mut randomness = Vec::with_capacity(n);
        let mut bit_secrets = Vec::with_capacity(n);
        for _ in 0..n {
            let r = SecretScalar::random(rng);
            let b_zero = enc.half_k(r.expose_secret());
            halves.push(enc.half_g(r.expose_secret()));
            halves.push(b_zero);
            halves.push(b_zero + enc.half_generator());
            randomness.push(r);
            bit_secrets.push(disjunctive::prepare_halves(enc, 2, &mut halves, rng));
        }
        let range_secrets = disjunctive::prepare_halves(enc, k, &mut halves, rng);
        // One batched compression for every point of the ballot.
        let points = finish_halves(&halves);
        let (mut a, mut b_zero, mut b_one) =
            (Vec::with_capacity(n), Vec::with_capacity(n), Vec::with_capacity(n));
        let mut bits = Vec::with_capacity(n);
        let mut chunks = points.chunks_exact(7);
        for secrets in bit_secrets {
            let Some([pa, p0, p1, commitments @ ..]) = chunks.next() else {
                return Err(CryptoError::InvalidParameters { step: "V3.1", reason: "point count".into() });
            };
            a.push(*pa);
            b_zero.push(*p0);
            b_one.push(*p1);
            bits.push(secrets.with_commitments(commitments));
        }
        let range_points = points.get(7 * n..).unwrap_or_default();
        let range = range_secrets.with_commitments(range_points);
        Ok(PreparedContest { shape: *shape, key: *enc.key(), randomness, a, b_zero, b_one, bits, range })
    }

    /// Checks the contest's shape and ciphertexts (spec: V3.1, V3.2).
    fn check_shape(&self, shape: &ContestShape) -> Result<()> {
        shape.validate()?;
        if self.contest_id != shape.contest_id {
            return Err(CryptoError::InvalidParameters {
                step: "V3.1",
                reason: alloc::format!(
                    "contest id {} where {} was expected",
                    self.contest_id,
                    shape.contest_id
                ),
            });
        }
        let n = usize::from(shape.candidates);
        if self.ciphertexts.len() != n || self.bit_proofs.len() != n {
            return Err(CryptoError::InvalidParameters {
                step: "V3.1",
                reason: alloc::format!("{} ciphertexts for {n} candidates", self.ciphertexts.len()),
            });
        }
        if self.range_proof.min != shape.min || self.range_proof.max != shape.max {
            return Err(CryptoError::InvalidParameters {
                step: "V3.1",
                reason: "range proof limits differ from the contest's".into(),
            });
        }
        if let Some(i) = self.ciphertexts.iter().position(|ct| ct.a.is_identity()) {
            return Err(CryptoError::InvalidParameters {
                step: "V3.2",
                reason: alloc::format!("ciphertext {i} has A = identity"),
            });
        }
        Ok(())
    }

    /// Adds every proof of the contest to a batch, one item per proof
    /// (spec: V3.3, V3.4). `key_base` is the batch's handle for the joint key.
    pub fn add_to_batch(
        &self,
        ctx: &BallotContext<'_>,
        shape: &ContestShape,
        key_base: SharedBase,
        batch: &mut BatchVerifier,
    ) -> Result<()> {
        self.check_shape(shape)?;
        let n = self.ciphertexts.len();
        let k = usize::from(shape.max - shape.min) + 1;
        batch.reserve(6 * n + 2 * k + 2, n + 1);
        let key = &ctx.election.joint_key;
        let transcript = contest_transcript(ctx, self.contest_id, &self.ciphertexts);
        for (i, (ct, proof)) in self.ciphertexts.iter().zip(&self.bit_proofs).enumerate() {
            let index = u32::try_from(i).unwrap_or(u32::MAX);
            proof.add_to_batch(&transcript.fork(i as u64), key, key_base, ct, batch, index)?;
        }
        let sum_ct = sum_ciphertexts(&self.ciphertexts);
        let index = u32::try_from(n).unwrap_or(u32::MAX);
        self.range_proof.add_to_batch(&transcript.fork(n as u64), key, key_base, &sum_ct, batch, index)
    }

    /// Verifies the contest alone with one multiscalar multiplication (spec: V3).
    pub fn verify(
        &self,
        ctx: &BallotContext<'_>,
        shape: &ContestShape,
        rng: &mut impl CryptoRngCore,
    ) -> Result<()> {
        let mut batch = BatchVerifier::new(rng);
        let key_base = batch.shared_base(&ctx.election.joint_key);
        self.add_to_batch(ctx, shape, key_base, &mut batch)?;
        batch.verify().map_err(|e| match e {
            CryptoError::BatchFailed { culprits } => CryptoError::ProofFailed {
                step: if culprits.iter().any(|c| c.contains("range")) { "V3.4" } else { "V3.3" },
                proof: "ballot",
                context: Some(alloc::format!("contest {}: {}", self.contest_id, culprits.join(", "))),
            },
            other => other,
        })
    }

    /// Checks that an opening reveals exactly these ciphertexts (spec: V3.5).
    pub fn check_opening(&self, key: &Point, opening: &ContestOpening) -> Result<()> {
        check_opening(self.contest_id, &self.ciphertexts, &self.to_bytes(), key, opening)
    }

    /// Encoding: `version ‖ u32 contest ‖ u16 n ‖ n ciphertexts ‖ n bit proofs ‖ range proof`.
    pub fn to_bytes(&self) -> Vec<u8> {
        let n = self.ciphertexts.len();
        let k = usize::from(self.range_proof.max.saturating_sub(self.range_proof.min)) + 1;
        let mut out = Vec::with_capacity(
            7 + n * (CIPHERTEXT_LEN + BIT_PROOF_LEN) + 4 + DisjunctiveProof::encoded_len(k),
        );
        self.write(&mut out);
        out
    }

    pub(crate) fn write(&self, out: &mut Vec<u8>) {
        out.push(WIRE_VERSION);
        out.put_u32(self.contest_id);
        out.put_u16(u16::try_from(self.ciphertexts.len()).unwrap_or(u16::MAX));
        for ct in &self.ciphertexts {
            ct.write(out);
        }
        for p in &self.bit_proofs {
            p.write(out);
        }
        self.range_proof.write(out);
    }

    /// Decodes a contest encoding.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let mut r = Reader::new("encrypted contest", bytes);
        let c = Self::read(&mut r)?;
        r.finish()?;
        Ok(c)
    }

    /// The contest id and the ciphertexts of an encoded contest that was
    /// checked before (e.g. admitted to the board), without decoding its
    /// proofs: what summing admitted ballots needs, at a third of the
    /// decompressions of [`Self::from_bytes`].
    pub fn ciphertexts_from_bytes(bytes: &[u8]) -> Result<(u32, Vec<Ciphertext>)> {
        Self::read_head(&mut Reader::new("encrypted contest", bytes))
    }

    fn read_head(r: &mut Reader<'_>) -> Result<(u32, Vec<Ciphertext>)> {
        r.version()?;
        let contest_id = r.u32()?;
        let n = r.u16()?;
        if n == 0 || n > MAX_CANDIDATES {
            return Err(CryptoError::Malformed {
                what: "encrypted contest",
                reason: "candidate count out of range",
            });
        }
        let n = usize::from(n);
        let mut ciphertexts = Vec::with_capacity(n);
        for _ in 0..n {
            ciphertexts.push(Ciphertext { a: r.point()?, b: r.point()? });
        }
        Ok((contest_id, ciphertexts))
    }

    pub(crate) fn read(r: &mut Reader<'_>) -> Result<Self> {
        let (contest_id, ciphertexts) = Self::read_head(r)?;
        let n = ciphertexts.len();
        let mut bit_proofs = Vec::with_capacity(n);
        for _ in 0..n {
            bit_proofs.push(BitProof::read(r)?);
        }
        let range_proof = RangeProof::read(r)?;
        Ok(Self { contest_id, ciphertexts, bit_proofs, range_proof })
    }
}

hex_serde!(EncryptedContest);

impl PreparedContest {
    /// Encrypts `selections` with the prepared randomness and answers every
    /// proof (spec: §8.3, steps 4–8): [`Self::choose`] then
    /// [`ChosenContest::prove`]. Selections only choose between prepared
    /// values, in constant time.
    pub fn finish(
        self,
        ctx: &BallotContext<'_>,
        selections: &[bool],
    ) -> Result<(EncryptedContest, ContestSecrets)> {
        self.choose(selections)?.prove(ctx)
    }

    /// Fixes the ciphertexts for `selections` (spec: §8.3, steps 4–5), with
    /// no credential yet: the member's device commits to them (their
    /// fingerprint, board §4.7) before the member decides to cast or to
    /// audit (protocol §8.4).
    pub fn choose(self, selections: &[bool]) -> Result<ChosenContest> {
        let shape = self.shape;
        let n = usize::from(shape.candidates);
        if selections.len() != n {
            return Err(CryptoError::InvalidSelection {
                reason: alloc::format!("{} selections for {n} candidates", selections.len()),
            });
        }
        let total = u16::try_from(selections.iter().filter(|s| **s).count()).unwrap_or(u16::MAX);
        if total < shape.min || total > shape.max {
            return Err(CryptoError::InvalidSelection {
                reason: alloc::format!("{total} selections, allowed {} to {}", shape.min, shape.max),
            });
        }
        let PreparedContest { a, mut b_zero, mut b_one, bits, range, randomness, key, .. } = self;
        let ciphertexts: Vec<Ciphertext> = a
            .iter()
            .zip(&b_zero)
            .zip(&b_one)
            .zip(selections)
            .map(|(((a, b0), b1), s)| Ciphertext {
                a: *a,
                b: Point::ct_select(b0, b1, Choice::from(u8::from(*s))),
            })
            .collect();
        // The unchosen B values would reveal each selection: wipe both sets.
        b_zero.zeroize();
        b_one.zeroize();
        Ok(ChosenContest {
            shape,
            key,
            ciphertexts,
            selections: selections.iter().map(|s| u8::from(*s)).collect(),
            randomness,
            bits,
            range,
        })
    }
}

/// A contest whose ciphertexts are fixed but not yet proven or bound to a
/// credential (spec: §8.3 step 5, §8.4): either [`Self::prove`] it to cast
/// it, or [`Self::open`] it to audit it — never both.
///
/// # Security
/// Holds the selections, the randomness and the proof nonces: zeroized on
/// drop, no `Debug` content. Both methods consume it.
pub struct ChosenContest {
    shape: ContestShape,
    key: Point,
    ciphertexts: Vec<Ciphertext>,
    selections: Vec<u8>,
    randomness: Vec<SecretScalar>,
    bits: Vec<disjunctive::Prepared>,
    range: disjunctive::Prepared,
}

impl core::fmt::Debug for ChosenContest {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("ChosenContest(<redacted>)")
    }
}

impl Drop for ChosenContest {
    fn drop(&mut self) {
        self.selections.zeroize();
    }
}

impl ChosenContest {
    /// The contest id.
    pub fn contest_id(&self) -> u32 {
        self.shape.contest_id
    }

    /// The fixed ciphertexts, one per candidate.
    pub fn ciphertexts(&self) -> &[Ciphertext] {
        &self.ciphertexts
    }

    /// Binds the contest to the election and the credential and answers
    /// every proof (spec: §8.3, steps 6–8). Returns the public contest and
    /// the secrets (kept only to audit; a proven contest is for casting).
    pub fn prove(mut self, ctx: &BallotContext<'_>) -> Result<(EncryptedContest, ContestSecrets)> {
        let shape = self.shape;
        if self.key != ctx.election.joint_key {
            return Err(CryptoError::InvalidParameters {
                step: "V3.1",
                reason: "the ballot was prepared for another key than the election's joint key".into(),
            });
        }
        let n = usize::from(shape.candidates);
        let selections = core::mem::take(&mut self.selections);
        let randomness = core::mem::take(&mut self.randomness);
        let mut bits = core::mem::take(&mut self.bits);
        let ciphertexts = core::mem::take(&mut self.ciphertexts);
        let total = selections.iter().map(|s| u16::from(*s)).sum::<u16>();
        let transcript = contest_transcript(ctx, shape.contest_id, &ciphertexts);
        let sum_ct = sum_ciphertexts(&ciphertexts);
        let r_sum = SecretScalar::new(randomness.iter().map(|r| r.expose_secret()).sum());

        // Place every real branch, then invert all the denominators at once.
        let mut denominators = Vec::with_capacity(2 * n + usize::from(shape.max - shape.min) + 1);
        for (p, s) in bits.iter_mut().zip(&selections) {
            p.place(u16::from(*s));
            p.denominators(0, u16::from(*s), &mut denominators);
        }
        self.range.place(total - shape.min);
        self.range.denominators(shape.min, total, &mut denominators);
        Scalar::batch_invert(&mut denominators);

        let key = &ctx.election.joint_key;
        let mut inverses = denominators.chunks(2);
        let mut bit_proofs = Vec::with_capacity(n);
        for (i, ((ct, p), r)) in ciphertexts.iter().zip(&bits).zip(&randomness).enumerate() {
            let st = DisjunctiveStatement { key, ciphertext: ct, lo: 0, hi: 1 };
            let inv = inverses.next().unwrap_or_default();
            bit_proofs.push(BitProof(disjunctive::respond(
                &transcript.fork(i as u64),
                labels::DS_BIT,
                &st,
                p,
                inv,
                r,
            )));
        }
        let st = DisjunctiveStatement { key, ciphertext: &sum_ct, lo: shape.min, hi: shape.max };
        let inv = denominators.get(2 * n..).unwrap_or_default();
        let range =
            disjunctive::respond(&transcript.fork(n as u64), labels::DS_RANGE, &st, &self.range, inv, &r_sum);
        let contest = EncryptedContest {
            contest_id: shape.contest_id,
            ciphertexts,
            bit_proofs,
            range_proof: RangeProof::from_parts(shape.min, shape.max, range),
        };
        let secrets = ContestSecrets { contest_id: shape.contest_id, selections, randomness };
        Ok((contest, secrets))
    }

    /// Opens the contest for a Benaloh audit (spec: §8.4): the ciphertexts,
    /// with no credential and no proof, and the selections and randomness
    /// that open them. The contest can never be cast afterwards.
    pub fn open(mut self) -> (AuditedContest, ContestOpening) {
        let opening = ContestOpening {
            contest_id: self.shape.contest_id,
            selections: self.selections.clone(),
            randomness: self.randomness.iter().map(|r| *r.expose_secret()).collect(),
        };
        let audited = AuditedContest {
            contest_id: self.shape.contest_id,
            ciphertexts: core::mem::take(&mut self.ciphertexts),
        };
        (audited, opening)
    }
}

/// Sums the `i`-th ciphertexts of many contests: the per-candidate aggregate
/// that the tally decrypts (spec: §7.2).
pub fn aggregate<'a>(
    contests: impl IntoIterator<Item = &'a EncryptedContest>,
    candidates: usize,
) -> Vec<Ciphertext> {
    let mut acc = alloc::vec![(RistrettoPoint::identity(), RistrettoPoint::identity()); candidates];
    for c in contests {
        for (slot, ct) in acc.iter_mut().zip(&c.ciphertexts) {
            slot.0 += ct.a.point();
            slot.1 += ct.b.point();
        }
    }
    acc.into_iter().map(|(a, b)| Ciphertext { a: Point::from_point(a), b: Point::from_point(b) }).collect()
}
