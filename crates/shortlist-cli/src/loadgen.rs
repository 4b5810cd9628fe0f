//! `shortlist loadgen`: the closing-hour rush against real servers over
//! loopback HTTP. It stages a poll with N members on embedded servers
//! (SQLite, or one or several instances on one database URL), registers every
//! member and makes every ballot beforehand (not timed), then drives C
//! concurrent clients that cast, with a share of audits and revotes. It prints
//! casts per second and latency percentiles, then closes the poll, tallies,
//! and checks that every receipt is on the board and the record verifies.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use futures_util::stream::{self, StreamExt};
use rand::rngs::OsRng;
use rand::Rng;
use shortlist_board::entry::payload_hash;
use shortlist_board::receipt::Receipt;
use shortlist_board::record::Frame;
use shortlist_client::api::hex_field;
use shortlist_client::board::PollView;
use shortlist_client::following::Following;
use shortlist_client::member::{Chosen, Member};
use shortlist_client::{Method, Transport};
use shortlist_crypto::elgamal::Encrypter;
use shortlist_server::limits::Limits;

use crate::http::Http;
use crate::stage::{self, bar, Embedded, EmbeddedOptions};

mod live;

/// Options of `shortlist loadgen`.
#[derive(clap::Args)]
pub struct LoadgenArgs {
    /// Members on the roll; each casts one ballot.
    #[arg(long, default_value_t = 2000)]
    members: usize,
    /// Clients casting at once.
    #[arg(long, default_value_t = 64)]
    concurrency: usize,
    /// Run the servers on this database (e.g. a PostgreSQL URL) instead of
    /// SQLite in a temporary directory.
    #[arg(long)]
    database_url: Option<String>,
    /// Server instances sharing the database (and the signing key); clients
    /// spread over them.
    #[arg(long, default_value_t = 1)]
    instances: usize,
    /// Percentage of members who audit a ballot before casting.
    #[arg(long, default_value_t = 5)]
    audits: u8,
    /// Percentage of members who cast a second ballot (last counts).
    #[arg(long, default_value_t = 3)]
    revotes: u8,
    /// Stop sending new members' ballots after this many seconds.
    #[arg(long)]
    duration: Option<u64>,
    /// Open loop: members arrive at this many per second, whatever the
    /// server's pace (with --concurrency as a cap on requests in flight, so
    /// set it high), and each member's first request is timed from its
    /// scheduled arrival: latency at a given load, queueing included.
    /// Without it, --concurrency clients cast back to back (closed loop),
    /// which measures the most the server takes.
    #[arg(long, value_name = "PER_SECOND")]
    rate: Option<f64>,
    /// Run the live verifier (`shortlist-verify --follow`) against the first
    /// instance during the rush, and print how fast it verified; the
    /// trustees follow the board too, and verify only its tail at the tally.
    #[arg(long)]
    follow: bool,
}

/// One member's pre-made requests, in the order they are sent.
struct Script {
    audit: Option<Vec<u8>>,
    casts: Vec<Vec<u8>>,
}

/// What one member's requests gave.
#[derive(Default)]
struct Outcome {
    casts: Vec<(Duration, Result<Receipt, String>, usize)>,
    audits: Vec<(Duration, Result<(), String>)>,
}

/// Runs the load test.
pub fn run(args: &LoadgenArgs) -> Result<()> {
    if args.members == 0 || args.concurrency == 0 || args.instances == 0 {
        bail!("--members, --concurrency and --instances must be at least 1");
    }
    if args.audits > 100 || args.revotes > 100 {
        bail!("--audits and --revotes are percentages (0 to 100)");
    }
    if args.rate.is_some_and(|r| !(r.is_finite() && r > 0.0)) {
        bail!("--rate must be a number of members per second above 0");
    }
    crate::block_on(loadgen(args))
}

