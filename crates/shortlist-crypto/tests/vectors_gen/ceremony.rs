//! `spec/vectors/ceremony.json`: a 3-of-5 key ceremony (spec: §6, V5.1–V5.6)
//! with every message and encrypted share, the joint key, the verification
//! keys, and complaints about a bad share with their verdicts.

use curve25519_dalek::constants::RISTRETTO_BASEPOINT_POINT;
use rand_chacha::ChaCha20Rng;
use rand_core::RngCore;
use serde_json::{json, Value};
use shortlist_crypto::dkg::transport::{Complaint, EncryptedShare, ShareCheck, Verdict};
use shortlist_crypto::dkg::{self, CeremonyParams, CommitmentMessage, GroupPublic, TrusteeSecrets};
use shortlist_crypto::labels;
use shortlist_crypto::proofs::dleq::DleqStatement;
use shortlist_crypto::secret::SecretScalar;
use shortlist_crypto::threshold::{lagrange_at_zero, KeyShare};
use shortlist_crypto::{CryptoError, Point, Scalar};

use super::context::{rebuild, rebuild_fork, Recorded, OPS_DOC};
use super::{bytes, expect_error, expecting, field, generator, hash, hx, int, list, point, scalar, text};
use crate::common::insecure_test_rng;

/// The seed of the ceremony's RNG (also used by `decryption.json`).
pub const SEED: u64 = 1004;

/// Everything a seeded honest ceremony produces.
pub struct Ceremony {
    /// The parameters.
    pub params: CeremonyParams,
    /// Round-one messages, trustee 1 first.
    pub msgs: Vec<CommitmentMessage>,
    /// Every trustee's ceremony secrets.
    pub secrets: Vec<TrusteeSecrets>,
    /// Every encrypted share, in sender then recipient order.
    pub shares: Vec<EncryptedShare>,
    /// The joint key and summed commitments.
    pub public: GroupPublic,
    /// The trustees' key shares, trustee 1 first.
    pub keys: Vec<KeyShare>,
    /// The RNG, for whatever the caller draws next.
    pub rng: ChaCha20Rng,
}

/// Runs the honest 3-of-5 ceremony from [`SEED`].
pub fn run() -> Ceremony {
    let mut rng = insecure_test_rng(SEED);
    let mut manifest_hash = [0u8; 32];
    rng.fill_bytes(&mut manifest_hash);
    let params = CeremonyParams { manifest_hash, n: 5, t: 3 };
    let (secrets, msgs): (Vec<_>, Vec<_>) =
        (1..=params.n).map(|i| dkg::start(&params, i, &mut rng).unwrap()).unzip();
    for m in &msgs {
        m.verify(&params, &mut rng).unwrap();
    }
    let shares: Vec<EncryptedShare> =
        secrets.iter().flat_map(|s| s.encrypt_shares(&params, &msgs).unwrap()).collect();
    let qualified: Vec<&CommitmentMessage> = msgs.iter().collect();
    let public = GroupPublic::derive(&params, &qualified).unwrap();
    let qual_idx: Vec<u16> = (1..=params.n).collect();
    let mut keys = Vec::new();
    for s in &secrets {
        let me = &msgs[usize::from(s.index() - 1)];
        let mut received = Vec::new();
        for sh in shares.iter().filter(|sh| sh.recipient == s.index()) {
            let sender = &msgs[usize::from(sh.sender - 1)];
            match s.receive_share(&params, sender, me, sh, &mut rng).unwrap() {
                ShareCheck::Valid(v) => received.push((sh.sender, v)),
                ShareCheck::Invalid(c) => panic!("honest share rejected: {c:?}"),
            }
        }
        keys.push(s.finish(&params, &public, &qual_idx, &received).unwrap());
    }
    Ceremony { params, msgs, secrets, shares, public, keys, rng }
}

