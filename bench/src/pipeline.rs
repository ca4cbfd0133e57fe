//! The Kafka-triggered side: analytics ingest, notifications, and a booking's way from the
//! HTTP answer to its email and its analytics count.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use aws_lambda_events::kafka::KafkaEvent;
use axum::Json;
use axum::extract::{Path as UrlPath, State};
use carebook_auth::AuthConfig;
use carebook_backends::Publisher;
use carebook_event_source::{Invoker, Runner, Settings, StartingPosition};
use carebook_events::{AppointmentCreated, CloudEvent};
use carebook_testkit::{
    TestDatabase, backends_config, booked, bootstrap_servers, create_topic, msk_event,
};
use rdkafka::consumer::{Consumer, StreamConsumer};
use rdkafka::{ClientConfig, Offset, TopicPartitionList};
use serde_json::Value;
use tokio::sync::watch;
use uuid::Uuid;

use crate::measure::Latencies;
use crate::report::Figure;
use crate::{Person, booking, progress, slot};

fn batch_of(events: &[CloudEvent<AppointmentCreated>]) -> Result<KafkaEvent> {
    let values: Vec<(String, Vec<u8>)> = events
        .iter()
        .map(|e| Ok((e.subject.clone(), serde_json::to_vec(e)?)))
        .collect::<Result<_>>()?;
    let records: Vec<(&str, &[u8])> = values
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_slice()))
        .collect();
    Ok(msk_event("appointment-events", &records))
}

async fn analytics_app(auth: &AuthConfig) -> Result<(analytics::App, TestDatabase)> {
    let db = TestDatabase::create(&analytics::MIGRATOR).await;
    let app = analytics::App::new(&analytics::Config {
        auth: auth.clone(),
        backends: backends_config(&db),
    })
    .await?;
    Ok((app, db))
}

async fn notifications_app(auth: &AuthConfig) -> Result<(notifications::App, TestDatabase)> {
    let db = TestDatabase::create(&notifications::MIGRATOR).await;
    let app = notifications::App::new(&notifications::Config {
        auth: auth.clone(),
        backends: backends_config(&db),
        sender: "Carebook <no-reply@carebook.test>".to_owned(),
        time_zone: chrono_tz::Tz::UTC,
        ses_endpoint: None,
    })
    .await?;
    Ok((app, db))
}

/// Records per second of one `ingest-events` invocation, batches of 100 and 1,000, beside one
/// multi-row INSERT of as many rows; and a note of where a batch of 1,000's time goes.
pub async fn ingest(auth: &AuthConfig) -> Result<(Vec<Figure>, String)> {
    const SECTION: &str = "Analytics ingest (one invocation, median of 5 batches)";
    let (app, db) = analytics_app(auth).await?;
    sqlx::query("create table bench_floor (id uuid primary key)")
        .execute(db.pool())
        .await?;
    let mut figures = Vec::new();
    let mut note = String::new();
    for size in [100, 1000] {
        let mut ours = Vec::new();
        let mut replays = Vec::new();
        let mut floor = Vec::new();
        for _ in 0..5 {
            let events: Vec<_> = (0..size).map(|_| booked("Patient", "Doctor").0).collect();
            let batch = batch_of(&events)?;
            let started = Instant::now();
            let answer = analytics::ingest::ingest_events(&app, batch.clone()).await;
            ours.push(started.elapsed());
            if !answer.batch_item_failures.is_empty() {
                bail!(
                    "ingest refused {} records",
                    answer.batch_item_failures.len()
                );
            }
            // The same batch again: decoded, folded and claimed, but every event was applied,
            // so nothing is written. What it costs is the batch's time without the upserts.
            let started = Instant::now();
            analytics::ingest::ingest_events(&app, batch).await;
            replays.push(started.elapsed());
            let ids: Vec<Uuid> = (0..size).map(|_| Uuid::now_v7()).collect();
            let started = Instant::now();
            sqlx::query("insert into bench_floor select unnest($1::uuid[])")
                .bind(&ids)
                .execute(db.pool())
                .await?;
            floor.push(started.elapsed());
        }
        let median =
            |samples: Vec<Duration>| Latencies::new(samples, Duration::ZERO).percentile_ms(50.0);
        let rate = |samples: Vec<Duration>| size as f64 / (median(samples) / 1e3);
        if size == 1000 {
            let (whole, replay) = (median(ours.clone()), median(replays));
            note = format!(
                "Where a batch of 1,000 goes in analytics ingest (medians of 5, this run): {whole:.1} ms in all. Replaying the same batch, which decodes and folds it and claims its 1,000 event ids in one transaction but writes nothing else, takes {replay:.1} ms; the upserts of the folded rows take the difference, {:.1} ms.",
                whole - replay
            );
        }
        let figure = Figure::rate(
            SECTION,
            format!("batch of {size}"),
            "records/s",
            rate(ours),
            format!("one INSERT of {size} rows"),
            rate(floor),
        );
        figures.push(if size == 1000 {
            figure.target("≥ 50,000 records/s", |r| r >= 50_000.0)
        } else {
            figure
        });
    }
    Ok((figures, note))
}

