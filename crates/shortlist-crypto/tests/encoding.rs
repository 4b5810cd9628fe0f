//! Canonical encodings (spec: §3): the RFC 9496 ristretto255 vectors, strict
//! decoding of every wire type (lengths, scalars, points, version byte,
//! trailing bytes), decode∘encode round trips, panic-free decoding of
//! arbitrary bytes, and the hex serde form.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

mod common;

use std::sync::OnceLock;

use common::Field;
use curve25519_dalek::constants::RISTRETTO_BASEPOINT_POINT;
use curve25519_dalek::ristretto::RistrettoPoint;
use proptest::prelude::*;
use rand::Rng;
use rand_chacha::ChaCha20Rng;
use serde_json::Value;
use sha2::{Digest, Sha512};
use shortlist_crypto::ballot::{
    BallotContext, ContestOpening, ContestSecrets, ContestShape, EncryptedContest,
};
use shortlist_crypto::dkg::transport::{Complaint, EncryptedShare, ShareCheck};
use shortlist_crypto::dkg::{self, CeremonyParams, CommitmentMessage};
use shortlist_crypto::elgamal::{Ciphertext, Encrypter, SecretKey};
use shortlist_crypto::proofs::bit::BitProof;
use shortlist_crypto::proofs::dleq::{DleqProof, DleqStatement};
use shortlist_crypto::proofs::range::RangeProof;
use shortlist_crypto::proofs::schnorr::SchnorrProof;
use shortlist_crypto::secret::SecretScalar;
use shortlist_crypto::threshold::{DecryptionShare, KeyShare};
use shortlist_crypto::transcript::{protocol_transcript, ElectionContext, TranscriptExt};
use shortlist_crypto::wire::scalar_from_bytes;
use shortlist_crypto::{CryptoError, Point, Scalar};

// ---------------------------------------------------------------------------
// RFC 9496 vectors (spec/vectors/external/ristretto255.json)
// ---------------------------------------------------------------------------

fn rfc9496() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../spec/vectors/external/ristretto255.json");
    let text = std::fs::read_to_string(path).expect("read spec/vectors/external/ristretto255.json");
    serde_json::from_str(&text).expect("ristretto255.json is JSON")
}

fn hex_list(v: &Value, key: &str) -> Vec<Vec<u8>> {
    v[key].as_array().unwrap().iter().map(|h| hex::decode(h.as_str().unwrap()).unwrap()).collect()
}

#[test]
fn rfc9496_generator_multiples_decode_reencode_and_match_i_times_b() {
    let vectors = hex_list(&rfc9496(), "generator_multiples");
    assert_eq!(vectors.len(), 16);
    for (i, bytes) in vectors.iter().enumerate() {
        let p = Point::from_bytes(bytes).unwrap_or_else(|e| panic!("A.1 entry {i} rejected: {e}"));
        assert_eq!(p.to_bytes().as_slice(), bytes.as_slice(), "entry {i} re-encodes differently");
        let expect = Point::from_point(Scalar::from(i as u64) * RISTRETTO_BASEPOINT_POINT);
        assert_eq!(p, expect, "entry {i} is not {i}·B");
        assert_eq!(p.point(), expect.point());
        if i == 0 {
            assert!(p.is_identity());
            assert!(matches!(Point::from_bytes_nonidentity(bytes), Err(CryptoError::IdentityPoint { .. })));
        } else {
            assert!(!p.is_identity());
            assert_eq!(Point::from_bytes_nonidentity(bytes).unwrap(), expect);
        }
    }
    assert_eq!(Point::identity().to_bytes().as_slice(), vectors[0].as_slice());
}

