//! `make bench`: Carebook's speed and size figures, each beside the physical floor it is
//! bounded by, measured in the same run against the native stack (SPEC §9). Writes
//! `bench/results/report.md`, `results.json` and a latency histogram PNG per HTTP figure.

mod lambda;
mod measure;
mod pipeline;
mod report;
mod tracing;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use appointments::WorkingHours;
use axum::http::Method;
use carebook_events::{CloudEvent, UserRegistered, UserSnapshot};
use carebook_testkit::{Function, Keycloak, TestDatabase, backends_config, msk_event};
use chrono::{DurationRound, Utc};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::lambda::{Routes, serve_front};
use crate::measure::Latencies;
use crate::report::Figure;

/// Requests per HTTP figure at concurrency 8 (a quarter of them one at a time), and how many
/// handler processes serve them (SPEC §9: concurrency 1 and 8).
const REQUESTS: usize = 4000;
const CONCURRENCY: usize = 8;
const COLD_STARTS: usize = 10;

pub fn progress(message: impl std::fmt::Display) {
    eprintln!("[bench] {message}");
}

#[tokio::main]
async fn main() -> Result<()> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let out = root.join("results");
    let release = root.join("../target/bench-host");
    measure::load_font()?;
    let mut figures = Vec::new();
    let mut notes = Vec::new();

    let keycloak = Keycloak::local();
    let db = TestDatabase::create(&appointments::MIGRATOR).await;
    let mut env: Vec<(String, String)> = std::env::vars().collect();
    env.extend([
        ("APPOINTMENTS_DATABASE_URL".to_owned(), db.url().to_owned()),
        (
            "KEYCLOAK_ISSUER".to_owned(),
            keycloak.realm_url().to_string(),
        ),
        (
            "KEYCLOAK_AUDIENCE".to_owned(),
            carebook_testkit::API_AUDIENCE.to_owned(),
        ),
        ("AWS_LAMBDA_LOG_FORMAT".to_owned(), "JSON".to_owned()),
        // Each bench patient books many times over; the clinic's cap on open appointments
        // would refuse the sixth.
        (
            appointments::BookingRules::MAX_OPEN_VARIABLE.to_owned(),
            u16::MAX.to_string(),
        ),
    ]);
    // Every figure but tracing's own is of handlers that export no span, as before tracing
    // existed; tracing's section sets them side by side.
    let env = tracing::off(&env);
    let only_tracing = std::env::args().nth(1).as_deref() == Some("tracing");

    let app = appointments::App::new(&appointments::Config {
        auth: keycloak.auth_config(),
        backends: backends_config(&db),
        hours: WorkingHours::default(),
        rules: Default::default(),
    })
    .await?;
    if only_tracing {
        progress("tracing on and off (bench/run.sh tracing: this section alone, to the console)");
        let doctors = register(&app, &keycloak, "doctor", 125).await?;
        let patients = register(&app, &keycloak, "patient", 125).await?;
        for figure in tracing::cost(&release, &env, &doctors, &patients, 20).await? {
            println!(
                "{}: {:.2} {} ({}: {:.2} {})",
                figure.name,
                figure.value,
                figure.unit,
                figure.floor_name,
                figure.floor,
                figure.unit
            );
        }
        return Ok(());
    }

    progress("cold starts: every handler, 10 starts each, beside a process that does nothing");
    let (starts, floor_rss) = cold_starts(&root, &release, &env).await?;
    figures.extend(starts);

    progress("HTTP: registering 250 doctors and patients");
    let doctors = register(&app, &keycloak, "doctor", 125).await?;
    let patients = register(&app, &keycloak, "patient", 125).await?;
    let http = Http::start(&release, &env).await?;
    let (http_figures, http_notes) = http.run(&out, &doctors, &patients, &db, floor_rss).await?;
    figures.extend(http_figures);
    notes.extend(http_notes);

    progress("tracing on and off");
    figures.extend(tracing::cost(&release, &env, &doctors, &patients, 20).await?);

    progress("JWT verification");
    figures.extend(jwt(&keycloak).await?);

    progress("analytics ingest and notifications");
    let (ingest, ingest_note) = pipeline::ingest(&keycloak.auth_config()).await?;
    figures.extend(ingest);
    notes.push(ingest_note);
    figures.extend(pipeline::notifications(&keycloak.auth_config()).await?);

    progress("end to end: booking answered to email recorded and analytics updated");
    let people = register(&app, &keycloak, "patient", 60).await?;
    let (e2e, e2e_notes) = pipeline::end_to_end(
        &root,
        &keycloak.auth_config(),
        &http.front,
        &people,
        &doctors,
    )
    .await?;
    figures.extend(e2e);
    notes.extend(e2e_notes);

    figures.extend(zips(&root)?);
    notes.push(format!(
        "Machine: {} cores, {}; handlers built for the host with the bench-host profile: the Lambda zips' release profile (opt-level \"s\") with thin instead of fat LTO, for build time. Cold starts and RSS are of x86_64 host binaries; zip sizes are of the arm64 Lambda builds.",
        std::thread::available_parallelism().map_or(0, usize::from),
        std::fs::read_to_string("/proc/cpuinfo")
            .ok()
            .and_then(|info| info.lines().find(|l| l.starts_with("model name")).map(|l| l.split(':').nth(1).unwrap_or("").trim().to_owned()))
            .unwrap_or_default()
    ));
    let web = report::Web::read(&out.join("web-results.json"))?;
    report::write(&out, &figures, &web, &notes)?;
    progress(format!("wrote {}", out.join("report.md").display()));
    Ok(())
}

