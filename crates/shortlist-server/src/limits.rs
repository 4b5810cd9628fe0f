//! Limits (spec: api §6): request rates per client address on every route
//! and per credential on casting and auditing (over the limit: 429
//! `rate_limited`); open connections per client address; and the body gate,
//! which reads a request's body whole, within a deadline, before the request
//! takes a concurrency permit or anything else that is scarce.

use shortlist_board::error_code::ErrorCode;
use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::error::AppError;

/// The limits a server enforces.
#[derive(Clone, Debug, serde::Deserialize, serde::Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct Limits {
    /// Largest request body, bytes.
    pub body_bytes: usize,
    /// Largest body of a roll import (`POST /v1/polls/{poll}/roll`, a CSV of
    /// the whole roll in one request, so that an import is all or nothing).
    pub roll_bytes: usize,
    /// Whole-request timeout, seconds.
    pub request_timeout_secs: u64,
    /// Time allowed to read a request's headers, seconds.
    pub header_timeout_secs: u64,
    /// Time allowed to read a request's body, seconds, before the time its
    /// size allows at `body_min_bytes_per_sec`.
    pub body_timeout_secs: u64,
    /// The slowest rate a body may arrive at, bytes per second: a body of
    /// `n` bytes must arrive within `body_timeout_secs + n / this`.
    pub body_min_bytes_per_sec: u64,
    /// Open connections per client address (0: unlimited).
    pub connections_per_client: usize,
    /// Requests handled at once; more wait.
    pub concurrency: usize,
    /// Requests per second per client address (0: unlimited).
    pub per_client_per_sec: u32,
    /// Burst per client address.
    pub per_client_burst: u32,
    /// Ballots and audits per minute per credential (0: unlimited).
    pub per_credential_per_min: u32,
    /// Burst per credential.
    pub per_credential_burst: u32,
    /// How long `POST …/tally` waits for the sum of the ballots before it
    /// answers 202 (the sum goes on), milliseconds; at most half the
    /// request timeout.
    pub tally_wait_ms: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            body_bytes: 1 << 20,
            roll_bytes: 64 << 20,
            request_timeout_secs: 30,
            header_timeout_secs: 10,
            body_timeout_secs: 10,
            body_min_bytes_per_sec: 65_536,
            connections_per_client: 256,
            concurrency: 512,
            per_client_per_sec: 50,
            per_client_burst: 200,
            per_credential_per_min: 12,
            per_credential_burst: 6,
            tally_wait_ms: 15_000,
        }
    }
}

/// The limiters themselves.
pub struct RateLimits {
    per_client: Option<DefaultKeyedRateLimiter<IpAddr>>,
    per_credential: Option<DefaultKeyedRateLimiter<[u8; 32]>>,
    /// Open connections per client address.
    pub connections: Arc<Connections>,
}

impl RateLimits {
    /// Limiters for `limits`.
    pub fn new(limits: &Limits) -> Self {
        let per_client = NonZeroU32::new(limits.per_client_per_sec).map(|rate| {
            let burst = NonZeroU32::new(limits.per_client_burst).unwrap_or(rate);
            RateLimiter::keyed(Quota::per_second(rate).allow_burst(burst))
        });
        let per_credential = NonZeroU32::new(limits.per_credential_per_min).map(|rate| {
            let burst = NonZeroU32::new(limits.per_credential_burst).unwrap_or(rate);
            RateLimiter::keyed(Quota::per_minute(rate).allow_burst(burst))
        });
        let connections =
            Arc::new(Connections { max: limits.connections_per_client, open: Mutex::default() });
        Self { per_client, per_credential, connections }
    }

    /// Takes one request from a credential's allowance.
    pub fn credential(&self, key: &[u8; 32]) -> Result<(), AppError> {
        match &self.per_credential {
            Some(l) if l.check_key(key).is_err() => {
                Err(limited("too many ballots from this credential; wait a minute"))
            }
            Some(l) => {
                if l.len() > 100_000 {
                    l.retain_recent();
                }
                Ok(())
            }
            None => Ok(()),
        }
    }
}

impl RateLimits {
    /// Takes one audit from a client address's allowance (spec: api §6):
    /// audits carry no credential (board §4.7), so the per-credential quota
    /// applies to the address instead. The address is used only here, in
    /// memory, and never stored with the audit.
    pub fn audit(&self, ip: IpAddr) -> Result<(), AppError> {
        use sha2::{Digest, Sha256};
        let mut h = Sha256::new();
        h.update(b"shortlist/audit-limit\0");
        h.update(ip.to_string().as_bytes());
        let key: [u8; 32] = h.finalize().into();
        self.credential(&key).map_err(|_| limited("too many audits from this address; wait a minute"))
    }
}

/// The client's address, where the server knows it (in process: unspecified).
#[derive(Clone, Copy, Debug)]
pub struct ClientAddr(pub IpAddr);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _state: &S,
    ) -> Result<Self, Self::Rejection> {
        Ok(Self(
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|c| c.0.ip())
                .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED)),
        ))
    }
}

fn limited(message: &str) -> AppError {
    AppError::new(StatusCode::TOO_MANY_REQUESTS, ErrorCode::RateLimited, message)
}

