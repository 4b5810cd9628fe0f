//! Secret scalars: zeroized on drop, redacted in Debug, never serialized.

use core::fmt;

use curve25519_dalek::scalar::Scalar;
use rand_core::CryptoRngCore;
use subtle::ConditionallySelectable;
use zeroize::{Zeroize, ZeroizeOnDrop};

/// A secret scalar (a key share, ElGamal or proof randomness, a polynomial coefficient).
///
/// # Security
/// The value is wiped from memory when dropped, its `Debug` prints `<redacted>`,
/// and it has no `Serialize`: the only way out is [`SecretScalar::expose_secret`].
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct SecretScalar(Scalar);

impl SecretScalar {
    /// Wraps a scalar that the caller promises to treat as secret.
    pub fn new(s: Scalar) -> Self {
        Self(s)
    }

    /// A uniformly random secret scalar.
    pub fn random(rng: &mut impl CryptoRngCore) -> Self {
        Self(Scalar::random(rng))
    }

    /// Swaps two secrets if `choice` is set, in constant time.
    pub(crate) fn ct_swap(a: &mut Self, b: &mut Self, choice: subtle::Choice) {
        Scalar::conditional_swap(&mut a.0, &mut b.0, choice);
    }

    /// The secret value. Callers must not log or store it.
    pub fn expose_secret(&self) -> &Scalar {
        &self.0
    }
}

impl fmt::Debug for SecretScalar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretScalar(<redacted>)")
    }
}
