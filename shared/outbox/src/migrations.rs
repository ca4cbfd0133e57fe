use std::borrow::Cow;

use sqlx::migrate::Migrator;

/// The `outbox` table's migrations, kept with the code that reads and writes the table.
static OUTBOX_TABLE: Migrator = sqlx::migrate!();

/// `service`'s migrations with the `outbox` table's, in the order of their versions: one
/// migrator, so a database that applied them when each service kept its own copy of the
/// outbox's (same versions, same SQL, same checksums) sees nothing new.
///
/// sqlx has no call that joins two sources; its `Migrator` fields are public for `migrate!`.
/// Two files of one version would make the migration fail on the `_sqlx_migrations` key.
pub fn with_outbox_table(service: Migrator) -> Migrator {
    let mut migrations = service.migrations.into_owned();
    migrations.extend(OUTBOX_TABLE.migrations.iter().cloned());
    migrations.sort_by_key(|migration| migration.version);
    Migrator {
        migrations: Cow::Owned(migrations),
        ..service
    }
}
