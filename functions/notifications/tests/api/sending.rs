use carebook_events::{CloudEvent, UserRegistered, UserSnapshot};
use carebook_testkit::{ApiRequest, booked, mail_to, read};
use lambda_http::http::StatusCode;
use notifications::NotificationStatus;
use notifications::send::send_notifications;
use uuid::Uuid;

use crate::helpers::{TestApp, batch};

#[tokio::test]
async fn a_booking_emails_patient_and_doctor_once_however_often_it_is_delivered() {
    // Arrange
    let app = TestApp::spawn().await;
    let (event, patient, doctor) = booked("Ada", "Grace");

    // Act
    let first = send_notifications(&app.app, batch("appointment-events", &event)).await;
    let again = send_notifications(&app.app, batch("appointment-events", &event)).await;

    // Assert
    assert!(first.batch_item_failures.is_empty() && again.batch_item_failures.is_empty());
    let to_patient = mail_to(&patient).await;
    assert_eq!(to_patient.len(), 1);
    assert_eq!(to_patient[0]["subject"], "Your appointment is booked");
    assert!(to_patient[0]["body"].as_str().unwrap().contains("Dear Ada"));
    assert_eq!(mail_to(&doctor).await.len(), 1);
    assert_eq!(
        app.statuses().await,
        [
            ("booking-confirmation".into(), NotificationStatus::Sent, 1),
            ("new-booking".into(), NotificationStatus::Sent, 1)
        ]
    );
}

#[tokio::test]
async fn an_address_keycloak_has_not_verified_is_not_emailed_and_the_notification_says_why() {
    // Arrange
    let app = TestApp::spawn().await;
    let (mut event, patient, doctor) = booked("Ada", "Grace");
    event.data.appointment.patient.email_verified = false;

    // Act
    let response = send_notifications(&app.app, batch("appointment-events", &event)).await;

    // Assert
    assert!(response.batch_item_failures.is_empty());
    assert!(mail_to(&patient).await.is_empty());
    assert_eq!(mail_to(&doctor).await.len(), 1);
    assert_eq!(
        app.statuses().await,
        [
            (
                "booking-confirmation".into(),
                NotificationStatus::Skipped,
                0
            ),
            ("new-booking".into(), NotificationStatus::Sent, 1)
        ]
    );
    let listed = app.listed(event.data.appointment.patient.id).await;
    assert_eq!(listed["items"][0]["failure"], "email address not verified");
}

#[tokio::test]
async fn a_new_user_gets_a_welcome_email() {
    let app = TestApp::spawn().await;
    let email = format!("new-{}@carebook.test", Uuid::new_v4().simple());
    let event = CloudEvent::new(UserRegistered {
        user: UserSnapshot {
            user_id: Uuid::new_v4(),
            username: None,
            email: Some(email.clone()),
            email_verified: true,
            first_name: Some("Lin".into()),
            last_name: None,
            roles: vec![],
            specialty: None,
        },
    });

    send_notifications(&app.app, batch("user-events", &event)).await;

    let mail = mail_to(&email).await;
    assert_eq!(
        (mail.len(), mail[0]["subject"].as_str()),
        (1, Some("Welcome to Carebook"))
    );
}

#[tokio::test]
async fn an_unverified_sender_is_recorded_failed_and_not_retried() {
    let app = TestApp::spawn().await;
    let unverified = app
        .variant(|config| config.sender = "Someone <someone@unverified.example>".into())
        .await;
    let (event, patient, _) = booked("Ada", "Grace");

    let response = send_notifications(&unverified, batch("appointment-events", &event)).await;
    let again = send_notifications(&app.app, batch("appointment-events", &event)).await;

    assert!(
        response.batch_item_failures.is_empty(),
        "a permanent rejection is not retried"
    );
    assert!(again.batch_item_failures.is_empty());
    assert!(mail_to(&patient).await.is_empty());
    assert_eq!(
        app.statuses().await,
        [
            ("booking-confirmation".into(), NotificationStatus::Failed, 1),
            ("new-booking".into(), NotificationStatus::Failed, 1)
        ]
    );
}