/// Every handler binary's name, from `functions/*/src/bin/*.rs`.
fn handlers(root: &Path) -> Result<Vec<String>> {
    let mut names = Vec::new();
    for service in std::fs::read_dir(root.join("../functions"))? {
        let bin = service?.path().join("src/bin");
        for file in std::fs::read_dir(&bin).with_context(|| format!("read {}", bin.display()))? {
            if let Some(name) = file?.path().file_stem().and_then(|s| s.to_str()) {
                names.push(name.to_owned());
            }
        }
    }
    names.sort();
    Ok(names)
}

/// The cold-start and memory figures, and the floor's peak RSS in MiB.
async fn cold_starts(
    root: &Path,
    release: &Path,
    env: &[(String, String)],
) -> Result<(Vec<Figure>, f64)> {
    let measure = async |binary: &Path| -> Result<(Latencies, u64)> {
        let function = Function::serve("cold").await?;
        // Once untimed, so every timed start finds the binary in the page cache.
        function.cold_start(binary, env).await?;
        let mut samples = Vec::new();
        let mut rss = 0;
        for _ in 0..COLD_STARTS {
            let (elapsed, peak) = function.cold_start(binary, env).await?;
            samples.push(elapsed);
            rss = rss.max(peak);
        }
        Ok((Latencies::new(samples, Duration::ZERO), rss))
    };
    let (floor, floor_rss) = measure(&release.join("trivial-runtime-client")).await?;
    let floor_ms = floor.percentile_ms(50.0);
    let (mut figures, mut memory) = (Vec::new(), Vec::new());
    for name in handlers(root)? {
        let (starts, rss) = measure(&release.join(&name)).await?;
        progress(format!(
            "  {name}: {:.2} ms, {} KiB",
            starts.percentile_ms(50.0),
            rss
        ));
        figures.push(
            Figure::cost(
                "Cold start (process start to first `GET /runtime/invocation/next`, median of 10)",
                &name,
                "ms",
                starts.percentile_ms(50.0),
                "trivial Runtime API client",
                floor_ms,
            )
            .target("< 10 ms", |ms| ms < 10.0),
        );
        memory.push(
            Figure::cost(
                "Memory at ready (peak RSS when asking for the first invocation)",
                &name,
                "MiB",
                rss as f64 / 1024.0,
                "trivial Runtime API client",
                floor_rss as f64 / 1024.0,
            )
            .target("< 32 MB", |mib| mib * 1.048_576 < 32.0),
        );
    }
    figures.append(&mut memory);
    Ok((figures, floor_rss as f64 / 1024.0))
}

/// People of `role` known to Keycloak and, through `user.registered`, to the service.
async fn register(
    app: &appointments::App,
    keycloak: &Keycloak,
    role: &str,
    count: usize,
) -> Result<Vec<Person>> {
    let mut people = Vec::new();
    let mut events = Vec::new();
    for user in keycloak.new_users(&[role], count).await {
        let event = CloudEvent::new(UserRegistered {
            user: UserSnapshot {
                user_id: user.id,
                username: Some(user.username.clone()),
                email: Some(user.email.clone()),
                email_verified: true,
                first_name: Some("Bench".to_owned()),
                last_name: Some(user.username.clone()),
                roles: vec![role.parse()?],
                specialty: None,
            },
        });
        events.push((user.id.to_string(), serde_json::to_vec(&event)?));
        people.push(Person {
            id: user.id,
            token: user.token,
        });
    }
    let records: Vec<(&str, &[u8])> = events
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_slice()))
        .collect();
    let answer =
        appointments::directory::sync_directory(app, msk_event("user-events", &records)).await;
    if !answer.batch_item_failures.is_empty() {
        bail!(
            "the directory refused {} people",
            answer.batch_item_failures.len()
        );
    }
    Ok(people)
}

