//! Bad input of every class (spec: api §2) against the in-process router on
//! SQLite: each request gets its 4xx status and stable error code, and leaves
//! the board as it was (the same size and the same latest signed checkpoint).
//! Where a refusal could hide a broken fixture, a control request shows the
//! same input, made good, is accepted.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use std::fmt::Debug;
use std::future::Future;

use common::*;
use rand::rngs::OsRng;
use serde_json::{json, Value};
use shortlist_board::entry::{EntryKind, Hash};
use shortlist_board::payload::{Ballot, Purpose, SpoiledBallot, TrusteeMessage};
use shortlist_client::board::PollView;
use shortlist_client::member::{Member, Prepared};
use shortlist_client::{Api, ClientError, Method, Reply, Transport};
use shortlist_crypto::ballot::{ChosenContest, EncryptedContest};
use shortlist_crypto::credential::CredentialSecret;
use shortlist_crypto::dkg::{self, CeremonyParams};
use shortlist_crypto::elgamal::Encrypter;
use shortlist_crypto::Scalar;
use shortlist_server::clock::ManualClock;
use shortlist_server::limits::Limits;

const POLL: &str = "bad-input";

/// The board as anyone sees it: its size and its latest signed checkpoint.
#[derive(Debug, PartialEq, Eq)]
struct BoardState {
    entries: u64,
    checkpoint: String,
}

async fn board(api: &Api<InProcess>) -> BoardState {
    let status = api.get("/status").await.unwrap();
    let entries = status["entries"].as_u64().unwrap();
    let latest = api.get("/checkpoints/latest").await.unwrap();
    assert_eq!(latest["size"].as_u64(), Some(entries), "the latest checkpoint covers the whole board");
    BoardState { entries, checkpoint: latest["bytes"].as_str().unwrap().to_string() }
}

/// One field of the poll's status.
async fn status(api: &Api<InProcess>, field: &str) -> Value {
    api.get("/status").await.unwrap()[field].clone()
}

/// Runs `request`, which must be refused with `status` and `code` (and a
/// message), and checks that it left `api`'s board unchanged.
async fn refused<T: Debug>(
    api: &Api<InProcess>,
    what: &str,
    request: impl Future<Output = shortlist_client::Result<T>>,
    status: u16,
    code: &str,
) {
    let before = board(api).await;
    match request.await {
        Err(ClientError::Server { status: s, code: c, message }) => {
            assert_eq!((s, c.as_str()), (status, code), "{what}: {message}");
            assert!(!message.is_empty(), "{what}: the error has no message");
        }
        other => panic!("{what}: expected {status} {code}, got {other:?}"),
    }
    assert_eq!(board(api).await, before, "{what}: the board changed");
}

/// Runs `request`, which must be accepted and append exactly one entry.
async fn appends_one<T: Debug>(
    api: &Api<InProcess>,
    what: &str,
    request: impl Future<Output = shortlist_client::Result<T>>,
) -> T {
    let before = board(api).await;
    let out = request.await.unwrap_or_else(|e| panic!("{what}: {e}"));
    assert_eq!(board(api).await.entries, before.entries + 1, "{what}: one entry appended");
    out
}

/// Sends a raw request (no organiser key); the answer as a client reads it.
/// Every answer, error or not, must be JSON; an error must be `{code, message}`.
async fn raw(
    api: &Api<InProcess>,
    method: Method,
    path: &str,
    body: &[u8],
) -> shortlist_client::Result<Value> {
    raw_as(api, method, path, "application/json", body).await
}

/// [`raw`] with another content type.
async fn raw_as(
    api: &Api<InProcess>,
    method: Method,
    path: &str,
    content_type: &str,
    body: &[u8],
) -> shortlist_client::Result<Value> {
    answer(api.transport().send(method, path, None, content_type, body.to_vec()).await?)
}

fn answer(reply: Reply) -> shortlist_client::Result<Value> {
    let text = String::from_utf8_lossy(&reply.body).into_owned();
    let body: Value = serde_json::from_slice(&reply.body)
        .unwrap_or_else(|e| panic!("a {} answer that is not JSON ({e}): {text:?}", reply.status));
    if (200..300).contains(&reply.status) {
        return Ok(body);
    }
    let field = |k: &str| {
        body.get(k).and_then(Value::as_str).unwrap_or_else(|| panic!("error body without `{k}`: {text}"))
    };
    Err(ClientError::Server {
        status: reply.status,
        code: field("code").to_string(),
        message: field("message").to_string(),
    })
}

