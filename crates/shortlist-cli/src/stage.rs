//! Staging a poll for `demo` and `loadgen`: embedded servers on loopback
//! (SQLite in a temporary directory, or one or several instances sharing a
//! database URL and keys), and a poll brought through nominations, the key
//! ceremony and the roll to open voting, over HTTP with the client library.
//! The servers' clock is simulated so that the timetable's days pass at once.

use std::sync::Arc;
use std::time::Duration;

use anyhow::{bail, Context, Result};
use indicatif::{ProgressBar, ProgressStyle};
use rand::rngs::OsRng;
use serde_json::json;
use shortlist_client::board::PollView;
use shortlist_client::following::Following;
use shortlist_client::trustee::Trustee;
use shortlist_client::Api;
use shortlist_crypto::credential::CredentialSecret;
use shortlist_server::clock::ManualClock;
use shortlist_server::limits::Limits;
use shortlist_server::{App, ServerParts};

use crate::http::Http;

/// One day of the simulated clock, in seconds.
pub const DAY: u64 = 86_400;

/// The 32 would-be candidates of a staged poll.
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

/// A progress bar in the style of the demo.
pub fn bar(len: usize, what: &str) -> ProgressBar {
    let pb = ProgressBar::new(u64::try_from(len).unwrap_or(0));
    pb.set_style(
        ProgressStyle::with_template("  {msg:<28} [{bar:36}] {pos}/{len} {per_sec} eta {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    pb.set_message(what.to_string());
    pb
}

/// Embedded servers sharing one database, one signing key, one organiser key
/// and one simulated clock.
pub struct Embedded {
    /// Each instance's base URL.
    pub bases: Vec<String>,
    /// The shared simulated clock.
    pub clock: ManualClock,
    /// The simulated clock's start (Unix seconds).
    pub now: u64,
    /// The organiser's bearer key.
    pub organiser_key: String,
    /// Where the SQLite database lives (None for a database URL).
    pub dir: Option<tempfile::TempDir>,
    stops: Vec<tokio::sync::oneshot::Sender<()>>,
    servers: Vec<tokio::task::JoinHandle<anyhow::Result<()>>>,
}

/// What to start.
pub struct EmbeddedOptions<'a> {
    /// A database URL shared by the instances; None: SQLite in a temporary directory.
    pub database_url: Option<&'a str>,
    /// How many server instances.
    pub instances: usize,
    /// Where the first instance listens (the others on free ports).
    pub listen: std::net::SocketAddr,
    /// The instances' limits.
    pub limits: Limits,
}

impl Embedded {
    /// Starts the instances.
    pub async fn start(opts: EmbeddedOptions<'_>) -> Result<Self> {
        let (dir, url) = match opts.database_url {
            Some(u) => (None, u.to_string()),
            None => {
                let dir = tempfile::tempdir()?;
                let url = shortlist_server::config::sqlite_url(dir.path());
                (Some(dir), url)
            }
        };
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH)?.as_secs();
        let clock = ManualClock::new(now);
        let organiser_key = hex::encode(rand::random::<[u8; 32]>());
        let server_key = CredentialSecret::generate(&mut OsRng);
        let mut out = Self {
            bases: Vec::new(),
            clock: clock.clone(),
            now,
            organiser_key: organiser_key.clone(),
            dir,
            stops: Vec::new(),
            servers: Vec::new(),
        };
        for i in 0..opts.instances.max(1) {
            let app = App::new(ServerParts {
                store: shortlist_store::Store::open(&url)
                    .await
                    .with_context(|| format!("opening the database {}", redact(&url)))?,
                server_key: CredentialSecret::from_secret_bytes(&server_key.expose_secret_bytes()),
                organiser_key: organiser_key.clone(),
                clock: Arc::new(clock.clone()),
                limits: opts.limits.clone(),
            })
            .map_err(|e| anyhow::anyhow!("{e}"))?;
            let addr = if i == 0 { opts.listen } else { std::net::SocketAddr::from(([127, 0, 0, 1], 0)) };
            let listener =
                tokio::net::TcpListener::bind(addr).await.with_context(|| format!("listening on {addr}"))?;
            out.bases.push(format!("http://{}", listener.local_addr()?));
            let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
            out.stops.push(stop);
            out.servers.push(tokio::spawn(shortlist_server::serve::run(
                app,
                listener,
                Duration::from_secs(10),
                async {
                    let _ = stopped.await;
                },
            )));
        }
        Ok(out)
    }

    /// An API on instance `i` (wrapping around) for `poll`, with the organiser key.
    pub fn api(&self, i: usize, poll: &str) -> Result<Api<Http>> {
        let base = self.bases.get(i % self.bases.len().max(1)).context("no server instance")?;
        Ok(Api::new(Http::new(base)?, poll).with_organiser_key(self.organiser_key.clone()))
    }

    /// Stops every instance and waits for them.
    pub async fn stop(self) -> Result<()> {
        for s in self.stops {
            let _ = s.send(());
        }
        for s in self.servers {
            s.await??;
        }
        Ok(())
    }
}