#[derive(Clone)]
pub struct Person {
    pub id: Uuid,
    pub token: String,
}

/// `hour:minute` UTC, `days` from today.
pub fn slot(days: i64, half_hours_after_nine: i64) -> chrono::DateTime<Utc> {
    let midnight = Utc::now()
        .duration_trunc(chrono::Duration::days(1))
        .unwrap_or_default();
    midnight
        + chrono::Duration::days(days)
        + chrono::Duration::hours(9)
        + chrono::Duration::minutes(30 * half_hours_after_nine)
}

pub fn booking(doctor: &Person, starts_at: chrono::DateTime<Utc>) -> Value {
    json!({"doctor_id": doctor.id, "starts_at": starts_at.to_rfc3339(), "duration_minutes": 30, "reason": "check-up", "priority": "normal"})
}

/// The appointments API behind the HTTP front: eight warm processes of each handler.
struct Http {
    front: String,
    book: Arc<Function>,
    list: Arc<Function>,
}

impl Http {
    async fn start(release: &Path, env: &[(String, String)]) -> Result<Self> {
        let mut book = Function::serve("book-appointment").await?;
        book.start(&release.join("book-appointment"), env, CONCURRENCY)
            .await?;
        let mut list = Function::serve("list-appointments").await?;
        list.start(&release.join("list-appointments"), env, CONCURRENCY)
            .await?;
        let (book, list) = (Arc::new(book), Arc::new(list));
        let routes: Routes = Arc::new(HashMap::from([
            ((Method::POST, "/appointments".to_owned()), book.clone()),
            ((Method::GET, "/appointments".to_owned()), list.clone()),
        ]));
        Ok(Self {
            front: serve_front(routes).await?,
            book,
            list,
        })
    }

