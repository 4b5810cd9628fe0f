//! `spec/vectors/ballot.json`: a whole encrypted contest (30 candidates, 0 to
//! 9 selections) with its election context, credential, opening and the
//! contest transcript, plus invalid cases (spec: §8, V3.1–V3.5).

use curve25519_dalek::constants::RISTRETTO_BASEPOINT_POINT;
use ed25519_dalek::SigningKey;
use rand_core::RngCore;
use serde_json::{json, Value};
use shortlist_crypto::ballot::{BallotContext, ContestOpening, ContestShape, EncryptedContest};
use shortlist_crypto::elgamal::{Ciphertext, Encrypter, SecretKey};
use shortlist_crypto::labels;
use shortlist_crypto::proofs::bit::BitProof;
use shortlist_crypto::secret::SecretScalar;
use shortlist_crypto::transcript::ElectionContext;
use shortlist_crypto::{CryptoError, Scalar};

use super::context::{rebuild_fork, Recorded, OPS_DOC};
use super::{
    bump_last_scalar, bytes, expect_error, expecting, field, generator, hash, hx, int, list, point,
    public_of, scalar, text,
};
use crate::common::insecure_test_rng;

/// The seed of this file's RNG.
pub const SEED: u64 = 1003;

/// The candidates selected in the valid ballot (0-based).
const SELECTED: [usize; 6] = [2, 5, 11, 17, 23, 29];

/// An ed25519 credential public key made from seeded bytes.
pub fn credential(rng: &mut impl RngCore) -> [u8; 32] {
    let mut seed = [0u8; 32];
    rng.fill_bytes(&mut seed);
    SigningKey::from_bytes(&seed).verifying_key().to_bytes()
}

/// The contest shape as JSON.
pub fn shape_json(s: &ContestShape) -> Value {
    json!({"contest_id": s.contest_id, "candidates": s.candidates, "min": s.min, "max": s.max})
}

/// Reads a contest shape.
pub fn shape_of(v: &Value) -> ContestShape {
    let n = |k| u16::try_from(int(v, k)).expect("u16");
    ContestShape {
        contest_id: u32::try_from(int(v, "contest_id")).expect("u32"),
        candidates: n("candidates"),
        min: n("min"),
        max: n("max"),
    }
}

/// The election context as JSON.
pub fn election_json(e: &ElectionContext) -> Value {
    json!({
        "manifest_hash": hx(e.manifest_hash),
        "definition_hash": hx(e.definition_hash),
        "joint_key": hx(e.joint_key.to_bytes()),
    })
}

/// Reads an election context.
pub fn election_of(v: &Value) -> ElectionContext {
    ElectionContext {
        manifest_hash: hash(v, "manifest_hash"),
        definition_hash: hash(v, "definition_hash"),
        joint_key: point(v, "joint_key"),
    }
}

/// The contest transcript of spec §4.3, recorded; proof `i` forks it with `index = i`.
fn contest_context(e: &ElectionContext, cred: &[u8; 32], c: &EncryptedContest) -> Recorded {
    let mut r = Recorded::protocol()
        .dom(labels::DS_BALLOT)
        .hash(labels::MANIFEST, &e.manifest_hash)
        .hash(labels::DEFINITION, &e.definition_hash)
        .point(labels::JOINT_KEY, &e.joint_key)
        .int(labels::CONTEST, u64::from(c.contest_id))
        .hash(labels::CREDENTIAL, cred)
        .int(labels::COUNT, c.ciphertexts.len() as u64);
    for ct in &c.ciphertexts {
        r = r.point(labels::STMT_CT_A, &ct.a).point(labels::STMT_CT_B, &ct.b);
    }
    r
}

fn selections(shape: &ContestShape, chosen: &[usize]) -> Vec<bool> {
    (0..usize::from(shape.candidates)).map(|i| chosen.contains(&i)).collect()
}

