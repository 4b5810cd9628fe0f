//! Shared helpers of the known-answer vectors: JSON field access, hex,
//! tampering, error matching and the decoder dispatch. Each topic has its own
//! module with a `generate` (seeded, deterministic) and a `check` (reads the
//! committed JSON only and verifies it through the public API).

pub mod ballot;
pub mod ceremony;
pub mod context;
pub mod decryption;
pub mod encodings;
pub mod nonces;
pub mod proofs;

use serde_json::{json, Value};
use shortlist_crypto::ballot::{ContestOpening, EncryptedContest};
use shortlist_crypto::dkg::transport::{Complaint, EncryptedShare};
use shortlist_crypto::dkg::CommitmentMessage;
use shortlist_crypto::elgamal::{Ciphertext, SecretKey};
use shortlist_crypto::proofs::bit::BitProof;
use shortlist_crypto::proofs::dleq::DleqProof;
use shortlist_crypto::proofs::range::RangeProof;
use shortlist_crypto::proofs::schnorr::SchnorrProof;
use shortlist_crypto::secret::SecretScalar;
use shortlist_crypto::threshold::DecryptionShare;
use shortlist_crypto::wire::scalar_from_bytes;
use shortlist_crypto::{CryptoError, Point, Scalar};

/// The one command that rewrites every vector file.
pub const REGENERATE: &str =
    "SHORTLIST_WRITE_VECTORS=1 cargo test -p shortlist-crypto --release --test vectors";

/// The "generator" field of a vector file.
pub fn generator(module: &str, seeds: Value) -> Value {
    json!({
        "file": format!("crates/shortlist-crypto/tests/vectors_gen/{module}.rs (run by tests/vectors.rs)"),
        "rng": "insecure_test_rng(seed) = rand_chacha::ChaCha20Rng::seed_from_u64(seed), tests/common/mod.rs",
        "seeds": seeds,
        "regenerate": REGENERATE,
    })
}

/// Lowercase hex as a JSON string.
pub fn hx(bytes: impl AsRef<[u8]>) -> Value {
    Value::String(hex::encode(bytes))
}

/// A required field.
pub fn field<'a>(v: &'a Value, key: &str) -> &'a Value {
    v.get(key).unwrap_or_else(|| panic!("missing field {key:?}"))
}

/// A required string field.
pub fn text<'a>(v: &'a Value, key: &str) -> &'a str {
    field(v, key).as_str().unwrap_or_else(|| panic!("field {key:?} is not a string"))
}

/// A required integer field.
pub fn int(v: &Value, key: &str) -> u64 {
    field(v, key).as_u64().unwrap_or_else(|| panic!("field {key:?} is not an integer"))
}

/// A required array field.
pub fn list<'a>(v: &'a Value, key: &str) -> &'a Vec<Value> {
    field(v, key).as_array().unwrap_or_else(|| panic!("field {key:?} is not an array"))
}

/// A required hex field, decoded.
pub fn bytes(v: &Value, key: &str) -> Vec<u8> {
    unhex(field(v, key))
}

/// A hex string value, decoded.
pub fn unhex(v: &Value) -> Vec<u8> {
    let s = v.as_str().unwrap_or_else(|| panic!("{v} is not a hex string"));
    assert_eq!(s, s.to_lowercase(), "hex must be lowercase");
    hex::decode(s).unwrap_or_else(|e| panic!("bad hex {s:?}: {e}"))
}

/// A 32-byte hash field.
pub fn hash(v: &Value, key: &str) -> [u8; 32] {
    bytes(v, key).try_into().unwrap_or_else(|_| panic!("field {key:?} is not 32 bytes"))
}

/// A point field (identity allowed).
pub fn point(v: &Value, key: &str) -> Point {
    Point::from_bytes(&bytes(v, key)).unwrap_or_else(|e| panic!("field {key:?}: {e}"))
}

/// A scalar field.
pub fn scalar(v: &Value, key: &str) -> Scalar {
    scalar_from_bytes("scalar", &bytes(v, key)).unwrap_or_else(|e| panic!("field {key:?}: {e}"))
}

/// A ciphertext field.
pub fn ciphertext(v: &Value, key: &str) -> Ciphertext {
    Ciphertext::from_bytes(&bytes(v, key)).unwrap_or_else(|e| panic!("field {key:?}: {e}"))
}

/// `x·B₀` for a secret scalar.
pub fn public_of(x: &SecretScalar) -> Point {
    SecretKey::from_secret(x.clone()).public_key()
}

/// Adds one to the scalar in the last 32 bytes of an encoding (every proof
/// encoding ends with a response): the result stays canonical but is wrong.
pub fn bump_last_scalar(encoding: &[u8]) -> Vec<u8> {
    let split = encoding.len() - 32;
    let z = scalar_from_bytes("scalar", &encoding[split..]).expect("a proof ends with a scalar");
    let mut out = encoding[..split].to_vec();
    out.extend_from_slice((z + Scalar::ONE).as_bytes());
    out
}

/// ℓ, the group order, little-endian: the smallest non-canonical scalar.
pub fn ell_bytes() -> [u8; 32] {
    add_to_le(&(-Scalar::ONE).to_bytes(), 1)
}

/// `bytes + k` as a 256-bit little-endian integer (wrapping).
pub fn add_to_le(bytes: &[u8; 32], k: u8) -> [u8; 32] {
    let mut out = *bytes;
    let mut carry = u16::from(k);
    for b in out.iter_mut() {
        let s = u16::from(*b) + carry;
        *b = u8::try_from(s & 0xff).expect("one byte");
        carry = s >> 8;
    }
    out
}

