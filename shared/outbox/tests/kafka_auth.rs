//! SASL/SCRAM-SHA-512 against a real broker that demands it: a Tansu broker of the test's own,
//! started with `--authentication`, and the credentials in an MSK-style secret in the AWS
//! emulator (moto), read as in AWS. MSK adds TLS around SASL; Tansu 0.6 has no TLS listener,
//! so these tests run SCRAM over plaintext (`KAFKA_TLS=false`).

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use std::time::Duration;

use carebook_outbox::{Bootstrap, KafkaAuth, KafkaConfig, Publisher};
use carebook_testkit::PrivateBroker;

mod moto;

const USER: &str = "carebook-relay";
const TOPIC: &str = "scram-checked";

/// A broker of the test's own that refuses clients without SCRAM credentials. The user and
/// the topic are created while it is open: Tansu needs an authenticated client to add users.
fn scram_broker(password: &str) -> PrivateBroker {
    let mut broker = PrivateBroker::start();
    assert!(
        broker.tansu(&["user", "create", USER, password])
            && broker.tansu(&["topic", "create", TOPIC]),
        "cannot set up the SCRAM user and topic"
    );
    broker.require_authentication();
    broker
}

/// An MSK SCRAM secret (MSK wants the `AmazonMSK_` prefix).
async fn msk_scram_secret(username: &str, password: &str) -> String {
    let value = serde_json::json!({ "username": username, "password": password });
    moto::secret("AmazonMSK_carebook-test-", &value.to_string()).await
}

/// Connects with `config` and publishes one record: what the broker let through.
async fn publish_with(config: &KafkaConfig) -> Result<(), rdkafka::error::KafkaError> {
    let publisher = Publisher::connect(config).await.unwrap();
    publisher.publish(TOPIC, "key", b"{}").await
}

fn scram(address: &str, secret_arn: String) -> KafkaConfig {
    KafkaConfig {
        bootstrap: Bootstrap::Servers(address.to_owned()),
        auth: KafkaAuth::Scram { secret_arn },
        tls: false,
        message_timeout: Duration::from_secs(5),
    }
}

#[tokio::test]
async fn a_producer_with_the_secret_s_credentials_publishes() {
    // Arrange
    let broker = scram_broker("correct horse battery staple");
    let arn = msk_scram_secret(USER, "correct horse battery staple").await;

    // Act
    let published = publish_with(&scram(broker.address(), arn)).await;

    // Assert
    assert!(published.is_ok(), "{published:?}");
}

#[tokio::test]
async fn a_wrong_password_is_refused_by_the_broker() {
    let broker = scram_broker("correct horse battery staple");
    let arn = msk_scram_secret(USER, "Tr0ub4dor&3").await;

    let published = publish_with(&scram(broker.address(), arn)).await;

    assert!(published.is_err());
}

#[tokio::test]
async fn a_producer_without_credentials_is_refused_by_the_broker() {
    let broker = scram_broker("correct horse battery staple");
    let published = publish_with(&KafkaConfig::with_servers(broker.address())).await;

    assert!(published.is_err());
}

#[tokio::test]
async fn a_secret_without_credentials_is_named_without_its_content() {
    let arn = moto::secret("AmazonMSK_carebook-test-", "hunter2-not-json").await;

    let error = Publisher::connect(&scram("127.0.0.1:9", arn.clone()))
        .await
        .err()
        .unwrap();

    moto::assert_names_without_content(error, &arn, "hunter2");
}