#[test]
fn rfc9496_invalid_encodings_are_rejected_as_invalid_points() {
    let v = rfc9496();
    let vectors = hex_list(&v, "invalid_encodings");
    assert_eq!(vectors.len(), 29);
    let detail = v["invalid_encodings_detail"].as_array().unwrap();
    assert_eq!(detail.len(), 29);
    for (i, bytes) in vectors.iter().enumerate() {
        assert_eq!(detail[i]["hex"].as_str().unwrap(), hex::encode(bytes));
        assert_eq!(
            Point::from_bytes(bytes),
            Err(CryptoError::InvalidPoint { what: "point" }),
            "A.2 entry {i} ({}) was not rejected",
            detail[i]["reason"]
        );
        assert!(matches!(Point::from_bytes_nonidentity(bytes), Err(CryptoError::InvalidPoint { .. })));
        // Inside a composite value, in either slot.
        let good = Point::from_point(RISTRETTO_BASEPOINT_POINT).to_bytes();
        for slot in 0..2 {
            let mut ct = [good, good].concat();
            ct[32 * slot..32 * slot + 32].copy_from_slice(bytes);
            assert_eq!(Ciphertext::from_bytes(&ct), Err(CryptoError::InvalidPoint { what: "ciphertext" }));
        }
    }
}

#[test]
fn rfc9496_hash_to_group_matches_from_uniform_bytes() {
    let v = rfc9496();
    let entries = v["hash_to_group"].as_array().unwrap();
    assert_eq!(entries.len(), 11);
    let mut from_ascii = 0;
    for (i, e) in entries.iter().enumerate() {
        let input: [u8; 64] = hex::decode(e["input_hex"].as_str().unwrap()).unwrap().try_into().unwrap();
        let output = hex::decode(e["output_hex"].as_str().unwrap()).unwrap();
        if let Some(line) = e.get("input_is_sha512_of_ascii").and_then(Value::as_str) {
            assert_eq!(Sha512::digest(line.as_bytes()).as_slice(), input.as_slice(), "A.3 input {i}");
            from_ascii += 1;
        }
        let p = RistrettoPoint::from_uniform_bytes(&input);
        assert_eq!(p.compress().to_bytes().as_slice(), output.as_slice(), "A.3 entry {i}");
        // The output is a canonical, non-identity encoding that our decoder accepts.
        let decoded = Point::from_bytes_nonidentity(&output).unwrap();
        assert_eq!(decoded.point(), &p);
        assert_eq!(decoded.to_bytes().as_slice(), output.as_slice());
    }
    assert_eq!(from_ascii, 7);
}

// ---------------------------------------------------------------------------
// Sample values of every wire type
// ---------------------------------------------------------------------------

macro_rules! test_context {
    ($tag:expr) => {{
        let mut t = protocol_transcript();
        t.append_hash(b"test-context", &$tag);
        t
    }};
}

fn random_key(rng: &mut ChaCha20Rng) -> Point {
    SecretKey::random(rng).public_key()
}

fn make_ciphertext(rng: &mut ChaCha20Rng) -> Ciphertext {
    let key = random_key(rng);
    let m = rng.gen_range(0..100u64);
    Ciphertext::encrypt(&key, m, &SecretScalar::random(rng))
}

fn make_schnorr(rng: &mut ChaCha20Rng) -> SchnorrProof {
    let x = SecretScalar::random(rng);
    let key = SecretKey::from_secret(x.clone()).public_key();
    SchnorrProof::prove(&test_context!([1u8; 32]), &key, &x, rng).unwrap()
}

fn make_dleq(rng: &mut ChaCha20Rng) -> DleqProof {
    let x = SecretScalar::random(rng);
    let h = RistrettoPoint::random(rng);
    let st = DleqStatement {
        base: Point::from_point(h),
        image_g: SecretKey::from_secret(x.clone()).public_key(),
        image_h: Point::from_point(x.expose_secret() * h),
    };
    DleqProof::prove(&test_context!([2u8; 32]), &st, &x, rng).unwrap()
}

