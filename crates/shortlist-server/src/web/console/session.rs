//! The console's sign-in session and the checks on every console request
//! (spec: api §4.1). The organiser key is a bearer secret: it is posted once,
//! in the body of the sign-in form, and exchanged for a session cookie that
//! holds 256 random bits. The store keeps only the SHA-256 of that secret,
//! with an expiry; the cookie is `HttpOnly`, `SameSite=Strict`, scoped to
//! `/console` and `Secure` when the browser reached us over TLS. Every POST
//! but the sign-in also needs the session's CSRF token (a hidden form field)
//! and an `Origin` naming this server.

use axum::extract::FromRequestParts;
use axum::http::header::{self, HeaderMap, HeaderValue};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use rand::RngCore;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use super::refused;
use crate::error::AppError;
use crate::state::AppState;
use crate::web::i18n::Lang;
use crate::web::pages::lang_of;

/// The session cookie's name.
pub const COOKIE: &str = "shortlist_console";
/// How long a session lasts from sign-in, in seconds (8 hours).
pub const LIFETIME: u64 = 8 * 3600;
const SESSION_DOMAIN: &[u8] = b"shortlist/v1/console-session";
const CSRF_DOMAIN: &[u8] = b"shortlist/v1/console-csrf";

/// `SHA-256(domain ‖ 0x00 ‖ secret)`: what the store keeps of a session.
fn id_hash(secret: &str) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(SESSION_DOMAIN);
    h.update([0]);
    h.update(secret.as_bytes());
    h.finalize().into()
}

/// The session's CSRF token: `hex(SHA-256(csrf domain ‖ 0x00 ‖ id hash))`.
fn csrf_of(id_hash: &[u8; 32]) -> String {
    let mut h = Sha256::new();
    h.update(CSRF_DOMAIN);
    h.update([0]);
    h.update(id_hash);
    hex::encode(h.finalize())
}

/// A signed-in organiser: the session and the reader's language.
pub struct Session {
    id_hash: [u8; 32],
    /// The CSRF token every form of this session carries.
    pub csrf: String,
    /// The reader's language.
    pub lang: Lang,
}

impl Session {
    /// The refusal of a POST whose CSRF token is not this session's
    /// (compared in constant time), or `None` when it is.
    pub fn csrf_refusal(&self, presented: &str) -> Option<Response> {
        let ok: bool = presented.trim().as_bytes().ct_eq(self.csrf.as_bytes()).into();
        (!ok).then(|| refused(self.lang, StatusCode::FORBIDDEN, "console.refused.csrf"))
    }

    /// Ends this session in the store.
    pub async fn end(&self, state: &AppState) -> Result<(), AppError> {
        state.shared.store.end_console_session(&self.id_hash).await?;
        Ok(())
    }
}

/// The session secret from the `Cookie` header, if any.
fn cookie(headers: &HeaderMap) -> Option<Zeroizing<String>> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|c| c.trim().strip_prefix(COOKIE).and_then(|r| r.strip_prefix('=')))
        .filter(|v| !v.is_empty())
        .map(|v| Zeroizing::new(v.to_string()))
}

/// The signed-in session of a request, if any.
pub async fn current(state: &AppState, headers: &HeaderMap) -> Result<Option<([u8; 32], String)>, AppError> {
    let Some(secret) = cookie(headers) else { return Ok(None) };
    let hash = id_hash(&secret);
    let now = state.shared.clock.now();
    // The lookup is by hash of a 256-bit secret; the stored hash is then
    // compared in constant time all the same.
    match state.shared.store.console_session(&hash, now).await? {
        Some((stored, _)) if bool::from(stored.ct_eq(&hash)) => Ok(Some((hash, csrf_of(&hash)))),
        _ => Ok(None),
    }
}

impl FromRequestParts<AppState> for Session {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let query = axum::extract::RawQuery(parts.uri.query().map(str::to_string));
        let lang = lang_of(&query, &parts.headers);
        if parts.method != axum::http::Method::GET && parts.method != axum::http::Method::HEAD {
            same_origin(&parts.headers).map_err(|key| refused(lang, StatusCode::FORBIDDEN, key))?;
        }
        match current(state, &parts.headers).await {
            Ok(Some((id_hash, csrf))) => Ok(Self { id_hash, csrf, lang }),
            Ok(None) if parts.method == axum::http::Method::GET => {
                Err(super::signin_page::page(lang, StatusCode::UNAUTHORIZED, Some("console.signin.needed")))
            }
            Ok(None) => Err(refused(lang, StatusCode::UNAUTHORIZED, "console.refused.session")),
            Err(e) => Err(e.into_response()),
        }
    }
}

/// Whether a state-changing request comes from a page of this server.
/// `Sec-Fetch-Site`, which browsers set and scripts cannot, must say
/// `same-origin` when sent; an `Origin` other than `null` must name the
/// `Host` the request was sent to. Our pages' `Referrer-Policy: no-referrer`
/// makes browsers send `Origin: null` on a form POST, so a request needs one
/// of the two: `Sec-Fetch-Site: same-origin`, or a matching `Origin`. Err is
/// the catalogue key.
pub fn same_origin(headers: &HeaderMap) -> Result<(), &'static str> {
    const REFUSED: &str = "console.refused.origin";
    let get = |name| headers.get(name).and_then(|v: &HeaderValue| v.to_str().ok());
    let site = get("sec-fetch-site");
    if site.is_some_and(|s| s != "same-origin") {
        return Err(REFUSED);
    }
    match get("origin").filter(|o| *o != "null") {
        Some(origin) => {
            let host = get("host").ok_or(REFUSED)?;
            let authority = origin.strip_prefix("https://").or_else(|| origin.strip_prefix("http://"));
            if authority.is_some_and(|a| a.eq_ignore_ascii_case(host)) {
                Ok(())
            } else {
                Err(REFUSED)
            }
        }
        None if site.is_some() => Ok(()),
        None => Err(REFUSED),
    }
}

/// Whether the browser reached us over TLS (through a proxy that says so,
/// or by the `Origin` it sent): the cookie is then `Secure`.
fn over_tls(headers: &HeaderMap) -> bool {
    let get = |name| headers.get(name).and_then(|v: &HeaderValue| v.to_str().ok());
    get("x-forwarded-proto").is_some_and(|p| p.eq_ignore_ascii_case("https"))
        || get("origin").is_some_and(|o| o.starts_with("https://"))
}

/// Starts a session: stores its hash and returns the `Set-Cookie` value.
pub async fn start(state: &AppState, headers: &HeaderMap) -> Result<HeaderValue, AppError> {
    let mut bytes = Zeroizing::new([0u8; 32]);
    rand::rngs::OsRng.fill_bytes(bytes.as_mut_slice());
    let secret = Zeroizing::new(hex::encode(bytes.as_slice()));
    let now = state.shared.clock.now();
    state.shared.store.add_console_session(&id_hash(&secret), now, now.saturating_add(LIFETIME)).await?;
    let secure = if over_tls(headers) { "; Secure" } else { "" };
    let value = Zeroizing::new(format!(
        "{COOKIE}={}; Path=/console; Max-Age={LIFETIME}; HttpOnly; SameSite=Strict{secure}",
        secret.as_str()
    ));
    HeaderValue::from_str(&value).map_err(AppError::internal)
}

/// The `Set-Cookie` value that removes the session cookie.
pub fn clear() -> HeaderValue {
    HeaderValue::from_static("shortlist_console=; Path=/console; Max-Age=0; HttpOnly; SameSite=Strict")
}
