//! The result as a step of the lifecycle (spec: api §5 "Tally"; board
//! V6.3–V6.7): once the lifecycle says it is due (`rules::result_due`: the
//! aggregate and `t` decryption shares on the board), the sequencer
//! computes it with the one tally (`shortlist_board::tally::poll_result`)
//! from the entries, under the poll's lock, and appends it through the
//! result's rule in the same transaction as the share that made it due. A
//! failure to compute it never costs the share: it is logged, the poll
//! stays in `tallying`, and the next share request or the retry task
//! (`crate::finish`) tries again. The lock and the rule make it one result
//! however many instances try.

use std::sync::atomic::Ordering;

use shortlist_board::board::BoardWriter;
use shortlist_board::definition::BallotDefinition;
use shortlist_board::entry::{Entry, EntryKind};
use shortlist_board::lifecycle::{rules, Now};
use shortlist_board::manifest::Manifest;
use shortlist_board::payload::TrusteeMessage;
use shortlist_board::tally;
use shortlist_store::AppendTx;

use super::admit::{self, stored_phase, GroupFacts, Op, Outcome};
use crate::error::AppError;
use crate::shared::Shared;

/// Whether `op` may complete a tally: a decryption share (new, a repeat or
/// refused as a duplicate: each is a chance to finish a tally left
/// unfinished), or the retry task's request.
pub(super) fn may_finish(op: &Op) -> bool {
    matches!(op, Op::Finish | Op::Trustee { kind: EntryKind::DecryptionShare, .. })
}

/// Appends the result if it is due; its entry if appended.
pub(super) async fn post_if_due(
    shared: &Shared,
    tx: &mut AppendTx,
    board: &mut BoardWriter,
    time: u64,
    facts: &mut GroupFacts,
    manifest: &Manifest,
) -> Result<Option<Entry>, AppError> {
    let now = Now { phase: stored_phase(&tx.phase().await?)?, time, timetable: facts.timetable()? };
    let shares = tx.count_kinds(&[EntryKind::DecryptionShare.code()]).await?;
    if !rules::result_due(&now, shares, manifest.threshold) {
        return Ok(None);
    }
    let poll = manifest.poll_id.clone();
    let payload = match compute(shared, tx, manifest).await? {
        Ok(payload) => payload,
        Err(why) => {
            tracing::error!(poll = %poll, error = %why, "the result could not be computed; will retry");
            return Ok(None);
        }
    };
    match admit::apply(tx, board, time, facts, &Op::Result { payload }).await? {
        Outcome::Appended(entry) => {
            tracing::info!(poll = %poll, index = entry.index, "result posted");
            Ok(Some(entry))
        }
        Outcome::Refused(e) => {
            tracing::error!(poll = %poll, error = %e, "the result was due but refused");
            Ok(None)
        }
        Outcome::Repeat(_) | Outcome::Done => Ok(None),
    }
}

/// The result's payload from the entries on the board: a database error is
/// the group's error; a failed computation is the inner error.
async fn compute(
    shared: &Shared,
    tx: &mut AppendTx,
    manifest: &Manifest,
) -> Result<Result<Vec<u8>, String>, AppError> {
    let first = |mut v: Vec<(u64, u64, Vec<u8>)>| v.drain(..).next().map(|(_, _, p)| p);
    let aggregate = first(tx.payloads_of_kind(EntryKind::Aggregate.code()).await?);
    let definition = first(tx.payloads_of_kind(EntryKind::Definition.code()).await?);
    let shares = tx.payloads_of_kind(EntryKind::DecryptionShare.code()).await?;
    let (Some(aggregate), Some(definition)) = (aggregate, definition) else {
        return Ok(Err("no aggregate or no definition on the board".into()));
    };
    // Tests only: a failure on purpose, to show the retry.
    if shared.result_faults.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1)).is_ok() {
        return Ok(Err("failed on purpose (result_faults)".into()));
    }
    let manifest = manifest.clone();
    let job = tokio::task::spawn_blocking(move || -> shortlist_board::Result<Vec<u8>> {
        let definition = BallotDefinition::from_bytes(&definition)?;
        let messages = shares
            .iter()
            .map(|(_, _, p)| TrusteeMessage::from_bytes(p))
            .collect::<shortlist_board::Result<Vec<_>>>()?;
        Ok(tally::poll_result(&manifest, &definition, &aggregate, &messages)?.to_bytes())
    });
    Ok(match job.await {
        Ok(Ok(payload)) => Ok(payload),
        Ok(Err(e)) => Err(e.to_string()),
        Err(e) => Err(e.to_string()),
    })
}
