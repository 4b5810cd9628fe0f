//! `shortlist`: the command-line front end. Today it has one subcommand,
//! `demo`, which runs a whole poll in memory through the cryptographic core;
//! the organiser, trustee, member and verifier commands arrive with the board
//! and server crates.

mod demo;

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
}

fn main() -> anyhow::Result<()> {
    match Cli::parse().command {
        Command::Demo(args) => demo::run(&args),
    }
}
