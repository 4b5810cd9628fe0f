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
    /// The record file (or --follow URL --poll ID).
    #[arg(required_unless_present = "follow")]
    record: Option<PathBuf>,
    /// With --follow: the poll to follow.
    #[arg(long, requires = "follow")]
    poll: Option<String>,
    #[command(flatten)]
    options: shortlist_verify::Options,
}

fn main() -> ExitCode {
    let args = Args::parse();
    match (&args.record, &args.poll) {
        (Some(record), _) => shortlist_verify::run(record, &args.options, "shortlist-verify"),
        (None, Some(poll)) => shortlist_verify::run_follow(poll, &args.options, "shortlist-verify"),
        (None, None) => {
            eprintln!("shortlist-verify: --follow needs --poll ID");
            ExitCode::from(2)
        }
    }
}
