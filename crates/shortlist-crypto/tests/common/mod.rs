//! Helpers shared by the integration tests. Deterministic RNGs appear only here,
//! under loud names.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

pub mod hedge;

use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use shortlist_crypto::dkg::transport::ShareCheck;
use shortlist_crypto::dkg::{self, CeremonyParams, CommitmentMessage, GroupPublic, TrusteeSecrets};
use shortlist_crypto::secret::SecretScalar;
use shortlist_crypto::threshold::KeyShare;
use shortlist_crypto::transcript::ElectionContext;

/// A seeded RNG: for tests and vectors only, never for real keys or ballots.
pub fn insecure_test_rng(seed: u64) -> ChaCha20Rng {
    ChaCha20Rng::seed_from_u64(seed)
}

/// An RNG that answers every request with the same bytes: `block` from its
/// first byte, cycled to the length asked for, on every call. It models a
/// system RNG replayed from a VM snapshot (spec: §4.6) and gives the known
/// answers of `spec/vectors/nonces.json` their caller RNG. Tests only: it is
/// as insecure as an RNG can be.
#[derive(Clone)]
pub struct InsecureFixedOutputTestRng {
    block: [u8; 32],
}

impl InsecureFixedOutputTestRng {
    /// An RNG that returns `block` (cycled) on every call.
    pub fn new(block: [u8; 32]) -> Self {
        Self { block }
    }
}

impl rand_core::RngCore for InsecureFixedOutputTestRng {
    fn next_u32(&mut self) -> u32 {
        let mut b = [0u8; 4];
        self.fill_bytes(&mut b);
        u32::from_le_bytes(b)
    }
    fn next_u64(&mut self) -> u64 {
        let mut b = [0u8; 8];
        self.fill_bytes(&mut b);
        u64::from_le_bytes(b)
    }
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        for (d, s) in dest.iter_mut().zip(self.block.iter().cycle()) {
            *d = *s;
        }
    }
    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand_core::Error> {
        self.fill_bytes(dest);
        Ok(())
    }
}

impl rand_core::CryptoRng for InsecureFixedOutputTestRng {}

pub const MANIFEST: [u8; 32] = [7u8; 32];
pub const DEFINITION: [u8; 32] = [9u8; 32];

/// Runs an honest ceremony and returns the public outcome and every key share.
pub fn honest_ceremony(
    n: u16,
    t: u16,
    rng: &mut ChaCha20Rng,
) -> (CeremonyParams, GroupPublic, Vec<KeyShare>) {
    let params = CeremonyParams { manifest_hash: MANIFEST, n, t };
    let mut secrets: Vec<TrusteeSecrets> = Vec::new();
    let mut msgs: Vec<CommitmentMessage> = Vec::new();
    for i in 1..=n {
        let (s, m) = dkg::start(&params, i, rng).unwrap();
        secrets.push(s);
        msgs.push(m);
    }
    for m in &msgs {
        m.verify(&params, rng).unwrap();
    }
    let shares: Vec<_> = secrets.iter().flat_map(|s| s.encrypt_shares(&params, &msgs).unwrap()).collect();
    let qual: Vec<&CommitmentMessage> = msgs.iter().collect();
    let public = GroupPublic::derive(&params, &qual).unwrap();
    let qual_idx: Vec<u16> = (1..=n).collect();
    let mut keys = Vec::new();
    for s in &secrets {
        let me = &msgs[usize::from(s.index() - 1)];
        let mut received: Vec<(u16, SecretScalar)> = Vec::new();
        for sh in shares.iter().filter(|sh| sh.recipient == s.index()) {
            let sender = &msgs[usize::from(sh.sender - 1)];
            match s.receive_share(&params, sender, me, sh, rng).unwrap() {
                ShareCheck::Valid(v) => received.push((sh.sender, v)),
                ShareCheck::Invalid(c) => panic!("honest share rejected: {c:?}"),
            }
        }
        keys.push(s.finish(&params, &public, &qual_idx, &received).unwrap());
    }
    (params, public, keys)
}

pub fn election(public: &GroupPublic) -> ElectionContext {
    ElectionContext { manifest_hash: MANIFEST, definition_hash: DEFINITION, joint_key: public.joint_key }
}

