//! `spec/vectors/encodings.json`: scalars, points, one ElGamal ciphertext and
//! malformed composite encodings (spec: §3, E1–E4).

use curve25519_dalek::constants::RISTRETTO_BASEPOINT_POINT;
use rand_core::RngCore;
use serde_json::{json, Value};
use shortlist_crypto::ballot::ContestOpening;
use shortlist_crypto::dkg::transport::EncryptedShare;
use shortlist_crypto::elgamal::{Ciphertext, SecretKey};
use shortlist_crypto::proofs::schnorr::SchnorrProof;
use shortlist_crypto::secret::SecretScalar;
use shortlist_crypto::{Point, Scalar};

use super::{
    bytes, check_decoding, ciphertext, ell_bytes, expecting, generator, hx, int, list, point, scalar,
};
use crate::common::insecure_test_rng;

/// The seed of this file's RNG.
pub const SEED: u64 = 1001;

fn case(name: &str, kind: &str, data: impl AsRef<[u8]>) -> Value {
    json!({"name": name, "type": kind, "hex": hx(data)})
}

fn bad(name: &str, kind: &str, data: impl AsRef<[u8]>, error: &str) -> Value {
    expecting(case(name, kind, data), error)
}

fn malformed(name: &str, kind: &str, data: impl AsRef<[u8]>, reason: &str) -> Value {
    let mut c = bad(name, kind, data, "Malformed");
    c["expected_reason"] = json!(reason);
    c
}

fn scalars(rng: &mut impl RngCore) -> Value {
    let ell = ell_bytes();
    let mut valid = Vec::new();
    for (name, s) in [
        ("0", Scalar::ZERO),
        ("1", Scalar::ONE),
        ("l - 1", -Scalar::ONE),
        ("random", Scalar::from_bytes_mod_order_wide(&wide(rng))),
    ] {
        valid.push(case(name, "Scalar", s.to_bytes()));
    }
    let invalid = vec![
        bad("l (non-canonical)", "Scalar", ell, "NonCanonicalScalar"),
        bad("l + 1 (non-canonical)", "Scalar", super::add_to_le(&ell, 1), "NonCanonicalScalar"),
        bad("2^256 - 1 (non-canonical)", "Scalar", [0xff; 32], "NonCanonicalScalar"),
        bad("31 bytes", "Scalar", [0u8; 31], "WrongLength"),
        bad("33 bytes", "Scalar", [0u8; 33], "WrongLength"),
    ];
    json!({"valid": valid, "invalid": invalid})
}

fn wide(rng: &mut impl RngCore) -> [u8; 64] {
    let mut w = [0u8; 64];
    rng.fill_bytes(&mut w);
    w
}

fn points(rng: &mut impl RngCore) -> Value {
    let mut valid = Vec::new();
    let random = Scalar::from_bytes_mod_order_wide(&wide(rng));
    for (name, s) in [
        ("0·B (identity, allowed)", Scalar::ZERO),
        ("1·B", Scalar::ONE),
        ("2·B", Scalar::from(2u8)),
        ("3·B", Scalar::from(3u8)),
        ("random·B", random),
    ] {
        let p = Point::from_point(RISTRETTO_BASEPOINT_POINT * s);
        let mut c = case(name, "Point", p.to_bytes());
        c["scalar"] = hx(s.to_bytes());
        valid.push(c);
    }
    let mut p_minus = [0xffu8; 32];
    p_minus[0] = 0xed;
    p_minus[31] = 0x7f;
    let mut negative = [0u8; 32];
    negative[0] = 1;
    let invalid = vec![
        bad("identity where forbidden", "PointNonIdentity", [0u8; 32], "IdentityPoint"),
        bad("negative field element s = 1", "Point", negative, "InvalidPoint"),
        bad("s = p (non-canonical field element)", "Point", p_minus, "InvalidPoint"),
        bad("all bytes 0xff", "Point", [0xff; 32], "InvalidPoint"),
        bad("31 bytes", "Point", [0u8; 31], "WrongLength"),
    ];
    json!({"valid": valid, "invalid": invalid})
}