/// An invalid case: `case` plus its expected error in the spec's terms (a
/// step id like "V2.3", or an encoding class E1–E4 of protocol §3; a
/// variant name like "InvalidPoint" is written as its class).
pub fn expecting(mut case: Value, error: &str) -> Value {
    let class = match error {
        "WrongLength" => "E1",
        "NonCanonicalScalar" => "E2",
        "InvalidPoint" | "IdentityPoint" => "E3",
        "Malformed" => "E4",
        "NotEnoughShares" => "V6.3",
        step => step,
    };
    case["expected_error"] = json!(class);
    case
}

/// The spec's name for an error: its encoding class (protocol §3, E1–E4)
/// or the verification step it fails.
pub fn spec_class(e: &CryptoError) -> Option<&'static str> {
    match e {
        CryptoError::WrongLength { .. } => Some("E1"),
        CryptoError::NonCanonicalScalar { .. } => Some("E2"),
        CryptoError::InvalidPoint { .. } | CryptoError::IdentityPoint { .. } => Some("E3"),
        CryptoError::Malformed { .. } => Some("E4"),
        other => step_of(other),
    }
}

/// The variant name of an error, from its Debug form.
pub fn variant_name(e: &CryptoError) -> String {
    format!("{e:?}").chars().take_while(char::is_ascii_alphanumeric).collect()
}

/// The spec step an error names, if any.
pub fn step_of(e: &CryptoError) -> Option<&'static str> {
    match e {
        CryptoError::ProofFailed { step, .. }
        | CryptoError::InvalidParameters { step, .. }
        | CryptoError::BadTrusteeIndex { step, .. } => Some(step),
        CryptoError::InvalidSelection { .. } => Some("V3.1"),
        CryptoError::AuditMismatch { .. } => Some("V3.5"),
        CryptoError::BadShare { .. } => Some("V5.4"),
        CryptoError::NotEnoughShares { .. } => Some("V6.3"),
        CryptoError::DiscreteLogOutOfRange { .. } => Some("V6.5"),
        _ => None,
    }
}

/// Asserts that `result` failed as `case` expects: `expected_error` must be the
/// error's class (E1–E4) or step id; `expected_reason`, if present, must be
/// the reason of a `Malformed` (E4) error.
pub fn expect_error<T>(case: &Value, result: Result<T, CryptoError>) {
    let name = text(case, "name");
    let expected = text(case, "expected_error");
    let Err(err) = result else {
        panic!("case {name:?}: expected error {expected}, but it was accepted");
    };
    let variant = variant_name(&err);
    let class = spec_class(&err);
    assert!(class == Some(expected), "case {name:?}: expected {expected}, got {variant} ({class:?}): {err}");
    if let Some(want) = case.get("expected_reason").and_then(Value::as_str) {
        match &err {
            CryptoError::Malformed { reason, .. } => {
                assert_eq!(*reason, want, "case {name:?}: wrong Malformed reason")
            }
            other => panic!("case {name:?}: expected a Malformed error ({want}), got {other}"),
        }
    }
}

/// Decodes `bytes` as the wire type named `kind` and re-encodes it.
pub fn decode_and_reencode(kind: &str, bytes: &[u8]) -> Result<Vec<u8>, CryptoError> {
    Ok(match kind {
        "Scalar" => scalar_from_bytes("scalar", bytes)?.to_bytes().to_vec(),
        "Point" => Point::from_bytes(bytes)?.to_bytes().to_vec(),
        "PointNonIdentity" => Point::from_bytes_nonidentity(bytes)?.to_bytes().to_vec(),
        "Ciphertext" => Ciphertext::from_bytes(bytes)?.to_bytes().to_vec(),
        "SchnorrProof" => SchnorrProof::from_bytes(bytes)?.to_bytes(),
        "DleqProof" => DleqProof::from_bytes(bytes)?.to_bytes(),
        "BitProof" => BitProof::from_bytes(bytes)?.to_bytes(),
        "RangeProof" => RangeProof::from_bytes(bytes)?.to_bytes(),
        "EncryptedContest" => EncryptedContest::from_bytes(bytes)?.to_bytes(),
        "ContestOpening" => ContestOpening::from_bytes(bytes)?.to_bytes(),
        "CommitmentMessage" => CommitmentMessage::from_bytes(bytes)?.to_bytes(),
        "EncryptedShare" => EncryptedShare::from_bytes(bytes)?.to_bytes(),
        "Complaint" => Complaint::from_bytes(bytes)?.to_bytes(),
        "DecryptionShare" => DecryptionShare::from_bytes(bytes)?.to_bytes(),
        other => panic!("unknown wire type {other:?}"),
    })
}

/// Checks one decoding case: a valid one re-encodes to the same bytes, an
/// invalid one fails with its expected error.
pub fn check_decoding(case: &Value) {
    let kind = text(case, "type");
    let input = bytes(case, "hex");
    let result = decode_and_reencode(kind, &input);
    if case.get("expected_error").is_some() {
        expect_error(case, result);
    } else {
        let name = text(case, "name");
        let out = result.unwrap_or_else(|e| panic!("case {name:?}: valid {kind} rejected: {e}"));
        assert_eq!(out, input, "case {name:?}: {kind} does not re-encode to the same bytes");
    }
}
