use carebook_auth::AuthError;
use carebook_backends::DatabaseError;

use crate::Problem;

/// What an HTTP handler's library call can fail with; [`crate::respond`] turns it into
/// problem+json once, logging only what is the server's fault.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// No valid token (401), the wrong role (403) or keys unavailable (503).
    #[error(transparent)]
    Auth(#[from] AuthError),
    /// A refusal the service decided on (400, 404, 409, 412, ...), already shaped for clients.
    #[error("{}", .0.slug())]
    Rejected(Problem),
    /// A failure that is not the client's: a 500 whose cause stays in the logs.
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

/// The database failing is the server's fault, never the client's.
impl From<DatabaseError> for ApiError {
    fn from(error: DatabaseError) -> Self {
        Self::Unexpected(error.into())
    }
}

impl From<Problem> for ApiError {
    fn from(problem: Problem) -> Self {
        Self::Rejected(problem)
    }
}

impl From<ApiError> for Problem {
    fn from(error: ApiError) -> Self {
        match error {
            ApiError::Auth(error) => error.into(),
            ApiError::Rejected(problem) => problem,
            ApiError::Unexpected(_) => Problem::internal(),
        }
    }
}
