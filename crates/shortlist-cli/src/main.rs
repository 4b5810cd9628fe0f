//! `shortlist`: the command-line front end. `demo` runs a whole poll in
//! memory through the cryptographic core; `simulate` writes a simulated
//! poll's election record (optionally with a defect) for the verifier. The
//! organiser, trustee and member commands arrive with the server crate.

mod ceremony;
mod demo;
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
    /// Run a whole poll in memory: a 3-of-5 key ceremony, members voting for
    /// up to 9 of 30 candidates (some audit their ballot first), verification
    /// of every ballot, and the threshold-decrypted, verified tally.
    Demo(demo::DemoArgs),
    /// Simulate a whole poll in memory (key ceremony, registrations, ballots,
    /// audits, revotes, tally) and write its election record.
    Simulate(simulate::SimulateArgs),
}

fn main() -> anyhow::Result<()> {
    match Cli::parse().command {
        Command::Demo(args) => demo::run(&args),
        Command::Simulate(args) => simulate::run(&args),
    }
}
