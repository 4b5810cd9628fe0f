//! The verifier of shortlist election records, step by step, with nothing
//! but the record: one implementation behind two programs, `shortlist-verify
//! RECORD` (this crate's binary, the program an auditor reads and runs; it
//! depends on `shortlist-board` only) and `shortlist verify` (which can also
//! fetch the record from a server first). Both take the same [`Options`].
//!
//! With `--follow URL` (and a poll), the same verifier follows a live poll
//! as its board grows ([`follow`]), reporting each checkpoint verified, and
//! stops once the result is verified or a step fails.
//!
//! Exit code 0 only if every step passed (for a poll still in progress:
//! every step so far; `--complete` also requires the result); 1 if a step
//! failed; 2 if the record or a checkpoint could not be read.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use indicatif::{ProgressBar, ProgressStyle};
use shortlist_board::checkpoint::Checkpoint;
use shortlist_board::verify::{verify_path, verify_path_from, Report, Verifier};

pub mod follow;

/// The verifier's options, the same in `shortlist-verify` and `shortlist verify`.
#[derive(clap::Args, Debug, Default)]
pub struct Options {
    /// Print a machine-readable JSON report instead of text.
    #[arg(long)]
    pub json: bool,
    /// A checkpoint saved earlier (hex of its 144 bytes, in a file): it must
    /// match the record, or the two prove the server equivocated. Repeatable.
    #[arg(long = "checkpoint", value_name = "FILE")]
    pub checkpoints: Vec<PathBuf>,
    /// A checkpoint (hex, in a file) up to which an earlier run checked the
    /// proofs: they are not checked again; everything else is. With
    /// --follow, or a verifier state saved by --save: resume from it.
    #[arg(long, value_name = "FILE")]
    pub since: Option<PathBuf>,
    /// The poll's manifest hash as the organiser published it (64 hex
    /// digits): a record about any other manifest fails V1.3.
    #[arg(long, value_name = "HEX", value_parser = shortlist_board::entry::hash_from_hex)]
    pub manifest_hash: Option<[u8; 32]>,
    /// Exit 1 unless the poll is complete, with its verified result (by
    /// default an honest poll still in progress passes).
    #[arg(long)]
    pub complete: bool,
    /// Follow a live poll on this server (base URL) instead of reading a
    /// record file: verify its board as it grows, report each checkpoint
    /// verified, and stop once the result is verified or a step fails.
    #[arg(long, value_name = "URL")]
    pub follow: Option<String>,
    /// With --follow: seconds to wait before reading the board again when
    /// nothing was new.
    #[arg(long, value_name = "SECONDS", default_value_t = 1.0)]
    pub every: f64,
    /// With --follow: keep the record as read in this file (else a
    /// temporary file, removed at the end).
    #[arg(long, value_name = "FILE")]
    pub keep: Option<PathBuf>,
    /// With --follow: save the verifier's state to this file after each
    /// checkpoint verified; `--since STATE --keep FILE` resumes from it
    /// without re-reading the prefix.
    #[arg(long, value_name = "STATE")]
    pub save: Option<PathBuf>,
}

/// Verifies the record file `record` with `options`, prints the report on
/// standard output and returns the exit code. `program` names the program
/// in messages on standard error.
pub fn run(record: &Path, options: &Options, program: &str) -> ExitCode {
    match verify(record, options) {
        Ok(report) => finish(&report, options, program),
        Err(err) => {
            eprintln!("{program}: {err}");
            ExitCode::from(2)
        }
    }
}

/// Follows poll `poll` live on the server `options.follow` names, prints a
/// line per checkpoint verified (on standard error with `--json`), then the
/// report, and returns the exit code.
pub fn run_follow(poll: &str, options: &Options, program: &str) -> ExitCode {
    match follow_poll(poll, options, |line| {
        if options.json {
            eprintln!("{line}");
        } else {
            let _ = print(&format!("{line}\n"));
        }
    }) {
        Ok(report) => finish(&report, options, program),
        Err(err) => {
            eprintln!("{program}: {err}");
            ExitCode::from(2)
        }
    }
}

/// Follows poll `poll` live on the server `options.follow` names (with the
/// checkpoints, `--since` and manifest hash of `options`), calling `line`
/// with one line per settled read; returns the final report.
pub fn follow_poll(poll: &str, options: &Options, mut line: impl FnMut(&str)) -> Result<Report, String> {
    let Some(url) = options.follow.as_deref() else { return Err("--follow needs a server URL".into()) };
    let state = options.since.as_deref().map(read_state).transpose()?.flatten();
    let (mut v, resume) = match state {
        Some((v, bytes)) => {
            if options.keep.is_none() {
                return Err(
                    "--since STATE needs --keep FILE, the record copy of the run that saved it".into()
                );
            }
            (v, Some(bytes))
        }
        None => (fresh(options)?, None),
    };
    let mut saved = Vec::new();
    for path in &options.checkpoints {
        saved.push(
            read_checkpoint(path).map_err(|e| format!("cannot read checkpoint {}: {e}", path.display()))?,
        );
    }
    v.expect_checkpoints(saved);
    let every = std::time::Duration::try_from_secs_f64(options.every.max(0.01))
        .map_err(|e| format!("--every: {e}"))?;
    let f = follow::Follow {
        url,
        poll,
        every,
        keep: options.keep.as_deref(),
        save: options.save.as_deref(),
        resume,
    };
    follow::follow(v, &f, |t| line(&follow::describe(t)))
}

