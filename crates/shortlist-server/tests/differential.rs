//! The differential test of issue 12 item 3: random sequences of valid and
//! invalid operations — registrations (own, stolen, bogus and repeated
//! tokens), casts, revotes, repeats, copies under another credential,
//! audits, out-of-phase calls, clock moves, closing, tallying and
//! decryption — against the real server on SQLite. After each operation the
//! server's answer must be the one the lifecycle's in-memory model (the
//! verifier's replay: `shortlist_board::lifecycle::Roll`) gives, the board
//! must have grown exactly by what was admitted, and every `DIFF_VERIFY`
//! operations (and at the end of each poll) the downloaded record must
//! verify. `DIFF_OPS` operations in all (default 3000; `DIFF_OPS=100000`
//! for a long run), `DIFF_SEED` to replay a failure: the seed is printed.

mod common;

use std::collections::HashMap;

use common::*;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{json, Value};
use shortlist_board::lifecycle::{rules, Now, Phase, Refusal, Roll};
use shortlist_board::manifest::{RevotePolicy, Timetable};
use shortlist_board::payload::{ciphertexts_hash, Ballot, Purpose};
use shortlist_client::board::PollView;
use shortlist_client::member::{Chosen, Member};
use shortlist_client::trustee::Trustee;
use shortlist_client::Api;
use shortlist_crypto::credential::CredentialSecret;
use shortlist_crypto::elgamal::Encrypter;
use shortlist_server::clock::{Clock, ManualClock};

const MEMBERS: usize = 10;
const CANDIDATES: usize = 3;
const TT: Timetable =
    Timetable { nominations_close: T0 + 100, voting_open: T0 + 200, voting_close: T0 + 300 };

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn small_manifest(poll: &str, people: &People, revote: &str) -> Value {
    json!({
        "poll_id": poll,
        "title": "Differential",
        "timetable": { "nominations_close": TT.nominations_close, "voting_open": TT.voting_open,
                       "voting_close": TT.voting_close },
        "contests": [{ "contest_id": 1, "title": "Pick", "seats": 1, "min_selections": 0, "max_selections": 2 }],
        "trustees": people.trustee_keys.iter().enumerate()
            .map(|(i, k)| json!({"name": format!("Trustee {}", i + 1), "key": hex::encode(k.public_key().to_bytes())}))
            .collect::<Vec<_>>(),
        "threshold": 2,
        "revote": revote
    })
}

/// One member of the model: credential, token, last payload sent.
struct Person {
    member: Member,
    token: String,
    last: Option<Vec<u8>>,
}

/// The model of one poll: the lifecycle's facts, the tokens redeemed, and
/// what the board holds.
struct Model {
    roll: Roll,
    /// token → the entry that redeemed it, and the credential.
    redeemed: HashMap<String, (u64, [u8; 32])>,
    /// Payloads on the board → their entry.
    payloads: HashMap<Vec<u8>, u64>,
    entries: u64,
    shares: u16,
}

impl Model {
    fn now(&self, time: u64) -> Now {
        self.roll.now(time)
    }
}

/// What the model expects of one operation.
#[derive(Clone, Debug, PartialEq)]
enum Expect {
    /// A new entry (or, with `false`, a change of phase only).
    Appended(bool),
    /// The same entry again.
    Repeat,
    /// Refused with this code (any code if `None`: a stateless check).
    Refused(Option<&'static str>),
}

fn from_rule(r: Result<Option<Phase>, Refusal>) -> Expect {
    match r {
        Ok(_) => Expect::Appended(true),
        Err(r) => Expect::Refused(Some(r.code().as_str())),
    }
}

struct Run {
    rng: StdRng,
    clock: ManualClock,
    api: Api<InProcess>,
    view: PollView,
    enc: Encrypter,
    people: Vec<Person>,
    trustees: Vec<Trustee>,
    model: Model,
    op: u64,
    seed: u64,
    /// Operation → (appended, repeated, refused), for the summary.
    tally: std::collections::BTreeMap<&'static str, [u64; 3]>,
}

impl Run {
    fn fail(&self, what: &str) -> ! {
        panic!(
            "differential test failed at op {} (seed {}; replay with DIFF_SEED={}): {what}",
            self.op, self.seed, self.seed
        )
    }

