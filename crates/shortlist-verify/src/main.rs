//! `shortlist-verify RECORD`: checks an election record, step by step, with
//! nothing but the record. It depends on `shortlist-crypto` and
//! `shortlist-board` only — this is the program an auditor reads and runs.
//!
//! Exit code 0 only if every step passed (for a poll still in progress:
//! every step so far; `--complete` also requires the result); 1 if a step
//! failed; 2 if the record could not be read.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use indicatif::{ProgressBar, ProgressStyle};
use shortlist_board::checkpoint::Checkpoint;
use shortlist_board::verify::verify_path;

/// Verify a shortlist election record.
#[derive(Parser)]
#[command(version, about)]
struct Args {
    /// The record file.
    record: PathBuf,
    /// Print a machine-readable JSON report instead of text.
    #[arg(long)]
    json: bool,
    /// A checkpoint saved earlier (hex of its 144 bytes, in a file): it must
    /// match the record, or the two prove the server equivocated. Repeatable.
    #[arg(long = "checkpoint", value_name = "FILE")]
    checkpoints: Vec<PathBuf>,
    /// A checkpoint (hex, in a file) up to which an earlier run checked the
    /// proofs: they are not checked again; everything else is.
    #[arg(long, value_name = "FILE")]
    since: Option<PathBuf>,
    /// The poll's manifest hash as the organiser published it (64 hex
    /// digits): a record about any other manifest fails V1.3.
    #[arg(long, value_name = "HEX", value_parser = shortlist_board::entry::hash_from_hex)]
    manifest_hash: Option<[u8; 32]>,
    /// Exit 1 unless the poll is complete, with its verified result (by
    /// default an honest poll still in progress passes).
    #[arg(long)]
    complete: bool,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let size = std::fs::metadata(&args.record).map(|m| m.len()).unwrap_or(0);
    let bar = if !args.json && std::io::stderr().is_terminal() {
        let bar = ProgressBar::new(size);
        bar.set_style(
            ProgressStyle::with_template("{spinner} verifying [{bar:40}] {bytes}/{total_bytes} ({eta})")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        bar
    } else {
        ProgressBar::hidden()
    };
    let mut saved = Vec::new();
    for path in &args.checkpoints {
        match read_checkpoint(path) {
            Ok(c) => saved.push(c),
            Err(err) => {
                eprintln!("shortlist-verify: cannot read checkpoint {}: {err}", path.display());
                return ExitCode::from(2);
            }
        }
    }
    let since = match args.since.as_deref().map(read_checkpoint).transpose() {
        Ok(c) => c,
        Err(err) => {
            eprintln!("shortlist-verify: cannot read the --since checkpoint: {err}");
            return ExitCode::from(2);
        }
    };
    let report =
        verify_path(&args.record, saved, since, args.manifest_hash, |offset| bar.set_position(offset));
    bar.finish_and_clear();
    let report = match report {
        Ok(r) => r,
        Err(err) => {
            eprintln!("shortlist-verify: cannot read {}: {err}", args.record.display());
            return ExitCode::from(2);
        }
    };
    let text = if args.json {
        match serde_json::to_string_pretty(&report) {
            Ok(text) => format!("{text}\n"),
            Err(err) => {
                eprintln!("shortlist-verify: {err}");
                return ExitCode::from(2);
            }
        }
    } else {
        report.to_string()
    };
    if let Err(err) = print(&text) {
        eprintln!("shortlist-verify: {err}");
        return ExitCode::from(2);
    }
    if args.complete && report.passed() && !report.complete() {
        eprintln!("shortlist-verify: --complete: the poll is not complete ({})", report.phase.describe());
        return ExitCode::from(1);
    }
    if report.passed() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// Reads a checkpoint saved as the hex of its 144 bytes.
fn read_checkpoint(path: &std::path::Path) -> Result<Checkpoint, String> {
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    let bytes = hex::decode(text.trim()).map_err(|e| e.to_string())?;
    Checkpoint::from_bytes(&bytes).map_err(|e| e.to_string())
}

/// Prints `text`; a reader that stopped early (`shortlist-verify | head`)
/// is not an error.
fn print(text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e),
        _ => Ok(()),
    }
}
