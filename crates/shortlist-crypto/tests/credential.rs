//! Credential keys and the ed25519 signature policy (spec: V3.6), pinned
//! against Wycheproof and speccheck (copies in spec/vectors/external/).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

mod common;

use serde_json::Value;
use shortlist_crypto::credential::{CredentialPublicKey, CredentialSecret};
use shortlist_crypto::CryptoError;

fn external(name: &str) -> Value {
    let path = format!("{}/../../spec/vectors/external/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn hex(v: &Value) -> Vec<u8> {
    hex::decode(v.as_str().unwrap()).unwrap()
}

/// Our policy's verdict: the key decodes under V3.6 and the signature verifies strictly.
fn accepts(pk: &[u8], msg: &[u8], sig: &[u8]) -> bool {
    CredentialPublicKey::from_bytes(pk).and_then(|k| k.verify(msg, sig)).is_ok()
}

#[test]
fn wycheproof_valid_accepted_and_invalid_rejected() {
    let v = external("wycheproof_ed25519.json");
    let (mut valid, mut invalid) = (0, 0);
    for group in v["testGroups"].as_array().unwrap() {
        let pk = hex(&group["publicKey"]["pk"]);
        for t in group["tests"].as_array().unwrap() {
            let got = accepts(&pk, &hex(&t["msg"]), &hex(&t["sig"]));
            match t["result"].as_str().unwrap() {
                "valid" => {
                    assert!(got, "tcId {} is valid but was rejected", t["tcId"]);
                    valid += 1;
                }
                _ => {
                    assert!(!got, "tcId {} is invalid but was accepted", t["tcId"]);
                    invalid += 1;
                }
            }
        }
    }
    assert_eq!((valid, invalid), (88, 63));
}

#[test]
fn speccheck_cases_all_rejected_by_the_strict_policy() {
    // Cases 0-3 have a small-order A or R; 4-5 need a cofactored equation;
    // 6-7 have S ≥ ℓ; 8-9 a non-canonical R; 10-11 a non-canonical A. The
    // strict policy of spec V3.6 rejects every one.
    let cases = external("ed25519_speccheck.json");
    let cases = cases.as_array().unwrap();
    assert_eq!(cases.len(), 12);
    for (i, c) in cases.iter().enumerate() {
        let ok = accepts(&hex(&c["pub_key"]), &hex(&c["message"]), &hex(&c["signature"]));
        assert!(!ok, "speccheck case {i} was accepted");
    }
}

#[test]
fn sign_and_verify_round_trip_and_tamper() {
    let mut rng = common::insecure_test_rng(31);
    let sk = CredentialSecret::generate(&mut rng);
    let pk = sk.public_key();
    let sig = sk.sign(b"ballot bytes");
    pk.verify(b"ballot bytes", &sig).unwrap();
    assert!(pk.verify(b"ballot bytez", &sig).is_err());
    let mut bad = sig;
    bad[0] ^= 1;
    assert!(pk.verify(b"ballot bytes", &bad).is_err());
    assert!(matches!(pk.verify(b"ballot bytes", &sig[..63]), Err(CryptoError::WrongLength { .. })));
    let decoded = CredentialPublicKey::from_bytes(&pk.to_bytes()).unwrap();
    assert_eq!(decoded, pk);
    let restored = CredentialSecret::from_secret_bytes(&sk.expose_secret_bytes());
    assert_eq!(restored.public_key(), pk);
}

#[test]
fn small_order_and_non_canonical_keys_are_rejected() {
    // The identity (0, 1) is of small order.
    let mut identity = [0u8; 32];
    identity[0] = 1;
    assert!(matches!(CredentialPublicKey::from_bytes(&identity), Err(CryptoError::IdentityPoint { .. })));
    // y = p + 1 (non-canonical encoding of y = 1).
    let mut noncanon = [0xffu8; 32];
    noncanon[0] = 0xee;
    noncanon[31] = 0x7f;
    assert!(CredentialPublicKey::from_bytes(&noncanon).is_err());
    assert!(matches!(CredentialPublicKey::from_bytes(&[1u8; 31]), Err(CryptoError::WrongLength { .. })));
}

#[test]
fn secrets_do_not_print() {
    let mut rng = common::insecure_test_rng(32);
    let sk = CredentialSecret::generate(&mut rng);
    let shown = format!("{sk:?}");
    assert!(shown.contains("redacted"));
    assert!(!shown.contains(&hex::encode(*sk.expose_secret_bytes())));
}
