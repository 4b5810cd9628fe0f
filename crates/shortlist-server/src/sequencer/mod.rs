//! The sequencer (spec: api §3): the one path by which entries reach the
//! board. Requests queue here after every stateless check (decoding, proofs,
//! signatures) has passed; the sequencer takes them in groups, and for each
//! poll opens one transaction under the poll's database lock, re-checks what
//! depends on the board's state through the lifecycle's rules (`admit`),
//! appends through the board crate's writer, follows the t-th decryption
//! share with the result when it is due (`result`), signs one checkpoint for
//! the group, and commits. Only then does any request in the group get its
//! answer: a receipt for an entry that is durably on the board.

use shortlist_board::error_code::ErrorCode;
use std::sync::Arc;

use axum::http::StatusCode;
use shortlist_board::board::BoardWriter;
use shortlist_board::checkpoint::Checkpoint;
use shortlist_board::entry::{Entry, EntryKind, Hash};
use shortlist_board::manifest::Manifest;
use shortlist_board::merkle::{leaf_hash, MerkleLog};
use shortlist_board::receipt::Receipt;
use shortlist_crypto::credential::CredentialPublicKey;
use shortlist_store::Head;
use tokio::sync::{mpsc, oneshot};
use tracing::Instrument;

use crate::error::AppError;
use crate::shared::{entry_of, LogCache, Shared};

/// Most requests taken into one group commit.
const GROUP: usize = 256;

mod admit;
mod result;

pub use admit::{not_open, phase, refused, stored_phase, Op, CEREMONY_KINDS};
use admit::{GroupFacts, Outcome};

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

// The poll and the group's size on every line logged under the commit; each
// op's admission carries the index its entry takes if appended.
#[tracing::instrument(name = "commit", level = "debug", skip_all, fields(poll = %poll, requests = reqs.len()))]
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
                ErrorCode::WrongServerKey => e.message().to_string(),
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
    let entry = entry_of(row)?;
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
    // spec: board §5, §6 — the board's one writer, resumed at the stored
    // head with the cached frontier of the same entries.
    let (manifest, manifest_hash) = manifest_of(shared, poll).await?.unzip();
    let known = manifest_hash.filter(|_| head.size > 0);
    let mut board = BoardWriter::resume(head.head, cache.frontier.clone(), known)?;
    let time = shared.clock.now().max(head.time);
    let mut outcomes = Vec::with_capacity(reqs.len());
    let mut appended = Vec::new();
    let mut facts = GroupFacts::load(&mut tx, manifest.as_ref()).await?;
    for r in reqs {
        let span = tracing::debug_span!("admit", index = board.len());
        let mut outcome = admit::apply(&mut tx, &mut board, time, &mut facts, &r.op).instrument(span).await?;
        if let Outcome::Appended(e) = &outcome {
            appended.push(e.hash());
        }
        // spec: api §5 "Tally" — the result follows the t-th share at once.
        if let (true, Some(m)) = (result::may_finish(&r.op), manifest.as_ref()) {
            let span = tracing::debug_span!("result", index = board.len());
            let posted = result::post_if_due(shared, &mut tx, &mut board, time, &mut facts, m)
                .instrument(span)
                .await?;
            if let Some(e) = posted {
                appended.push(e.hash());
                if matches!(r.op, Op::Finish) {
                    outcome = Outcome::Appended(e);
                } else {
                    shared.metrics.appended(e.kind.name());
                }
            }
        }
        outcomes.push(outcome);
    }
    let mut checkpoint = None;
    if !appended.is_empty() {
        check_signing(shared, poll, manifest.as_ref().map(|m| &m.server_key), &outcomes)?;
        let c = board.checkpoint(&shared.server_key, time)?;
        tx.set_head(&Head { size: board.len(), head: board.head(), time }).await?;
        tx.insert_checkpoint(c.size, &c.to_bytes()).await?;
        checkpoint = Some(c);
    }
    tx.commit().await?;
    for h in &appended {
        push(cache, h)?;
    }
    Ok((outcomes, checkpoint))
}

/// Refuses to sign unless the manifest names this server's key: entry 0's
/// in this group, else `known`, the poll row's (spec: api §4: a server
/// never signs a checkpoint of a poll whose manifest names another server
/// key — the poll would fail V1.2 for good).
fn check_signing(
    shared: &Shared,
    poll: &str,
    known: Option<&CredentialPublicKey>,
    outcomes: &[Outcome],
) -> Result<(), AppError> {
    for o in outcomes {
        if let Outcome::Appended(e) = o {
            if e.kind == EntryKind::Manifest {
                return check_server_key(shared, poll, &Manifest::from_bytes(&e.payload)?.server_key);
            }
        }
    }
    let named = known.ok_or_else(|| AppError::internal("no manifest to sign under"))?;
    check_server_key(shared, poll, named)
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
        ErrorCode::WrongServerKey,
        format!(
            "this server instance does not hold the key poll {poll}'s manifest names ({}); nothing was \
             stored. Every instance of a deployment must use the same server key (spec: api §4).",
            crate::keys::fingerprint(named)
        ),
    ))
}

/// The poll's manifest and its hash, from the cache or the poll row
/// (`None` before the poll exists).
async fn manifest_of(shared: &Shared, poll: &str) -> Result<Option<(Manifest, Hash)>, AppError> {
    let cached =
        shared.polls.read().ok().and_then(|p| p.get(poll).map(|c| (c.manifest.clone(), c.manifest_hash)));
    if cached.is_some() {
        return Ok(cached);
    }
    match shared.store.poll(poll).await? {
        Some(row) => Ok(Some((Manifest::from_bytes(&row.manifest)?, row.manifest_hash))),
        None => Ok(None),
    }
}
