//! `spec/vectors/decryption.json`: the tally of a few ballots under the
//! ceremony's key, decrypted by trustees 1, 3 and 5 (spec: §7, V6.1–V6.5).

use curve25519_dalek::constants::RISTRETTO_BASEPOINT_POINT;
use rand_core::RngCore;
use serde_json::{json, Value};
use shortlist_crypto::ballot::{aggregate, BallotContext, ContestShape, EncryptedContest};
use shortlist_crypto::dlog::DiscreteLog;
use shortlist_crypto::elgamal::{Ciphertext, Encrypter};
use shortlist_crypto::labels;
use shortlist_crypto::proofs::dleq::DleqStatement;
use shortlist_crypto::threshold::{combine, lagrange_at_zero, DecryptionShare};
use shortlist_crypto::transcript::ElectionContext;
use shortlist_crypto::{CryptoError, Point};

use super::ballot::{credential, election_json, election_of, shape_json, shape_of};
use super::context::{rebuild_fork, Recorded, OPS_DOC};
use super::{bytes, expect_error, expecting, field, generator, hx, int, list, point, text, unhex};
use crate::common::insecure_test_rng;
use crate::vectors_gen::ceremony;

/// The seed of this file's own RNG (ballots and decryption shares).
pub const SEED: u64 = 1005;

/// The trustees that decrypt.
const DECRYPTING: [u16; 3] = [1, 3, 5];

/// The decryption transcript of trustee `j` over `count` ciphertexts (spec: §4.5).
fn share_context(e: &ElectionContext, trustee: u16, count: usize) -> Recorded {
    Recorded::protocol()
        .dom(labels::DS_DECRYPTION)
        .hash(labels::MANIFEST, &e.manifest_hash)
        .hash(labels::DEFINITION, &e.definition_hash)
        .point(labels::JOINT_KEY, &e.joint_key)
        .int(labels::TRUSTEE, u64::from(trustee))
        .int(labels::COUNT, count as u64)
}

/// Builds `decryption.json`.
pub fn generate() -> Value {
    let cer = ceremony::run();
    let mut rng = insecure_test_rng(SEED);
    let mut election = ElectionContext {
        manifest_hash: cer.params.manifest_hash,
        definition_hash: [0; 32],
        joint_key: cer.public.joint_key,
    };
    rng.fill_bytes(&mut election.definition_hash);
    let shape = ContestShape { contest_id: 1, candidates: 6, min: 0, max: 3 };
    let votes = [[1u8, 0, 1, 0, 0, 0], [1, 1, 1, 0, 0, 0], [0, 0, 0, 0, 0, 0], [0, 0, 1, 0, 0, 1]];
    let enc = Encrypter::new(&election.joint_key);
    let mut ballots = Vec::new();
    let mut contests = Vec::new();
    for vote in votes {
        let cred = credential(&mut rng);
        let bctx = BallotContext { election: &election, credential: &cred };
        let sel: Vec<bool> = vote.iter().map(|s| *s == 1).collect();
        let (c, _) = EncryptedContest::encrypt(&enc, &bctx, &shape, &sel, &mut rng).unwrap();
        ballots.push(json!({"credential": hx(cred), "contest": hx(c.to_bytes())}));
        contests.push(c);
    }
    let totals = aggregate(&contests, usize::from(shape.candidates));
    let shares: Vec<DecryptionShare> = DECRYPTING
        .iter()
        .map(|j| cer.keys[usize::from(*j - 1)].decrypt(&election, &totals, &mut rng).unwrap())
        .collect();
    let points = combine(cer.params.t, &totals, &shares).unwrap();
    let dlog = DiscreteLog::new(votes.len() as u64, points.len());
    let counts: Vec<u64> = points.iter().map(|p| dlog.solve(p).unwrap()).collect();

    let mut tampered = shares[1].clone();
    tampered.partials[0] = Point::from_point(tampered.partials[0].point() + RISTRETTO_BASEPOINT_POINT);
    let hexes = |ss: &[&DecryptionShare]| ss.iter().map(|s| hx(s.to_bytes())).collect::<Vec<_>>();
    let invalid = vec![
        expecting(
            json!({"name": "trustee 3's first partial decryption + B", "check": "share", "trustee": 3,
                   "share": hx(tampered.to_bytes())}),
            "V6.2",
        ),
        expecting(
            json!({"name": "trustee 1's share checked against trustee 2's key", "check": "share", "trustee": 2,
                   "share": hx(shares[0].to_bytes())}),
            "V6.2",
        ),
        expecting(
            json!({"name": "only trustees 1 and 3", "check": "combine", "shares": hexes(&[&shares[0], &shares[1]])}),
            "NotEnoughShares",
        ),
        expecting(
            json!({"name": "trustee 1 twice", "check": "combine",
                   "shares": hexes(&[&shares[0], &shares[0], &shares[1]])}),
            "V6.3",
        ),
        expecting(
            json!({"name": "candidate 2 (count 3) searched with bound 2", "check": "dlog", "candidate": 2, "bound": 2}),
            "V6.5",
        ),
    ];
    let vks_json: Vec<Value> = (1..=cer.params.n)
        .map(|j| json!({"trustee": j, "hex": hx(cer.public.verification_key(j).to_bytes())}))
        .collect();
    let shares_json: Vec<Value> =
        shares.iter().map(|s| json!({"trustee": s.trustee, "hex": hx(s.to_bytes())})).collect();
    json!({
        "description": "Threshold decryption (spec: §7) under the joint key of ceremony.json (same seed). \
                        `ballots` verify (V3) and their per-candidate sums are `aggregate` (§7.2). Trustees \
                        1, 3 and 5 each post a DecryptionShare over `aggregate` that verifies against their \
                        verification key (V6.2); Lagrange combination at 0 over {1, 3, 5} (V6.3, V6.4) and a \
                        discrete log bounded by the number of ballots (V6.5) give `counts`. \
                        `share_context` is trustee 1's decryption transcript (§4.5): its proof for \
                        ciphertext i is bound to it plus append_int(\"index\", i), with statement base A_i, \
                        X1 = VK_1, X2 = D_i. Invalid cases (check \"share\": against the named trustee's key; \
                        \"combine\"; \"dlog\": the combined point of `candidate` searched in [0, `bound`]) fail with \
                        `expected_error`.",
        "context_ops": OPS_DOC,
        "generator": generator("decryption", json!({"rng": SEED, "ceremony_rng": ceremony::SEED})),
        "election": election_json(&election),
        "threshold": cer.params.t,
        "shape": shape_json(&shape),
        "ballots": ballots,
        "aggregate": totals.iter().map(|c| hx(c.to_bytes())).collect::<Vec<_>>(),
        "verification_keys": vks_json,
        "decryption_shares": shares_json,
        "share_context": share_context(&election, 1, totals.len()).ops(),
        "counts": counts,
        "invalid": invalid,
    })
}

