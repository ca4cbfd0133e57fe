//! `dead-letters replay` puts letters back where they came from, once.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use std::process::Command;
use std::time::Duration;

use carebook_backends::Publisher;
use carebook_testkit::{TopicTail, bootstrap_servers, create_topic};
use uuid::Uuid;

fn dead_letters(command: &str, topic: &str) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_dead-letters"))
        .args([command, topic])
        .env("KAFKA_BOOTSTRAP_SERVERS", bootstrap_servers())
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stderr).into_owned() + &String::from_utf8_lossy(&output.stdout)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replayed_letter_returns_to_its_topic_with_its_key_and_original_headers_once() {
    // Arrange: a letter on a dead-letter topic of its own.
    let origin = format!("replay-{}", Uuid::new_v4().simple());
    let letters = format!("{origin}.test.dlq");
    create_topic(&origin, 1).await;
    create_topic(&letters, 1).await;
    let publisher = Publisher::new(&bootstrap_servers(), Duration::from_secs(5)).unwrap();
    let headers: [(&str, &[u8]); 4] = [
        ("content-type", b"application/cloudevents+json"),
        ("dlq-topic", origin.as_bytes()),
        ("dlq-offset", b"7"),
        ("dlq-reason", b"the function returned an error"),
    ];
    publisher
        .publish_with_headers(&letters, Some(b"key-1"), b"{\"id\":1}", &headers)
        .await
        .unwrap();
    let tail = TopicTail::at_end(&origin);

    // Act
    let listed = dead_letters("list", &letters);
    let first = dead_letters("replay", &letters);
    let second = dead_letters("replay", &letters);

    // Assert
    assert!(
        listed.contains("\"reason\":\"the function returned an error\""),
        "{listed}"
    );
    assert!(first.contains("1 letters replayed"), "{first}");
    assert!(second.contains("0 letters replayed"), "{second}");
    let replayed = tail.records_for("key-1", 2, Duration::from_secs(5)).await;
    assert_eq!(replayed.len(), 1);
    assert_eq!(
        replayed[0].headers,
        [(
            "content-type".to_owned(),
            "application/cloudevents+json".to_owned()
        )]
    );
}
