//! `shortlist verify`: the same verifier as `shortlist-verify`, on a record
//! file or on a poll fetched from a server.

use std::io::Write;
use std::path::PathBuf;

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
    /// The poll's manifest hash as the organiser published it (64 hex
    /// digits): a record about any other manifest fails V1.3.
    #[arg(long, value_name = "HEX", value_parser = shortlist_board::entry::hash_from_hex)]
    manifest_hash: Option<[u8; 32]>,
    /// Exit 1 unless the poll is complete, with its verified result (by
    /// default an honest poll still in progress passes).
    #[arg(long)]
    complete: bool,
}

/// Runs the verifier; `Ok(false)` when a step failed.
pub fn run(args: &VerifyArgs) -> Result<bool> {
    let (path, _dir) = match (&args.record, &args.server, &args.poll) {
        (Some(p), _, _) => (p.clone(), None),
        (None, Some(server), Some(poll)) => {
            let dir = tempfile::tempdir()?;
            let path = dir.path().join("poll.record");
            let bytes = crate::block_on(async { Ok(Api::new(Http::new(server)?, poll).record().await?) })
                .with_context(|| format!("fetching the record of poll {poll} from {server}"))?;
            std::fs::write(&path, bytes)?;
            (path, Some(dir))
        }
        (None, Some(_), None) => bail!("give the poll with --poll ID (or SHORTLIST_POLL)"),
        _ => bail!("give a record file, or --server URL --poll ID (or SHORTLIST_SERVER and SHORTLIST_POLL)"),
    };
    let report = shortlist_board::verify::verify_path(&path, Vec::new(), None, args.manifest_hash, |_| {})
        .with_context(|| format!("reading {}", path.display()))?;
    print_ignoring_closed_pipe(&report.to_string())?;
    if args.complete && report.passed() && !report.complete() {
        eprintln!("shortlist: --complete: the poll is not complete ({})", report.phase.describe());
        return Ok(false);
    }
    Ok(report.passed())
}

/// Prints `text`; a reader that stopped early (`verify | head`) is not an
/// error.
pub(crate) fn print_ignoring_closed_pipe(text: &str) -> Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
        _ => Ok(()),
    }
}
