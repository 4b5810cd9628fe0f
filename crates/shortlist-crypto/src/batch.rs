//! Randomized batch verification (spec: §5.5).
//!
//! Every proof is a set of linear equations `Σ cᵢ·Pᵢ = 0` over group elements.
//! A proof adds its equations as one *item*, each equation multiplied by a fresh
//! 128-bit random weight. [`BatchVerifier::verify`] checks the sum of all items
//! with one variable-time multiscalar multiplication; if that fails it checks
//! each item alone and names every item that fails.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use curve25519_dalek::constants::RISTRETTO_BASEPOINT_POINT;
use curve25519_dalek::ristretto::RistrettoPoint;
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::{IsIdentity, VartimeMultiscalarMul};
use rand_chacha::ChaCha20Rng;
use rand_core::{CryptoRngCore, RngCore, SeedableRng};

use crate::error::{CryptoError, Result};
use crate::wire::Point;

/// Names one item of a batch so that a failure can be blamed on it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ItemLabel {
    /// The caller's tag (e.g. the board index of a ballot).
    pub tag: u64,
    /// The kind of proof.
    pub kind: &'static str,
    /// The index of the proof within its tag (e.g. candidate number).
    pub index: u32,
}

impl fmt::Display for ItemLabel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{} {} {}", self.tag, self.kind, self.index)
    }
}

/// A handle to a base shared by many items (the generator, a joint key).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SharedBase(usize);

/// The generator `B` is always shared base 0.
pub const GENERATOR: SharedBase = SharedBase(0);

struct Item {
    label: ItemLabel,
    terms: core::ops::Range<usize>,
    shared: core::ops::Range<usize>,
}

/// Collects the weighted equations of many proofs and checks them at once.
pub struct BatchVerifier {
    // Seeded once from the caller's RNG: weights need no system call each.
    rng: ChaCha20Rng,
    tag: u64,
    shared_points: Vec<RistrettoPoint>,
    items: Vec<Item>,
    scalars: Vec<Scalar>,
    points: Vec<RistrettoPoint>,
    // Per item, one coefficient per shared base known when the item was opened.
    shared_coeffs: Vec<(usize, Scalar)>,
}

impl BatchVerifier {
    /// An empty batch drawing its weights from a ChaCha20 stream seeded by `rng`.
    pub fn new(mut rng: impl CryptoRngCore) -> Self {
        let mut seed = [0u8; 32];
        rng.fill_bytes(&mut seed);
        Self {
            rng: ChaCha20Rng::from_seed(seed),
            tag: 0,
            shared_points: alloc::vec![RISTRETTO_BASEPOINT_POINT],
            items: Vec::new(),
            scalars: Vec::new(),
            points: Vec::new(),
            shared_coeffs: Vec::new(),
        }
    }

    /// Registers a base that many items use, so its coefficients are summed.
    pub fn shared_base(&mut self, point: &Point) -> SharedBase {
        self.shared_points.push(*point.point());
        SharedBase(self.shared_points.len() - 1)
    }

    /// Sets the tag that labels the items added from now on.
    pub fn set_tag(&mut self, tag: u64) {
        self.tag = tag;
    }

    /// Reserves room for `terms` more terms and `items` more items.
    pub fn reserve(&mut self, terms: usize, items: usize) {
        self.scalars.reserve(terms);
        self.points.reserve(terms);
        self.items.reserve(items);
        self.shared_coeffs.reserve(2 * items);
    }

