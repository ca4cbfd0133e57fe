//! The outbox table's migrations moved from each service into this crate. A database migrated
//! before the move must see nothing new, nothing missing and nothing changed after it.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use std::path::{Path, PathBuf};

use carebook_outbox::with_outbox_table;
use carebook_testkit::TestDatabase;
use sqlx::migrate::Migrator;
use uuid::Uuid;

fn folder(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(relative)
}

#[tokio::test]
async fn a_database_migrated_when_the_service_kept_the_outbox_migrations_sees_nothing_new() {
    // Arrange: the users service's migrations as they were, the outbox's files among them.
    let service = folder("../../functions/users/migrations");
    let before_the_move = std::env::temp_dir().join(format!("carebook-{}", Uuid::new_v4()));
    std::fs::create_dir(&before_the_move).unwrap();
    for source in [service.clone(), folder("migrations")] {
        for entry in std::fs::read_dir(source).unwrap() {
            let path = entry.unwrap().path();
            std::fs::copy(&path, before_the_move.join(path.file_name().unwrap())).unwrap();
        }
    }
    let db = TestDatabase::create(&Migrator::new(before_the_move.clone()).await.unwrap()).await;
    std::fs::remove_dir_all(&before_the_move).unwrap();
    let applied = async || -> Vec<i64> {
        sqlx::query_scalar!("select version from _sqlx_migrations order by version")
            .fetch_all(db.pool())
            .await
            .unwrap()
    };
    let before = applied().await;
    let now = with_outbox_table(Migrator::new(service).await.unwrap());

    // Act: fails when a migration is missing or its SQL changed.
    now.run(db.pool()).await.unwrap();

    // Assert: nothing new, and the outbox's migrations in their place among the service's.
    let versions: Vec<i64> = now.iter().map(|migration| migration.version).collect();
    assert_eq!(applied().await, before);
    assert_eq!(versions, before);
}
