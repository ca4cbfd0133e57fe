//! The pool pings a connection only after it sat idle, so a request pays no round trip for
//! it, yet a connection the server or a NAT dropped while Lambda froze the process is still
//! replaced before use.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use std::time::Duration;

use carebook_testkit::{TestDatabase, backends_config};

#[tokio::test]
async fn a_connection_dropped_while_idle_is_replaced_before_use() {
    // Arrange
    let db = TestDatabase::create(&sqlx::migrate::Migrator::DEFAULT).await;
    let backends = backends_config(&db)
        .connect("TEST_DATABASE_URL")
        .await
        .unwrap();
    let first = sqlx::query_scalar!(r#"select pg_backend_pid() as "pid!""#)
        .fetch_one(&mut *backends.connection().await.unwrap())
        .await
        .unwrap();
    // What happens to a frozen Lambda's connection: the server ends it.
    let terminated =
        sqlx::query_scalar!(r#"select pg_terminate_backend($1) as "terminated!""#, first)
            .fetch_one(db.pool())
            .await
            .unwrap();
    assert!(terminated);
    tokio::time::sleep(Duration::from_secs(6)).await;

    // Act
    let next = sqlx::query_scalar!(r#"select pg_backend_pid() as "pid!""#)
        .fetch_one(&mut *backends.connection().await.unwrap())
        .await
        .unwrap();

    // Assert
    assert_ne!(next, first);
}
