//! All SQL of the notifications service.

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use crate::Email;

/// A notification as `GET /notifications` shows it.
#[derive(Clone, Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Notification {
    pub id: Uuid,
    pub event_id: Uuid,
    pub event_type: String,
    pub recipient_id: Uuid,
    pub template: String,
    pub subject: String,
    /// `pending`, `sent` or `failed`.
    #[schema(pattern = "^(pending|sent|failed)$")]
    pub status: String,
    pub ses_message_id: Option<String>,
    pub attempts: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Where an (event, recipient) pair stands.
pub enum Claim {
    /// Not sent yet (new, or an earlier attempt did not finish): send it.
    Send(Uuid),
    /// Sent or failed for good: nothing to do.
    Done,
}

/// Records `email` for `event_id` unless it exists, and locks it until `tx` ends; says whether
/// it still has to be sent. The lock is what keeps two deliveries of one event at the same
/// time (a duplicate-delivery storm, a retry while the first invocation still runs) from both
/// sending: the second waits, then finds it sent. It dies with the connection, so a sender
/// that crashed holds nothing.
pub async fn claim(
    tx: &mut PgConnection,
    event_id: Uuid,
    event_type: &str,
    email: &Email,
) -> sqlx::Result<Claim> {
    sqlx::query(
        "insert into notifications (id, event_id, event_type, recipient_id, recipient_email, template, subject)
         values ($1, $2, $3, $4, $5, $6, $7)
         on conflict (event_id, recipient_id) do nothing",
    )
    .bind(Uuid::now_v7())
    .bind(event_id)
    .bind(event_type)
    .bind(email.recipient_id)
    .bind(&email.to)
    .bind(email.template)
    .bind(&email.subject)
    .execute(&mut *tx)
    .await?;
    let (id, status): (Uuid, String) = sqlx::query_as(
        "select id, status from notifications where event_id = $1 and recipient_id = $2 for update",
    )
    .bind(event_id)
    .bind(email.recipient_id)
    .fetch_one(&mut *tx)
    .await?;
    Ok(if status == "pending" {
        Claim::Send(id)
    } else {
        Claim::Done
    })
}

pub async fn mark_sent(tx: &mut PgConnection, id: Uuid, message_id: &str) -> sqlx::Result<()> {
    sqlx::query(
        "update notifications set status = 'sent', ses_message_id = $2, attempts = attempts + 1,
                failure = null, updated_at = now() where id = $1",
    )
    .bind(id)
    .bind(message_id)
    .execute(tx)
    .await
    .map(drop)
}

/// [`mark_sent`] on a connection of its own, tried again for up to `within` while the database
/// cannot be reached.
pub async fn mark_sent_within(
    pool: &PgPool,
    id: Uuid,
    message_id: &str,
    within: Duration,
) -> sqlx::Result<()> {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        let attempt = async { mark_sent(&mut *pool.acquire().await?, id, message_id).await };
        match attempt.await {
            Err(error) if tokio::time::Instant::now() < deadline => {
                tracing::warn!(notification_id = %id, error = %error, "recording a sent email; retrying");
                tokio::time::sleep(Duration::from_millis(250)).await;
            }
            done => return done,
        }
    }
}

/// Records a failed attempt; `permanent` ones end the notification.
pub async fn mark_failed(
    tx: &mut PgConnection,
    id: Uuid,
    failure: &str,
    permanent: bool,
) -> sqlx::Result<()> {
    sqlx::query(
        "update notifications set status = case when $3 then 'failed' else status end,
                failure = $2, attempts = attempts + 1, updated_at = now() where id = $1",
    )
    .bind(id)
    .bind(failure)
    .bind(permanent)
    .execute(tx)
    .await
    .map(drop)
}

/// Notifications of `recipient` (all when `None`), newest first, after the cursor.
pub async fn list(
    pool: &PgPool,
    recipient: Option<Uuid>,
    after: Option<&(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> sqlx::Result<Vec<Notification>> {
    sqlx::query_as(
        "select id, event_id, event_type, recipient_id, template, subject, status, ses_message_id,
                attempts, created_at, updated_at
         from notifications
         where ($1::uuid is null or recipient_id = $1)
           and ($2::timestamptz is null or (created_at, id) < ($2, $3))
         order by created_at desc, id desc
         limit $4",
    )
    .bind(recipient)
    .bind(after.map(|(time, _)| *time))
    .bind(after.map(|(_, id)| *id))
    .bind(limit)
    .fetch_all(pool)
    .await
}