async fn loadgen(args: &LoadgenArgs) -> Result<()> {
    let servers = Embedded::start(EmbeddedOptions {
        database_url: args.database_url.as_deref(),
        instances: args.instances,
        listen: std::net::SocketAddr::from(([127, 0, 0, 1], 0)),
        // One process plays every member from one address: no per-client limits.
        limits: Limits {
            per_client_per_sec: 0,
            per_credential_per_min: 0,
            connections_per_client: 0,
            ..Limits::default()
        },
    })
    .await?;
    let db = if args.database_url.is_some() { "the database URL" } else { "SQLite" };
    let clients = match args.rate {
        Some(r) => format!("arriving at {r} per second (at most {} requests in flight)", args.concurrency),
        None => format!("{} concurrent clients", args.concurrency),
    };
    println!(
        "shortlist loadgen: {} members, {clients}, {} server instance(s) on {db}\n",
        args.members, args.instances
    );
    let poll = format!("loadgen-{}", hex::encode(rand::random::<[u8; 4]>()));
    let mut staged = stage::open_poll(&servers, &poll, args.members).await?;
    let view = staged.view.clone();

    // Not timed: register every member and make every ballot.
    let s = Instant::now();
    let members = register_all(&servers, &poll, &staged.tokens, args.concurrency.min(64)).await?;
    let registered = s.elapsed();
    let s = Instant::now();
    let scripts = make_ballots(&view, members, args.audits, args.revotes)?;
    println!(
        "✓ prepared: {} members registered in {:.1} s, their ballots made in {:.1} s (not timed)",
        args.members,
        registered.as_secs_f64(),
        s.elapsed().as_secs_f64()
    );

    // Timed: the rush.
    let transports: Vec<Http> = servers.bases.iter().map(|b| Http::new(b)).collect::<Result<_, _>>()?;
    let cast_path = format!("/v1/polls/{poll}/ballots");
    let audit_path = format!("/v1/polls/{poll}/audits");
    let deadline = args.duration.map(|d| Instant::now() + Duration::from_secs(d));
    let live = args.follow.then(|| live::spawn(servers.bases.first().cloned().unwrap_or_default(), &poll));
    let pb = bar(scripts.len(), "members casting");
    let started = Instant::now();
    let rate = args.rate;
    let outcomes: Vec<Outcome> = stream::iter(scripts.into_iter().enumerate())
        .then(|(i, script)| async move {
            // Open loop: wait for this member's arrival time.
            #[allow(clippy::cast_precision_loss)]
            let at = rate.map(|r| started + Duration::from_secs_f64(i as f64 / r));
            if let Some(at) = at {
                tokio::time::sleep_until(at.into()).await;
            }
            (i, script, at)
        })
        .take_while(|_| std::future::ready(deadline.is_none_or(|d| Instant::now() < d)))
        .map(|(i, script, at)| {
            let http = transports.get(i % transports.len()).cloned();
            let (cast_path, audit_path, pb) = (cast_path.clone(), audit_path.clone(), pb.clone());
            tokio::spawn(async move {
                let out = match http {
                    Some(h) => send_script(&h, &cast_path, &audit_path, script, at).await,
                    None => Outcome::default(),
                };
                pb.inc(1);
                out
            })
        })
        .buffer_unordered(args.concurrency)
        .filter_map(|r| std::future::ready(r.ok()))
        .collect()
        .await;
    let elapsed = started.elapsed();
    pb.finish_and_clear();

    let figures = Figures::from(&outcomes, elapsed);
    figures.print();

    // Every receipt checks offline and is on the board; the record verifies.
    let api = servers.api(0, &poll)?;
    if args.follow {
        // The trustees follow the board (each on its own machine during
        // voting; here after the rush, so as not to take the server's cores).
        let s = Instant::now();
        let mut followings = Vec::new();
        for tr in staged.trustees.iter().take(3) {
            let mut f = Following::new(tr.index, tr.seen().to_vec());
            f.catch_up(&api).await?;
            followings.push(f);
        }
        println!(
            "✓ trustees following: 3 trustees verified the board during voting ({:.2} s, one after another)",
            s.elapsed().as_secs_f64()
        );
        let s = Instant::now();
        stage::close_and_tally_following(&servers, &api, &mut staged.trustees, followings).await?;
        println!(
            "✓ tally: closed, aggregated and 3 following trustees verified the tail and decrypted in {:.2} s",
            s.elapsed().as_secs_f64()
        );
    } else {
        let s = Instant::now();
        stage::close_and_tally(&servers, &api, &mut staged.trustees).await?;
        println!(
            "✓ tally: closed, aggregated and 3 trustees decrypted in {:.2} s",
            s.elapsed().as_secs_f64()
        );
    }
    if let Some(live) = live {
        let casts = outcomes.iter().flat_map(|o| o.casts.iter()).filter(|(_, r, _)| r.is_ok()).count();
        tokio::task::block_in_place(|| live.report(started, started + elapsed, casts))?;
    }
    let record = api.record().await?;
    let receipts: Vec<&Receipt> =
        outcomes.iter().flat_map(|o| o.casts.iter()).filter_map(|(_, r, _)| r.as_ref().ok()).collect();
    let on_board = receipts_on_board(&record, &receipts)?;
    let saved = receipts.iter().map(|r| r.checkpoint.clone()).collect();
    let s = Instant::now();
    let report = verify(&record, saved, &view).await?;
    println!(
        "✓ receipts: {on_board} of {} acknowledged ballots are on the board at their index",
        receipts.len()
    );
    println!(
        "{} record: {:.1} MB verified in {:.2} s",
        if report.passed() { "✓" } else { "✗" },
        stage::mb(record.len()),
        s.elapsed().as_secs_f64()
    );
    servers.stop().await?;
    if !report.passed() {
        print!("{report}");
        bail!("the verifier failed: {}", report.failed_steps().join(", "));
    }
    if figures.failed > 0 || on_board != receipts.len() {
        bail!(
            "{} requests failed; {} acknowledged ballots missing",
            figures.failed,
            receipts.len() - on_board
        );
    }
    Ok(())
}