    /// How many items the batch holds.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether the batch holds no item.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Opens a new item; its equations are added through the returned builder.
    pub fn item(&mut self, kind: &'static str, index: u32) -> ItemBuilder<'_> {
        let label = ItemLabel { tag: self.tag, kind, index };
        let t = self.scalars.len();
        let s = self.shared_coeffs.len();
        self.items.push(Item { label, terms: t..t, shared: s..s });
        ItemBuilder { batch: self, weight: Scalar::ZERO }
    }

    fn total_holds(&self) -> bool {
        let mut shared = alloc::vec![Scalar::ZERO; self.shared_points.len()];
        for (i, c) in &self.shared_coeffs {
            if let Some(slot) = shared.get_mut(*i) {
                *slot += c;
            }
        }
        RistrettoPoint::vartime_multiscalar_mul(
            shared.iter().chain(self.scalars.iter()),
            self.shared_points.iter().chain(self.points.iter()),
        )
        .is_identity()
    }

    /// Checks every equation of every item in one multiscalar multiplication.
    /// On failure, names each item that fails alone (spec: §5.5).
    pub fn verify(self) -> Result<()> {
        if self.is_empty() || self.total_holds() {
            return Ok(());
        }
        let culprits: Vec<String> = self
            .items
            .iter()
            .filter(|item| !self.item_holds(item))
            .map(|item| alloc::format!("{}", item.label))
            .collect();
        Err(CryptoError::BatchFailed { culprits })
    }

    /// Checks every item at once and, only if that fails, each alone: the
    /// labels of the failing items (empty when the batch holds).
    pub fn failing_items_if_any(&self) -> Vec<ItemLabel> {
        if self.is_empty() || self.total_holds() {
            Vec::new()
        } else {
            self.failing_items()
        }
    }

    /// Checks each item alone and returns the labels of those that fail.
    pub fn failing_items(&self) -> Vec<ItemLabel> {
        self.items.iter().filter(|i| !self.item_holds(i)).map(|i| i.label).collect()
    }

    fn item_holds(&self, item: &Item) -> bool {
        let (Some(sc), Some(pt), Some(sh)) = (
            self.scalars.get(item.terms.clone()),
            self.points.get(item.terms.clone()),
            self.shared_coeffs.get(item.shared.clone()),
        ) else {
            return false;
        };
        let shared_pts = sh.iter().map(|(i, _)| self.shared_points.get(*i).copied());
        let shared_pts: Option<Vec<RistrettoPoint>> = shared_pts.collect();
        let Some(shared_pts) = shared_pts else {
            return false;
        };
        RistrettoPoint::vartime_multiscalar_mul(
            sh.iter().map(|(_, c)| c).chain(sc.iter()),
            shared_pts.iter().chain(pt.iter()),
        )
        .is_identity()
    }
}

/// Adds the equations of one item. Call [`ItemBuilder::equation`] before the
/// terms of each equation: it draws that equation's random weight.
pub struct ItemBuilder<'a> {
    batch: &'a mut BatchVerifier,
    weight: Scalar,
}

impl ItemBuilder<'_> {
    /// Starts a new equation with a fresh 128-bit weight and returns it, so the
    /// caller may fold it into coefficients it combines itself.
    pub fn equation(&mut self) -> Scalar {
        self.weight = random_weight(&mut self.batch.rng);
        self.weight
    }

    /// Adds `coeff · weight · P` for a point of this proof.
    pub fn term(&mut self, coeff: Scalar, point: &RistrettoPoint) {
        self.raw_term(coeff * self.weight, point);
    }

    /// Adds `coeff · weight · base` for a shared base.
    pub fn shared(&mut self, base: SharedBase, coeff: Scalar) {
        self.raw_shared(base, coeff * self.weight);
    }

    /// Adds `coeff · P` with the weight already folded into `coeff`.
    pub fn raw_term(&mut self, coeff: Scalar, point: &RistrettoPoint) {
        self.batch.scalars.push(coeff);
        self.batch.points.push(*point);
        if let Some(item) = self.batch.items.last_mut() {
            item.terms.end = self.batch.scalars.len();
        }
    }

    /// Adds `coeff · base` with the weight already folded into `coeff`.
    pub fn raw_shared(&mut self, base: SharedBase, coeff: Scalar) {
        self.batch.shared_coeffs.push((base.0, coeff));
        if let Some(item) = self.batch.items.last_mut() {
            item.shared.end = self.batch.shared_coeffs.len();
        }
    }
}

/// Draws a fresh 128-bit weight.
fn random_weight(rng: &mut impl RngCore) -> Scalar {
    let mut w = [0u8; 16];
    rng.fill_bytes(&mut w);
    Scalar::from(u128::from_le_bytes(w))
}