/// A verifier that has read nothing, with the `--since` checkpoint and the
/// manifest hash of `options` (the saved checkpoints are added apart).
fn fresh(options: &Options) -> Result<Verifier, String> {
    let mut v = Verifier::new();
    let (_, since) = checkpoints(options)?;
    if let Some(c) = since {
        v.since(c);
    }
    if let Some(h) = options.manifest_hash {
        v.expect_manifest_hash(h);
    }
    Ok(v)
}

/// The saved checkpoints and the `--since` checkpoint of `options`.
fn checkpoints(options: &Options) -> Result<(Vec<Checkpoint>, Option<Checkpoint>), String> {
    let mut saved = Vec::new();
    for path in &options.checkpoints {
        let c =
            read_checkpoint(path).map_err(|e| format!("cannot read checkpoint {}: {e}", path.display()))?;
        saved.push(c);
    }
    let since = options
        .since
        .as_deref()
        .map(read_checkpoint)
        .transpose()
        .map_err(|e| format!("cannot read the --since checkpoint: {e}"))?;
    Ok((saved, since))
}

/// Reads the checkpoints named in `options` and runs every step over the
/// record, with a progress bar on a terminal (not with `--json`).
pub fn verify(record: &Path, options: &Options) -> Result<Report, String> {
    let size = std::fs::metadata(record).map(|m| m.len()).unwrap_or(0);
    let bar = if !options.json && std::io::stderr().is_terminal() {
        let bar = ProgressBar::new(size);
        bar.set_style(
            ProgressStyle::with_template("{spinner} verifying [{bar:40}] {bytes}/{total_bytes} ({eta})")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        bar
    } else {
        ProgressBar::hidden()
    };
    let state = options.since.as_deref().map(read_state).transpose()?.flatten();
    let report = if state.is_some() || options.save.is_some() {
        // Resume from a saved state, and/or save one (board §8.6).
        let (mut v, start) = match state {
            Some(s) => s,
            None => (fresh(options)?, 16),
        };
        let mut saved = Vec::new();
        for path in &options.checkpoints {
            saved.push(
                read_checkpoint(path)
                    .map_err(|e| format!("cannot read checkpoint {}: {e}", path.display()))?,
            );
        }
        v.expect_checkpoints(saved);
        bar.set_position(start);
        verify_path_from(record, v, start, options.save.as_deref(), |offset| bar.set_position(offset))
    } else {
        let (saved, since) = checkpoints(options)?;
        verify_path(record, saved, since, options.manifest_hash, |offset| bar.set_position(offset))
    };
    bar.finish_and_clear();
    report.map_err(|e| format!("cannot read {}: {e}", record.display()))
}

/// Prints `report` (text or JSON) and returns the exit code `options` ask for.
pub fn finish(report: &Report, options: &Options, program: &str) -> ExitCode {
    let text = if options.json {
        match serde_json::to_string_pretty(report) {
            Ok(text) => format!("{text}\n"),
            Err(err) => {
                eprintln!("{program}: {err}");
                return ExitCode::from(2);
            }
        }
    } else {
        report.to_string()
    };
    if let Err(err) = print(&text) {
        eprintln!("{program}: {err}");
        return ExitCode::from(2);
    }
    if options.complete && report.passed() && !report.complete() {
        eprintln!("{program}: --complete: the poll is not complete ({})", report.phase.describe());
        return ExitCode::from(1);
    }
    if report.passed() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// Reads a verifier state saved by `--save` (`None` if the file is not one:
/// then it is a checkpoint).
pub fn read_state(path: &Path) -> Result<Option<(Verifier, u64)>, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    if !bytes.starts_with(shortlist_board::verify::STATE_MAGIC) {
        return Ok(None);
    }
    Verifier::load(&bytes).map(Some).map_err(|e| format!("{}: {e}", path.display()))
}

/// Reads a checkpoint saved as the hex of its 144 bytes.
pub fn read_checkpoint(path: &Path) -> Result<Checkpoint, String> {
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    let bytes = hex::decode(text.trim()).map_err(|e| e.to_string())?;
    Checkpoint::from_bytes(&bytes).map_err(|e| e.to_string())
}

/// Prints `text`; a reader that stopped early (`verify | head`) is not an
/// error.
pub fn print(text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e),
        _ => Ok(()),
    }
}
