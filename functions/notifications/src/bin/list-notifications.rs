//! `GET /notifications`: the caller's notifications, or everyone's for admins.

carebook_http::lambda_main!(
    notifications::App::from_env(),
    notifications::api::list_notifications
);
