//! `GET /analytics/daily`: per-day counts, for admins.

carebook_http::lambda_main!(analytics::App::from_env(), analytics::api::get_daily);
