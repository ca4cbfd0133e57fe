//! Secrets in the AWS emulator (moto), as the stack's environment points the SDK at it.

pub use carebook_testkit::stored_secret as secret;

/// A setup error about the secret `arn` that names it and quotes none of `content`.
pub fn assert_names_without_content(error: impl std::fmt::Display, arn: &str, content: &str) {
    let message = error.to_string();
    assert!(message.contains(arn), "{message}");
    assert!(!message.contains(content), "{message}");
}