fn path(tail: &str) -> String {
    format!("/v1/polls/{POLL}{tail}")
}

/// A contest with one proof response (the scalar at `at`) plus one: still a
/// canonical scalar, so the contest decodes, but the proof fails.
fn bump_scalar(contest: &EncryptedContest, at: usize) -> EncryptedContest {
    let mut bytes = contest.to_bytes();
    let z: [u8; 32] = bytes[at..at + 32].try_into().unwrap();
    let z = Option::<Scalar>::from(Scalar::from_canonical_bytes(z)).expect("a proof response") + Scalar::ONE;
    bytes[at..at + 32].copy_from_slice(z.as_bytes());
    EncryptedContest::from_bytes(&bytes).unwrap()
}

/// A poll on SQLite with its definition and key ceremony done and `members`
/// eligibility tokens issued.
struct Poll {
    server: Server,
    api: Api<InProcess>,
    clock: ManualClock,
    people: People,
    tokens: Vec<String>,
    view: PollView,
    enc: Encrypter,
    _db: Db,
}

/// The poll defined, voting not open; the clock at nominations' close.
async fn defined(limits: Limits, members: usize) -> Poll {
    let db = Db::sqlite();
    let clock = ManualClock::new(T0);
    let key = CredentialSecret::generate(&mut OsRng);
    let server = Server::start_with(&db, clock.clone(), &key, limits).await;
    let api = server.api(POLL);
    let people = People::new(5);
    setup(&api, &people, &clock).await;
    let tokens = roll(&api, members).await;
    let view = PollView::fetch(&api).await.unwrap();
    let enc = Encrypter::new(&view.context().expect("the ceremony gave a joint key").joint_key);
    Poll { server, api, clock, people, tokens, view, enc, _db: db }
}

/// The poll with voting open; the clock at voting's opening.
async fn voting(limits: Limits, members: usize) -> Poll {
    let p = defined(limits, members).await;
    p.open().await;
    p
}

impl Poll {
    async fn open(&self) {
        self.clock.set(T0 + 200);
        let opened = self.api.action("/voting/open").await.unwrap();
        let key = self.view.context().unwrap().joint_key;
        assert_eq!(opened["joint_key"].as_str().unwrap(), hex::encode(key.to_bytes()));
    }

    /// A new member, registered with token `i`.
    async fn member(&self, i: usize) -> Member {
        let m = Member::new();
        appends_one(&self.api, "registration", m.register(&self.api, &self.tokens[i])).await;
        m
    }

    fn prepare(&self, m: &Member) -> Prepared {
        m.prepare(&self.view, &self.enc, &choose()).unwrap()
    }

    /// A fresh ballot, signed for casting.
    fn ballot(&self, m: &Member) -> Vec<u8> {
        m.cast_payload(&self.view, &self.prepare(m)).unwrap()
    }

    fn hashes(&self) -> (Hash, Hash) {
        (self.view.manifest_hash, self.view.definition.as_ref().unwrap().1)
    }

    /// The member's contests, signed for `purpose` by the member.
    fn signed(&self, m: &Member, purpose: Purpose, contests: Vec<EncryptedContest>) -> Vec<u8> {
        let (mh, dh) = self.hashes();
        Ballot::sign(purpose, m.credential(), &mh, &dh, contests).to_bytes()
    }

    /// A fresh audited ballot: ciphertexts and openings, no credential.
    fn spoiled(&self) -> Vec<u8> {
        SpoiledBallot::open(vec![self.chosen()]).to_bytes()
    }

    /// A fresh chosen contest.
    fn chosen(&self) -> ChosenContest {
        let shape = &self.view.shapes().unwrap()[0];
        EncryptedContest::prepare(&self.enc, shape, &mut OsRng).unwrap().choose(&choose()[0]).unwrap()
    }

    async fn finish(self) {
        self.server.app.finish().await;
    }
}

