//! `DELETE /closures/{id}`: an admin reopens the clinic over a closure.

carebook_http::lambda_main!(
    appointments::App::from_env(),
    appointments::api::delete_closure
);
