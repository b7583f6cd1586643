//! The one place where kefu's errors become HTTP responses: a status per error kind, and a JSON
//! body with the error's stable code.

use axum::Json;
use axum::extract::rejection::{JsonRejection, PathRejection};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::Error;

/// The body of every error response.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// The error.
    pub error: ErrorDetail,
}

/// An error's code and message.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    /// Stable, machine-readable code (`unauthorized`, `rate_limited`, `invalid_request`, ...).
    pub code: String,
    /// What went wrong, for people.
    pub message: String,
}

/// The HTTP status of an error.
pub fn status(error: &Error) -> StatusCode {
    match error {
        Error::InvalidRequest(_) | Error::InvalidField { .. } | Error::Ingest(_) => StatusCode::BAD_REQUEST,
        Error::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
        Error::Unauthorized(_) | Error::SessionExpired(_) => StatusCode::UNAUTHORIZED,
        Error::Forbidden(_) => StatusCode::FORBIDDEN,
        Error::NotFound(_) | Error::ConversationNotFound(_) | Error::TicketNotFound(_) => {
            StatusCode::NOT_FOUND
        }
        Error::Conflict { .. } => StatusCode::CONFLICT,
        Error::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
        Error::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
        Error::Llm(_) => StatusCode::BAD_GATEWAY,
        Error::Timeout(_) => StatusCode::GATEWAY_TIMEOUT,
        Error::NoIndex(_)
        | Error::Busy(_)
        | Error::Store(_)
        | Error::Overloaded { .. }
        | Error::Setup(_)
        | Error::ModelMismatch { .. } => StatusCode::SERVICE_UNAVAILABLE,
        Error::Config(_)
        | Error::Embedding(_)
        | Error::VectorStore(_)
        | Error::TextIndex(_)
        | Error::Catalog(_)
        | Error::Dataset { .. }
        | Error::Internal(_)
        | Error::Io { .. } => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// The JSON body of an error. Server-side failures are logged in full and described to the
/// client only by their code, so that paths and internals do not leak.
pub fn body(error: &Error) -> ErrorBody {
    let message = if status(error).is_server_error()
        && !matches!(error, Error::Timeout(_) | Error::NoIndex(_) | Error::Overloaded { .. })
    {
        tracing::error!(code = error.code(), %error, "request failed");
        format!("internal error ({})", error.code())
    } else {
        error.to_string()
    };
    ErrorBody { error: ErrorDetail { code: error.code().to_string(), message } }
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        let mut response = (status(&self), Json(body(&self))).into_response();
        if let Error::RateLimited { retry_after_secs } | Error::Overloaded { retry_after_secs } = self {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
        }
        response
    }
}

/// A JSON body that failed to parse, as kefu's error.
pub fn from_json_rejection(rejection: JsonRejection) -> Error {
    if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
        Error::PayloadTooLarge("the request body is larger than server.max_body_bytes".into())
    } else {
        Error::InvalidRequest(rejection.body_text())
    }
}

/// A path that failed to parse (say, a document id that is not UTF-8 once percent-decoded).
pub fn from_path_rejection(rejection: PathRejection) -> Error {
    Error::InvalidRequest(format!("the URL path: {}", rejection.body_text()))
}
