//! The sequencer (spec: api §3): the one path by which entries reach the
//! board. Requests queue here after every stateless check (decoding, proofs,
//! signatures) has passed; the sequencer takes them in groups, and for each
//! poll opens one transaction under the poll's database lock, re-checks what
//! depends on the board's state, appends, signs one checkpoint for the group,
//! and commits. Only then does any request in the group get its answer: a
//! receipt for an entry that is durably on the board.

use std::collections::HashMap;
use std::sync::Arc;

use axum::http::StatusCode;
use shortlist_board::amendment::{Amendment, Deadline};
use shortlist_board::checkpoint::Checkpoint;
use shortlist_board::definition::CandidateRegistration;
use shortlist_board::entry::{Chain, Entry, EntryKind, Hash};
use shortlist_board::manifest::{Calendar, Manifest, Timetable};
use shortlist_board::merkle::{leaf_hash, Frontier, MerkleLog};
use shortlist_board::receipt::Receipt;
use shortlist_crypto::credential::CredentialPublicKey;
use shortlist_store::{AppendTx, Head, NewEntry};
use tokio::sync::{mpsc, oneshot, Mutex};

use crate::error::AppError;
use crate::state::Shared;

/// Most requests taken into one group commit.
const GROUP: usize = 256;

/// The phases of a poll, in order (spec: api §5).
pub mod phase {
    /// Created; the organiser may enter candidates, trustees run the ceremony.
    pub const SETUP: &str = "setup";
    /// Candidates may send expressions of interest.
    pub const NOMINATIONS: &str = "nominations";
    /// The ballot definition is on the board.
    pub const DEFINED: &str = "defined";
    /// Ballots are taken.
    pub const VOTING: &str = "voting";
    /// Voting closed.
    pub const CLOSED: &str = "closed";
    /// The aggregate is on the board; trustees decrypt.
    pub const TALLYING: &str = "tallying";
    /// The result is on the board.
    pub const DONE: &str = "done";
}

/// What to append, with what the sequencer checks under the lock. (Fields
/// are named for what they hold; the variant docs say what each op is.)
#[derive(Debug)]
#[allow(missing_docs)]
pub enum Op {
    /// Entry 0.
    Manifest { payload: Vec<u8> },
    /// A candidate registration, given the next candidate id (1, 2, …) here;
    /// from an approved nomination, if `nomination`.
    Candidate { registration: CandidateRegistration, nomination: Option<[u8; 32]>, nominations_close: u64 },
    /// The ballot definition (closes nominations), built from `candidates`
    /// candidate entries: refused if more were appended since.
    Definition { payload: Vec<u8>, hash: Hash, nominations_close: u64, candidates: u64 },
    /// A trustee message: one per `(kind, trustee, recipient)`.
    Trustee {
        kind: EntryKind,
        trustee: u16,
        recipient: u16,
        payload: Vec<u8>,
        phases: &'static [&'static str],
    },
    /// A credential registration redeeming an eligibility token.
    Credential { key: [u8; 32], token_hash: [u8; 32], voting_close: u64 },
    /// A cast ballot.
    Ballot {
        payload: Vec<u8>,
        credential: [u8; 32],
        fingerprints: Vec<[u8; 32]>,
        window: (u64, u64),
        first_counts: bool,
    },
    /// An audited ballot.
    Spoiled { payload: Vec<u8>, fingerprints: Vec<[u8; 32]>, window: (u64, u64) },
    /// Opens voting: no entry, a phase change and the joint key, derived
    /// from `ceremony` ceremony entries: refused if more were appended since.
    OpenVoting { joint_key: [u8; 32], voting_open: u64, ceremony: u64 },
    /// Voting closed.
    VotingClosed { voting_close: u64 },
    /// The aggregate.
    Aggregate { payload: Vec<u8> },
    /// The result.
    Result { payload: Vec<u8> },
    /// A timetable amendment signed by the server for the organiser, made
    /// against the manifest's timetable `base` (spec: board §4.11, V1.5).
    Amend { payload: Vec<u8>, amendment: Amendment, base: Timetable, calendar: Calendar },
}

