//! The HTTP API under `/v1` (spec: api §7). Each module holds one role's
//! routes; every route is described in `/v1/openapi.json`.

pub mod candidate;
pub mod mail;
pub mod member;
pub mod organiser;
pub mod public;
pub mod registrar;
pub mod result;
pub mod timetable;
pub mod trustee;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::StatusCode;
use serde::Serialize;
use shortlist_board::entry::Entry;
use shortlist_board::error_code::ErrorCode;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{AppError, ErrorBody};
use crate::sequencer::Appended;
use crate::state::AppState;

/// An entry as JSON: header fields and the payload in hex.
#[derive(Debug, Serialize, ToSchema)]
pub struct EntryInfo {
    /// Position on the board.
    pub index: u64,
    /// Kind name, e.g. `ballot`.
    pub kind: String,
    /// Kind code (spec: board §5.2).
    pub kind_code: u8,
    /// Server time of append, Unix seconds.
    pub time: u64,
    /// Hex of the previous entry's hash.
    pub prev: String,
    /// Hex of this entry's hash.
    pub hash: String,
    /// Hex of SHA-256 of the payload (a ballot's tracking code).
    pub payload_hash: String,
    /// Hex of the canonical payload.
    pub payload: String,
}

impl EntryInfo {
    /// The JSON view of an entry.
    pub fn of(e: &Entry) -> Self {
        Self {
            index: e.index,
            kind: e.kind.name().to_string(),
            kind_code: e.kind.code(),
            time: e.time,
            prev: hex::encode(e.prev),
            hash: hex::encode(e.hash()),
            payload_hash: hex::encode(e.payload_hash()),
            payload: hex::encode(&e.payload),
        }
    }
}

/// What an append returns: the entry and, for entries committed in a
/// group, a receipt (spec: board §6.2) under that group's checkpoint.
#[derive(Debug, Serialize, ToSchema)]
pub struct AppendedInfo {
    /// The entry (the first one, if this repeats an earlier request).
    pub entry: Option<EntryInfo>,
    /// Hex of the receipt: tracking code, index, checkpoint, inclusion proof.
    pub receipt: Option<String>,
    /// Hex of the checkpoint the receipt is under.
    pub checkpoint: Option<String>,
    /// True if the same payload was already on the board (nothing new appended).
    pub repeat: bool,
}

impl AppendedInfo {
    /// The answer to a repeated request: the entry already on the board.
    pub fn repeat_of(entry: &Entry) -> Self {
        Self { entry: Some(EntryInfo::of(entry)), receipt: None, checkpoint: None, repeat: true }
    }
}

impl From<Appended> for AppendedInfo {
    fn from(a: Appended) -> Self {
        Self {
            entry: a.entry.as_ref().map(EntryInfo::of),
            checkpoint: a.receipt.as_ref().map(|r| hex::encode(r.checkpoint.to_bytes())),
            receipt: a.receipt.as_ref().map(|r| hex::encode(r.to_bytes())),
            repeat: a.repeat,
        }
    }
}

/// The organiser, authenticated by `Authorization: Bearer KEY` (constant-time).
pub struct Organiser;

impl FromRequestParts<AppState> for Organiser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let presented = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "));
        match presented {
            Some(key) if state.shared.organiser.matches(key) => Ok(Organiser),
            _ => Err(AppError::new(
                StatusCode::UNAUTHORIZED,
                ErrorCode::Unauthorized,
                "this route needs the organiser key: Authorization: Bearer KEY",
            )),
        }
    }
}

struct SecurityAddon;

impl Modify for SecurityAddon {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "organiser",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

#[derive(OpenApi)]
#[openapi(
    info(title = "shortlist", description = "A verifiable online voting backend (spec/api.md)."),
    modifiers(&SecurityAddon),
    components(schemas(ErrorBody)),
    tags(
        (name = "organiser", description = "Needs the organiser key"),
        (name = "candidate", description = "Needs a candidate token"),
        (name = "member", description = "Needs an eligibility token or a credential signature"),
        (name = "trustee", description = "Signed with a trustee's manifest key"),
        (name = "registrar", description = "Signed with the manifest's registrar key"),
        (name = "public", description = "Open to anyone")
    )
)]
struct ApiDoc;

