//! The Train it All surface's one error type. Every refusal and failure of a Train it All
//! handler is a [`TiaError`], rendered by one exhaustive match in the spec's error body
//! (section 6): `error` (an English sentence), `errorCode`, `hint` and, for validation
//! errors, `details`.

use crate::api::tia::fields::Invalid;
use crate::api::tia::schemas::ErrorDetails;
use crate::extract::bearer::{self, BearerFailure, with_challenge};
use crate::failure::Failure;
use crate::throttle::Limited;
use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use paceline_domain::StoreError;
use paceline_domain::files::BlobError;
use paceline_domain::oauth::Scope;
use serde_json::Value;

/// Why a Train it All request did not succeed.
#[derive(Debug)]
pub(crate) enum TiaError {
    /// A refusal in the spec's shape.
    Refused {
        /// The status.
        status: StatusCode,
        /// What happened, as a sentence.
        message: String,
        /// The machine-readable code.
        code: &'static str,
        /// What to do about it.
        hint: String,
        /// Validation details, when there are any.
        details: Option<Value>,
    },
    /// The bearer token is missing, invalid or malformed (with `WWW-Authenticate`).
    Bearer(BearerFailure),
    /// The token lacks the scope the route needs: 403 naming it.
    MissingScope(Scope),
    /// A rate limit: 429 with `Retry-After`.
    Limited(Limited),
    /// A method the endpoint does not take: 405 with `Allow`.
    NotAllowed(&'static str),
    /// The server's side failed.
    Failure(Failure),
}

/// What a Train it All handler answers.
pub(crate) type TiaResult<T = Response> = Result<T, TiaError>;

impl TiaError {
    /// A refusal in the spec's shape.
    pub(crate) fn refused(
        status: StatusCode,
        message: impl Into<String>,
        code: &'static str,
        hint: impl Into<String>,
    ) -> Self {
        Self::Refused {
            status,
            message: message.into(),
            code,
            hint: hint.into(),
            details: None,
        }
    }

    /// The same refusal with `details`.
    pub(crate) fn with_details(self, with: Value) -> Self {
        match self {
            Self::Refused {
                status,
                message,
                code,
                hint,
                details: _,
            } => Self::Refused {
                status,
                message,
                code,
                hint,
                details: Some(with),
            },
            other => other,
        }
    }