/// The commitment transcript of trustee `i` (spec: §4.4).
fn commitment_context(params: &CeremonyParams, msg: &CommitmentMessage) -> Recorded {
    let mut r = Recorded::protocol()
        .dom(labels::DS_CEREMONY)
        .hash(labels::MANIFEST, &params.manifest_hash)
        .int(labels::TRUSTEES_N, u64::from(params.n))
        .int(labels::THRESHOLD_T, u64::from(params.t))
        .int(labels::TRUSTEE, u64::from(msg.trustee))
        .int(labels::COUNT, msg.coefficients.len() as u64);
    for c in &msg.coefficients {
        r = r.point(labels::STMT_COEFF, c);
    }
    r.point(labels::STMT_ENC_KEY, &msg.encryption_key)
}

/// The complaint transcript of spec §6.4.
fn complaint_context(params: &CeremonyParams, sender: u16, recipient: u16) -> Recorded {
    Recorded::protocol()
        .dom(labels::DS_CEREMONY)
        .hash(labels::MANIFEST, &params.manifest_hash)
        .int(labels::TRUSTEES_N, u64::from(params.n))
        .int(labels::THRESHOLD_T, u64::from(params.t))
        .dom(labels::DS_COMPLAINT)
        .int(labels::SENDER, u64::from(sender))
        .int(labels::RECIPIENT, u64::from(recipient))
}

fn verdict_json(v: Verdict) -> Value {
    match v {
        Verdict::SenderAtFault { sender } => json!({"verdict": "SenderAtFault", "trustee": sender}),
        Verdict::ComplainerAtFault { recipient } => {
            json!({"verdict": "ComplainerAtFault", "trustee": recipient})
        }
    }
}

