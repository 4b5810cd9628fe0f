//! Ballot secrecy against a malicious server (issue 15): the attacks a
//! server could mount on trustees and members, each shown failing.
//!
//! - A trustee shown a board with validly chained and signed fake entries —
//!   unsigned "revotes" of zero for every member but one, a cancelling
//!   ballot under an unregistered key, a forked history — refuses to
//!   decrypt and names the failed step; nothing is posted.
//! - A trustee that decrypted one aggregate refuses another, even on an
//!   honest board; its share names the checkpoint it verified.
//! - An audit followed by a cast leaves nothing on the board that links the
//!   audited choice to the member's credential.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use std::collections::HashMap;

use common::*;
use rand::rngs::OsRng;
use shortlist_board::board::BoardWriter;
use shortlist_board::entry::{Entry, EntryKind};
use shortlist_board::payload::{Ballot, DecryptionShares, Purpose, SpoiledBallot, TrusteeMessage};
use shortlist_board::record::{self, Frame, RecordWriter};
use shortlist_board::sums::BallotSums;
use shortlist_client::board::PollView;
use shortlist_client::member::{audit, Chosen, Member};
use shortlist_client::{Api, Method, Reply, Transport};
use shortlist_crypto::ballot::{BallotContext, EncryptedContest};
use shortlist_crypto::credential::{CredentialPublicKey, CredentialSecret};
use shortlist_crypto::elgamal::{Ciphertext, Encrypter};
use shortlist_crypto::Point;
use shortlist_server::clock::ManualClock;

const POLL: &str = "secrecy";
const MEMBERS: usize = 5;

/// A server that answers the record route with a board of its own making
/// and passes every other request to the honest router.
#[derive(Clone)]
struct Malicious {
    honest: InProcess,
    record: Vec<u8>,
}

impl Transport for Malicious {
    async fn send(
        &self,
        method: Method,
        path: &str,
        bearer: Option<&str>,
        ct: &str,
        body: Vec<u8>,
    ) -> shortlist_client::Result<Reply> {
        if matches!(method, Method::Get) && path.ends_with("/record") {
            return Ok(Reply { status: 200, body: self.record.clone() });
        }
        self.honest.send(method, path, bearer, ct, body).await
    }
}

/// An honest poll, closed and tallied (aggregate posted), with the server's
/// signing key (which a malicious server has).
struct Tallied {
    _db: Db,
    server: Server,
    key: CredentialSecret,
    trustees: Vec<shortlist_client::trustee::Trustee>,
    view: PollView,
    enc: Encrypter,
}

async fn tallied() -> Tallied {
    let db = Db::sqlite();
    let clock = ManualClock::new(T0);
    let key = CredentialSecret::generate(&mut OsRng);
    let server = Server::start(&db, clock.clone(), &key).await;
    let api = server.api(POLL);
    let mut trustees = setup(&api, &People::new(5), &clock).await;
    let view0 = PollView::fetch(&api).await.unwrap();
    for t in &mut trustees {
        // Each trustee holds the board to the checkpoint it saw at the end
        // of the ceremony.
        t.remember_checkpoint(&api, &view0).await.unwrap();
    }
    let tokens = roll(&api, MEMBERS).await;
    clock.set(T0 + 200);
    api.action("/voting/open").await.unwrap();
    let view = PollView::fetch(&api).await.unwrap();
    let enc = Encrypter::new(&view.context().unwrap().joint_key);
    for (i, token) in tokens.iter().enumerate() {
        vote(&api, &view, &enc, token, i + 1).await;
    }
    clock.set(T0 + 300);
    api.action("/voting/close").await.unwrap();
    api.action("/tally").await.unwrap();
    Tallied { _db: db, server, key, trustees, view, enc }
}

/// The honest board's entries.
async fn entries(api: &Api<InProcess>) -> Vec<Entry> {
    record::read_all(&api.record().await.unwrap())
        .unwrap()
        .into_iter()
        .filter_map(|f| match f {
            Frame::Entry(e) => Some(e),
            Frame::Checkpoint(_) => None,
        })
        .collect()
}

