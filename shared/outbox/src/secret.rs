use aws_config::SdkConfig;

/// Reads the text of the Secrets Manager secret `arn`. The error names what failed, never
/// the secret's content.
pub(crate) async fn secret_string(aws: &SdkConfig, arn: &str) -> Result<String, String> {
    let secret = aws_sdk_secretsmanager::Client::new(aws)
        .get_secret_value()
        .secret_id(arn)
        .send()
        .await
        .map_err(|error| aws_sdk_secretsmanager::error::DisplayErrorContext(error).to_string())?;
    secret
        .secret_string()
        .map(str::to_owned)
        .ok_or_else(|| "it has no text value".to_owned())
}

/// The AWS settings of this container (region, credentials), read from the environment.
pub(crate) async fn aws_config() -> SdkConfig {
    aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await
}