/// The errors every route can answer, whatever it does (spec: api §2, §6):
/// status, code(s) and when.
const EVERY_ROUTE: &[(&str, &str)] = &[
    ("408", "`timeout`: the request took longer than the request timeout"),
    ("429", "`rate_limited`: too many requests from this client"),
    ("500", "`internal`: an internal error; the request changed nothing"),
    ("503", "`unavailable`: the server is stopping or its database is unavailable"),
];

/// Completes the document with the errors the middleware, the extractors
/// and the organiser check can answer, so that every route declares every
/// status it can return: 401 on organiser routes; 400 for a malformed path,
/// query or body; 404 `no_such_poll` on a poll's routes; 413 and 415 for a
/// body; and [`EVERY_ROUTE`] everywhere.
pub fn complete_responses(doc: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
    let error = |text: &str| {
        ResponseBuilder::new()
            .description(text)
            .content(
                "application/json",
                ContentBuilder::new().schema(Some(Ref::from_schema_name("ErrorBody"))).build(),
            )
            .build()
    };
    for (path, item) in doc.paths.paths.iter_mut() {
        let has_poll = path.contains("{poll}");
        let has_params = path.contains('{');
        let ops = [&mut item.get, &mut item.post, &mut item.put, &mut item.delete, &mut item.patch];
        for op in ops.into_iter().flatten() {
            let mut add: Vec<(&str, &str)> = EVERY_ROUTE.to_vec();
            if op.tags.as_ref().is_some_and(|t| t.iter().any(|t| t == "organiser")) {
                add.push(("401", "`unauthorized`: no organiser key, or another key"));
            }
            let has_query = op.parameters.as_ref().is_some_and(|p| {
                p.iter().any(|p| matches!(p.parameter_in, utoipa::openapi::path::ParameterIn::Query))
            });
            if op.request_body.is_some() || has_params || has_query {
                add.push(("400", "`malformed`: the path, query or body cannot be read"));
            }
            if op.request_body.is_some() {
                add.push(("413", "`too_large`: the body is larger than the limit"));
                add.push(("415", "`unsupported_media_type`: a JSON route was sent another content type"));
            }
            if has_poll {
                add.push(("404", "`no_such_poll`: no poll with this id (or another `not_found` code)"));
            }
            for (status, text) in add {
                op.responses.responses.entry(status.to_string()).or_insert_with(|| error(text).into());
            }
        }
    }
}

/// Every `/v1` route with its OpenAPI description.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(organiser::create_poll))
        .routes(routes!(organiser::open_nominations))
        .routes(routes!(organiser::candidate_tokens))
        .routes(routes!(organiser::list_nominations))
        .routes(routes!(organiser::approve_nomination))
        .routes(routes!(organiser::reject_nomination))
        .routes(routes!(organiser::enter_candidate))
        .routes(routes!(organiser::close_nominations))
        .routes(routes!(organiser::import_roll))
        .routes(routes!(organiser::issue_tokens))
        .routes(routes!(mail::send))
        .routes(routes!(mail::progress))
        .routes(routes!(mail::resend))
        .routes(routes!(mail::resend_failed))
        .routes(routes!(mail::template, mail::set_template))
        .routes(routes!(organiser::open_voting))
        .routes(routes!(organiser::close_voting))
        .routes(routes!(organiser::tally))
        .routes(routes!(timetable::timetable, timetable::amend))
        .routes(routes!(candidate::submit))
        .routes(routes!(candidate::status))
        .routes(routes!(member::register))
        .routes(routes!(member::cast))
        .routes(routes!(member::audit))
        .routes(routes!(member::receipt))
        .routes(routes!(trustee::post_message))
        .routes(routes!(trustee::inbox))
        .routes(routes!(registrar::post))
        .routes(routes!(public::polls))
        .routes(routes!(public::poll))
        .routes(routes!(public::status))
        .routes(routes!(public::candidates))
        .routes(routes!(public::entries))
        .routes(routes!(public::stream))
        .routes(routes!(public::latest_checkpoint))
        .routes(routes!(public::checkpoints))
        .routes(routes!(public::consistency))
        .routes(routes!(result::result))
        .routes(routes!(public::record))
}