fn vk(v: &Value, trustee: u64) -> Point {
    let entry = list(v, "verification_keys").iter().find(|k| int(k, "trustee") == trustee).expect("a key");
    point(entry, "hex")
}

fn run(
    v: &Value,
    case: &Value,
    election: &ElectionContext,
    totals: &[Ciphertext],
) -> Result<(), CryptoError> {
    let t = u16::try_from(int(v, "threshold")).expect("u16");
    match text(case, "check") {
        "share" => DecryptionShare::from_bytes(&bytes(case, "share"))?.verify(
            election,
            &vk(v, int(case, "trustee")),
            totals,
            &mut insecure_test_rng(0),
        ),
        "combine" => {
            let shares: Vec<DecryptionShare> = list(case, "shares")
                .iter()
                .map(|s| DecryptionShare::from_bytes(&unhex(s)))
                .collect::<Result<_, _>>()?;
            combine(t, totals, &shares).map(|_| ())
        }
        "dlog" => {
            let shares: Vec<DecryptionShare> = list(v, "decryption_shares")
                .iter()
                .map(|s| DecryptionShare::from_bytes(&bytes(s, "hex")))
                .collect::<Result<_, _>>()?;
            let points = combine(t, totals, &shares)?;
            let i = usize::try_from(int(case, "candidate")).expect("index");
            DiscreteLog::new(int(case, "bound"), 1).solve(&points[i]).map(|_| ())
        }
        other => panic!("unknown check {other:?}"),
    }
}

/// Checks `decryption.json`.
pub fn check(v: &Value) {
    let election = election_of(field(v, "election"));
    let shape = shape_of(field(v, "shape"));
    let mut rng = insecure_test_rng(0);
    let mut contests = Vec::new();
    for b in list(v, "ballots") {
        let cred: [u8; 32] = bytes(b, "credential").try_into().expect("32 bytes");
        let c = EncryptedContest::from_bytes(&bytes(b, "contest")).unwrap();
        c.verify(&BallotContext { election: &election, credential: &cred }, &shape, &mut rng).unwrap();
        contests.push(c);
    }
    let totals: Vec<Ciphertext> =
        list(v, "aggregate").iter().map(|c| Ciphertext::from_bytes(&unhex(c)).unwrap()).collect();
    assert_eq!(aggregate(&contests, usize::from(shape.candidates)), totals);
    let mut shares = Vec::new();
    for s in list(v, "decryption_shares") {
        let share = DecryptionShare::from_bytes(&bytes(s, "hex")).unwrap();
        assert_eq!(u64::from(share.trustee), int(s, "trustee"));
        share.verify(&election, &vk(v, int(s, "trustee")), &totals, &mut rng).unwrap();
        shares.push(share);
    }
    // Any t verification keys interpolate to the joint key.
    let set: Vec<u16> = shares.iter().map(|s| s.trustee).collect();
    let joint: curve25519_dalek::ristretto::RistrettoPoint =
        set.iter().map(|j| vk(v, u64::from(*j)).point() * lagrange_at_zero(*j, &set)).sum();
    assert_eq!(Point::from_point(joint), election.joint_key);
    // The documented decryption transcript is the one trustee 1's proofs are bound to.
    let first = shares.iter().find(|s| s.trustee == 1).expect("trustee 1 decrypts");
    for (i, ((ct, d), proof)) in totals.iter().zip(&first.partials).zip(&first.proofs).enumerate() {
        let st = DleqStatement { base: ct.a, image_g: vk(v, 1), image_h: *d };
        proof
            .verify(&rebuild_fork(field(v, "share_context"), i as u64), &st, &mut rng)
            .expect("share proof alone");
    }
    let t = u16::try_from(int(v, "threshold")).unwrap();
    let points = combine(t, &totals, &shares).unwrap();
    let counts: Vec<u64> = list(v, "counts").iter().map(|c| c.as_u64().unwrap()).collect();
    let dlog = DiscreteLog::new(contests.len() as u64, points.len());
    assert_eq!(points.len(), counts.len());
    for (p, want) in points.iter().zip(&counts) {
        assert_eq!(dlog.solve(p).unwrap(), *want);
    }
    for case in list(v, "invalid") {
        expect_error(case, run(v, case, &election, &totals));
    }
}
