//! `shortlist-server` owns the HTTP side of shortlist (spec: api): the axum
//! router under `/v1`, the sequencer that appends to each poll's board with
//! group commits, the checks made before anything is appended, limits,
//! metrics, email delivery of tokens ([`mail`]) and graceful shutdown; and
//! the web pages, the members' booth and the organiser console ([`web`]).
//! Layers, each using only those below it: `error`, `keys`, `clock`,
//! `metrics`; `model`, `limits`, `mail` (its configuration and SMTP
//! transport); `config`, `shared`; `sequencer`; `state`; `mail::sender`, `api`;
//! `web`, `finish`; this router and `serve`. Storage is `shortlist-store`'s; every
//! protocol rule comes from `shortlist-board` and `shortlist-crypto`.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::panic))]
#![cfg_attr(not(test), deny(clippy::indexing_slicing, clippy::cast_possible_truncation))]

pub mod api;
pub mod clock;
pub mod config;
pub mod error;
pub mod finish;
pub mod keys;
pub mod limits;
pub mod mail;
pub mod metrics;
pub mod model;
pub mod sequencer;
pub mod serve;
pub mod shared;
pub mod state;
pub mod tally;
pub mod web;

use shortlist_board::error_code::ErrorCode;
use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use axum::extract::{DefaultBodyLimit, MatchedPath, Request, State};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::Router;
use shortlist_crypto::credential::CredentialSecret;
use shortlist_store::Store;
use tower::limit::GlobalConcurrencyLimitLayer;
use tower_http::trace::TraceLayer;

use crate::clock::Clock;
use crate::error::AppError;
use crate::keys::OrganiserKey;
use crate::limits::{Limits, RateLimits};
use crate::metrics::Metrics;
use crate::sequencer::Sequencer;
use crate::shared::Shared;
use crate::state::AppState;

/// What a server is made of.
pub struct ServerParts {
    /// The database.
    pub store: Store,
    /// The checkpoint-signing key.
    pub server_key: CredentialSecret,
    /// The organiser's bearer key.
    pub organiser_key: String,
    /// The clock.
    pub clock: Arc<dyn Clock>,
    /// Limits.
    pub limits: Limits,
}

/// A running application: its router and its sequencer task.
pub struct App {
    /// The router, ready to serve (or to test with `oneshot`).
    pub router: Router,
    /// The state (for tests).
    pub state: AppState,
    sequencer: tokio::task::JoinHandle<()>,
    finisher: tokio::task::JoinHandle<()>,
    mailers: Vec<tokio::task::JoinHandle<()>>,
    close: tokio::sync::watch::Sender<bool>,
}

impl App {
    /// Builds the router and starts the sequencer.
    pub fn new(parts: ServerParts) -> Result<Self, AppError> {
        let shared = Arc::new(Shared {
            store: parts.store,
            server_key: parts.server_key,
            organiser: OrganiserKey::new(&parts.organiser_key),
            clock: parts.clock,
            logs: tokio::sync::Mutex::new(HashMap::new()),
            polls: RwLock::new(HashMap::new()),
            metrics: Metrics::new().map_err(AppError::internal)?,
            appended: tokio::sync::Notify::new(),
            limits: Arc::new(RateLimits::new(&parts.limits)),
            stopping: tokio::sync::watch::channel(false).0,
            mail: std::sync::OnceLock::new(),
            result_faults: std::sync::atomic::AtomicU32::new(0),
        });
        let (close, closed) = tokio::sync::watch::channel(false);
        let (sequencer, handle) = Sequencer::start(shared.clone(), closed);
        let tallies = Arc::new(crate::tally::Jobs::new(&parts.limits));
        let state = AppState { shared, sequencer, tallies };
        let router = router(state.clone(), &parts.limits);
        // spec: api §5 "Tally" — results left unposted by a crash.
        let finisher = finish::start(state.clone(), close.subscribe());
        Ok(Self { router, state, sequencer: handle, finisher, mailers: Vec::new(), close })
    }

    /// Turns on email delivery of tokens (spec: api §4.2): the routes of
    /// `…/mail` work, and the sender's workers start (resuming any queue
    /// left by an earlier run).
    pub fn with_mail(mut self, config: mail::MailConfig) -> anyhow::Result<Self> {
        let secret = self.state.shared.server_key.expose_secret_bytes();
        let mailer = Arc::new(mail::sender::Mailer::new(config, secret.as_slice())?);
        if self.state.shared.mail.set(mailer.clone()).is_err() {
            anyhow::bail!("email delivery is on already");
        }
        self.mailers = mail::sender::start(self.state.clone(), mailer, self.close.subscribe());
        Ok(self)
    }

