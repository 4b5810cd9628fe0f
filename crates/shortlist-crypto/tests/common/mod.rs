//! Helpers shared by the integration tests. Deterministic RNGs appear only here,
//! under loud names.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

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
