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

/// The AWS settings of this container (region, credentials), read from the environment on
/// first use and then shared by everything set up at cold start: only a configuration that
/// names AWS resources (a secret, an MSK cluster, IAM) pays for it, and pays once.
#[derive(Default)]
pub(crate) struct Aws(tokio::sync::OnceCell<SdkConfig>);

impl Aws {
    pub(crate) async fn config(&self) -> &SdkConfig {
        self.0
            .get_or_init(|| aws_config::load_defaults(aws_config::BehaviorVersion::latest()))
            .await
    }
}