    /// 400 for a body that fails validation, in the spec's words.
    pub(crate) fn validation(invalid: &Invalid) -> Self {
        Self::refused(
            StatusCode::BAD_REQUEST,
            "Invalid request body.",
            "validation_error",
            "Check required fields and units.",
        )
        .with_details(invalid.details())
    }
}

/// The error body of section 6.
#[derive(serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = Error)]
pub(crate) struct ErrorBody {
    /// An English sentence.
    error: String,
    error_code: String,
    hint: String,
    /// For a validation error: which fields, and why.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<ErrorDetails>)]
    details: Option<Value>,
    /// On a server error, the id its log line carries.
    #[serde(skip_serializing_if = "Option::is_none")]
    error_id: Option<String>,
}

fn body(status: StatusCode, message: &str, code: &str, hint: &str) -> Response {
    let body = ErrorBody {
        error: message.to_owned(),
        error_code: code.to_owned(),
        hint: hint.to_owned(),
        details: None,
        error_id: None,
    };
    (status, Json(body)).into_response()
}

impl IntoResponse for TiaError {
    fn into_response(self) -> Response {
        match self {
            Self::Refused {
                status,
                message,
                code,
                hint,
                details: None,
            } => body(status, &message, code, &hint),
            Self::Refused {
                status,
                message,
                code,
                hint,
                details: Some(details),
            } => {
                let body = ErrorBody {
                    error: message,
                    error_code: code.to_owned(),
                    hint,
                    details: Some(details),
                    error_id: None,
                };
                (status, Json(body)).into_response()
            }
            Self::Bearer(failure) => {
                let challenge = bearer::challenge(&failure);
                let response = match failure {
                    BearerFailure::Missing => body(
                        StatusCode::UNAUTHORIZED,
                        "Missing access token.",
                        "unauthorized",
                        "Send Authorization: Bearer <access token>.",
                    ),
                    BearerFailure::Invalid(why) => body(
                        StatusCode::UNAUTHORIZED,
                        &format!("Invalid access token: {why}."),
                        "invalid_token",
                        "Refresh the access token with your refresh token, or authorize again.",
                    ),
                    BearerFailure::Malformed(why) => body(
                        StatusCode::BAD_REQUEST,
                        &format!("Malformed Authorization header: {why}."),
                        "invalid_request",
                        "Send exactly one Authorization: Bearer <access token> header.",
                    ),
                    BearerFailure::Unavailable => {
                        return Self::Failure(Failure::Unavailable("the bearer check".into()))
                            .into_response();
                    }
                };
                with_challenge(response, challenge)
            }
            Self::MissingScope(scope) => {
                let name = scope.name();
                let response = body(
                    StatusCode::FORBIDDEN,
                    &format!("This access token lacks the scope {name}."),
                    "insufficient_scope",
                    &format!(
                        "Authorize again with scope={name} (it must be allowed for your client)."
                    ),
                );
                with_challenge(response, bearer::insufficient_scope(scope))
            }
            Self::Limited(limited) => {
                let mut response = body(
                    StatusCode::TOO_MANY_REQUESTS,
                    &format!("Too many requests: the limit is {}.", limited.describe()),
                    "rate_limited",
                    &format!(
                        "Retry after {} seconds, and spread requests out.",
                        limited.retry_after_seconds
                    ),
                );
                limited.add_retry_after(&mut response);
                response
            }
            Self::NotAllowed(allow) => {
                let mut response = body(
                    StatusCode::METHOD_NOT_ALLOWED,
                    "Method not allowed.",
                    "method_not_allowed",
                    &format!(
                        "This endpoint takes {allow}; records are written by POST (upsert), \
                         never PUT, PATCH or DELETE."
                    ),
                );
                response
                    .headers_mut()
                    .insert(header::ALLOW, HeaderValue::from_static(allow));
                response
            }
            Self::Failure(failure) => failure.respond(
                || {
                    body(
                        StatusCode::SERVICE_UNAVAILABLE,
                        "The service is temporarily unavailable.",
                        "unavailable",
                        "Retry in a few seconds.",
                    )
                },
                |id| {
                    let body = ErrorBody {
                        error: "An internal error occurred.".to_owned(),
                        error_code: "internal_error".to_owned(),
                        hint: format!(
                            "Retrying will not help; report the error id {id} to the operator."
                        ),
                        details: None,
                        error_id: Some(id.to_string()),
                    };
                    (StatusCode::INTERNAL_SERVER_ERROR, Json(body)).into_response()
                },
            ),
        }
    }
}

impl From<Failure> for TiaError {
    fn from(failure: Failure) -> Self {
        Self::Failure(failure)
    }
}

impl From<StoreError> for TiaError {
    fn from(error: StoreError) -> Self {
        Self::Failure(error.into())
    }
}

impl From<BlobError> for TiaError {
    fn from(error: BlobError) -> Self {
        Self::Failure(error.into())
    }
}

/// 405 on a list-and-write endpoint.
pub(crate) async fn list_and_write_only() -> TiaError {
    TiaError::NotAllowed("GET, HEAD, POST")
}

/// 405 on a write-only endpoint.
pub(crate) async fn write_only() -> TiaError {
    TiaError::NotAllowed("POST")
}

/// 405 on a read-only endpoint.
pub(crate) async fn read_only() -> TiaError {
    TiaError::NotAllowed("GET, HEAD")
}

/// A path under `/api/external/v1` that no route has: 404 in the spec's error body.
pub(crate) fn unknown_path() -> TiaError {
    TiaError::refused(
        StatusCode::NOT_FOUND,
        "Not found.",
        "not_found",
        "Check the path: every endpoint is listed at /api/external/v1/docs.",
    )
}
