//! The browser's WebAssembly against the native build (issue 13): a ballot
//! made in WASM from a seeded RNG is, byte for byte, the ballot the native
//! crypto core makes from the same seed; and the booth's calls behave under
//! Node as the page expects (errors thrown as `Error`, receipts checked).
//!
//! The WASM side is the committed `web/pkg` (the shipped code; the test
//! `shortlist-wasm/tests/pkg_fresh.rs` fails if it is stale), run by
//! `tests/wasm/node.mjs`. Without `node` the Node half is skipped with a
//! message, unless `SHORTLIST_BROWSER_TESTS=1` (CI) makes it mandatory.
//!
//! The fixture (a poll of 30 candidates, choose up to 9, with a 2-of-3 key
//! ceremony, a ballot, a receipt and two checkpoints) comes from a seeded
//! generator and is written to `target/tmp/wasm-fixtures/poll-30.json` for
//! the benchmark (README, "The browser's WebAssembly").
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::Command;

use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use serde_json::{json, Value};
use shortlist_board::board::BoardWriter;
use shortlist_board::checkpoint::Checkpoint;
use shortlist_board::definition::{BallotDefinition, Candidate, CandidateRegistration, DefinedContest};
use shortlist_board::entry::{Entry, EntryKind};
use shortlist_board::manifest::{
    ContestRules, Manifest, RevotePolicy, SlateRule, TieBreak, Timetable, TrusteeInfo,
};
use shortlist_board::merkle::{leaf_hash, MerkleLog, TreeSize};
use shortlist_board::payload::{fingerprint, Ballot, Purpose, SpoiledBallot, TrusteeMessage};
use shortlist_board::receipt::Receipt;
use shortlist_board::record::RecordWriter;
use shortlist_board::verify::verify_path;
use shortlist_crypto::ballot::{BallotContext, EncryptedContest};
use shortlist_crypto::credential::CredentialSecret;
use shortlist_crypto::dkg::{self, CeremonyParams, CommitmentMessage, GroupPublic};
use shortlist_crypto::elgamal::Encrypter;
use shortlist_crypto::transcript::ElectionContext;

const SEED: [u8; 32] = [42; 32];
const CHOSEN: [u32; 9] = [0, 2, 3, 5, 8, 13, 21, 22, 29];

/// The poll's board, a native ballot and what the receipt page checks.
struct Fixture {
    entries: Vec<Entry>,
    ballot: Vec<u8>,
    json: Value,
}

/// A native ballot from `SEED`, made with the crypto core directly, in the
/// order `insecure_seeded_ballot_for_tests` documents: the credential, then
/// each contest prepared, then chosen and proven.
fn native_ballot(ctx: &ElectionContext, definition: &BallotDefinition, manifest: &Manifest) -> Vec<u8> {
    let mut rng = ChaCha20Rng::from_seed(SEED);
    let credential = CredentialSecret::generate(&mut rng);
    let cred = credential.public_key().to_bytes();
    let enc = Encrypter::new(&ctx.joint_key);
    let shape = definition.shape(manifest, 1).unwrap();
    let prepared = EncryptedContest::prepare(&enc, &shape, &mut rng).unwrap();
    let selections: Vec<bool> = (0..30).map(|i| CHOSEN.contains(&i)).collect();
    let bctx = BallotContext { election: ctx, credential: &cred };
    let (contest, _) = prepared.choose(&selections).unwrap().prove(&bctx).unwrap();
    Ballot::sign(Purpose::Cast, &credential, &ctx.manifest_hash, &ctx.definition_hash, vec![contest])
        .to_bytes()
}

/// A board being written, with its Merkle log for receipts.
#[derive(Default)]
struct Board {
    writer: BoardWriter,
    log: MerkleLog,
    entries: Vec<Entry>,
}

impl Board {
    fn put(&mut self, kind: EntryKind, time: u64, payload: Vec<u8>) -> Entry {
        let e = self.writer.append(kind, time, payload).unwrap();
        self.log.push(leaf_hash(&e.hash())).unwrap();
        self.entries.push(e.clone());
        e
    }
}

