//! `spec/vectors/proofs.json`: one valid proof of each kind (Schnorr,
//! Chaum–Pedersen, bit proof for m = 0 and m = 1, range proof [0, 3] with
//! m = 2), each with its statement and context, plus tampered copies
//! (spec: §5, V2.1–V2.4).

use curve25519_dalek::constants::RISTRETTO_BASEPOINT_POINT;
use rand_core::RngCore;
use serde_json::{json, Value};
use shortlist_crypto::elgamal::{Ciphertext, Encrypter};
use shortlist_crypto::labels;
use shortlist_crypto::proofs::bit::BitProof;
use shortlist_crypto::proofs::dleq::{DleqProof, DleqStatement};
use shortlist_crypto::proofs::range::RangeProof;
use shortlist_crypto::proofs::schnorr::SchnorrProof;
use shortlist_crypto::secret::SecretScalar;
use shortlist_crypto::{CryptoError, Point, Scalar};

use super::context::{rebuild, Recorded, OPS_DOC};
use super::{
    bump_last_scalar, bytes, ell_bytes, expect_error, expecting, field, generator, hx, int, list, point,
    public_of, scalar, text,
};
use crate::common::insecure_test_rng;

/// The seed of this file's RNG.
pub const SEED: u64 = 1002;

fn case(name: &str, kind: &str, statement: Value, context: &Recorded, proof: &[u8]) -> Value {
    json!({"name": name, "kind": kind, "statement": statement, "context": context.ops(), "proof": hx(proof)})
}

fn ct_json(key: &Point, ct: &Ciphertext) -> Value {
    json!({"key": hx(key.to_bytes()), "ciphertext": hx(ct.to_bytes())})
}

fn shifted(p: &Point) -> Point {
    Point::from_point(p.point() + RISTRETTO_BASEPOINT_POINT)
}

fn schnorr(rng: &mut rand_chacha::ChaCha20Rng, manifest: &[u8; 32], out: &mut (Vec<Value>, Vec<Value>)) {
    let x = SecretScalar::random(rng);
    let key = public_of(&x);
    let ctx = |trustee| {
        Recorded::protocol()
            .dom(labels::DS_CEREMONY)
            .hash(labels::MANIFEST, manifest)
            .int(labels::TRUSTEES_N, 5)
            .int(labels::THRESHOLD_T, 3)
            .int(labels::TRUSTEE, trustee)
            .int(labels::INDEX, 0)
    };
    let c = ctx(1);
    let proof = SchnorrProof::prove(&c.transcript, &key, &x, rng).unwrap().to_bytes();
    let st = json!({"key": hx(key.to_bytes())});
    let mut valid = case("Schnorr", "schnorr", st.clone(), &c, &proof);
    valid["witness"] = json!({"x": hx(x.expose_secret().to_bytes())});
    out.0.push(valid);
    let other_key = json!({"key": hx(shifted(&key).to_bytes())});
    let mut bad_z = proof.clone();
    bad_z[32..].copy_from_slice(&ell_bytes());
    out.1.extend([
        expecting(
            case("Schnorr: response + 1", "schnorr", st.clone(), &c, &bump_last_scalar(&proof)),
            "V2.1",
        ),
        expecting(case("Schnorr: other key", "schnorr", other_key, &c, &proof), "V2.1"),
        expecting(case("Schnorr: other context (trustee 2)", "schnorr", st.clone(), &ctx(2), &proof), "V2.1"),
        expecting(case("Schnorr: response = l", "schnorr", st, &c, &bad_z), "NonCanonicalScalar"),
    ]);
}

fn dleq(
    rng: &mut rand_chacha::ChaCha20Rng,
    hashes: (&[u8; 32], &[u8; 32]),
    joint_key: &Point,
    out: &mut (Vec<Value>, Vec<Value>),
) {
    let base = public_of(&SecretScalar::random(rng));
    let x = SecretScalar::random(rng);
    let st = DleqStatement {
        base,
        image_g: public_of(&x),
        image_h: Point::from_point(x.expose_secret() * base.point()),
    };
    let ctx = |trustee| {
        Recorded::protocol()
            .dom(labels::DS_DECRYPTION)
            .hash(labels::MANIFEST, hashes.0)
            .hash(labels::DEFINITION, hashes.1)
            .point(labels::JOINT_KEY, joint_key)
            .int(labels::TRUSTEE, trustee)
            .int(labels::COUNT, 1)
            .int(labels::INDEX, 0)
    };
    let c = ctx(3);
    let proof = DleqProof::prove(&c.transcript, &st, &x, rng).unwrap().to_bytes();
    let sj = |s: &DleqStatement| {
        let (h, x1, x2) = (hx(s.base.to_bytes()), hx(s.image_g.to_bytes()), hx(s.image_h.to_bytes()));
        json!({"base": h, "image_g": x1, "image_h": x2})
    };
    let mut valid = case("Chaum–Pedersen", "dleq", sj(&st), &c, &proof);
    valid["witness"] = json!({"x": hx(x.expose_secret().to_bytes())});
    out.0.push(valid);
    let moved = DleqStatement { image_h: shifted(&st.image_h), ..st };
    let swapped = DleqStatement { image_g: st.image_h, image_h: st.image_g, ..st };
    out.1.extend([
        expecting(
            case("Chaum–Pedersen: response + 1", "dleq", sj(&st), &c, &bump_last_scalar(&proof)),
            "V2.2",
        ),
        expecting(case("Chaum–Pedersen: X2 + B", "dleq", sj(&moved), &c, &proof), "V2.2"),
        expecting(case("Chaum–Pedersen: X1 and X2 swapped", "dleq", sj(&swapped), &c, &proof), "V2.2"),
        expecting(
            case("Chaum–Pedersen: other context (trustee 4)", "dleq", sj(&st), &ctx(4), &proof),
            "V2.2",
        ),
    ]);
}

