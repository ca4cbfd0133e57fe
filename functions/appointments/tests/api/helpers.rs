use std::time::Duration;

use appointments::{App, BookingRules, Config, WorkingHours};
use carebook_auth::AuthConfig;
use carebook_backends::{BackendsConfig, KafkaConfig};
use carebook_events::{CloudEvent, UserRegistered, UserSnapshot};
use carebook_http::ApiError;
use carebook_testkit::{
    ApiRequest, Keycloak, TestDatabase, TokenForger, TopicTail, backends_config,
    backends_config_without_broker, msk_event, read, schema_violations,
};
use chrono::{DateTime, Duration as Days, DurationRound, Utc};
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};
use serde_json::{Value, json};
use uuid::Uuid;

/// A signed-in person of one test.
#[derive(Clone)]
pub struct Person {
    pub id: Uuid,
    pub username: String,
    pub token: String,
}

impl Person {
    pub fn token(&self) -> Option<&str> {
        Some(&self.token)
    }
}

/// Who signs the tokens of a test's people: the local Keycloak, or for the hostile-token
/// corpus a forger the service is made to trust.
pub enum Signer {
    Keycloak(Keycloak),
    Forger(TokenForger),
}

/// One test's appointments service: its own database, the local Keycloak and broker.
pub struct TestApp {
    pub signer: Signer,
    pub db: TestDatabase,
    pub app: App,
}

impl TestApp {
    pub async fn spawn() -> Self {
        Self::with_backends(backends_config).await
    }

    /// The service while its Kafka broker is down.
    pub async fn spawn_without_broker() -> Self {
        Self::with_backends(backends_config_without_broker).await
    }

    /// The service publishing to the broker at `servers` (a test's own).
    pub async fn on_broker(servers: &str) -> Self {
        Self::with_backends(|db| BackendsConfig {
            kafka: KafkaConfig {
                message_timeout: Duration::from_secs(2),
                ..KafkaConfig::with_servers(servers)
            },
            publish_budget: Duration::from_secs(1),
            ..backends_config(db)
        })
        .await
    }

    /// The service trusting a token forger instead of Keycloak: for tokens no real server
    /// would sign.
    pub async fn trusting_forger() -> Self {
        let forger = TokenForger::start().await.unwrap();
        Self::with(Signer::Forger(forger), backends_config).await
    }

    async fn with_backends(backends: impl FnOnce(&TestDatabase) -> BackendsConfig) -> Self {
        Self::with(Signer::Keycloak(Keycloak::local()), backends).await
    }

    async fn with(signer: Signer, backends: impl FnOnce(&TestDatabase) -> BackendsConfig) -> Self {
        let db = TestDatabase::create(&appointments::MIGRATOR).await;
        let app = App::new(&Self::config(signer.auth_config(), backends(&db)))
            .await
            .unwrap();
        Self { signer, db, app }
    }

    pub fn config(auth: AuthConfig, backends: BackendsConfig) -> Config {
        Config {
            auth,
            backends,
            hours: WorkingHours::default(),
            rules: BookingRules::default(),
        }
    }

    /// Another instance of the service on the same database, as a second Lambda container.
    pub async fn another_instance(&self) -> App {
        App::new(&Self::config(
            self.signer.auth_config(),
            backends_config(&self.db),
        ))
        .await
        .unwrap()
    }

    /// The forger this service trusts.
    ///
    /// # Panics
    /// When the service trusts Keycloak.
    pub fn forger(&self) -> &TokenForger {
        match &self.signer {
            Signer::Forger(forger) => forger,
            Signer::Keycloak(_) => panic!("this service trusts Keycloak, not a forger"),
        }
    }

