//! Availability under abuse (issue 16, defect 1 and build 6): a real TCP
//! server (`serve::run`) with a small concurrency limit, attacked from many
//! loopback addresses (127.0.x.y, each a different client to the server) by
//! slow headers, slow bodies, a flood from one address and from many,
//! oversize bodies and headers, and more connections than one address may
//! hold; meanwhile honest members register and cast, each request within
//! 1 s, and the process's resident memory stays bounded. Prints the figures.

mod common;

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::*;
use shortlist_client::board::PollView;
use shortlist_client::member::Member;
use shortlist_client::{Api, ClientError, Method, Reply, Transport};
use shortlist_crypto::credential::CredentialSecret;
use shortlist_crypto::elgamal::Encrypter;
use shortlist_server::clock::ManualClock;
use shortlist_server::limits::Limits;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

const POLL: &str = "abuse";
const CONCURRENCY: usize = 16;
const PER_CLIENT_CONNECTIONS: usize = 32;

/// A TCP connection from a chosen loopback address.
async fn connect(from: Ipv4Addr, to: SocketAddr) -> std::io::Result<TcpStream> {
    let s = TcpSocket::new_v4()?;
    s.bind(SocketAddr::from((from, 0)))?;
    s.connect(to).await
}

/// Writes `raw` and reads the answer until the server closes; returns the
/// status (0 if none) and the body.
async fn exchange(from: Ipv4Addr, to: SocketAddr, raw: &[u8], wait: Duration) -> (u16, Vec<u8>) {
    let talk = async {
        let mut s = connect(from, to).await?;
        // The server may answer and close before taking everything.
        let _ = s.write_all(raw).await;
        let mut buf = Vec::new();
        let _ = s.read_to_end(&mut buf).await;
        std::io::Result::Ok(buf)
    };
    match tokio::time::timeout(wait, talk).await {
        Ok(Ok(buf)) => parse(&buf),
        _ => (0, Vec::new()),
    }
}

fn parse(buf: &[u8]) -> (u16, Vec<u8>) {
    let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") else { return (0, Vec::new()) };
    let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
    let status = head.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let mut body = buf[end + 4..].to_vec();
    if head.contains("transfer-encoding: chunked") {
        let mut out = Vec::new();
        let mut rest = body.as_slice();
        while let Some(nl) = rest.windows(2).position(|w| w == b"\r\n") {
            let n = usize::from_str_radix(String::from_utf8_lossy(&rest[..nl]).trim(), 16).unwrap_or(0);
            if n == 0 || rest.len() < nl + 2 + n {
                break;
            }
            out.extend_from_slice(&rest[nl + 2..nl + 2 + n]);
            rest = &rest[(nl + 4 + n).min(rest.len())..];
        }
        body = out;
    }
    (status, body)
}

/// The honest member's transport: one connection per request from 127.0.0.1.
#[derive(Clone)]
struct Tcp(SocketAddr);

impl Transport for Tcp {
    async fn send(
        &self,
        method: Method,
        path: &str,
        bearer: Option<&str>,
        ct: &str,
        body: Vec<u8>,
    ) -> shortlist_client::Result<Reply> {
        let m = if matches!(method, Method::Get) { "GET" } else { "POST" };
        let auth = bearer.map(|b| format!("authorization: Bearer {b}\r\n")).unwrap_or_default();
        let mut raw = format!(
            "{m} {path} HTTP/1.1\r\nhost: x\r\ncontent-type: {ct}\r\ncontent-length: {}\r\n{auth}connection: close\r\n\r\n",
            body.len()
        )
        .into_bytes();
        raw.extend_from_slice(&body);
        let (status, body) = exchange(Ipv4Addr::LOCALHOST, self.0, &raw, Duration::from_secs(60)).await;
        if status == 0 {
            return Err(ClientError::Transport("no answer".into()));
        }
        Ok(Reply { status, body })
    }
}

fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmRSS:")).map(str::to_string))
        .and_then(|l| l.split_whitespace().nth(1).and_then(|n| n.parse().ok()))
        .unwrap_or(0)
}

fn addr(a: u8, b: u8) -> Ipv4Addr {
    Ipv4Addr::new(127, 0, a, b)
}