fn entry_json(e: &Entry) -> Value {
    json!({
        "index": e.index, "kind": e.kind.name(), "kind_code": e.kind.code(), "time": e.time,
        "prev": hex::encode(e.prev), "hash": hex::encode(e.hash()),
        "payload_hash": hex::encode(e.payload_hash()), "payload": hex::encode(&e.payload),
    })
}

fn fixture() -> Fixture {
    let mut rng = ChaCha20Rng::from_seed([7; 32]);
    let server = CredentialSecret::generate(&mut rng);
    let trustees: Vec<CredentialSecret> = (0..3).map(|_| CredentialSecret::generate(&mut rng)).collect();
    let manifest = Manifest {
        poll_id: "wasm-fixture".into(),
        title: "Fixture: 9 of 30".into(),
        timetable: Timetable { nominations_close: 1000, voting_open: 2000, voting_close: 3000 },
        contests: vec![ContestRules {
            contest_id: 1,
            title: "Shortlist".into(),
            seats: 9,
            min_selections: 0,
            max_selections: 9,
            slate_rules: vec![SlateRule { attribute: "gender".into(), value: "woman".into(), min_seats: 4 }],
        }],
        trustees: trustees
            .iter()
            .zip(1u16..)
            .map(|(k, index)| TrusteeInfo { index, name: format!("Trustee {index}"), key: k.public_key() })
            .collect(),
        threshold: 2,
        revote: RevotePolicy::LastCounts,
        tie_break: TieBreak::AggregateHash,
        server_key: server.public_key(),
        calendar: Default::default(),
        registrar: None,
    };
    let mut board = Board::default();
    let mut put = |kind, time, payload| board.put(kind, time, payload);
    let mh = put(EntryKind::Manifest, 0, manifest.to_bytes()).payload_hash();
    let candidates: Vec<Candidate> = (0..30u32)
        .map(|i| Candidate {
            candidate_id: i,
            name: format!("Candidate {i}"),
            attributes: vec![("gender".into(), if i % 2 == 0 { "woman" } else { "man" }.into())],
        })
        .collect();
    for c in &candidates {
        let reg = CandidateRegistration {
            contest_id: 1,
            candidate: c.clone(),
            statement: format!("{} would serve well.", c.name),
        };
        put(EntryKind::Candidate, 100, reg.to_bytes());
    }
    let params = CeremonyParams { manifest_hash: mh, n: 3, t: 2 };
    let started: Vec<_> = (1..=3).map(|i| dkg::start(&params, i, &mut rng).unwrap()).collect();
    let commitments: Vec<CommitmentMessage> = started.iter().map(|(_, m)| m.clone()).collect();
    for (m, key) in commitments.iter().zip(&trustees) {
        let msg = TrusteeMessage::sign(key, &mh, EntryKind::CeremonyCommitment, m.trustee, m.to_bytes());
        put(EntryKind::CeremonyCommitment, 500, msg.to_bytes());
    }
    for (s, _) in &started {
        for share in s.encrypt_shares(&params, &commitments).unwrap() {
            let key = &trustees[usize::from(share.sender - 1)];
            let msg =
                TrusteeMessage::sign(key, &mh, EntryKind::CeremonyShare, share.sender, share.to_bytes());
            put(EntryKind::CeremonyShare, 501, msg.to_bytes());
        }
    }
    let group = GroupPublic::derive(&params, &commitments.iter().collect::<Vec<_>>()).unwrap();
    let definition = BallotDefinition { contests: vec![DefinedContest { contest_id: 1, candidates }] };
    let dh = put(EntryKind::Definition, 1000, definition.to_bytes()).payload_hash();
    let ctx = ElectionContext { manifest_hash: mh, definition_hash: dh, joint_key: group.joint_key };

    let ballot = native_ballot(&ctx, &definition, &manifest);
    let cred = Ballot::from_bytes(&ballot).unwrap().credential.to_bytes();
    put(EntryKind::Credential, 1500, cred.to_vec());
    let ballot_entry = put(EntryKind::Ballot, 2100, ballot.clone());
    let old = board.writer.checkpoint(&server, 2101).unwrap();
    board.put(
        EntryKind::Credential,
        2200,
        CredentialSecret::generate(&mut rng).public_key().to_bytes().to_vec(),
    );
    let new = board.writer.checkpoint(&server, 2201).unwrap();
    let receipt = Receipt::issue(&ballot_entry, &board.log, old.clone()).unwrap();
    let consistency = board.log.consistency_proof(TreeSize::new(old.size), TreeSize::new(new.size)).unwrap();
    let entries = board.entries;

    let selections = serde_json::to_string(&[CHOSEN]).unwrap();
    let json = json!({
        "entries": entries.iter().map(entry_json).collect::<Vec<_>>(),
        "manifest_hash": hex::encode(mh),
        "seed": hex::encode(SEED),
        "selections": selections,
        "ballot": hex::encode(&ballot),
        "receipt": hex::encode(receipt.to_bytes()),
        "old_checkpoint": hex::encode(old.to_bytes()),
        "new_checkpoint": hex::encode(new.to_bytes()),
        "consistency": hex::encode(consistency.to_bytes()),
    });
    Fixture { entries, ballot, json }
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

fn write_fixture(f: &Fixture) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("wasm-fixtures");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("poll-30.json");
    std::fs::write(&path, serde_json::to_string_pretty(&f.json).unwrap()).unwrap();
    path
}