// 1. Bad encodings: 400 `malformed`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_encodings_are_400_malformed() {
    let p = voting(test_limits(), 1).await;
    let api = &p.api;
    let m = p.member(0).await;
    let good = p.ballot(&m);
    let cast = |ballot: Value| api.post("/ballots", false, json!({ "ballot": ballot }));

    refused(api, "ballot not hex", cast(json!("not hex at all")), 400, "malformed").await;
    refused(api, "ballot of odd length", cast(json!("abc")), 400, "malformed").await;
    let garbage: Vec<u8> = (0..600u32).map(|i| (i.wrapping_mul(151) ^ 0x5a) as u8).collect();
    refused(api, "garbage bytes", api.cast(&garbage), 400, "malformed").await;
    let mut keyed = good[..32].to_vec();
    keyed.extend_from_slice(&garbage);
    refused(api, "a credential, then garbage", api.cast(&keyed), 400, "malformed").await;
    refused(api, "empty ballot", api.cast(&[]), 400, "malformed").await;
    refused(api, "ballot cut in half", api.cast(&good[..good.len() / 2]), 400, "malformed").await;
    refused(api, "ballot one byte short", api.cast(&good[..good.len() - 1]), 400, "malformed").await;
    let mut long = good.clone();
    long.push(0);
    refused(api, "ballot with a trailing byte", api.cast(&long), 400, "malformed").await;

    for (what, body) in [
        ("body not JSON", &b"{\"ballot\": "[..]),
        ("body empty", &b""[..]),
        ("body a JSON string", &b"\"ballot\""[..]),
    ] {
        refused(api, what, raw(api, Method::Post, &path("/ballots"), body), 400, "malformed").await;
    }
    let good_hex = hex::encode(&good);
    for (what, body) in [
        ("unknown field", json!({ "ballot": good_hex, "note": "hi" })),
        ("missing field", json!({})),
        ("wrong type", json!({ "ballot": 42 })),
    ] {
        refused(api, what, api.post("/ballots", false, body), 400, "malformed").await;
    }
    let token = &p.tokens[0];
    let registration =
        json!({ "token": token, "credential": hex::encode(m.public_key()), "name": "Member 0" });
    refused(
        api,
        "registration, unknown field",
        api.post("/credentials", false, registration),
        400,
        "malformed",
    )
    .await;
    let short_key = json!({ "token": token, "credential": "abcd" });
    refused(api, "registration, short key", api.post("/credentials", false, short_key), 400, "malformed")
        .await;
    let audit = json!({ "spoiled": hex::encode(p.spoiled()), "ballot": "" });
    refused(api, "audit, unknown field", api.post("/audits", false, audit), 400, "malformed").await;
    refused(api, "audit not hex", api.post("/audits", false, json!({ "spoiled": "xyz" })), 400, "malformed")
        .await;
    let trustee = json!({ "kind": "commitment", "message": "zz" });
    refused(api, "trustee message not hex", api.post("/trustee-messages", false, trustee), 400, "malformed")
        .await;
    let body = json!({ "ballot": good_hex }).to_string();
    let ballots = path("/ballots");
    let as_text = raw_as(api, Method::Post, &ballots, "text/plain", body.as_bytes());
    refused(api, "a good ballot sent as text/plain", as_text, 415, "unsupported_media_type").await;

    // Control: the ballot the bad requests were made from is good.
    appends_one(api, "the good ballot", api.cast(&good)).await;
    p.finish().await;
}

