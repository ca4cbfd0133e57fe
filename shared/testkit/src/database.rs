use sqlx::migrate::Migrator;
use sqlx::postgres::PgPoolOptions;
use sqlx::{Connection, Executor, PgConnection, PgPool};
use url::Url;
use uuid::Uuid;

/// The local stack's database URL (`localstack/stack.sh env`).
pub const DEFAULT_DATABASE_URL: &str = "postgres://carebook:carebook@127.0.0.1:55432/carebook";

/// A database of one test's own, with a service's migrations applied.
pub struct TestDatabase {
    url: String,
    pool: PgPool,
}

impl TestDatabase {
    /// Creates a uniquely named database on the server of `DATABASE_URL` (the local stack's by
    /// default) and runs `migrator` on it, so tests share no state and run in parallel.
    /// `localstack/stack.sh up` drops the databases earlier runs left behind.
    ///
    /// # Panics
    /// When the server cannot be reached or a migration fails: the test cannot go on.
    pub async fn create(migrator: &Migrator) -> Self {
        Self::create_on(&Self::local_server(), migrator).await
    }

    /// The server of `DATABASE_URL`, the local stack's by default.
    pub fn local_server() -> String {
        std::env::var("DATABASE_URL").unwrap_or_else(|_| DEFAULT_DATABASE_URL.into())
    }

    /// Like [`TestDatabase::create`], on the server at `server` (a test's own, say).
    ///
    /// # Panics
    /// When the server cannot be reached or a migration fails.
    pub async fn create_on(server: &str, migrator: &Migrator) -> Self {
        let name = format!("carebook_test_{}", Uuid::new_v4().simple());
        let mut admin = PgConnection::connect(server).await.unwrap_or_else(|error| {
            panic!("cannot reach PostgreSQL at DATABASE_URL (is `make stack-up` running?): {error}")
        });
        admin
            .execute(format!(r#"create database "{name}""#).as_str())
            .await
            .expect("create the test database");
        let mut url = Url::parse(server).expect("the server's URL is a URL");
        url.set_path(&name);
        let url = url.to_string();
        let pool = PgPoolOptions::new()
            .max_connections(4)
            .connect(&url)
            .await
            .expect("connect to the test database");
        migrator
            .run(&pool)
            .await
            .expect("migrations apply to an empty database");
        Self { url, pool }
    }

    /// The test database's URL, for an app under test.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// A pool for the test's own queries.
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }
}
