use serde_json::Value;

/// The AWS emulator of the local stack (`AWS_ENDPOINT_URL`, moto by default on :5000).
pub fn aws_endpoint() -> String {
    std::env::var("AWS_ENDPOINT_URL").unwrap_or_else(|_| "http://127.0.0.1:5000".into())
}

/// Stores `value` in the emulator's Secrets Manager under a fresh name starting with `prefix`;
/// the secret's ARN. The SDK finds the emulator through `AWS_ENDPOINT_URL`.
///
/// # Panics
/// When the emulator does not answer.
pub async fn stored_secret(prefix: &str, value: &str) -> String {
    let aws = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
    aws_sdk_secretsmanager::Client::new(&aws)
        .create_secret()
        .name(format!("{prefix}{}", uuid::Uuid::new_v4()))
        .secret_string(value)
        .send()
        .await
        .expect("the Secrets Manager emulator stores the secret")
        .arn()
        .expect("a stored secret has an ARN")
        .to_owned()
}

/// The emails the SES emulator accepted for `address`.
///
/// # Panics
/// When the emulator does not answer.
pub async fn mail_to(address: &str) -> Vec<Value> {
    let data: Value = reqwest::get(format!("{}/moto-api/data.json", aws_endpoint()))
        .await
        .and_then(reqwest::Response::error_for_status)
        .expect("the SES emulator answers (is `make stack-up` running?)")
        .json()
        .await
        .expect("moto's data is JSON");
    data["ses"]["Message"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|m| {
            m["destinations"]["ToAddresses"]
                .as_array()
                .is_some_and(|to| to.iter().any(|t| t == address))
        })
        .cloned()
        .collect()
}