/// Builds `ballot.json`.
pub fn generate() -> Value {
    let mut rng = insecure_test_rng(SEED);
    let x = SecretScalar::random(&mut rng);
    let mut election =
        ElectionContext { manifest_hash: [0; 32], definition_hash: [0; 32], joint_key: public_of(&x) };
    rng.fill_bytes(&mut election.manifest_hash);
    rng.fill_bytes(&mut election.definition_hash);
    let cred = credential(&mut rng);
    let other_cred = credential(&mut rng);
    let shape = ContestShape { contest_id: 7, candidates: 30, min: 0, max: 9 };
    let enc = Encrypter::new(&election.joint_key);
    let bctx = BallotContext { election: &election, credential: &cred };
    let chosen = selections(&shape, &SELECTED);
    let (contest, secrets) = EncryptedContest::encrypt(&enc, &bctx, &shape, &chosen, &mut rng).unwrap();
    let opening = secrets.open();

    // Ten selections, made under a max-10 definition: over this contest's max.
    let shape10 = ContestShape { max: 10, ..shape };
    let ten = selections(&shape, &[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    let (over, _) = EncryptedContest::encrypt(&enc, &bctx, &shape10, &ten, &mut rng).unwrap();
    let spliced = EncryptedContest { range_proof: contest.range_proof.clone(), ..over.clone() };
    let mut swapped = contest.clone();
    swapped.bit_proofs.swap(0, 1);
    let mut plain = contest.clone();
    plain.ciphertexts[3].a = shortlist_crypto::Point::identity();
    let cb = contest.to_bytes();
    let mut bad_opening = opening.clone();
    bad_opening.selections[0] ^= 1;

    let verify = |name: &str, c: Vec<u8>| json!({"name": name, "check": "verify", "contest": hx(c)});
    let invalid = vec![
        expecting(
            json!({"name": "ballot moved to another credential", "check": "verify", "credential": hx(other_cred)}),
            "V3.4",
        ),
        expecting(verify("range proof response + 1", bump_last_scalar(&cb)), "V3.4"),
        expecting(verify("bit proofs 0 and 1 swapped", swapped.to_bytes()), "V3.3"),
        expecting(verify("10 selections, made for max 10", over.to_bytes()), "V3.1"),
        expecting(verify("ciphertext 3 with A = identity", plain.to_bytes()), "V3.2"),
        expecting(verify("10 selections with the range proof of a valid ballot", spliced.to_bytes()), "V3.4"),
        expecting(
            json!({"name": "definition names contest 8", "check": "verify",
                   "shape": shape_json(&ContestShape { contest_id: 8, ..shape })}),
            "V3.1",
        ),
        expecting(
            json!({"name": "opening with candidate 0 flipped", "check": "opening",
                   "opening": hx(bad_opening.to_bytes())}),
            "V3.5",
        ),
    ];
    json!({
        "description": "One encrypted contest (spec: §8.2) for 30 candidates, min 0, max 9, bound to `election` \
                        and the ed25519 `credential` public key. `contest` is the EncryptedContest encoding and \
                        verifies (V3); `opening` (ContestOpening) opens it to `selections` (V3.5). \
                        `contest_context` is the contest transcript (spec: §4.3): bit proof i is bound to it \
                        followed by append_int(\"index\", i), the range proof (on the sum of the ciphertexts) \
                        to index = candidates. `secret_key_x` (test data) decrypts each ciphertext to its \
                        selection. Invalid cases replace `contest`, `credential`, `shape` or `opening` and \
                        fail with `expected_error`. A moved ballot fails every proof; spec §9 (V3) \
                        reports V3.4 when a range proof is among the failures.",
        "context_ops": OPS_DOC,
        "generator": generator("ballot", json!({"rng": SEED})),
        "election": election_json(&election),
        "secret_key_x": hx(x.expose_secret().to_bytes()),
        "credential": hx(cred),
        "shape": shape_json(&shape),
        "selections": chosen.iter().map(|s| u8::from(*s)).collect::<Vec<_>>(),
        "contest": hx(&cb),
        "opening": hx(opening.to_bytes()),
        "contest_context": contest_context(&election, &cred, &contest).ops(),
        "invalid": invalid,
    })
}

fn run(v: &Value, case: &Value) -> Result<(), CryptoError> {
    let pick = |k: &str| case.get(k).unwrap_or_else(|| field(v, k));
    let election = election_of(field(v, "election"));
    let cred: [u8; 32] = super::unhex(pick("credential")).try_into().expect("32 bytes");
    let shape = shape_of(pick("shape"));
    let contest = EncryptedContest::from_bytes(&super::unhex(pick("contest")))?;
    match text(case, "check") {
        "verify" => {
            let bctx = BallotContext { election: &election, credential: &cred };
            contest.verify(&bctx, &shape, &mut insecure_test_rng(0))
        }
        "opening" => {
            let opening = ContestOpening::from_bytes(&super::unhex(pick("opening")))?;
            contest.check_opening(&election.joint_key, &opening)
        }
        other => panic!("unknown check {other:?}"),
    }
}

/// Checks `ballot.json`.
pub fn check(v: &Value) {
    let valid = json!({"name": "valid", "check": "verify"});
    run(v, &valid).expect("the contest verifies");
    run(v, &json!({"name": "valid", "check": "opening"})).expect("the opening opens the contest");
    let election = election_of(field(v, "election"));
    let key = election.joint_key;
    let contest = EncryptedContest::from_bytes(&bytes(v, "contest")).unwrap();
    assert_eq!(contest.to_bytes(), bytes(v, "contest"));
    let opening = ContestOpening::from_bytes(&bytes(v, "opening")).unwrap();
    let want: Vec<u8> =
        list(v, "selections").iter().map(|s| u8::try_from(s.as_u64().unwrap()).unwrap()).collect();
    assert_eq!(opening.selections, want);
    // Decrypt each ciphertext with the test key: B − x·A = s·B.
    let x = SecretKey::from_secret(SecretScalar::new(scalar(v, "secret_key_x")));
    assert_eq!(x.public_key(), key);
    for (ct, s) in contest.ciphertexts.iter().zip(&want) {
        assert_eq!(x.decrypt_to_point(ct), RISTRETTO_BASEPOINT_POINT * Scalar::from(*s));
    }
    // The documented contest transcript is the one the proofs are bound to.
    let ops = field(v, "contest_context");
    let mut rng = insecure_test_rng(0);
    for (i, (ct, proof)) in contest.ciphertexts.iter().zip(&contest.bit_proofs).enumerate() {
        let t = rebuild_fork(ops, i as u64);
        let reread = BitProof::from_bytes(&proof.to_bytes()).unwrap();
        reread.verify(&t, &key, ct, &mut rng).unwrap_or_else(|e| panic!("bit proof {i} alone: {e}"));
    }
    let n = contest.ciphertexts.len() as u64;
    let sum = Ciphertext::sum(&contest.ciphertexts);
    contest.range_proof.verify(&rebuild_fork(ops, n), &key, &sum, &mut rng).expect("range proof alone");
    for case in list(v, "invalid") {
        expect_error(case, run(v, case));
    }
}