fn make_bit(rng: &mut ChaCha20Rng) -> BitProof {
    let key = random_key(rng);
    let m = rng.gen_range(0..=1u16);
    let r = SecretScalar::random(rng);
    let ct = Ciphertext::encrypt(&key, u64::from(m), &r);
    BitProof::prove(&test_context!([3u8; 32]), &Encrypter::new(&key), &ct, m, &r, rng).unwrap()
}

fn make_range(rng: &mut ChaCha20Rng) -> RangeProof {
    let key = random_key(rng);
    let min = rng.gen_range(0..4u16);
    let max = min + rng.gen_range(0..4u16);
    let m = rng.gen_range(min..=max);
    let r = SecretScalar::random(rng);
    let ct = Ciphertext::encrypt(&key, u64::from(m), &r);
    RangeProof::prove(&test_context!([4u8; 32]), &Encrypter::new(&key), &ct, min, max, m, &r, rng).unwrap()
}

fn make_contest(rng: &mut ChaCha20Rng) -> (EncryptedContest, ContestSecrets) {
    let key = random_key(rng);
    let election = ElectionContext { manifest_hash: [5u8; 32], definition_hash: [6u8; 32], joint_key: key };
    let credential = [8u8; 32];
    let ctx = BallotContext { election: &election, credential: &credential };
    let candidates = rng.gen_range(1..=5u16);
    let max = rng.gen_range(0..=candidates);
    let min = rng.gen_range(0..=max);
    let shape = ContestShape { contest_id: rng.gen(), candidates, min, max };
    let total = rng.gen_range(min..=max);
    let mut selections = vec![false; usize::from(candidates)];
    while selections.iter().filter(|s| **s).count() < usize::from(total) {
        let i = rng.gen_range(0..selections.len());
        selections[i] = true;
    }
    EncryptedContest::encrypt(&Encrypter::new(&key), &ctx, &shape, &selections, rng).unwrap()
}

fn make_opening(rng: &mut ChaCha20Rng) -> ContestOpening {
    make_contest(rng).1.open()
}

fn make_decryption_share(rng: &mut ChaCha20Rng) -> DecryptionShare {
    let share = KeyShare::new(rng.gen_range(1..=20), SecretScalar::random(rng));
    let election =
        ElectionContext { manifest_hash: [5u8; 32], definition_hash: [6u8; 32], joint_key: random_key(rng) };
    let count = rng.gen_range(0..4);
    let cts: Vec<Ciphertext> = (0..count).map(|_| make_ciphertext(rng)).collect();
    share.decrypt(&election, &cts, rng).unwrap()
}

fn make_commitment(rng: &mut ChaCha20Rng) -> CommitmentMessage {
    let n = rng.gen_range(1..=6u16);
    let t = rng.gen_range(1..=n);
    let params = CeremonyParams { manifest_hash: rng.gen(), n, t };
    dkg::start(&params, rng.gen_range(1..=n), rng).unwrap().1
}

fn make_encrypted_share(rng: &mut ChaCha20Rng) -> EncryptedShare {
    let n = rng.gen_range(2..=4u16);
    let (params, secrets, msgs) = common::round_one(n, rng.gen_range(1..=n), rng);
    let from = rng.gen_range(0..secrets.len());
    let shares = secrets[from].encrypt_shares(&params, &msgs).unwrap();
    shares[rng.gen_range(0..shares.len())].clone()
}

fn make_complaint(rng: &mut ChaCha20Rng) -> Complaint {
    let (params, secrets, msgs) = common::round_one(3, 2, rng);
    let mut bad = secrets[0].encrypt_shares(&params, &msgs).unwrap()[0].clone();
    bad.sealed[0] ^= 1;
    let to = usize::from(bad.recipient - 1);
    match secrets[to].receive_share(&params, &msgs[0], &msgs[to], &bad, rng).unwrap() {
        ShareCheck::Invalid(c) => *c,
        ShareCheck::Valid(_) => panic!("a share with a flipped bit was accepted"),
    }
}

/// Decodes and re-encodes, or returns the decoding error.
type Recode = fn(&[u8]) -> Result<Vec<u8>, CryptoError>;