/// Builds `ceremony.json`.
pub fn generate() -> Value {
    let Ceremony { params, msgs, secrets, shares, public, keys, mut rng } = run();
    // A bad share: trustee 2's share to trustee 4 with one sealed byte flipped.
    let (from, to) = (2u16, 4u16);
    let good = shares.iter().find(|s| s.sender == from && s.recipient == to).unwrap().clone();
    let mut bad = good.clone();
    bad.sealed[0] ^= 1;
    let (sender, me) = (&msgs[usize::from(from - 1)], &msgs[usize::from(to - 1)]);
    let complaint =
        match secrets[usize::from(to - 1)].receive_share(&params, sender, me, &bad, &mut rng).unwrap() {
            ShareCheck::Invalid(c) => *c,
            ShareCheck::Valid(_) => panic!("a flipped byte must not decrypt"),
        };
    let mut forged = complaint.clone();
    forged.proof.response += Scalar::ONE;
    let case = |name: &str, c: &Complaint, s: &EncryptedShare, v: Verdict| {
        let (c, s) = (hx(c.to_bytes()), hx(s.to_bytes()));
        json!({"name": name, "complaint": c, "share": s, "expected": verdict_json(v)})
    };
    let complaints = vec![
        case(
            "share 2→4 with sealed byte 0 flipped",
            &complaint,
            &bad,
            Verdict::SenderAtFault { sender: from },
        ),
        case(
            "the same complaint against the share as sent",
            &complaint,
            &good,
            Verdict::ComplainerAtFault { recipient: to },
        ),
        case("complaint with a forged proof", &forged, &bad, Verdict::ComplainerAtFault { recipient: to }),
    ];
    let mut bad_proof = msgs[0].clone();
    bad_proof.coefficient_proof.response += Scalar::ONE;
    let mut bad_index = msgs[0].clone();
    bad_index.trustee = 6;
    let mut no_key = msgs[0].clone();
    no_key.encryption_key = Point::identity();
    let p6 = json!({"manifest_hash": hx(params.manifest_hash), "n": params.n, "t": 6});
    let m = |name: &str, msg: &CommitmentMessage| json!({"name": name, "check": "message", "hex": hx(msg.to_bytes())});
    let invalid_messages = vec![
        expecting(m("trustee 1, coefficient proof response + 1", &bad_proof), "V5.1"),
        expecting(m("trustee 1's message renamed trustee 6", &bad_index), "V5.1"),
        expecting(m("trustee 1 with encryption key = identity", &no_key), "IdentityPoint"),
        expecting(
            json!({"name": "trustee 1's message under t = 6 > n", "check": "message",
                         "hex": hx(msgs[0].to_bytes()), "params": p6}),
            "V5.0",
        ),
        expecting(
            json!({"name": "qualified set {1, 2}, fewer than t", "check": "derive", "qualified": [1, 2]}),
            "V5.6",
        ),
        expecting(
            json!({"name": "qualified set {1, 1, 2}", "check": "derive", "qualified": [1, 1, 2]}),
            "V5.6",
        ),
    ];
    let msgs_json: Vec<Value> =
        msgs.iter().map(|m| json!({"trustee": m.trustee, "hex": hx(m.to_bytes())})).collect();
    let shares_json: Vec<Value> = shares
        .iter()
        .map(|s| json!({"sender": s.sender, "recipient": s.recipient, "hex": hx(s.to_bytes())}))
        .collect();
    let vks_json: Vec<Value> = keys
        .iter()
        .map(|k| json!({"trustee": k.index(), "hex": hx(public.verification_key(k.index()).to_bytes())}))
        .collect();
    let key_shares_json: Vec<Value> = keys
        .iter()
        .map(|k| json!({"trustee": k.index(), "secret": hx(k.expose_secret().expose_secret().to_bytes())}))
        .collect();
    json!({
        "description": "A dealerless 3-of-5 key ceremony (spec: §6). Every `commitment_messages` entry verifies \
                        (V5.1); `encrypted_shares` are f_i(j) sealed from i to j (§6.3); over `qualified` the \
                        joint key and the summed commitments S_k follow (V5.6), and VK_j = Σ_k j^k·S_k. \
                        `key_shares` are test data: s_j·B = VK_j, and any 3 interpolate to the joint key. \
                        `commitment_context` is trustee 1's commitment transcript (§4.4): its coefficient proof \
                        is bound to it plus append_int(\"index\", 0), its encryption-key proof to index 1. \
                        `invalid_messages` fail V5.0/V5.1 (check \"message\", under `params` if given) or \
                        V5.6 (check \"derive\": the joint key over `qualified`). `complaints` are \
                        adjudicated (V5.5) against the named share with the sender's and recipient's \
                        commitment messages; `complaint_context` is the transcript of their \
                        Chaum–Pedersen proof (statement: base E_sender, X1 = E_recipient, X2 = Z).",
        "context_ops": OPS_DOC,
        "generator": generator("ceremony", json!({"rng": SEED})),
        "params": {"manifest_hash": hx(params.manifest_hash), "n": params.n, "t": params.t},
        "commitment_messages": msgs_json,
        "encrypted_shares": shares_json,
        "qualified": (1..=params.n).collect::<Vec<_>>(),
        "joint_key": hx(public.joint_key.to_bytes()),
        "summed_commitments": public.coefficients.iter().map(|c| hx(c.to_bytes())).collect::<Vec<_>>(),
        "verification_keys": vks_json,
        "key_shares": key_shares_json,
        "commitment_context": commitment_context(&params, &msgs[0]).ops(),
        "complaint_context": complaint_context(&params, from, to).ops(),
        "complaints": complaints,
        "invalid_messages": invalid_messages,
    })
}

/// Reads the ceremony parameters.
pub fn params_of(v: &Value) -> CeremonyParams {
    let n = |k| u16::try_from(int(v, k)).expect("u16");
    CeremonyParams { manifest_hash: hash(v, "manifest_hash"), n: n("n"), t: n("t") }
}

fn u16s(v: &Value, key: &str) -> u16 {
    u16::try_from(int(v, key)).expect("u16")
}

