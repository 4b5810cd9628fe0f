//! Issue 16, Build 2: adversarial tests against the in-process router on
//! SQLite. Each asserts the refusal, its code (spec: api §2), and that the
//! board (its size and latest signed checkpoint), the nominations and the
//! roll are unchanged.
//!
//! - Generated malformed bodies of every class on every POST route that takes
//!   a body (`ADVERSARIAL_CASES` per route and class, default 100).
//! - 100 concurrent revotes on one credential: under `last` all are on the
//!   board and exactly the last counts; under `first` exactly one is taken.
//! - Tally attacks: a share for another ciphertext, a duplicate share, a
//!   share signed by another trustee, a share naming a checkpoint that does
//!   not cover the aggregate, fewer than `t` shares.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

mod common;

use std::collections::BTreeMap;
use std::sync::Arc;

use common::*;
use rand::rngs::OsRng;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{json, Value};
use shortlist_board::entry::EntryKind;
use shortlist_board::payload::{Aggregate, DecryptionShares, TrusteeMessage};
use shortlist_client::board::PollView;
use shortlist_client::member::Member;
use shortlist_client::trustee::Trustee;
use shortlist_client::{Api, ClientError, Method, Transport};
use shortlist_crypto::credential::CredentialSecret;
use shortlist_crypto::elgamal::{Ciphertext, Encrypter};
use shortlist_crypto::transcript::ElectionContext;
use shortlist_server::clock::ManualClock;

const POLL: &str = "adversarial";

/// Everything a request could change.
#[derive(Debug, PartialEq, Eq)]
struct Observed {
    entries: u64,
    checkpoint: String,
    members: Value,
    nominations: Value,
    polls: Value,
}

async fn observe(api: &Api<InProcess>) -> Observed {
    let status = api.get("/status").await.unwrap();
    let latest = api.get("/checkpoints/latest").await.unwrap();
    let polls =
        api.transport().send(Method::Get, "/v1/polls", None, "application/json", Vec::new()).await.unwrap();
    Observed {
        entries: status["entries"].as_u64().unwrap(),
        checkpoint: latest["bytes"].as_str().unwrap().to_string(),
        members: status["members"].clone(),
        nominations: api.get_org("/nominations").await.unwrap(),
        polls: serde_json::from_slice(&polls.body).unwrap(),
    }
}

/// A poll with voting open, trustees ready, `members` tokens.
struct Poll {
    server: Server,
    api: Api<InProcess>,
    clock: ManualClock,
    trustees: Vec<Trustee>,
    people: People,
    tokens: Vec<String>,
    view: Arc<PollView>,
    enc: Arc<Encrypter>,
    _db: Db,
}

async fn voting(members: usize, revote: &str) -> Poll {
    let db = Db::sqlite();
    let clock = ManualClock::new(T0);
    let key = CredentialSecret::generate(&mut OsRng);
    let server = Server::start(&db, clock.clone(), &key).await;
    let api = server.api(POLL);
    let people = People::new(5);
    clock.set(T0);
    let mut m = manifest(POLL, &people);
    m["revote"] = json!(revote);
    api.create_poll(&m).await.unwrap();
    for i in 0..30 {
        let gender = if i % 2 == 0 { "woman" } else { "man" };
        api.enter_candidate(1, &format!("Candidate {:02}", i + 1), "", &[("gender", gender)]).await.unwrap();
    }
    let view = PollView::fetch(&api).await.unwrap();
    let trustees =
        shortlist_client::ceremony::run_in_one_process(&api, &view, &people.trustee_keys).await.unwrap();
    clock.set(T0 + 100);
    api.action("/nominations/close").await.unwrap();
    let tokens = roll(&api, members).await;
    clock.set(T0 + 200);
    api.action("/voting/open").await.unwrap();
    let view = PollView::fetch(&api).await.unwrap();
    let enc = Encrypter::new(&view.context().unwrap().joint_key);
    Poll { server, api, clock, trustees, people, tokens, view: Arc::new(view), enc: Arc::new(enc), _db: db }
}

/// A malformed request: route, body, content type, whether it needs the
/// organiser key, and the codes it may get.
struct Case {
    route: &'static str,
    class: &'static str,
    body: Vec<u8>,
    content_type: &'static str,
    codes: &'static [&'static str],
}