/// The deadlines as amended on the board, read once per group under the
/// lock (spec: board V1.5): an op's deadline from the manifest is replaced
/// by the last amendment's.
#[derive(Default)]
struct Amended {
    nominations_close: Option<u64>,
    voting_close: Option<u64>,
}

impl Amended {
    async fn load(tx: &mut AppendTx) -> Result<Self, AppError> {
        let mut a = Self::default();
        for (_, _, payload) in tx.payloads_of_kind(EntryKind::Amendment.code()).await? {
            a.record(&Amendment::from_bytes(&payload)?);
        }
        Ok(a)
    }

    fn record(&mut self, a: &Amendment) {
        match a.deadline {
            Deadline::NominationsClose => self.nominations_close = Some(a.to),
            Deadline::VotingClose => self.voting_close = Some(a.to),
        }
    }

    fn nominations_close(&self, base: u64) -> u64 {
        self.nominations_close.unwrap_or(base)
    }

    fn voting_close(&self, base: u64) -> u64 {
        self.voting_close.unwrap_or(base)
    }

    fn timetable(&self, base: &Timetable) -> Timetable {
        Timetable {
            nominations_close: self.nominations_close(base.nominations_close),
            voting_open: base.voting_open,
            voting_close: self.voting_close(base.voting_close),
        }
    }
}

/// What an accepted request got.
#[derive(Clone, Debug)]
pub struct Appended {
    /// The entry (or, for a repeat, the entry first appended).
    pub entry: Option<Entry>,
    /// Its receipt under the checkpoint of the group it was committed in.
    pub receipt: Option<Receipt>,
    /// Whether the same payload was already on the board.
    pub repeat: bool,
}

struct Request {
    poll: String,
    op: Op,
    reply: oneshot::Sender<Result<Appended, AppError>>,
}

/// The sending side, held by the server.
#[derive(Clone)]
pub struct Sequencer {
    tx: mpsc::Sender<Request>,
}

impl Sequencer {
    /// Starts the sequencer task. It ends when every `Sequencer` is dropped
    /// and the queue is drained.
    pub fn start(
        shared: Arc<Shared>,
        closed: tokio::sync::watch::Receiver<bool>,
    ) -> (Self, tokio::task::JoinHandle<()>) {
        let (tx, rx) = mpsc::channel(4096);
        let handle = tokio::spawn(run(shared, rx, closed));
        (Self { tx }, handle)
    }

    /// Queues an op and waits until it is committed (or refused).
    pub async fn submit(&self, poll: &str, op: Op) -> Result<Appended, AppError> {
        let (reply, rx) = oneshot::channel();
        self.tx
            .send(Request { poll: poll.to_string(), op, reply })
            .await
            .map_err(|_| AppError::unavailable("the server is shutting down"))?;
        rx.await.map_err(|_| AppError::unavailable("the server is shutting down"))?
    }
}

/// A poll's Merkle log of committed entries, cached per instance.
#[derive(Default)]
pub struct LogCache {
    /// Every committed leaf.
    pub log: MerkleLog,
    /// The frontier of the same leaves.
    pub frontier: Frontier,
}

/// Per-instance Merkle logs, by poll.
pub type Logs = Mutex<HashMap<String, LogCache>>;

/// Brings a cached log up to at least `size` committed entries from the store.
pub async fn catch_up(shared: &Shared, poll: &str, cache: &mut LogCache, size: u64) -> Result<(), AppError> {
    let have = cache.log.size().get();
    if have < size {
        for h in shared.store.entry_hashes(poll, have, size).await? {
            push(cache, &h)?;
        }
    }
    Ok(())
}

