//! Secrets in the AWS emulator (moto), as the stack's environment points the SDK at it.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

/// Stores `value` under a fresh name starting with `prefix` and returns the secret's ARN.
pub async fn secret(prefix: &str, value: &str) -> String {
    let aws = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
    aws_sdk_secretsmanager::Client::new(&aws)
        .create_secret()
        .name(format!("{prefix}{}", uuid::Uuid::new_v4()))
        .secret_string(value)
        .send()
        .await
        .unwrap()
        .arn()
        .unwrap()
        .to_owned()
}

/// A setup error about the secret `arn` that names it and quotes none of `content`.
pub fn assert_names_without_content(error: impl std::fmt::Display, arn: &str, content: &str) {
    let message = error.to_string();
    assert!(message.contains(arn), "{message}");
    assert!(!message.contains(content), "{message}");
}