/// One valid encoding of a wire type and where its fields sit.
struct Sample {
    name: &'static str,
    bytes: Vec<u8>,
    recode: Recode,
    versioned: bool,
    point_at: Option<usize>,
    scalar_at: Option<usize>,
}

fn samples() -> &'static [Sample] {
    static SAMPLES: OnceLock<Vec<Sample>> = OnceLock::new();
    SAMPLES.get_or_init(|| {
        let mut rng = common::insecure_test_rng(100);
        let rng = &mut rng;
        let range = make_range(rng);
        let k = usize::from(range.max - range.min) + 1;
        // A contest with 3 candidates, so the offsets are known.
        let (contest, secrets) = loop {
            let c = make_contest(rng);
            if c.0.ciphertexts.len() == 3 {
                break c;
            }
        };
        let commitment = make_commitment(rng);
        let t = commitment.coefficients.len();
        let share = loop {
            let s = make_decryption_share(rng);
            if !s.partials.is_empty() {
                break s;
            }
        };
        vec![
            Sample {
                name: "Ciphertext",
                bytes: make_ciphertext(rng).to_bytes().to_vec(),
                recode: |b| Ciphertext::from_bytes(b).map(|v| v.to_bytes().to_vec()),
                versioned: false,
                point_at: Some(32),
                scalar_at: None,
            },
            Sample {
                name: "SchnorrProof",
                bytes: make_schnorr(rng).to_bytes(),
                recode: |b| SchnorrProof::from_bytes(b).map(|v| v.to_bytes()),
                versioned: false,
                point_at: Some(0),
                scalar_at: Some(32),
            },
            Sample {
                name: "DleqProof",
                bytes: make_dleq(rng).to_bytes(),
                recode: |b| DleqProof::from_bytes(b).map(|v| v.to_bytes()),
                versioned: false,
                point_at: Some(32),
                scalar_at: Some(64),
            },
            Sample {
                name: "BitProof",
                bytes: make_bit(rng).to_bytes(),
                recode: |b| BitProof::from_bytes(b).map(|v| v.to_bytes()),
                versioned: false,
                point_at: Some(96),
                scalar_at: Some(128),
            },
            Sample {
                name: "RangeProof",
                bytes: range.to_bytes(),
                recode: |b| RangeProof::from_bytes(b).map(|v| v.to_bytes()),
                versioned: false,
                point_at: Some(4),
                scalar_at: Some(4 + 64 * k + 32 * (k - 1)),
            },
            Sample {
                name: "EncryptedContest",
                bytes: contest.to_bytes(),
                recode: |b| EncryptedContest::from_bytes(b).map(|v| v.to_bytes()),
                versioned: true,
                point_at: Some(7 + 32),
                scalar_at: Some(7 + 3 * 64 + 128),
            },
            Sample {
                name: "ContestOpening",
                bytes: secrets.open().to_bytes(),
                recode: |b| ContestOpening::from_bytes(b).map(|v| v.to_bytes()),
                versioned: true,
                point_at: None,
                scalar_at: Some(7 + 3),
            },
            Sample {
                name: "DecryptionShare",
                bytes: share.to_bytes(),
                recode: |b| DecryptionShare::from_bytes(b).map(|v| v.to_bytes()),
                versioned: true,
                point_at: Some(7),
                scalar_at: Some(7 + 32 + 64),
            },
            Sample {
                name: "CommitmentMessage",
                bytes: commitment.to_bytes(),
                recode: |b| CommitmentMessage::from_bytes(b).map(|v| v.to_bytes()),
                versioned: true,
                point_at: Some(5),
                scalar_at: Some(5 + 32 * t + 32),
            },
            Sample {
                name: "EncryptedShare",
                bytes: make_encrypted_share(rng).to_bytes(),
                recode: |b| EncryptedShare::from_bytes(b).map(|v| v.to_bytes()),
                versioned: true,
                point_at: None,
                scalar_at: None,
            },
            Sample {
                name: "Complaint",
                bytes: make_complaint(rng).to_bytes(),
                recode: |b| Complaint::from_bytes(b).map(|v| v.to_bytes()),
                versioned: true,
                point_at: Some(5),
                scalar_at: Some(5 + 32 + 64),
            },
        ]
    })
}