fn push(cache: &mut LogCache, entry_hash: &Hash) -> Result<(), AppError> {
    let leaf = leaf_hash(entry_hash);
    cache.log.push(leaf).map_err(AppError::internal)?;
    cache.frontier.push(leaf).map_err(AppError::internal)?;
    Ok(())
}

/// Takes groups until told to close, then commits what is queued and ends.
async fn run(
    shared: Arc<Shared>,
    mut rx: mpsc::Receiver<Request>,
    mut closed: tokio::sync::watch::Receiver<bool>,
) {
    let mut batch = Vec::with_capacity(GROUP);
    loop {
        tokio::select! {
            biased;
            n = rx.recv_many(&mut batch, GROUP) => {
                if n == 0 {
                    break;
                }
                process(&shared, &mut batch).await;
            }
            _ = closed.changed() => {
                rx.close();
                while rx.recv_many(&mut batch, GROUP).await > 0 {
                    process(&shared, &mut batch).await;
                }
                break;
            }
        }
    }
}

async fn process(shared: &Shared, batch: &mut Vec<Request>) {
    {
        let mut by_poll: Vec<(String, Vec<Request>)> = Vec::new();
        for r in batch.drain(..) {
            match by_poll.iter_mut().find(|(p, _)| *p == r.poll) {
                Some((_, v)) => v.push(r),
                None => by_poll.push((r.poll.clone(), vec![r])),
            }
        }
        for (poll, reqs) in by_poll {
            commit_group(shared, &poll, reqs).await;
        }
    }
}

enum Outcome {
    Appended(Entry),
    Repeat(u64),
    Done,
    Refused(AppError),
}

async fn commit_group(shared: &Shared, poll: &str, reqs: Vec<Request>) {
    let started = std::time::Instant::now();
    let mut logs = shared.logs.lock().await;
    let cache = logs.entry(poll.to_string()).or_default();
    let result = append_group(shared, poll, cache, &reqs).await;
    match result {
        Err(e) => {
            // Nothing committed: every request in the group fails alike, and
            // the cache is rebuilt from the store next time.
            logs.remove(poll);
            drop(logs);
            let (status, code) = (e.status(), e.code());
            let message = match code {
                "wrong_server_key" => e.message().to_string(),
                _ => "the append failed; nothing was stored".to_string(),
            };
            for r in reqs {
                let _ = r.reply.send(Err(AppError::new(status, code, message.clone())));
            }
        }
        Ok((outcomes, checkpoint)) => {
            let n = u64::try_from(reqs.len()).unwrap_or(0);
            shared.metrics.group_commit(n, started.elapsed());
            for (r, outcome) in reqs.into_iter().zip(outcomes) {
                let answer = match outcome {
                    Outcome::Appended(entry) => {
                        let receipt = checkpoint.as_ref().and_then(|c| {
                            Receipt::issue(&entry, &cache.log, c.clone())
                                .map_err(|e| tracing::error!(error = %e, index = entry.index, "receipt not issued"))
                                .ok()
                        });
                        shared.metrics.appended(entry.kind.name());
                        Ok(Appended { entry: Some(entry), receipt, repeat: false })
                    }
                    Outcome::Repeat(index) => repeat_receipt(shared, poll, &cache.log, index).await,
                    Outcome::Done => Ok(Appended { entry: None, receipt: None, repeat: false }),
                    Outcome::Refused(e) => Err(e),
                };
                let _ = r.reply.send(answer);
            }
            drop(logs);
            shared.appended.notify_waiters();
        }
    }
}

/// The receipt of an entry already on the board, under the checkpoint of
/// the group it was first committed in: the same receipt as the first time.
async fn repeat_receipt(
    shared: &Shared,
    poll: &str,
    log: &MerkleLog,
    index: u64,
) -> Result<Appended, AppError> {
    let row =
        shared.store.entry(poll, index).await?.ok_or_else(|| AppError::internal("repeat entry vanished"))?;
    let entry = crate::state::with_prev(&shared.store, poll, row).await?;
    let receipt = match shared.store.checkpoint_covering(poll, index).await? {
        Some((_, bytes)) => Receipt::issue(&entry, log, Checkpoint::from_bytes(&bytes)?).ok(),
        None => None,
    };
    Ok(Appended { entry: Some(entry), receipt, repeat: true })
}

