use carebook_events::{CloudEvent, EventData};
use carebook_testkit::{ApiRequest, Keycloak, TestDatabase, backends_config, msk_event, read};
use chrono_tz::Tz;
use lambda_http::http::StatusCode;
use notifications::{App, Config, NotificationStatus};
use serde_json::Value;
use uuid::Uuid;

/// One test's notifications service: its own database, the local Keycloak, broker and SES
/// emulator.
pub struct TestApp {
    pub keycloak: Keycloak,
    pub db: TestDatabase,
    pub app: App,
}

impl TestApp {
    pub async fn spawn() -> Self {
        let keycloak = Keycloak::local();
        let db = TestDatabase::create(&notifications::MIGRATOR).await;
        let app = App::new(&Self::config(&keycloak, &db)).await.unwrap();
        Self { keycloak, db, app }
    }

    pub fn config(keycloak: &Keycloak, db: &TestDatabase) -> Config {
        Config {
            auth: keycloak.auth_config(),
            backends: backends_config(db),
            sender: "Carebook <no-reply@carebook.test>".to_owned(),
            time_zone: Tz::UTC,
            ses_endpoint: None,
        }
    }

    pub async fn variant(&self, change: impl FnOnce(&mut Config)) -> App {
        let mut config = Self::config(&self.keycloak, &self.db);
        change(&mut config);
        App::new(&config).await.unwrap()
    }

    pub async fn statuses(&self) -> Vec<(String, NotificationStatus, i32)> {
        sqlx::query!(
            r#"select template, status as "status: NotificationStatus", attempts
               from notifications order by template"#
        )
        .fetch_all(self.db.pool())
        .await
        .unwrap()
        .into_iter()
        .map(|row| (row.template, row.status, row.attempts))
        .collect()
    }

    /// Notifications of `recipient` as `GET /notifications` shows them to an admin.
    pub async fn listed(&self, recipient: Uuid) -> Value {
        let admin = self.keycloak.seeded("admin").await.token;
        let request = ApiRequest::get("/notifications")
            .token(Some(&admin))
            .query("recipient_id", &recipient.to_string())
            .build();
        let (status, body) = read(&carebook_http::respond(
            notifications::api::list_notifications(&self.app, &request).await,
        ));
        assert_eq!(status, StatusCode::OK, "{body}");
        body
    }

    /// Runs `sql` on the test's database (a trigger standing in for a fault).
    pub async fn execute(&self, sql: &str) {
        sqlx::raw_sql(sql).execute(self.db.pool()).await.unwrap();
    }
}

pub fn batch<T: EventData>(
    topic: &str,
    event: &CloudEvent<T>,
) -> aws_lambda_events::kafka::KafkaEvent {
    let value = serde_json::to_vec(event).unwrap();
    msk_event(topic, &[(&event.subject, &value)])
}