/// Slow headers: a byte every half second, never finishing.
async fn slow_headers(from: Ipv4Addr, to: SocketAddr, stop: Arc<AtomicBool>) {
    let Ok(mut s) = connect(from, to).await else { return };
    for b in b"GET /healthz HTTP/1.1\r\nhost: slow\r\nx-slow: ".iter().chain(std::iter::repeat(&b'a')) {
        if stop.load(Ordering::Relaxed) || s.write_all(&[*b]).await.is_err() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

/// Slow bodies: complete headers of a ballot with a 1,000-byte body, then a
/// byte a second. Counts the connections the server closed or answered.
async fn slow_body(from: Ipv4Addr, to: SocketAddr, stop: Arc<AtomicBool>, answered: Arc<AtomicU64>) {
    let Ok(mut s) = connect(from, to).await else { return };
    let head = format!(
        "POST /v1/polls/{POLL}/ballots HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n"
    );
    if s.write_all(head.as_bytes()).await.is_err() {
        return;
    }
    while !stop.load(Ordering::Relaxed) {
        if s.write_all(b" ").await.is_err() {
            answered.fetch_add(1, Ordering::Relaxed);
            return;
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

/// A flood of requests from one address, as fast as answers come; counts
/// the answers by status class (2xx, 429, other).
async fn flood(from: Ipv4Addr, to: SocketAddr, stop: Arc<AtomicBool>, counts: Arc<[AtomicU64; 3]>) {
    let raw = format!("GET /v1/polls/{POLL}/status HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n");
    while !stop.load(Ordering::Relaxed) {
        let (status, _) = exchange(from, to, raw.as_bytes(), Duration::from_secs(5)).await;
        let i = match status {
            200..=299 => 0,
            429 => 1,
            _ => 2,
        };
        counts[i].fetch_add(1, Ordering::Relaxed);
    }
}

/// Slow bodies, floods and the rest together, with honest members casting.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn honest_members_cast_under_abuse() {
    let db = Db::sqlite();
    let clock = ManualClock::new(T0);
    let key = CredentialSecret::generate(&mut rand::rngs::OsRng);
    let limits = Limits {
        concurrency: CONCURRENCY,
        connections_per_client: PER_CLIENT_CONNECTIONS,
        per_credential_per_min: 0,
        ..Limits::default()
    };
    let server = Server::start_with(&db, clock.clone(), &key, limits).await;
    let api = server.api(POLL);
    let people = People::new(5);
    setup(&api, &people, &clock).await;
    let tokens = roll(&api, 8).await;
    clock.set(T0 + 200);
    api.action("/voting/open").await.unwrap();
    let view = PollView::fetch(&api).await.unwrap();
    let enc = Encrypter::new(&view.context().unwrap().joint_key);

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let to = listener.local_addr().unwrap();
    let (stop_server, stopped) = tokio::sync::oneshot::channel::<()>();
    let served =
        tokio::spawn(shortlist_server::serve::run(server.app, listener, Duration::from_secs(10), async {
            let _ = stopped.await;
        }));
    let honest = Api::new(Tcp(to), POLL);
    // Warm up: one honest member before any attack.
    let m = Member::new();
    m.register(&honest, &tokens[0]).await.unwrap();
    m.cast(&honest, &view, &m.prepare(&view, &enc, &choose()).unwrap()).await.unwrap();
    let rss_before = rss_kib();

    let stop = Arc::new(AtomicBool::new(false));
    let peak = Arc::new(AtomicU64::new(rss_before));
    let sampler = {
        let (stop, peak) = (stop.clone(), peak.clone());
        tokio::spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                peak.fetch_max(rss_kib(), Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        })
    };
    let mut attacks = tokio::task::JoinSet::new();
    // 200 slow-header connections from 100 addresses.
    for i in 0..200u16 {
        attacks.spawn(slow_headers(addr(1, (i % 100 + 1) as u8), to, stop.clone()));
    }
    // 300 slow-body connections from 150 addresses: far more than the
    // concurrency limit (16).
    let slow_answered = Arc::new(AtomicU64::new(0));
    for i in 0..300u16 {
        attacks.spawn(slow_body(addr(2, (i % 150 + 1) as u8), to, stop.clone(), slow_answered.clone()));
    }
    // A flood from one address (16 at once) and from 64 others.
    let one = Arc::new([AtomicU64::new(0), AtomicU64::new(0), AtomicU64::new(0)]);
    for _ in 0..16 {
        attacks.spawn(flood(addr(0, 2), to, stop.clone(), one.clone()));
    }
    let many = Arc::new([AtomicU64::new(0), AtomicU64::new(0), AtomicU64::new(0)]);
    for i in 0..64u8 {
        attacks.spawn(flood(addr(3, i + 1), to, stop.clone(), many.clone()));
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;

    // Oversize: a declared 100 MB body (none sent), a chunked body past the
    // limit, 100 kB of headers.
    let t = Instant::now();
    let raw = format!("POST /v1/polls/{POLL}/ballots HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 100000000\r\n\r\n");
    let (status, body) = exchange(addr(4, 1), to, raw.as_bytes(), Duration::from_secs(5)).await;
    let declared_ms = t.elapsed().as_millis();
    assert_eq!(status, 413, "a declared oversize body: {}", String::from_utf8_lossy(&body));
    assert!(String::from_utf8_lossy(&body).contains("too_large"));
    let mut raw = format!("POST /v1/polls/{POLL}/ballots HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n").into_bytes();
    for _ in 0..40 {
        raw.extend_from_slice(format!("{:x}\r\n", 64 * 1024).as_bytes());
        raw.extend(std::iter::repeat_n(b' ', 64 * 1024));
        raw.extend_from_slice(b"\r\n");
    }
    raw.extend_from_slice(b"0\r\n\r\n");
    let (status, _) = exchange(addr(4, 2), to, &raw, Duration::from_secs(10)).await;
    assert_eq!(status, 413, "a chunked body past the limit");
    let raw = format!("GET /healthz HTTP/1.1\r\nhost: x\r\nx-big: {}\r\n\r\n", "a".repeat(100_000));
    let (status, _) = exchange(addr(4, 3), to, raw.as_bytes(), Duration::from_secs(5)).await;
    // 431, unless the server's close reset the connection before the
    // client read the answer: refused either way.
    assert!(status == 431 || status == 0, "100 kB of headers: {status}");
    let (status, _) = exchange(
        Ipv4Addr::LOCALHOST,
        to,
        b"GET /healthz HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n",
        Duration::from_secs(5),
    )
    .await;
    assert_eq!(status, 200);

    // More connections than one address may hold: the extra ones get 429.
    let mut held = Vec::new();
    for _ in 0..PER_CLIENT_CONNECTIONS + 8 {
        held.push(connect(addr(5, 1), to).await.unwrap());
    }
    let mut reads = tokio::task::JoinSet::new();
    for mut s in held {
        reads.spawn(async move {
            let mut buf = [0u8; 64];
            let answer = tokio::time::timeout(Duration::from_secs(3), s.read(&mut buf)).await;
            matches!(answer, Ok(Ok(n)) if n > 0 && buf.starts_with(b"HTTP/1.1 429"))
        });
    }
    let refused = reads.join_all().await.into_iter().filter(|r| *r).count();
    assert_eq!(refused, 8, "connections past {PER_CLIENT_CONNECTIONS} from one address are refused");

    // Honest members, while all of the above runs.
    let mut slowest = Duration::ZERO;
    let mut health = Duration::ZERO;
    for token in &tokens[1..] {
        let m = Member::new();
        let t = Instant::now();
        m.register(&honest, token).await.unwrap();
        slowest = slowest.max(t.elapsed());
        let p = m.prepare(&view, &enc, &choose()).unwrap();
        let t = Instant::now();
        m.cast(&honest, &view, &p).await.unwrap();
        slowest = slowest.max(t.elapsed());
        let t = Instant::now();
        let (status, _) = exchange(
            Ipv4Addr::LOCALHOST,
            to,
            b"GET /healthz HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n",
            Duration::from_secs(30),
        )
        .await;
        assert_eq!(status, 200);
        health = health.max(t.elapsed());
    }
    stop.store(true, Ordering::Relaxed);
    sampler.await.unwrap();
    let peak = peak.load(Ordering::Relaxed);
    let (o, m) = (&one, &many);
    eprintln!(
        "abuse: honest register/cast slowest {} ms, /healthz slowest {} ms ({} members); \
         oversize Content-Length refused in {declared_ms} ms; \
         flood from one address: {} ok, {} rate-limited, {} other; from 64 addresses: {} ok, {} rate-limited, {} other; \
         slow bodies cut off so far: {}; RSS before {} MiB, peak {} MiB",
        slowest.as_millis(),
        health.as_millis(),
        tokens.len() - 1,
        o[0].load(Ordering::Relaxed),
        o[1].load(Ordering::Relaxed),
        o[2].load(Ordering::Relaxed),
        m[0].load(Ordering::Relaxed),
        m[1].load(Ordering::Relaxed),
        m[2].load(Ordering::Relaxed),
        slow_answered.load(Ordering::Relaxed),
        rss_before / 1024,
        peak / 1024,
    );
    assert!(slowest < Duration::from_secs(1), "an honest request took {slowest:?}");
    assert!(health < Duration::from_secs(1), "/healthz took {health:?}");
    assert!(o[1].load(Ordering::Relaxed) > 0, "the flood from one address is rate-limited");
    assert!(peak < rss_before + 256 * 1024, "memory grew from {rss_before} KiB to {peak} KiB");
    attacks.abort_all();
    let _ = stop_server.send(());
    served.await.unwrap().unwrap();
}