fn elgamal(rng: &mut rand_chacha::ChaCha20Rng) -> Value {
    let x = SecretScalar::random(rng);
    let key = super::public_of(&x);
    let r1 = SecretScalar::random(rng);
    let r2 = SecretScalar::random(rng);
    let c1 = Ciphertext::encrypt(&key, 5, &r1);
    let c2 = Ciphertext::encrypt(&key, 3, &r2);
    json!({
        "note": "Enc_K(m; r) = (r·B, m·B + r·K) with K = x·B; the encoding is A ‖ B (64 bytes). \
                 The sum is component-wise and encrypts 5 + 3 under r1 + r2.",
        "secret_key_x": hx(x.expose_secret().to_bytes()),
        "public_key": hx(key.to_bytes()),
        "encryptions": [
            {"m": 5, "r": hx(r1.expose_secret().to_bytes()), "ciphertext": hx(c1.to_bytes())},
            {"m": 3, "r": hx(r2.expose_secret().to_bytes()), "ciphertext": hx(c2.to_bytes())},
        ],
        "sum": hx(c1.add(&c2).to_bytes()),
    })
}

fn composites(rng: &mut rand_chacha::ChaCha20Rng) -> Value {
    let opening = ContestOpening {
        contest_id: 7,
        selections: vec![1, 0, 1],
        randomness: (0..3).map(|_| Scalar::from_bytes_mod_order_wide(&wide(rng))).collect(),
    };
    let ob = opening.to_bytes();
    let mut sealed = [0u8; 48];
    rng.fill_bytes(&mut sealed);
    let share = EncryptedShare { sender: 1, recipient: 2, sealed }.to_bytes();
    let schnorr = SchnorrProof {
        commitment: Point::from_point(RISTRETTO_BASEPOINT_POINT * Scalar::from(5u8)),
        response: Scalar::from(7u8),
    }
    .to_bytes();
    let ct = [Point::from_point(RISTRETTO_BASEPOINT_POINT).to_bytes(), [0u8; 32]].concat();
    let with = |base: &[u8], at: usize, patch: &[u8]| -> Vec<u8> {
        let mut b = base.to_vec();
        b[at..at + patch.len()].copy_from_slice(patch);
        b
    };
    let mut negative = [0u8; 32];
    negative[0] = 1;
    let valid = vec![
        case("contest opening, 3 candidates", "ContestOpening", &ob),
        case("encrypted share", "EncryptedShare", &share),
        case("Schnorr proof (decoding only)", "SchnorrProof", &schnorr),
        case("ciphertext (B, identity)", "Ciphertext", &ct),
    ];
    let invalid = vec![
        malformed("opening: version byte 2", "ContestOpening", with(&ob, 0, &[2]), "unknown version byte"),
        malformed("opening: version byte 0", "ContestOpening", with(&ob, 0, &[0]), "unknown version byte"),
        malformed("opening: one trailing byte", "ContestOpening", [&ob[..], &[0]].concat(), "trailing bytes"),
        malformed("opening: last byte cut", "ContestOpening", &ob[..ob.len() - 1], "truncated"),
        malformed("opening: empty", "ContestOpening", [], "truncated"),
        malformed(
            "opening: selection byte 2",
            "ContestOpening",
            with(&ob, 7, &[2]),
            "a selection is not 0 or 1",
        ),
        malformed(
            "opening: zero candidates",
            "ContestOpening",
            with(&ob, 5, &[0, 0]),
            "candidate count out of range",
        ),
        bad("opening: randomness = l", "ContestOpening", with(&ob, 10, &ell_bytes()), "NonCanonicalScalar"),
        malformed("share: version byte 0", "EncryptedShare", with(&share, 0, &[0]), "unknown version byte"),
        malformed("share: 47 sealed bytes", "EncryptedShare", &share[..share.len() - 1], "truncated"),
        malformed(
            "Schnorr proof: one trailing byte",
            "SchnorrProof",
            [&schnorr[..], &[0]].concat(),
            "trailing bytes",
        ),
        malformed("Schnorr proof: 63 bytes", "SchnorrProof", &schnorr[..63], "truncated"),
        bad(
            "Schnorr proof: response = l",
            "SchnorrProof",
            with(&schnorr, 32, &ell_bytes()),
            "NonCanonicalScalar",
        ),
        bad(
            "Schnorr proof: invalid commitment",
            "SchnorrProof",
            with(&schnorr, 0, &negative),
            "InvalidPoint",
        ),
        bad("ciphertext: 63 bytes", "Ciphertext", &ct[..63], "WrongLength"),
        bad("ciphertext: 65 bytes", "Ciphertext", [&ct[..], &[0]].concat(), "WrongLength"),
        bad("ciphertext: invalid A", "Ciphertext", with(&ct, 0, &negative), "InvalidPoint"),
        bad("range proof: min 3 > max 0", "RangeProof", [0, 3, 0, 0], "V2.4"),
        malformed(
            "decryption share: 2^32 - 1 partials",
            "DecryptionShare",
            [1, 0, 1, 0xff, 0xff, 0xff, 0xff],
            "too many partials",
        ),
        malformed(
            "commitment message: t = 0",
            "CommitmentMessage",
            [1, 0, 1, 0, 0],
            "threshold out of range",
        ),
        malformed(
            "encrypted contest: zero candidates",
            "EncryptedContest",
            [1, 0, 0, 0, 7, 0, 0],
            "candidate count out of range",
        ),
    ];
    json!({"valid": valid, "invalid": invalid})
}