    async fn run(
        &self,
        out: &Path,
        doctors: &[Person],
        patients: &[Person],
        db: &TestDatabase,
        floor_rss_mib: f64,
    ) -> Result<(Vec<Figure>, Vec<String>)> {
        let client = reqwest::Client::new();
        // Patient i books doctor (i + s) at slot s: no doctor and no patient is booked twice
        // at once. Day 3 warms every process up (keys, connections); the others are measured.
        let request = |day: i64, n: usize| {
            let per_day = patients.len() * 16;
            let (i, s) = (
                (n % per_day) % patients.len(),
                (n % per_day) / patients.len(),
            );
            let doctor = &doctors[(i + s) % doctors.len()];
            (
                patients[i].token.clone(),
                booking(
                    doctor,
                    slot(
                        day + i64::try_from(n / per_day).unwrap_or(0),
                        i64::try_from(s).unwrap_or(0),
                    ),
                ),
            )
        };
        let post = async |day: i64, count: usize, concurrency: usize| {
            load(count, concurrency, async |n| {
                let (token, body) = request(day, n);
                succeeded(
                    client
                        .post(format!("{}/appointments", self.front))
                        .bearer_auth(token)
                        .json(&body)
                        .send()
                        .await,
                )
                .await
            })
            .await
        };
        let get = async |count: usize, concurrency: usize| {
            load(count, concurrency, async |n| {
                succeeded(
                    client
                        .get(format!("{}/appointments", self.front))
                        .bearer_auth(&patients[n % patients.len()].token)
                        .send()
                        .await,
                )
                .await
            })
            .await
        };
        let statements = Statements::connect(db).await?;
        post(3, 64, CONCURRENCY).await?;
        get(64, CONCURRENCY).await?;
        sqlx::query("create table bench_floor (id uuid primary key, doctor_id uuid not null, starts_at timestamptz not null, payload jsonb not null)")
            .execute(db.pool())
            .await?;
        let pool = sqlx::postgres::PgPoolOptions::new()
            .max_connections(u32::try_from(CONCURRENCY).unwrap_or(8))
            .connect(db.url())
            .await?;
        let ids: Vec<Uuid> = (0..REQUESTS + REQUESTS / 4)
            .map(|_| Uuid::now_v7())
            .collect();
        let insert = async |count: usize, concurrency: usize, offset: usize| {
            load(count, concurrency, async |n| {
                sqlx::query_scalar::<_, Uuid>(
                    "insert into bench_floor values ($1, $2, now(), $3) returning id",
                )
                .bind(ids[offset + n])
                .bind(Uuid::new_v4())
                .bind(json!({"reason": "check-up"}))
                .fetch_one(&pool)
                .await?;
                Ok(())
            })
            .await
        };
        let select = async |count: usize, concurrency: usize| {
            load(count, concurrency, async |n| {
                sqlx::query_as::<_, (Uuid, Uuid, chrono::DateTime<Utc>, Value)>(
                    "select id, doctor_id, starts_at, payload from bench_floor where id = $1",
                )
                .bind(ids[n])
                .fetch_one(&pool)
                .await?;
                Ok(())
            })
            .await
        };

        let mut figures = Vec::new();
        let mut notes = Vec::new();
        for (concurrency, count, day) in [(1, REQUESTS / 4, 4), (CONCURRENCY, REQUESTS, 1)] {
            let section: &'static str = if concurrency == 1 {
                "Warm HTTP through the local path (HTTP front → Runtime API → 8 handler processes → Postgres), 1,000 requests one at a time"
            } else {
                "Warm HTTP through the local path (HTTP front → Runtime API → 8 handler processes → Postgres), 4,000 requests at concurrency 8"
            };
            progress(format!(
                "  POST /appointments: {count} at concurrency {concurrency}"
            ));
            let before = statements.count().await?;
            let booked = post(day, count, concurrency).await?;
            // The publish after the answer may still run for the last requests.
            tokio::time::sleep(Duration::from_millis(500)).await;
            let posted = statements.count().await?.since(&before, count);
            progress(format!(
                "  GET /appointments: {count} at concurrency {concurrency}"
            ));
            let before = statements.count().await?;
            let listed = get(count, concurrency).await?;
            let got = statements.count().await?.since(&before, count);
            progress("  floors: bare INSERT … RETURNING and SELECT at the same concurrency");
            let offset = if concurrency == 1 { 0 } else { REQUESTS / 4 };
            let inserted = insert(count, concurrency, offset).await?;
            let selected = select(count, concurrency).await?;
            let tag = format!("c={concurrency}");
            booked.histogram(
                &format!("POST /appointments ({tag})"),
                &out.join(format!("post-appointments-c{concurrency}.png")),
            )?;
            listed.histogram(
                &format!("GET /appointments ({tag})"),
                &out.join(format!("get-appointments-c{concurrency}.png")),
            )?;
            let mut post_p50 = Figure::cost(
                section,
                "POST /appointments p50",
                "ms",
                booked.percentile_ms(50.0),
                "INSERT … RETURNING p50",
                inserted.percentile_ms(50.0),
            );
            let mut post_p99 = Figure::cost(
                section,
                "POST /appointments p99",
                "ms",
                booked.percentile_ms(99.0),
                "INSERT … RETURNING p99",
                inserted.percentile_ms(99.0),
            );
            let mut post_rate = Figure::rate(
                section,
                "POST /appointments throughput",
                "req/s",
                booked.per_second(),
                "INSERT … RETURNING",
                inserted.per_second(),
            );
            if concurrency == 1 {
                post_p50 = post_p50.target("p50 ≤ 2 ms", |ms| ms <= 2.0);
                post_p99 = post_p99.target("p99 < 10 ms", |ms| ms < 10.0);
            } else {
                post_rate = post_rate.target("≥ 2,700 req/s", |rate| rate >= 2700.0);
            }
            figures.extend([
                post_p50,
                post_p99,
                post_rate,
                Figure::cost(
                    section,
                    "POST /appointments database round trips before the answer",
                    "per request",
                    posted.before_answer,
                    "INSERT … RETURNING",
                    1.0,
                )
                .target("≤ 3", |trips| trips <= 3.0),
                Figure::cost(
                    section,
                    "POST /appointments database round trips after the answer (publish)",
                    "per request",
                    posted.after_answer,
                    "INSERT … RETURNING",
                    1.0,
                ),
                Figure::cost(
                    section,
                    "GET /appointments p50",
                    "ms",
                    listed.percentile_ms(50.0),
                    "SELECT by id p50",
                    selected.percentile_ms(50.0),
                ),
                Figure::cost(
                    section,
                    "GET /appointments p99",
                    "ms",
                    listed.percentile_ms(99.0),
                    "SELECT by id p99",
                    selected.percentile_ms(99.0),
                ),
                Figure::rate(
                    section,
                    "GET /appointments throughput",
                    "req/s",
                    listed.per_second(),
                    "SELECT by id",
                    selected.per_second(),
                ),
                Figure::cost(
                    section,
                    "GET /appointments database round trips",
                    "per request",
                    got.before_answer + got.after_answer,
                    "SELECT by id",
                    1.0,
                ),
            ]);
            notes.push(spent_on(concurrency, &booked, &listed, &inserted, &posted));
        }
        const SECTION: &str = "Warm HTTP through the local path (HTTP front → Runtime API → 8 handler processes → Postgres), 4,000 requests at concurrency 8";
        figures.extend([&self.book, &self.list].map(|function| {
            Figure::cost(
                SECTION,
                format!("{} peak RSS after the load", function.name),
                "MiB",
                function.peak_rss_kib() as f64 / 1024.0,
                "trivial Runtime API client",
                floor_rss_mib,
            )
            .target("< 32 MB", |mib| mib * 1.048_576 < 32.0)
        }));
        Ok((figures, notes))
    }
}

