//! In AWS the database comes from a Secrets Manager secret in RDS's format, read at cold
//! start; here the secret lives in the AWS emulator (moto) and points at a test database.
//! Such connections verify the server (`verify-full`): the local cluster serves TLS with
//! Debian's self-signed certificate for `localhost`, which stands for a server the public
//! CAs do not vouch for, as RDS's own CAs are not public.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use std::path::PathBuf;

use carebook_backends::{BackendsConfig, Database};
use carebook_testkit::{TestDatabase, backends_config};
use url::Url;

mod moto;

fn with(database: Database, db: &TestDatabase) -> BackendsConfig {
    BackendsConfig {
        database,
        ..backends_config(db)
    }
}

/// An RDS-style secret for `db`, reached by the name `host`.
async fn secret_for(db: &TestDatabase, host: &str) -> String {
    let url = Url::parse(db.url()).unwrap();
    let value = serde_json::json!({
        "engine": "postgres", "host": host, "port": url.port().unwrap(),
        "username": url.username(), "password": url.password().unwrap(),
        "dbname": url.path().trim_start_matches('/'),
    });
    moto::secret("carebook/test/", &value.to_string()).await
}

/// The certificate the local cluster serves, as the CA that vouches for it.
async fn server_certificate(db: &TestDatabase) -> PathBuf {
    let pool = sqlx::PgPool::connect(db.url()).await.unwrap();
    let file = sqlx::query_scalar!(r#"select current_setting('ssl_cert_file') as "file!""#)
        .fetch_one(&pool)
        .await
        .unwrap();
    PathBuf::from(file)
}

#[tokio::test]
async fn the_database_is_found_through_an_rds_style_secret_over_verified_tls() {
    // Arrange
    let db = TestDatabase::create(&sqlx::migrate::Migrator::DEFAULT).await;
    let arn = secret_for(&db, "localhost").await;
    let ca_file = Some(server_certificate(&db).await);

    // Act
    let backends = with(Database::Secret { arn, ca_file }, &db)
        .connect("TEST_DATABASE_URL")
        .await
        .unwrap();

    // Assert
    let connection = sqlx::query!(
        r#"select current_database() as "name!", ssl as "tls!" from pg_stat_ssl where pid = pg_backend_pid()"#,
    )
    .fetch_one(&mut *backends.connection().await.unwrap())
    .await
    .unwrap();
    assert_eq!(
        connection.name,
        Url::parse(db.url()).unwrap().path().trim_start_matches('/')
    );
    assert!(connection.tls, "the connection is not TLS");
}

#[tokio::test]
async fn a_server_no_trusted_ca_vouches_for_is_refused() {
    let db = TestDatabase::create(&sqlx::migrate::Migrator::DEFAULT).await;
    let arn = secret_for(&db, "localhost").await;

    let backends = with(Database::Secret { arn, ca_file: None }, &db)
        .connect("TEST_DATABASE_URL")
        .await
        .unwrap();

    let refused = backends.connection().await;
    assert!(refused.is_err(), "connected to an unverified server");
}

#[tokio::test]
async fn a_server_whose_certificate_names_another_host_is_refused() {
    let db = TestDatabase::create(&sqlx::migrate::Migrator::DEFAULT).await;
    // The certificate is trusted, but it names localhost, not this address.
    let arn = secret_for(&db, "127.0.0.1").await;
    let ca_file = Some(server_certificate(&db).await);

    let backends = with(Database::Secret { arn, ca_file }, &db)
        .connect("TEST_DATABASE_URL")
        .await
        .unwrap();

    let refused = backends.connection().await;
    assert!(refused.is_err(), "connected to a server of another name");
}

#[tokio::test]
async fn a_secret_that_is_not_a_database_secret_is_named_without_its_content() {
    let db = TestDatabase::create(&sqlx::migrate::Migrator::DEFAULT).await;
    let arn = moto::secret("carebook/test/", "hunter2-not-json").await;

    let error = with(
        Database::Secret {
            arn: arn.clone(),
            ca_file: None,
        },
        &db,
    )
    .connect("TEST_DATABASE_URL")
    .await
    .err()
    .unwrap();

    moto::assert_names_without_content(error, &arn, "hunter2");
}

#[test]
fn a_secret_arn_wins_over_a_url_and_neither_is_named_in_the_error() {
    let lookup = |vars: &'static [(&'static str, &'static str)]| {
        move |name: &str| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| (*v).to_owned())
        }
    };
    let both = BackendsConfig::from_lookup(
        "USERS_DATABASE_URL",
        lookup(&[
            ("USERS_DATABASE_URL", "postgres://x"),
            ("USERS_DATABASE_SECRET_ARN", "arn:s"),
            ("DATABASE_CA_FILE", "/opt/rds-ca/global-bundle.pem"),
            ("KAFKA_BOOTSTRAP_SERVERS", "k:9092"),
        ]),
    )
    .unwrap();
    let neither = BackendsConfig::from_lookup(
        "USERS_DATABASE_URL",
        lookup(&[("KAFKA_BOOTSTRAP_SERVERS", "k:9092")]),
    )
    .unwrap_err();

    assert_eq!(
        both.database,
        Database::Secret {
            arn: "arn:s".into(),
            ca_file: Some("/opt/rds-ca/global-bundle.pem".into())
        }
    );
    assert_eq!(
        neither.to_string(),
        "set USERS_DATABASE_URL or USERS_DATABASE_SECRET_ARN"
    );
}
