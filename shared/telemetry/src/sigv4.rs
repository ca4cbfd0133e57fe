//! Span exports to an AWS endpoint, signed with the function's credentials (SigV4): X-Ray's
//! OTLP endpoint (`https://xray.<region>.amazonaws.com/v1/traces`) takes OTLP/HTTP straight
//! from the function, with no collector layer to start at cold start.
//! <https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch-OTLPEndpoint.html>

use std::env;
use std::time::SystemTime;

use async_trait::async_trait;
use aws_credential_types::Credentials;
use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
use aws_sigv4::sign::v4;
use bytes::Bytes;
use http::{Request, Response};
use opentelemetry_http::{HttpClient, HttpError};

/// Who signs for an AWS endpoint: the service and region its host names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct AwsEndpoint {
    service: String,
    region: String,
}

impl AwsEndpoint {
    /// `https://<service>.<region>.amazonaws.com/...` (or `.amazonaws.com.cn`, or dual-stack
    /// `.api.aws`), FIPS endpoints (`<service>-fips`) included; any other URL is not AWS's and
    /// is sent unsigned.
    pub(crate) fn of(url: &str) -> Option<Self> {
        let host = url
            .strip_prefix("https://")?
            .split(['/', ':'])
            .next()?
            .to_ascii_lowercase();
        let labels: Vec<&str> = host.split('.').collect();
        match labels.as_slice() {
            [service, region, "amazonaws", "com"]
            | [service, region, "amazonaws", "com", "cn"]
            | [service, region, "api", "aws"] => Some(Self {
                service: service.trim_end_matches("-fips").to_owned(),
                region: (*region).to_owned(),
            }),
            _ => None,
        }
    }

    /// Adds SigV4's headers (`authorization`, `x-amz-date`, and `x-amz-security-token` for a
    /// role's temporary credentials) to `request`.
    pub(crate) fn sign(
        &self,
        request: &mut Request<Bytes>,
        credentials: &Credentials,
        time: SystemTime,
    ) -> Result<(), HttpError> {
        let identity = credentials.clone().into();
        let params = v4::SigningParams::builder()
            .identity(&identity)
            .region(&self.region)
            .name(&self.service)
            .time(time)
            .settings(SigningSettings::default())
            .build()?
            .into();
        let headers = request
            .headers()
            .iter()
            .map(|(name, value)| Ok((name.as_str(), value.to_str()?)))
            .collect::<Result<Vec<_>, http::header::ToStrError>>()?;
        let signable = SignableRequest::new(
            request.method().as_str(),
            request.uri().to_string(),
            headers.into_iter(),
            SignableBody::Bytes(request.body()),
        )?;
        let (instructions, _signature) = sign(signable, &params)?.into_parts();
        instructions.apply_to_request_http1x(request);
        Ok(())
    }
}

/// The role's credentials Lambda puts in every function's environment.
fn environment_credentials() -> Result<Credentials, HttpError> {
    let variable = |name: &str| env::var(name).map_err(|_| format!("{name} is not set"));
    Ok(Credentials::new(
        variable("AWS_ACCESS_KEY_ID")?,
        variable("AWS_SECRET_ACCESS_KEY")?,
        env::var("AWS_SESSION_TOKEN").ok(),
        None,
        "environment",
    ))
}

/// The exporter's HTTP client, signing each request for an AWS endpoint first.
#[derive(Debug)]
pub(crate) struct Signing {
    pub(crate) endpoint: AwsEndpoint,
    pub(crate) client: reqwest::blocking::Client,
}

#[async_trait]
impl HttpClient for Signing {
    async fn send_bytes(&self, mut request: Request<Bytes>) -> Result<Response<Bytes>, HttpError> {
        self.endpoint
            .sign(&mut request, &environment_credentials()?, SystemTime::now())?;
        self.client.send_bytes(request).await
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, UNIX_EPOCH};

    use super::*;

    #[test]
    fn only_https_urls_of_aws_hosts_are_signed() {
        assert_eq!(
            AwsEndpoint::of("https://xray.eu-west-1.amazonaws.com/v1/traces"),
            Some(AwsEndpoint {
                service: "xray".to_owned(),
                region: "eu-west-1".to_owned()
            })
        );
        for signed in [
            "https://xray.cn-north-1.amazonaws.com.cn/v1/traces",
            "https://xray-fips.us-east-1.amazonaws.com/v1/traces",
            "https://xray.us-east-1.api.aws/v1/traces",
        ] {
            assert_eq!(
                AwsEndpoint::of(signed).map(|endpoint| endpoint.service),
                Some("xray".to_owned()),
                "{signed}"
            );
        }
        for unsigned in [
            "http://127.0.0.1:4318",
            "http://xray.eu-west-1.amazonaws.com/v1/traces",
            "https://collector.example.com/v1/traces",
            "https://xray.eu-west-1.amazonaws.com.example.com/v1/traces",
        ] {
            assert_eq!(AwsEndpoint::of(unsigned), None, "{unsigned}");
        }
    }

    fn signed(body: &'static [u8]) -> Request<Bytes> {
        let endpoint = AwsEndpoint::of("https://xray.eu-west-1.amazonaws.com/v1/traces")
            .expect("an AWS endpoint");
        let mut request = Request::post("https://xray.eu-west-1.amazonaws.com/v1/traces")
            .header("content-type", "application/x-protobuf")
            .body(Bytes::from_static(body))
            .expect("a request");
        let credentials = Credentials::new(
            "AKIDEXAMPLE",
            "secret",
            Some("token".to_owned()),
            None,
            "test",
        );
        // 2026-12-08T00:00:00Z
        let time = UNIX_EPOCH + Duration::from_secs(1_796_688_000);
        endpoint
            .sign(&mut request, &credentials, time)
            .expect("signed");
        request
    }

    fn header(request: &Request<Bytes>, name: &str) -> String {
        request.headers()[name]
            .to_str()
            .expect("a text header")
            .to_owned()
    }

    /// A request signed as X-Ray's endpoint expects: the credential scope names the day, the
    /// region and `xray`, and the role's session token travels with it.
    #[test]
    fn an_export_is_signed_for_xray_in_its_region() {
        let request = signed(b"spans");
        let authorization = header(&request, "authorization");
        assert!(
            authorization.starts_with(
                "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261208/eu-west-1/xray/aws4_request, \
                 SignedHeaders=content-type;host;x-amz-date;x-amz-security-token, Signature="
            ),
            "{authorization}"
        );
        assert_eq!(header(&request, "x-amz-date"), "20261208T000000Z");
        assert_eq!(header(&request, "x-amz-security-token"), "token");
        assert_ne!(
            header(&signed(b"other spans"), "authorization"),
            authorization,
            "the signature covers the body"
        );
    }
}