const MALFORMED: &[&str] = &["malformed"];
/// What a well-formed body with wrong contents may get, depending on where
/// the bytes break: never a 2xx, never a 5xx.
const REFUSED: &[&str] = &[
    "malformed",
    "invalid_manifest",
    "invalid_candidate",
    "invalid_request",
    "invalid_credential",
    "invalid_token",
    "bad_signature",
    "invalid_ballot",
    "invalid_proof",
    "invalid_audit",
    "not_a_trustee",
    "wrong_index",
    "invalid_share",
    "duplicate",
    "wrong_phase",
    "unregistered",
    "duplicate_ciphertexts",
    "already_registered",
    "timetable",
];

/// Every path of `v` to a value, as JSON pointers.
fn pointers(v: &Value, at: String, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                let p = format!("{at}/{k}");
                out.push(p.clone());
                pointers(x, p, out);
            }
        }
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                let p = format!("{at}/{i}");
                out.push(p.clone());
                pointers(x, p, out);
            }
        }
        _ => {}
    }
}

/// A value of another JSON type than `v`, or out of range for any field.
fn confuse(rng: &mut StdRng, v: &Value) -> Value {
    let choices: Vec<Value> = match v {
        Value::String(_) => vec![json!(7), json!(true), json!(null), json!([]), json!({})],
        Value::Number(_) => {
            vec![
                json!("7"),
                json!(-1),
                json!(1.5),
                json!(1e30),
                json!(u128::MAX.to_string()),
                json!(null),
                json!([1]),
            ]
        }
        Value::Bool(_) => vec![json!("true"), json!(1)],
        Value::Array(_) => vec![json!({}), json!("[]"), json!(3), json!(null)],
        Value::Object(_) => vec![json!([]), json!("{}"), json!(0), json!(null)],
        Value::Null => vec![json!(0)],
    };
    choices[rng.gen_range(0..choices.len())].clone()
}

/// Fields whose removal leaves a valid body (they have defaults).
const OPTIONAL: &[&str] = &["revote", "min_selections", "slate_rules", "statement", "attributes"];

/// Hex fields of the bodies: broken hex, or good hex of broken bytes.
fn hex_mutation(rng: &mut StdRng, good: &str) -> (String, &'static [&'static str]) {
    let bytes = hex::decode(good).unwrap();
    match rng.gen_range(0..6) {
        0 => ("zz".repeat(rng.gen_range(1..40)), MALFORMED),
        1 => (format!("{good}0"), MALFORMED),
        2 => (hex::encode(&bytes[..rng.gen_range(0..bytes.len())]), REFUSED),
        3 => {
            let mut b = bytes;
            let i = rng.gen_range(0..b.len());
            b[i] ^= 1 << rng.gen_range(0..8);
            (hex::encode(b), REFUSED)
        }
        4 => {
            let mut b = bytes;
            b.push(rng.gen());
            (hex::encode(b), REFUSED)
        }
        _ => ((0..rng.gen_range(0..200)).map(|_| format!("{:02x}", rng.gen::<u8>())).collect(), REFUSED),
    }
}