/// A forged record: the honest entries before voting closed (with
/// `rewrite` applied), then `extra` ballots, then voting closed and the
/// aggregate of what now counts, every entry chained and every checkpoint
/// signed with the server's key, as a malicious server would.
fn forge(t: &Tallied, honest: &[Entry], rewrite: impl Fn(&Entry) -> Vec<u8>, extra: Vec<Vec<u8>>) -> Vec<u8> {
    let mut board: Vec<(EntryKind, u64, Vec<u8>)> = honest
        .iter()
        .take_while(|e| e.kind != EntryKind::VotingClosed)
        .map(|e| (e.kind, e.time, rewrite(e)))
        .collect();
    board.extend(extra.into_iter().map(|b| (EntryKind::Ballot, T0 + 250, b)));
    board.push((EntryKind::VotingClosed, T0 + 300, Vec::new()));
    // The aggregate of the last ballot per credential, as the server claims.
    let mut last: HashMap<[u8; 32], Ballot> = HashMap::new();
    for (kind, _, payload) in &board {
        if *kind == EntryKind::Ballot {
            let b = Ballot::from_bytes(payload).unwrap();
            last.insert(b.credential.to_bytes(), b);
        }
    }
    let mut sums = BallotSums::new(&t.view.shapes().unwrap());
    for b in last.values() {
        sums.add(b);
    }
    board.push((EntryKind::Aggregate, T0 + 300, sums.to_aggregate(last.len() as u64).to_bytes()));
    let mut w = BoardWriter::new();
    let mut out = RecordWriter::new(Vec::new()).unwrap();
    for (kind, time, payload) in board {
        out.entry(&w.append(kind, time, payload).unwrap()).unwrap();
    }
    out.checkpoint(&w.checkpoint(&t.key, T0 + 301).unwrap()).unwrap();
    out.finish().unwrap()
}

fn credentials(honest: &[Entry]) -> Vec<CredentialPublicKey> {
    honest
        .iter()
        .filter(|e| e.kind == EntryKind::Credential)
        .map(|e| CredentialPublicKey::from_bytes(&e.payload).unwrap())
        .collect()
}

/// A contest encrypting no selection, proven under `credential` (a server
/// needs no member's secret for that: only the signature does).
fn zero_contest(t: &Tallied, credential: &[u8; 32]) -> EncryptedContest {
    let ctx = t.view.context().unwrap();
    let bctx = BallotContext { election: &ctx, credential };
    let shape = &t.view.shapes().unwrap()[0];
    EncryptedContest::encrypt(&t.enc, &bctx, shape, &[false; 30], &mut OsRng).unwrap().0
}

async fn decryption_shares(api: &Api<InProcess>) -> u64 {
    api.get("/status").await.unwrap()["by_kind"]["decryption-share"].as_u64().unwrap_or(0)
}