// 2. Bad proofs (re-signed properly): 422 `invalid_proof`; and the ballot
// rules checked with them: 422 `invalid_ballot`, `invalid_audit`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn altered_proofs_are_422_invalid_proof() {
    let p = voting(test_limits(), 1).await;
    let api = &p.api;
    let m = p.member(0).await;
    let prepared = p.prepare(&m);
    let contest = &prepared.contests[0];
    let n = contest.ciphertexts.len();
    let len = contest.to_bytes().len();
    // `version ‖ u32 contest ‖ u16 n ‖ n ciphertexts ‖ n bit proofs ‖ range proof`;
    // a bit proof is `a₀ ‖ b₀ ‖ a₁ ‖ b₁ ‖ c₀ ‖ z₀ ‖ z₁`.
    let bits = 7 + 64 * n;
    for (what, at) in [
        ("first bit proof, z₀", bits + 5 * 32),
        ("last bit proof, z₁", bits + 224 * (n - 1) + 6 * 32),
        ("range proof, last response", len - 32),
    ] {
        let tampered = p.signed(&m, Purpose::Cast, vec![bump_scalar(contest, at)]);
        refused(api, what, api.cast(&tampered), 422, "invalid_proof").await;
    }
    // An audited ballot whose ciphertext was changed: its opening fails.
    let spoiled = SpoiledBallot::from_bytes(&p.spoiled()).unwrap();
    let mut bad = spoiled.clone();
    bad.contests[0].ciphertexts.swap(0, 1);
    refused(api, "audited ciphertexts swapped", api.audit(&bad.to_bytes()), 422, "invalid_audit").await;

    // Openings of another encryption.
    let other = SpoiledBallot::from_bytes(&p.spoiled()).unwrap();
    let mismatched = SpoiledBallot { contests: spoiled.contests.clone(), openings: other.openings };
    refused(
        api,
        "audit with another ballot's openings",
        api.audit(&mismatched.to_bytes()),
        422,
        "invalid_audit",
    )
    .await;
    let none = SpoiledBallot { contests: spoiled.contests.clone(), openings: vec![] };
    refused(api, "audit without openings", api.audit(&none.to_bytes()), 422, "invalid_audit").await;

    // Contest count and id.
    let two = p.signed(&m, Purpose::Cast, vec![contest.clone(), contest.clone()]);
    refused(api, "two contests", api.cast(&two), 422, "invalid_ballot").await;
    let zero = p.signed(&m, Purpose::Cast, vec![]);
    refused(api, "no contest", api.cast(&zero), 422, "invalid_ballot").await;
    let mut renamed = contest.clone();
    renamed.contest_id = 2;
    let renamed = p.signed(&m, Purpose::Cast, vec![renamed]);
    refused(api, "wrong contest id", api.cast(&renamed), 422, "invalid_ballot").await;

    // Controls: the untouched ballot and audit are accepted.
    appends_one(api, "the untouched audit", api.audit(&spoiled.to_bytes())).await;
    appends_one(api, "the untouched ballot", m.cast(api, &p.view, &prepared)).await;
    p.finish().await;
}

// 3. Bad signatures on ballots and audits: 422 `bad_signature`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_signatures_are_422_bad_signature() {
    let p = voting(test_limits(), 2).await;
    let api = &p.api;
    let m = p.member(0).await;
    let other = p.member(1).await;
    let good = p.ballot(&m);

    for at in [good.len() - 64, good.len() - 33, good.len() - 1] {
        let mut flipped = good.clone();
        flipped[at] ^= 0x04;
        let what = format!("signature byte {} flipped", at + 64 - good.len());
        refused(api, &what, api.cast(&flipped), 422, "bad_signature").await;
    }
    let mut swapped = good.clone();
    swapped[..32].copy_from_slice(&other.public_key());
    refused(api, "another member's credential", api.cast(&swapped), 422, "bad_signature").await;

    // Controls.
    appends_one(api, "an audit (it carries no credential)", api.audit(&p.spoiled())).await;
    appends_one(api, "the good ballot", api.cast(&good)).await;
    p.finish().await;
}

// 4. Eligibility tokens unknown or already redeemed: 403 `invalid_token`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_tokens_are_403_invalid_token() {
    let p = voting(test_limits(), 2).await;
    let api = &p.api;
    let key = Member::new().public_key();
    let unknown = hex::encode(rand::random::<[u8; 16]>());
    let tampered = {
        let mut t = p.tokens[0].clone().into_bytes();
        t[0] = if t[0] == b'0' { b'1' } else { b'0' };
        String::from_utf8(t).unwrap()
    };
    for (what, token) in [
        ("an unknown token", unknown.as_str()),
        ("a token one digit off", tampered.as_str()),
        ("an empty token", ""),
        ("a token of another shape", "let me in"),
    ] {
        refused(api, what, api.register(token, &key), 403, "invalid_token").await;
    }
    // A good token with a key that is not a strict ed25519 key (the identity, of small order).
    let mut identity = [0u8; 32];
    identity[0] = 1;
    refused(api, "a small-order key", api.register(&p.tokens[0], &identity), 422, "invalid_credential").await;
    assert_eq!(status(api, "tokens_redeemed").await, 0);

    p.member(0).await;
    let second = Member::new();
    refused(api, "a redeemed token, another key", second.register(api, &p.tokens[0]), 403, "invalid_token")
        .await;
    assert_eq!(status(api, "tokens_redeemed").await, 1);
    // Nothing was spent by the refusals: the second member's own token works.
    appends_one(api, "the second member's own token", second.register(api, &p.tokens[1])).await;
    p.finish().await;
}

