//! Shared harness of the end-to-end tests: a real server on a loopback port
//! over SQLite, with a clock the test moves, and the TOML manifest the
//! command-line tests write.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use shortlist_crypto::credential::CredentialSecret;
use shortlist_server::clock::ManualClock;
use shortlist_server::limits::Limits;
use shortlist_server::mail::MailConfig;
use shortlist_server::{App, ServerParts};

/// A server on a loopback port, stopped by [`Loopback::stop`].
pub struct Loopback {
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    stop: tokio::sync::oneshot::Sender<()>,
    server: tokio::task::JoinHandle<()>,
}

impl Loopback {
    /// Starts a server whose SQLite database lives in `dir`, with a fresh
    /// server key, the given organiser key, clock and limits.
    pub async fn start(dir: &Path, organiser_key: &str, clock: &ManualClock, limits: Limits) -> Self {
        Self::start_with_mail(dir, organiser_key, clock, limits, None).await
    }

    /// [`Loopback::start`], with e-mail delivery of tokens when `mail` is given.
    pub async fn start_with_mail(
        dir: &Path,
        organiser_key: &str,
        clock: &ManualClock,
        limits: Limits,
        mail: Option<MailConfig>,
    ) -> Self {
        let mut app = App::new(ServerParts {
            store: shortlist_store::Store::open(&shortlist_server::config::sqlite_url(dir)).await.unwrap(),
            server_key: CredentialSecret::generate(&mut rand::rngs::OsRng),
            organiser_key: organiser_key.into(),
            clock: Arc::new(clock.clone()),
            limits,
        })
        .unwrap();
        if let Some(config) = mail {
            app = app.with_mail(config).unwrap();
        }
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(async move {
            let stopped = async {
                let _ = stopped.await;
            };
            shortlist_server::serve::run(app, listener, Duration::from_secs(5), stopped).await.unwrap();
        });
        Self { url, stop, server }
    }

    /// Stops the server gracefully and checks it ended without an error.
    pub async fn stop(self) {
        let _ = self.stop.send(());
        self.server.await.unwrap();
    }
}

/// Limits for a test whose every request comes from one address: no
/// per-client or per-credential rate.
pub fn one_client_limits() -> Limits {
    Limits { per_client_per_sec: 0, per_credential_per_min: 0, ..Limits::default() }
}

/// Writes `DIR/POLL.toml`: a manifest with threshold 2 of the given trustee
/// keys, "last ballot counts", nominations closing at `t0 + 100`, voting
/// from `t0 + 200` to `t0 + 300`, and the given `[[contests]]` tables.
pub fn manifest_toml(
    dir: &Path,
    poll: &str,
    title: &str,
    t0: u64,
    contests: &str,
    keys: &[String],
) -> PathBuf {
    let trustees: String = keys
        .iter()
        .enumerate()
        .map(|(i, k)| format!("[[trustees]]\nname = \"Trustee {}\"\nkey = \"{k}\"\n\n", i + 1))
        .collect();
    let text = format!(
        "poll_id = \"{poll}\"\ntitle = \"{title}\"\nthreshold = 2\nrevote = \"last\"\n\n\
         [timetable]\nnominations_close = {}\nvoting_open = {}\nvoting_close = {}\n\n{contests}{trustees}",
        t0 + 100,
        t0 + 200,
        t0 + 300
    );
    let path = dir.join(format!("{poll}.toml"));
    std::fs::write(&path, text).unwrap();
    path
}

/// E-mail delivery to an SMTP port on 127.0.0.1 that nobody listens on:
/// every attempt fails for now and waits for a retry, with its reason.
pub fn mail_to_a_closed_port() -> MailConfig {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    toml::from_str(&format!(
        "smtp_host = \"127.0.0.1\"\nsmtp_port = {port}\ntls = \"none\"\nfrom = \"Elections <elections@example.org>\"\n\
         public_url = \"https://vote.example.org\"\nretry_base_ms = 600000\n"
    ))
    .unwrap()
}

/// `n` trustees make their sealed key files in `dir` with `shortlist trustee
/// keygen` (`trustee1.key`, …, under the passphrase in `pass`): the files
/// and the public keys (hex), in index order.
pub fn trustee_keys(dir: &Path, pass: &Path, n: usize) -> (Vec<PathBuf>, Vec<String>) {
    let pass_arg = pass.to_str().unwrap();
    let files: Vec<PathBuf> = (1..=n).map(|i| dir.join(format!("trustee{i}.key"))).collect();
    let mut keys = Vec::new();
    for k in &files {
        let argv =
            ["shortlist", "trustee", "--key", k.to_str().unwrap(), "--passphrase-file", pass_arg, "keygen"];
        assert_eq!(
            shortlist_cli::run(argv),
            std::process::ExitCode::SUCCESS,
            "trustee keygen {}",
            k.display()
        );
        keys.push(shortlist_cli::trustee::public_key(k, pass).unwrap());
    }
    (files, keys)
}