async fn append_group(
    shared: &Shared,
    poll: &str,
    cache: &mut LogCache,
    reqs: &[Request],
) -> Result<(Vec<Outcome>, Option<Checkpoint>), AppError> {
    let (mut tx, head) = shared.store.begin_append(poll).await?;
    // Another instance may have appended since: catch the log up.
    let cached = cache.log.size().get();
    if cached != head.size {
        if cached > head.size {
            *cache = LogCache::default();
        }
        for h in tx.entry_hashes_from(cache.log.size().get()).await? {
            push(cache, &h)?;
        }
    }
    if cache.log.size().get() != head.size {
        return Err(AppError::internal("the cached log does not match the board"));
    }
    let mut chain = Chain::new();
    chain.resync(head.size, head.head);
    let mut frontier = cache.frontier.clone();
    let time = shared.clock.now().max(head.time);
    let mut outcomes = Vec::with_capacity(reqs.len());
    let mut appended = Vec::new();
    let mut amended = Amended::load(&mut tx).await?;
    for r in reqs {
        let outcome = apply(&mut tx, &mut chain, time, &mut amended, &r.op).await?;
        if let Outcome::Appended(e) = &outcome {
            frontier.push(leaf_hash(&e.hash())).map_err(AppError::internal)?;
            appended.push(e.hash());
        }
        outcomes.push(outcome);
    }
    let mut checkpoint = None;
    if !appended.is_empty() {
        let new_head = Head { size: chain.len(), head: chain.head(), time };
        tx.set_head(&new_head).await?;
        let mh = manifest_hash(shared, poll, &outcomes).await?;
        let c = Checkpoint::sign(
            &shared.server_key,
            &mh,
            new_head.size,
            new_head.head,
            frontier.root().to_bytes(),
            time,
        );
        tx.insert_checkpoint(c.size, &c.to_bytes()).await?;
        checkpoint = Some(c);
    }
    tx.commit().await?;
    for h in &appended {
        push(cache, h)?;
    }
    Ok((outcomes, checkpoint))
}

/// The manifest hash: from entry 0 in this group, or from the poll row;
/// refused unless the manifest names this server's key (spec: api §4: a
/// server never signs a checkpoint of a poll whose manifest names another
/// server key — the poll would fail V1.2 for good).
async fn manifest_hash(shared: &Shared, poll: &str, outcomes: &[Outcome]) -> Result<Hash, AppError> {
    for o in outcomes {
        if let Outcome::Appended(e) = o {
            if e.kind == EntryKind::Manifest {
                let m = Manifest::from_bytes(&e.payload)?;
                check_server_key(shared, poll, &m.server_key)?;
                return Ok(e.payload_hash());
            }
        }
    }
    let cached =
        shared.polls.read().ok().and_then(|p| p.get(poll).map(|c| (c.manifest.server_key, c.manifest_hash)));
    if let Some((key, hash)) = cached {
        check_server_key(shared, poll, &key)?;
        return Ok(hash);
    }
    let row =
        shared.store.poll(poll).await?.ok_or_else(|| AppError::not_found("no_such_poll", "no such poll"))?;
    check_server_key(shared, poll, &Manifest::from_bytes(&row.manifest)?.server_key)?;
    Ok(row.manifest_hash)
}