// 5. A credential registered twice: 409 `already_registered`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn credential_registered_twice_is_409() {
    let p = voting(test_limits(), 3).await;
    let api = &p.api;
    let m = p.member(0).await;
    let before = board(api).await;
    // The same registration again is a repeat, not a second entry.
    let again = api.register(&p.tokens[0], &m.public_key()).await.unwrap();
    assert_eq!(again["repeat"], true);
    assert_eq!(board(api).await, before);

    refused(api, "same key, another token", m.register(api, &p.tokens[1]), 409, "already_registered").await;
    assert_eq!(status(api, "tokens_redeemed").await, 1);
    // The refused token was not redeemed.
    p.member(1).await;
    assert_eq!(status(api, "tokens_redeemed").await, 2);
    p.finish().await;
}

// 6. Ballots and audits from a credential never registered: 403 `unregistered`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unregistered_credential_is_403() {
    let p = voting(test_limits(), 1).await;
    let api = &p.api;
    let stranger = Member::new();
    let prepared = p.prepare(&stranger);
    refused(api, "ballot", stranger.cast(api, &p.view, &prepared), 403, "unregistered").await;
    // An audit carries no credential (spec: board §4.7): anyone may audit.
    appends_one(api, "an audit needs no credential", api.audit(&p.spoiled())).await;
    // Registered, the same ballot is taken.
    appends_one(api, "registration", stranger.register(api, &p.tokens[0])).await;
    appends_one(api, "the same ballot", stranger.cast(api, &p.view, &prepared)).await;
    p.finish().await;
}

// 7. Ballots outside the voting window: 409 (`wrong_phase` or `timetable`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ballots_outside_voting_are_409() {
    let p = defined(test_limits(), 1).await;
    let api = &p.api;
    let m = p.member(0).await;
    refused(api, "before voting opens", api.cast(&p.ballot(&m)), 409, "wrong_phase").await;
    refused(api, "audit before voting opens", api.audit(&p.spoiled()), 409, "wrong_phase").await;

    p.open().await;
    p.clock.set(T0 + 150);
    refused(api, "open, but the clock before voting_open", api.cast(&p.ballot(&m)), 409, "timetable").await;

    p.clock.set(T0 + 299);
    let good = p.ballot(&m);
    let first = appends_one(api, "a ballot in time", api.cast(&good)).await;
    assert!(first["receipt"].is_string());

    p.clock.set(T0 + 300);
    refused(api, "at voting_close, not yet closed", api.cast(&p.ballot(&m)), 409, "timetable").await;
    p.api.action("/voting/close").await.unwrap();
    refused(api, "after voting closed", api.cast(&p.ballot(&m)), 409, "wrong_phase").await;
    refused(api, "audit after voting closed", api.audit(&p.spoiled()), 409, "wrong_phase").await;

    // A repeat is answered in any phase, with the first receipt (spec: api §3).
    let before = board(api).await;
    let again = api.cast(&good).await.unwrap();
    assert_eq!(again["repeat"], true);
    assert_eq!(again["receipt"], first["receipt"]);
    assert_eq!(board(api).await, before);
    p.finish().await;
}

