//! `spec/vectors/nonces.json`: known answers for the hedged prover nonces of
//! spec §4.6. Each case fixes the context, statement, witness and the caller
//! RNG's output and gives the nonce and the proof the prover must produce. Two
//! decryption cases share everything but the aggregate: the VM-snapshot attack
//! of §4.6, where only a nonce hedged on the statement differs.

use curve25519_dalek::constants::RISTRETTO_BASEPOINT_POINT;
use rand_core::RngCore;
use serde_json::{json, Value};
use shortlist_crypto::labels;
use shortlist_crypto::proofs::dleq::{DleqProof, DleqStatement};
use shortlist_crypto::proofs::schnorr::SchnorrProof;
use shortlist_crypto::secret::SecretScalar;
use shortlist_crypto::Point;

use super::context::{rebuild, Recorded, OPS_DOC};
use super::{bytes, field, generator, hash, hx, list, point, public_of, scalar, text};
use crate::common::hedge::{dleq_statement_by_hand, hedged_nonce_by_hand, schnorr_statement_by_hand};
use crate::common::{insecure_test_rng, InsecureFixedOutputTestRng};

/// The seed of this file's RNG (statements, witnesses and caller RNG outputs).
pub const SEED: u64 = 1006;

/// How the nonce of a case is derived; copied into the file.
const HEDGE_DOC: &str = "nonce = wide(64 bytes) read from merlin's RNG \
T'.build_rng().rekey_with_witness_bytes(\"witness\", x).finalize(caller RNG), where T' is the case's \
context followed by the proof's statement appends (schnorr: append_message(\"dom-sep\", \"schnorr-pok\"), \
append_message(\"X\", key); dleq: append_message(\"dom-sep\", \"chaum-pedersen\"), append_message(\"G2\", \
base), append_message(\"X1\", image_g), append_message(\"X2\", image_h)), i.e. the challenge transcript up \
to, not including, the commitments (spec: §4.6). The caller RNG returns `caller_rng` (32 bytes), which \
finalize reads once; the prover's self-check then reads it again for its batch weights, which do not \
change the proof. `context_only_nonce` is the same derivation with T' = the context alone, the hedge \
before issue 15: a conforming prover does not produce it.";

fn schnorr_case(name: &str, context: &Recorded, x: &SecretScalar, caller: [u8; 32]) -> Value {
    let key = public_of(x);
    let t = &context.transcript;
    let nonce = hedged_nonce_by_hand(&schnorr_statement_by_hand(t, &key), x.expose_secret(), caller);
    let old = hedged_nonce_by_hand(t, x.expose_secret(), caller);
    let mut rng = InsecureFixedOutputTestRng::new(caller);
    let proof = SchnorrProof::prove(t, &key, x, &mut rng).unwrap();
    assert_eq!(proof.commitment, Point::from_point(RISTRETTO_BASEPOINT_POINT * nonce), "{name}");
    json!({
        "name": name, "kind": "schnorr", "context": context.ops(),
        "statement": {"key": hx(key.to_bytes())},
        "witness": {"x": hx(x.expose_secret().to_bytes())},
        "caller_rng": hx(caller), "nonce": hx(nonce.to_bytes()), "context_only_nonce": hx(old.to_bytes()),
        "proof": hx(proof.to_bytes()),
    })
}

fn dleq_case(name: &str, context: &Recorded, base: Point, x: &SecretScalar, caller: [u8; 32]) -> Value {
    let st = DleqStatement {
        base,
        image_g: public_of(x),
        image_h: Point::from_point(x.expose_secret() * base.point()),
    };
    let t = &context.transcript;
    let nonce = hedged_nonce_by_hand(&dleq_statement_by_hand(t, &st), x.expose_secret(), caller);
    let old = hedged_nonce_by_hand(t, x.expose_secret(), caller);
    let mut rng = InsecureFixedOutputTestRng::new(caller);
    let proof = DleqProof::prove(t, &st, x, &mut rng).unwrap();
    assert_eq!(proof.commitment_h, Point::from_point(base.point() * nonce), "{name}");
    json!({
        "name": name, "kind": "dleq", "context": context.ops(),
        "statement": {
            "base": hx(st.base.to_bytes()), "image_g": hx(st.image_g.to_bytes()), "image_h": hx(st.image_h.to_bytes()),
        },
        "witness": {"x": hx(x.expose_secret().to_bytes())},
        "caller_rng": hx(caller), "nonce": hx(nonce.to_bytes()), "context_only_nonce": hx(old.to_bytes()),
        "proof": hx(proof.to_bytes()),
    })
}