// ---------------------------------------------------------------------------
// Strict decoding
// ---------------------------------------------------------------------------

/// ℓ, ℓ + 1 and 2²⁵⁶ − 1, little-endian: none is a canonical scalar.
const NON_CANONICAL_SCALARS: [&str; 3] = [
    "edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010",
    "eed3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010",
    "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
];

#[test]
fn samples_are_valid_and_their_fields_sit_where_the_tests_think() {
    for s in samples() {
        assert_eq!((s.recode)(&s.bytes).unwrap(), s.bytes, "{}", s.name);
        if let Some(at) = s.point_at {
            assert!(Point::from_bytes(&s.bytes[at..at + 32]).is_ok(), "{}: no point at {at}", s.name);
            assert!(
                (s.recode)(&common::tamper(&s.bytes, at, Field::Point)).is_ok(),
                "{}: another point at {at} must still decode",
                s.name
            );
        }
        if let Some(at) = s.scalar_at {
            assert!(scalar_from_bytes("x", &s.bytes[at..at + 32]).is_ok(), "{}: no scalar at {at}", s.name);
        }
        if s.versioned {
            assert_eq!(s.bytes[0], 1, "{}: version byte", s.name);
        }
    }
}

#[test]
fn non_canonical_scalars_are_rejected() {
    for hex_scalar in NON_CANONICAL_SCALARS {
        let bytes = hex::decode(hex_scalar).unwrap();
        assert_eq!(scalar_from_bytes("s", &bytes), Err(CryptoError::NonCanonicalScalar { what: "s" }));
        for s in samples().iter().filter(|s| s.scalar_at.is_some()) {
            let at = s.scalar_at.unwrap();
            let mut b = s.bytes.clone();
            b[at..at + 32].copy_from_slice(&bytes);
            assert!(
                matches!((s.recode)(&b), Err(CryptoError::NonCanonicalScalar { .. })),
                "{}: scalar {hex_scalar} gave {:?}",
                s.name,
                (s.recode)(&b)
            );
        }
    }
    // ℓ − 1 is the largest canonical scalar.
    let mut l_minus_1 = hex::decode(NON_CANONICAL_SCALARS[0]).unwrap();
    l_minus_1[0] -= 1;
    assert_eq!(scalar_from_bytes("s", &l_minus_1).unwrap(), -Scalar::ONE);
}

#[test]
fn invalid_points_are_rejected_inside_every_composite() {
    let invalid = hex_list(&rfc9496(), "invalid_encodings");
    for s in samples().iter().filter(|s| s.point_at.is_some()) {
        let at = s.point_at.unwrap();
        for bad in &invalid {
            let mut b = s.bytes.clone();
            b[at..at + 32].copy_from_slice(bad);
            assert!(
                matches!((s.recode)(&b), Err(CryptoError::InvalidPoint { .. })),
                "{}: {} gave {:?}",
                s.name,
                hex::encode(bad),
                (s.recode)(&b)
            );
        }
    }
}

#[test]
fn fixed_size_values_report_wrong_lengths() {
    for len in [0usize, 1, 31, 33, 64] {
        let bytes = vec![0u8; len];
        assert_eq!(
            Point::from_bytes(&bytes),
            Err(CryptoError::WrongLength { what: "point", expected: 32, found: len })
        );
        assert!(matches!(
            Point::from_bytes_nonidentity(&bytes),
            Err(CryptoError::WrongLength { expected: 32, .. })
        ));
        assert_eq!(
            scalar_from_bytes("s", &bytes),
            Err(CryptoError::WrongLength { what: "s", expected: 32, found: len })
        );
    }
    for len in [0usize, 32, 63, 65, 128] {
        assert_eq!(
            Ciphertext::from_bytes(&vec![0u8; len]),
            Err(CryptoError::WrongLength { what: "ciphertext", expected: 64, found: len })
        );
    }
}