// 8. A trustee message signed by another trustee: 403 `bad_signature`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trustee_message_signed_by_another_trustee_is_403() {
    let db = Db::sqlite();
    let clock = ManualClock::new(T0);
    let server = Server::start(&db, clock.clone(), &CredentialSecret::generate(&mut OsRng)).await;
    let api = &server.api(POLL);
    let people = People::new(5);
    api.create_poll(&manifest(POLL, &people)).await.unwrap();
    let view = PollView::fetch(api).await.unwrap();
    let mh = view.manifest_hash;
    let params = CeremonyParams { manifest_hash: mh, n: 5, t: 3 };
    let (_, commitment) = dkg::start(&params, 2, &mut OsRng).unwrap();
    let body = commitment.to_bytes();
    let keys = &people.trustee_keys; // trustee i has keys[i - 1]
    let post = |m: TrusteeMessage| {
        let bytes = m.to_bytes();
        async move { api.trustee_message("commitment", &bytes).await }
    };
    let sign = |key: &CredentialSecret, mh: &Hash, kind: EntryKind, trustee: u16| {
        TrusteeMessage::sign(key, mh, kind, trustee, body.clone())
    };
    let commit = EntryKind::CeremonyCommitment;

    let forged = sign(&keys[2], &mh, commit, 2);
    refused(api, "trustee 2's commitment signed by trustee 3", post(forged), 403, "bad_signature").await;
    let relabelled = sign(&keys[1], &mh, EntryKind::CeremonyShare, 2);
    refused(api, "signed as a share, posted as a commitment", post(relabelled), 403, "bad_signature").await;
    let elsewhere = sign(&keys[1], &[7; 32], commit, 2);
    refused(api, "signed for another poll", post(elsewhere), 403, "bad_signature").await;
    let mut flipped = sign(&keys[1], &mh, commit, 2);
    flipped.signature[5] ^= 1;
    refused(api, "signature byte flipped", post(flipped), 403, "bad_signature").await;
    let stranger = CredentialSecret::generate(&mut OsRng);
    refused(api, "a trustee 6", post(sign(&stranger, &mh, commit, 6)), 403, "not_a_trustee").await;

    // Control: signed by trustee 2 itself, the same commitment is taken.
    appends_one(api, "trustee 2's own commitment", post(sign(&keys[1], &mh, commit, 2))).await;
    server.app.finish().await;
}

// 9. Organiser calls without the organiser key, or with a wrong one: 401 `unauthorized`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn organiser_calls_need_the_key() {
    let p = voting(test_limits(), 2).await;
    let api = &p.api;
    let router = p.server.app.router.clone();
    p.clock.set(T0 + 300);
    let members = status(api, "members").await;
    let issued = status(api, "tokens_issued").await;
    let other = manifest("another-poll", &p.people);
    for (who, caller) in [
        ("no key", Api::new(InProcess(router.clone()), POLL)),
        ("wrong key", Api::new(InProcess(router.clone()), POLL).with_organiser_key("not-the-key")),
        (
            "key plus a suffix",
            Api::new(InProcess(router.clone()), POLL).with_organiser_key(ORGANISER_KEY.to_string() + "x"),
        ),
        ("empty key", Api::new(InProcess(router.clone()), POLL).with_organiser_key("")),
    ] {
        let what = |call: &str| format!("{call}, {who}");
        refused(api, &what("create a poll"), caller.create_poll(&other), 401, "unauthorized").await;
        let candidate = caller.enter_candidate(1, "Candidate 31", "Me too.", &[("gender", "woman")]);
        refused(api, &what("enter a candidate"), candidate, 401, "unauthorized").await;
        let roll = caller.import_roll("member_id,name,email\nx1,X,x@example.org\n");
        refused(api, &what("import the roll"), roll, 401, "unauthorized").await;
        refused(api, &what("issue tokens"), caller.issue_tokens(), 401, "unauthorized").await;
        let labels = caller.post("/candidate-tokens", true, json!({ "labels": ["x"] }));
        refused(api, &what("candidate tokens"), labels, 401, "unauthorized").await;
        for action in ["/nominations/open", "/nominations/close", "/voting/open", "/voting/close", "/tally"] {
            refused(api, &what(action), caller.action(action), 401, "unauthorized").await;
        }
    }
    refused(api, "the poll that was not created", p.server.api("another-poll").get(""), 404, "no_such_poll")
        .await;
    assert_eq!(status(api, "phase").await, "voting");
    assert_eq!(status(api, "members").await, members);
    assert_eq!(status(api, "tokens_issued").await, issued);

    // Control: with the key, voting closes.
    appends_one(api, "close voting with the key", api.action("/voting/close")).await;
    assert_eq!(status(api, "phase").await, "closed");
    p.finish().await;
}

