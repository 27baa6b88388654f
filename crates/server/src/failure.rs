//! Server-side failures, as every surface's error type carries them: a dependency that is
//! unavailable (worth retrying: 503 with `Retry-After`) or anything else (a bug or corrupt
//! data: 500, never "try again"). Each is logged here, once, with its cause; a 500 also
//! gets an error id that the answer shows and the log line carries, so an operator can
//! find the cause a user reports. The request id of the span is on the same log line.

use axum::http::{HeaderValue, header};
use axum::response::Response;
use paceline_domain::StoreError;
use paceline_domain::files::BlobError;
use rand::Rng;

/// Seconds a client is asked to wait before retrying after a 503.
pub(crate) const RETRY_AFTER_SECONDS: u32 = 5;

/// A failure on the server's side.
#[derive(Debug)]
pub(crate) enum Failure {
    /// The database or the file storage cannot be reached or is busy.
    Unavailable(String),
    /// Anything else: a bug, or data the server cannot read.
    Internal(String),
}

impl Failure {
    /// An internal failure with this cause.
    pub(crate) fn internal(cause: impl std::fmt::Display) -> Self {
        Self::Internal(cause.to_string())
    }

    /// Logs the failure; answers the error id of an internal one.
    fn log(&self) -> Option<String> {
        match self {
            Self::Unavailable(cause) => {
                tracing::warn!(%cause, "a dependency is unavailable");
                None
            }
            Self::Internal(cause) => {
                let id = format!("{:016x}", rand::rng().random::<u64>());
                tracing::error!(error_id = %id, %cause, "internal error");
                Some(id)
            }
        }
    }
}

impl From<StoreError> for Failure {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Unavailable(_) => Self::Unavailable(error.to_string()),
            StoreError::NotFound(_) | StoreError::Conflict(_) | StoreError::Other(_) => {
                Self::Internal(error.to_string())
            }
        }
    }
}

impl From<BlobError> for Failure {
    fn from(error: BlobError) -> Self {
        match error {
            BlobError::Unavailable(_) => Self::Unavailable(error.to_string()),
            BlobError::InvalidKey(_) => Self::Internal(error.to_string()),
        }
    }
}

impl Failure {
    /// The answer to this failure, which is logged: a 503 made by `unavailable`, given
    /// `Retry-After`, or a 500 made by `internal` from the error id.
    pub(crate) fn respond(
        self,
        unavailable: impl FnOnce() -> Response,
        internal: impl FnOnce(&str) -> Response,
    ) -> Response {
        let id = self.log();
        match self {
            Self::Unavailable(_) => {
                let mut response = unavailable();
                retry_after(&mut response);
                response
            }
            Self::Internal(_) => internal(id.as_deref().unwrap_or_default()),
        }
    }
}

/// Adds `Retry-After` to a 503.
fn retry_after(response: &mut Response) {
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(RETRY_AFTER_SECONDS));
}