/// Registers a fresh credential for every token, `concurrency` at a time.
async fn register_all(
    servers: &Embedded,
    poll: &str,
    tokens: &[String],
    concurrency: usize,
) -> Result<Vec<Member>> {
    let pb = bar(tokens.len(), "members registering");
    let apis: Vec<_> = (0..servers.bases.len()).map(|i| servers.api(i, poll)).collect::<Result<_>>()?;
    let apis = Arc::new(apis);
    let members: Vec<Result<Member>> = stream::iter(tokens.iter().cloned().enumerate())
        .map(|(i, token)| {
            let (apis, pb) = (apis.clone(), pb.clone());
            async move {
                let api = apis.get(i % apis.len()).context("no server instance")?;
                let m = Member::new();
                m.register(api, &token).await?;
                pb.inc(1);
                Ok(m)
            }
        })
        .buffer_unordered(concurrency)
        .collect()
        .await;
    pb.finish_and_clear();
    members.into_iter().collect()
}

/// Makes each member's audit (for `audits`%), cast and revote (for
/// `revotes`%) as request bodies, on every core.
fn make_ballots(view: &Arc<PollView>, members: Vec<Member>, audits: u8, revotes: u8) -> Result<Vec<Script>> {
    let ctx = view.context().context("voting has not opened")?;
    let enc = Encrypter::new(&ctx.joint_key);
    let weights: Vec<f64> = (0..30).map(|i| 1.0 / (1.0 + f64::from(i) / 6.0)).collect();
    let pb = bar(members.len(), "making ballots");
    let threads = std::thread::available_parallelism().map(std::num::NonZeroUsize::get).unwrap_or(1);
    let chunk = members.len().div_ceil(threads).max(1);
    let one = |m: &Member| -> Result<Script> {
        let mut rng = OsRng;
        let cast = || -> Result<Vec<u8>> {
            let sel = crate::choices::choose(&weights, &mut OsRng);
            let p = m.prepare(view, &enc, &[sel])?;
            Ok(body("ballot", &m.cast_payload(view, &p)?))
        };
        let audit = if rng.gen_range(0..100) < audits {
            let sel = crate::choices::choose(&weights, &mut OsRng);
            let spoiled = Chosen::new(view, &enc, &[sel])?.into_spoiled();
            Some(body("spoiled", &spoiled.to_bytes()))
        } else {
            None
        };
        let mut casts = vec![cast()?];
        if rng.gen_range(0..100) < revotes {
            casts.push(cast()?);
        }
        pb.inc(1);
        Ok(Script { audit, casts })
    };
    let scripts: Vec<Result<Vec<Script>>> = std::thread::scope(|scope| {
        let handles: Vec<_> =
            members.chunks(chunk).map(|part| scope.spawn(|| part.iter().map(one).collect())).collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|_| Err(anyhow::anyhow!("a ballot-making thread panicked"))))
            .collect()
    });
    pb.finish_and_clear();
    Ok(scripts.into_iter().collect::<Result<Vec<_>>>()?.into_iter().flatten().collect())
}

/// `{"field": "hex"}` as bytes.
fn body(field: &str, bytes: &[u8]) -> Vec<u8> {
    format!("{{\"{field}\":\"{}\"}}", hex::encode(bytes)).into_bytes()
}

/// Sends one member's requests in order, timing each.
/// Sends one member's requests; the first is timed from `arrival` if given
/// (the open loop's schedule), the others from when each is sent.
async fn send_script(
    http: &Http,
    cast_path: &str,
    audit_path: &str,
    script: Script,
    mut arrival: Option<Instant>,
) -> Outcome {
    let mut out = Outcome::default();
    if let Some(audit) = script.audit {
        let s = arrival.take().unwrap_or_else(Instant::now);
        let r = http.send(Method::Post, audit_path, None, "application/json", audit).await;
        out.audits.push((s.elapsed(), answer(r).map(|_| ())));
    }
    for (n, cast) in script.casts.into_iter().enumerate() {
        let code = ballot_payload(&cast).map(|p| payload_hash(&p));
        let s = arrival.take().unwrap_or_else(Instant::now);
        let r = http.send(Method::Post, cast_path, None, "application/json", cast).await;
        let took = s.elapsed();
        let receipt = answer(r).and_then(|v| {
            let bytes = hex_field(&v, &["receipt"]).map_err(|e| e.to_string())?;
            let receipt = Receipt::from_bytes(&bytes).map_err(|e| e.to_string())?;
            if code? != receipt.tracking_code {
                return Err("the receipt's tracking code is not this ballot's".to_string());
            }
            Ok(receipt)
        });
        out.casts.push((took, receipt, n));
    }
    out
}