/// Where a booking's time goes at `concurrency`, from this run's figures: the local Lambda
/// path is what `GET /appointments` costs beyond its one round trip.
fn spent_on(
    concurrency: usize,
    booked: &Latencies,
    listed: &Latencies,
    inserted: &Latencies,
    posted: &RoundTrips,
) -> String {
    let trip = inserted.percentile_ms(50.0);
    let path = listed.percentile_ms(50.0) - trip;
    let trips = posted.before_answer * trip;
    let post = booked.percentile_ms(50.0);
    if concurrency == 1 {
        format!(
            "Where POST /appointments' p50 ({post:.2} ms, one at a time) goes, from this run: the local Lambda path (HTTP front, Runtime API, event decoding, JWT verification, answer), measured as GET /appointments' p50 minus its one round trip, {path:.2} ms; {:.1} round trips at the INSERT floor's {trip:.3} ms, {trips:.2} ms; the booking's own work (body parsing, validation, the event), the remaining {:.2} ms.",
            posted.before_answer,
            post - path - trips
        )
    } else {
        format!(
            "At concurrency {concurrency} the machine's {} cores run 8 booking processes, 8 listing processes, the HTTP front, the load generator, PostgreSQL and Kafka: POST /appointments reaches {:.0} req/s with {:.1} round trips before its answer and {:.1} after it (the publish, with an acknowledged Kafka send), against {:.0} req/s for GET /appointments with one, so the rate is bounded by CPU shared with the harness, not by the database (the INSERT floor alone: {:.0} req/s).",
            std::thread::available_parallelism().map_or(0, usize::from),
            booked.per_second(),
            posted.before_answer,
            posted.after_answer,
            listed.per_second(),
            inserted.per_second()
        )
    }
}

/// Statements run in one database, as `pg_stat_statements` counts them (the local cluster
/// loads it; `localstack/stack.sh`): with the extended protocol each is one round trip.
struct Statements {
    pool: sqlx::PgPool,
    database: String,
}

/// Statement counts at one moment: those the outbox runs after the answer (publishing) apart.
struct StatementCount {
    publishing: i64,
    other: i64,
}

/// Round trips per request between two counts.
struct RoundTrips {
    before_answer: f64,
    after_answer: f64,
}

impl StatementCount {
    fn since(&self, earlier: &StatementCount, requests: usize) -> RoundTrips {
        let per = |now: i64, then: i64| (now - then) as f64 / requests as f64;
        RoundTrips {
            before_answer: per(self.other, earlier.other),
            after_answer: per(self.publishing, earlier.publishing),
        }
    }
}

impl Statements {
    async fn connect(db: &TestDatabase) -> Result<Self> {
        let url = std::env::var("DATABASE_URL")
            .unwrap_or_else(|_| carebook_testkit::DEFAULT_DATABASE_URL.to_owned());
        let pool = sqlx::postgres::PgPoolOptions::new()
            .max_connections(1)
            .connect(&url)
            .await?;
        let database = sqlx::query_scalar("select current_database()")
            .fetch_one(db.pool())
            .await?;
        Ok(Self { pool, database })
    }