#[test]
fn every_composite_rejects_every_truncation() {
    for s in samples() {
        for len in 0..s.bytes.len() {
            let got = (s.recode)(&s.bytes[..len]);
            if s.name == "Ciphertext" {
                assert!(matches!(got, Err(CryptoError::WrongLength { expected: 64, .. })), "{len}: {got:?}");
            } else {
                assert!(
                    matches!(got, Err(CryptoError::Malformed { reason: "truncated", .. })),
                    "{} truncated to {len} gave {got:?}",
                    s.name
                );
            }
        }
    }
}

#[test]
fn every_composite_rejects_trailing_bytes() {
    for s in samples() {
        for extra in [&[0u8][..], &[1u8], &[0u8; 32]] {
            let b = [s.bytes.as_slice(), extra].concat();
            let got = (s.recode)(&b);
            if s.name == "Ciphertext" {
                assert!(matches!(got, Err(CryptoError::WrongLength { expected: 64, .. })), "{got:?}");
            } else {
                assert!(
                    matches!(got, Err(CryptoError::Malformed { reason: "trailing bytes", .. })),
                    "{} with {} trailing bytes gave {got:?}",
                    s.name,
                    extra.len()
                );
            }
        }
    }
}

#[test]
fn versioned_composites_reject_other_version_bytes() {
    let versioned: Vec<&Sample> = samples().iter().filter(|s| s.versioned).collect();
    assert_eq!(versioned.len(), 6);
    for s in versioned {
        assert_eq!(s.bytes[0], 1, "{}: version 1 on the wire", s.name);
        for v in [0u8, 2, 0x7f, 0xff] {
            let mut b = s.bytes.clone();
            b[0] = v;
            assert!(
                matches!((s.recode)(&b), Err(CryptoError::Malformed { reason: "unknown version byte", .. })),
                "{} with version {v} gave {:?}",
                s.name,
                (s.recode)(&b)
            );
        }
    }
}

#[test]
fn counts_out_of_range_are_malformed() {
    let find = |name: &str| samples().iter().find(|s| s.name == name).unwrap();
    // Encrypted contest and opening: candidate count 0 and 1025.
    for name in ["EncryptedContest", "ContestOpening"] {
        for n in [0u16, 1025, u16::MAX] {
            let mut b = find(name).bytes.clone();
            b[5..7].copy_from_slice(&n.to_be_bytes());
            assert!(
                matches!((find(name).recode)(&b), Err(CryptoError::Malformed { .. })),
                "{name} with n = {n}"
            );
        }
    }
    // An opening whose selection byte is 2.
    let mut b = find("ContestOpening").bytes.clone();
    b[7] = 2;
    assert_eq!(
        ContestOpening::from_bytes(&b),
        Err(CryptoError::Malformed { what: "contest opening", reason: "a selection is not 0 or 1" })
    );
    // A decryption share claiming more than 65 536 partials.
    let mut b = find("DecryptionShare").bytes.clone();
    b[3..7].copy_from_slice(&65_537u32.to_be_bytes());
    assert_eq!(
        DecryptionShare::from_bytes(&b),
        Err(CryptoError::Malformed { what: "decryption share", reason: "too many partials" })
    );
    // A commitment message with t = 0 and t = 257.
    for t in [0u16, 257] {
        let mut b = find("CommitmentMessage").bytes.clone();
        b[3..5].copy_from_slice(&t.to_be_bytes());
        assert!(matches!(CommitmentMessage::from_bytes(&b), Err(CryptoError::Malformed { .. })), "t = {t}");
    }
    // A range proof with min > max, or more than 1024 branches.
    let mut b = find("RangeProof").bytes.clone();
    b[0..4].copy_from_slice(&[0, 5, 0, 4]);
    assert!(RangeProof::from_bytes(&b).is_err());
    b[0..4].copy_from_slice(&[0, 0, 4, 0]);
    assert!(RangeProof::from_bytes(&b).is_err());
}

