//! In AWS the database comes from a Secrets Manager secret in RDS's format, read at cold
//! start; here the secret lives in the AWS emulator (moto) and points at a test database.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use carebook_outbox::{Database, OutboxConfig};
use carebook_testkit::{TestDatabase, outbox_config};
use url::Url;

mod moto;

fn with(database: Database, db: &TestDatabase) -> OutboxConfig {
    OutboxConfig {
        database,
        ..outbox_config(db)
    }
}

#[tokio::test]
async fn the_database_is_found_through_an_rds_style_secret() {
    // Arrange
    let db = TestDatabase::create(&sqlx::migrate::Migrator::DEFAULT).await;
    let url = Url::parse(db.url()).unwrap();
    let value = serde_json::json!({
        "engine": "postgres", "host": url.host_str().unwrap(), "port": url.port().unwrap(),
        "username": url.username(), "password": url.password().unwrap(),
        "dbname": url.path().trim_start_matches('/'),
    });
    let arn = moto::secret("carebook/test/", &value.to_string()).await;

    // Act
    let outbox = with(Database::Secret(arn), &db)
        .connect("TEST_DATABASE_URL")
        .await
        .unwrap();

    // Assert
    let name: String = sqlx::query_scalar("select current_database()")
        .fetch_one(outbox.pool())
        .await
        .unwrap();
    assert_eq!(name, url.path().trim_start_matches('/'));
}

#[tokio::test]
async fn a_secret_that_is_not_a_database_secret_is_named_without_its_content() {
    let db = TestDatabase::create(&sqlx::migrate::Migrator::DEFAULT).await;
    let arn = moto::secret("carebook/test/", "hunter2-not-json").await;

    let error = with(Database::Secret(arn.clone()), &db)
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
    let both = OutboxConfig::from_lookup(
        "USERS_DATABASE_URL",
        lookup(&[
            ("USERS_DATABASE_URL", "postgres://x"),
            ("USERS_DATABASE_SECRET_ARN", "arn:s"),
            ("KAFKA_BOOTSTRAP_SERVERS", "k:9092"),
        ]),
    )
    .unwrap();
    let neither = OutboxConfig::from_lookup(
        "USERS_DATABASE_URL",
        lookup(&[("KAFKA_BOOTSTRAP_SERVERS", "k:9092")]),
    )
    .unwrap_err();

    assert_eq!(both.database, Database::Secret("arn:s".into()));
    assert_eq!(
        neither.to_string(),
        "set USERS_DATABASE_URL or USERS_DATABASE_SECRET_ARN"
    );
}