    async fn count(&self) -> Result<StatementCount> {
        // What `Outbox::flush` runs: its transaction, the key's lock, the pending rows, the mark.
        let (publishing, other): (i64, i64) = sqlx::query_as(
            "select coalesce(sum(calls) filter (where publishing), 0)::bigint,
                    coalesce(sum(calls) filter (where not publishing), 0)::bigint
             from (select s.calls,
                          s.query ~* '^(begin|commit)|pg_advisory_xact_lock|published_at' as publishing
                   from pg_stat_statements s join pg_database d on d.oid = s.dbid
                   where d.datname = $1) counted",
        )
        .bind(&self.database)
        .fetch_one(&self.pool)
        .await
        .context("pg_stat_statements (is the local cluster up to date? `make stack-up`)")?;
        Ok(StatementCount { publishing, other })
    }
}

/// Runs `count` calls of `call`, `concurrency` at a time; fails on the first error.
pub async fn load(
    count: usize,
    concurrency: usize,
    call: impl AsyncFn(usize) -> Result<()>,
) -> Result<Latencies> {
    let next = AtomicUsize::new(0);
    let started = Instant::now();
    let worker = async || -> Result<Vec<Duration>> {
        let mut samples = Vec::new();
        loop {
            let n = next.fetch_add(1, Ordering::Relaxed);
            if n >= count {
                return Ok(samples);
            }
            let sent = Instant::now();
            call(n).await.with_context(|| format!("request {n}"))?;
            samples.push(sent.elapsed());
        }
    };
    let workers = futures::future::try_join_all((0..concurrency).map(|_| worker())).await?;
    Ok(Latencies::new(
        workers.into_iter().flatten().collect(),
        started.elapsed(),
    ))
}

/// A sent request's answer, refused unless it is a 2xx.
pub async fn succeeded(response: reqwest::Result<reqwest::Response>) -> Result<()> {
    let response = response?;
    let status = response.status();
    if !status.is_success() {
        bail!("{status} {}", response.text().await.unwrap_or_default());
    }
    Ok(())
}

async fn jwt(keycloak: &Keycloak) -> Result<Vec<Figure>> {
    const ROUNDS: u32 = 20_000;
    let token = keycloak.seeded("patient").await.token;
    let verifier = carebook_auth::Verifier::new(&keycloak.auth_config())?;
    verifier.verify(&token).await?;
    let started = Instant::now();
    for _ in 0..ROUNDS {
        verifier.verify(&token).await?;
    }
    let ours = started.elapsed() / ROUNDS;
    // Keycloak's realm endpoint names the active RSA key as base64 DER.
    let realm: Value = reqwest::get(keycloak.realm_url()).await?.json().await?;
    let public_key = realm["public_key"]
        .as_str()
        .context("the realm publishes its public key")?;
    let pem = format!("-----BEGIN PUBLIC KEY-----\n{public_key}\n-----END PUBLIC KEY-----\n");
    let key = jsonwebtoken::DecodingKey::from_rsa_pem(pem.as_bytes())?;
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
    validation.set_audience(&[carebook_testkit::API_AUDIENCE]);
    let started = Instant::now();
    for _ in 0..ROUNDS {
        jsonwebtoken::decode::<Value>(&token, &key, &validation)?;
    }
    let raw = started.elapsed() / ROUNDS;
    Ok(vec![Figure::cost(
        "JWT verification (warm key cache, 20,000 verifications)",
        "Verifier::verify per token",
        "µs",
        ours.as_secs_f64() * 1e6,
        "raw RS256 jsonwebtoken::decode",
        raw.as_secs_f64() * 1e6,
    )])
}

/// Zip sizes beside the smallest handler's: the Lambda runtime and HTTP adapter alone.
fn zips(root: &Path) -> Result<Vec<Figure>> {
    let size = |name: &str| -> Result<f64> {
        let zip = root
            .join("../target/lambda")
            .join(name)
            .join("bootstrap.zip");
        let metadata = std::fs::metadata(&zip).with_context(|| {
            format!(
                "{} is missing: bench/run.sh builds the zips first",
                zip.display()
            )
        })?;
        Ok(metadata.len() as f64 / 1_048_576.0)
    };
    let floor = size("users-health")?;
    handlers(root)?
        .iter()
        .map(|name| {
            Ok(Figure::cost(
                "arm64 Lambda zip (`make build`)",
                name,
                "MiB",
                size(name)?,
                "users-health (runtime and HTTP adapter only)",
                floor,
            )
            .target("< 5 MB (make build checks 5 MiB)", |mib| mib < 5.0))
        })
        .collect()
}
