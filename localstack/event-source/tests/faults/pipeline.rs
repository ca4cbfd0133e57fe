//! Records on a topic of the test's own, delivered by the local event source mapping to the
//! analytics and notifications handlers behind a stand-in for `cargo lambda watch`.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use aws_lambda_events::kafka::KafkaEvent;
use axum::Json;
use axum::extract::{Path, State};
use carebook_backends::Publisher;
use carebook_event_source::{Invoker, Mapping, Runner, StartingPosition};
use carebook_testkit::{
    Keycloak, TestDatabase, TopicTail, backends_config, booked, bootstrap_servers, create_topic,
    mail_to, topic_size,
};
use serde_json::Value;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use uuid::Uuid;

/// The two consumers of `appointment-events`: (function, consumer name).
const CONSUMERS: [(&str, &str); 2] = [
    ("ingest-events", "analytics"),
    ("send-notifications", "notifications"),
];

struct Functions {
    analytics: analytics::App,
    notifications: notifications::App,
    invocations: AtomicUsize,
    /// How long each invocation takes beyond the handler's own work.
    slowness: Duration,
}

async fn invoke(
    State(functions): State<Arc<Functions>>,
    Path(name): Path<String>,
    Json(event): Json<KafkaEvent>,
) -> Json<Value> {
    functions.invocations.fetch_add(1, Ordering::SeqCst);
    // The handlers' futures are not `Send` for every lifetime (an async closure inside
    // `process_each`); axum wants `Send`, so each runs to completion on this thread, as the
    // Lambda runtime runs them.
    let response = tokio::task::block_in_place(|| {
        tokio::runtime::Handle::current().block_on(async {
            match name.as_str() {
                "ingest-events" => {
                    analytics::ingest::ingest_events(&functions.analytics, event).await
                }
                _ => notifications::send::send_notifications(&functions.notifications, event).await,
            }
        })
    });
    tokio::time::sleep(functions.slowness).await;
    Json(serde_json::to_value(response).unwrap())
}

/// A booking whose event was published: what its effects are looked up by.
pub struct Booking {
    patient_email: String,
    doctor_email: String,
}

pub struct Pipeline {
    topic: String,
    functions: Arc<Functions>,
    watch: String,
    analytics_db: TestDatabase,
    /// Publishes the test's records and the mappings' dead letters.
    publisher: Publisher,
}

impl Pipeline {
    /// Both consumers with their databases on `database_server`, emailing through
    /// `ses_endpoint` (the stack's emulator by default), on a new topic.
    pub async fn start(
        database_server: String,
        ses_endpoint: Option<String>,
        slowness: Duration,
    ) -> Self {
        // The HTTP side of the consumers is not called here: any issuer will do.
        let auth = Keycloak::local().auth_config();
        let analytics_db = TestDatabase::create_on(&database_server, &analytics::MIGRATOR).await;
        let notifications_db =
            TestDatabase::create_on(&database_server, &notifications::MIGRATOR).await;
        let functions = Arc::new(Functions {
            analytics: analytics::App::new(&analytics::Config {
                auth: auth.clone(),
                backends: backends_config(&analytics_db),
            })
            .await
            .unwrap(),
            notifications: notifications::App::new(&notifications::Config {
                auth,
                backends: backends_config(&notifications_db),
                sender: "Carebook <no-reply@carebook.test>".to_owned(),
                time_zone: chrono_tz::Tz::UTC,
                ses_endpoint,
            })
            .await
            .unwrap(),
            invocations: AtomicUsize::new(0),
            slowness,
        });
        let router = axum::Router::new()
            .route(
                "/2015-03-31/functions/{name}/invocations",
                axum::routing::post(invoke),
            )
            .with_state(functions.clone());
        let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
            .await
            .unwrap();
        let watch = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
        let topic = format!("faults-{}", Uuid::new_v4().simple());
        create_topic(&topic, 3).await;
        for (_, consumer) in CONSUMERS {
            create_topic(&format!("{topic}.{consumer}.dlq"), 1).await;
        }
        Self {
            topic,
            functions,
            watch,
            analytics_db,
            publisher: Publisher::new(&bootstrap_servers(), Duration::from_secs(5)).unwrap(),
        }
    }

    /// Publishes `count` bookings' `appointment.created` events.
    pub async fn produce(&self, count: usize) -> Vec<Booking> {
        self.produce_copies(count, 1).await
    }

