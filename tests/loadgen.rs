//! `shortlist loadgen` end to end (issue 14): a small rush against an
//! embedded server on SQLite, and against two instances on one PostgreSQL
//! database when `DATABASE_URL` is set. The command itself checks that every
//! acknowledged receipt is on the board and the record verifies, and exits
//! non-zero otherwise.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::process::ExitCode;

fn shortlist(args: &[&str]) -> ExitCode {
    let mut argv = vec!["shortlist"];
    argv.extend_from_slice(args);
    shortlist_cli::run(argv)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_rush_on_sqlite_loses_nothing() {
    let code = shortlist(&[
        "loadgen",
        "--members",
        "60",
        "--concurrency",
        "16",
        "--audits",
        "20",
        "--revotes",
        "20",
    ]);
    assert_eq!(code, ExitCode::SUCCESS);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_rush_on_two_postgresql_instances_loses_nothing() {
    let Ok(url) = std::env::var("DATABASE_URL") else {
        eprintln!("DATABASE_URL not set: skipping the PostgreSQL rush");
        return;
    };
    let code = shortlist(&[
        "loadgen",
        "--members",
        "60",
        "--concurrency",
        "16",
        "--instances",
        "2",
        "--database-url",
        &url,
    ]);
    assert_eq!(code, ExitCode::SUCCESS);
}

#[test]
fn nonsense_options_are_refused() {
    assert_eq!(shortlist(&["loadgen", "--members", "0"]), ExitCode::from(2));
    assert_eq!(shortlist(&["loadgen", "--audits", "101"]), ExitCode::from(2));
}
