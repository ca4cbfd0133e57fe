//! What tracing costs book-appointment: its cold start, and `POST /appointments` one at a time,
//! with its spans exported over OTLP/HTTP to the local Jaeger and with tracing off.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use anyhow::Result;
use axum::http::Method;
use carebook_testkit::Function;

use crate::lambda::{Routes, serve_front};
use crate::measure::Latencies;
use crate::report::Figure;
use crate::{COLD_STARTS, Person, booking, load, progress, slot, succeeded};

const SECTION: &str = "Tracing on (spans to the local Jaeger over OTLP/HTTP after each answer) beside tracing off, book-appointment";

/// Bookings per measured figure, one at a time.
const BOOKINGS: usize = 300;

/// The environment without OpenTelemetry's variables: no span leaves the process.
pub fn off(env: &[(String, String)]) -> Vec<(String, String)> {
    env.iter()
        .filter(|(name, _)| !name.starts_with("OTEL_"))
        .cloned()
        .collect()
}

/// `off` with the local Jaeger as the OTLP endpoint, as `make dev` runs the handlers.
fn on(env: &[(String, String)]) -> Vec<(String, String)> {
    let endpoint = std::env::var("OTEL_EXPORTER_OTLP_ENDPOINT")
        .unwrap_or_else(|_| "http://127.0.0.1:4318".to_owned());
    let mut on = off(env);
    on.push(("OTEL_EXPORTER_OTLP_ENDPOINT".to_owned(), endpoint));
    on
}

/// The figures: cold start, then `POST /appointments` p50 through 8 processes (the answer a
/// caller waits for) and through one (the answer plus the previous invocation's export, which
/// the environment finishes before it takes the next: what an invocation occupies it for).
/// Bookings start `first_day` days from today and use as many days as they need.
pub async fn cost(
    release: &Path,
    env: &[(String, String)],
    doctors: &[Person],
    patients: &[Person],
    first_day: i64,
) -> Result<Vec<Figure>> {
    let binary = release.join("book-appointment");
    let (off, on) = (off(env), on(env));
    let mut figures = Vec::new();

    let cold = async |env: &[(String, String)]| -> Result<f64> {
        let function = Function::serve("tracing-cold").await?;
        function.cold_start(&binary, env).await?;
        let mut samples = Vec::new();
        for _ in 0..COLD_STARTS {
            samples.push(function.cold_start(&binary, env).await?.0);
        }
        Ok(Latencies::new(samples, std::time::Duration::ZERO).percentile_ms(50.0))
    };
    progress("  cold start, tracing off and on");
    figures.push(Figure::cost(
        SECTION,
        "cold start (median of 10), tracing on",
        "ms",
        cold(&on).await?,
        "tracing off",
        cold(&off).await?,
    ));

    let mut day = first_day;
    for processes in [8, 1] {
        let mut p50 = Vec::new();
        for env in [&on, &off] {
            progress(format!(
                "  POST /appointments: {BOOKINGS} one at a time, {processes} process(es), {}",
                if env == &on {
                    "tracing on"
                } else {
                    "tracing off"
                }
            ));
            let mut function = Function::serve("book-appointment").await?;
            function.start(&binary, env, processes).await?;
            let routes: Routes = Arc::new(HashMap::from([(
                (Method::POST, "/appointments".to_owned()),
                Arc::new(function),
            )]));
            let front = serve_front(routes).await?;
            let client = reqwest::Client::new();
            let post = async |n: usize| {
                let patient = &patients[n % patients.len()];
                let doctor = &doctors[(n / patients.len() + n) % doctors.len()];
                let starts_at = slot(
                    day + i64::try_from(n / (patients.len() * 16)).unwrap_or(0),
                    i64::try_from((n / patients.len()) % 16).unwrap_or(0),
                );
                succeeded(
                    client
                        .post(format!("{front}/appointments"))
                        .bearer_auth(&patient.token)
                        .json(&booking(doctor, starts_at))
                        .send()
                        .await,
                )
                .await
            };
            // A few untimed first: keys, connections and the exporter's client warm up.
            load(16, 1, async |n| post(BOOKINGS + n).await).await?;
            p50.push(load(BOOKINGS, 1, post).await?.percentile_ms(50.0));
            day += 2;
        }
        figures.push(Figure::cost(
            SECTION,
            format!("POST /appointments p50, one at a time, {processes} process(es), tracing on"),
            "ms",
            p50[0],
            "tracing off",
            p50[1],
        ));
    }
    Ok(figures)
}
