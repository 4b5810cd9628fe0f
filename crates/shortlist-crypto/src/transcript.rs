//! The Fiat–Shamir conventions (spec: §4). This is the only module that
//! touches merlin: typed appends, one domain separator per context and per
//! proof type, and challenges squeezed as 64 wide bytes reduced mod ℓ.

use curve25519_dalek::scalar::Scalar;
use merlin::Transcript;
use rand_core::CryptoRngCore;

use crate::secret::SecretScalar;

use crate::labels;
use crate::wire::Point;

/// A 32-byte hash carried in a context (manifest hash, ballot definition hash).
pub type Hash32 = [u8; 32];

/// Typed appends and challenges on a merlin transcript (spec: §4.2).
pub trait TranscriptExt {
    /// Appends a domain separator: `append_message("dom-sep", name)`.
    fn domain_sep(&mut self, name: &'static [u8]);
    /// Appends a point's 32-byte canonical encoding.
    fn append_point(&mut self, label: &'static [u8], point: &Point);
    /// Appends a scalar's 32-byte canonical encoding.
    fn append_scalar(&mut self, label: &'static [u8], scalar: &Scalar);
    /// Appends a 32-byte hash.
    fn append_hash(&mut self, label: &'static [u8], hash: &Hash32);
    /// Appends an integer as merlin's 8-byte little-endian `append_u64`.
    fn append_int(&mut self, label: &'static [u8], value: u64);
    /// Squeezes 64 bytes and reduces them mod ℓ.
    fn challenge_scalar(&mut self, label: &'static [u8]) -> Scalar;
    /// A copy of the transcript for item `index` of a list: the copy with
    /// `append_int("index", index)` (spec: §4.3, §4.5, §6.2).
    fn fork(&self, index: u64) -> Self;
}

impl TranscriptExt for Transcript {
    fn fork(&self, index: u64) -> Self {
        let mut f = self.clone();
        f.append_int(labels::INDEX, index);
        f
    }

    fn domain_sep(&mut self, name: &'static [u8]) {
        self.append_message(labels::DOM_SEP, name);
    }

    fn append_point(&mut self, label: &'static [u8], point: &Point) {
        self.append_message(label, point.compressed().as_bytes());
    }

    fn append_scalar(&mut self, label: &'static [u8], scalar: &Scalar) {
        self.append_message(label, scalar.as_bytes());
    }

    fn append_hash(&mut self, label: &'static [u8], hash: &Hash32) {
        self.append_message(label, hash);
    }

    fn append_int(&mut self, label: &'static [u8], value: u64) {
        self.append_u64(label, value);
    }

    fn challenge_scalar(&mut self, label: &'static [u8]) -> Scalar {
        let mut wide = [0u8; 64];
        self.challenge_bytes(label, &mut wide);
        Scalar::from_bytes_mod_order_wide(&wide)
    }
}

/// A fresh transcript: `Transcript::new("shortlist")` then the version (spec: §4.1).
pub fn protocol_transcript() -> Transcript {
    let mut t = Transcript::new(labels::PROTOCOL);
    t.append_int(labels::VERSION, labels::PROTOCOL_VERSION);
    t
}

/// The public context of a poll that every ballot and decryption proof binds
/// (spec: §4.3, §4.5): the manifest hash, the ballot definition hash and the
/// joint public key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ElectionContext {
    /// SHA-256 of the manifest entry's canonical payload.
    pub manifest_hash: Hash32,
    /// SHA-256 of the ballot definition entry's canonical payload.
    pub definition_hash: Hash32,
    /// The joint election public key.
    pub joint_key: Point,
}

impl ElectionContext {
    /// A transcript that has absorbed the election context under `domain`.
    pub(crate) fn transcript(&self, domain: &'static [u8]) -> Transcript {
        let mut t = protocol_transcript();
        t.domain_sep(domain);
        t.append_hash(labels::MANIFEST, &self.manifest_hash);
        t.append_hash(labels::DEFINITION, &self.definition_hash);
        t.append_point(labels::JOINT_KEY, &self.joint_key);
        t
    }
}

/// A proof's transcript after its domain separator and its **whole statement**
/// (spec: §4.6, §5.1, §5.2): the one state from which both the challenge and,
/// in the prover, the hedged nonces are derived.
///
/// Each proof module builds it in one function that prover and verifier share;
/// the prover draws its nonces from it before any commitment is absorbed, so a
/// nonce depends on everything the challenge depends on except the commitments,
/// which are themselves functions of the nonce and the statement.
pub(crate) struct StatementTranscript(Transcript);

impl StatementTranscript {
    /// A copy of `context`, then `domain_sep(domain)`, then the statement's
    /// appends made by `absorb`, in the order the spec gives for the proof.
    pub(crate) fn new(
        context: &Transcript,
        domain: &'static [u8],
        absorb: impl FnOnce(&mut Transcript),
    ) -> Self {
        let mut t = context.clone();
        t.domain_sep(domain);
        absorb(&mut t);
        Self(t)
    }

    /// Draws `N` secret nonces from a hedged RNG (spec: §4.6): merlin's
    /// transcript RNG over this statement transcript, rekeyed with each
    /// witness scalar under `"witness"` and finalized with 32 bytes of the
    /// caller's RNG. A repeated caller RNG then repeats a nonce only for a
    /// repeated statement, context and witness, that is for the same challenge;
    /// a broken caller RNG alone does not leak the witness.
    pub(crate) fn hedged_nonces<const N: usize>(
        &self,
        witness: &[&Scalar],
        rng: &mut impl CryptoRngCore,
    ) -> [SecretScalar; N] {
        let mut builder = self.0.build_rng();
        for w in witness {
            builder = builder.rekey_with_witness_bytes(labels::WITNESS, w.as_bytes());
        }
        // merlin's RNG state is a STROBE state, wiped when `trng` is dropped.
        let mut trng = builder.finalize(rng);
        core::array::from_fn(|_| SecretScalar::random(&mut trng))
    }

    /// Absorbs the commitments, in order, and squeezes the challenge
    /// `c = challenge("challenge")` (spec: §4.1). Consumes the transcript:
    /// nonces are drawn before it, never after.
    pub(crate) fn challenge(self, commitments: &[(&'static [u8], &Point)]) -> Scalar {
        let mut t = self.0;
        for (label, point) in commitments {
            t.append_point(label, point);
        }
        t.challenge_scalar(labels::CHALLENGE)
    }
}

/// `n` 128-bit weights for a randomized check of public data, derived from a
/// transcript over that data (spec: §8.4): whoever chose the data cannot
/// choose the weights.
pub(crate) fn public_weights(domain: &'static [u8], data: &[&[u8]], n: usize) -> alloc::vec::Vec<Scalar> {
    let mut t = protocol_transcript();
    t.domain_sep(domain);
    for d in data {
        t.append_message(labels::COUNT, d);
    }
    (0..n)
        .map(|_| {
            let mut w = [0u8; 16];
            t.challenge_bytes(labels::CHALLENGE, &mut w);
            Scalar::from(u128::from_le_bytes(w))
        })
        .collect()
}