// ---------------------------------------------------------------------------
// Round trips and panic-free decoding (proptest)
// ---------------------------------------------------------------------------

macro_rules! round_trip {
    ($test:ident, $ty:ty, $make:expr) => {
        proptest! {
            #![proptest_config(ProptestConfig::with_cases(16))]
            #[test]
            fn $test(seed in any::<u64>()) {
                let mut rng = common::insecure_test_rng(seed);
                let value: $ty = ($make)(&mut rng);
                let bytes = value.to_bytes();
                let back = <$ty>::from_bytes(&bytes[..]).unwrap();
                prop_assert_eq!(&back, &value);
                prop_assert_eq!(&back.to_bytes()[..], &bytes[..]);
            }
        }
    };
}

round_trip!(ciphertext_round_trips, Ciphertext, make_ciphertext);
round_trip!(schnorr_proof_round_trips, SchnorrProof, make_schnorr);
round_trip!(dleq_proof_round_trips, DleqProof, make_dleq);
round_trip!(bit_proof_round_trips, BitProof, make_bit);
round_trip!(range_proof_round_trips, RangeProof, make_range);
round_trip!(encrypted_contest_round_trips, EncryptedContest, |r: &mut ChaCha20Rng| make_contest(r).0);
round_trip!(contest_opening_round_trips, ContestOpening, make_opening);
round_trip!(decryption_share_round_trips, DecryptionShare, make_decryption_share);
round_trip!(commitment_message_round_trips, CommitmentMessage, make_commitment);
round_trip!(encrypted_share_round_trips, EncryptedShare, make_encrypted_share);
round_trip!(complaint_round_trips, Complaint, make_complaint);

proptest! {
    #[test]
    fn points_round_trip(seed in any::<u64>()) {
        let mut rng = common::insecure_test_rng(seed);
        let p = Point::from_point(RistrettoPoint::random(&mut rng));
        prop_assert_eq!(Point::from_bytes(&p.to_bytes()).unwrap(), p);
        let s = Scalar::random(&mut rng);
        prop_assert_eq!(scalar_from_bytes("s", s.as_bytes()).unwrap(), s);
    }
}

/// Every decoder, as "decode then re-encode".
fn all_decoders() -> Vec<(&'static str, Recode)> {
    let mut out: Vec<(&'static str, Recode)> = vec![
        ("Point", |b| Point::from_bytes(b).map(|p| p.to_bytes().to_vec())),
        ("Point (non-identity)", |b| Point::from_bytes_nonidentity(b).map(|p| p.to_bytes().to_vec())),
        ("scalar", |b| scalar_from_bytes("s", b).map(|s| s.to_bytes().to_vec())),
    ];
    out.extend(samples().iter().map(|s| (s.name, s.recode)));
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Arbitrary bytes never make a decoder panic, and whatever a decoder
    /// accepts re-encodes to exactly the same bytes (encodings are canonical).
    #[test]
    fn decoding_arbitrary_bytes_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..700)) {
        for (name, recode) in all_decoders() {
            if let Ok(again) = recode(&bytes) {
                prop_assert_eq!(&again, &bytes, "{} accepted a non-canonical encoding", name);
            }
        }
    }

    /// Same, on valid encodings with one byte changed, cut or inserted: these
    /// get past the version byte and the counts.
    #[test]
    fn decoding_mutated_encodings_never_panics(
        which in any::<prop::sample::Index>(),
        pos in any::<prop::sample::Index>(),
        byte in any::<u8>(),
        how in 0..3u8,
    ) {
        let s = &samples()[which.index(samples().len())];
        let mut b = s.bytes.clone();
        let at = pos.index(b.len());
        match how {
            0 => b[at] = byte,
            1 => b.truncate(at),
            _ => b.insert(at, byte),
        }
        if let Ok(again) = (s.recode)(&b) {
            prop_assert_eq!(&again, &b, "{} accepted a non-canonical encoding", s.name);
        }
    }
}

