//! `POST /users`: an admin onboards a user into Keycloak and Carebook.

carebook_http::lambda_main!(users::App::from_env(), users::api::create_user);
