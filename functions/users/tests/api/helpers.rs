use std::time::Duration;

use carebook_http::ApiError;
use carebook_testkit::{
    ApiRequest, Keycloak, TestDatabase, TopicTail, outbox_config, read, schema_violations,
};
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};
use serde_json::Value;
use users::{App, Config};
use uuid::Uuid;

/// One test's users service: its own database, the local Keycloak and broker.
pub struct TestApp {
    pub keycloak: Keycloak,
    pub db: TestDatabase,
    pub app: App,
    admin_token: String,
}

impl TestApp {
    pub async fn spawn() -> Self {
        let keycloak = Keycloak::local();
        let db = TestDatabase::create(&users::MIGRATOR).await;
        let config = Config {
            auth: keycloak.auth_config(),
            outbox: outbox_config(&db),
            admin_client_id: "carebook-users-service".to_owned(),
            admin_client_secret: Some("carebook-users-service-secret".to_owned()),
        };
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
        sqlx::query_scalar("select to_jsonb(p) from profiles p where id = $1")
            .bind(id)
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