/// Runs `node tests/wasm/node.mjs CMD web/pkg ARG`; `None` (with the
/// reason printed) when Node is missing and the browser tests are optional.
fn node(cmd: &str, arg: &Path) -> Option<String> {
    let mandatory = std::env::var("SHORTLIST_BROWSER_TESTS").is_ok_and(|v| v == "1");
    let root = repo();
    let out = Command::new("node")
        .arg(root.join("tests/wasm/node.mjs"))
        .arg(cmd)
        .arg(root.join("web/pkg"))
        .arg(arg)
        .output();
    match out {
        Err(e) if !mandatory => {
            eprintln!("SKIPPED the WebAssembly half: cannot run node ({e}); SHORTLIST_BROWSER_TESTS=1 makes it mandatory");
            None
        }
        Err(e) => panic!("SHORTLIST_BROWSER_TESTS=1 but node cannot run: {e}"),
        Ok(o) => {
            assert!(o.status.success(), "node {cmd} failed: {}", String::from_utf8_lossy(&o.stderr));
            Some(String::from_utf8(o.stdout).unwrap())
        }
    }
}

#[test]
fn the_wasm_ballot_is_byte_identical_to_the_native_one() {
    let f = fixture();
    let path = write_fixture(&f);

    // The wrapper, compiled natively, draws in the documented order.
    let entries = serde_json::to_string(&f.json["entries"]).unwrap();
    let poll = shortlist_wasm::Poll::from_entries(&entries).unwrap();
    let selections = f.json["selections"].as_str().unwrap();
    let wrapped = shortlist_wasm::insecure_seeded_ballot_for_tests(&poll, &SEED, selections).unwrap();
    assert_eq!(hex::encode(&wrapped), hex::encode(&f.ballot), "the wrapper's ballot differs from the core's");

    let Some(out) = node("ballot", &path) else { return };
    let wasm = out.trim();
    assert_eq!(wasm.len(), 2 * f.ballot.len(), "the WASM ballot has another length");
    assert_eq!(wasm, hex::encode(&f.ballot), "the WASM ballot differs from the native one");
    println!("WASM and native ballots are the same {} bytes", f.ballot.len());
}

