//! The hedged prover nonce of spec §4.6 and the statement appends of §5.1 and
//! §5.2, written out by hand with raw merlin calls from the spec text, so that
//! tests hold the crate to the spec rather than to itself.

use curve25519_dalek::scalar::Scalar;
use merlin::Transcript;
use rand_core::RngCore;
use shortlist_crypto::proofs::dleq::DleqStatement;
use shortlist_crypto::Point;

use super::InsecureFixedOutputTestRng;

/// `T ‖ append_message("dom-sep", "schnorr-pok") ‖ append_message("X", X)` (spec: §5.1).
pub fn schnorr_statement_by_hand(context: &Transcript, key: &Point) -> Transcript {
    let mut t = context.clone();
    t.append_message(b"dom-sep", b"schnorr-pok");
    t.append_message(b"X", &key.to_bytes());
    t
}

/// `T ‖ dom-sep "chaum-pedersen" ‖ "G2": H ‖ "X1": X₁ ‖ "X2": X₂` (spec: §5.2).
pub fn dleq_statement_by_hand(context: &Transcript, st: &DleqStatement) -> Transcript {
    let mut t = context.clone();
    t.append_message(b"dom-sep", b"chaum-pedersen");
    t.append_message(b"G2", &st.base.to_bytes());
    t.append_message(b"X1", &st.image_g.to_bytes());
    t.append_message(b"X2", &st.image_h.to_bytes());
    t
}

/// The nonce of spec §4.6 from the transcript `t` it is hedged on: merlin's
/// `t.build_rng()`, rekeyed with the witness under `"witness"`, finalized with
/// a caller RNG whose output is `caller`, then 64 bytes reduced mod ℓ.
pub fn hedged_nonce_by_hand(t: &Transcript, witness: &Scalar, caller: [u8; 32]) -> Scalar {
    let mut rng = t
        .build_rng()
        .rekey_with_witness_bytes(b"witness", witness.as_bytes())
        .finalize(&mut InsecureFixedOutputTestRng::new(caller));
    let mut wide = [0u8; 64];
    rng.fill_bytes(&mut wide);
    Scalar::from_bytes_mod_order_wide(&wide)
}

/// The challenge over a statement transcript: the commitments, in order, then
/// `challenge_bytes("challenge", 64)` reduced mod ℓ (spec: §4.1, §5.1, §5.2).
pub fn challenge_by_hand(t: &Transcript, commitments: &[(&'static [u8], &Point)]) -> Scalar {
    let mut t = t.clone();
    for (label, p) in commitments {
        t.append_message(label, &p.to_bytes());
    }
    let mut wide = [0u8; 64];
    t.challenge_bytes(b"challenge", &mut wide);
    Scalar::from_bytes_mod_order_wide(&wide)
}