// ---------------------------------------------------------------------------
// serde: lowercase hex of the wire encoding, decoded by the same strict decoder
// ---------------------------------------------------------------------------

fn json_round_trip<T>(value: &T, wire: &[u8])
where
    T: serde::Serialize + serde::de::DeserializeOwned + PartialEq + std::fmt::Debug,
{
    let json = serde_json::to_value(value).unwrap();
    assert_eq!(json, Value::String(hex::encode(wire)));
    let back: T = serde_json::from_value(json).unwrap();
    assert_eq!(&back, value);
}

#[test]
fn serde_json_is_the_hex_of_the_wire_encoding() {
    let mut rng = common::insecure_test_rng(7);
    let p = Point::from_point(RistrettoPoint::random(&mut rng));
    json_round_trip(&p, &p.to_bytes());
    let ct = make_ciphertext(&mut rng);
    json_round_trip(&ct, &ct.to_bytes());
    let proof = make_schnorr(&mut rng);
    json_round_trip(&proof, &proof.to_bytes());
    let (contest, secrets) = make_contest(&mut rng);
    json_round_trip(&contest, &contest.to_bytes());
    let opening = secrets.open();
    json_round_trip(&opening, &opening.to_bytes());
    let share = make_decryption_share(&mut rng);
    json_round_trip(&share, &share.to_bytes());
    let msg = make_commitment(&mut rng);
    json_round_trip(&msg, &msg.to_bytes());

    // Inside a larger document.
    let doc = serde_json::json!({ "ciphertexts": [ct, ct], "proof": proof });
    let back: Vec<Ciphertext> = serde_json::from_value(doc["ciphertexts"].clone()).unwrap();
    assert_eq!(back, vec![ct, ct]);
}

#[test]
fn serde_json_uses_the_strict_decoder() {
    let invalid = hex_list(&rfc9496(), "invalid_encodings");
    for bad in &invalid {
        assert!(serde_json::from_value::<Point>(Value::String(hex::encode(bad))).is_err());
    }
    let ct = make_ciphertext(&mut common::insecure_test_rng(8));
    let good = hex::encode(ct.to_bytes());
    for bad in [
        format!("{good}00"),    // trailing byte
        good[..126].to_owned(), // one byte short
        good[..127].to_owned(), // odd number of digits
        format!("zz{}", &good[2..]),
    ] {
        assert!(serde_json::from_value::<Ciphertext>(Value::String(bad.clone())).is_err(), "{bad}");
    }
    assert!(serde_json::from_value::<Ciphertext>(serde_json::json!(42)).is_err());
    // A non-canonical response scalar inside a proof.
    let proof = make_schnorr(&mut common::insecure_test_rng(9)).to_bytes();
    let bad = format!("{}{}", hex::encode(&proof[..32]), NON_CANONICAL_SCALARS[0]);
    assert!(serde_json::from_value::<SchnorrProof>(Value::String(bad)).is_err());
}

/// spec §3.6: producers emit lowercase, and the reference decoder also
/// accepts uppercase digits (the bytes, not the text, are canonical).
#[test]
fn serde_json_accepts_upper_case_hex_as_the_spec_says() {
    let ct = make_ciphertext(&mut common::insecure_test_rng(10));
    let upper = hex::encode_upper(ct.to_bytes());
    assert_eq!(serde_json::from_value::<Ciphertext>(Value::String(upper)).unwrap(), ct);
    assert_eq!(serde_json::to_value(ct).unwrap(), Value::String(hex::encode(ct.to_bytes())));
}