    /// Compares the server's answer with the model's expectation.
    fn check(
        &mut self,
        what: &'static str,
        expect: Expect,
        got: Result<Value, shortlist_client::ClientError>,
    ) {
        let slot = match expect {
            Expect::Appended(_) => 0,
            Expect::Repeat => 1,
            Expect::Refused(_) => 2,
        };
        if let Some(n) = self.tally.entry(what).or_default().get_mut(slot) {
            *n += 1;
        }
        let ok = match (&expect, &got) {
            (Expect::Appended(_), Ok(v)) => v.get("repeat").and_then(Value::as_bool) != Some(true),
            (Expect::Repeat, Ok(v)) => v.get("repeat").and_then(Value::as_bool) == Some(true),
            (Expect::Refused(None), Err(e)) => e.status().is_some(),
            (Expect::Refused(Some(code)), Err(e)) => e.code() == Some(code),
            _ => false,
        };
        if !ok {
            self.fail(&format!("{what}: the model expects {expect:?}, the server answered {got:?}"));
        }
    }

    async fn step(&mut self) {
        let time = self.clock.now();
        let pick = self.rng.gen_range(0..100);
        let i = self.rng.gen_range(0..self.people.len());
        match pick {
            0..=19 => self.register(i, time).await,
            20..=54 => self.cast(i, time, false).await,
            55..=62 => self.cast(i, time, true).await,
            63..=66 => self.copy(i, time).await,
            67..=74 => self.audit(time).await,
            75..=84 => {
                let by = self.rng.gen_range(1..6) + if self.rng.gen_bool(0.15) { 20 } else { 0 };
                self.clock.set(time + by);
            }
            85..=88 => self.close_voting(time).await,
            89..=92 => self.tally(time).await,
            93..=96 => self.decrypt(time).await,
            _ => self.out_of_phase(time).await,
        }
    }

    async fn register(&mut self, i: usize, time: u64) {
        let which = self.rng.gen_range(0..4);
        let key = self.people[i].member.public_key();
        let token = match which {
            0 => "not-a-token".to_string(),
            1 => self.people[(i + 1) % self.people.len()].token.clone(),
            _ => self.people[i].token.clone(),
        };
        let m = &self.model;
        let registered = m.roll.registered_at(&key);
        let expect = match (registered, m.redeemed.get(&token)) {
            (Some(at), Some((by, _))) if *by == at => Expect::Repeat,
            _ => {
                let fresh = which != 0 && !m.redeemed.contains_key(&token);
                from_rule(rules::register_credential(&m.now(time), registered.is_some(), fresh))
            }
        };
        let got = self.api.register(&token, &key).await;
        self.check("register", expect.clone(), got);
        if expect == Expect::Appended(true) {
            let index = self.model.entries;
            self.model.roll.register(index, time, key).unwrap_or_else(|r| self.fail(&format!("{r}")));
            self.model.redeemed.insert(token, (index, key));
            self.model.entries += 1;
        }
    }

    async fn cast(&mut self, i: usize, time: u64, repeat: bool) {
        let payload = match (&self.people[i].last, repeat) {
            (Some(p), true) => p.clone(),
            _ => {
                let sel: Vec<bool> = (0..CANDIDATES).map(|_| self.rng.gen_bool(0.3)).collect();
                let sel = if sel.iter().filter(|b| **b).count() > 2 { vec![true, false, false] } else { sel };
                let p = self.people[i].member.prepare(&self.view, &self.enc, &[sel]).unwrap();
                self.people[i].member.cast_payload(&self.view, &p).unwrap()
            }
        };
        self.people[i].last = Some(payload.clone());
        self.submit_ballot(payload, time, "cast").await;
    }

    async fn submit_ballot(&mut self, payload: Vec<u8>, time: u64, what: &'static str) {
        let ballot = Ballot::from_bytes(&payload).unwrap();
        let cred = ballot.credential.to_bytes();
        let fps: Vec<[u8; 32]> = ballot.contests.iter().map(|c| ciphertexts_hash(&c.ciphertexts)).collect();
        let index = self.model.entries;
        let expect = if self.model.payloads.contains_key(&payload) {
            Expect::Repeat
        } else if self.model.roll.phase < Phase::Voting {
            Expect::Refused(Some("wrong_phase"))
        } else {
            match self.model.roll.ballot_refusals(index, time, &cred, &fps).into_iter().next() {
                Some(r) => Expect::Refused(Some(r.code().as_str())),
                None => Expect::Appended(true),
            }
        };
        let got = self.api.cast(&payload).await;
        self.check(what, expect.clone(), got);
        if expect == Expect::Appended(true) {
            self.model.roll.cast(index, time, cred, &fps).unwrap_or_else(|r| self.fail(&format!("{r}")));
            self.model.payloads.insert(payload, index);
            self.model.entries += 1;
        }
    }