fn check_server_key(shared: &Shared, poll: &str, named: &CredentialPublicKey) -> Result<(), AppError> {
    let ours = shared.server_key.public_key();
    if ours.to_bytes() == named.to_bytes() {
        return Ok(());
    }
    tracing::error!(
        poll,
        expected = %crate::keys::fingerprint(named),
        ours = %crate::keys::fingerprint(&ours),
        "refusing to sign: the poll's manifest names another server key"
    );
    Err(AppError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "wrong_server_key",
        format!(
            "this server instance does not hold the key poll {poll}'s manifest names ({}); nothing was \
             stored. Every instance of a deployment must use the same server key (spec: api §4).",
            crate::keys::fingerprint(named)
        ),
    ))
}

/// The kind codes of key-ceremony entries.
pub const CEREMONY_KINDS: [u8; 3] = [4, 5, 6];

fn wrong_phase(phase: &str, what: &str) -> Outcome {
    Outcome::Refused(AppError::conflict(
        "wrong_phase",
        format!("{what} is not possible while the poll is in phase `{phase}`"),
    ))
}

fn too_late(what: &str, at: u64) -> Outcome {
    Outcome::Refused(AppError::conflict(
        "timetable",
        format!("{what}: the timetable closed this at {} ({at} in Unix seconds)", crate::web::time::utc(at)),
    ))
}

fn too_early(what: &str, at: u64) -> Outcome {
    Outcome::Refused(AppError::conflict(
        "timetable",
        format!("{what}: the timetable opens this at {} ({at} in Unix seconds)", crate::web::time::utc(at)),
    ))
}

/// Before voting opens, say when it opens; after, the phase.
fn not_open_or_wrong_phase(phase: &str, what: &str, opens: u64) -> Outcome {
    use phase::*;
    if [SETUP, NOMINATIONS, DEFINED].contains(&phase) {
        Outcome::Refused(crate::api::not_open(opens))
    } else {
        wrong_phase(phase, what)
    }
}

