//! The outbox table's migrations moved from each service into this crate. A database migrated
//! before the move must see nothing new, nothing missing and nothing changed after it.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use std::path::{Path, PathBuf};

use carebook_outbox::with_outbox_table;
use carebook_testkit::TestDatabase;
use sqlx::migrate::Migrator;
use uuid::Uuid;

/// The SHA-384 that databases migrated before the move recorded for each outbox migration (as
/// `functions/{users,appointments}/migrations` held them at b1f255f): sqlx refuses to go on
/// when a file no longer matches what was applied.
const APPLIED: [(i64, &str); 2] = [
    (
        20261125000002,
        "0ccc8dbf3d9b778c74f68c4998a3e0aa2d04698e9790f553912ae00dc5d3153476bf1f74ce81da81466d7795f7e9e3c7",
    ),
    (
        20261207120000,
        "983bd74e27233d1619b0477d9060eab3de36d55eadbdd09ad0d02e73815519c0e55f1df819d786f01dcd2015e63121e6",
    ),
];

fn folder(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(relative)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

#[tokio::test]
async fn the_outbox_migrations_are_the_ones_deployed_databases_applied() {
    let outbox = Migrator::new(folder("migrations")).await.unwrap();

    let checksums: Vec<(i64, String)> = outbox
        .iter()
        .map(|migration| (migration.version, hex(&migration.checksum)))
        .collect();

    let applied: Vec<(i64, String)> = APPLIED
        .iter()
        .map(|(version, checksum)| (*version, (*checksum).to_owned()))
        .collect();
    assert_eq!(checksums, applied);
}

#[tokio::test]
async fn a_database_migrated_when_each_service_kept_the_outbox_migrations_sees_nothing_new() {
    for service in ["users", "appointments"] {
        // Arrange: the service's migrations as they were, the outbox's files among them.
        let own = folder(&format!("../../functions/{service}/migrations"));
        let before_the_move = std::env::temp_dir().join(format!("carebook-{}", Uuid::new_v4()));
        std::fs::create_dir(&before_the_move).unwrap();
        for source in [own.clone(), folder("migrations")] {
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
        let now = with_outbox_table(Migrator::new(own).await.unwrap());

        // Act: fails when a migration is missing or its SQL changed.
        now.run(db.pool()).await.unwrap();

        // Assert: nothing new, and the outbox's migrations in their place among the service's.
        let versions: Vec<i64> = now.iter().map(|migration| migration.version).collect();
        assert_eq!(applied().await, before, "{service}");
        assert_eq!(versions, before, "{service}");
    }
}