/// Emails per second of `send-notifications` against the SES emulator, beside bare SES v2
/// `SendEmail` calls to the same emulator.
pub async fn notifications(auth: &AuthConfig) -> Result<Vec<Figure>> {
    const BOOKINGS: usize = 50;
    let (app, _db) = notifications_app(auth).await?;
    let events: Vec<_> = (0..BOOKINGS)
        .map(|_| booked("Patient", "Doctor").0)
        .collect();
    let batch = batch_of(&events)?;
    let started = Instant::now();
    let answer = notifications::send::send_notifications(&app, batch).await;
    let ours = started.elapsed();
    if !answer.batch_item_failures.is_empty() {
        bail!(
            "notifications failed {} records",
            answer.batch_item_failures.len()
        );
    }
    let ses = aws_sdk_sesv2::Client::new(&aws_config::load_from_env().await);
    let started = Instant::now();
    for n in 0..2 * BOOKINGS {
        ses.send_email()
            .from_email_address("Carebook <no-reply@carebook.test>")
            .destination(
                aws_sdk_sesv2::types::Destination::builder()
                    .to_addresses(format!("floor-{n}@carebook.test"))
                    .build(),
            )
            .content(
                aws_sdk_sesv2::types::EmailContent::builder()
                    .simple(
                        aws_sdk_sesv2::types::Message::builder()
                            .subject(
                                aws_sdk_sesv2::types::Content::builder()
                                    .data("Your appointment")
                                    .build()?,
                            )
                            .body(
                                aws_sdk_sesv2::types::Body::builder()
                                    .text(
                                        aws_sdk_sesv2::types::Content::builder()
                                            .data("Booked.")
                                            .build()?,
                                    )
                                    .build(),
                            )
                            .build(),
                    )
                    .build(),
            )
            .send()
            .await
            .context("SES emulator")?;
    }
    let floor = started.elapsed();
    let emails = (2 * BOOKINGS) as f64;
    Ok(vec![Figure::rate(
        "Notifications against the SES emulator (moto), 50 bookings = 100 emails in one invocation",
        "send-notifications",
        "emails/s",
        emails / ours.as_secs_f64(),
        "bare SES v2 SendEmail calls",
        emails / floor.as_secs_f64(),
    )])
}

struct Consumers {
    analytics: analytics::App,
    notifications: notifications::App,
}

async fn invoke(
    State(consumers): State<Arc<Consumers>>,
    UrlPath(name): UrlPath<String>,
    Json(event): Json<KafkaEvent>,
) -> Json<Value> {
    // The handlers' futures are not `Send` for every lifetime (an async closure inside
    // `process_each`); they run to completion on this thread, as the Lambda runtime runs them.
    let answer = tokio::task::block_in_place(|| {
        tokio::runtime::Handle::current().block_on(async {
            match name.as_str() {
                "ingest-events" => {
                    analytics::ingest::ingest_events(&consumers.analytics, event).await
                }
                _ => notifications::send::send_notifications(&consumers.notifications, event).await,
            }
        })
    });
    Json(serde_json::to_value(answer).unwrap_or_default())
}

