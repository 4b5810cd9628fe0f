//! Finishing tallies from the board (spec: api §5, "Tally"): the result is
//! a function of the board once `t` decryption shares are on it, so a
//! server that stopped between the t-th share and the result (a crash, a
//! failed append) finishes it at start-up and keeps retrying in the
//! background; a trustee's repeated share tries again at once.

use std::time::Duration;

use shortlist_board::entry::EntryKind;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::api::trustee::finish_tally;
use crate::error::AppError;
use crate::sequencer::phase;
use crate::state::{AppState, Need};

/// How often the background task looks for tallies to finish.
pub const RETRY: Duration = Duration::from_secs(5);

/// Posts the result of every poll in `tallying` with at least `t` decryption
/// shares on its board; returns how many results it posted.
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
    let p = state.poll(id, Need::Context).await?;
    let shares = state.shared.store.entries_of_kind(id, EntryKind::DecryptionShare.code(), 0, 1024).await?;
    if shares.len() < usize::from(p.manifest.threshold) {
        return Ok(false);
    }
    tracing::info!(poll = %id, shares = shares.len(), "finishing a tally left with enough shares and no result");
    finish_tally(state, &p).await?;
    Ok(true)
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
