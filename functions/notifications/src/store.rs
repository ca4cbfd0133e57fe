//! All SQL of the notifications service, checked against its schema at compile time (`.sqlx/`,
//! localstack/sqlx-prepare.sh). `status` is text to the database; `as NotificationStatus` binds
//! and reads it as the enum.

use std::time::Duration;

use carebook_backends::{Backends, DatabaseError};
use chrono::{DateTime, Utc};
use serde::Serialize;
use uuid::Uuid;

use crate::Email;

/// Where a notification stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, sqlx::Type, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
#[sqlx(type_name = "text", rename_all = "lowercase")]
pub enum NotificationStatus {
    /// To be sent; an earlier attempt found SES unavailable.
    Pending,
    /// Claimed by a sender calling SES now.
    Sending,
    Sent,
    /// Refused by SES for good.
    Failed,
    /// Not emailed: the address is not one Keycloak verified.
    Skipped,
    /// Its sender stopped between calling SES and recording the answer, so SES may or may not
    /// have sent it; it is not sent again (staff may, after checking with the recipient).
    Unknown,
}

/// A notification as `GET /notifications` shows it.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Notification {
    pub id: Uuid,
    pub event_id: Uuid,
    pub event_type: String,
    pub recipient_id: Uuid,
    pub template: String,
    pub subject: String,
    pub status: NotificationStatus,
    /// Why it was not sent (`failed`, `skipped`), may not have been (`unknown`), or is being
    /// retried (`pending`).
    pub failure: Option<String>,
    pub ses_message_id: Option<String>,
    pub attempts: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// The reason a notification to an unverified address is skipped.
const UNVERIFIED: &str = "email address not verified";

/// The reason a notification found claimed by a sender that stopped is `unknown`.
const ABANDONED: &str = "the sender stopped after calling SES and before recording its answer: \
    the email may have been sent, so it is not sent again";

/// What a sender is to do with an (event, recipient) pair.
pub enum Claim {
    /// Claimed, and the claim committed: send it, then record the answer.
    Send(Uuid),
    /// Recorded as `skipped`: the address is not verified.
    Unverified(Uuid),
    /// An earlier sender claimed it and stopped before recording SES's answer: now `unknown`.
    Abandoned(Uuid),
    /// Sent, failed, skipped or unknown already, or being sent by a sender right now.
    Done,
}

/// Claims `email` for `event_id`: records it as `sending` (or `skipped` when its address is
/// not verified) unless it exists, else takes it from `pending` to `sending`. Each statement
/// commits on its own, so the claim outlives the sender: only one caller wins the change to
/// `sending`, and a claim left in `sending` is found by the next delivery, which does not
/// send it (at most once) but records it as `unknown`.
///
/// A delivery at the same time as a live sender (a retry while the first invocation runs)
/// marks that sender's claim `unknown` too; the sender's record of SES's answer then
/// replaces it.
pub async fn claim(
    db: &Backends,
    event_id: Uuid,
    event_type: &str,
    email: &Email,
) -> Result<Claim, DatabaseError> {
    let (status, failure) = if email.verified {
        (NotificationStatus::Sending, None)
    } else {
        (NotificationStatus::Skipped, Some(UNVERIFIED))
    };
    let inserted = sqlx::query_scalar!(
        "insert into notifications
             (id, event_id, event_type, recipient_id, recipient_email, template, subject, status, failure)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         on conflict (event_id, recipient_id) do nothing
         returning id",
        Uuid::now_v7(),
        event_id,
        event_type,
        email.recipient_id,
        &email.to,
        email.template,
        &email.subject,
        status as NotificationStatus,
        failure,
    )
    .fetch_optional(&mut *db.connection().await?)
    .await?;
    if let Some(id) = inserted {
        return Ok(if email.verified {
            Claim::Send(id)
        } else {
            Claim::Unverified(id)
        });
    }
    let take = async |from: NotificationStatus,
                      to: NotificationStatus,
                      failure: Option<&'static str>|
           -> Result<Option<Uuid>, DatabaseError> {
        Ok(sqlx::query_scalar!(
            "update notifications set status = $4, failure = coalesce($5, failure), updated_at = now()
             where event_id = $1 and recipient_id = $2 and status = $3
             returning id",
            event_id,
            email.recipient_id,
            from as NotificationStatus,
            to as NotificationStatus,
            failure,
        )
        .fetch_optional(&mut *db.connection().await?)
        .await?)
    };
    if let Some(id) = take(
        NotificationStatus::Pending,
        NotificationStatus::Sending,
        None,
    )
    .await?
    {
        return Ok(Claim::Send(id));
    }
    Ok(
        match take(
            NotificationStatus::Sending,
            NotificationStatus::Unknown,
            Some(ABANDONED),
        )
        .await?
        {
            Some(id) => Claim::Abandoned(id),
            None => Claim::Done,
        },
    )
}

/// Records SES's acceptance, tried again for up to `within` while the database cannot be
/// reached or refuses: without it the email shows as `unknown` after a redelivery.
pub async fn mark_sent(
    db: &Backends,
    id: Uuid,
    message_id: &str,
    within: Duration,
) -> Result<(), DatabaseError> {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        let attempt = async {
            sqlx::query!(
                "update notifications set status = $3, ses_message_id = $2, attempts = attempts + 1,
                        failure = null, updated_at = now() where id = $1",
                id,
                message_id,
                NotificationStatus::Sent as NotificationStatus,
            )
            .execute(&mut *db.connection().await?)
            .await?;
            Ok::<_, DatabaseError>(())
        }
        .await;
        match attempt {
            Err(error) if tokio::time::Instant::now() < deadline => {
                tracing::warn!(notification_id = %id, error = %error, "recording a sent email; retrying");
                tokio::time::sleep(Duration::from_millis(250)).await;
            }
            done => return done,
        }
    }
}

/// Records a failed attempt: `permanent` ones end the notification, others return it to
/// `pending` for the record's retry (SES did not take it).
pub async fn mark_failed(
    db: &Backends,
    id: Uuid,
    failure: &str,
    permanent: bool,
) -> Result<(), DatabaseError> {
    let status = if permanent {
        NotificationStatus::Failed
    } else {
        NotificationStatus::Pending
    };
    sqlx::query!(
        "update notifications set status = $3, failure = $2, attempts = attempts + 1,
                updated_at = now() where id = $1",
        id,
        failure,
        status as NotificationStatus,
    )
    .execute(&mut *db.connection().await?)
    .await?;
    Ok(())
}

/// Notifications of `recipient` (all when `None`), newest first, after the cursor.
pub async fn list(
    db: &Backends,
    recipient: Option<Uuid>,
    after: Option<&(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> Result<Vec<Notification>, DatabaseError> {
    Ok(sqlx::query_as!(
        Notification,
        r#"select id, event_id, event_type, recipient_id, template, subject,
                status as "status: NotificationStatus", failure, ses_message_id, attempts,
                created_at, updated_at
         from notifications
         where ($1::uuid is null or recipient_id = $1)
           and ($2::timestamptz is null or (created_at, id) < ($2, $3))
         order by created_at desc, id desc
         limit $4"#,
        recipient,
        after.map(|(time, _)| *time),
        after.map(|(_, id)| *id),
        limit,
    )
    .fetch_all(&mut *db.connection().await?)
    .await?)
}
