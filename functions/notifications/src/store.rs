//! All SQL of the notifications service.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::PgPool;
use uuid::Uuid;

use crate::Email;

/// A notification as `GET /notifications` shows it.
#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct Notification {
    pub id: Uuid,
    pub event_id: Uuid,
    pub event_type: String,
    pub recipient_id: Uuid,
    pub template: String,
    pub subject: String,
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

/// Records `email` for `event_id` unless it exists; says whether it still has to be sent.
pub async fn claim(
    pool: &PgPool,
    event_id: Uuid,
    event_type: &str,
    email: &Email,
) -> sqlx::Result<Claim> {
    let (id, status): (Uuid, String) = sqlx::query_as(
        "insert into notifications (id, event_id, event_type, recipient_id, recipient_email, template, subject)
         values ($1, $2, $3, $4, $5, $6, $7)
         on conflict (event_id, recipient_id) do update set updated_at = notifications.updated_at
         returning id, status",
    )
    .bind(Uuid::now_v7())
    .bind(event_id)
    .bind(event_type)
    .bind(email.recipient_id)
    .bind(&email.to)
    .bind(email.template)
    .bind(&email.subject)
    .fetch_one(pool)
    .await?;
    Ok(if status == "pending" {
        Claim::Send(id)
    } else {
        Claim::Done
    })
}

pub async fn mark_sent(pool: &PgPool, id: Uuid, message_id: &str) -> sqlx::Result<()> {
    sqlx::query(
        "update notifications set status = 'sent', ses_message_id = $2, attempts = attempts + 1,
                failure = null, updated_at = now() where id = $1",
    )
    .bind(id)
    .bind(message_id)
    .execute(pool)
    .await
    .map(drop)
}

/// Records a failed attempt; `permanent` ones end the notification.
pub async fn mark_failed(
    pool: &PgPool,
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
    .execute(pool)
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
