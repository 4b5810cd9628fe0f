//! `shortlist`: the command-line front end. `demo` runs a whole poll in
//! memory through the cryptographic core; `simulate` writes a simulated
//! poll's election record (optionally with a defect) for the verifier. The
//! organiser, trustee and member commands arrive with issue 6; `serve` runs
//! the HTTP server.

mod ceremony;
mod choices;
mod demo;
mod http;
mod simulate;

use clap::{Parser, Subcommand};

/// shortlist — verifiable members' shortlisting polls.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
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
    /// Simulate a whole poll in memory (key ceremony, registrations, ballots,
    /// audits, revotes, tally) and write its election record.
    Simulate(simulate::SimulateArgs),
    /// Run the shortlist server. With no flags: SQLite under ./shortlist-data,
    /// listening on 127.0.0.1:8080; on first start it makes the server's
    /// signing key and an organiser key there and prints where they are.
    Serve(shortlist_server::config::ServeArgs),
}

fn main() -> anyhow::Result<()> {
    match Cli::parse().command {
        Command::Demo(args) => demo::run(&args),
        Command::Simulate(args) => simulate::run(&args),
        Command::Serve(args) => serve(&args),
    }
}

fn serve(args: &shortlist_server::config::ServeArgs) -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn")),
        )
        .init();
    let config = shortlist_server::config::Config::resolve(args)?;
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(shortlist_server::serve::serve(config))
}
