//! The server's one error type (spec: api §2): a status, a stable
//! machine-readable code and a message for people. Internal detail goes to
//! `tracing`, never into a response body.

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection, StringRejection};
use axum::extract::{FromRequest, FromRequestParts};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use shortlist_board::error_code::ErrorCode;
use utoipa::ToSchema;

/// An error as sent to clients: `{ "code": "...", "message": "..." }`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// A stable code, e.g. `invalid_proof` (spec: api §2).
    pub code: &'static str,
    /// What went wrong, for people.
    pub message: String,
}

/// A failed request.
#[derive(Clone, Debug)]
pub struct AppError {
    status: StatusCode,
    code: ErrorCode,
    message: String,
}

impl AppError {
    /// An error with this status and code.
    pub fn new(status: StatusCode, code: ErrorCode, message: impl Into<String>) -> Self {
        Self { status, code, message: message.into() }
    }

    /// 400: the request could not be read.
    pub fn malformed(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, ErrorCode::Malformed, message)
    }

    /// 404: no such thing.
    pub fn not_found(code: ErrorCode, message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, code, message)
    }

    /// 409: the poll is not in a state that allows this.
    pub fn conflict(code: ErrorCode, message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, code, message)
    }

    /// 422: well-formed but invalid (a proof, a signature, a rule).
    pub fn invalid(code: ErrorCode, message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, code, message)
    }

    /// 403: a credential, token or signature that grants nothing.
    pub fn forbidden(code: ErrorCode, message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, code, message)
    }

    /// 500, logged with its cause; the client sees no detail.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        tracing::error!(%cause, "internal error");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            ErrorCode::Internal,
            "internal error; the request changed nothing",
        )
    }

    /// 503: the server cannot take the request now.
    pub fn unavailable(message: impl Into<String>) -> Self {
        Self::new(StatusCode::SERVICE_UNAVAILABLE, ErrorCode::Unavailable, message)
    }

    /// The status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The stable code.
    pub fn code(&self) -> ErrorCode {
        self.code
    }

    /// The message for people (never internal detail).
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl std::fmt::Display for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}: {}", self.status.as_u16(), self.code, self.message)
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        (self.status, axum::Json(ErrorBody { code: self.code.as_str(), message: self.message }))
            .into_response()
    }
}

impl From<shortlist_store::StoreError> for AppError {
    fn from(e: shortlist_store::StoreError) -> Self {
        match e {
            shortlist_store::StoreError::NoSuchPoll => Self::not_found(ErrorCode::NoSuchPoll, "no such poll"),
            other => Self::internal(other),
        }
    }
}

impl From<shortlist_board::BoardError> for AppError {
    fn from(e: shortlist_board::BoardError) -> Self {
        use shortlist_board::BoardError as B;
        match &e {
            B::Malformed { .. } => Self::malformed(e.to_string()),
            B::Crypto(c) => crypto_error(c),
            B::Invalid { .. } => Self::invalid(ErrorCode::Invalid, e.to_string()),
            _ => Self::internal(e),
        }
    }
}

impl From<shortlist_crypto::CryptoError> for AppError {
    fn from(e: shortlist_crypto::CryptoError) -> Self {
        crypto_error(&e)
    }
}

fn crypto_error(e: &shortlist_crypto::CryptoError) -> AppError {
    use shortlist_crypto::CryptoError as C;
    match e {
        C::ProofFailed { .. } | C::BatchFailed { .. } => {
            AppError::invalid(ErrorCode::InvalidProof, e.to_string())
        }
        _ => AppError::malformed(e.to_string()),
    }
}

/// Our JSON extractor: rejections use our error format.
#[derive(FromRequest)]
#[from_request(via(axum::Json), rejection(AppError))]
pub struct Json<T>(pub T);

impl<T: Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        axum::Json(self.0).into_response()
    }
}

/// Our query-string extractor: rejections use our error format.
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(AppError))]
pub struct Query<T>(pub T);

/// Our path extractor: rejections use our error format.
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(AppError))]
pub struct Path<T>(pub T);

impl From<QueryRejection> for AppError {
    fn from(r: QueryRejection) -> Self {
        Self::malformed(r.body_text())
    }
}

impl From<PathRejection> for AppError {
    fn from(r: PathRejection) -> Self {
        Self::malformed(r.body_text())
    }
}

impl From<StringRejection> for AppError {
    fn from(r: StringRejection) -> Self {
        if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
            return Self::new(r.status(), ErrorCode::TooLarge, "the request body is too large");
        }
        Self::malformed(r.body_text())
    }
}

impl From<JsonRejection> for AppError {
    fn from(r: JsonRejection) -> Self {
        let status = r.status();
        if status == StatusCode::PAYLOAD_TOO_LARGE {
            return Self::new(status, ErrorCode::TooLarge, "the request body is too large");
        }
        if status == StatusCode::UNSUPPORTED_MEDIA_TYPE {
            return Self::new(
                status,
                ErrorCode::UnsupportedMediaType,
                "send JSON with Content-Type: application/json",
            );
        }
        Self::malformed(r.body_text())
    }
}

/// The result type of handlers.
pub type ApiResult<T> = Result<T, AppError>;
