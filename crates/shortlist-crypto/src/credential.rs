//! Voter credentials (spec: §8.5): ed25519 keys made on the member's device.
//! A ballot's proofs bind the credential public key and the ballot is signed
//! with the credential secret key.
//!
//! Signature policy (spec: V3.6), pinned against the Wycheproof and
//! speccheck vectors: public keys must be canonical encodings of points in
//! the prime-order subgroup (not of small order, no torsion component);
//! signatures are checked with ed25519-dalek's `verify_strict` (canonical
//! `S < ℓ`, `R` not of small order, cofactorless equation, `R` compared byte
//! for byte). With a torsion-free key the cofactored and cofactorless
//! equations agree, so every implementation reaches the same verdict.

use core::fmt;

use curve25519_dalek::edwards::CompressedEdwardsY;
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use rand_core::CryptoRngCore;

use crate::error::{CryptoError, Result};

/// Length of a credential public key.
pub const CREDENTIAL_KEY_LEN: usize = 32;
/// Length of a credential signature.
pub const SIGNATURE_LEN: usize = 64;

/// A credential's secret signing key.
///
/// # Security
/// Zeroized on drop (ed25519-dalek's `zeroize` feature), redacted in `Debug`,
/// never serialized; the raw bytes leave only through
/// [`CredentialSecret::expose_secret_bytes`], for the holder's own encrypted storage.
pub struct CredentialSecret(SigningKey);

/// A credential's public key: a canonical ed25519 point not of small order.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct CredentialPublicKey(VerifyingKey);

impl CredentialSecret {
    /// Makes a fresh credential key.
    pub fn generate(rng: &mut impl CryptoRngCore) -> Self {
        Self(SigningKey::generate(rng))
    }

    /// Restores a key from its 32 secret bytes.
    pub fn from_secret_bytes(bytes: &[u8; 32]) -> Self {
        Self(SigningKey::from_bytes(bytes))
    }

    /// The 32 secret bytes, for the holder's own encrypted storage only.
    pub fn expose_secret_bytes(&self) -> zeroize::Zeroizing<[u8; 32]> {
        zeroize::Zeroizing::new(self.0.to_bytes())
    }

    /// The public key.
    pub fn public_key(&self) -> CredentialPublicKey {
        CredentialPublicKey(self.0.verifying_key())
    }

    /// Signs `message` (ed25519, RFC 8032).
    pub fn sign(&self, message: &[u8]) -> [u8; SIGNATURE_LEN] {
        self.0.sign(message).to_bytes()
    }
}

impl fmt::Debug for CredentialSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CredentialSecret(<redacted>)")
    }
}

impl CredentialPublicKey {
    /// Decodes a public key: 32 bytes, a canonical point encoding, not of
    /// small order (spec: V3.6).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let what = "credential key (ed25519)";
        let arr: [u8; CREDENTIAL_KEY_LEN] = bytes.try_into().map_err(|_| CryptoError::WrongLength {
            what,
            expected: CREDENTIAL_KEY_LEN,
            found: bytes.len(),
        })?;
        let point = CompressedEdwardsY(arr).decompress().ok_or(CryptoError::InvalidPoint { what })?;
        if point.compress().to_bytes() != arr {
            return Err(CryptoError::InvalidPoint { what });
        }
        if point.is_small_order() {
            return Err(CryptoError::IdentityPoint { what });
        }
        if !point.is_torsion_free() {
            return Err(CryptoError::InvalidPoint { what });
        }
        let key = VerifyingKey::from_bytes(&arr).map_err(|_| CryptoError::InvalidPoint { what })?;
        Ok(Self(key))
    }

    /// The 32-byte encoding.
    pub fn to_bytes(&self) -> [u8; CREDENTIAL_KEY_LEN] {
        self.0.to_bytes()
    }

    /// Verifies a signature under the strict policy (spec: V3.6).
    pub fn verify(&self, message: &[u8], signature: &[u8]) -> Result<()> {
        let sig: [u8; SIGNATURE_LEN] = signature.try_into().map_err(|_| CryptoError::WrongLength {
            what: "signature",
            expected: SIGNATURE_LEN,
            found: signature.len(),
        })?;
        self.0.verify_strict(message, &Signature::from_bytes(&sig)).map_err(|_| CryptoError::ProofFailed {
            step: "V3.6",
            proof: "ed25519 signature",
            context: None,
        })
    }
}

impl fmt::Debug for CredentialPublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CredentialPublicKey({})", hex::encode(self.to_bytes()))
    }
}

crate::wire::hex_serde!(CredentialPublicKey);
