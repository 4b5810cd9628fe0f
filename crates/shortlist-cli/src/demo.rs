//! `shortlist demo`: a whole poll through a real server on loopback HTTP.
//! An embedded server runs on SQLite in a temporary directory; organiser,
//! candidates, trustees and members are clients of it over HTTP, using the
//! same client library as the role commands. The server's clock is
//! simulated so that the timetable's days pass in seconds; everything else
//! is as in production. At the end the election record is downloaded and
//! the verifier checks every step.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use futures_util::stream::{self, StreamExt};
use rand::rngs::OsRng;
use rand::Rng;
use shortlist_client::board::PollView;
use shortlist_client::member::{Chosen, Member};
use shortlist_client::Api;
use shortlist_crypto::elgamal::Encrypter;
use shortlist_server::limits::Limits;

use crate::http::Http;
use crate::stage::{self, bar, mb, Embedded, EmbeddedOptions};

/// Options of `shortlist demo`.
#[derive(clap::Args)]
pub struct DemoArgs {
    /// How many members vote.
    #[arg(long, default_value_t = 1000)]
    members: usize,
    /// How many members' clients run at once.
    #[arg(long, default_value_t = 32)]
    concurrency: usize,
    /// Leave the server running once the simulated members have voted, with
    /// this many unused member links (booth URLs) for people to vote in a
    /// browser; then close voting and tally on Enter or Ctrl-C.
    #[arg(long, num_args = 0..=1, default_missing_value = "5", value_name = "LINKS")]
    keep: Option<usize>,
    /// Where the embedded server listens (with --keep, a fixed port is handy).
    #[arg(long, default_value = "127.0.0.1:0")]
    listen: std::net::SocketAddr,
    /// Registrar mode (spec: board §4.12): a registrar apart from the server
    /// makes the members' credentials and posts the signed list of keys.
    #[arg(long, conflicts_with = "keep")]
    registrar: bool,
    /// With --registrar: only make and post the credentials, timed (the
    /// registrar's benchmark: `--members 500000`).
    #[arg(long, requires = "registrar")]
    issue_only: bool,
    /// With --registrar: a database URL (PostgreSQL) instead of SQLite in a
    /// temporary directory.
    #[arg(long, requires = "registrar", value_name = "URL")]
    database_url: Option<String>,
}

const POLL: &str = "demo-shortlist";

