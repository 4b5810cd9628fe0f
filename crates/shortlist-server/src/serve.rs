//! Serving over TCP (spec: api §8): HTTP/1.1 with a header-read timeout,
//! and a graceful stop on Ctrl-C or SIGTERM that finishes the requests in
//! flight and commits every queued append before the process exits.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tower::ServiceExt;

use crate::clock::SystemClock;
use crate::config::Config;
use crate::keys;
use crate::{App, ServerParts};

/// Largest request head (request line and headers), bytes: larger is 431.
const HEADER_BYTES: usize = 64 * 1024;

/// How long a stop waits for requests in flight.
const DRAIN: Duration = Duration::from_secs(30);

/// Opens the store, loads or makes the keys, and builds the app.
pub async fn open(config: &Config) -> anyhow::Result<App> {
    make_private_dir(&config.data_dir)
        .map_err(|e| anyhow::anyhow!("making the data directory {}: {e}", config.data_dir.display()))?;
    reachable(&config.database_url).await?;
    let store = shortlist_store::Store::open(&config.database_url).await?;
    // spec: api §4 — the key every poll on this database names, or none.
    let (server_key, made) = keys::deployment_server_key(&store, &config.server_key_file).await?;
    if made {
        tracing::info!(path = %config.server_key_file.display(), "made the server's signing key");
    }
    let organiser_key = match &config.organiser_key {
        Some(k) => zeroize::Zeroizing::new(k.clone()),
        None => {
            if !config.organiser_key_file.exists() && keys::foreign_poll(&store, None).await?.is_some() {
                // Another instance's deployment: its organiser key, not a new one.
                anyhow::bail!(
                    "no organiser key at {}, and the database already has polls: refusing to make a new \
                     key; give this instance the deployment's organiser key (a copy of its organiser.key \
                     with --organiser-key-file, or SHORTLIST_ORGANISER_KEY; see spec/api.md §4)",
                    config.organiser_key_file.display()
                );
            }
            let (key, made) = keys::load_or_make_organiser_key(&config.organiser_key_file)?;
            if made {
                println!("made an organiser key: {}", config.organiser_key_file.display());
            } else {
                println!("organiser key: {}", config.organiser_key_file.display());
            }
            key
        }
    };
    if organiser_key.trim().len() < 16 {
        anyhow::bail!(
            "the organiser key must be at least 16 characters ({})",
            config.organiser_key_file.display()
        );
    }
    let app = App::new(ServerParts {
        store,
        server_key,
        organiser_key: organiser_key.to_string(),
        clock: Arc::new(SystemClock),
        limits: config.limits.clone(),
    })
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    let app = match &config.mail {
        // spec: api §4.2 — the sender resumes the queue an earlier run left.
        Some(mail) => {
            let app = app.with_mail(mail.clone())?;
            println!("sending tokens by email through {}:{}", mail.smtp_host, mail.port());
            app
        }
        None => app,
    };
    Ok(app)
}

/// How long start-up waits for PostgreSQL to accept a connection.
const CONNECT: Duration = Duration::from_secs(5);

/// The `host:port` of a `postgres://` URL (no user, no password), if it is one.
fn postgres_address(url: &str) -> Option<String> {
    let rest = url.strip_prefix("postgres://").or_else(|| url.strip_prefix("postgresql://"))?;
    let authority = rest.split(['/', '?']).next().unwrap_or("");
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = if host.is_empty() { "localhost" } else { host };
    // A bracketed IPv6 address keeps its colons.
    let has_port = host.rsplit_once(':').is_some_and(|(_, p)| !p.contains(']'));
    Some(if has_port { host.to_string() } else { format!("{host}:5432") })
}

/// Before opening a PostgreSQL database, checks within [`CONNECT`] that its
/// host and port accept a connection: an unreachable server is a clear
/// error naming them, not half a minute of silence.
async fn reachable(url: &str) -> anyhow::Result<()> {
    let Some(address) = postgres_address(url) else { return Ok(()) };
    match tokio::time::timeout(CONNECT, tokio::net::TcpStream::connect(&address)).await {
        Ok(Ok(_)) => Ok(()),
        Ok(Err(e)) => anyhow::bail!(
            "cannot reach PostgreSQL at {address}: {e} (is it running, and is --database-url right?)"
        ),
        Err(_) => anyhow::bail!(
            "cannot reach PostgreSQL at {address}: no answer within {} s (is it running, and is --database-url right?)",
            CONNECT.as_secs()
        ),
    }
}