/// Middleware: the per-address limit. Requests without a peer address (in
/// process) count as one client.
pub async fn per_client(State(limits): State<Arc<RateLimits>>, req: Request, next: Next) -> Response {
    if let Some(l) = &limits.per_client {
        let ip = req
            .extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip())
            .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
        if l.check_key(&ip).is_err() {
            return limited("too many requests from this address; slow down").into_response();
        }
        if l.len() > 100_000 {
            l.retain_recent();
        }
    }
    next.run(req).await
}

/// Open connections per client address (spec: api §6).
#[derive(Debug)]
pub struct Connections {
    max: usize,
    open: Mutex<HashMap<IpAddr, usize>>,
}

/// One open connection, counted until dropped.
#[derive(Debug)]
pub struct ConnectionGuard {
    connections: Arc<Connections>,
    ip: IpAddr,
}

impl Connections {
    /// Counts a new connection from `ip`, or `None` if that address already
    /// holds its limit.
    pub fn open(self: &Arc<Self>, ip: IpAddr) -> Option<ConnectionGuard> {
        let mut open = self.open.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let n = open.entry(ip).or_insert(0);
        if self.max > 0 && *n >= self.max {
            return None;
        }
        *n += 1;
        Some(ConnectionGuard { connections: self.clone(), ip })
    }

    /// How many connections `ip` holds open.
    pub fn count(&self, ip: IpAddr) -> usize {
        self.open.lock().map(|m| m.get(&ip).copied().unwrap_or(0)).unwrap_or(0)
    }
}

impl Drop for ConnectionGuard {
    fn drop(&mut self) {
        let mut open = self.connections.open.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(n) = open.get_mut(&self.ip) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                open.remove(&self.ip);
            }
        }
    }
}

/// What the body gate allows.
#[derive(Clone, Copy, Debug)]
pub struct BodyGate {
    /// Largest body, bytes.
    pub limit: usize,
    /// Largest body of a roll import, bytes.
    pub roll_limit: usize,
    /// The time allowed before the size's share.
    pub base: Duration,
    /// The slowest rate, bytes per second.
    pub min_rate: u64,
}

impl BodyGate {
    /// The gate for `limits`.
    pub fn new(limits: &Limits) -> Self {
        Self {
            limit: limits.body_bytes,
            roll_limit: limits.roll_bytes.max(limits.body_bytes),
            base: Duration::from_secs(limits.body_timeout_secs.max(1)),
            min_rate: limits.body_min_bytes_per_sec.max(1),
        }
    }

    fn deadline(&self, bytes: u64) -> Duration {
        self.base.saturating_add(Duration::from_secs(bytes / self.min_rate))
    }
}

/// Whether `path` is a roll import, `/v1/polls/{poll}/roll`.
fn is_roll_import(path: &str) -> bool {
    path.strip_prefix("/v1/polls/")
        .and_then(|rest| rest.strip_suffix("/roll"))
        .is_some_and(|poll| !poll.is_empty() && !poll.contains('/'))
}

fn too_large() -> Response {
    AppError::new(StatusCode::PAYLOAD_TOO_LARGE, ErrorCode::TooLarge, "the request body is too large")
        .into_response()
}

/// Middleware, outside the concurrency limit (spec: api §6, "Bodies"): a
/// declared `Content-Length` over the limit is refused at once (413
/// `too_large`, nothing read); any other body is read whole within its
/// deadline (else 408 `timeout`) and handed on in memory, so a slow sender
/// holds a connection but never a concurrency permit or a database handle.
pub async fn read_body(State(gate): State<BodyGate>, req: Request, next: Next) -> Response {
    use futures_util::StreamExt;
    let declared = match req.headers().get(header::CONTENT_LENGTH) {
        None => None,
        Some(v) => match v.to_str().ok().and_then(|s| s.trim().parse::<u64>().ok()) {
            Some(n) => Some(n),
            None => return AppError::malformed("Content-Length is not a number").into_response(),
        },
    };
    // A body built in memory (in-process callers) declares its size by its
    // size hint rather than a header; the gate holds it to the same limit.
    let declared = declared.or_else(|| axum::body::HttpBody::size_hint(req.body()).exact());
    // spec: api §6 — a roll import may be larger (`roll_bytes`).
    let max = if is_roll_import(req.uri().path()) { gate.roll_limit } else { gate.limit };
    let limit = u64::try_from(max).unwrap_or(u64::MAX);
    if declared.is_some_and(|n| n > limit) {
        return too_large();
    }
    let chunked = req.headers().contains_key(header::TRANSFER_ENCODING);
    if declared.unwrap_or(0) == 0 && !chunked {
        return next.run(req).await;
    }
    let expected = declared.unwrap_or(limit);
    let (parts, body) = req.into_parts();
    let read = async {
        let mut stream = body.into_data_stream();
        let mut buf = Vec::with_capacity(usize::try_from(expected).unwrap_or(0).min(max));
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(|_| AppError::malformed("the request body could not be read"))?;
            if buf.len().saturating_add(chunk.len()) > max {
                return Err(AppError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    ErrorCode::TooLarge,
                    "the request body is too large",
                ));
            }
            buf.extend_from_slice(&chunk);
        }
        Ok(buf)
    };
    match tokio::time::timeout(gate.deadline(expected), read).await {
        Ok(Ok(buf)) => next.run(Request::from_parts(parts, Body::from(buf))).await,
        Ok(Err(e)) => e.into_response(),
        Err(_) => AppError::new(
            StatusCode::REQUEST_TIMEOUT,
            ErrorCode::Timeout,
            "the request body did not arrive in time (spec: api §6)",
        )
        .into_response(),
    }
}
