//! SASL/SCRAM-SHA-512 against a real broker that demands it: a Tansu broker of the test's own,
//! started with `--authentication`, and the credentials in an MSK-style secret in the AWS
//! emulator (moto), read as in AWS. MSK adds TLS around SASL; Tansu 0.6 has no TLS listener,
//! so these tests run SCRAM over plaintext (`KAFKA_TLS=false`).

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use carebook_outbox::{Bootstrap, KafkaAuth, KafkaConfig, Publisher};

mod moto;

const USER: &str = "carebook-relay";
const TOPIC: &str = "scram-checked";

/// A Tansu broker that refuses clients without SCRAM credentials; stopped on drop.
struct ScramBroker {
    process: Child,
    address: String,
    state: PathBuf,
}

impl ScramBroker {
    /// Creates the user and the topic while the broker is open, then restarts it with
    /// authentication required (Tansu needs an authenticated client to add users later).
    fn start(password: &str) -> Self {
        let state = std::env::temp_dir().join(format!("carebook-scram-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&state).unwrap();
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let address = format!("127.0.0.1:{port}");

        let mut open = broker(&state, &address, false);
        let created = tansu(&["user", "create", USER, password], &address)
            && tansu(&["topic", "create", TOPIC], &address);
        open.kill().unwrap();
        open.wait().unwrap();
        assert!(created, "cannot set up the SCRAM user and topic");

        let process = broker(&state, &address, true);
        Self {
            process,
            address,
            state,
        }
    }
}

impl Drop for ScramBroker {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
        let _ = std::fs::remove_dir_all(&self.state);
    }
}

fn tansu_bin() -> String {
    std::env::var("TANSU_BIN").expect("TANSU_BIN (from localstack/stack.sh env)")
}

fn broker(state: &Path, address: &str, authentication: bool) -> Child {
    let mut command = Command::new(tansu_bin());
    command
        .current_dir(state)
        .args(["broker", "--storage-engine", "sqlite://kafka.db"])
        .args(["--listener-url", &format!("tcp://{address}")])
        .args(["--advertised-listener-url", &format!("tcp://{address}")])
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    if authentication {
        command.arg("--authentication");
    }
    let child = command.spawn().unwrap();
    let deadline = Instant::now() + Duration::from_secs(15);
    while std::net::TcpStream::connect(address).is_err() {
        assert!(Instant::now() < deadline, "the broker did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    child
}

/// Runs a `tansu` client command against `address`, retrying while the broker warms up.
fn tansu(args: &[&str], address: &str) -> bool {
    (0..20).any(|_| {
        let done = Command::new(tansu_bin())
            .args(args)
            .args(["--broker", &format!("tcp://{address}")])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|status| status.success());
        if !done {
            std::thread::sleep(Duration::from_millis(100));
        }
        done
    })
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
    let broker = ScramBroker::start("correct horse battery staple");
    let arn = msk_scram_secret(USER, "correct horse battery staple").await;

    // Act
    let published = publish_with(&scram(&broker.address, arn)).await;

    // Assert
    assert!(published.is_ok(), "{published:?}");
}

#[tokio::test]
async fn a_wrong_password_is_refused_by_the_broker() {
    let broker = ScramBroker::start("correct horse battery staple");
    let arn = msk_scram_secret(USER, "Tr0ub4dor&3").await;

    let published = publish_with(&scram(&broker.address, arn)).await;

    assert!(published.is_err());
}

#[tokio::test]
async fn a_producer_without_credentials_is_refused_by_the_broker() {
    let broker = ScramBroker::start("correct horse battery staple");
    let published = publish_with(&KafkaConfig::with_servers(&broker.address)).await;

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