/// A ballot-style context (spec: §4.3) for a one-ciphertext statement.
fn ballot_ctx(
    h: (&[u8; 32], &[u8; 32]),
    key: &Point,
    cred: &[u8; 32],
    ct: &Ciphertext,
    index: u64,
) -> Recorded {
    Recorded::protocol()
        .dom(labels::DS_BALLOT)
        .hash(labels::MANIFEST, h.0)
        .hash(labels::DEFINITION, h.1)
        .point(labels::JOINT_KEY, key)
        .int(labels::CONTEST, 1)
        .hash(labels::CREDENTIAL, cred)
        .int(labels::COUNT, 1)
        .point(labels::STMT_CT_A, &ct.a)
        .point(labels::STMT_CT_B, &ct.b)
        .int(labels::INDEX, index)
}

fn witness(m: u64, r: &SecretScalar) -> Value {
    json!({"m": m, "r": hx(r.expose_secret().to_bytes())})
}

fn disjunctive(
    rng: &mut rand_chacha::ChaCha20Rng,
    h: (&[u8; 32], &[u8; 32]),
    key: &Point,
    out: &mut (Vec<Value>, Vec<Value>),
) {
    let enc = Encrypter::new(key);
    let mut cred = [0u8; 32];
    rng.fill_bytes(&mut cred);
    let mut other_cred = cred;
    other_cred[0] ^= 1;
    let mut bits = Vec::new();
    for m in [0u16, 1] {
        let r = SecretScalar::random(rng);
        let ct = Ciphertext::encrypt(key, u64::from(m), &r);
        let c = ballot_ctx(h, key, &cred, &ct, 0);
        let proof = BitProof::prove(&c.transcript, &enc, &ct, m, &r, rng).unwrap().to_bytes();
        let mut valid = case(&format!("bit proof, m = {m}"), "bit", ct_json(key, &ct), &c, &proof);
        valid["witness"] = witness(u64::from(m), &r);
        out.0.push(valid);
        bits.push((ct, c, proof));
    }
    let (ct1, c1, p1) = &bits[1];
    let (ct0, _, p0) = &bits[0];
    let enc2 = Ciphertext { a: ct1.a, b: shifted(&ct1.b) };
    let other = ballot_ctx(h, key, &other_cred, ct1, 0);
    out.1.extend([
        expecting(
            case("bit proof: ciphertext + (0, B) encrypts 2", "bit", ct_json(key, &enc2), c1, p1),
            "V2.3",
        ),
        expecting(
            case("bit proof: response + 1", "bit", ct_json(key, ct1), c1, &bump_last_scalar(p1)),
            "V2.3",
        ),
        expecting(
            case("bit proof: other credential in context", "bit", ct_json(key, ct1), &other, p1),
            "V2.3",
        ),
        expecting(
            case("bit proof: m = 0 proof on the m = 1 ciphertext", "bit", ct_json(key, ct1), c1, p0),
            "V2.3",
        ),
        expecting(
            case("bit proof: m = 1 proof on the m = 0 ciphertext", "bit", ct_json(key, ct0), c1, p1),
            "V2.3",
        ),
    ]);

    let r = SecretScalar::random(rng);
    let ct = Ciphertext::encrypt(key, 2, &r);
    let c = ballot_ctx(h, key, &cred, &ct, 1);
    let proof = RangeProof::prove(&c.transcript, &enc, &ct, 0, 3, 2, &r, rng).unwrap().to_bytes();
    let mut valid = case("range proof [0, 3], m = 2", "range", ct_json(key, &ct), &c, &proof);
    valid["witness"] = witness(2, &r);
    out.0.push(valid);
    let header = |min: u16, max: u16| [&min.to_be_bytes()[..], &max.to_be_bytes()[..], &proof[4..]].concat();
    let enc5 = Ciphertext {
        a: ct.a,
        b: Point::from_point(ct.b.point() + RISTRETTO_BASEPOINT_POINT * Scalar::from(3u8)),
    };
    out.1.extend([
        expecting(
            case("range proof: limits shifted to [1, 4]", "range", ct_json(key, &ct), &c, &header(1, 4)),
            "V2.4",
        ),
        expecting(
            case("range proof: response + 1", "range", ct_json(key, &ct), &c, &bump_last_scalar(&proof)),
            "V2.4",
        ),
        expecting(
            case("range proof: ciphertext + (0, 3B) encrypts 5", "range", ct_json(key, &enc5), &c, &proof),
            "V2.4",
        ),
        expecting(case("range proof: min 3 > max 0", "range", ct_json(key, &ct), &c, &header(3, 0)), "V2.4"),
        {
            let cut = &proof[..proof.len() - 32];
            let mut bad = case("range proof: last response cut", "range", ct_json(key, &ct), &c, cut);
            bad = expecting(bad, "Malformed");
            bad["expected_reason"] = json!("truncated");
            bad
        },
    ]);
}