#[test]
fn the_booth_calls_behave_under_node() {
    let f = fixture();
    assert!(f.entries.len() > 40);
    let path = write_fixture(&f);
    let Some(out) = node("booth", &path) else { return };
    let v: Value = serde_json::from_str(&out).unwrap();
    assert!(v["wrong_hash"].as_str().unwrap().contains("not the poll you were sent"), "{v}");
    assert!(v["bad_entries"].as_str().unwrap().contains("not a JSON list"), "{v}");
    assert_eq!(v["title"], "Fixture: 9 of 30");
    assert_eq!(v["poll_id"], "wasm-fixture");
    assert_eq!(v["revote"], "last");
    assert_eq!(v["can_vote"], true);
    assert_eq!(v["timetable"]["voting_open"], 2000);
    assert_eq!((v["contests"].as_u64(), v["candidates"].as_u64()), (Some(1), Some(30)));
    assert_eq!(v["max_selections"], 9);
    assert_eq!(v["first_candidate"]["statement"], "Candidate 0 would serve well.");
    assert_eq!(v["first_candidate"]["attributes"]["gender"], "woman");
    assert_eq!(v["credential_round_trip"], true);
    assert!(v["bad_secret"].as_str().unwrap().contains("32 bytes"), "{v}");
    assert!(v["too_many"].as_str().unwrap().contains("choose 0 to 9 candidates, not 10"), "{v}");
    assert!(v["unknown_candidate"].as_str().unwrap().contains("no candidate 999999"), "{v}");
    assert!(v["chosen_twice"].as_str().unwrap().contains("already chosen"), "{v}");
    assert_eq!(v["cast_again_same"], true);
    assert!(v["audit_after_cast"].as_str().unwrap().contains("cannot be audited"), "{v}");
    assert!(v["cast_after_audit"].as_str().unwrap().contains("never be cast"), "{v}");
    let chosen: Vec<&str> = v["audit_summary"][0]["chosen"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(chosen, ["Candidate 1", "Candidate 2"]);
    // The fingerprint shown before the decision is the posted ballot's.
    let spoiled =
        SpoiledBallot::from_bytes(&hex::decode(v["audit_payload"].as_str().unwrap()).unwrap()).unwrap();
    assert_eq!(v["audit_fingerprint"], hex::encode(spoiled.fingerprint()).as_str());
    let cast = Ballot::from_bytes(&hex::decode(v["cast_payload"].as_str().unwrap()).unwrap()).unwrap();
    let cast_fingerprint = fingerprint(cast.contests.iter().map(|c| c.ciphertexts.as_slice()));
    assert_eq!(v["cast_fingerprint"], hex::encode(cast_fingerprint).as_str());
    assert!(v["cast_other_credential"].as_str().unwrap().contains("another credential"), "{v}");
    assert!(v["audit_twice"].as_str().unwrap().contains("already audited"), "{v}");
    let code = hex::encode(shortlist_board::entry::payload_hash(&f.ballot));
    assert_eq!(v["tracking_code"], code.as_str());
    assert!(v["receipt_wrong_ballot"].as_str().unwrap().contains("tracking code"), "{v}");
    assert_eq!(v["receipt"]["tracking_code"], code.as_str());
    assert!(v["consistency_swapped"].is_string());
    assert_eq!(v["checkpoint"]["size"], f.entries.len());
}

/// The fixture's board as a record file (spec: board §7).
fn record_bytes(f: &Fixture, server_checkpoint: &[u8]) -> Vec<u8> {
    let mut w = RecordWriter::new(Vec::new()).unwrap();
    for e in &f.entries {
        w.entry(e).unwrap();
    }
    w.checkpoint(&Checkpoint::from_bytes(server_checkpoint).unwrap()).unwrap();
    w.finish().unwrap()
}

#[test]
fn the_chunked_verifier_reports_what_the_file_verifier_reports() {
    let f = fixture();
    let new = hex::decode(f.json["new_checkpoint"].as_str().unwrap()).unwrap();
    let record = record_bytes(&f, &new);
    let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join("wasm-fixtures/fixture.record");
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, &record).unwrap();
    let mh: [u8; 32] = hex::decode(f.json["manifest_hash"].as_str().unwrap()).unwrap().try_into().unwrap();
    let expected = verify_path(&path, Vec::new(), None, Some(mh), |_| {}).unwrap();

    // Chunks that cut the magic, frame headers and bodies anywhere.
    for chunk in [1, 7, 4096, record.len()] {
        let mut v = shortlist_wasm::RecordVerifier::new();
        v.expect_manifest_hash(f.json["manifest_hash"].as_str().unwrap()).unwrap();
        for c in record.chunks(chunk) {
            v.feed(c).unwrap();
        }
        assert_eq!(v.bytes_read(), record.len() as f64);
        let report: Value = serde_json::from_str(&v.finish().unwrap()).unwrap();
        assert_eq!(report["text"], expected.to_string().as_str(), "chunks of {chunk}");
        assert_eq!(report["manifest_hash"], f.json["manifest_hash"]);
        assert_eq!(report["entries"], f.entries.len());
        assert_eq!(report["steps"][0]["id"], "V1.1");
        assert_eq!(report["steps"][0]["mark"], "✓");
    }

    // A record cut inside a frame: V1.1 names the byte; a wrong magic throws.
    let mut v = shortlist_wasm::RecordVerifier::new();
    v.feed(&record[..record.len() - 10]).unwrap();
    let report: Value = serde_json::from_str(&v.finish().unwrap()).unwrap();
    let v11 = report["steps"][0]["details"].to_string();
    assert!(v11.contains("unreadable record at byte"), "{v11}");
    assert!(v.finish().unwrap_err().message().contains("finished"));
    let mut v = shortlist_wasm::RecordVerifier::new();
    let err = v.feed(b"NOT-A-RECORD-AT-ALL").unwrap_err();
    assert!(err.message().contains("bad magic"), "{err}");
    // Another poll's manifest hash fails V1.3.
    let mut v = shortlist_wasm::RecordVerifier::new();
    v.expect_manifest_hash(&"ab".repeat(32)).unwrap();
    v.feed(&record).unwrap();
    let report: Value = serde_json::from_str(&v.finish().unwrap()).unwrap();
    assert_eq!(report["steps"][2]["id"], "V1.3");
    assert_eq!(report["steps"][2]["passed"], false);
}

