//! The bodies of the fuzz targets (issue 16, Build 3), shared by the AFL++
//! binaries of `fuzz/` and by the regression test that replays the kept
//! inputs under a normal `cargo test` (`tests/fuzz_regressions.rs`).
//!
//! Each target decodes untrusted bytes the way the server or the verifier
//! does, and asserts what must hold for any input: no panic, and every
//! encoding that decodes is canonical (re-encoding gives the same bytes), a
//! manifest the server would accept decodes on the board, a candidate the
//! server would accept passes the verifier's V1.4 text rules.

use std::sync::OnceLock;

use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;
use shortlist_board::checkpoint::Checkpoint;
use shortlist_board::definition::{BallotDefinition, CandidateRegistration};
use shortlist_board::entry::Entry;
use shortlist_board::manifest::Manifest;
use shortlist_board::payload::{
    Aggregate, Ballot, DecryptionShares, PollResult, Purpose, SpoiledBallot, TrusteeMessage,
};
use shortlist_board::receipt::Receipt;
use shortlist_board::record::{self, Frame};
use shortlist_board::verify::Verifier;
use shortlist_crypto::ballot::{BallotContext, ContestShape, EncryptedContest};
use shortlist_crypto::credential::{CredentialPublicKey, CredentialSecret};
use shortlist_crypto::dkg::transport::{Complaint, EncryptedShare};
use shortlist_crypto::dkg::CommitmentMessage;
use shortlist_crypto::elgamal::{Ciphertext, Encrypter, SecretKey};
use shortlist_crypto::threshold::DecryptionShare;
use shortlist_crypto::transcript::ElectionContext;
use shortlist_crypto::wire::{scalar_from_bytes, Point};

/// A target: its name and its body.
pub type Target = (&'static str, fn(&[u8]));

/// The targets by name, as the binaries and the regression test know them.
pub const TARGETS: &[Target] =
    &[("point_scalar", point_scalar), ("ballot", ballot), ("record", record), ("json_bodies", json_bodies)];

macro_rules! canonical {
    ($ty:ty, $data:expr) => {
        if let Ok(v) = <$ty>::from_bytes($data) {
            assert_eq!(
                v.to_bytes().as_slice(),
                $data,
                concat!(stringify!($ty), ": a non-canonical encoding decoded")
            );
        }
    };
}

/// Point, scalar, ciphertext and key decoding (spec: protocol E1–E4).
pub fn point_scalar(data: &[u8]) {
    canonical!(Point, data);
    if let Ok(p) = Point::from_bytes_nonidentity(data) {
        assert!(!p.is_identity());
    }
    if let Ok(s) = scalar_from_bytes("scalar", data) {
        assert_eq!(s.as_bytes().as_slice(), data, "a non-canonical scalar decoded");
    }
    canonical!(Ciphertext, data);
    canonical!(CredentialPublicKey, data);
}

/// A fixed poll context for the ballot target: a joint key whose secret is
/// known, fixed manifest and definition hashes, a 3-candidate contest.
pub struct Fixture {
    /// The election context the proofs bind.
    pub election: ElectionContext,
    /// The contest's shape.
    pub shape: ContestShape,
}

/// The fixture, made once.
pub fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let mut rng = ChaCha20Rng::seed_from_u64(16);
        let key = SecretKey::random(&mut rng);
        let election =
            ElectionContext { manifest_hash: [1; 32], definition_hash: [2; 32], joint_key: key.public_key() };
        Fixture { election, shape: ContestShape { contest_id: 1, candidates: 3, min: 0, max: 2 } }
    })
}

/// A valid signed ballot for the fixture (a seed for the ballot target).
pub fn valid_ballot(seed: u64) -> Vec<u8> {
    let f = fixture();
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    let cred = CredentialSecret::generate(&mut rng);
    let credential = cred.public_key().to_bytes();
    let bctx = BallotContext { election: &f.election, credential: &credential };
    let enc = Encrypter::new(&f.election.joint_key);
    let chosen = EncryptedContest::prepare(&enc, &f.shape, &mut rng)
        .and_then(|p| p.choose(&[true, false, true]))
        .and_then(|c| c.prove(&bctx))
        .map(|(c, _)| c);
    let Ok(contest) = chosen else { return Vec::new() };
    Ballot::sign(Purpose::Cast, &cred, &f.election.manifest_hash, &f.election.definition_hash, vec![contest])
        .to_bytes()
}