/// Trustee 1 is shown `record`; it must refuse, naming `step`, and post nothing.
async fn refuses(t: &mut Tallied, what: &str, record: Vec<u8>, step: &str) {
    let evil = Api::new(Malicious { honest: InProcess(t.server.app.router.clone()), record }, POLL);
    let before = decryption_shares(&t.server.api(POLL)).await;
    let err = t.trustees[0].decrypt(&evil).await.expect_err(what).to_string();
    assert!(err.contains(step), "{what}: the refusal should name {step}: {err}");
    assert!(err.contains("refusing"), "{what}: {err}");
    assert_eq!(decryption_shares(&t.server.api(POLL)).await, before, "{what}: nothing was posted");
    assert_eq!(t.trustees[0].decrypted(), None, "{what}: no aggregate is remembered as decrypted");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trustees_refuse_boards_the_verifier_rejects() {
    let mut t = tallied().await;
    let api = t.server.api(POLL);
    let honest = entries(&api).await;
    let creds = credentials(&honest);
    assert_eq!(creds.len(), MEMBERS);

    // 1. Unsigned "revotes" of zero for every member but the first: the
    // aggregate would be the first member's ballot alone.
    let revotes = creds
        .iter()
        .skip(1)
        .map(|c| {
            let contest = zero_contest(&t, &c.to_bytes());
            Ballot { credential: *c, contests: vec![contest], signature: [7u8; 64] }.to_bytes()
        })
        .collect();
    let record = forge(&t, &honest, |e| e.payload.clone(), revotes);
    refuses(&mut t, "unsigned zero revotes", record, "V4.2").await;

    // 2. One ballot under a key never registered, whose ciphertexts cancel
    // every other ballot (so its proofs cannot hold), properly signed.
    let stranger = CredentialSecret::generate(&mut OsRng);
    let aggregate = honest.iter().find(|e| e.kind == EntryKind::Aggregate).unwrap();
    let totals = shortlist_board::payload::Aggregate::from_bytes(&aggregate.payload).unwrap();
    let mut contest = zero_contest(&t, &stranger.public_key().to_bytes());
    contest.ciphertexts = totals.contests[0]
        .totals
        .iter()
        .map(|c| Ciphertext { a: Point::from_point(-c.a.point()), b: Point::from_point(-c.b.point()) })
        .collect();
    let (mh, dh) = (t.view.manifest_hash, t.view.definition.as_ref().unwrap().1);
    let cancelling = Ballot::sign(Purpose::Cast, &stranger, &mh, &dh, vec![contest]).to_bytes();
    let record = forge(&t, &honest, |e| e.payload.clone(), vec![cancelling]);
    refuses(&mut t, "a cancelling ballot under an unregistered key", record, "V4.3").await;

    // 3. A forked history: a candidate's statement rewritten, everything
    // re-chained and re-signed. The board verifies on its own, but not
    // against the checkpoint the trustee saw at the end of the ceremony.
    let record = forge(
        &t,
        &honest,
        |e| {
            if e.kind == EntryKind::Candidate && e.index == 1 {
                let mut p = e.payload.clone();
                let at = p.len() - 1;
                p[at] ^= 1;
                p
            } else {
                e.payload.clone()
            }
        },
        Vec::new(),
    );
    refuses(&mut t, "a forked board", record, "V1.1").await;

    // The honest board: the trustee decrypts, and its share names the
    // checkpoint it verified.
    let d = t.trustees[0].decrypt(&api).await.unwrap();
    let posted = entries(&api).await.into_iter().find(|e| e.kind == EntryKind::DecryptionShare).unwrap();
    let msg = TrusteeMessage::from_bytes(&posted.payload).unwrap();
    let body = DecryptionShares::from_bytes(&msg.body).unwrap();
    assert_eq!(body.checkpoint, d.checkpoint);
    assert!(body.checkpoint.size > aggregate.index, "the named checkpoint covers the aggregate");
    // A repeat sends the same share again: no second share is posted.
    let again = t.trustees[0].decrypt(&api).await.unwrap();
    assert!(again.repeat);
    assert_eq!(again.message, posted.payload);
    assert_eq!(decryption_shares(&api).await, 1);

    // 4. A trustee that decrypted another aggregate refuses this one, even
    // on an honest board.
    let mut second = restore_with(t.trustees.remove(1), Some([9u8; 32]));
    let err = second.decrypt(&api).await.expect_err("a second aggregate").to_string();
    assert!(err.contains("already decrypted another aggregate"), "{err}");
    assert_eq!(decryption_shares(&api).await, 1);

    // Honest trustees finish the tally; the record verifies, with every
    // share naming a checkpoint that agrees with it.
    for tr in t.trustees.iter_mut().skip(1).take(2) {
        tr.decrypt(&api).await.unwrap();
    }
    let report = verify_record(&api, Vec::new()).await;
    assert!(report.passed(), "{report}");
    t.server.app.finish().await;
}

/// The same trustee with `decrypted` as the aggregate it already decrypted.
fn restore_with(
    t: shortlist_client::trustee::Trustee,
    decrypted: Option<[u8; 32]>,
) -> shortlist_client::trustee::Trustee {
    let seen = t.seen().to_vec();
    t.with_history(decrypted, seen)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_audit_names_no_member() {
    let db = Db::sqlite();
    let clock = ManualClock::new(T0);
    let key = CredentialSecret::generate(&mut OsRng);
    let server = Server::start(&db, clock.clone(), &key).await;
    let api = server.api(POLL);
    let _trustees = setup(&api, &People::new(5), &clock).await;
    let tokens = roll(&api, 1).await;
    clock.set(T0 + 200);
    api.action("/voting/open").await.unwrap();
    let view = PollView::fetch(&api).await.unwrap();
    let enc = Encrypter::new(&view.context().unwrap().joint_key);

    let m = Member::new();
    m.register(&api, &tokens[0]).await.unwrap();
    let selection = choose();
    let chosen = Chosen::new(&view, &enc, &selection).unwrap();
    let shown = chosen.fingerprint();
    let spoiled = audit(&api, chosen).await.unwrap();
    assert_eq!(spoiled.fingerprint(), shown, "the audit is the ballot whose fingerprint was shown");
    let opened: Vec<bool> = spoiled.openings[0].selections.iter().map(|s| *s == 1).collect();
    assert_eq!(opened, selection[0], "the audit opens to the member's choice");
    m.cast(&api, &view, &m.prepare(&view, &enc, &selection).unwrap()).await.unwrap();

    let board = entries(&api).await;
    let credential = m.public_key();
    let audited: Vec<&Entry> = board.iter().filter(|e| e.kind == EntryKind::SpoiledBallot).collect();
    assert_eq!(audited.len(), 1);
    let payload = &audited[0].payload;
    assert!(
        !payload.windows(32).any(|w| w == credential),
        "the audited ballot must not carry the member's credential"
    );
    // It decodes as ciphertexts and openings only: no signature by any key.
    let decoded = SpoiledBallot::from_bytes(payload).unwrap();
    assert_eq!(decoded.to_bytes(), *payload);
    // The cast ballot carries the credential; the audit shares no ciphertext with it.
    let cast = board.iter().find(|e| e.kind == EntryKind::Ballot).unwrap();
    let ballot = Ballot::from_bytes(&cast.payload).unwrap();
    assert_eq!(ballot.credential.to_bytes(), credential);
    assert_ne!(ballot.contests[0].ciphertexts, decoded.contests[0].ciphertexts);
    server.app.finish().await;
    drop(db);
}