/// The JSON answer of a 2xx reply, or the error's code and message.
fn answer(r: shortlist_client::Result<shortlist_client::Reply>) -> Result<serde_json::Value, String> {
    let reply = r.map_err(|e| e.to_string())?;
    let v: serde_json::Value = serde_json::from_slice(&reply.body).unwrap_or(serde_json::Value::Null);
    if (200..300).contains(&reply.status) {
        Ok(v)
    } else {
        Err(format!("{} {}", reply.status, v["code"].as_str().unwrap_or("unknown")))
    }
}

/// The ballot bytes inside a cast body.
fn ballot_payload(body: &[u8]) -> Result<Vec<u8>, String> {
    let v: serde_json::Value = serde_json::from_slice(body).map_err(|e| e.to_string())?;
    hex::decode(v["ballot"].as_str().unwrap_or("")).map_err(|e| e.to_string())
}

/// The rush's figures.
struct Figures {
    casts: usize,
    audits: usize,
    failed: usize,
    errors: Vec<String>,
    elapsed: Duration,
    cast_latency: Vec<Duration>,
    audit_latency: Vec<Duration>,
}

impl Figures {
    fn from(outcomes: &[Outcome], elapsed: Duration) -> Self {
        let mut f = Self {
            casts: 0,
            audits: 0,
            failed: 0,
            errors: Vec::new(),
            elapsed,
            cast_latency: Vec::new(),
            audit_latency: Vec::new(),
        };
        for o in outcomes {
            for (d, r, _) in &o.casts {
                f.cast_latency.push(*d);
                match r {
                    Ok(_) => f.casts += 1,
                    Err(e) => f.fail(e),
                }
            }
            for (d, r) in &o.audits {
                f.audit_latency.push(*d);
                match r {
                    Ok(()) => f.audits += 1,
                    Err(e) => f.fail(e),
                }
            }
        }
        f.cast_latency.sort();
        f.audit_latency.sort();
        f
    }

    fn fail(&mut self, e: &str) {
        self.failed += 1;
        if self.errors.len() < 5 {
            self.errors.push(e.to_string());
        }
    }

    fn print(&self) {
        let secs = self.elapsed.as_secs_f64().max(1e-9);
        #[allow(clippy::cast_precision_loss)]
        let rate = |n: usize| n as f64 / secs;
        println!(
            "✓ rush: {} casts and {} audits in {:.2} s: {:.0} casts/s ({:.0} requests/s)",
            self.casts,
            self.audits,
            secs,
            rate(self.casts),
            rate(self.casts + self.audits)
        );
        println!("  cast latency   {}", percentiles(&self.cast_latency));
        if !self.audit_latency.is_empty() {
            println!("  audit latency  {}", percentiles(&self.audit_latency));
        }
        if self.failed > 0 {
            println!("✗ {} requests failed, e.g. {}", self.failed, self.errors.join("; "));
        }
    }
}

/// `p50 … p95 … p99 … max …` of sorted durations, in milliseconds.
fn percentiles(sorted: &[Duration]) -> String {
    let at = |q: f64| {
        #[allow(clippy::cast_precision_loss, clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let i = ((sorted.len() as f64 - 1.0) * q).round() as usize;
        sorted.get(i).map_or(0.0, |d| d.as_secs_f64() * 1e3)
    };
    format!("p50 {:.1} ms  p95 {:.1} ms  p99 {:.1} ms  max {:.1} ms", at(0.5), at(0.95), at(0.99), at(1.0))
}

/// How many receipts name an entry of the record that holds their ballot.
fn receipts_on_board(record: &[u8], receipts: &[&Receipt]) -> Result<usize> {
    let frames = shortlist_board::record::read_all(record)?;
    let mut codes = std::collections::HashMap::new();
    for f in frames {
        if let Frame::Entry(e) = f {
            codes.insert(e.index, e.payload_hash());
        }
    }
    Ok(receipts.iter().filter(|r| codes.get(&r.index) == Some(&r.tracking_code)).count())
}

/// The full verifier on the record, held to every receipt's checkpoint.
async fn verify(
    record: &[u8],
    saved: Vec<shortlist_board::checkpoint::Checkpoint>,
    view: &PollView,
) -> Result<shortlist_board::verify::Report> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("poll.record");
    std::fs::write(&path, record)?;
    let expect = view.manifest_hash;
    let report = tokio::task::spawn_blocking(move || {
        shortlist_board::verify::verify_path(&path, saved, None, Some(expect), |_| {})
    })
    .await??;
    drop(dir);
    Ok(report)
}