/// Builds `encodings.json`.
pub fn generate() -> Value {
    let mut rng = insecure_test_rng(SEED);
    json!({
        "description": "Canonical wire encodings (spec: §3, E1–E4). `scalars`, `points` and `composites` \
                        hold decoding cases: a valid case decodes as `type` and re-encodes to the same bytes \
                        (points: it equals scalar·B, B the ristretto255 generator); an invalid case fails with \
                        `expected_error` (its class E1–E4 of spec §3, or a spec step id) and, for E4, \
                        `expected_reason`. `Point` allows the identity, `PointNonIdentity` does not. \
                        `elgamal` is an exponential ElGamal known answer; its secrets are test data.",
        "generator": generator("encodings", json!({"rng": SEED})),
        "scalars": scalars(&mut rng),
        "points": points(&mut rng),
        "elgamal": elgamal(&mut rng),
        "composites": composites(&mut rng),
    })
}

/// Checks `encodings.json`.
pub fn check(v: &Value) {
    for section in ["scalars", "points", "composites"] {
        for kind in ["valid", "invalid"] {
            for case in list(&v[section], kind) {
                check_decoding(case);
            }
        }
    }
    for case in list(&v["points"], "valid") {
        let s = scalar(case, "scalar");
        assert_eq!(point(case, "hex"), Point::from_point(RISTRETTO_BASEPOINT_POINT * s), "{case}");
    }
    let e = &v["elgamal"];
    let x = scalar(e, "secret_key_x");
    let key = point(e, "public_key");
    assert_eq!(key, SecretKey::from_secret(SecretScalar::new(x)).public_key());
    let mut sum = Ciphertext::zero();
    let (mut m_sum, mut r_sum) = (0u64, Scalar::ZERO);
    for enc in list(e, "encryptions") {
        let (m, r, ct) = (int(enc, "m"), scalar(enc, "r"), ciphertext(enc, "ciphertext"));
        // Independently of the crate's encrypt: A = r·B, B = m·B + r·K.
        assert_eq!(ct.a, Point::from_point(RISTRETTO_BASEPOINT_POINT * r));
        assert_eq!(ct.b, Point::from_point(RISTRETTO_BASEPOINT_POINT * Scalar::from(m) + key.point() * r));
        assert_eq!(Ciphertext::encrypt(&key, m, &SecretScalar::new(r)), ct);
        assert_eq!(bytes(enc, "ciphertext"), ct.to_bytes().to_vec());
        let plain = SecretKey::from_secret(SecretScalar::new(x)).decrypt_to_point(&ct);
        assert_eq!(plain, RISTRETTO_BASEPOINT_POINT * Scalar::from(m));
        sum = sum.add(&ct);
        m_sum += m;
        r_sum += r;
    }
    assert_eq!(ciphertext(e, "sum"), sum);
    assert_eq!(sum, Ciphertext::encrypt(&key, m_sum, &SecretScalar::new(r_sum)));
}