// 10. A body over the limit: 413 `too_large`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversize_body_is_413() {
    let p = voting(Limits { body_bytes: 4096, ..test_limits() }, 1).await;
    let api = &p.api;
    let m = p.member(0).await;
    let ballot = p.ballot(&m);
    assert!(2 * ballot.len() > 4096, "a ballot's hex alone is over the limit");
    refused(api, "a valid ballot over the limit", api.cast(&ballot), 413, "too_large").await;
    let audit = p.spoiled();
    refused(api, "a valid audit over the limit", api.audit(&audit), 413, "too_large").await;
    let padded = json!({ "ballot": "00".repeat(2100) }).to_string();
    assert!(padded.len() > 4096);
    refused(
        api,
        "a padded body",
        raw(api, Method::Post, &path("/ballots"), padded.as_bytes()),
        413,
        "too_large",
    )
    .await;
    // Control: under the limit the route answers as usual.
    refused(
        api,
        "a small bad body",
        api.post("/ballots", false, json!({ "ballot": "zz" })),
        400,
        "malformed",
    )
    .await;
    p.finish().await;
}

// 10b. A roll import may be larger than other bodies (`roll_bytes`, spec:
// api §6), so a large roll imports in one request, all or nothing; over
// that limit it is 413 and nothing is imported.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_roll_over_the_body_limit_imports_up_to_the_roll_limit() {
    let p = voting(Limits { body_bytes: 4096, roll_bytes: 16_384, ..test_limits() }, 1).await;
    let api = &p.api;
    let roll = |from: usize, n: usize| {
        let mut csv = String::from("member_id,name,email\n");
        for i in from..from + n {
            csv.push_str(&format!("late{i:05},Late member {i},late{i:05}@example.test\n"));
        }
        csv
    };
    let big = roll(0, 200);
    assert!(big.len() > 4096 && big.len() < 16_384, "{}", big.len());
    let out = api.import_roll(&big).await.unwrap();
    assert_eq!(out["imported"], 200);
    let huge = roll(200, 1000);
    assert!(huge.len() > 16_384);
    refused(api, "a roll over roll_bytes", api.import_roll(&huge), 413, "too_large").await;
    assert_eq!(api.import_roll(&roll(200, 10)).await.unwrap()["imported"], 10, "nothing of the refused roll");
    p.finish().await;
}

// 11. Too many ballots from one credential: 429 `rate_limited`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_limit_per_credential_is_429() {
    let limits = Limits { per_credential_per_min: 1, per_credential_burst: 1, ..test_limits() };
    let p = voting(limits, 2).await;
    let api = &p.api;
    let m = p.member(0).await;
    appends_one(api, "the first ballot", m.cast(api, &p.view, &p.prepare(&m))).await;
    let second = p.prepare(&m);
    refused(api, "a second ballot at once", m.cast(api, &p.view, &second), 429, "rate_limited").await;
    // Audits carry no credential: their limit is per client address.
    appends_one(api, "an audit", api.audit(&p.spoiled())).await;
    refused(api, "a second audit at once", api.audit(&p.spoiled()), 429, "rate_limited").await;
    assert_eq!(status(api, "by_kind").await["ballot"], 1, "the board holds only the first ballot");
    // The limit is per credential: another member casts.
    let other = p.member(1).await;
    appends_one(api, "another member's ballot", other.cast(api, &p.view, &p.prepare(&other))).await;
    assert_eq!(status(api, "by_kind").await["ballot"], 2);
    p.finish().await;
}

// 11b. Junk sent in a member's name cannot spend the member's allowance:
// the credential's limit is charged only once the signature holds.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forged_ballots_do_not_spend_a_members_allowance() {
    let limits = Limits { per_credential_per_min: 1, per_credential_burst: 1, ..test_limits() };
    let p = voting(limits, 1).await;
    let api = &p.api;
    let m = p.member(0).await;
    let good = p.ballot(&m);
    for _ in 0..3 {
        let mut forged = good.clone();
        let last = forged.len() - 1;
        forged[last] ^= 0x01;
        refused(api, "a forged ballot naming the member", api.cast(&forged), 422, "bad_signature").await;
    }
    appends_one(api, "the member's own ballot", api.cast(&good)).await;
    p.finish().await;
}