struct Timings(Vec<(&'static str, Duration)>);

impl Timings {
    fn lap(&mut self, what: &'static str, since: Instant) {
        self.0.push((what, since.elapsed()));
    }
}

/// Runs the demo.
pub fn run(args: &DemoArgs) -> Result<()> {
    if args.members == 0 {
        bail!("--members must be at least 1");
    }
    if args.registrar {
        let o = crate::demo_registrar::Options {
            members: args.members,
            concurrency: args.concurrency,
            database_url: args.database_url.as_deref(),
            issue_only: args.issue_only,
        };
        return crate::block_on(crate::demo_registrar::run(&o));
    }
    crate::block_on(demo(args))
}

async fn demo(args: &DemoArgs) -> Result<()> {
    let started = Instant::now();
    let mut t = Timings(Vec::new());
    println!(
        "shortlist demo: {} members choose up to 9 of 30 candidates; 3 of 5 trustees decrypt\n",
        args.members
    );

    // The embedded server.
    let servers = Embedded::start(EmbeddedOptions {
        database_url: None,
        instances: 1,
        listen: args.listen,
        // One process plays every member from one address: no per-client limit.
        limits: Limits { per_client_per_sec: 0, per_credential_per_min: 0, ..Limits::default() },
    })
    .await?;
    let base = servers.bases.first().context("no server")?.clone();
    let dir = servers.dir.as_ref().context("no data directory")?.path().to_path_buf();
    println!("server: {base} on SQLite in {} (simulated clock)", dir.display());
    let http = Http::new(&base)?;
    let api = servers.api(0, POLL)?;

    // The organiser creates the poll, nominations, the key ceremony, the
    // roll with its tokens, and voting opens.
    let s = Instant::now();
    let kept = args.keep.unwrap_or(0);
    let staged = stage::open_poll(&servers, POLL, args.members + kept).await?;
    let (view, mut trustees) = (staged.view, staged.trustees);
    let mut member_tokens = staged.tokens;
    member_tokens.truncate(args.members);
    let people_links: Vec<String> =
        staged.booth_paths.iter().skip(args.members).map(|p| format!("{base}{p}")).collect();
    let ctx = view.context().context("no joint key")?;
    t.lap("setup, nominations, ceremony, roll", s);

    // The trustees follow the board from here on, verifying it as it grows.
    let followers = stage::Followers::spawn(&base, POLL, &trustees, Duration::from_secs(2))?;

    // Members vote, concurrently, over HTTP.
    let s = Instant::now();
    let enc = Arc::new(Encrypter::new(&ctx.joint_key));
    let pb = bar(args.members, "members voting");
    let weights: Arc<Vec<f64>> = Arc::new((0..30).map(|i| 1.0 / (1.0 + f64::from(i) / 6.0)).collect());
    let outcomes: Vec<Result<(bool, bool)>> = stream::iter(member_tokens.into_iter().enumerate())
        .map(|(i, token)| {
            let (api, view, enc, weights, pb) =
                (Api::new(http.clone(), POLL), view.clone(), enc.clone(), weights.clone(), pb.clone());
            tokio::spawn(async move {
                let r = member(&api, &view, &enc, &weights, &token, i).await;
                pb.inc(1);
                r
            })
        })
        .buffer_unordered(args.concurrency.max(1))
        .map(|r| r.map_err(anyhow::Error::from).and_then(|x| x))
        .collect()
        .await;
    pb.finish_and_clear();
    let (mut audited, mut revoted) = (0, 0);
    for o in outcomes {
        let (a, r) = o?;
        audited += usize::from(a);
        revoted += usize::from(r);
    }
    let voting = s.elapsed();
    t.lap("voting (register, encrypt, prove, cast)", s);
    println!(
        "✓ voting: {} members cast ballots ({audited} audited one first, {revoted} changed their vote) in {:.1} s",
        args.members,
        voting.as_secs_f64()
    );

    let pages = Pages { base: base.clone() };
    if args.keep.is_some() {
        pages.print(&people_links);
        println!(
            "\nthe server stays up (simulated clock: voting is open). Vote in a browser, then press \
             Enter or Ctrl-C to close voting and tally."
        );
        wait_for_operator().await;
    }

    // The trustees read the board up to the close; close, tally, decrypt:
    // each following trustee verifies only the tail before it decrypts.
    let s = Instant::now();
    let followings = tokio::task::spawn_blocking(move || followers.finish()).await??;
    t.lap("trustees catching up at the close", s);
    let s = Instant::now();
    stage::close_and_tally_following(&servers, &api, &mut trustees, followings).await?;
    t.lap("tally (close, aggregate, 3 decryptions)", s);
    println!(
        "✓ tally: closed, aggregated and 3 following trustees decrypted in {:.2} s",
        s.elapsed().as_secs_f64()
    );
    let result = api.get("/result").await?;
    println!("\nthe server's result (the verifier recomputes it below):");
    crate::print_result(&result);

    // The record, checked by the verifier.
    let s = Instant::now();
    let record = api.record().await?;
    let path = dir.join("poll.record");
    std::fs::write(&path, &record)?;
    t.lap("record download", s);
    let s = Instant::now();
    let size = record.len();
    let pb = bar(size, "verifying the record");
    let report = tokio::task::spawn_blocking(move || {
        shortlist_board::verify::verify_path(&path, Vec::new(), None, None, |pos| pb.set_position(pos))
    })
    .await??;
    t.lap("verification of the record", s);
    println!("\nthe verifier on the record ({:.1} MB):", mb(size));
    print!("{report}");

    if args.keep.is_some() {
        println!("\nthe result is published:");
        pages.print(&[]);
        println!("\nthe server stays up; press Enter or Ctrl-C to stop it.");
        wait_for_operator().await;
    } else {
        println!("\nthe poll's pages (run with --keep to open them in a browser):");
        pages.print(&[]);
    }
    servers.stop().await?;
    println!("\ntimings:");
    for (what, d) in &t.0 {
        println!("  {what:<42} {:>8.2} s", d.as_secs_f64());
    }
    println!("  {:<42} {:>8.2} s", "total", started.elapsed().as_secs_f64());
    if !report.passed() {
        bail!("the verifier failed: {}", report.failed_steps().join(", "));
    }
    Ok(())
}

/// The poll's public pages on the demo server.
struct Pages {
    base: String,
}

impl Pages {
    fn print(&self, member_links: &[String]) {
        let b = &self.base;
        println!("  poll page      {b}/p/{POLL}");
        println!("  live board     {b}/p/{POLL}/board");
        println!("  results        {b}/p/{POLL}/results");
        println!("  verification   {b}/p/{POLL}/verify");
        println!("  record         {b}/v1/polls/{POLL}/record");
        if !member_links.is_empty() {
            println!(
                "member links, one per person (each works once; the part after # never reaches the server):"
            );
            for l in member_links {
                println!("  {l}");
            }
        }
    }
}

/// Waits for Enter on a terminal, or Ctrl-C.
async fn wait_for_operator() {
    use tokio::io::AsyncBufReadExt;
    let enter = async {
        let mut line = String::new();
        let mut stdin = tokio::io::BufReader::new(tokio::io::stdin());
        match stdin.read_line(&mut line).await {
            // No terminal (stdin closed): only Ctrl-C ends the wait.
            Ok(0) | Err(_) => std::future::pending::<()>().await,
            Ok(_) => {}
        }
    };
    tokio::select! {
        _ = enter => {}
        _ = tokio::signal::ctrl_c() => {}
    }
}

/// One member: register, maybe audit a ballot first, cast, maybe change
/// their mind. Returns (audited, revoted).
async fn member(
    api: &Api<Http>,
    view: &PollView,
    enc: &Encrypter,
    weights: &[f64],
    token: &str,
    i: usize,
) -> Result<(bool, bool)> {
    let m = Member::new();
    m.register(api, token).await?;
    let audit = i % 20 == 7;
    if audit {
        let sel = crate::choices::choose(weights, &mut OsRng);
        shortlist_client::member::audit(api, Chosen::new(view, enc, &[sel])?).await?;
    }
    let sel = crate::choices::choose(weights, &mut OsRng);
    let p = m.prepare(view, enc, &[sel])?;
    m.cast(api, view, &p).await?;
    let revote = OsRng.gen_ratio(1, 30);
    if revote {
        let sel = crate::choices::choose(weights, &mut OsRng);
        let p = m.prepare(view, enc, &[sel])?;
        m.cast(api, view, &p).await?;
    }
    Ok((audit, revote))
}
