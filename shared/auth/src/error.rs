use std::sync::Arc;

use http::StatusCode;

/// Why a request was not authenticated or not authorized.
///
/// Every variant maps to one HTTP status through [`AuthError::status`] and to a stable,
/// machine-readable [`AuthError::code`]; the `Display` text is safe to show to clients
/// (it never echoes the token).
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("no bearer token in the Authorization header")]
    MissingToken,
    #[error("the token is longer than {limit} bytes")]
    TooLarge { limit: usize },
    #[error("the token is not a well-formed JWT: {0}")]
    Malformed(&'static str),
    #[error("tokens signed with {0:?} are not accepted")]
    UnsupportedAlgorithm(String),
    #[error("the token does not name its signing key (kid)")]
    MissingKeyId,
    #[error("the token is signed by a key the issuer does not publish")]
    UnknownKey,
    #[error("the token's signature is invalid")]
    InvalidSignature,
    #[error("the token has expired")]
    Expired,
    #[error("the token is not valid yet")]
    NotYetValid,
    #[error("the token was issued by another issuer")]
    WrongIssuer,
    #[error("the token is not meant for this API (audience)")]
    WrongAudience,
    #[error("the token is not an access token")]
    WrongTokenType,
    #[error("the token's claims are invalid: {0}")]
    InvalidClaims(String),
    #[error("this needs one of the roles: {}", .required.join(", "))]
    Forbidden { required: Vec<&'static str> },
    #[error("the issuer's signing keys are not available")]
    KeysUnavailable(#[source] Arc<KeyFetchError>),
}

impl AuthError {
    /// The HTTP status a client should see: 401 for anything wrong with the credentials,
    /// 403 for a valid token without the needed role, 503 when keys cannot be had.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::Forbidden { .. } => StatusCode::FORBIDDEN,
            Self::KeysUnavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            _ => StatusCode::UNAUTHORIZED,
        }
    }

    /// A stable identifier of the failure, for machine-readable error bodies.
    pub fn code(&self) -> &'static str {
        match self {
            Self::MissingToken => "missing-token",
            Self::TooLarge { .. } => "token-too-large",
            Self::Malformed(_) => "malformed-token",
            Self::UnsupportedAlgorithm(_) => "unsupported-algorithm",
            Self::MissingKeyId => "missing-key-id",
            Self::UnknownKey => "unknown-key",
            Self::InvalidSignature => "invalid-signature",
            Self::Expired => "token-expired",
            Self::NotYetValid => "token-not-yet-valid",
            Self::WrongIssuer => "wrong-issuer",
            Self::WrongAudience => "wrong-audience",
            Self::WrongTokenType => "wrong-token-type",
            Self::InvalidClaims(_) => "invalid-claims",
            Self::Forbidden { .. } => "forbidden",
            Self::KeysUnavailable(_) => "keys-unavailable",
        }
    }
}

/// Why the issuer's signing keys could not be fetched.
#[derive(Debug, thiserror::Error)]
pub enum KeyFetchError {
    #[error("request to {url} failed")]
    Request {
        url: String,
        #[source]
        source: reqwest::Error,
    },
    #[error("{url} answered HTTP {status}")]
    Status { url: String, status: u16 },
    #[error("{url} returned a document that is not {expected}")]
    Document {
        url: String,
        expected: &'static str,
        #[source]
        source: serde_json::Error,
    },
    #[error("discovery names issuer {found:?}, expected {expected:?}")]
    IssuerMismatch { expected: String, found: String },
    #[error("the issuer publishes no RS256 or ES256 signing key")]
    NoUsableKeys,
}
