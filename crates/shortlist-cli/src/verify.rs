//! `shortlist verify`: the same verifier as `shortlist-verify`, on a record
//! file or on a poll fetched from a server.

use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use shortlist_client::Api;

use crate::http::Http;

/// `shortlist verify`.
#[derive(clap::Args)]
pub struct VerifyArgs {
    /// A record file.
    record: Option<PathBuf>,
    /// Or: fetch the record of `--poll` from this server.
    #[arg(long, requires = "poll", conflicts_with = "record")]
    server: Option<String>,
    /// The poll to fetch.
    #[arg(long)]
    poll: Option<String>,
    /// The poll's manifest hash as the organiser published it (64 hex
    /// digits): a record about any other manifest fails V1.3.
    #[arg(long, value_name = "HEX", value_parser = shortlist_board::entry::hash_from_hex)]
    manifest_hash: Option<[u8; 32]>,
}

/// Runs the verifier; `Ok(false)` when a step failed.
pub fn run(args: &VerifyArgs) -> Result<bool> {
    let (path, _dir) = match (&args.record, &args.server, &args.poll) {
        (Some(p), None, _) => (p.clone(), None),
        (None, Some(server), Some(poll)) => {
            let dir = tempfile::tempdir()?;
            let path = dir.path().join("poll.record");
            let bytes = crate::block_on(async { Ok(Api::new(Http::new(server)?, poll).record().await?) })?;
            std::fs::write(&path, bytes)?;
            (path, Some(dir))
        }
        _ => bail!("give a record file, or --server URL --poll ID"),
    };
    let report = shortlist_board::verify::verify_path(&path, Vec::new(), None, args.manifest_hash, |_| {})
        .with_context(|| format!("reading {}", path.display()))?;
    print!("{report}");
    Ok(report.passed())
}
