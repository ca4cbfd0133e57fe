//! `GET /analytics/summary`: the clinic's figures, for admins.

carebook_http::lambda_main!(analytics::App::from_env(), analytics::api::get_summary);