/// `per` cases of every class for the route whose good body is `good`.
fn cases(rng: &mut StdRng, route: &'static str, good: &Value, hex_fields: &[&str], per: usize) -> Vec<Case> {
    let text = good.to_string();
    let mut ptrs = Vec::new();
    pointers(good, String::new(), &mut ptrs);
    let mut out = Vec::new();
    let mut push = |class, body: Vec<u8>, content_type, codes| {
        out.push(Case { route, class, body, content_type, codes })
    };
    for _ in 0..per {
        // Not JSON: cut short, random bytes, not UTF-8.
        let cut = rng.gen_range(0..text.len());
        push("truncated JSON", text.as_bytes()[..cut].to_vec(), "application/json", MALFORMED);
        let junk: Vec<u8> = (0..rng.gen_range(0..300)).map(|_| rng.gen()).collect();
        push("random bytes", junk, "application/json", MALFORMED);
        // Another top-level JSON type.
        push(
            "wrong top-level type",
            confuse(rng, good).to_string().into_bytes(),
            "application/json",
            MALFORMED,
        );
        // An unknown field at the top level.
        let mut v = good.clone();
        v[format!("x{}", rng.gen::<u16>())] = json!(rng.gen::<u32>());
        push("unknown field", v.to_string().into_bytes(), "application/json", MALFORMED);
        // A required field missing.
        let required: Vec<&String> = ptrs
            .iter()
            .filter(|p| {
                let last = p.rsplit('/').next().unwrap();
                !OPTIONAL.contains(&last) && last.parse::<usize>().is_err() && !p.contains("/attributes/")
            })
            .collect();
        if !required.is_empty() {
            let p = required[rng.gen_range(0..required.len())];
            let (parent, key) = p.rsplit_once('/').unwrap();
            let mut v = good.clone();
            v.pointer_mut(if parent.is_empty() { "" } else { parent })
                .unwrap()
                .as_object_mut()
                .unwrap()
                .remove(key);
            push("missing field", v.to_string().into_bytes(), "application/json", MALFORMED);
        }
        // A field of another type or out of range.
        let p = &ptrs[rng.gen_range(0..ptrs.len())];
        let mut v = good.clone();
        let x = v.pointer_mut(p).unwrap();
        *x = confuse(rng, x);
        // A timetable date may be RFC 3339 text (issue 10): text that is no
        // date, or a number out of range, is refused as `invalid_time`.
        let codes: &[&str] = if p.starts_with("/timetable/") {
            &["malformed", "invalid_time", "invalid_manifest"]
        } else {
            MALFORMED
        };
        push("wrong field type", v.to_string().into_bytes(), "application/json", codes);
        // Another content type.
        push("wrong content type", text.clone().into_bytes(), "text/plain", &["unsupported_media_type"]);
        // Hex fields: bad hex, or bytes that do not decode or verify.
        for f in hex_fields {
            let mut v = good.clone();
            let (h, codes) = hex_mutation(rng, good[*f].as_str().unwrap());
            v[*f] = json!(h);
            push("bad hex payload", v.to_string().into_bytes(), "application/json", codes);
        }
    }
    out
}

