use std::sync::{Arc, Mutex};
use std::time::Duration;

use carebook_http::ApiError;
use carebook_testkit::{
    ApiRequest, Keycloak, TestDatabase, TopicTail, backends_config, read, schema_violations,
};
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};
use serde_json::Value;
use users::{App, ClientSecret, Config};
use uuid::Uuid;

/// The users service's client in localstack/keycloak/realm.json.
pub const USERS_SERVICE_CLIENT: &str = "carebook-users-service";
pub const USERS_SERVICE_SECRET: &str = "carebook-users-service-secret";

/// One test's users service: its own database, the local Keycloak and broker.
pub struct TestApp {
    pub keycloak: Keycloak,
    pub db: TestDatabase,
    pub app: App,
    admin_token: String,
}

impl TestApp {
    pub async fn spawn() -> Self {
        Self::spawn_with(|_| ()).await
    }

    /// A service whose configuration `change` has changed from the local stack's.
    pub async fn spawn_with(change: impl FnOnce(&mut Config)) -> Self {
        let keycloak = Keycloak::local();
        let db = TestDatabase::create(&users::MIGRATOR).await;
        let mut config = Config {
            auth: keycloak.auth_config(),
            backends: backends_config(&db),
            admin_url: None,
            admin_client_id: USERS_SERVICE_CLIENT.to_owned(),
            admin_client_secret: Some(ClientSecret::Value(USERS_SERVICE_SECRET.to_owned())),
        };
        change(&mut config);
        let app = App::new(&config).await.unwrap();
        let admin_token = keycloak.seeded("admin").await.token;
        Self {
            keycloak,
            db,
            app,
            admin_token,
        }
    }

    /// A new Keycloak user of this test alone, with `roles`; returns their id and a token.
    pub async fn user(&self, roles: &[&str]) -> (Uuid, String) {
        let user = self.keycloak.new_user(roles).await;
        (user.id, user.token)
    }

    /// A token of the realm's `admin`.
    pub fn admin_token(&self) -> String {
        self.admin_token.clone()
    }

    pub async fn call(
        &self,
        endpoint: impl AsyncFn(&App, &Request) -> Result<Response<Body>, ApiError>,
        request: ApiRequest,
    ) -> (StatusCode, Value) {
        let request = request.build();
        let response = carebook_http::respond(endpoint(&self.app, &request).await);
        read(&response)
    }

    pub async fn call_raw(
        &self,
        endpoint: impl AsyncFn(&App, &Request) -> Result<Response<Body>, ApiError>,
        request: ApiRequest,
    ) -> Response<Body> {
        let request = request.build();
        carebook_http::respond(endpoint(&self.app, &request).await)
    }

    /// Rows in `profiles`: bad requests must leave it as it was.
    pub async fn profile_row(&self, id: Uuid) -> Option<Value> {
        sqlx::query_scalar!(
            r#"select to_jsonb(p) as "row!" from profiles p where id = $1"#,
            id
        )
        .fetch_optional(self.db.pool())
        .await
        .unwrap()
    }
}

/// Waits for `count` events about `key` on `tail`, each valid against its schema.
pub async fn events(tail: &TopicTail, key: Uuid, count: usize) -> Vec<Value> {
    let records = tail
        .records_for(&key.to_string(), count, Duration::from_secs(10))
        .await;
    records
        .into_iter()
        .map(|record| {
            let violations = schema_violations(&record.value);
            assert!(violations.is_empty(), "{violations:?} in {}", record.value);
            record.value
        })
        .collect()
}

/// Every log line of the code run while [`LogCapture::install`]'s guard lives on this thread
/// (a `#[tokio::test]` runs on one), at every level, as the handlers' formatter writes them.
#[derive(Clone, Default)]
pub struct LogCapture(Arc<Mutex<Vec<u8>>>);

impl LogCapture {
    pub fn install(&self) -> tracing::subscriber::DefaultGuard {
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_writer(self.clone())
            .with_ansi(false)
            .finish();
        tracing::subscriber::set_default(subscriber)
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

impl std::io::Write for LogCapture {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl tracing_subscriber::fmt::MakeWriter<'_> for LogCapture {
    type Writer = Self;

    fn make_writer(&self) -> Self {
        self.clone()
    }
}