/// Ballot and spoiled-ballot decoding and verification (spec: board §4.6,
/// §4.7, V4.2, V4.5; protocol §8): the first byte picks the form.
pub fn ballot(data: &[u8]) {
    let Some((&mode, rest)) = data.split_first() else { return };
    let f = fixture();
    let mut rng = ChaCha20Rng::seed_from_u64(0);
    match mode % 3 {
        0 => {
            let Ok(b) = Ballot::from_bytes(rest) else { return };
            assert_eq!(b.to_bytes(), rest, "Ballot: a non-canonical encoding decoded");
            let signed = b
                .verify_signature(Purpose::Cast, &f.election.manifest_hash, &f.election.definition_hash)
                .is_ok();
            let credential = b.credential.to_bytes();
            let bctx = BallotContext { election: &f.election, credential: &credential };
            let proofs = b.contests.iter().all(|c| c.verify(&bctx, &f.shape, &mut rng).is_ok());
            // A valid ballot is never changed by a decode and re-encode, and
            // verifying it twice gives the same answer.
            if signed && proofs {
                assert!(b.contests.iter().all(|c| c.verify(&bctx, &f.shape, &mut rng).is_ok()));
            }
        }
        1 => {
            let Ok(c) = EncryptedContest::from_bytes(rest) else { return };
            assert_eq!(c.to_bytes(), rest, "EncryptedContest: a non-canonical encoding decoded");
            let credential = [7u8; 32];
            let bctx = BallotContext { election: &f.election, credential: &credential };
            let _ = c.verify(&bctx, &f.shape, &mut rng);
        }
        _ => {
            let Ok(s) = SpoiledBallot::from_bytes(rest) else { return };
            assert_eq!(s.to_bytes(), rest, "SpoiledBallot: a non-canonical encoding decoded");
            for (c, o) in s.contests.iter().zip(&s.openings) {
                let _ = c.check_opening(&f.shape, &f.election.joint_key, o);
            }
            let _ = s.fingerprint();
        }
    }
}

/// Record, entry, checkpoint, receipt and payload decoding, and the record
/// verifier on whatever decodes (spec: board §2, §5–§8): the first byte picks.
pub fn record(data: &[u8]) {
    let Some((&mode, rest)) = data.split_first() else { return };
    match mode % 12 {
        0 => verify_record(rest),
        1 => canonical!(Entry, rest),
        2 => canonical!(Checkpoint, rest),
        3 => canonical!(Receipt, rest),
        4 => canonical!(Manifest, rest),
        5 => canonical!(CandidateRegistration, rest),
        6 => canonical!(BallotDefinition, rest),
        7 => canonical!(TrusteeMessage, rest),
        8 => canonical!(Aggregate, rest),
        9 => canonical!(DecryptionShares, rest),
        10 => canonical!(PollResult, rest),
        _ => {
            canonical!(CommitmentMessage, rest);
            canonical!(EncryptedShare, rest);
            canonical!(Complaint, rest);
            canonical!(DecryptionShare, rest);
        }
    }
}

/// Runs the record verifier over a record held in memory.
pub fn verify_record(bytes: &[u8]) {
    let mut v = Verifier::new();
    match record::open(bytes) {
        Err(e) => v.unreadable(0, &e),
        Ok(mut reader) => loop {
            let offset = reader.offset();
            match reader.next() {
                None => break,
                Some(Ok(frame)) => {
                    if let Frame::Entry(e) = &frame {
                        assert_eq!(Entry::from_bytes(&e.to_bytes()).ok().as_ref(), Some(e));
                    }
                    v.feed(&frame, offset);
                }
                Some(Err(err)) => {
                    v.unreadable(offset, &err);
                    break;
                }
            }
        },
    }
    let _ = v.finish(&mut |offset| {
        let at = usize::try_from(offset).unwrap_or(usize::MAX);
        let mut tail = bytes.get(at..).unwrap_or_default();
        record::read_frame(&mut tail)
    });
}

/// The server's manifest, for the candidate bodies.
fn manifest() -> &'static Manifest {
    static M: OnceLock<Manifest> = OnceLock::new();
    M.get_or_init(|| {
        let spec: shortlist_server::model::ManifestSpec =
            serde_json::from_str(SEED_MANIFEST).unwrap_or_else(|e| panic!("the seed manifest: {e}"));
        spec.to_manifest(server_key()).unwrap_or_else(|e| panic!("the seed manifest: {e:?}"))
    })
}

fn server_key() -> CredentialPublicKey {
    CredentialSecret::from_secret_bytes(&[9; 32]).public_key()
}

/// A valid manifest body (a seed, and the manifest the candidate bodies use).
pub const SEED_MANIFEST: &str = r#"{"poll_id":"fuzz-2027","title":"Fuzz poll","timetable":{"nominations_close":100,"voting_open":200,"voting_close":300},"contests":[{"contest_id":1,"title":"Slate","seats":3,"min_selections":0,"max_selections":2,"slate_rules":[{"attribute":"gender","value":"woman","min_seats":1}]}],"trustees":[{"name":"T1","key":"d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"},{"name":"T2","key":"3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c"}],"threshold":2,"revote":"last"}"#;