// Build 2: every class of malformed body on every POST route with a body.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn generated_malformed_bodies_are_refused_and_change_nothing() {
    let per: usize = std::env::var("ADVERSARIAL_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(100);
    let seed: u64 =
        std::env::var("ADVERSARIAL_SEED").ok().and_then(|v| v.parse().ok()).unwrap_or_else(rand::random);
    let p = voting(2, "first").await;
    let api = &p.api;
    let mut rng = StdRng::seed_from_u64(seed);

    // Good bodies, one per route. The ballot is from a registered member and
    // is never sent as it is, so it stays good throughout.
    let member = Member::new();
    member.register(api, &p.tokens[0]).await.unwrap();
    let prepared = member.prepare(&p.view, &p.enc, &choose()).unwrap();
    let ballot = member.cast_payload(&p.view, &prepared).unwrap();
    // The audit body as the client makes it, without posting it.
    let spoiled = shortlist_board::payload::SpoiledBallot::open(vec![fresh_chosen(&p)]).to_bytes();
    let commitment =
        api.get("/entries?from=31&to=32").await.unwrap()[0]["payload"].as_str().unwrap().to_string();
    let other = Member::new();
    let mut manifest_body = manifest("another-poll", &People::new(3));
    manifest_body["threshold"] = json!(2);
    let routes: Vec<(&'static str, bool, Value, Vec<&str>)> = vec![
        ("/v1/polls", true, manifest_body, vec![]),
        ("/candidate-tokens", true, json!({ "labels": ["ann", "bob"] }), vec![]),
        (
            "/candidates",
            true,
            json!({ "contest_id": 1, "name": "Ann", "statement": "s", "attributes": { "gender": "woman" } }),
            vec![],
        ),
        (
            "/expressions-of-interest",
            false,
            json!({ "token": "t", "candidate": { "contest_id": 1, "name": "Ann", "attributes": { "gender": "woman" } } }),
            vec![],
        ),
        (
            // A token already redeemed: any credential, however mutated, is refused.
            "/credentials",
            false,
            json!({ "token": p.tokens[0], "credential": hex::encode(other.public_key()) }),
            vec!["credential"],
        ),
        ("/ballots", false, json!({ "ballot": hex::encode(&ballot) }), vec!["ballot"]),
        ("/audits", false, json!({ "spoiled": hex::encode(&spoiled) }), vec!["spoiled"]),
        ("/trustee-messages", false, json!({ "kind": "commitment", "message": commitment }), vec!["message"]),
    ];
    let mut all = Vec::new();
    for (route, _, good, hex_fields) in &routes {
        all.extend(cases(&mut rng, route, good, hex_fields, per));
    }
    // The roll: CSV, not JSON.
    for _ in 0..per {
        let junk: Vec<u8> = (0..rng.gen_range(0..200)).map(|_| rng.gen()).collect();
        all.push(Case {
            route: "/roll",
            class: "random bytes",
            body: junk,
            content_type: "text/csv",
            codes: MALFORMED,
        });
        let bad = ["\0", "\u{7}", "\u{202E}", "\r", ""][rng.gen_range(0..5)];
        let csv = format!("member_id,name\nz{}{bad},Zed\n", rng.gen::<u32>());
        let class = if bad.is_empty() { "duplicate header" } else { "control character" };
        let csv =
            if bad.is_empty() { "member_id,member_id,name\nz1,z1,Zed\nz1,z1,Zed\n".to_string() } else { csv };
        all.push(Case {
            route: "/roll",
            class,
            body: csv.into_bytes(),
            content_type: "text/csv",
            codes: MALFORMED,
        });
    }

    let before = observe(api).await;
    let mut by: BTreeMap<(&str, &str), usize> = BTreeMap::new();
    for (i, c) in all.iter().enumerate() {
        let org = routes.iter().find(|r| r.0 == c.route).is_none_or(|r| r.1);
        let path = if c.route.starts_with("/v1/") {
            c.route.to_string()
        } else {
            format!("/v1/polls/{POLL}{}", c.route)
        };
        let reply = api
            .transport()
            .send(Method::Post, &path, org.then_some(ORGANISER_KEY), c.content_type, c.body.clone())
            .await
            .unwrap();
        let what =
            format!("case {i} ({} {}, seed {seed}): {}", c.route, c.class, String::from_utf8_lossy(&c.body));
        let body: Value =
            serde_json::from_slice(&reply.body).unwrap_or_else(|e| panic!("{what}: answer not JSON: {e}"));
        assert!((400..500).contains(&reply.status), "{what}: status {} {body}", reply.status);
        let code = body["code"].as_str().unwrap_or_else(|| panic!("{what}: no code in {body}"));
        assert!(c.codes.contains(&code), "{what}: code {code} not in {:?}: {body}", c.codes);
        assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()), "{what}: no message");
        *by.entry((c.route, c.class)).or_default() += 1;
        // The board and the rest, checked after every 16th case and the last.
        if i % 16 == 0 || i + 1 == all.len() {
            assert_eq!(observe(api).await, before, "{what}: something changed");
        }
    }
    eprintln!("{} malformed bodies refused (seed {seed}, {per} per route and class):", all.len());
    for ((route, class), n) in &by {
        eprintln!("  {route:<26} {class:<22} {n}");
    }
    // Control: the good ballot is accepted.
    api.cast(&ballot).await.unwrap();
    p.server.app.finish().await;
}

/// A fresh chosen contest, for an audit.
fn fresh_chosen(p: &Poll) -> shortlist_crypto::ballot::ChosenContest {
    let shape = &p.view.shapes().unwrap()[0];
    let c = shortlist_crypto::ballot::EncryptedContest::prepare(&p.enc, shape, &mut OsRng).unwrap();
    c.choose(&choose()[0]).unwrap()
}

/// Sends `n` different ballots of one member at once; returns each answer.
async fn cast_at_once(
    p: &Poll,
    m: &Member,
    n: usize,
) -> Vec<(Vec<bool>, Vec<u8>, Result<Value, ClientError>)> {
    let mut prepared = Vec::new();
    for _ in 0..n {
        let sel = choose();
        let pr = m.prepare(&p.view, &p.enc, &sel).unwrap();
        prepared.push((sel[0].clone(), m.cast_payload(&p.view, &pr).unwrap()));
    }
    let mut tasks = tokio::task::JoinSet::new();
    for (i, (sel, payload)) in prepared.into_iter().enumerate() {
        let api = p.server.api(POLL);
        tasks.spawn(async move {
            let r = api.cast(&payload).await;
            (i, sel, payload, r)
        });
    }
    let mut out = Vec::new();
    while let Some(r) = tasks.join_next().await {
        out.push(r.unwrap());
    }
    out.sort_by_key(|r| r.0);
    out.into_iter().map(|(_, s, p, r)| (s, p, r)).collect()
}