#[test]
fn a_poll_is_refused_when_its_entries_do_not_check() {
    let f = fixture();
    let entries =
        |list: &[Entry]| serde_json::to_string(&list.iter().map(entry_json).collect::<Vec<_>>()).unwrap();
    let poll = |json: &str| shortlist_wasm::Poll::from_entries(json).map(|_| ()).unwrap_err();
    // An entry whose server-given hash is not its own.
    let mut json: Value = serde_json::from_str(&entries(&f.entries)).unwrap();
    json[3]["hash"] = Value::String("00".repeat(32));
    assert!(poll(&json.to_string()).message().contains("the server's hash is not the entry's"));
    // An entry changed, with its hash recomputed: the chain breaks (V1.1).
    let mut changed = f.entries.clone();
    changed[3].time += 1;
    assert!(poll(&entries(&changed)).message().contains("fails verification step V1.1"));
    // An entry left out.
    let mut missing = f.entries.clone();
    missing.remove(5);
    assert!(poll(&entries(&missing)).message().contains("V1.1"));
    // Before the definition and the ceremony, the poll reads but cannot vote.
    let early = shortlist_wasm::Poll::from_entries(&entries(&f.entries[..5])).unwrap();
    assert!(!early.can_vote());
    assert!(early.prepare().err().unwrap().message().contains("voting has not opened"));
}

/// Registrar mode in the browser's module (spec: board §4.12.1): a `#c=`
/// link's credential gives the key of `spec/vectors/registrar.json`; a
/// mistyped one is refused.
#[test]
fn the_booth_derives_a_registrar_credential_key() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../spec/vectors/registrar.json");
    let v: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let c = &v["credential"];
    let text = c["text"].as_str().unwrap();
    let hm = c["manifest_hash"].as_str().unwrap();
    let key = shortlist_wasm::Credential::from_registrar(text, hm).unwrap();
    assert_eq!(key.public_key_hex(), c["public_key"].as_str().unwrap());
    assert!(shortlist_wasm::Credential::from_registrar(&text.replacen('0', "1", 1), hm).is_err());
}