/// The JSON request bodies of the POST routes (spec: api §7), parsed and
/// converted as the handlers do: the first byte picks the route.
pub fn json_bodies(data: &[u8]) {
    use shortlist_server::api::{candidate, member, organiser, trustee};
    use shortlist_server::model::{CandidateSpec, ManifestSpec};
    let Some((&mode, rest)) = data.split_first() else { return };
    match mode % 8 {
        0 => {
            let Ok(spec) = serde_json::from_slice::<ManifestSpec>(rest) else { return };
            if let Ok(m) = spec.to_manifest(server_key()) {
                // What the server accepts, the board's decoder and V1.3 accept.
                let back = Manifest::from_bytes(&m.to_bytes());
                assert_eq!(back.ok().as_ref(), Some(&m), "an accepted manifest fails V1.3 on the board");
            }
        }
        1 => {
            let Ok(spec) = serde_json::from_slice::<CandidateSpec>(rest) else { return };
            if let Ok(reg) = spec.to_registration(manifest()) {
                let back = CandidateRegistration::from_bytes(&reg.to_bytes());
                assert_eq!(back.ok().as_ref(), Some(&reg));
                assert!(reg.validate().is_ok(), "an accepted candidate fails V1.4");
            }
        }
        2 => {
            if let Ok(eoi) = serde_json::from_slice::<candidate::ExpressionOfInterest>(rest) {
                let _ = eoi.candidate.to_registration(manifest());
            }
        }
        3 => {
            let _ = serde_json::from_slice::<member::Registration>(rest);
        }
        4 => {
            if let Ok(c) = serde_json::from_slice::<member::CastRequest>(rest) {
                if let Ok(bytes) = hex::decode(&c.ballot) {
                    ballot(&[[0].as_slice(), &bytes].concat());
                }
            }
        }
        5 => {
            if let Ok(a) = serde_json::from_slice::<member::AuditRequest>(rest) {
                if let Ok(bytes) = hex::decode(&a.spoiled) {
                    ballot(&[[2].as_slice(), &bytes].concat());
                }
            }
        }
        6 => {
            if let Ok(t) = serde_json::from_slice::<trustee::TrusteePost>(rest) {
                if let Ok(bytes) = hex::decode(&t.message) {
                    canonical!(TrusteeMessage, bytes.as_slice());
                }
            }
        }
        _ => {
            let _ = serde_json::from_slice::<organiser::CandidateTokensRequest>(rest);
            if let Ok(text) = std::str::from_utf8(rest) {
                if let Ok(rows) = organiser::parse_roll(text) {
                    for r in rows {
                        assert!(shortlist_board::text::check(
                            &r.member_id,
                            shortlist_board::text::TextKind::Name
                        )
                        .is_ok());
                        assert!(shortlist_board::text::check(
                            &r.name,
                            shortlist_board::text::TextKind::Value
                        )
                        .is_ok());
                    }
                }
            }
        }
    }
}

/// Writes the seed inputs of every target into `dir/TARGET/`: valid
/// encodings the fuzzer starts from; `record` is an honest record file
/// (`shortlist simulate --voters 2`).
pub fn write_seeds(dir: &std::path::Path, record: Option<&[u8]>) -> std::io::Result<()> {
    use std::fs;
    let put = |target: &str, name: &str, bytes: &[u8]| -> std::io::Result<()> {
        fs::create_dir_all(dir.join(target))?;
        fs::write(dir.join(target).join(name), bytes)
    };
    let ballot = valid_ballot(1);
    put("ballot", "cast", &[[0u8].as_slice(), &ballot].concat())?;
    let b = shortlist_board::payload::Ballot::from_bytes(&ballot).map_err(std::io::Error::other)?;
    put("ballot", "contest", &[[1u8].as_slice(), &b.contests[0].to_bytes()].concat())?;
    let f = fixture();
    put("point_scalar", "point", &f.election.joint_key.to_bytes())?;
    put("point_scalar", "ciphertext", &b.contests[0].ciphertexts[0].to_bytes())?;
    put("json_bodies", "manifest", &[[0u8].as_slice(), SEED_MANIFEST.as_bytes()].concat())?;
    let cand =
        br#"{"contest_id":1,"name":"Ann","statement":"I will\nserve","attributes":{"gender":"woman"}}"#;
    put("json_bodies", "candidate", &[[1u8].as_slice(), cand].concat())?;
    let cast = format!(r#"{{"ballot":"{}"}}"#, hex::encode(&ballot));
    put("json_bodies", "cast", &[[4u8].as_slice(), cast.as_bytes()].concat())?;
    put("json_bodies", "roll", b"\x07member_id,name,email\nm1,Ann,a@example.org\n")?;
    if let Some(record) = record {
        put("record", "record", &[[0u8].as_slice(), record].concat())?;
        let frames = shortlist_board::record::read_all(record).map_err(std::io::Error::other)?;
        for f in frames.iter().take(40) {
            match f {
                shortlist_board::record::Frame::Entry(e) => {
                    put(
                        "record",
                        &format!("entry-{}", e.index),
                        &[[1u8].as_slice(), &e.to_bytes()].concat(),
                    )?;
                    let mode = match e.kind.code() {
                        1 => 4,
                        2 => 5,
                        3 => 6,
                        4 | 5 | 6 | 12 => 7,
                        11 => 8,
                        13 => 10,
                        _ => continue,
                    };
                    put(
                        "record",
                        &format!("payload-{}", e.index),
                        &[[mode].as_slice(), &e.payload].concat(),
                    )?;
                }
                shortlist_board::record::Frame::Checkpoint(c) => {
                    put(
                        "record",
                        &format!("checkpoint-{}", c.size),
                        &[[2u8].as_slice(), &c.to_bytes()].concat(),
                    )?;
                }
            }
        }
    }
    Ok(())
}
