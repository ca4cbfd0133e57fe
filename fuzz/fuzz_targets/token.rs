//! Any string as a bearer token: the verifier refuses it without panicking. The key set is
//! unreachable (a closed port), so a token that names a key fails fast after one attempt; no
//! input may ever verify.
#![no_main]

use std::sync::LazyLock;
use std::time::Duration;

use carebook_auth::{AuthConfig, Verifier};
use libfuzzer_sys::fuzz_target;
use url::Url;

static RUNTIME: LazyLock<tokio::runtime::Runtime> = LazyLock::new(|| {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime")
});

static VERIFIER: LazyLock<Verifier> = LazyLock::new(|| {
    let issuer = Url::parse("http://127.0.0.1:1/realms/carebook").expect("a URL");
    let mut config = AuthConfig::new(issuer, "carebook-api");
    config.jwks_url = Some(Url::parse("http://127.0.0.1:1/certs").expect("a URL"));
    config.refetch_interval = Duration::from_secs(3600);
    config.http_timeout = Duration::from_millis(100);
    Verifier::new(&config).expect("a verifier")
});

fuzz_target!(|token: &str| {
    let verified = RUNTIME.block_on(VERIFIER.verify(token));
    assert!(verified.is_err(), "a token verified without any key");
});
