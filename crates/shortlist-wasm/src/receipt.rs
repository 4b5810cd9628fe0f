//! Receipts and checkpoints (spec: board §6): what the receipt page checks,
//! offline and against the live board.

use serde_json::json;
use shortlist_board::checkpoint::{self, Checkpoint};
use shortlist_board::merkle::ConsistencyProof;
use shortlist_board::receipt::Receipt;
use wasm_bindgen::prelude::*;

use crate::poll::Poll;
use crate::{Error, Result};

/// Checks a receipt (board §6.2) against the ballot payload the page kept:
/// the tracking code, the checkpoint's signature under the manifest's
/// server key, and the ballot's inclusion under the checkpoint's root.
/// Returns the tracking code (hex); throws if any check fails.
#[wasm_bindgen(js_name = checkReceipt)]
pub fn check_receipt(poll: &Poll, receipt: &[u8], payload: &[u8]) -> Result<String> {
    let r = Receipt::from_bytes(receipt)?;
    let view = &poll.view;
    r.verify(payload, &view.manifest.server_key, &view.manifest_hash)?;
    Ok(hex::encode(r.tracking_code))
}

/// Checks that the board of checkpoint `new_checkpoint` extends that of
/// `old_checkpoint` (board §6.1): both signed by the manifest's server key,
/// and `proof` (from `GET …/consistency?from=old&to=new`) links their roots.
/// Throws otherwise; with both signatures valid, the failure is evidence
/// that the server equivocated.
#[wasm_bindgen(js_name = checkConsistency)]
pub fn check_consistency(
    poll: &Poll,
    old_checkpoint: &[u8],
    new_checkpoint: &[u8],
    proof: &[u8],
) -> Result<()> {
    let old = Checkpoint::from_bytes(old_checkpoint)?;
    let new = Checkpoint::from_bytes(new_checkpoint)?;
    let proof = ConsistencyProof::from_bytes(proof)
        .map_err(|e| Error::new(format!("the consistency proof does not decode: {e}")))?;
    let view = &poll.view;
    checkpoint::check_consistency(&old, &new, &proof, &view.manifest.server_key, &view.manifest_hash)?;
    Ok(())
}

/// A receipt's fields, JSON: `{tracking_code, index, time, checkpoint}`
/// (hex; `checkpoint` the 144 bytes of its signed checkpoint). Decoding
/// only: use [`check_receipt`] to check it.
#[wasm_bindgen(js_name = receiptJson)]
pub fn receipt_json(receipt: &[u8]) -> Result<String> {
    let r = Receipt::from_bytes(receipt)?;
    Ok(json!({
        "tracking_code": hex::encode(r.tracking_code),
        "index": r.index,
        "time": r.time,
        "checkpoint": hex::encode(r.checkpoint.to_bytes()),
    })
    .to_string())
}

/// A checkpoint's fields, JSON: `{size, head, root, time}` (hex). Decoding
/// only: its signature is checked by [`check_consistency`].
#[wasm_bindgen(js_name = checkpointJson)]
pub fn checkpoint_json(checkpoint: &[u8]) -> Result<String> {
    let c = Checkpoint::from_bytes(checkpoint)?;
    Ok(json!({
        "size": c.size,
        "head": hex::encode(c.head),
        "root": hex::encode(c.root),
        "time": c.time,
    })
    .to_string())
}