/// Checks one op against the board's state and appends it. Every check
/// runs before any write, so a refused op changes nothing.
async fn apply(
    tx: &mut AppendTx,
    chain: &mut Chain,
    time: u64,
    amended: &mut Amended,
    op: &Op,
) -> Result<Outcome, AppError> {
    use phase::*;
    let phase = tx.phase().await?;
    let index = chain.len();
    // Idempotency: the same payload twice is the same entry (never for the
    // empty voting-closed payload, which has no repeat).
    if let Some(payload) = payload_of(op) {
        let ph: Hash = shortlist_board::entry::payload_hash(payload);
        if let Some(existing) = tx.find_payload(&ph).await? {
            return Ok(Outcome::Repeat(existing));
        }
    }
    let (kind, payload) = match op {
        Op::Manifest { payload } => {
            if index != 0 {
                return Ok(Outcome::Refused(AppError::conflict(
                    "poll_exists",
                    "the poll already has a manifest",
                )));
            }
            (EntryKind::Manifest, payload.clone())
        }
        Op::Candidate { registration, nomination, nominations_close } => {
            if phase != SETUP && phase != NOMINATIONS {
                return Ok(wrong_phase(&phase, "entering a candidate"));
            }
            let nominations_close = amended.nominations_close(*nominations_close);
            if time >= nominations_close {
                return Ok(too_late("entering a candidate", nominations_close));
            }
            let next = tx.count_kinds(&[EntryKind::Candidate.code()]).await?.saturating_add(1);
            let id = u32::try_from(next).map_err(AppError::internal)?;
            if let Some(n) = nomination {
                if !tx.approve_nomination(n, id).await? {
                    return Ok(Outcome::Refused(AppError::conflict(
                        "not_pending",
                        "that nomination is not pending",
                    )));
                }
            }
            let mut registration = registration.clone();
            registration.candidate.candidate_id = id;
            (EntryKind::Candidate, registration.to_bytes())
        }
        Op::Definition { payload, hash, nominations_close, candidates } => {
            if phase != SETUP && phase != NOMINATIONS {
                return Ok(wrong_phase(&phase, "closing nominations"));
            }
            let nominations_close = amended.nominations_close(*nominations_close);
            if time < nominations_close {
                return Ok(too_early("closing nominations", nominations_close));
            }
            if tx.count_kinds(&[EntryKind::Candidate.code()]).await? != *candidates {
                return Ok(Outcome::Refused(AppError::conflict(
                    "changed",
                    "a candidate was added meanwhile; try again",
                )));
            }
            tx.set_phase(DEFINED).await?;
            tx.set_definition_hash(hash).await?;
            (EntryKind::Definition, payload.clone())
        }
        Op::Trustee { kind, trustee, recipient, payload, phases } => {
            if !phases.contains(&phase.as_str()) {
                return Ok(wrong_phase(&phase, "this trustee message"));
            }
            if !tx.add_trustee_post(kind.code(), *trustee, *recipient, index).await? {
                return Ok(Outcome::Refused(AppError::conflict(
                    "duplicate",
                    format!("trustee {trustee} already posted this kind of message"),
                )));
            }
            (*kind, payload.clone())
        }
        Op::Credential { key, token_hash, voting_close } => {
            if let Some((at, _)) = tx.credential(key).await? {
                // A retry of the same registration is the same entry.
                if tx.token_redeemed_at(token_hash).await? == Some(at) {
                    return Ok(Outcome::Repeat(at));
                }
                return Ok(Outcome::Refused(AppError::conflict(
                    "already_registered",
                    "this credential is already registered",
                )));
            }
            let voting_close = amended.voting_close(*voting_close);
            if matches!(phase.as_str(), CLOSED | TALLYING | DONE) || time >= voting_close {
                return Ok(too_late("registering a credential", voting_close));
            }
            if !tx.redeem_token(token_hash, index).await? {
                return Ok(Outcome::Refused(AppError::forbidden(
                    "invalid_token",
                    "unknown or already redeemed eligibility token",
                )));
            }
            tx.add_credential(key, index).await?;
            (EntryKind::Credential, key.to_vec())
        }
        Op::Ballot { payload, credential, fingerprints, window, first_counts } => {
            if phase != VOTING {
                return Ok(not_open_or_wrong_phase(&phase, "casting a ballot", window.0));
            }
            let close = amended.voting_close(window.1);
            if time < window.0 {
                return Ok(too_early("casting a ballot", window.0));
            }
            if time >= close {
                return Ok(too_late("casting a ballot", close));
            }
            let Some((_, cast)) = tx.credential(credential).await? else {
                return Ok(Outcome::Refused(AppError::forbidden(
                    "unregistered",
                    "this credential is not registered",
                )));
            };
            if *first_counts && cast > 0 {
                return Ok(Outcome::Refused(AppError::conflict(
                    "already_voted",
                    "the first ballot counts and this credential has cast one",
                )));
            }
            if !tx.add_ciphertexts(fingerprints, index).await? {
                return Ok(Outcome::Refused(AppError::conflict(
                    "duplicate_ciphertexts",
                    "these ciphertexts are already on the board (V4.7)",
                )));
            }
            tx.count_ballot(credential).await?;
            (EntryKind::Ballot, payload.clone())
        }
        Op::Spoiled { payload, fingerprints, window } => {
            // spec: board V4.8 — no credential: only the phase and the window.
            if phase != VOTING {
                return Ok(not_open_or_wrong_phase(&phase, "auditing a ballot", window.0));
            }
            let close = amended.voting_close(window.1);
            if time < window.0 {
                return Ok(too_early("auditing a ballot", window.0));
            }
            if time >= close {
                return Ok(too_late("auditing a ballot", close));
            }
            if !tx.add_ciphertexts(fingerprints, index).await? {
                return Ok(Outcome::Refused(AppError::conflict(
                    "duplicate_ciphertexts",
                    "these ciphertexts are already on the board (V4.7)",
                )));
            }
            (EntryKind::SpoiledBallot, payload.clone())
        }
        Op::OpenVoting { joint_key, voting_open, ceremony } => {
            if phase != DEFINED {
                return Ok(wrong_phase(&phase, "opening voting"));
            }
            if tx.count_kinds(&CEREMONY_KINDS).await? != *ceremony {
                return Ok(Outcome::Refused(AppError::conflict(
                    "changed",
                    "a ceremony message arrived meanwhile; try again",
                )));
            }
            if time < *voting_open {
                return Ok(too_early("opening voting", *voting_open));
            }
            tx.set_phase(VOTING).await?;
            tx.set_joint_key(joint_key).await?;
            return Ok(Outcome::Done);
        }
        Op::VotingClosed { voting_close } => {
            if phase != VOTING {
                return Ok(wrong_phase(&phase, "closing voting"));
            }
            let voting_close = amended.voting_close(*voting_close);
            if time < voting_close {
                return Ok(too_early("closing voting", voting_close));
            }
            tx.set_phase(CLOSED).await?;
            (EntryKind::VotingClosed, Vec::new())
        }
        Op::Aggregate { payload } => {
            if phase != CLOSED {
                return Ok(wrong_phase(&phase, "posting the aggregate"));
            }
            tx.set_phase(TALLYING).await?;
            (EntryKind::Aggregate, payload.clone())
        }
        Op::Result { payload } => {
            if phase != TALLYING {
                return Ok(wrong_phase(&phase, "posting the result"));
            }
            tx.set_phase(DONE).await?;
            (EntryKind::Result, payload.clone())
        }
        Op::Amend { payload, amendment, base, calendar } => {
            if let Some(refused) = refuse_amendment(&phase, time, amended, amendment, base, calendar) {
                return Ok(Outcome::Refused(refused));
            }
            amended.record(amendment);
            (EntryKind::Amendment, payload.clone())
        }
    };
    let entry = chain.append(kind, time, payload);
    let payload_hash = entry.payload_hash();
    tx.insert_entry(&NewEntry {
        index: entry.index,
        kind: kind.code(),
        time,
        payload: &entry.payload,
        hash: entry.hash(),
        payload_hash,
    })
    .await?;
    Ok(Outcome::Appended(entry))
}