/// A database URL with its password hidden, for messages.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => format!("{}://…@{}", &url[..s], &url[at + 1..]),
        _ => url.to_string(),
    }
}

/// A poll open for voting.
pub struct Staged {
    /// The poll as the board shows it.
    pub view: Arc<PollView>,
    /// The five trustees (threshold 3).
    pub trustees: Vec<Trustee>,
    /// One eligibility token per member on the roll.
    pub tokens: Vec<String>,
    /// Each member's booth path (`/p/POLL/vote#…`).
    pub booth_paths: Vec<String>,
}

/// Creates `poll` on the embedded servers and brings it to open voting with
/// `members` on the roll: 32 expressions of interest (30 approved), a 3-of-5
/// key ceremony, the roll and its tokens. Prints a line per stage.
pub async fn open_poll(servers: &Embedded, poll: &str, members: usize) -> Result<Staged> {
    open_poll_with(servers, poll, members, None, |_| async { Ok(()) }).await
}

/// [`open_poll`], in registrar mode when `registrar` is the registrar's
/// public key (spec: board §4.12): no roll or tokens at the server;
/// `before_voting` runs once nominations closed, before voting opens
/// (the registrar posts its list there).
pub async fn open_poll_with<F, Fut>(
    servers: &Embedded,
    poll: &str,
    members: usize,
    registrar: Option<[u8; 32]>,
    before_voting: F,
) -> Result<Staged>
where
    F: FnOnce(PollView) -> Fut,
    Fut: std::future::Future<Output = Result<()>>,
{
    let api = servers.api(0, poll)?;
    let now = servers.now;
    let trustee_keys: Vec<CredentialSecret> =
        (0..5).map(|_| CredentialSecret::generate(&mut OsRng)).collect();
    let manifest = json!({
        "poll_id": poll,
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
    let mut manifest = manifest;
    if let Some(k) = registrar {
        manifest["registrar_key"] = json!(hex::encode(k));
    }
    let created = api.create_poll(&manifest).await?;
    println!("✓ poll created: manifest hash {}", short(created["manifest_hash"].as_str().unwrap_or("")));
    nominate(&api).await?;

    // The key ceremony: five trustees, each on "their own machine".
    let view = PollView::fetch(&api).await?;
    let trustees = shortlist_client::ceremony::run_in_one_process(&api, &view, &trustee_keys).await?;
    println!("✓ key ceremony: 5 trustees, threshold 3, every share checked");

    // Nominations close; the roll and the tokens; voting opens.
    servers.clock.set(now + 7 * DAY);
    api.action("/nominations/close").await?;
    let (mut tokens, mut booth_paths) = (Vec::new(), Vec::new());
    if registrar.is_none() {
        let mut roll = String::from("member_id,name,email\n");
        for i in 0..members {
            roll.push_str(&format!("M{i:06},Member {i},member{i}@example.org\n"));
        }
        api.import_roll(&roll).await?;
        let csv = api.issue_tokens().await?;
        tokens = crate::organiser::column(&csv, "token")?;
        booth_paths = crate::organiser::column(&csv, "booth_path")?;
        if tokens.len() != members {
            bail!("{} tokens issued for {members} members", tokens.len());
        }
        println!("✓ roll: {members} members, one eligibility token each (stored only as hashes)");
    }
    before_voting(PollView::fetch(&api).await?).await?;
    servers.clock.set(now + 8 * DAY);
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
    Ok(Staged { view, trustees, tokens, booth_paths })
}

/// Nominations: 32 expressions of interest; the organiser approves 30.
async fn nominate(api: &Api<Http>) -> Result<()> {
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
    Ok(())
}

/// Closes voting, starts the tally and has three trustees decrypt.
pub async fn close_and_tally(servers: &Embedded, api: &Api<Http>, trustees: &mut [Trustee]) -> Result<()> {
    servers.clock.set(servers.now + 15 * DAY);
    api.action("/voting/close").await?;
    crate::start_tally(api).await?;
    // Three trustees decrypt, one after another: on one machine, at once
    // would only hold three copies of the board (measured: no faster).
    for tr in trustees.iter_mut().take(3) {
        tr.decrypt(api).await?;
    }
    Ok(())
}

/// Trustees following the board during voting (board §8.6), as each would
/// on its own machine: here on one thread of their own beside the server,
/// one after another, every `every`.
pub struct Followers {
    stop: Arc<std::sync::atomic::AtomicBool>,
    handle: std::thread::JoinHandle<Result<Vec<Following>>>,
}

impl Followers {
    /// Starts the first three of `trustees` following the poll at `base`.
    pub fn spawn(base: &str, poll: &str, trustees: &[Trustee], every: Duration) -> Result<Self> {
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let mut followings: Vec<Following> =
            trustees.iter().take(3).map(|t| Following::new(t.index, t.seen().to_vec())).collect();
        let api = Api::new(Http::new(base)?, poll);
        let stopped = stop.clone();
        let handle = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
            rt.block_on(async {
                loop {
                    let last = stopped.load(std::sync::atomic::Ordering::Acquire);
                    for f in &mut followings {
                        f.catch_up(&api).await?;
                    }
                    if last {
                        return Ok(followings);
                    }
                    // Wait `every`, or less if told to stop.
                    let until = std::time::Instant::now() + every;
                    while !stopped.load(std::sync::atomic::Ordering::Acquire)
                        && std::time::Instant::now() < until
                    {
                        tokio::time::sleep(Duration::from_millis(50)).await;
                    }
                }
            })
        });
        Ok(Self { stop, handle })
    }

    /// Has the trustees read the board once more and stop: their
    /// verification so far, for [`close_and_tally_following`].
    pub fn finish(self) -> Result<Vec<Following>> {
        self.stop.store(true, std::sync::atomic::Ordering::Release);
        self.handle.join().map_err(|_| anyhow::anyhow!("a following trustee panicked"))?
    }
}

/// [`close_and_tally`] for trustees that followed the board during voting
/// (board §8.6): each verifies only the tail before it decrypts.
pub async fn close_and_tally_following(
    servers: &Embedded,
    api: &Api<Http>,
    trustees: &mut [Trustee],
    followings: Vec<Following>,
) -> Result<()> {
    servers.clock.set(servers.now + 15 * DAY);
    api.action("/voting/close").await?;
    crate::start_tally(api).await?;
    for (tr, f) in trustees.iter_mut().zip(followings) {
        let d = tr.prepare_decryption_following(api, f).await?;
        shortlist_client::trustee::post_decryption(api, &d).await?;
    }
    Ok(())
}

/// The first 16 hex digits of a hash, for display.
pub fn short(hex: &str) -> String {
    hex.get(..16).map(|h| format!("{h}…")).unwrap_or_else(|| hex.to_string())
}

/// Bytes as megabytes.
#[allow(clippy::cast_precision_loss)]
pub fn mb(bytes: usize) -> f64 {
    bytes as f64 / 1e6
}