    /// Another member's ballot re-signed under this member's credential:
    /// its proofs are bound to the first credential (422, nothing stored).
    async fn copy(&mut self, i: usize, _time: u64) {
        let j = (i + 1) % self.people.len();
        let Some(theirs) = self.people[j].last.clone() else { return };
        let ballot = Ballot::from_bytes(&theirs).unwrap();
        let (_, dh) = self.view.definition.as_ref().unwrap();
        let copy = Ballot::sign(
            Purpose::Cast,
            self.people[i].member.credential(),
            &self.view.manifest_hash,
            dh,
            ballot.contests,
        )
        .to_bytes();
        let expect = Expect::Refused(None);
        let got = self.api.cast(&copy).await;
        self.check("copy", expect, got);
    }

    async fn audit(&mut self, time: u64) {
        if self.model.roll.phase < Phase::Voting {
            return;
        }
        let sel: Vec<bool> = (0..CANDIDATES).map(|k| k == 0).collect();
        let chosen = Chosen::new(&self.view, &self.enc, &[sel]).unwrap();
        let spoiled = chosen.into_spoiled();
        let payload = spoiled.to_bytes();
        let fps: Vec<[u8; 32]> = spoiled.contests.iter().map(|c| ciphertexts_hash(&c.ciphertexts)).collect();
        let index = self.model.entries;
        let expect = from_rule(rules::audit_ballot(&self.model.now(time), self.model.roll.fresh(&fps)));
        let got = self.api.audit(&payload).await;
        self.check("audit", expect.clone(), got);
        if expect == Expect::Appended(true) {
            self.model.roll.audit(index, time, &fps).unwrap_or_else(|r| self.fail(&format!("{r}")));
            self.model.payloads.insert(payload, index);
            self.model.entries += 1;
        }
    }

    async fn close_voting(&mut self, time: u64) {
        let admitted = rules::close_voting(&self.model.now(time));
        let expect = from_rule(admitted.clone());
        let got = self.api.action("/voting/close").await;
        self.check("close voting", expect, got);
        if let Ok(next) = admitted {
            self.model.roll.advance(next);
            self.model.entries += 1;
        }
    }

    async fn tally(&mut self, time: u64) {
        let admitted = rules::tally(&self.model.now(time));
        let expect = match &admitted {
            Err(Refusal::WrongPhase { phase, .. }) if *phase >= Phase::Tallying => Expect::Repeat,
            _ => from_rule(admitted.clone()),
        };
        let got = self.api.action("/tally").await;
        self.check("tally", expect, got);
        if let Ok(next) = admitted {
            self.model.roll.advance(next);
            self.model.entries += 1;
        }
    }

    async fn decrypt(&mut self, time: u64) {
        if self.model.roll.phase != Phase::Tallying {
            // Out of phase: a share made by hand cannot exist yet; the
            // trustee client refuses before posting.
            return;
        }
        let t = self.rng.gen_range(0..self.trustees.len());
        let d = match self.trustees[t].prepare_decryption(&self.api).await {
            Ok(d) => d,
            Err(e) => self.fail(&format!("trustee {} cannot decrypt an honest board: {e}", t + 1)),
        };
        let index = u16::try_from(t + 1).unwrap();
        let expect = if d.repeat {
            Expect::Repeat
        } else {
            from_rule(rules::trustee_message(
                &self.model.now(time),
                shortlist_board::entry::EntryKind::DecryptionShare,
                index,
                false,
            ))
        };
        let got = self.api.trustee_message("decryption", &d.message).await;
        self.check("decryption share", expect.clone(), got);
        if expect == Expect::Appended(true) {
            self.model.entries += 1;
            self.model.shares += 1;
            if self.model.shares == 2 {
                // The threshold: the server posts the result (spec: api §5).
                self.model.roll.advance(rules::post_result(&self.model.now(time)).ok().flatten());
                self.model.entries += 1;
            }
        }
    }

    async fn out_of_phase(&mut self, time: u64) {
        // Reopening nominations or voting, or closing nominations again.
        let which = self.rng.gen_range(0..3);
        let (path, admitted) = match which {
            0 => ("/nominations/open", rules::open_nominations(&self.model.now(time))),
            1 => ("/nominations/close", rules::close_nominations(&self.model.now(time), 0, 0)),
            _ => ("/voting/open", rules::open_voting(&self.model.now(time), 0, 0)),
        };
        let expect = match admitted {
            Ok(_) => self.fail("the model admits a phase move that never comes back"),
            // The handler rebuilds the same definition: the same entry again.
            Err(_) if which == 1 => Expect::Repeat,
            Err(r) => Expect::Refused(Some(r.code().as_str())),
        };
        let got = self.api.action(path).await;
        self.check(path, expect, got);
    }

    /// The board as the server has it: phase and size, against the model.
    async fn compare_status(&mut self) {
        let s = self.api.get("/status").await.unwrap();
        let phase = s["phase"].as_str().unwrap_or_default().to_string();
        let entries = s["entries"].as_u64().unwrap_or_default();
        if phase != self.model.roll.phase.name() || entries != self.model.entries {
            let (mp, me) = (self.model.roll.phase.name(), self.model.entries);
            self.fail(&format!("server at phase {phase} with {entries} entries, model at {mp} with {me}"));
        }
    }

