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
use indicatif::{ProgressBar, ProgressStyle};
use rand::rngs::OsRng;
use rand::Rng;
use serde_json::json;
use shortlist_client::board::PollView;
use shortlist_client::member::{Chosen, Member};
use shortlist_client::trustee::Trustee;
use shortlist_client::Api;
use shortlist_crypto::credential::CredentialSecret;
use shortlist_crypto::elgamal::Encrypter;
use shortlist_server::clock::ManualClock;
use shortlist_server::limits::Limits;
use shortlist_server::{App, ServerParts};

use crate::http::Http;

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
}

const POLL: &str = "demo-shortlist";
const DAY: u64 = 86_400;
const NAMES: [&str; 32] = [
    "Amara Okafor",
    "Ben Hughes",
    "Chloe Martin",
    "Dev Patel",
    "Elena Rossi",
    "Finn O'Brien",
    "Grace Lin",
    "Hamza Khan",
    "Isla Campbell",
    "Jonas Weber",
    "Kemi Adeyemi",
    "Liam Walsh",
    "Maya Cohen",
    "Noah Fischer",
    "Olivia Brown",
    "Pavel Novak",
    "Qi Zhang",
    "Rhys Evans",
    "Sofia Garcia",
    "Tom Baker",
    "Uma Iyer",
    "Victor Dubois",
    "Wen Li",
    "Xavier Silva",
    "Yara Haddad",
    "Zane Cooper",
    "Aoife Byrne",
    "Bilal Aziz",
    "Carmen Diaz",
    "Dmitri Petrov",
    "Ewa Nowak",
    "Felix Moreau",
];

