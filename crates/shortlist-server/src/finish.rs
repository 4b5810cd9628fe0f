//! Finishing tallies (spec: api §5, "Tally"): the sequencer appends the
//! result as the step after the t-th decryption share, in the same
//! transaction. If that failed (the computation failed, or a server stopped
//! with a board written by an older version), the result is still a
//! function of the board: this task asks the sequencer for it at start-up
//! and every [`RETRY`] until it is on the board, for every poll the
//! lifecycle says is due (`rules::result_due`).

use std::time::Duration;

use shortlist_board::entry::EntryKind;
use shortlist_board::lifecycle::rules;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::error::AppError;
use crate::sequencer::{phase, Op};
use crate::state::{AppState, Need};

/// How often the background task looks for tallies to finish.
pub const RETRY: Duration = Duration::from_secs(5);

/// Posts the result of every poll whose result is due and not on the
/// board; returns how many results it posted.
pub async fn finish_pending(state: &AppState) -> Result<usize, AppError> {
    let mut posted = 0;
    for id in state.shared.store.polls_in_phase(phase::TALLYING).await? {
        match finish_one(state, &id).await {
            Ok(true) => posted += 1,
            Ok(false) => {}
            Err(e) => tracing::error!(poll = %id, error = %e, "finishing the tally failed; will retry"),
        }
    }
    Ok(posted)
}

async fn finish_one(state: &AppState, id: &str) -> Result<bool, AppError> {
    let p = state.poll(id, Need::Manifest).await?;
    let counts = state.shared.store.kind_counts(id).await?;
    let code = EntryKind::DecryptionShare.code();
    let shares = counts.iter().find(|(k, _)| *k == code).map_or(0, |(_, n)| *n);
    if !rules::result_due(&state.lifecycle_now(&p).await?, shares, p.manifest.threshold) {
        return Ok(false);
    }
    tracing::info!(poll = %id, shares, "finishing a tally left with enough shares and no result");
    // The sequencer judges it again under the lock and posts it once.
    Ok(state.sequencer.submit(id, Op::Finish).await?.entry.is_some())
}

/// Starts the task: once now, then every [`RETRY`] until `closed` changes.
pub fn start(state: AppState, mut closed: watch::Receiver<bool>) -> JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            if let Err(e) = finish_pending(&state).await {
                tracing::warn!(error = %e, "looking for tallies to finish failed; will retry");
            }
            tokio::select! {
                () = tokio::time::sleep(RETRY) => {}
                _ = closed.changed() => break,
            }
        }
    })
}