// Build 2: 100 concurrent revotes on one credential (policy `last`): all on
// the board, exactly one counts — the latest entry — and the tally shows it.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_revotes_on_one_credential_count_once() {
    let mut p = voting(2, "last").await;
    let api = &p.api;
    let m = Member::new();
    m.register(api, &p.tokens[0]).await.unwrap();
    let answers = cast_at_once(&p, &m, 100).await;
    assert!(
        answers.iter().all(|a| a.2.is_ok()),
        "a revote was refused: {:?}",
        answers.iter().find(|a| a.2.is_err()).map(|a| &a.2)
    );
    // The board: 100 ballot entries of this credential; the latest counts.
    let entries = api.get("/entries?from=0&to=1000").await.unwrap();
    let ballots: Vec<&Value> = entries.as_array().unwrap().iter().filter(|e| e["kind"] == "ballot").collect();
    assert_eq!(ballots.len(), 100);
    let last = hex::decode(ballots.last().unwrap()["payload"].as_str().unwrap()).unwrap();
    let counted = answers.iter().find(|a| a.1 == last).expect("the last entry is one of ours");
    // A second member votes once, so the tally is not one ballot alone.
    let m2 = Member::new();
    m2.register(api, &p.tokens[1]).await.unwrap();
    let sel2 = choose();
    let pr = m2.prepare(&p.view, &p.enc, &sel2).unwrap();
    m2.cast(api, &p.view, &pr).await.unwrap();

    p.clock.set(T0 + 300);
    api.action("/voting/close").await.unwrap();
    let aggregate = api.action("/tally").await.unwrap();
    let agg = Aggregate::from_bytes(&hex::decode(aggregate["entry"]["payload"].as_str().unwrap()).unwrap())
        .unwrap();
    assert_eq!(agg.contests[0].ballots, 2, "the aggregate counts one ballot per credential");
    for t in p.trustees.iter_mut().take(3) {
        t.decrypt(api).await.unwrap();
    }
    let result = api.get("/result").await.unwrap();
    for row in result["contests"][0]["rows"].as_array().unwrap() {
        let i = row["candidate_id"].as_u64().unwrap() as usize - 1;
        let want = u64::from(counted.0[i]) + u64::from(sel2[0][i]);
        assert_eq!(row["count"].as_u64().unwrap(), want, "candidate {}", i + 1);
    }
    let report = verify_record(api, Vec::new()).await;
    assert!(report.passed(), "{:?}", report.failed_steps());
    p.server.app.finish().await;
}

// Build 2: 100 concurrent ballots on one credential under `first`: exactly
// one is taken, every other is refused with 409 `already_voted`.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_first_votes_on_one_credential_take_exactly_one() {
    let p = voting(1, "first").await;
    let m = Member::new();
    m.register(&p.api, &p.tokens[0]).await.unwrap();
    let before = observe(&p.api).await;
    let answers = cast_at_once(&p, &m, 100).await;
    let taken: Vec<_> = answers.iter().filter(|a| a.2.is_ok()).collect();
    assert_eq!(taken.len(), 1, "exactly one ballot is taken");
    for a in answers.iter().filter(|a| a.2.is_err()) {
        match &a.2 {
            Err(ClientError::Server { status: 409, code, .. }) if code == "already_voted" => {}
            other => panic!("expected 409 already_voted, got {other:?}"),
        }
    }
    let after = observe(&p.api).await;
    assert_eq!(after.entries, before.entries + 1, "one entry appended");
    let entries = p.api.get(&format!("/entries?from={}&to={}", before.entries, after.entries)).await.unwrap();
    assert_eq!(
        hex::decode(entries[0]["payload"].as_str().unwrap()).unwrap(),
        taken[0].1,
        "the board holds the one taken"
    );
    p.server.app.finish().await;
}

async fn refused_share(api: &Api<InProcess>, what: &str, message: &[u8], status: u16, code: &str) {
    let before = observe(api).await;
    match api.trustee_message("decryption", message).await {
        Err(ClientError::Server { status: s, code: c, message }) => {
            assert_eq!((s, c.as_str()), (status, code), "{what}: {message}");
        }
        other => panic!("{what}: expected {status} {code}, got {other:?}"),
    }
    assert_eq!(observe(api).await, before, "{what}: something changed");
}

