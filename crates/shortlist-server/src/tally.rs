//! The server's part of the tally (spec: api §5 "Tally", protocol §7.2):
//! summing the ballots that count into the aggregate and posting it. A large
//! poll's sum takes longer than a request may last (100,000 ballots are
//! about a gigabyte to read), so it runs as a job of its own, one per poll
//! on this instance; the request that starts it waits a while and otherwise
//! answers 202, and a repeat of the call waits again or finds the aggregate
//! on the board.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use futures_util::future::{BoxFuture, FutureExt, Shared};
use shortlist_board::entry::EntryKind;
use shortlist_board::lifecycle::Counted;
use shortlist_board::payload::Aggregate;
use shortlist_board::registrar::{RegistrarBody, RegistrarEntry};
use shortlist_board::sums::BallotSums;

use crate::error::AppError;
use crate::sequencer::Sequencer;
use crate::sequencer::{Appended, Op};
use crate::shared::{PollCtx, Shared as Parts};

/// A running aggregation: its outcome, shared by every request waiting on it.
type Job = Shared<BoxFuture<'static, Result<Appended, AppError>>>;

/// The aggregation jobs running on this instance, by poll.
pub struct Jobs {
    running: std::sync::Mutex<HashMap<String, Job>>,
    /// How long a request waits for the sum: half the request timeout.
    wait: Duration,
}

impl Jobs {
    /// No job yet; requests wait `limits.tally_wait_ms`, at most half the
    /// request timeout (api §6).
    pub fn new(limits: &crate::limits::Limits) -> Self {
        let half = Duration::from_secs(limits.request_timeout_secs.max(1)) / 2;
        let wait = Duration::from_millis(limits.tally_wait_ms).min(half);
        Self { running: std::sync::Mutex::new(HashMap::new()), wait }
    }
}

/// Starts (or joins) the aggregation of `p` and waits for it a while: the
/// aggregate entry once posted, or `None` if the sum is still running.
pub async fn start(
    jobs: &Arc<Jobs>,
    parts: &Arc<Parts>,
    sequencer: &Sequencer,
    p: Arc<PollCtx>,
) -> Result<Option<Appended>, AppError> {
    let wait = jobs.wait;
    let job = {
        let mut running = jobs.running.lock().map_err(|_| AppError::internal("tally jobs poisoned"))?;
        running
            .entry(p.id.clone())
            .or_insert_with(|| spawn(jobs.clone(), parts.clone(), sequencer.clone(), p.clone()))
            .clone()
    };
    match tokio::time::timeout(wait, job).await {
        Ok(Ok(out)) => Ok(Some(out)),
        Ok(Err(e)) => Err(e),
        Err(_) => Ok(None),
    }
}

/// Runs one aggregation as a task of its own, which outlives the request;
/// it leaves the table when done, so that a failed one can be started again.
fn spawn(jobs: Arc<Jobs>, parts: Arc<Parts>, sequencer: Sequencer, p: Arc<PollCtx>) -> Job {
    let handle = tokio::spawn(async move {
        let out = async {
            let aggregate = aggregate(&parts, &p).await?;
            sequencer.submit(&p.id, Op::Aggregate { payload: aggregate.to_bytes() }).await
        }
        .await;
        if let Ok(mut jobs) = jobs.running.lock() {
            jobs.remove(&p.id);
        }
        if let Err(e) = &out {
            tracing::warn!(poll = %p.id, error = %e, "the aggregate could not be posted");
        }
        out
    });
    handle.map(|r| r.unwrap_or_else(|e| Err(AppError::internal(e)))).boxed().shared()
}

/// Sums the ballots that count (spec: protocol §7.2, board V4.6).
async fn aggregate(parts: &Parts, p: &PollCtx) -> Result<Aggregate, AppError> {
    let store = &parts.store;
    let kind = EntryKind::Ballot.code();
    // Registrar mode: a replacement key votes as its member's first key
    // (spec: V4.9), so one member has one counted ballot across a re-issue.
    let mut voter: HashMap<[u8; 32], [u8; 32]> = HashMap::new();
    for row in store.entries_of_kind(&p.id, EntryKind::RegistrarRevocation.code(), 0, 1 << 40).await? {
        let e = RegistrarEntry::from_bytes(EntryKind::RegistrarRevocation, &row.payload)?;
        if let RegistrarBody::Revocation { revoked, replacement } = e.body {
            let root = voter.get(&revoked).copied().unwrap_or(revoked);
            voter.insert(replacement, root);
        }
    }
    // Pass 1: which entry counts for each credential (spec: V4.6, the lifecycle's policy).
    let mut counted = Counted::new(p.manifest.revote);
    let mut from = 0;
    loop {
        let rows = store.entries_of_kind(&p.id, kind, from, 2000).await?;
        let Some(end) = rows.last().map(|r| r.index + 1) else { break };
        for row in rows {
            let credential: [u8; 32] = row
                .payload
                .get(..32)
                .and_then(|b| b.try_into().ok())
                .ok_or_else(|| AppError::internal("short ballot"))?;
            counted.add(voter.get(&credential).copied().unwrap_or(credential), row.index);
        }
        from = end;
    }
    let wanted: HashSet<u64> = counted.indices();
    // Pass 2: sum them on every core, decoding only their ciphertexts (the
    // server checked every ballot's proofs when it took it).
    let cores = std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get);
    let mut sums = BallotSums::new(&p.shapes);
    let mut parts = tokio::task::JoinSet::new();
    from = 0;
    loop {
        let rows = store.entries_of_kind(&p.id, kind, from, 500).await?;
        let Some(end) = rows.last().map(|r| r.index + 1) else { break };
        let ballots: Vec<Vec<u8>> =
            rows.into_iter().filter(|r| wanted.contains(&r.index)).map(|r| r.payload).collect();
        let shapes = p.shapes.clone();
        parts.spawn_blocking(move || {
            let mut part = BallotSums::new(&shapes);
            ballots.iter().try_for_each(|b| part.add_encoded(b)).map(|()| part)
        });
        while parts.len() >= cores {
            merge_next(&mut parts, &mut sums).await?;
        }
        from = end;
    }
    while !parts.is_empty() {
        merge_next(&mut parts, &mut sums).await?;
    }
    let ballots = u64::try_from(counted.len()).map_err(AppError::internal)?;
    Ok(sums.to_aggregate(ballots))
}

/// Adds the next finished part into `sums`.
async fn merge_next(
    parts: &mut tokio::task::JoinSet<shortlist_board::Result<BallotSums>>,
    sums: &mut BallotSums,
) -> Result<(), AppError> {
    if let Some(part) = parts.join_next().await {
        sums.merge(&part.map_err(AppError::internal)??);
    }
    Ok(())
}
