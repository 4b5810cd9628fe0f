//! The crate's one error type. Every variant names what failed and, where a
//! rule of `spec/protocol.md` applies, the verification step (`V…`) it breaks.

use thiserror::Error;

/// Why a decoding, a proof check or a protocol computation failed.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum CryptoError {
    /// An encoding had the wrong length.
    #[error("{what}: expected {expected} bytes, found {found} (spec: E1)")]
    WrongLength {
        /// What was being decoded.
        what: &'static str,
        /// The length the encoding must have.
        expected: usize,
        /// The length that was given.
        found: usize,
    },
    /// A scalar encoding was not the canonical encoding of an integer below ℓ.
    #[error("{what}: scalar is not canonical (must be < ℓ, little-endian) (spec: E2)")]
    NonCanonicalScalar {
        /// What was being decoded.
        what: &'static str,
    },
    /// A point encoding was not canonical or not a valid point (ristretto255,
    /// or for a credential key a prime-order ed25519 point).
    #[error("{what}: not a canonical encoding of a valid point (spec: E3)")]
    InvalidPoint {
        /// What was being decoded.
        what: &'static str,
    },
    /// The identity element appeared where the spec forbids it.
    #[error("{what}: the identity element is not allowed here (spec: E3)")]
    IdentityPoint {
        /// What was being decoded.
        what: &'static str,
    },
    /// A structured encoding was malformed (version, counts, trailing bytes).
    #[error("{what}: malformed encoding: {reason} (spec: E4)")]
    Malformed {
        /// What was being decoded.
        what: &'static str,
        /// What was wrong with it.
        reason: &'static str,
    },
    /// A zero-knowledge proof did not verify.
    #[error("{step}: {proof} proof failed to verify{}", context_suffix(.context))]
    ProofFailed {
        /// The verification step of the spec, e.g. `V3.2`.
        step: &'static str,
        /// The kind of proof.
        proof: &'static str,
        /// Which proof (candidate index, trustee, …), if known.
        context: Option<String>,
    },
    /// A batch verification failed; the listed items are the proofs that fail alone.
    #[error("batch verification failed: {} bad item(s), first: {}", .culprits.len(), first_culprit(.culprits))]
    BatchFailed {
        /// The labels of the proofs that fail when checked alone.
        culprits: Vec<String>,
    },
    /// The parameters of a statement are out of range (e.g. min > max, too many candidates).
    #[error("{step}: invalid parameters: {reason}")]
    InvalidParameters {
        /// The verification step of the spec.
        step: &'static str,
        /// What is wrong.
        reason: String,
    },
    /// A selection vector does not satisfy the contest's limits.
    #[error("V3.1: invalid selection: {reason}")]
    InvalidSelection {
        /// What is wrong.
        reason: String,
    },
    /// A revealed (audited) ballot does not open to what it claims.
    #[error("V3.5: audited ballot does not open to the stated selections at candidate {candidate}")]
    AuditMismatch {
        /// The index of the first candidate whose ciphertext does not match.
        candidate: usize,
    },
    /// Fewer decryption shares than the threshold were given.
    #[error("V6.3: need at least {threshold} decryption shares, got {got}")]
    NotEnoughShares {
        /// The threshold t.
        threshold: u16,
        /// How many distinct shares were given.
        got: usize,
    },
    /// A trustee index is out of range or repeated.
    #[error("{step}: bad trustee index {index}: {reason}")]
    BadTrusteeIndex {
        /// The verification step.
        step: &'static str,
        /// The offending index.
        index: u16,
        /// What is wrong.
        reason: &'static str,
    },
    /// A share received in the key ceremony is bad; the sender is to blame.
    #[error("V5.4: share from trustee {sender} to trustee {recipient} is invalid: {reason}")]
    BadShare {
        /// The trustee that sent the share.
        sender: u16,
        /// The trustee that received it.
        recipient: u16,
        /// Why it is bad.
        reason: &'static str,
    },
    /// A plaintext lies outside the discrete-log search bound.
    #[error("V6.5: plaintext is not in [0, {bound}]")]
    DiscreteLogOutOfRange {
        /// The search bound.
        bound: u64,
    },
}

fn context_suffix(context: &Option<String>) -> String {
    match context {
        Some(c) => format!(" ({c})"),
        None => String::new(),
    }
}

fn first_culprit(culprits: &[String]) -> &str {
    culprits.first().map_or("none", String::as_str)
}

/// The crate's result type.
pub type Result<T> = core::result::Result<T, CryptoError>;
