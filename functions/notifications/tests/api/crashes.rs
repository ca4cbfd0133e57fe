//! A sender stopped between SES's answer and the record of it (killed, as a crash or a Lambda
//! timeout would; or its database refusing the record): a redelivery of the whole batch sends
//! no email twice, and the notification says the email may have gone.

use std::path::Path;
use std::time::{Duration, Instant};

use carebook_consumer::BatchResponse;
use carebook_testkit::{Function, booked, bootstrap_servers, mail_to};
use notifications::NotificationStatus;
use notifications::send::send_notifications;
use uuid::Uuid;

use crate::helpers::{TestApp, batch};

/// Starts a process of the `send-notifications` binary on `app`'s database.
async fn start_sender(function: &mut Function, app: &TestApp) {
    let auth = app.keycloak.auth_config();
    let mut env: Vec<(String, String)> = std::env::vars().collect();
    env.extend([
        ("NOTIFICATIONS_DATABASE_URL".into(), app.db.url().into()),
        ("KEYCLOAK_ISSUER".into(), auth.issuer.to_string()),
        ("KEYCLOAK_AUDIENCE".into(), auth.audience),
        ("KAFKA_BOOTSTRAP_SERVERS".into(), bootstrap_servers()),
    ]);
    function
        .start(Path::new(env!("CARGO_BIN_EXE_send-notifications")), &env, 1)
        .await
        .unwrap();
}

/// Makes the database hold (`pg_sleep`) or refuse (`raise`) the record of `recipient`'s email
/// as sent: `action` is the trigger's PL/pgSQL statement.
async fn on_record_of_sent(app: &TestApp, recipient: Uuid, action: &str) {
    app.execute(&format!(
        "create function fault() returns trigger language plpgsql as $$
         begin {action}; return new; end $$;
         create trigger fault before update on notifications for each row
         when (new.status = 'sent' and new.recipient_id = '{recipient}')
         execute function fault();"
    ))
    .await;
}

/// The database session holding the record of a sent email, once SES has `address`'s email.
async fn held_after_ses(app: &TestApp, address: &str) -> i32 {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let held = sqlx::query_scalar!(
            r#"select pid as "pid!" from pg_stat_activity
             where datname = current_database() and wait_event = 'PgSleep'"#,
        )
        .fetch_optional(app.db.pool())
        .await
        .unwrap();
        if let Some(pid) = held
            && !mail_to(address).await.is_empty()
        {
            return pid;
        }
        assert!(
            Instant::now() < deadline,
            "SES did not get the email, or its record was not held"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn a_sender_killed_between_ses_and_its_record_sends_nothing_twice_on_redelivery() {
    // Arrange: the record of the patient's email will wait in the database.
    let app = TestApp::spawn().await;
    let (event, patient, doctor) = booked("Ada", "Grace");
    let patient_id = event.data.appointment.patient.id;
    on_record_of_sent(&app, patient_id, "perform pg_sleep(120)").await;
    let records = serde_json::to_value(batch("appointment-events", &event)).unwrap();
    let mut function = Function::serve("send-notifications").await.unwrap();
    start_sender(&mut function, &app).await;

    // Act: killed with SES's answer in hand, before the record; its connection dies with it.
    let session = tokio::select! {
        answer = function.invoke(records.clone()) => panic!("answered before the record: {answer:?}"),
        session = held_after_ses(&app, &patient) => session,
    };
    function.kill();
    app.execute(&format!(
        "select pg_terminate_backend({session});
         drop trigger fault on notifications;"
    ))
    .await;
    // The whole batch again, to a new process.
    start_sender(&mut function, &app).await;
    let answer = function.invoke(records).await.unwrap();

    // Assert
    assert_eq!(
        answer,
        serde_json::to_value(BatchResponse::default()).unwrap()
    );
    assert_eq!(mail_to(&patient).await.len(), 1, "one email to the patient");
    assert_eq!(mail_to(&doctor).await.len(), 1, "one email to the doctor");
    assert_eq!(
        app.statuses().await,
        [
            (
                "booking-confirmation".into(),
                NotificationStatus::Unknown,
                0
            ),
            ("new-booking".into(), NotificationStatus::Sent, 1)
        ]
    );
    let listed = app.listed(patient_id).await;
    assert!(
        listed["items"][0]["failure"]
            .as_str()
            .is_some_and(|failure| failure.contains("may have been sent")),
        "{listed}"
    );
}

#[tokio::test]
async fn an_email_whose_record_the_database_refuses_is_not_sent_again_by_the_retry() {
    // Arrange
    let app = TestApp::spawn().await;
    let (event, patient, doctor) = booked("Ada", "Grace");
    on_record_of_sent(
        &app,
        event.data.appointment.patient.id,
        "raise exception 'refused'",
    )
    .await;

    // Act: SES takes the patient's email, the record of it fails; the record is retried.
    let first = send_notifications(&app.app, batch("appointment-events", &event)).await;
    app.execute("drop trigger fault on notifications").await;
    let retried = send_notifications(&app.app, batch("appointment-events", &event)).await;

    // Assert
    assert_eq!(mail_to(&patient).await.len(), 1, "one email to the patient");
    assert_eq!(mail_to(&doctor).await.len(), 1, "one email to the doctor");
    assert_eq!(first.batch_item_failures.len(), 1, "the record is retried");
    assert!(retried.batch_item_failures.is_empty());
    assert_eq!(
        app.statuses().await,
        [
            (
                "booking-confirmation".into(),
                NotificationStatus::Unknown,
                0
            ),
            ("new-booking".into(), NotificationStatus::Sent, 1)
        ]
    );
}
