//! `shortlist verify`: the verifier of `shortlist-verify` (the same code,
//! the same options: `--json`, `--checkpoint`, `--since`, `--manifest-hash`,
//! `--complete`, `--follow`), on a record file, on a poll's record fetched
//! from a server first, or live on a poll as it grows (`--follow URL --poll
//! ID`).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use shortlist_client::Api;

use crate::http::Http;

/// `shortlist verify`.
#[derive(clap::Args)]
pub struct VerifyArgs {
    /// A record file (if given, the server and poll are not used).
    record: Option<PathBuf>,
    /// Or: fetch the record of `--poll` from this server.
    #[arg(long, env = "SHORTLIST_SERVER")]
    server: Option<String>,
    /// The poll to fetch.
    #[arg(long, env = "SHORTLIST_POLL")]
    poll: Option<String>,
    #[command(flatten)]
    options: shortlist_verify::Options,
}

/// Runs the verifier: exit 0 if every step holds, 1 if one failed (or
/// `--complete` and the poll is not), 2 if the record could not be had.
pub fn run(args: &VerifyArgs) -> ExitCode {
    if args.options.follow.is_some() {
        // Live: `--follow URL --poll ID` (board §8.6).
        let Some(poll) = &args.poll else {
            eprintln!("shortlist: --follow needs the poll (--poll ID or SHORTLIST_POLL)");
            return ExitCode::from(2);
        };
        return shortlist_verify::run_follow(poll, &args.options, "shortlist");
    }
    match record(args) {
        Ok((path, _dir)) => shortlist_verify::run(&path, &args.options, "shortlist"),
        Err(e) => {
            eprintln!("shortlist: {e:#}");
            ExitCode::from(2)
        }
    }
}

/// The record file: the one given, or the poll's record fetched into a
/// temporary directory (kept alive with the path).
fn record(args: &VerifyArgs) -> Result<(PathBuf, Option<tempfile::TempDir>)> {
    match (&args.record, &args.server, &args.poll) {
        (Some(p), _, _) => Ok((p.clone(), None)),
        (None, Some(server), Some(poll)) => {
            let dir = tempfile::tempdir()?;
            let path = dir.path().join("poll.record");
            let bytes = crate::block_on(async { Ok(Api::new(Http::new(server)?, poll).record().await?) })
                .with_context(|| format!("fetching the record of poll {poll} from {server}"))?;
            std::fs::write(&path, bytes)?;
            Ok((path, Some(dir)))
        }
        (None, Some(_), None) => bail!("give the poll with --poll ID (or SHORTLIST_POLL)"),
        _ => bail!("give a record file, or --server URL --poll ID (or SHORTLIST_SERVER and SHORTLIST_POLL)"),
    }
}
