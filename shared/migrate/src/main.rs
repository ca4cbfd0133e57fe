//! `carebook-migrate <service>...`: for each service, creates its database when missing and
//! applies its migrations (`functions/<service>/migrations`, with the outbox table's from
//! `shared/outbox/migrations` for the services that publish events, compiled in). The database URL is
//! read from `<SERVICE>_DATABASE_URL`, e.g. `USERS_DATABASE_URL`.
//!
//! `make dev` runs it for the local stack; for a deployed database run it once per release
//! with the URL from Secrets Manager (README, "Deploy"). Migrations only ever add: a running
//! older handler keeps working while a newer schema is applied.

use std::sync::LazyLock;

use anyhow::{Context, bail};
use sqlx::migrate::{MigrateDatabase, Migrator};
use sqlx::{Connection, PgConnection, Postgres};

static USERS: LazyLock<Migrator> = LazyLock::new(|| {
    carebook_outbox::with_outbox_table(sqlx::migrate!("../../functions/users/migrations"))
});
static APPOINTMENTS: LazyLock<Migrator> = LazyLock::new(|| {
    carebook_outbox::with_outbox_table(sqlx::migrate!("../../functions/appointments/migrations"))
});
static ANALYTICS: Migrator = sqlx::migrate!("../../functions/analytics/migrations");
static NOTIFICATIONS: Migrator = sqlx::migrate!("../../functions/notifications/migrations");

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let services: Vec<String> = std::env::args().skip(1).collect();
    if services.is_empty() {
        bail!("usage: carebook-migrate <users|appointments|analytics|notifications>...");
    }
    for service in services {
        let migrator = match service.as_str() {
            "users" => &*USERS,
            "appointments" => &*APPOINTMENTS,
            "analytics" => &ANALYTICS,
            "notifications" => &NOTIFICATIONS,
            other => bail!(
                "unknown service {other:?}; expected users, appointments, analytics or notifications"
            ),
        };
        let variable = format!("{}_DATABASE_URL", service.to_uppercase());
        let url = std::env::var(&variable).with_context(|| format!("set {variable}"))?;
        if !Postgres::database_exists(&url)
            .await
            .with_context(|| format!("cannot reach the database of {variable}"))?
        {
            Postgres::create_database(&url)
                .await
                .with_context(|| format!("cannot create the database of {variable}"))?;
        }
        let mut conn = PgConnection::connect(&url)
            .await
            .with_context(|| format!("cannot connect to {variable}"))?;
        migrator
            .run(&mut conn)
            .await
            .with_context(|| format!("migrating {service}"))?;
        println!("{service}: {} migrations applied", migrator.iter().count());
    }
    Ok(())
}