    /// Ends live streams (the first step of a graceful stop).
    pub fn stop_streams(&self) {
        self.state.shared.stopping.send_replace(true);
    }

    /// Stops the sequencer once every queued append is committed (later
    /// appends get 503), then closes the database.
    pub async fn finish(self) {
        self.stop_streams();
        let store = self.state.shared.store.clone();
        self.close.send_replace(true);
        let _ = self.finisher.await;
        for m in self.mailers {
            let _ = m.await;
        }
        let _ = self.sequencer.await;
        store.close().await;
    }
}

fn router(state: AppState, limits: &Limits) -> Router {
    // Every route but the web pages is in the OpenAPI document (spec: api §7).
    let (api, mut doc) = api::routes()
        .routes(utoipa_axum::routes!(healthz))
        .routes(utoipa_axum::routes!(metrics))
        .routes(utoipa_axum::routes!(openapi))
        .split_for_parts();
    api::complete_responses(&mut doc);
    let doc = Arc::new(doc);
    let timeout = Duration::from_secs(limits.request_timeout_secs.max(1));
    api.layer(axum::Extension(doc))
        .merge(web::routes())
        .fallback(|| async { AppError::not_found(ErrorCode::NoRoute, "no such route; see /v1/openapi.json") })
        .method_not_allowed_fallback(|| async {
            AppError::new(
                StatusCode::METHOD_NOT_ALLOWED,
                ErrorCode::MethodNotAllowed,
                "this route does not take that method",
            )
        })
        // Innermost first. Everything outside the concurrency limit holds
        // nothing scarce: a flood from one address is refused (429) and a
        // body is read whole within its deadline before a permit is taken.
        .layer(middleware::from_fn(move |req: Request, next: Next| with_timeout(timeout, req, next)))
        // The body gate below holds each route to its own limit first.
        .layer(DefaultBodyLimit::max(limits.body_bytes.max(limits.roll_bytes)))
        .layer(GlobalConcurrencyLimitLayer::new(limits.concurrency.max(1)))
        .layer(middleware::from_fn_with_state(limits::BodyGate::new(limits), limits::read_body))
        .layer(middleware::from_fn_with_state(state.shared.limits.clone(), limits::per_client))
        .layer(middleware::from_fn_with_state(state.clone(), observe))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// This document: every route with every status it can answer.
#[utoipa::path(get, path = "/v1/openapi.json", tag = "public",
    responses((status = 200, description = "the OpenAPI 3.1 document (JSON)")))]
async fn openapi(axum::Extension(doc): axum::Extension<Arc<utoipa::openapi::OpenApi>>) -> impl IntoResponse {
    axum::Json(doc.as_ref().clone())
}

/// Liveness and database check: `ok`, or 503 when the database is unavailable.
#[utoipa::path(get, path = "/healthz", tag = "public",
    responses((status = 200, description = "text/plain `ok`: serving, the database answers")))]
async fn healthz(State(state): State<AppState>) -> Response {
    match state.shared.store.poll_ids().await {
        Ok(_) => (StatusCode::OK, "ok\n").into_response(),
        Err(e) => AppError::unavailable(format!("database unavailable: {}", short(&e))).into_response(),
    }
}

fn short(e: &shortlist_store::StoreError) -> &'static str {
    match e {
        shortlist_store::StoreError::Database(_) => "query failed",
        _ => "error",
    }
}

/// Prometheus metrics (text exposition format 0.0.4).
#[utoipa::path(get, path = "/metrics", tag = "public",
    responses((status = 200, description = "text/plain; version=0.0.4: the metrics")))]
async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    ([(axum::http::header::CONTENT_TYPE, "text/plain; version=0.0.4")], state.shared.metrics.render())
}

async fn observe(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "unmatched".into());
    let res = next.run(req).await;
    state.shared.metrics.request(&route, res.status().as_u16());
    res
}

/// The request timeout, answered in our error format. A cast that times
/// out may still be committed: repeating it returns its receipt.
async fn with_timeout(limit: Duration, req: Request, next: Next) -> Response {
    match tokio::time::timeout(limit, next.run(req)).await {
        Ok(res) => res,
        Err(_) => AppError::new(
            StatusCode::REQUEST_TIMEOUT,
            ErrorCode::Timeout,
            "the request took too long; if it was an append, repeat it to learn whether it was committed",
        )
        .into_response(),
    }
}
