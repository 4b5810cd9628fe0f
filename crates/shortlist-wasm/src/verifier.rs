//! The record verifier in the browser (spec: board §8): the record of
//! `GET /v1/polls/{poll}/record` (board §7) fed in chunks as it downloads,
//! checked frame by frame by [`shortlist_board::verify::Verifier`], for a
//! Web Worker (no DOM). The record is kept in memory for the re-read of
//! superseded ballots at the end.

use serde::Serialize;
use shortlist_board::checkpoint::Checkpoint;
use shortlist_board::record::{self, Frame, RecordReader, MAGIC};
use shortlist_board::verify::{Report, Verifier};
use shortlist_board::BoardError;
use wasm_bindgen::prelude::*;

use crate::{hex_array, to_json, Error, Result};

/// Verifies a record fed in chunks.
#[wasm_bindgen]
pub struct RecordVerifier {
    record: Vec<u8>,
    /// The byte offset of the next frame to read (0 until the magic is read).
    next: usize,
    verifier: Verifier,
    finished: bool,
}

/// One step as the page shows it.
#[derive(Serialize)]
struct StepJson<'a> {
    id: &'a str,
    title: &'a str,
    mark: &'a str,
    passed: bool,
    checked: u64,
    failed: u64,
    details: &'a [String],
}

/// One row of a verified result table.
#[derive(Serialize)]
struct RowJson<'a> {
    rank: usize,
    name: &'a str,
    votes: u64,
    elected: bool,
}

/// One contest's verified result.
#[derive(Serialize)]
struct TableJson<'a> {
    title: &'a str,
    rows: Vec<RowJson<'a>>,
}

/// The whole report.
#[derive(Serialize)]
struct ReportJson<'a> {
    passed: bool,
    complete: bool,
    phase: shortlist_board::verify::Phase,
    poll_id: Option<&'a str>,
    manifest_hash: Option<&'a str>,
    entries: u64,
    ballots: u64,
    steps: Vec<StepJson<'a>>,
    result: Vec<TableJson<'a>>,
    text: String,
}

impl Default for RecordVerifier {
    fn default() -> Self {
        Self::new()
    }
}

#[wasm_bindgen]
impl RecordVerifier {
    /// A verifier that has read nothing.
    #[wasm_bindgen(constructor)]
    pub fn new() -> RecordVerifier {
        RecordVerifier { record: Vec::new(), next: 0, verifier: Verifier::new(), finished: false }
    }

    /// Requires the record's manifest hash to be `expected` (hex, e.g. from
    /// the link the organiser published): another fails V1.3. Call before
    /// feeding.
    #[wasm_bindgen(js_name = expectManifestHash)]
    pub fn expect_manifest_hash(&mut self, expected: &str) -> Result<()> {
        self.verifier.expect_manifest_hash(hex_array("the expected manifest hash", expected)?);
        Ok(())
    }

    /// Adds a checkpoint saved earlier (its 144 bytes, e.g. from a receipt):
    /// it must be signed and match the record, else the two prove that the
    /// server equivocated (spec: V1.1). Call before feeding.
    #[wasm_bindgen(js_name = expectCheckpoint)]
    pub fn expect_checkpoint(&mut self, checkpoint: &[u8]) -> Result<()> {
        self.verifier.expect_checkpoints(vec![Checkpoint::from_bytes(checkpoint)?]);
        Ok(())
    }

    /// Reads the next chunk of the record and checks every whole frame in
    /// it. Returns the number of bytes checked so far. Throws if the record
    /// does not start with the record magic.
    pub fn feed(&mut self, chunk: &[u8]) -> Result<f64> {
        if self.finished {
            return Err(Error::new("the verifier has finished"));
        }
        self.record.extend_from_slice(chunk);
        self.read_frames()?;
        Ok(self.bytes_read())
    }

    /// The number of bytes checked so far.
    #[wasm_bindgen(js_name = bytesRead)]
    pub fn bytes_read(&self) -> f64 {
        // Records fit in memory, far below 2^53 bytes.
        self.next as f64
    }

    /// The number of entries checked so far.
    #[wasm_bindgen(js_name = entriesRead)]
    pub fn entries_read(&self) -> f64 {
        self.verifier.report().entries as f64
    }

    /// Ends the record and runs the final steps. Returns the report, JSON:
    /// `{passed, poll_id, manifest_hash, entries, ballots, steps: [{id, title, mark,
    /// passed, checked, failed, details}], result: [{title, rows: [{rank,
    /// name, votes, elected}]}], text}`, where `text` is the report as
    /// `shortlist-verify` prints it. Throws if the record is not a record.
    pub fn finish(&mut self) -> Result<String> {
        if self.finished {
            return Err(Error::new("the verifier has finished"));
        }
        self.read_frames()?;
        if self.next == 0 {
            return Err(Error::new("not a shortlist record: too short for the magic"));
        }
        self.finished = true;
        let offset = self.next;
        if let Some(rest) = self.record.get(offset..).filter(|r| !r.is_empty()) {
            // What is left does not decode as a frame: say why.
            let mut cursor = rest;
            if let Err(err) = record::read_frame(&mut cursor) {
                self.verifier.unreadable(offset as u64, &err);
            }
        }
        let verifier = std::mem::take(&mut self.verifier);
        let record = &self.record;
        let mut reread = |at: u64| -> shortlist_board::Result<Frame> {
            let mut rest = usize::try_from(at)
                .ok()
                .and_then(|at| record.get(at..))
                .ok_or_else(|| BoardError::malformed("record", format!("no frame at byte {at}")))?;
            record::read_frame(&mut rest)
        };
        let report = verifier.finish(&mut reread);
        report_json(&report)
    }
}

impl RecordVerifier {
    /// Checks the magic, then every whole frame buffered.
    fn read_frames(&mut self) -> Result<()> {
        if self.next == 0 {
            let Some(head) = self.record.get(..MAGIC.len()) else { return Ok(()) };
            RecordReader::new(head)?;
            self.next = MAGIC.len();
        }
        while let Some(rest) = self.record.get(self.next..).filter(|r| !r.is_empty()) {
            let mut cursor = rest;
            // A frame cut short waits for the next chunk; `finish` reports
            // what never decodes.
            let Ok(frame) = record::read_frame(&mut cursor) else { break };
            let used = rest.len() - cursor.len();
            self.verifier.feed(&frame, self.next as u64);
            self.next += used;
        }
        Ok(())
    }
}

fn report_json(report: &Report) -> Result<String> {
    let steps = report
        .steps
        .iter()
        .map(|s| StepJson {
            id: s.id,
            title: s.title,
            mark: if s.passed() { "✓" } else { "✗" },
            passed: s.passed(),
            checked: s.checked,
            failed: s.failed,
            details: &s.details,
        })
        .collect();
    let result = report
        .result
        .iter()
        .map(|t| TableJson {
            title: &t.title,
            rows: t
                .rows
                .iter()
                .enumerate()
                .map(|(i, (name, votes, elected))| RowJson {
                    rank: i + 1,
                    name,
                    votes: *votes,
                    elected: *elected,
                })
                .collect(),
        })
        .collect();
    to_json(&ReportJson {
        passed: report.passed(),
        complete: report.complete(),
        phase: report.phase,
        poll_id: report.poll.as_ref().map(|(id, _)| id.as_str()),
        manifest_hash: report.poll.as_ref().map(|(_, h)| h.as_str()),
        entries: report.entries,
        ballots: report.ballots,
        steps,
        result,
        text: report.to_string(),
    })
}