fn random_point(rng: &mut rand_chacha::ChaCha20Rng) -> Point {
    public_of(&SecretScalar::random(rng))
}

/// Builds `nonces.json`.
pub fn generate() -> Value {
    let mut rng = insecure_test_rng(SEED);
    let mut manifest = [0u8; 32];
    let mut definition = [0u8; 32];
    let mut caller = [0u8; 32];
    rng.fill_bytes(&mut manifest);
    rng.fill_bytes(&mut definition);
    rng.fill_bytes(&mut caller);
    let joint = random_point(&mut rng);
    let ceremony = || {
        Recorded::protocol()
            .dom(labels::DS_CEREMONY)
            .hash(labels::MANIFEST, &manifest)
            .int(labels::TRUSTEES_N, 3)
            .int(labels::THRESHOLD_T, 2)
    };
    // Schnorr π_C of trustee 1, in the style of spec §4.4 (its context shortened).
    let a0 = SecretScalar::random(&mut rng);
    let pok_ctx = ceremony().int(labels::TRUSTEE, 1).int(labels::INDEX, 0);
    let schnorr = schnorr_case("Schnorr, key-ceremony proof of a₁,₀", &pok_ctx, &a0, caller);
    // Trustee 2's share decrypts item 0 of two different one-item tallies (spec: §4.5, §7.1).
    let share = SecretScalar::random(&mut rng);
    let dec_ctx = Recorded::protocol()
        .dom(labels::DS_DECRYPTION)
        .hash(labels::MANIFEST, &manifest)
        .hash(labels::DEFINITION, &definition)
        .point(labels::JOINT_KEY, &joint)
        .int(labels::TRUSTEE, 2)
        .int(labels::COUNT, 1)
        .int(labels::INDEX, 0);
    let (a1, a2) = (random_point(&mut rng), random_point(&mut rng));
    let dec1 = dleq_case("Chaum–Pedersen, decryption of aggregate 1", &dec_ctx, a1, &share, caller);
    let dec2 = dleq_case(
        "Chaum–Pedersen, decryption of aggregate 2 (same context, share and caller RNG as aggregate 1)",
        &dec_ctx,
        a2,
        &share,
        caller,
    );
    // Recipient 2's complaint against sender 1 (spec: §4.4, §6.4): H = E₁, witness e₂.
    let e2 = SecretScalar::random(&mut rng);
    let e1_key = random_point(&mut rng);
    let cpl_ctx = ceremony().dom(labels::DS_COMPLAINT).int(labels::SENDER, 1).int(labels::RECIPIENT, 2);
    let complaint = dleq_case("Chaum–Pedersen, complaint of 2 against 1", &cpl_ctx, e1_key, &e2, caller);
    json!({
        "description": "Hedged prover nonces (spec: §4.6) of the Schnorr (§5.1) and Chaum–Pedersen (§5.2) \
                        provers. Each case fixes the `context`, the `statement`, the `witness` (test data) and \
                        the 32 bytes the caller's RNG returns (`caller_rng`, on every call: a deterministic \
                        test RNG, as a system RNG replayed from a VM snapshot would be); `nonce` is the nonce \
                        the prover must draw and `proof` the proof it must output (R = nonce·B₀, and for dleq \
                        R₂ = nonce·base). The two decryption cases differ only in the aggregate (`base`): \
                        their nonces differ, while their `context_only_nonce`s (the pre-fix hedge) are equal, \
                        which would have given away the share x = (z₁ − z₂)/(c₁ − c₂).",
        "context_ops": OPS_DOC,
        "hedge": HEDGE_DOC,
        "generator": generator("nonces", json!({"rng": SEED})),
        "valid": [schnorr, dec1, dec2, complaint],
    })
}