// Build 2: tally attacks.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn tally_attacks_are_refused() {
    let mut p = voting(3, "last").await;
    let api = &p.api;
    for (i, t) in p.tokens.iter().enumerate() {
        vote(api, &p.view, &p.enc, t, i).await;
    }
    p.clock.set(T0 + 300);
    api.action("/voting/close").await.unwrap();
    let tallied = api.action("/tally").await.unwrap();
    let aggregate =
        Aggregate::from_bytes(&hex::decode(tallied["entry"]["payload"].as_str().unwrap()).unwrap()).unwrap();
    let view = PollView::fetch(api).await.unwrap();
    let mh = view.manifest_hash;
    let ctx = ElectionContext {
        manifest_hash: mh,
        definition_hash: view.definition.as_ref().unwrap().1,
        joint_key: view.context().unwrap().joint_key,
    };

    // Trustee 1 makes its share honestly but does not post it yet.
    let d1 = p.trustees[0].prepare_decryption(api).await.unwrap();
    let body1 = TrusteeMessage::from_bytes(&d1.message).unwrap();
    let shares1 = DecryptionShares::from_bytes(&body1.body).unwrap();
    let share = p.trustees[0].key_share().unwrap();
    let keys = &p.people.trustee_keys;
    let sign = |key: usize, index: u16, body: Vec<u8>| {
        TrusteeMessage::sign(&keys[key], &mh, EntryKind::DecryptionShare, index, body).to_bytes()
    };

    // A share of another ciphertext: one total replaced.
    let mut other = aggregate.contests[0].totals.clone();
    other[0] = other[0].add(&Ciphertext::encrypt(
        &ctx.joint_key,
        1,
        &shortlist_crypto::secret::SecretScalar::random(&mut OsRng),
    ));
    let wrong = share.decrypt(&ctx, &other, &mut OsRng).unwrap();
    let body = DecryptionShares { checkpoint: shares1.checkpoint.clone(), shares: vec![wrong.to_bytes()] }
        .to_bytes();
    refused_share(api, "a share for another ciphertext", &sign(0, 1, body), 422, "invalid_proof").await;

    // Trustee 1's share signed as trustee 2.
    refused_share(
        api,
        "trustee 1's share signed by trustee 2",
        &sign(1, 2, body1.body.clone()),
        422,
        "wrong_index",
    )
    .await;

    // A share naming a checkpoint that does not cover the aggregate.
    let early = api.get("/checkpoints?from=1&to=10").await.unwrap();
    let early = shortlist_board::checkpoint::Checkpoint::from_bytes(
        &hex::decode(early[0]["bytes"].as_str().unwrap()).unwrap(),
    )
    .unwrap();
    let body = DecryptionShares { checkpoint: early, shares: shares1.shares.clone() }.to_bytes();
    refused_share(api, "a share naming an early checkpoint", &sign(0, 1, body), 422, "invalid_share").await;

    // The honest share, then a second (fresh, randomised) one: a duplicate.
    shortlist_client::trustee::post_decryption(api, &d1).await.unwrap();
    let again = share.decrypt(&ctx, &aggregate.contests[0].totals, &mut OsRng).unwrap();
    let body = DecryptionShares { checkpoint: shares1.checkpoint.clone(), shares: vec![again.to_bytes()] }
        .to_bytes();
    refused_share(api, "a second share by trustee 1", &sign(0, 1, body), 409, "duplicate").await;

    // Fewer than t = 3: two shares give no result.
    p.trustees[1].decrypt(api).await.unwrap();
    let status = api.get("/status").await.unwrap();
    assert_eq!(status["phase"], "tallying", "two of three shares do not finish the tally");
    match api.get("/result").await {
        Err(ClientError::Server { status: 404, code, .. }) if code == "not_found" => {}
        other => panic!("a result with fewer than t shares: {other:?}"),
    }
    // The third finishes it, and the record verifies.
    p.trustees[2].decrypt(api).await.unwrap();
    assert_eq!(api.get("/status").await.unwrap()["phase"], "done");
    let report = verify_record(api, Vec::new()).await;
    assert!(report.passed(), "{:?}", report.failed_steps());
    p.server.app.finish().await;
}