/// Makes `dir` (and its parents) if missing; a directory made here is
/// readable by its owner only (it holds the keys and the database).
fn make_private_dir(dir: &std::path::Path) -> std::io::Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    let mut b = std::fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        b.mode(0o700);
    }
    b.create(dir)
}

/// Serves `app` on `listener` until `stop` resolves, then drains.
pub async fn run(
    app: App,
    listener: TcpListener,
    header_timeout: Duration,
    stop: impl Future<Output = ()>,
) -> anyhow::Result<()> {
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder.timer(TokioTimer::new()).header_read_timeout(header_timeout).max_buf_size(HEADER_BYTES);
    let connections = app.state.shared.limits.connections.clone();
    tokio::pin!(stop);
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let (stream, addr) = match accepted {
                    Ok(x) => x,
                    Err(e) => {
                        tracing::warn!(error = %e, "accept failed");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                };
                // spec: api §6 — open connections per client address.
                let Some(guard) = connections.open(addr.ip()) else {
                    tokio::spawn(refuse(stream));
                    continue;
                };
                let router = app.router.clone();
                let svc = tower::service_fn(move |mut req: hyper::Request<Incoming>| {
                    req.extensions_mut().insert(ConnectInfo::<SocketAddr>(addr));
                    router.clone().oneshot(req.map(axum::body::Body::new))
                });
                let conn = builder.serve_connection(TokioIo::new(stream), TowerToHyperService::new(svc));
                let conn = graceful.watch(conn);
                tokio::spawn(async move {
                    if let Err(e) = conn.await {
                        tracing::debug!(error = %e, "connection ended with an error");
                    }
                    drop(guard);
                });
            }
            () = &mut stop => break,
        }
    }
    drop(listener);
    app.stop_streams();
    tracing::info!("stopping: finishing requests in flight");
    if tokio::time::timeout(DRAIN, graceful.shutdown()).await.is_err() {
        tracing::warn!("some connections did not finish in time");
    }
    app.finish().await;
    tracing::info!("stopped; every acknowledged append is committed");
    Ok(())
}

/// Answers a connection over its address's limit with 429 `rate_limited`
/// and closes it, reading nothing (spec: api §6).
async fn refuse(stream: tokio::net::TcpStream) {
    const BODY: &str = r#"{"code":"rate_limited","message":"too many connections from this address"}"#;
    let answer = format!(
        "HTTP/1.1 429 Too Many Requests\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\
         connection: close\r\n\r\n{BODY}",
        BODY.len()
    );
    let talk = async {
        let mut sent = 0;
        while sent < answer.len() {
            stream.writable().await?;
            match stream.try_write(answer.as_bytes().get(sent..).unwrap_or_default()) {
                Ok(n) => sent += n,
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
                Err(e) => return Err(e),
            }
        }
        // Read what the client sent (a close with unread data would reset
        // the connection and could lose the answer), until it closes.
        let mut sink = [0u8; 4096];
        loop {
            stream.readable().await?;
            match stream.try_read(&mut sink) {
                Ok(0) => return Ok(()),
                Ok(_) => {}
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
                Err(e) => return Err(e),
            }
        }
    };
    let _ = tokio::time::timeout(Duration::from_secs(1), talk).await;
}

/// Resolves on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}

/// `shortlist serve`: resolves the configuration and serves until stopped.
pub async fn serve(config: Config) -> anyhow::Result<()> {
    let app = open(&config).await?;
    let listener =
        TcpListener::bind(&config.bind).await.map_err(|e| anyhow::anyhow!("binding {}: {e}", config.bind))?;
    let addr = listener.local_addr()?;
    println!("shortlist listening on http://{addr}  (API description: http://{addr}/v1/openapi.json)");
    println!("database: {}", redact_url(&config.database_url));
    let header_timeout = Duration::from_secs(config.limits.header_timeout_secs.max(1));
    run(app, listener, header_timeout, shutdown_signal()).await
}

/// A database URL without its password.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.find(':') {
                Some(c) => format!("{}{}:***{}", &url[..s + 3], &creds[..c], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}
