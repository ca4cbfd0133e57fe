//! SASL/SCRAM-SHA-512 over TLS, as MSK offers it, against a real Apache Kafka broker that
//! demands it: a broker of the test's own with a certificate the test made, and the
//! credentials in an MSK-style secret in the AWS emulator (moto), read as in AWS.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use std::time::Duration;

use carebook_backends::{Bootstrap, KafkaAuth, KafkaConfig, Publisher};
use carebook_testkit::PrivateBroker;

mod moto;

const USER: &str = "carebook-relay";
const TOPIC: &str = "scram-checked";

/// A broker of the test's own that takes only SCRAM over TLS, knowing `USER` by `password`.
async fn scram_broker(password: &str) -> PrivateBroker {
    let broker = PrivateBroker::start_scram_over_tls(&[(USER, password)]);
    broker.create_topic(TOPIC, 1).await;
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
    publisher.publish(TOPIC, "key", b"{}", &[]).await
}

/// What a service deployed with `KafkaAuthentication: SASL_SCRAM_512` uses, trusting the
/// broker's self-signed certificate.
fn scram(broker: &PrivateBroker, secret_arn: String) -> KafkaConfig {
    KafkaConfig {
        bootstrap: Bootstrap::Servers(broker.address().to_owned()),
        auth: KafkaAuth::Scram { secret_arn },
        tls: true,
        tls_ca: Some(broker.ca_file().to_owned()),
        message_timeout: Duration::from_secs(5),
    }
}

#[tokio::test]
async fn a_producer_with_the_secret_s_credentials_publishes() {
    // Arrange
    let broker = scram_broker("correct horse battery staple").await;
    let arn = msk_scram_secret(USER, "correct horse battery staple").await;

    // Act
    let published = publish_with(&scram(&broker, arn)).await;

    // Assert
    assert!(published.is_ok(), "{published:?}");
}

#[tokio::test]
async fn a_wrong_password_is_refused_by_the_broker() {
    let broker = scram_broker("correct horse battery staple").await;
    let arn = msk_scram_secret(USER, "Tr0ub4dor&3").await;

    let published = publish_with(&scram(&broker, arn)).await;

    assert!(published.is_err());
}

#[tokio::test]
async fn a_producer_without_credentials_is_refused_by_the_broker() {
    let broker = scram_broker("correct horse battery staple").await;
    let plaintext = publish_with(&KafkaConfig::with_servers(broker.address())).await;
    let tls_only = publish_with(&KafkaConfig {
        auth: KafkaAuth::None,
        ..scram(&broker, String::new())
    })
    .await;

    assert!(plaintext.is_err());
    assert!(tls_only.is_err());
}

#[tokio::test]
async fn a_broker_certificate_no_trusted_ca_signed_is_refused() {
    let broker = scram_broker("correct horse battery staple").await;
    let arn = msk_scram_secret(USER, "correct horse battery staple").await;

    let published = publish_with(&KafkaConfig {
        tls_ca: None,
        ..scram(&broker, arn)
    })
    .await;

    assert!(published.is_err());
}

#[tokio::test]
async fn a_secret_without_credentials_is_named_without_its_content() {
    let arn = moto::secret("AmazonMSK_carebook-test-", "hunter2-not-json").await;

    let config = KafkaConfig {
        bootstrap: Bootstrap::Servers("127.0.0.1:9".to_owned()),
        auth: KafkaAuth::Scram {
            secret_arn: arn.clone(),
        },
        ..KafkaConfig::with_servers("")
    };
    let error = Publisher::connect(&config).await.err().unwrap();

    moto::assert_names_without_content(error, &arn, "hunter2");
}
