//! Exponential ElGamal on ristretto255 (spec: §5.0).
//!
//! `Enc_K(m; r) = (A, B) = (r·B₀, m·B₀ + r·K)` where `B₀` is the ristretto255
//! generator and `K` the joint public key. Ciphertexts add component-wise, so
//! the sum of encryptions of `mᵢ` encrypts `Σ mᵢ`.

use alloc::vec::Vec;

use curve25519_dalek::constants::{RISTRETTO_BASEPOINT_POINT, RISTRETTO_BASEPOINT_TABLE};
use curve25519_dalek::ristretto::{RistrettoBasepointTable, RistrettoPoint};
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::Identity;

use crate::error::{CryptoError, Result};
use crate::secret::SecretScalar;
use crate::wire::{hex_serde, Point, Reader, WriteExt};

/// An ElGamal ciphertext `(A, B)`, 64 bytes on the wire: `A ‖ B` (spec: §3.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ciphertext {
    /// `r·B₀`.
    pub a: Point,
    /// `m·B₀ + r·K`.
    pub b: Point,
}

/// Length of a ciphertext encoding.
pub const CIPHERTEXT_LEN: usize = 64;

impl Ciphertext {
    /// The encryption of 0 with randomness 0: the neutral element of addition.
    pub fn zero() -> Self {
        Self { a: Point::identity(), b: Point::identity() }
    }

    /// Encrypts `m` under `key` with explicit randomness `r` (spec: §5.0).
    pub fn encrypt(key: &Point, m: u64, r: &SecretScalar) -> Self {
        let r = r.expose_secret();
        let a = r * RISTRETTO_BASEPOINT_TABLE;
        let b = &Scalar::from(m) * RISTRETTO_BASEPOINT_TABLE + r * key.point();
        Self { a: Point::from_point(a), b: Point::from_point(b) }
    }

    /// The component-wise sum of two ciphertexts.
    pub fn add(&self, other: &Self) -> Self {
        Self {
            a: Point::from_point(self.a.point() + other.a.point()),
            b: Point::from_point(self.b.point() + other.b.point()),
        }
    }

    /// The sum of many ciphertexts, compressing only once.
    pub fn sum<'a>(cts: impl IntoIterator<Item = &'a Ciphertext>) -> Self {
        let (a, b) =
            cts.into_iter().fold((RistrettoPoint::identity(), RistrettoPoint::identity()), |(a, b), ct| {
                (a + ct.a.point(), b + ct.b.point())
            });
        Self { a: Point::from_point(a), b: Point::from_point(b) }
    }

    /// The 64-byte encoding `A ‖ B`.
    pub fn to_bytes(&self) -> [u8; CIPHERTEXT_LEN] {
        let mut out = [0u8; CIPHERTEXT_LEN];
        let (x, y) = out.split_at_mut(32);
        x.copy_from_slice(&self.a.to_bytes());
        y.copy_from_slice(&self.b.to_bytes());
        out
    }

    /// Decodes `A ‖ B`; both must be canonical points (identity allowed).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        if bytes.len() != CIPHERTEXT_LEN {
            return Err(CryptoError::WrongLength {
                what: "ciphertext",
                expected: CIPHERTEXT_LEN,
                found: bytes.len(),
            });
        }
        let mut r = Reader::new("ciphertext", bytes);
        let ct = Self { a: r.point()?, b: r.point()? };
        r.finish()?;
        Ok(ct)
    }

    pub(crate) fn write(&self, out: &mut Vec<u8>) {
        out.put_point(&self.a);
        out.put_point(&self.b);
    }
}

hex_serde!(Ciphertext);

/// An ElGamal secret key `x` with public key `x·B₀` (single-key use and tests;
/// a poll's key is shared among trustees, see [`crate::threshold`]).
#[derive(Clone, Debug)]
pub struct SecretKey(SecretScalar);

impl SecretKey {
    /// A random key.
    pub fn random(rng: &mut impl rand_core::CryptoRngCore) -> Self {
        Self(SecretScalar::random(rng))
    }

    /// Wraps a secret scalar.
    pub fn from_secret(s: SecretScalar) -> Self {
        Self(s)
    }

    /// The public key `x·B₀`.
    pub fn public_key(&self) -> Point {
        Point::from_point(self.0.expose_secret() * RISTRETTO_BASEPOINT_TABLE)
    }

    /// The partial decryption `x·A` (spec: §7.1).
    pub fn partial_decrypt(&self, ct: &Ciphertext) -> RistrettoPoint {
        self.0.expose_secret() * ct.a.point()
    }

    /// Decrypts to the group element `m·B₀ = B − x·A`.
    pub fn decrypt_to_point(&self, ct: &Ciphertext) -> RistrettoPoint {
        ct.b.point() - self.partial_decrypt(ct)
    }
}

/// Precomputation for encrypting and proving under one key: a fixed-base
/// table for `K` (the generator's table is built in). Build it once per poll.
///
/// Every point the prover makes is computed halved and then compressed with
/// `double_and_compress_batch`, which shares one field inversion over a batch.
pub struct Encrypter {
    key: Point,
    key_table: RistrettoBasepointTable,
    half: Scalar,
    half_generator: RistrettoPoint,
}

impl Encrypter {
    /// Builds the tables for `key`.
    pub fn new(key: &Point) -> Self {
        let half = Scalar::from(2u8).invert();
        Self {
            key: *key,
            key_table: RistrettoBasepointTable::create(key.point()),
            half,
            half_generator: &half * RISTRETTO_BASEPOINT_TABLE,
        }
    }

    /// The key this encrypter encrypts to.
    pub fn key(&self) -> &Point {
        &self.key
    }

    /// `(g·B₀ + k·K) / 2`, computed in constant time with the fixed-base tables.
    pub(crate) fn half_combo(&self, g: &Scalar, k: &Scalar) -> RistrettoPoint {
        let hg = g * self.half;
        let hk = k * self.half;
        &hg * RISTRETTO_BASEPOINT_TABLE + &hk * &self.key_table
    }

    /// `k·K / 2`, in constant time.
    pub(crate) fn half_k(&self, k: &Scalar) -> RistrettoPoint {
        &(k * self.half) * &self.key_table
    }

    /// `B₀ / 2`.
    pub(crate) fn half_generator(&self) -> RistrettoPoint {
        self.half_generator
    }

    /// `g·B₀ / 2`, in constant time.
    pub(crate) fn half_g(&self, g: &Scalar) -> RistrettoPoint {
        &(g * self.half) * RISTRETTO_BASEPOINT_TABLE
    }
}

/// Turns halved points into [`Point`]s: one batched compression of their doubles.
pub(crate) fn finish_halves(halves: &[RistrettoPoint]) -> Vec<Point> {
    let compressed = RistrettoPoint::double_and_compress_batch(halves);
    halves.iter().zip(compressed).map(|(h, c)| Point::from_parts(c, h + h)).collect()
}

/// `m·B₀` for a small integer `m`.
pub fn encode_plaintext(m: u64) -> RistrettoPoint {
    if m == 1 {
        RISTRETTO_BASEPOINT_POINT
    } else {
        &Scalar::from(m) * RISTRETTO_BASEPOINT_TABLE
    }
}
