use aws_sdk_sesv2::error::{DisplayErrorContext, SdkError};
use aws_sdk_sesv2::operation::send_email::SendEmailError;
use aws_sdk_sesv2::types::{Body, Content, Destination, EmailContent, Message};

use crate::Email;

/// Why SES did not take an email.
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    /// SES refused it for good (unverified sender, rejected message, suspended account):
    /// recorded as failed and not retried.
    #[error("SES rejected the email: {0}")]
    Rejected(String),
    /// SES could not be reached or asked us to slow down: the record is retried.
    #[error("SES is unavailable: {0}")]
    Unavailable(String),
}

/// Sends emails through Amazon SES v2 from one sender identity.
#[derive(Clone)]
pub struct Mailer {
    client: aws_sdk_sesv2::Client,
    sender: String,
}

impl Mailer {
    /// A mailer for `sender` (`Name <address>`), with the SDK's settings from the environment
    /// (region, credentials, and `AWS_ENDPOINT_URL` locally) unless `endpoint` overrides the
    /// SES endpoint; no network call.
    pub async fn new(sender: String, endpoint: Option<&str>) -> Self {
        let aws = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
        let mut ses = aws_sdk_sesv2::config::Builder::from(&aws);
        if let Some(endpoint) = endpoint {
            ses = ses.endpoint_url(endpoint);
        }
        Self {
            client: aws_sdk_sesv2::Client::from_conf(ses.build()),
            sender,
        }
    }

    /// Sends `email`; returns SES's message id. The call is a client span of the record's
    /// trace, naming the API, never the recipient.
    #[tracing::instrument(
        name = "SESv2.SendEmail",
        skip_all,
        fields(otel.kind = "client", rpc.system = "aws-api", rpc.service = "SESv2", rpc.method = "SendEmail")
    )]
    pub async fn send(&self, email: &Email) -> Result<String, SendError> {
        let content = |text: &str| Content::builder().data(text).charset("UTF-8").build();
        let (Ok(subject), Ok(html), Ok(text)) = (
            content(&email.subject),
            content(&email.html),
            content(&email.text),
        ) else {
            return Err(SendError::Rejected(
                "the email has an empty part".to_owned(),
            ));
        };
        let message = Message::builder()
            .subject(subject)
            .body(Body::builder().html(html).text(text).build())
            .build();
        let sent = self
            .client
            .send_email()
            .from_email_address(&self.sender)
            .destination(Destination::builder().to_addresses(&email.to).build())
            .content(EmailContent::builder().simple(message).build())
            .send()
            .await;
        match sent {
            Ok(output) => Ok(output.message_id().unwrap_or_default().to_owned()),
            Err(SdkError::ServiceError(failure)) => {
                let reason = DisplayErrorContext(failure.err()).to_string();
                match failure.err() {
                    SendEmailError::TooManyRequestsException(_)
                    | SendEmailError::LimitExceededException(_) => {
                        Err(SendError::Unavailable(reason))
                    }
                    _ => Err(SendError::Rejected(reason)),
                }
            }
            Err(other) => Err(SendError::Unavailable(
                DisplayErrorContext(other).to_string(),
            )),
        }
    }
}
