//! `shortlist-cli` owns the `shortlist` command: one subcommand per role
//! (`organiser`, `trustee`, `registrar`, `vote`, `verify`), the server
//! (`serve`), the one-command `demo` over HTTP, `loadgen` for the closing-hour
//! rush and `simulate` for the verifier's tests.
//! Every role talks to a server through `shortlist-client`.

mod ceremony;
mod choices;
mod demo;
mod demo_registrar;
pub mod http;
mod keyfile;
mod loadgen;
mod organiser;
pub mod registrar;
mod registrar_issued;
mod registrar_mail;
mod send_tokens;
mod simulate;
mod stage;
pub mod trustee;
mod verify;
mod vote;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// shortlist — verifiable members' shortlisting polls.
#[derive(Parser)]
#[command(version, about)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run a whole poll through an embedded server over loopback HTTP:
    /// expressions of interest, a 3-of-5 key ceremony, members voting for up
    /// to 9 of 30 candidates (some audit a ballot first, some change their
    /// vote), the threshold-decrypted tally, and the verifier on the record.
    Demo(demo::DemoArgs),
    /// Run the shortlist server. With no flags: SQLite under ./shortlist-data,
    /// listening on 127.0.0.1:8080; on first start it makes the server's
    /// signing key and an organiser key there and prints where they are.
    Serve(shortlist_server::config::ServeArgs),
    /// The organiser: create a poll, run nominations, import the roll, issue
    /// tokens, open and close voting, start the tally.
    Organiser(organiser::OrganiserArgs),
    /// A trustee: make a key, take part in the key ceremony, decrypt at tally time.
    Trustee(trustee::TrusteeArgs),
    /// The registrar (registrar mode): make a key, issue the members'
    /// credentials and post their signed public keys, add late members,
    /// replace a lost credential.
    Registrar(registrar::RegistrarArgs),
    /// A member: register with a token, see the ballot, cast (optionally
    /// auditing first), check a receipt.
    Vote(vote::VoteArgs),
    /// Check a poll's election record, from a file or a server.
    Verify(verify::VerifyArgs),
    /// The closing-hour rush: stage a poll with N members on embedded
    /// servers (SQLite, or instances sharing a database URL), make every
    /// ballot beforehand, then cast from C concurrent clients with some
    /// audits and revotes; print casts per second and latency percentiles,
    /// then tally and check every receipt is on a board that verifies.
    Loadgen(loadgen::LoadgenArgs),
    /// Simulate a whole poll in memory (key ceremony, registrations, ballots,
    /// audits, revotes, tally) and write its election record.
    Simulate(simulate::SimulateArgs),
}

/// Runs the command line `args` (the first item is the program name).
/// Exit code 0 on success, 1 when a check failed, 2 on an error.
pub fn run<I, T>(args: I) -> ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { ExitCode::from(2) } else { ExitCode::SUCCESS };
        }
    };
    let outcome = match cli.command {
        Command::Demo(args) => demo::run(&args).map(|()| true),
        Command::Serve(args) => serve(&args).map(|()| true),
        Command::Organiser(args) => organiser::run(&args).map(|()| true),
        Command::Trustee(args) => trustee::run(&args).map(|()| true),
        Command::Vote(args) => vote::run(&args).map(|()| true),
        Command::Registrar(args) => registrar::run(&args).map(|()| true),
        Command::Verify(args) => return verify::run(&args),
        Command::Loadgen(args) => loadgen::run(&args).map(|()| true),
        Command::Simulate(args) => simulate::run(&args).map(|()| true),
    };
    match outcome {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => {
            eprintln!("shortlist: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn serve(args: &shortlist_server::config::ServeArgs) -> anyhow::Result<()> {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn")),
        )
        .try_init();
    let config = shortlist_server::config::Config::resolve(args)?;
    block_on(shortlist_server::serve::serve(config))
}

/// Runs a future on a fresh runtime (or on the current one's blocking pool
/// when called from inside a runtime, as the end-to-end tests do).
pub(crate) fn block_on<F: std::future::Future<Output = anyhow::Result<T>>, T>(f: F) -> anyhow::Result<T> {
    match tokio::runtime::Handle::try_current() {
        Ok(h) => tokio::task::block_in_place(|| h.block_on(f)),
        Err(_) => tokio::runtime::Builder::new_multi_thread().enable_all().build()?.block_on(f),
    }
}

/// Starts the tally (`POST …/tally`), repeating the call every second while
/// the server answers 202: it is still summing a large poll's ballots
/// (spec: api §5 "Tally").
pub(crate) async fn start_tally<T: shortlist_client::Transport>(
    api: &shortlist_client::Api<T>,
) -> anyhow::Result<serde_json::Value> {
    loop {
        let v = api.action("/tally").await?;
        if v.get("status").and_then(serde_json::Value::as_str) != Some("aggregating") {
            return Ok(v);
        }
        tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    }
}

/// Prints a result table from `/result`.
pub(crate) fn print_result(result: &serde_json::Value) {
    let t = &result["turnout"];
    if t.is_object() {
        println!(
            "\nturnout: {} members on the roll, {} credentials registered, {} ballots cast, {} counted (one per credential), {} audited",
            t["members"], t["credentials"], t["ballots_cast"], t["ballots_counted"], t["audited"]
        );
    }
    for contest in result["contests"].as_array().into_iter().flatten() {
        println!("\nresult (contest {}):", contest["contest_id"]);
        println!("  rank  {:<24} {:>8}  slate", "candidate", "votes");
        for row in contest["rows"].as_array().into_iter().flatten() {
            println!(
                "  {:>4}  {:<24} {:>8}  {}",
                row["rank"].as_u64().unwrap_or(0),
                row["name"].as_str().unwrap_or(""),
                row["count"].as_u64().unwrap_or(0),
                if row["elected"].as_bool() == Some(true) { "✓" } else { "" }
            );
        }
        for note in contest["notes"].as_array().into_iter().flatten() {
            println!("  {}", note.as_str().unwrap_or(""));
        }
    }
}

/// spec: board §1.5 — refuses a poll whose manifest hash is not the one the
/// organiser published.
pub(crate) fn check_manifest_hash(board: &[u8; 32], expected: &[u8; 32]) -> anyhow::Result<()> {
    if board != expected {
        anyhow::bail!(
            "the server's poll has manifest hash {}, not the {} you were given: this is not the poll \
             the organiser published. Do not vote here; tell the organiser.",
            hex::encode(board),
            hex::encode(expected)
        );
    }
    Ok(())
}