/// Why an amendment may not be appended now (spec: board V1.5, api §5):
/// its `from` is stale (409 `changed`), the deadline has passed or its phase
/// is over (409 `timetable`), or the move breaks a rule (422 `invalid_amendment`).
fn refuse_amendment(
    phase: &str,
    time: u64,
    amended: &Amended,
    a: &Amendment,
    base: &Timetable,
    calendar: &Calendar,
) -> Option<AppError> {
    use phase::*;
    let current = amended.timetable(base);
    let now = a.deadline.of(&current);
    if a.from != now {
        return Some(AppError::conflict("changed", "the timetable was amended meanwhile; try again"));
    }
    let closed = match a.deadline {
        Deadline::NominationsClose => phase != SETUP && phase != NOMINATIONS,
        Deadline::VotingClose => matches!(phase, CLOSED | TALLYING | DONE),
    };
    if closed || time >= now {
        return Some(AppError::conflict(
            "timetable",
            format!("{} ({now}, Unix seconds) has passed: it can no longer be moved", a.deadline.name()),
        ));
    }
    a.check(time, &current, calendar, closed).err().map(|why| AppError::invalid("invalid_amendment", why))
}

fn payload_of(op: &Op) -> Option<&[u8]> {
    match op {
        Op::Manifest { payload }
        | Op::Definition { payload, .. }
        | Op::Trustee { payload, .. }
        | Op::Ballot { payload, .. }
        | Op::Spoiled { payload, .. }
        | Op::Aggregate { payload }
        | Op::Result { payload }
        | Op::Amend { payload, .. } => Some(payload),
        Op::Candidate { .. } | Op::Credential { .. } | Op::OpenVoting { .. } | Op::VotingClosed { .. } => {
            None
        }
    }
}