    /// Publishes `count` bookings' events, each `copies` times.
    pub async fn produce_copies(&self, count: usize, copies: usize) -> Vec<Booking> {
        let mut bookings = Vec::new();
        for _ in 0..count {
            let (event, patient_email, doctor_email) = booked("patient", "doctor");
            let booking = Booking {
                patient_email,
                doctor_email,
            };
            let value = serde_json::to_vec(&event).unwrap();
            for _ in 0..copies {
                self.produce_raw(&event.subject, &value).await;
            }
            bookings.push(booking);
        }
        bookings
    }

    pub async fn produce_raw(&self, key: &str, value: &[u8]) {
        self.publisher
            .publish(&self.topic, key, value, &[])
            .await
            .unwrap();
    }

    /// Starts both event source mappings, as `make dev` configures them from the template.
    pub fn deliver(&self) -> Delivery {
        self.deliver_as("mapping")
    }

    /// Another set of mappings with consumer groups of their own: each delivers every record.
    pub fn deliver_as(&self, name: &str) -> Delivery {
        let mut runners = Vec::new();
        for (function, consumer) in CONSUMERS {
            let mapping = Mapping {
                function: function.into(),
                topic: self.topic.clone(),
                consumer_group: format!("{}-{consumer}-{name}", self.topic),
                batch_size: 5,
                batching_window: Duration::from_millis(100),
                starting_position: StartingPosition::Earliest,
                max_retries: None,
                bisect_on_error: false,
                report_batch_item_failures: true,
                on_failure_topic: Some(self.dead_letter_topic(consumer)),
            };
            let invoker = Invoker::new(&self.watch, Duration::from_secs(30)).unwrap();
            let runner = Runner::new(
                mapping,
                &bootstrap_servers(),
                invoker,
                self.publisher.clone(),
                "arn:local",
            )
            .unwrap();
            let (stop, shutdown) = watch::channel(false);
            runners.push((
                stop,
                tokio::spawn(async move { runner.run(shutdown).await.unwrap() }),
            ));
        }
        Delivery { runners }
    }

    pub async fn wait_for_invocations(&self, count: usize) {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        while self.functions.invocations.load(Ordering::SeqCst) < count {
            assert!(
                tokio::time::Instant::now() < deadline,
                "no {count} invocations"
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// Bookings counted by analytics.
    pub async fn counted(&self) -> i64 {
        sqlx::query_scalar("select coalesce(sum(created), 0)::bigint from daily_counts")
            .fetch_one(self.analytics_db.pool())
            .await
            .unwrap()
    }

    /// Emails the SES emulator accepted for the patients and doctors of `bookings`.
    pub async fn emails_sent(&self, bookings: &[Booking]) -> usize {
        let mut sent = 0;
        for booking in bookings {
            sent += mail_to(&booking.patient_email).await.len();
            sent += mail_to(&booking.doctor_email).await.len();
        }
        sent
    }

    /// Waits (a minute at most) for every booking's effects, lets redeliveries land, then
    /// asserts each booking was counted once and emailed once to each of its two people.
    pub async fn assert_each_had_its_one_effect(&self, bookings: &[Booking]) {
        let expected = i64::try_from(bookings.len()).unwrap();
        let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
        while (self.counted().await < expected
            || self.emails_sent(bookings).await < 2 * bookings.len())
            && tokio::time::Instant::now() < deadline
        {
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
        assert_eq!(self.counted().await, expected, "each booking counted once");
        for booking in bookings {
            for address in [&booking.patient_email, &booking.doctor_email] {
                assert_eq!(mail_to(address).await.len(), 1, "one email to {address}");
            }
        }
    }

    pub fn dead_letter_topic(&self, consumer: &str) -> String {
        format!("{}.{consumer}.dlq", self.topic)
    }

    pub fn dead_letters(&self, consumer: &str) -> TopicTail {
        TopicTail::from_start_on(&bootstrap_servers(), &self.dead_letter_topic(consumer))
    }

    pub fn assert_no_dead_letters(&self) {
        for (_, consumer) in CONSUMERS {
            let topic = self.dead_letter_topic(consumer);
            assert_eq!(topic_size(&topic), 0, "nothing in {topic}");
        }
    }
}

/// Running event source mappings.
pub struct Delivery {
    runners: Vec<(watch::Sender<bool>, JoinHandle<()>)>,
}

impl Delivery {
    /// Stops them as `make dev` does on Ctrl-C: a batch in flight stays uncommitted.
    pub async fn stop(self) {
        for (stop, running) in self.runners {
            stop.send(true).unwrap();
            running.await.unwrap();
        }
    }

    /// Ends them at once, as a killed process: nothing more is committed.
    pub fn kill(self) {
        for (_, running) in self.runners {
            running.abort();
        }
    }
}