    async fn verify(&mut self) {
        let report = verify_record(&self.api, Vec::new()).await;
        if !report.passed() {
            self.fail(&format!("the record does not verify: {:?}\n{report}", report.failed_steps()));
        }
    }
}

/// Sets up one poll ready for voting: candidates, ceremony, definition,
/// roll, voting open. Returns the run.
async fn poll_run(server: &Server, clock: &ManualClock, n: u64, seed: u64, rng: StdRng) -> Run {
    let poll = format!("diff-{n}");
    let api = server.api(&poll);
    let people = People::new(3);
    let mut rng = rng;
    let first = rng.gen_bool(0.5);
    clock.set(T0);
    api.create_poll(&small_manifest(&poll, &people, if first { "first" } else { "last" })).await.unwrap();
    for c in 0..CANDIDATES {
        api.enter_candidate(1, &format!("Candidate {c}"), "I will serve.", &[]).await.unwrap();
    }
    let view = PollView::fetch(&api).await.unwrap();
    let mut trustees: Vec<Trustee> = people
        .trustee_keys
        .iter()
        .zip(1u16..)
        .map(|(k, i)| Trustee::new(i, CredentialSecret::from_secret_bytes(&k.expose_secret_bytes())))
        .collect();
    for t in &mut trustees {
        t.commit(&api, &view).await.unwrap();
    }
    for t in &mut trustees {
        t.send_shares(&api, &view).await.unwrap();
    }
    for t in &mut trustees {
        assert_eq!(t.receive_shares(&api, &view).await.unwrap(), 0);
    }
    clock.set(TT.nominations_close);
    api.action("/nominations/close").await.unwrap();
    let tokens = roll(&api, MEMBERS).await;
    clock.set(TT.voting_open);
    api.action("/voting/open").await.unwrap();
    let view = PollView::fetch(&api).await.unwrap();
    let enc = Encrypter::new(&view.context().unwrap().joint_key);
    let entries = api.get("/status").await.unwrap()["entries"].as_u64().unwrap();
    let revote = if first { RevotePolicy::FirstCounts } else { RevotePolicy::LastCounts };
    let mut roll = Roll::new(TT, revote);
    roll.phase = Phase::Voting;
    let people =
        tokens.into_iter().map(|token| Person { member: Member::new(), token, last: None }).collect();
    let model = Model { roll, redeemed: HashMap::new(), payloads: HashMap::new(), entries, shares: 0 };
    let tally = Default::default();
    Run { rng, clock: clock.clone(), api, view, enc, people, trustees, model, op: 0, seed, tally }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_server_admits_exactly_what_the_lifecycle_model_admits() {
    let seed = env_u64("DIFF_SEED", rand::thread_rng().gen());
    let ops = env_u64("DIFF_OPS", 3000);
    let per_poll = env_u64("DIFF_POLL_OPS", 300);
    let verify_every = env_u64("DIFF_VERIFY", 100).max(1);
    eprintln!("differential test: seed {seed} (DIFF_SEED={seed} replays it), {ops} operations");
    let db = Db::sqlite();
    let clock = ManualClock::new(T0);
    let key = CredentialSecret::generate(&mut rand::rngs::OsRng);
    let server = Server::start(&db, clock.clone(), &key).await;
    let mut rng = StdRng::seed_from_u64(seed);
    let mut done = 0;
    let mut polls = 0;
    let mut summary: std::collections::BTreeMap<&'static str, [u64; 3]> = Default::default();
    let mut phases: std::collections::BTreeMap<&'static str, u64> = Default::default();
    while done < ops {
        let sub = StdRng::seed_from_u64(rng.gen());
        let mut run = poll_run(&server, &clock, polls, seed, sub).await;
        run.op = done;
        for k in 0..per_poll.min(ops - done) {
            run.op = done + k;
            run.step().await;
            run.compare_status().await;
            if (k + 1) % verify_every == 0 {
                run.verify().await;
            }
        }
        run.verify().await;
        for (what, n) in &run.tally {
            let s = summary.entry(what).or_default();
            for (a, b) in s.iter_mut().zip(n) {
                *a += b;
            }
        }
        *phases.entry(run.model.roll.phase.name()).or_default() += 1;
        done += per_poll.min(ops - done);
        polls += 1;
    }
    eprintln!("differential test: {done} operations over {polls} polls agreed; polls ended in {phases:?}");
    for (what, [appended, repeated, refused]) in summary {
        eprintln!("  {what:<20} appended {appended:>6}  repeated {repeated:>6}  refused {refused:>6}");
    }
}
