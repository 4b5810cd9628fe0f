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
}

impl TranscriptExt for Transcript {
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

/// Draws `n` secret nonces from a hedged RNG: merlin's transcript RNG, rekeyed
/// with the witness and finalized with the caller's RNG, so a weak RNG alone
/// does not leak the witness (spec: §4.6).
pub(crate) fn hedged_nonces<const N: usize>(
    transcript: &Transcript,
    witness: &[&Scalar],
    rng: &mut impl CryptoRngCore,
) -> [SecretScalar; N] {
    let mut builder = transcript.build_rng();
    for w in witness {
        builder = builder.rekey_with_witness_bytes(b"witness", w.as_bytes());
    }
    let mut trng = builder.finalize(rng);
    core::array::from_fn(|_| SecretScalar::random(&mut trng))
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