// 12b. Repeating organiser actions: creating the same poll again and
// starting the tally again answer with what is on the board.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn organiser_repeats_are_idempotent() {
    let p = voting(test_limits(), 1).await;
    let api = &p.api;
    let m = p.member(0).await;
    appends_one(api, "a ballot", m.cast(api, &p.view, &p.prepare(&m))).await;
    let before = board(api).await;
    let again = api.create_poll(&manifest(api.poll(), &p.people)).await.unwrap();
    assert_eq!(again["appended"]["repeat"], true);
    assert_eq!(again["appended"]["entry"]["index"], 0);
    assert_eq!(board(api).await, before);
    p.clock.set(T0 + 300);
    api.action("/voting/close").await.unwrap();
    let first = api.action("/tally").await.unwrap();
    let size = board(api).await;
    let repeat = api.action("/tally").await.unwrap();
    assert_eq!(repeat["repeat"], true);
    assert_eq!(repeat["entry"]["hash"], first["entry"]["hash"]);
    assert_eq!(board(api).await, size);
    p.finish().await;
}

// 12. The same ballot twice: the same receipt, nothing appended.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn repeated_cast_returns_the_same_receipt() {
    let p = voting(test_limits(), 1).await;
    let api = &p.api;
    let m = p.member(0).await;
    let prepared = p.prepare(&m);
    let payload = m.cast_payload(&p.view, &prepared).unwrap();
    let first = appends_one(api, "the first cast", api.cast(&payload)).await;
    assert_eq!(first["repeat"], false);

    let before = board(api).await;
    // The member's software re-signs the same ballot: the same payload (ed25519 is deterministic).
    let receipt = m.cast(api, &p.view, &prepared).await.unwrap();
    for _ in 0..3 {
        let again = api.cast(&payload).await.unwrap();
        assert_eq!(again["repeat"], true);
        assert_eq!(again["receipt"], first["receipt"]);
        assert_eq!(again["entry"], first["entry"]);
        assert_eq!(m.cast(api, &p.view, &prepared).await.unwrap(), receipt);
    }
    assert_eq!(board(api).await, before);
    assert_eq!(status(api, "by_kind").await["ballot"], 1);
    assert_eq!(hex::encode(receipt.to_bytes()), first["receipt"].as_str().unwrap());
    p.finish().await;
}

// 13. Unknown routes (404 `{code, message}`) and unknown polls (404 `no_such_poll`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_routes_and_polls_are_404() {
    let p = voting(test_limits(), 1).await;
    let api = &p.api;
    let m = p.member(0).await;
    let ballot = p.ballot(&m);

    for (what, method, route) in [
        ("GET outside /v1", Method::Get, "/nope".to_string()),
        ("GET under /v1", Method::Get, "/v1/nope".to_string()),
        ("GET under the poll", Method::Get, path("/nope")),
        ("POST under the poll", Method::Post, path("/ballots/now")),
    ] {
        refused(api, what, raw(api, method, &route, b"{}"), 404, "no_route").await;
    }
    refused(
        api,
        "GET on a POST route",
        raw(api, Method::Get, &path("/ballots"), b""),
        405,
        "method_not_allowed",
    )
    .await;

    let nowhere = p.server.api("no-such-poll");
    refused(api, "manifest", nowhere.get(""), 404, "no_such_poll").await;
    refused(api, "status", nowhere.get("/status"), 404, "no_such_poll").await;
    refused(api, "a valid ballot", nowhere.cast(&ballot), 404, "no_such_poll").await;
    refused(api, "an audit", nowhere.audit(&p.spoiled()), 404, "no_such_poll").await;
    let token = &p.tokens[0];
    refused(api, "a registration", nowhere.register(token, &Member::new().public_key()), 404, "no_such_poll")
        .await;
    refused(api, "a trustee message", nowhere.trustee_message("commitment", &[0; 70]), 404, "no_such_poll")
        .await;
    refused(api, "open voting", nowhere.action("/voting/open"), 404, "no_such_poll").await;
    let polls = raw(api, Method::Get, "/v1/polls", b"").await.unwrap();
    assert_eq!(polls, json!([POLL]));

    // Control: the ballot is good for its own poll.
    appends_one(api, "the ballot, on its poll", api.cast(&ballot)).await;
    p.finish().await;
}
