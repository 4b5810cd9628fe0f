//! `shortlist`: the command-line front end (see the `shortlist_cli` library).

fn main() -> std::process::ExitCode {
    shortlist_cli::run(std::env::args_os())
}