#[tokio::test]
async fn with_ses_unreachable_the_record_is_retried_and_later_sent_once() {
    // Arrange
    let app = TestApp::spawn().await;
    let down = app
        .variant(|config| config.ses_endpoint = Some("http://127.0.0.1:1".into()))
        .await;
    let (event, patient, doctor) = booked("Ada", "Grace");

    // Act
    let failed = send_notifications(&down, batch("appointment-events", &event)).await;
    let retried = send_notifications(&app.app, batch("appointment-events", &event)).await;

    // Assert
    assert_eq!(failed.batch_item_failures.len(), 1);
    assert_eq!(failed.batch_item_failures[0].item_identifier.offset, 0);
    assert!(retried.batch_item_failures.is_empty());
    assert_eq!(
        (mail_to(&patient).await.len(), mail_to(&doctor).await.len()),
        (1, 1)
    );
    let statuses = app.statuses().await;
    assert_eq!(
        statuses[0],
        ("booking-confirmation".into(), NotificationStatus::Sent, 2),
        "one failed attempt, then sent"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_deliveries_at_once_of_a_retried_record_send_its_emails_once() {
    // Arrange: a first attempt left the notifications pending (SES was unreachable).
    let app = TestApp::spawn().await;
    let down = app
        .variant(|config| config.ses_endpoint = Some("http://127.0.0.1:1".into()))
        .await;
    let (event, patient, doctor) = booked("Ada", "Grace");
    send_notifications(&down, batch("appointment-events", &event)).await;

    // Act: the retry arrives twice at the same time.
    let (first, second) = tokio::join!(
        send_notifications(&app.app, batch("appointment-events", &event)),
        send_notifications(&app.app, batch("appointment-events", &event)),
    );

    // Assert
    assert!(first.batch_item_failures.is_empty() && second.batch_item_failures.is_empty());
    assert_eq!(
        (mail_to(&patient).await.len(), mail_to(&doctor).await.len()),
        (1, 1)
    );
}

#[tokio::test]
async fn recipients_list_their_own_notifications_and_admins_everyones() {
    let app = TestApp::spawn().await;
    let patient = app.keycloak.new_user(&["patient"]).await;
    let admin = app.keycloak.seeded("admin").await.token;
    let (mut event, _, _) = booked("Ada", "Grace");
    event.data.appointment.patient.id = patient.id;
    send_notifications(&app.app, batch("appointment-events", &event)).await;
    let list = async |token: Option<&str>, recipient: Option<&str>| {
        let mut request = ApiRequest::get("/notifications").token(token);
        if let Some(recipient) = recipient {
            request = request.query("recipient_id", recipient);
        }
        let request = request.build();
        read(&carebook_http::respond(
            notifications::api::list_notifications(&app.app, &request).await,
        ))
    };
    let (patient_id, patient) = (patient.id.to_string(), patient.token);

    let (status, own) = list(Some(&patient), None).await;
    let (_, all) = list(Some(&admin), None).await;
    let (_, filtered) = list(Some(&admin), Some(&patient_id)).await;
    let (refused, problem) = list(Some(&patient), Some(&Uuid::new_v4().to_string())).await;
    let (anonymous, _) = list(None, None).await;

    assert_eq!(status, StatusCode::OK);
    assert_eq!(own["items"].as_array().unwrap().len(), 1);
    assert_eq!(own["items"][0]["status"], "sent");
    assert!(own["items"][0].get("recipient_email").is_none());
    assert_eq!(all["items"].as_array().unwrap().len(), 2);
    assert_eq!(filtered["items"].as_array().unwrap().len(), 1);
    assert_eq!(
        (refused, problem["errors"]["recipient_id"].is_string()),
        (StatusCode::BAD_REQUEST, true)
    );
    assert_eq!(anonymous, StatusCode::UNAUTHORIZED);
}
