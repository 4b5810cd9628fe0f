//! Known-answer vectors of registrar mode (spec: board §4.12,
//! `spec/vectors/registrar.json`): the credential's text form and check,
//! the derivation of the credential key, and a signed list part.

use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use shortlist_board::entry::EntryKind;
use shortlist_board::registrar::{MemberCredential, RegistrarBody, RegistrarEntry};
use shortlist_crypto::credential::CredentialSecret;

fn computed() -> Value {
    let secret: [u8; 16] = core::array::from_fn(|i| u8::try_from(i).unwrap());
    let hm = [0x11u8; 32];
    let c = MemberCredential::from_bytes(secret);
    let seed: [u8; 32] = Sha256::new()
        .chain_update(b"shortlist/v1/credential-key\0")
        .chain_update(hm)
        .chain_update(secret)
        .finalize()
        .into();
    let key = c.derive(&hm).public_key().to_bytes();
    assert_eq!(key, CredentialSecret::from_secret_bytes(&seed).public_key().to_bytes());
    let registrar = CredentialSecret::from_secret_bytes(&[0x22; 32]);
    let list = RegistrarEntry::sign(
        RegistrarBody::List { roll_size: 2, part: 0, keys: vec![key, [0x33; 32]] },
        &hm,
        &registrar,
    );
    json!({
        "credential": {
            "secret": hex::encode(secret),
            "manifest_hash": hex::encode(hm),
            "text": c.to_text().as_str(),
            "seed": hex::encode(seed),
            "public_key": hex::encode(key),
        },
        "list_part": {
            "registrar_seed": hex::encode([0x22u8; 32]),
            "registrar_public_key": hex::encode(registrar.public_key().to_bytes()),
            "manifest_hash": hex::encode(hm),
            "kind": EntryKind::RegistrarList.code(),
            "payload": hex::encode(list.to_bytes()),
        }
    })
}

#[test]
fn registrar_vectors_match() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../spec/vectors/registrar.json");
    let got = computed();
    let text = std::fs::read_to_string(path).unwrap_or_else(|_| {
        panic!("missing {path}; computed:\n{}", serde_json::to_string_pretty(&got).unwrap())
    });
    let want: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(want["credential"], got["credential"]);
    assert_eq!(want["list_part"], got["list_part"]);
    // The text parses back, and the entry decodes and verifies.
    let c = MemberCredential::parse(want["credential"]["text"].as_str().unwrap()).unwrap();
    assert_eq!(hex::encode(c.derive(&[0x11; 32]).public_key().to_bytes()), want["credential"]["public_key"]);
    let payload = hex::decode(want["list_part"]["payload"].as_str().unwrap()).unwrap();
    let e = RegistrarEntry::from_bytes(EntryKind::RegistrarList, &payload).unwrap();
    e.verify(&[0x11; 32], &CredentialSecret::from_secret_bytes(&[0x22; 32]).public_key()).unwrap();
}