/// An RNG that yields the first `prefix` bytes of `insecure_test_rng(other)`
/// and then the rest of `insecure_test_rng(base)`'s stream from byte `prefix`
/// on. For tests only: it makes a trustee whose first draws (its polynomial)
/// differ from another run's while its later draws (its encryption key) agree.
pub struct InsecureSplicedTestRng {
    first: ChaCha20Rng,
    second: ChaCha20Rng,
    left: usize,
}

/// See [`InsecureSplicedTestRng`]; `prefix` must be a multiple of 4.
pub fn insecure_spliced_test_rng(other: u64, base: u64, prefix: usize) -> InsecureSplicedTestRng {
    use rand_core::RngCore;
    assert_eq!(prefix % 4, 0, "ChaCha20Rng hands out whole 32-bit words");
    let mut second = insecure_test_rng(base);
    let mut skip = vec![0u8; prefix];
    second.fill_bytes(&mut skip);
    InsecureSplicedTestRng { first: insecure_test_rng(other), second, left: prefix }
}

impl rand_core::RngCore for InsecureSplicedTestRng {
    fn next_u32(&mut self) -> u32 {
        let mut b = [0u8; 4];
        self.fill_bytes(&mut b);
        u32::from_le_bytes(b)
    }
    fn next_u64(&mut self) -> u64 {
        let mut b = [0u8; 8];
        self.fill_bytes(&mut b);
        u64::from_le_bytes(b)
    }
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        let n = dest.len().min(self.left);
        let (head, tail) = dest.split_at_mut(n);
        self.first.fill_bytes(head);
        self.left -= n;
        self.second.fill_bytes(tail);
    }
    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand_core::Error> {
        self.fill_bytes(dest);
        Ok(())
    }
}

impl rand_core::CryptoRng for InsecureSplicedTestRng {}

/// Round one of a ceremony: every trustee's secrets and verified commitment message.
pub fn round_one(
    n: u16,
    t: u16,
    rng: &mut ChaCha20Rng,
) -> (CeremonyParams, Vec<TrusteeSecrets>, Vec<CommitmentMessage>) {
    let params = CeremonyParams { manifest_hash: MANIFEST, n, t };
    let mut secrets = Vec::new();
    let mut msgs = Vec::new();
    for i in 1..=n {
        let (s, m) = dkg::start(&params, i, rng).unwrap();
        m.verify(&params, rng).unwrap();
        secrets.push(s);
        msgs.push(m);
    }
    (params, secrets, msgs)
}

/// What kind of 32-byte field sits at an offset of an encoding.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    /// A canonical point encoding.
    Point,
    /// A canonical scalar encoding.
    Scalar,
}

/// A copy of `bytes` with the field at `offset` changed: a point becomes
/// another valid point (`P + B₀`), a scalar becomes `s + 1`.
pub fn tamper(bytes: &[u8], offset: usize, field: Field) -> Vec<u8> {
    use curve25519_dalek::constants::RISTRETTO_BASEPOINT_POINT;
    use curve25519_dalek::ristretto::CompressedRistretto;
    use curve25519_dalek::scalar::Scalar;
    let mut out = bytes.to_vec();
    let old: [u8; 32] = bytes[offset..offset + 32].try_into().unwrap();
    let new = match field {
        Field::Point => {
            let p = CompressedRistretto(old).decompress().expect("not a point at this offset");
            (p + RISTRETTO_BASEPOINT_POINT).compress().to_bytes()
        }
        Field::Scalar => {
            let s = Option::<Scalar>::from(Scalar::from_canonical_bytes(old)).expect("not a scalar here");
            (s + Scalar::ONE).to_bytes()
        }
    };
    out[offset..offset + 32].copy_from_slice(&new);
    out
}

/// The fields of a `k`-branch disjunctive proof encoded at `base`:
/// `(a_v ‖ b_v)_v ‖ (c_v)_{v<k−1} ‖ (z_v)_v`, each with a name.
pub fn disjunctive_fields(base: usize, k: usize) -> Vec<(String, usize, Field)> {
    let mut out = Vec::new();
    for v in 0..k {
        out.push((format!("a{v}"), base + 64 * v, Field::Point));
        out.push((format!("b{v}"), base + 64 * v + 32, Field::Point));
    }
    for v in 0..k - 1 {
        out.push((format!("c{v}"), base + 64 * k + 32 * v, Field::Scalar));
    }
    for v in 0..k {
        out.push((format!("z{v}"), base + 64 * k + 32 * (k - 1) + 32 * v, Field::Scalar));
    }
    out
}
