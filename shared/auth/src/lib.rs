//! Keycloak access-token verification, shared by every Carebook HTTP handler.
//!
//! A [`Verifier`] is built once per Lambda container from an [`AuthConfig`] and borrowed by
//! every invocation. It never touches the network at construction (cold starts stay fast):
//! the issuer's signing keys are fetched on first use, cached, refetched when a token names
//! an unknown key (at most once per interval) and refreshed when older than a maximum age.
//! Only RS256 and ES256 signatures are accepted; issuer, audience, `exp` and `nbf` are checked
//! with a small leeway, and the token must be a Keycloak access token (`typ: Bearer`).

mod config;
mod error;
mod keys;
mod principal;
mod verifier;

pub use config::{AuthConfig, ConfigError};
pub use error::{AuthError, KeyFetchError};
pub use principal::{Principal, Role, UnknownRole};
pub use verifier::Verifier;