fn bar(len: usize, what: &str) -> ProgressBar {
    let pb = ProgressBar::new(u64::try_from(len).unwrap_or(0));
    pb.set_style(
        ProgressStyle::with_template("  {msg:<28} [{bar:36}] {pos}/{len} {per_sec} eta {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    pb.set_message(what.to_string());
    pb
}

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
    let dir = tempfile::tempdir()?;
    let url = shortlist_server::config::sqlite_url(dir.path());
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH)?.as_secs();
    let clock = ManualClock::new(now);
    let organiser_key = hex::encode(rand::random::<[u8; 32]>());
    let app = App::new(ServerParts {
        store: shortlist_store::Store::open(&url).await?,
        server_key: CredentialSecret::generate(&mut OsRng),
        organiser_key: organiser_key.clone(),
        clock: Arc::new(clock.clone()),
        // One process plays every member from one address: no per-client limit.
        limits: Limits { per_client_per_sec: 0, per_credential_per_min: 0, ..Limits::default() },
    })
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("listening on {}", args.listen))?;
    let base = format!("http://{}", listener.local_addr()?);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(shortlist_server::serve::run(app, listener, Duration::from_secs(10), async {
        let _ = stopped.await;
    }));
    println!("server: {base} on SQLite in {} (simulated clock)", dir.path().display());
    let http = Http::new(&base)?;
    let api = Api::new(http.clone(), POLL).with_organiser_key(organiser_key);

    // The organiser creates the poll.
    let s = Instant::now();
    let trustee_keys: Vec<CredentialSecret> =
        (0..5).map(|_| CredentialSecret::generate(&mut OsRng)).collect();
    let manifest = json!({
        "poll_id": POLL,
        "title": "Members' shortlist for the 9-seat slate",
        "timetable": { "nominations_close": now + 7 * DAY, "voting_open": now + 8 * DAY, "voting_close": now + 15 * DAY },
        "contests": [{
            "contest_id": 1, "title": "Shortlist for the 9-seat slate", "seats": 9, "min_selections": 0,
            "max_selections": 9, "slate_rules": [{ "attribute": "gender", "value": "woman", "min_seats": 5 }]
        }],
        "trustees": trustee_keys.iter().enumerate()
            .map(|(i, k)| json!({ "name": format!("Trustee {}", i + 1), "key": hex::encode(k.public_key().to_bytes()) }))
            .collect::<Vec<_>>(),
        "threshold": 3,
        "revote": "last"
    });
    let created = api.create_poll(&manifest).await?;
    println!("✓ poll created: manifest hash {}", short(created["manifest_hash"].as_str().unwrap_or("")));

    // Nominations: 32 expressions of interest, 30 approved.
    api.action("/nominations/open").await?;
    let labels: Vec<String> =
        NAMES.iter().map(|n| n.to_lowercase().replace([' ', '\''], ".") + "@example.org").collect();
    let tokens = api.post("/candidate-tokens", true, json!({ "labels": labels })).await?;
    let tokens = tokens.as_array().context("candidate tokens")?;
    for (i, (name, tok)) in NAMES.iter().zip(tokens).enumerate() {
        let gender = if i % 2 == 0 { "woman" } else { "man" };
        let eoi = json!({
            "token": tok["token"],
            "candidate": { "contest_id": 1, "name": name, "statement": format!("{name}: experience, energy and ideas."),
                           "attributes": { "gender": gender } }
        });
        api.post("/expressions-of-interest", false, eoi).await?;
    }
    let nominations = api.get_org("/nominations").await?;
    let mut approved = 0;
    for (i, n) in nominations.as_array().context("nominations")?.iter().enumerate() {
        let id = n["id"].as_str().context("nomination id")?;
        // Two withdraw: the organiser rejects them; the rest are approved.
        if i == 5 || i == 12 {
            api.action(&format!("/nominations/{id}/reject")).await?;
        } else {
            api.action(&format!("/nominations/{id}/approve")).await?;
            approved += 1;
        }
    }
    println!("✓ nominations: {} expressions of interest, {approved} candidates approved", NAMES.len());
    t.lap("setup and nominations", s);

    // The key ceremony: five trustees, each on "their own machine".
    let s = Instant::now();
    let view = PollView::fetch(&api).await?;
    let mut trustees: Vec<Trustee> = trustee_keys
        .iter()
        .zip(1u16..)
        .map(|(k, i)| Trustee::new(i, CredentialSecret::from_secret_bytes(&k.expose_secret_bytes())))
        .collect();
    for tr in &mut trustees {
        tr.commit(&api, &view).await?;
    }
    for tr in &mut trustees {
        tr.send_shares(&api, &view).await?;
    }
    for tr in &mut trustees {
        let complaints = tr.receive_shares(&api, &view).await?;
        if complaints > 0 {
            bail!("trustee {} complained", tr.index);
        }
    }
    t.lap("key ceremony", s);
    println!("✓ key ceremony: 5 trustees, threshold 3, every share checked");

    // Nominations close; the roll and the tokens.
    let s = Instant::now();
    clock.set(now + 7 * DAY);
    api.action("/nominations/close").await?;
    let kept = args.keep.unwrap_or(0);
    let mut roll = String::from("member_id,name,email\n");
    for i in 0..args.members + kept {
        roll.push_str(&format!("M{i:06},Member {i},member{i}@example.org\n"));
    }
    api.import_roll(&roll).await?;
    let csv = api.issue_tokens().await?;
    let mut member_tokens = crate::organiser::column(&csv, "token")?;
    let booth_paths = crate::organiser::column(&csv, "booth_path")?;
    if member_tokens.len() != args.members + kept {
        bail!("{} tokens issued for {} members", member_tokens.len(), args.members + kept);
    }
    member_tokens.truncate(args.members);
    let people_links: Vec<String> =
        booth_paths.iter().skip(args.members).map(|p| format!("{base}{p}")).collect();
    println!("✓ roll: {} members, one eligibility token each (stored only as hashes)", args.members + kept);
    clock.set(now + 8 * DAY);
    let opened = api.action("/voting/open").await?;
    let view = Arc::new(PollView::fetch(&api).await?);
    let ctx = view.context().context("no joint key")?;
    if opened["joint_key"].as_str() != Some(hex::encode(ctx.joint_key.to_bytes()).as_str()) {
        bail!("the server's joint key is not the one the board gives");
    }
    println!(
        "✓ voting open: joint key {} (recomputed from the board)",
        short(&hex::encode(ctx.joint_key.to_bytes()))
    );
    t.lap("roll, tokens, opening", s);

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

    // Close, tally, decrypt.
    let s = Instant::now();
    clock.set(now + 15 * DAY);
    api.action("/voting/close").await?;
    api.action("/tally").await?;
    // Three trustees decrypt, one after another: on one machine, at once
    // would only hold three copies of the board (measured: no faster).
    for tr in trustees.iter_mut().take(3) {
        tr.decrypt(&api).await?;
    }
    t.lap("tally (aggregate, 3 decryptions)", s);
    let result = api.get("/result").await?;
    println!("\nthe server's result (the verifier recomputes it below):");
    crate::print_result(&result);

    // The record, checked by the verifier.
    let s = Instant::now();
    let record = api.record().await?;
    let path = dir.path().join("poll.record");
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
    let _ = stop.send(());
    server.await??;
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

fn short(hex: &str) -> String {
    hex.get(..16).map(|h| format!("{h}…")).unwrap_or_else(|| hex.to_string())
}

#[allow(clippy::cast_precision_loss)]
fn mb(bytes: usize) -> f64 {
    bytes as f64 / 1e6
}