/// A booking through the HTTP front until its patient's email is recorded as sent and its
/// analytics row exists; once with the template's mappings, once without a batching window.
pub async fn end_to_end(
    root: &std::path::Path,
    auth: &AuthConfig,
    front: &str,
    patients: &[Person],
    doctors: &[Person],
) -> Result<(Vec<Figure>, Vec<String>)> {
    const SECTION: &str = "End to end: booking answered → email recorded (SES accepted, row `sent`) and analytics updated, 30 bookings one after another";
    let (analytics, analytics_db) = analytics_app(auth).await?;
    let (notifications, notifications_db) = notifications_app(auth).await?;
    let consumers = Arc::new(Consumers {
        analytics,
        notifications,
    });
    let router = axum::Router::new()
        .route(
            "/2015-03-31/functions/{name}/invocations",
            axum::routing::post(invoke),
        )
        .with_state(consumers);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let watch_url = format!("http://{}", listener.local_addr()?);
    tokio::spawn(async move { axum::serve(listener, router).await });
    let template = std::fs::read_to_string(root.join("../infra/template.yaml"))?;
    let settings = Settings::from_template(&template)?;
    let window = settings
        .mappings
        .iter()
        .find(|m| m.function == "send-notifications")
        .map(|m| m.batching_window)
        .unwrap_or_default();
    let client = reqwest::Client::new();
    let floor = kafka_round_trip().await?;
    let mut figures = Vec::new();
    for (round, (label, batching_window)) in [
        (
            format!("as deployed (batching window {} ms)", window.as_millis()),
            window,
        ),
        ("batching window 0".to_owned(), Duration::ZERO),
    ]
    .into_iter()
    .enumerate()
    {
        let (stop, shutdown) = watch::channel(false);
        for mapping in settings.mappings.iter().filter(|m| {
            m.topic == "appointment-events"
                && ["ingest-events", "send-notifications"].contains(&m.function.as_str())
        }) {
            let mut mapping = mapping.clone();
            mapping.consumer_group =
                format!("bench-{}-{}", mapping.function, Uuid::new_v4().simple());
            mapping.starting_position = StartingPosition::Latest;
            mapping.batching_window = batching_window;
            let runner = Runner::new(
                mapping,
                &bootstrap_servers(),
                Invoker::new(&watch_url, Duration::from_secs(30))?,
                Publisher::new(&bootstrap_servers(), Duration::from_secs(5))?,
                "arn:bench",
            )?;
            let shutdown = shutdown.clone();
            tokio::spawn(async move { runner.run(shutdown).await });
        }
        // The new consumer groups join and are assigned their partitions.
        tokio::time::sleep(Duration::from_secs(6)).await;
        let mut samples = Vec::new();
        for (n, patient) in patients[round * 30..round * 30 + 30].iter().enumerate() {
            let doctor = &doctors[n % doctors.len()];
            let answer = client
                .post(format!("{front}/appointments"))
                .bearer_auth(&patient.token)
                .json(&booking(
                    doctor,
                    slot(
                        5 + i64::try_from(round).unwrap_or(0),
                        i64::try_from(n % 16).unwrap_or(0),
                    ),
                ))
                .send()
                .await?;
            let answered = Instant::now();
            if !answer.status().is_success() {
                bail!("e2e booking: {} {}", answer.status(), answer.text().await?);
            }
            let appointment: Value = answer.json().await?;
            let id: Uuid = appointment["id"].as_str().unwrap_or_default().parse()?;
            let deadline = answered + Duration::from_secs(30);
            loop {
                let emailed: bool = sqlx::query_scalar(
                    "select exists (select 1 from notifications where recipient_id = $1 and status = 'sent')",
                )
                .bind(patient.id)
                .fetch_one(notifications_db.pool())
                .await?;
                let counted: bool =
                    sqlx::query_scalar("select exists (select 1 from appointments where id = $1)")
                        .bind(id)
                        .fetch_one(analytics_db.pool())
                        .await?;
                if emailed && counted {
                    samples.push(answered.elapsed());
                    break;
                }
                if Instant::now() > deadline {
                    bail!("booking {id}: no email or no analytics row after 30 s");
                }
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
        }
        let _ = stop.send(true);
        let latencies = Latencies::new(samples, Duration::ZERO);
        progress(format!(
            "  {label}: p50 {:.1} ms",
            latencies.percentile_ms(50.0)
        ));
        figures.push(
            Figure::cost(
                SECTION,
                format!("p50, {label}"),
                "ms",
                latencies.percentile_ms(50.0),
                "Kafka produce → consume p50",
                floor.percentile_ms(50.0),
            )
            .target("p50 < 100 ms", |ms| ms < 100.0),
        );
        figures.push(Figure::cost(
            SECTION,
            format!("p99, {label}"),
            "ms",
            latencies.percentile_ms(99.0),
            "Kafka produce → consume p99",
            floor.percentile_ms(99.0),
        ));
    }
    let notes = vec![format!(
        "End to end runs the local event source mapping with the template's settings (MaximumBatchingWindowInSeconds: {} ms, waited after a batch's first record as Lambda does), then with no window, to show the path itself. The consumers run in-process behind the Invoke API. The booking answer does not wait for Kafka: its event is published after the answer, before the handler asks for its next invocation.",
        window.as_millis()
    )];
    Ok((figures, notes))
}

/// Produce → consume latency of one record on the local broker: the floor of any event path.
async fn kafka_round_trip() -> Result<Latencies> {
    let topic = &format!("bench-floor-{}", Uuid::new_v4().simple());
    create_topic(topic, 1).await;
    let consumer: StreamConsumer = ClientConfig::new()
        .set("bootstrap.servers", bootstrap_servers())
        .set("group.id", format!("bench-floor-{}", Uuid::new_v4()))
        .set("fetch.wait.max.ms", "1")
        .create()?;
    let metadata = consumer.fetch_metadata(Some(topic), Duration::from_secs(10))?;
    let mut assignment = TopicPartitionList::new();
    for partition in metadata.topics().iter().flat_map(|t| t.partitions()) {
        assignment.add_partition_offset(topic, partition.id(), Offset::End)?;
    }
    consumer.assign(&assignment)?;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let publisher = Publisher::new(&bootstrap_servers(), Duration::from_secs(5))?;
    let mut samples = Vec::new();
    for _ in 0..30 {
        let key = Uuid::new_v4().to_string();
        let sent = Instant::now();
        publisher.publish(topic, &key, b"{}", &[]).await?;
        loop {
            let message = tokio::time::timeout(Duration::from_secs(10), consumer.recv())
                .await
                .context("the floor's record did not arrive")??;
            if rdkafka::Message::key(&message) == Some(key.as_bytes()) {
                break;
            }
        }
        samples.push(sent.elapsed());
    }
    Ok(Latencies::new(samples, Duration::ZERO))
}