/// Builds `proofs.json`.
pub fn generate() -> Value {
    let mut rng = insecure_test_rng(SEED);
    let mut manifest = [0u8; 32];
    let mut definition = [0u8; 32];
    rng.fill_bytes(&mut manifest);
    rng.fill_bytes(&mut definition);
    let joint = public_of(&SecretScalar::random(&mut rng));
    let mut out = (Vec::new(), Vec::new());
    schnorr(&mut rng, &manifest, &mut out);
    dleq(&mut rng, (&manifest, &definition), &joint, &mut out);
    disjunctive(&mut rng, (&manifest, &definition), &joint, &mut out);
    json!({
        "description": "Zero-knowledge proofs (spec: §5). Each case: `kind` (schnorr: V2.1, dleq = Chaum–Pedersen: \
                        V2.2, bit: V2.3, range: V2.4), the `statement`, the `context` transcript the proof is bound \
                        to, and the `proof` encoding. A range proof's encoding carries its own [min, max]. Valid \
                        cases verify and carry their `witness` (test data); invalid cases are tampered copies that \
                        fail with `expected_error` (the step id, or a decoding error). The contexts are examples \
                        in the style of spec §4.4 (Schnorr), §4.5 (Chaum–Pedersen) and §4.3 (bit and range), \
                        built with protocol_transcript() and TranscriptExt.",
        "context_ops": OPS_DOC,
        "generator": generator("proofs", json!({"rng": SEED})),
        "valid": out.0,
        "invalid": out.1,
    })
}

fn verify(case: &Value) -> Result<(), CryptoError> {
    let t = rebuild(field(case, "context"));
    let st = field(case, "statement");
    let proof = bytes(case, "proof");
    let mut rng = insecure_test_rng(0);
    let p = |k: &str| Point::from_bytes(&bytes(st, k));
    let ct = || Ciphertext::from_bytes(&bytes(st, "ciphertext"));
    match text(case, "kind") {
        "schnorr" => SchnorrProof::from_bytes(&proof)?.verify(&t, &p("key")?, &mut rng),
        "dleq" => {
            let st = DleqStatement { base: p("base")?, image_g: p("image_g")?, image_h: p("image_h")? };
            DleqProof::from_bytes(&proof)?.verify(&t, &st, &mut rng)
        }
        "bit" => BitProof::from_bytes(&proof)?.verify(&t, &p("key")?, &ct()?, &mut rng),
        "range" => RangeProof::from_bytes(&proof)?.verify(&t, &p("key")?, &ct()?, &mut rng),
        other => panic!("unknown proof kind {other:?}"),
    }
}

/// Checks `proofs.json`.
pub fn check(v: &Value) {
    for case in list(v, "valid") {
        let name = text(case, "name");
        verify(case).unwrap_or_else(|e| panic!("valid case {name:?} rejected: {e}"));
        let (st, w) = (field(case, "statement"), field(case, "witness"));
        match text(case, "kind") {
            "schnorr" => {
                assert_eq!(point(st, "key"), Point::from_point(RISTRETTO_BASEPOINT_POINT * scalar(w, "x")))
            }
            "dleq" => {
                let x = scalar(w, "x");
                assert_eq!(point(st, "image_g"), Point::from_point(RISTRETTO_BASEPOINT_POINT * x));
                assert_eq!(point(st, "image_h"), Point::from_point(point(st, "base").point() * x));
            }
            _ => {
                let r = SecretScalar::new(scalar(w, "r"));
                let ct = Ciphertext::encrypt(&point(st, "key"), int(w, "m"), &r);
                assert_eq!(ct.to_bytes().to_vec(), bytes(st, "ciphertext"), "{name}: witness");
            }
        }
    }
    for case in list(v, "invalid") {
        expect_error(case, verify(case));
    }
}
