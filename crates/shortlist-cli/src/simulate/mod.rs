//! `shortlist simulate`: a whole poll in memory, with no server, written as
//! an election record (spec: board §7) — optionally with one defect.

mod poll;
mod shared;
mod tamper;
mod votes;

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, Result};
use shortlist_board::record::{Frame, RecordWriter};

pub use tamper::{Tamper, TAMPERS};

/// Options of `shortlist simulate`.
#[derive(clap::Args)]
pub struct SimulateArgs {
    /// How many members register and vote.
    #[arg(long, default_value_t = 1000)]
    voters: usize,
    /// Where to write the record.
    #[arg(long, default_value = "poll.record")]
    out: PathBuf,
    /// Write a record with this defect (see --list-tampers).
    #[arg(long)]
    tamper: Option<String>,
    /// List the defects --tamper can write, and the step that catches each.
    #[arg(long)]
    list_tampers: bool,
    /// Draw every random choice from this seed: the same record, byte for
    /// byte, on every run (for known-answer vectors; never for a real poll).
    #[arg(long)]
    seed: Option<u64>,
}

/// Runs the simulation and writes the record.
pub fn run(args: &SimulateArgs) -> Result<()> {
    if args.list_tampers {
        for (_, name, step, what) in TAMPERS {
            println!("{name:<26} {step}  {what}");
        }
        return Ok(());
    }
    let tamper = args.tamper.as_deref().map(Tamper::parse).transpose()?;
    let file =
        std::fs::File::create(&args.out).with_context(|| format!("creating {}", args.out.display()))?;
    let mut out = RecordWriter::new(std::io::BufWriter::new(file))?;
    let summary = match tamper {
        None => {
            poll::simulate(args.voters, None, args.seed, &mut |f: Frame| out.write(&f).map_err(Into::into))?
        }
        Some(t) => {
            // Defects that edit the finished record need it in memory.
            let mut frames = Vec::new();
            let summary = poll::simulate(args.voters, Some(t), args.seed, &mut |f: Frame| {
                frames.push(f);
                Ok(())
            })?;
            let cut = tamper::apply(t, &mut frames, &summary.server)?;
            for f in &frames {
                out.write(f)?;
            }
            if cut > 0 {
                let mut w = out.finish()?;
                w.flush()?;
                let file = w.into_inner().map_err(|e| e.into_error())?;
                let len = file.metadata()?.len();
                file.set_len(len.saturating_sub(u64::try_from(cut)?))?;
                println!("wrote {} (tampered: {})", args.out.display(), args.tamper.as_deref().unwrap_or(""));
                return Ok(());
            }
            summary
        }
    };
    out.finish()?;
    println!(
        "wrote {}: {} entries, {} ballots cast ({} revotes), {} audited{}",
        args.out.display(),
        summary.entries,
        summary.ballots,
        summary.revotes,
        summary.audited,
        args.tamper.as_deref().map(|t| format!(" (tampered: {t})")).unwrap_or_default()
    );
    Ok(())
}
