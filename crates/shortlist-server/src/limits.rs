//! Rate limits (spec: api §6): per client address on every route, and per
//! credential on casting and auditing. Over the limit: 429 `rate_limited`.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::num::NonZeroU32;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::error::AppError;
use crate::state::AppState;

/// The limits a server enforces.
#[derive(Clone, Debug, serde::Deserialize, serde::Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct Limits {
    /// Largest request body, bytes.
    pub body_bytes: usize,
    /// Whole-request timeout, seconds.
    pub request_timeout_secs: u64,
    /// Time allowed to read a request's headers, seconds.
    pub header_timeout_secs: u64,
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
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            body_bytes: 1 << 20,
            request_timeout_secs: 30,
            header_timeout_secs: 10,
            concurrency: 512,
            per_client_per_sec: 50,
            per_client_burst: 200,
            per_credential_per_min: 12,
            per_credential_burst: 6,
        }
    }
}

/// The limiters themselves.
pub struct RateLimits {
    per_client: Option<DefaultKeyedRateLimiter<IpAddr>>,
    per_credential: Option<DefaultKeyedRateLimiter<[u8; 32]>>,
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
        Self { per_client, per_credential }
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
    AppError::new(StatusCode::TOO_MANY_REQUESTS, "rate_limited", message)
}

/// Middleware: the per-address limit. Requests without a peer address (in
/// process) count as one client.
pub async fn per_client(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if let Some(l) = &state.shared.limits.per_client {
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
