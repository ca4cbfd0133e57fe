use serde_json::Value;

/// The AWS emulator of the local stack (`AWS_ENDPOINT_URL`, moto by default on :5000).
pub fn aws_endpoint() -> String {
    std::env::var("AWS_ENDPOINT_URL").unwrap_or_else(|_| "http://127.0.0.1:5000".into())
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