    /// New people with `roles`, known to Keycloak (or the forger) and, through
    /// `user.registered` events fed to the directory handler, to this service.
    pub async fn register_many(&self, roles: &[&str], count: usize) -> Vec<Person> {
        let people = self.signer.people(roles, count).await;
        let events: Vec<(String, Vec<u8>)> = people
            .iter()
            .map(|person| {
                let event = CloudEvent::new(UserRegistered {
                    user: UserSnapshot {
                        user_id: person.id,
                        username: Some(person.username.clone()),
                        email: Some(format!("{}@carebook.test", person.username)),
                        email_verified: true,
                        first_name: Some("Test".to_owned()),
                        last_name: Some(person.username.clone()),
                        roles: roles.iter().map(|r| r.parse().unwrap()).collect(),
                        specialty: None,
                    },
                });
                (person.id.to_string(), serde_json::to_vec(&event).unwrap())
            })
            .collect();
        let records: Vec<(&str, &[u8])> = events
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_slice()))
            .collect();
        let response =
            appointments::directory::sync_directory(&self.app, msk_event("user-events", &records))
                .await;
        assert!(response.batch_item_failures.is_empty());
        people
    }

    pub async fn register(&self, roles: &[&str]) -> Person {
        self.register_many(roles, 1).await.remove(0)
    }

    /// The realm's admin; admins need not be in the directory.
    pub async fn admin(&self) -> Person {
        match &self.signer {
            Signer::Keycloak(keycloak) => {
                let admin = keycloak.seeded("admin").await;
                Person {
                    id: admin.id,
                    username: admin.username,
                    token: admin.token,
                }
            }
            Signer::Forger(_) => self.signer.people(&["admin"], 1).await.remove(0),
        }
    }

    pub async fn call(
        &self,
        endpoint: impl AsyncFn(&App, &Request) -> Result<Response<Body>, ApiError>,
        request: ApiRequest,
    ) -> (StatusCode, Value) {
        read(&self.call_raw(endpoint, request).await)
    }

    pub async fn call_raw(
        &self,
        endpoint: impl AsyncFn(&App, &Request) -> Result<Response<Body>, ApiError>,
        request: ApiRequest,
    ) -> Response<Body> {
        call_on(&self.app, endpoint, request).await
    }

    /// Books `doctor` for `patient` at `starts_at`, which must succeed.
    pub async fn book(&self, patient: &Person, doctor: &Person, starts_at: DateTime<Utc>) -> Value {
        let (status, body) = self.try_book(patient, &booking(doctor, starts_at)).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        body
    }

    /// `POST /appointments` with `body`, as `who`.
    pub async fn try_book(&self, who: &Person, body: &Value) -> (StatusCode, Value) {
        self.call(
            appointments::api::book_appointment,
            ApiRequest::post("/appointments")
                .token(who.token())
                .json(body),
        )
        .await
    }

    /// Moves the appointment `id` so that it started `minutes_ago` and lasts 30 minutes: the
    /// API books only in the future, and a test cannot wait for the time to come.
    pub async fn started(&self, id: &Value, minutes_ago: i32) {
        let id: Uuid = id.as_str().unwrap().parse().unwrap();
        sqlx::query!(
            "update appointments set starts_at = now() - make_interval(mins => $2),
                    ends_at = now() - make_interval(mins => $2) + interval '30 minutes'
             where id = $1",
            id,
            minutes_ago,
        )
        .execute(self.db.pool())
        .await
        .unwrap();
    }

    /// Every stored appointment, idempotency key and outbox row: what a refused request must
    /// leave exactly as it was.
    pub async fn stored(&self) -> Value {
        sqlx::query_scalar!(
            r#"select jsonb_build_array(
                (select coalesce(jsonb_agg(a order by id), '[]') from appointments a),
                (select coalesce(jsonb_agg(k order by key), '[]') from idempotency_keys k),
                (select count(*) from outbox)) as "stored!""#,
        )
        .fetch_one(self.db.pool())
        .await
        .unwrap()
    }
}

impl Signer {
    pub fn auth_config(&self) -> AuthConfig {
        match self {
            Signer::Keycloak(keycloak) => keycloak.auth_config(),
            Signer::Forger(forger) => forger.auth_config(),
        }
    }

    async fn people(&self, roles: &[&str], count: usize) -> Vec<Person> {
        match self {
            Signer::Keycloak(keycloak) => keycloak
                .new_users(roles, count)
                .await
                .into_iter()
                .map(|user| Person {
                    id: user.id,
                    username: user.username,
                    token: user.token,
                })
                .collect(),
            Signer::Forger(forger) => (0..count)
                .map(|_| {
                    let id = Uuid::new_v4();
                    let username = format!("forged-{}", id.simple());
                    let token = forger.sign(&forger.claims_for(id, &username, roles));
                    Person {
                        id,
                        username,
                        token,
                    }
                })
                .collect(),
        }
    }
}

pub async fn call_on(
    app: &App,
    endpoint: impl AsyncFn(&App, &Request) -> Result<Response<Body>, ApiError>,
    request: ApiRequest,
) -> Response<Body> {
    let request = request.build();
    carebook_http::respond(endpoint(app, &request).await)
}

/// A booking request body.
pub fn booking(doctor: &Person, starts_at: DateTime<Utc>) -> Value {
    json!({
        "doctor_id": doctor.id, "starts_at": starts_at.to_rfc3339(),
        "duration_minutes": 30, "reason": "persistent cough", "priority": "normal",
    })
}

/// `hour`:00 UTC tomorrow.
pub fn tomorrow_at(hour: i64) -> DateTime<Utc> {
    let midnight = Utc::now().duration_trunc(Days::days(1)).unwrap();
    midnight + Days::days(1) + Days::hours(hour)
}

/// The path of an appointment route with its `{id}` filled in.
pub fn at(request: ApiRequest, id: &Value) -> ApiRequest {
    request.path_param("id", id.as_str().unwrap())
}

/// Waits for `count` events about `key` on `tail`, each valid against its schema.
pub async fn events(tail: &TopicTail, key: &Value, count: usize) -> Vec<carebook_testkit::Record> {
    let records = tail
        .records_for(key.as_str().unwrap(), count, Duration::from_secs(10))
        .await;
    for record in &records {
        let violations = schema_violations(&record.value);
        assert!(violations.is_empty(), "{violations:?} in {}", record.value);
    }
    records
}

/// Asserts that nothing more about `key` arrives on `tail` for a moment.
pub async fn no_more_events(tail: &TopicTail, key: &Value) {
    let extra = tail
        .records_for(key.as_str().unwrap(), 1, Duration::from_secs(2))
        .await;
    assert!(extra.is_empty(), "unexpected {:?}", extra[0].value);
}