/// Checks `ceremony.json`.
pub fn check(v: &Value) {
    let params = params_of(field(v, "params"));
    let mut rng = insecure_test_rng(0);
    let msgs: Vec<CommitmentMessage> = list(v, "commitment_messages")
        .iter()
        .map(|m| CommitmentMessage::from_bytes(&bytes(m, "hex")).unwrap())
        .collect();
    for (m, j) in msgs.iter().zip(list(v, "commitment_messages")) {
        assert_eq!(m.trustee, u16s(j, "trustee"));
        m.verify(&params, &mut rng).unwrap_or_else(|e| panic!("message of trustee {}: {e}", m.trustee));
    }
    let msg = |i: u16| msgs.iter().find(|m| m.trustee == i).expect("a message per trustee");
    for s in list(v, "encrypted_shares") {
        let share = EncryptedShare::from_bytes(&bytes(s, "hex")).unwrap();
        assert_eq!((share.sender, share.recipient), (u16s(s, "sender"), u16s(s, "recipient")));
        assert_eq!(share.to_bytes(), bytes(s, "hex"));
    }
    let qual: Vec<u16> =
        list(v, "qualified").iter().map(|q| u16::try_from(q.as_u64().unwrap()).unwrap()).collect();
    let public = GroupPublic::derive(&params, &qual.iter().map(|q| msg(*q)).collect::<Vec<_>>()).unwrap();
    assert_eq!(public.joint_key, point(v, "joint_key"));
    let sums: Vec<Point> =
        list(v, "summed_commitments").iter().map(|c| Point::from_bytes(&super::unhex(c)).unwrap()).collect();
    assert_eq!(public.coefficients, sums);
    for vk in list(v, "verification_keys") {
        assert_eq!(public.verification_key(u16s(vk, "trustee")), point(vk, "hex"));
    }
    let shares: Vec<(u16, Scalar)> =
        list(v, "key_shares").iter().map(|k| (u16s(k, "trustee"), scalar(k, "secret"))).collect();
    for (j, s) in &shares {
        assert_eq!(KeyShare::new(*j, SecretScalar::new(*s)).verification_key(), public.verification_key(*j));
    }
    for set in [[1u16, 2, 3], [1, 3, 5], [2, 4, 5]] {
        let x: Scalar = set.iter().map(|j| lagrange_at_zero(*j, &set) * shares[usize::from(*j - 1)].1).sum();
        assert_eq!(Point::from_point(RISTRETTO_BASEPOINT_POINT * x), public.joint_key, "{set:?}");
    }
    // The documented commitment transcript is the one trustee 1's proofs are bound to.
    let m1 = msg(1);
    let ops = field(v, "commitment_context");
    m1.coefficient_proof
        .verify(&rebuild_fork(ops, 0), &m1.coefficients[0], &mut rng)
        .expect("coefficient proof");
    m1.encryption_key_proof.verify(&rebuild_fork(ops, 1), &m1.encryption_key, &mut rng).expect("key proof");
    for case in list(v, "complaints") {
        check_complaint(&params, &msg, field(v, "complaint_context"), case);
    }
    for case in list(v, "invalid_messages") {
        let r = match text(case, "check") {
            "message" => {
                let p = case.get("params").map_or(params, params_of);
                CommitmentMessage::from_bytes(&bytes(case, "hex")).and_then(|m| m.verify(&p, &mut rng))
            }
            "derive" => {
                let q: Vec<&CommitmentMessage> = list(case, "qualified")
                    .iter()
                    .map(|i| msg(u16::try_from(i.as_u64().unwrap()).unwrap()))
                    .collect();
                GroupPublic::derive(&params, &q).map(|_| ())
            }
            other => panic!("unknown check {other:?}"),
        };
        expect_error(case, r);
    }
}

fn check_complaint<'a>(
    params: &CeremonyParams,
    msg: &impl Fn(u16) -> &'a CommitmentMessage,
    ops: &Value,
    case: &Value,
) {
    let name = text(case, "name");
    let c = Complaint::from_bytes(&bytes(case, "complaint")).unwrap();
    let share = EncryptedShare::from_bytes(&bytes(case, "share")).unwrap();
    let mut rng = insecure_test_rng(0);
    let verdict = c.adjudicate(params, msg(c.sender), msg(c.recipient), &share, &mut rng);
    let verdict = verdict.unwrap_or_else(|e: CryptoError| panic!("{name}: {e}"));
    assert_eq!(verdict_json(verdict), *field(case, "expected"), "{name}");
    // The honest complaint's proof verifies under the documented complaint transcript.
    let st = DleqStatement {
        base: msg(c.sender).encryption_key,
        image_g: msg(c.recipient).encryption_key,
        image_h: c.shared_point,
    };
    let alone = c.proof.verify(&rebuild(ops), &st, &mut rng);
    let forged = verdict == Verdict::ComplainerAtFault { recipient: c.recipient } && alone.is_err();
    assert!(alone.is_ok() || forged, "{name}: complaint proof under the documented transcript");
}
