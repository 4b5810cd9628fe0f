//! `shortlist-verify RECORD`: checks an election record, step by step, with
//! nothing but the record (the library of this crate; `shortlist verify`
//! runs the same code with the same options).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;

/// Verify a shortlist election record.
#[derive(Parser)]
#[command(version, about)]
struct Args {
    /// The record file.
    record: PathBuf,
    #[command(flatten)]
    options: shortlist_verify::Options,
}

fn main() -> ExitCode {
    let args = Args::parse();
    shortlist_verify::run(&args.record, &args.options, "shortlist-verify")
}