/// The statement transcript T' of a case, by hand (spec: §5.1, §5.2).
fn statement_transcript(case: &Value) -> merlin::Transcript {
    let t = rebuild(field(case, "context"));
    let st = field(case, "statement");
    match text(case, "kind") {
        "schnorr" => schnorr_statement_by_hand(&t, &point(st, "key")),
        "dleq" => dleq_statement_by_hand(&t, &dleq_statement(st)),
        other => panic!("unknown proof kind {other:?}"),
    }
}

fn dleq_statement(st: &Value) -> DleqStatement {
    DleqStatement { base: point(st, "base"), image_g: point(st, "image_g"), image_h: point(st, "image_h") }
}

/// Runs the crate's prover on the case with the fixed caller RNG.
fn prove(case: &Value, x: &SecretScalar, caller: [u8; 32]) -> (Vec<u8>, Vec<Point>) {
    let t = rebuild(field(case, "context"));
    let st = field(case, "statement");
    let mut rng = InsecureFixedOutputTestRng::new(caller);
    match text(case, "kind") {
        "schnorr" => {
            let p = SchnorrProof::prove(&t, &point(st, "key"), x, &mut rng).unwrap();
            SchnorrProof::from_bytes(&p.to_bytes()).unwrap().verify(&t, &point(st, "key"), &mut rng).unwrap();
            (p.to_bytes(), vec![p.commitment])
        }
        _ => {
            let st = dleq_statement(st);
            let p = DleqProof::prove(&t, &st, x, &mut rng).unwrap();
            DleqProof::from_bytes(&p.to_bytes()).unwrap().verify(&t, &st, &mut rng).unwrap();
            (p.to_bytes(), vec![p.commitment_g, p.commitment_h])
        }
    }
}

/// Checks `nonces.json`.
pub fn check(v: &Value) {
    let cases = list(v, "valid");
    for case in cases {
        let name = text(case, "name");
        let x = SecretScalar::new(scalar(field(case, "witness"), "x"));
        let caller = hash(case, "caller_rng");
        let nonce = scalar(case, "nonce");
        let by_hand = hedged_nonce_by_hand(&statement_transcript(case), x.expose_secret(), caller);
        assert_eq!(by_hand, nonce, "{name}: nonce is not the hedge of spec §4.6");
        let old = hedged_nonce_by_hand(&rebuild(field(case, "context")), x.expose_secret(), caller);
        assert_eq!(old, scalar(case, "context_only_nonce"), "{name}: context-only nonce");
        assert_ne!(old, nonce, "{name}: the hedge ignores the statement");
        let (proof, commitments) = prove(case, &x, caller);
        assert_eq!(proof, bytes(case, "proof"), "{name}: the prover's output differs from the vector");
        let mut expected = vec![Point::from_point(RISTRETTO_BASEPOINT_POINT * nonce)];
        if text(case, "kind") == "dleq" {
            expected.push(Point::from_point(point(field(case, "statement"), "base").point() * nonce));
        }
        assert_eq!(commitments, expected, "{name}: the commitments are not made with `nonce`");
    }
    // The VM-snapshot pair: same context, witness and caller RNG, different statements.
    let mut pairs = 0;
    for (i, a) in cases.iter().enumerate() {
        for b in cases.iter().skip(i + 1) {
            let same = |k: &str| field(a, k) == field(b, k);
            if same("kind") && same("context") && same("witness") && same("caller_rng") && !same("statement")
            {
                pairs += 1;
                assert_eq!(field(a, "context_only_nonce"), field(b, "context_only_nonce"));
                assert_ne!(scalar(a, "nonce"), scalar(b, "nonce"), "a repeated RNG repeats the nonce");
            }
        }
    }
    assert!(pairs >= 1, "nonces.json must hold a pair of statements sharing context, witness and caller RNG");
}
