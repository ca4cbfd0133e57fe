#!/usr/bin/env bash
# Carebook's local stack without Docker: PostgreSQL, Apache Kafka (KRaft), an AWS API emulator
# (moto) and Keycloak, as native processes on loopback (SPEC §7).
#
#   localstack/stack.sh up [COMPONENT...]    start what is not running yet (idempotent)
#   localstack/stack.sh down [COMPONENT...]  stop what this checkout started, nothing else
#   localstack/stack.sh status               what runs, and whether this checkout started it
#   localstack/stack.sh env                  the environment handlers and tests need
#   localstack/stack.sh tools                install the cached tools only (Kafka, Keycloak, moto,
#                                            cargo-lambda, cargo-nextest)
#   localstack/stack.sh pytools              moto and cargo-lambda only (make dev with Docker)
#
# Components: postgres kafka moto keycloak. Tools are installed once per machine into
# ${XDG_CACHE_HOME:-$HOME/.cache}/carebook (Kafka's jars and Keycloak's distribution come from
# Maven Central and run on the machine's JDK); pids, logs and Kafka's data live in
# <checkout>/.stack, Keycloak's data in a `keycloak` database of the PostgreSQL cluster.
# A component already answering on its port is reused and left alone by `down`.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${CAREBOOK_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/carebook}
STATE=${CAREBOOK_STATE:-$ROOT/.stack}

# The newest Kafka release line Amazon MSK offers (4.1.x); localstack/docker-compose.yml runs
# the same version.
KAFKA_VERSION=4.1.2
KAFKA_HOME="$CACHE/kafka-$KAFKA_VERSION"
KEYCLOAK_VERSION=26.7.3
KEYCLOAK_HOME="$CACHE/keycloak-$KEYCLOAK_VERSION"
# Build-time options of Keycloak's server (kc.sh build), applied once to the cached copy.
KEYCLOAK_BUILD_OPTIONS="--db=postgres --health-enabled=true"
M2_REPO="$CACHE/m2"
VENV="$CACHE/venv"
PYTHON_TOOLS="moto[server]==5.2.5 cargo-lambda==1.9.2 schemathesis==4.32.5 openapi-spec-validator==0.9.0"
NEXTEST_VERSION=0.9.151
NEXTEST="$CACHE/tools/cargo-nextest-$NEXTEST_VERSION/bin/cargo-nextest"

PG_PORT=${CAREBOOK_PG_PORT:-55432}
PG_CLUSTER=carebook
DATABASE_URL=${DATABASE_URL:-postgres://carebook:carebook@127.0.0.1:$PG_PORT/carebook}
KAFKA_PORT=9092
KAFKA_CONTROLLER_PORT=9093
KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:$KAFKA_PORT
# The event topics, and a dead-letter topic per consumer and topic it reads (SPEC §5).
TOPICS=(appointment-events user-events
    user-events.appointments.dlq
    appointment-events.analytics.dlq user-events.analytics.dlq
    appointment-events.notifications.dlq user-events.notifications.dlq)
MOTO_PORT=5000
AWS_ENDPOINT_URL=http://127.0.0.1:$MOTO_PORT
KEYCLOAK_PORT=8080
# Keycloak's management interface (health) defaults to 9000, where cargo lambda watch serves.
KEYCLOAK_MANAGEMENT_PORT=8081
KEYCLOAK_URL=http://127.0.0.1:$KEYCLOAK_PORT
KEYCLOAK_ISSUER=$KEYCLOAK_URL/realms/carebook
REALM_FILE=$ROOT/localstack/keycloak/realm.json
# The master realm's administrator, created on Keycloak's first start (development only; the
# compose file uses the same). Tests use it to make users and realms of their own.
KEYCLOAK_ADMIN_USER=admin
KEYCLOAK_ADMIN_PASSWORD=admin

# shellcheck source=localstack/process.sh
. "$ROOT/localstack/process.sh"

COMPONENTS=(postgres kafka moto keycloak)
STARTED=() # components this invocation started, stopped again if a later one fails

say() { printf '[stack] %s\n' "$*"; }

fail() {
    printf '[stack] FAILED: %s\n' "$*" >&2
    local i
    for ((i = ${#STARTED[@]} - 1; i >= 0; i--)); do
        say "stopping ${STARTED[i]}, started by this run, so nothing is left half-started"
        stop_component "${STARTED[i]}" || true
    done
    exit 1
}

# The last lines of a component's log, for failure messages.
log_tail() { [ -f "$1" ] && tail -n 15 "$1" | sed 's/^/    | /' >&2 || true; }

port_taken() { ss -Hltn "sport = :$1" 2>/dev/null | grep -q .; }

pid_alive() {
    local pidfile="$STATE/$1.pid"
    [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null
}

# wait_until COMPONENT SECONDS LOG COMMAND...: poll COMMAND until it succeeds.
wait_until() {
    local name=$1 seconds=$2 log=$3 deadline
    shift 3
    deadline=$((SECONDS + seconds))
    until "$@" >/dev/null 2>&1; do
        if [ -f "$STATE/$name.pid" ] && ! pid_alive "$name"; then
            log_tail "$log"
            fail "$name exited during start-up; see $log"
        fi
        if ((SECONDS >= deadline)); then
            log_tail "$log"
            fail "$name did not become ready within ${seconds}s; see $log"
        fi
        sleep 0.3
    done
}

# running NAME PORT CHECK WHAT: whether NAME runs already. 0: this checkout started it; 2:
# something else answering on PORT as WHAT (CHECK), which is used and never stopped; 1: nothing
# listens, start it. Fails when PORT is held by something that is not WHAT.
running() {
    local name=$1 port=$2 check=$3 what=$4
    if pid_alive "$name"; then
        say "$name: running (pid $(cat "$STATE/$name.pid"))"
        return 0
    fi
    port_taken "$port" || return 1
    "$check" || fail "$name: port $port is taken by something that is not $what ($(ss -Hltnp "sport = :$port" | head -n 1))"
    say "$name: $what already answers on port $port; using it"
    return 2
}

# start_process NAME LOG COMMAND...: run COMMAND in its own process group, from the state folder.
start_process() {
    local name=$1 log=$2
    shift 2
    (cd "$STATE" && exec setsid "$@" >"$log" 2>&1 </dev/null) &
    echo $! >"$STATE/$name.pid"
    record_started "$name"
}

# What this run started: stopped again if a later component fails, and told to `dev.sh`.
record_started() {
    STARTED+=("$1")
    [ -z "${STACK_STARTED_FILE:-}" ] || echo "$1" >>"$STACK_STARTED_FILE"
}

stop_process() {
    local pidfile="$STATE/$1.pid"
    [ -f "$pidfile" ] || return 0
    stop_group "$(cat "$pidfile")" "$1"
    rm -f "$pidfile"
}

apt_install() {
    say "installing Debian packages: $*"
    if [ "$(id -u)" -ne 0 ]; then
        fail "installing $* needs root; run: sudo apt-get install -y $*"
    fi
    { DEBIAN_FRONTEND=noninteractive apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@"; } \
        >"$STATE/apt.log" 2>&1 || { log_tail "$STATE/apt.log"; fail "apt-get install $* failed; see $STATE/apt.log"; }
}

# ---------------------------------------------------------------------------------- tools

ensure_base_tools() {
    local missing=()
    command -v curl >/dev/null || missing+=(curl)
    command -v ss >/dev/null || missing+=(iproute2)
    command -v setsid >/dev/null || missing+=(util-linux)
    # rdkafka builds its bundled librdkafka with CMake, and librdkafka includes curl/curl.h even
    # without curl (librdkafka issue 5135); infra/build.sh stubs it for the arm64 build.
    command -v cmake >/dev/null || missing+=(cmake)
    [ -e /usr/include/x86_64-linux-gnu/curl/curl.h ] || [ -e /usr/include/curl/curl.h ] || missing+=(libcurl4-openssl-dev)
    # The web app's end-to-end tests drive Debian's Chromium (Playwright cannot download its own).
    command -v chromium >/dev/null || missing+=(chromium)
    [ ${#missing[@]} -eq 0 ] || apt_install "${missing[@]}"
}

# The JDK Kafka and Keycloak run on: $JAVA_HOME's, or the one on PATH; both need 17 or newer.
java_bin() { if [ -n "${JAVA_HOME:-}" ]; then echo "$JAVA_HOME/bin/java"; else command -v java || true; fi; }

JAVA_CHECKED=
ensure_java() {
    [ -z "$JAVA_CHECKED" ] || return 0
    local java version where=${JAVA_HOME:+$JAVA_HOME/bin/java}
    java=$(java_bin)
    [ -n "$java" ] && [ -x "$java" ] ||
        fail "java: no JDK found (looked for ${where:-java on PATH}); Kafka and Keycloak need Java 17 or newer: apt-get install openjdk-17-jre-headless, or set JAVA_HOME"
    version=$("$java" -XshowSettings:properties -version 2>&1 | awk -F' = ' '/java.specification.version/ { print $2 }')
    [ "${version%%.*}" -ge 17 ] 2>/dev/null ||
        fail "java: $java is Java ${version:-of unknown version}; Kafka $KAFKA_VERSION and Keycloak $KEYCLOAK_VERSION need 17 or newer"
    JAVA_CHECKED=1
}

# maven LOG ARGS...: Maven in batch mode against the cache's own local repository.
maven() {
    local log=$1
    shift
    command -v mvn >/dev/null || apt_install maven
    mkdir -p "$CACHE"
    mvn -B -ntp -Dmaven.repo.local="$M2_REPO" "$@" >"$log" 2>&1
}

ensure_kafka() {
    ensure_java
    [ -f "$KAFKA_HOME/.complete" ] && return 0
    say "kafka: fetching Apache Kafka $KAFKA_VERSION's jars from Maven Central into $KAFKA_HOME (once per machine)"
    rm -rf "$KAFKA_HOME"
    maven "$CACHE/kafka-fetch.log" -f "$ROOT/localstack/kafka/pom.xml" \
        -Dkafka.version="$KAFKA_VERSION" dependency:copy-dependencies \
        -DincludeScope=runtime -DoutputDirectory="$KAFKA_HOME/libs" ||
        { log_tail "$CACHE/kafka-fetch.log"; fail "kafka: Maven could not fetch org.apache.kafka:kafka_2.13:$KAFKA_VERSION and its dependencies; see $CACHE/kafka-fetch.log"; }
    touch "$KAFKA_HOME/.complete"
}

ensure_keycloak() {
    ensure_java
    [ -f "$KEYCLOAK_HOME/.carebook-build" ] && [ "$(cat "$KEYCLOAK_HOME/.carebook-build")" = "$KEYCLOAK_BUILD_OPTIONS" ] && return 0
    if [ ! -x "$KEYCLOAK_HOME/bin/kc.sh" ]; then
        say "keycloak: fetching Keycloak $KEYCLOAK_VERSION from Maven Central into $KEYCLOAK_HOME (once per machine)"
        local download="$CACHE/download"
        rm -rf "$download" "$KEYCLOAK_HOME"
        maven "$CACHE/keycloak-fetch.log" -f "$ROOT/localstack/kafka/pom.xml" dependency:copy \
            -Dartifact="org.keycloak:keycloak-quarkus-dist:$KEYCLOAK_VERSION:zip" -DoutputDirectory="$download" ||
            { log_tail "$CACHE/keycloak-fetch.log"; fail "keycloak: Maven could not fetch org.keycloak:keycloak-quarkus-dist:$KEYCLOAK_VERSION:zip; see $CACHE/keycloak-fetch.log"; }
        command -v unzip >/dev/null || apt_install unzip
        unzip -q "$download/keycloak-quarkus-dist-$KEYCLOAK_VERSION.zip" -d "$download" &&
            mv "$download/keycloak-$KEYCLOAK_VERSION" "$KEYCLOAK_HOME" && rm -rf "$download" ||
            fail "keycloak: unpacking the distribution into $KEYCLOAK_HOME failed"
    fi
    say "keycloak: building the server for PostgreSQL (kc.sh build, once per machine)"
    # shellcheck disable=SC2086 # the options are split on purpose
    "$KEYCLOAK_HOME/bin/kc.sh" build $KEYCLOAK_BUILD_OPTIONS >"$CACHE/keycloak-build.log" 2>&1 ||
        { log_tail "$CACHE/keycloak-build.log"; fail "keycloak: kc.sh build failed; see $CACHE/keycloak-build.log"; }
    echo "$KEYCLOAK_BUILD_OPTIONS" >"$KEYCLOAK_HOME/.carebook-build"
}

# cargo-nextest runs the workspace's tests, each in a process of its own, in parallel.
ensure_nextest() {
    [ -x "$NEXTEST" ] && return 0
    say "installing cargo-nextest $NEXTEST_VERSION into $CACHE/tools (compiled from crates.io, a few minutes, once per machine)"
    mkdir -p "$CACHE/build"
    CARGO_TARGET_DIR="$CACHE/build/nextest" cargo install cargo-nextest --version "$NEXTEST_VERSION" --locked \
        --root "$CACHE/tools/cargo-nextest-$NEXTEST_VERSION" >"$CACHE/build/nextest-install.log" 2>&1 ||
        { log_tail "$CACHE/build/nextest-install.log"; fail "installing cargo-nextest failed; see $CACHE/build/nextest-install.log"; }
    rm -rf "$CACHE/build/nextest"
}

ensure_python_tools() {
    local marker="$VENV/.carebook-tools"
    [ -f "$marker" ] && [ "$(cat "$marker")" = "$PYTHON_TOOLS" ] && return 0
    say "installing $PYTHON_TOOLS into $VENV (once per machine)"
    mkdir -p "$CACHE"
    # shellcheck disable=SC2086 # the tool list is split on purpose
    { python3 -m venv "$VENV" && "$VENV/bin/pip" install -q $PYTHON_TOOLS; } >"$CACHE/python-tools.log" 2>&1 ||
        { log_tail "$CACHE/python-tools.log"; fail "installing the Python tools failed; see $CACHE/python-tools.log"; }
    echo "$PYTHON_TOOLS" >"$marker"
}

ensure_tools() {
    ensure_base_tools
    ensure_kafka
    ensure_keycloak
    ensure_python_tools
    ensure_nextest
}

# ------------------------------------------------------------------------------- postgres

pg_version() { find /usr/lib/postgresql -mindepth 1 -maxdepth 1 -printf '%f\n' 2>/dev/null | sort -V | tail -n 1; }

pg_answers() { psql "$DATABASE_URL" -Atqc 'select 1' >/dev/null 2>&1; }

pg_as_superuser() { runuser -u postgres -- psql -p "$PG_PORT" -h /var/run/postgresql -v ON_ERROR_STOP=1 -Atq "$@"; }

# Each test makes its own database (carebook_testkit::TestDatabase); drop those earlier runs
# left behind, once they are an hour old so a run in progress keeps its own. Only on the
# project's own cluster, where this script may act as the postgres superuser.
drop_old_test_databases() {
    pg_lsclusters -h 2>/dev/null | awk -v c="$PG_CLUSTER" '$2 == c && $4 == "online" { found = 1 } END { exit !found }' || return 0
    # DROP DATABASE runs outside any function or transaction: psql's \gexec runs each line alone.
    pg_as_superuser -d carebook <<'SQL' >>"$STATE/postgres-init.log" 2>&1 || say "postgres: could not drop old test databases (see $STATE/postgres-init.log)"
select format('drop database %I with (force)', datname) from pg_database
 where datname like 'carebook\_test\_%'
   and (pg_stat_file('base/' || oid || '/PG_VERSION')).modification < now() - interval '1 hour'
\gexec
SQL
}

own_cluster_exists() {
    command -v pg_lsclusters >/dev/null &&
        pg_lsclusters -h | awk -v c="$PG_CLUSTER" '$2 == c { found = 1 } END { exit !found }'
}

# A development and test cluster: loopback only, and durability traded for speed.
# pg_stat_statements counts the statements (round trips) of each request for `make bench`.
# A running cluster is restarted when these settings changed.
pg_settings() {
    local version=$1 conf wanted
    conf=/etc/postgresql/$version/$PG_CLUSTER/conf.d/carebook.conf
    wanted="listen_addresses = '127.0.0.1'
max_connections = 200
fsync = off
synchronous_commit = off
full_page_writes = off
shared_preload_libraries = 'pg_stat_statements'"
    [ "$(cat "$conf" 2>/dev/null)" = "$wanted" ] && return 0
    printf '%s\n' "$wanted" >"$conf"
    if pg_lsclusters -h | awk -v c="$PG_CLUSTER" '$2 == c && $4 == "online" { found = 1 } END { exit !found }'; then
        say "postgres: restarting cluster $version/$PG_CLUSTER for its new settings"
        pg_ctlcluster "$version" "$PG_CLUSTER" restart >"$STATE/postgres-start.log" 2>&1 ||
            fail "postgres: pg_ctlcluster restart failed; see /var/log/postgresql/postgresql-$version-$PG_CLUSTER.log"
    fi
}

postgres_up() {
    if command -v psql >/dev/null && pg_answers && ! own_cluster_exists; then
        say "postgres: answering at ${DATABASE_URL##*@}"
        drop_old_test_databases
        return 0
    fi
    case "$DATABASE_URL" in
    *@127.0.0.1:"$PG_PORT"/* | *@localhost:"$PG_PORT"/*) ;;
    *) fail "postgres: DATABASE_URL points at ${DATABASE_URL##*@}, which does not answer; start it, or unset DATABASE_URL to use the project's own cluster" ;;
    esac
    command -v pg_createcluster >/dev/null || apt_install postgresql
    local version log
    version=$(pg_version)
    [ -n "$version" ] || fail "postgres: no PostgreSQL server under /usr/lib/postgresql after installing"
    log=/var/log/postgresql/postgresql-$version-$PG_CLUSTER.log
    if ! own_cluster_exists; then
        say "postgres: creating cluster $version/$PG_CLUSTER on port $PG_PORT"
        pg_createcluster "$version" "$PG_CLUSTER" --port "$PG_PORT" --start-conf manual \
            -- --auth-local=peer --auth-host=scram-sha-256 >"$STATE/postgres-create.log" 2>&1 ||
            { log_tail "$STATE/postgres-create.log"; fail "postgres: pg_createcluster failed; see $STATE/postgres-create.log"; }
    fi
    pg_settings "$version"
    if ! pg_lsclusters -h | awk -v c="$PG_CLUSTER" '$2 == c && $4 == "online" { found = 1 } END { exit !found }'; then
        port_taken "$PG_PORT" && fail "postgres: port $PG_PORT is taken by something else ($(ss -Hltnp "sport = :$PG_PORT" | head -n 1))"
        say "postgres: starting cluster $version/$PG_CLUSTER on 127.0.0.1:$PG_PORT"
        pg_ctlcluster "$version" "$PG_CLUSTER" start >"$STATE/postgres-start.log" 2>&1 ||
            { log_tail "$log"; fail "postgres: pg_ctlcluster start failed; see $log"; }
        echo "$version" >"$STATE/postgres.cluster"
        record_started postgres
    fi
    wait_until postgres 30 "$log" pg_isready -q -h 127.0.0.1 -p "$PG_PORT"
    # The carebook role may create databases: tests make one per test.
    pg_as_superuser <<'SQL' >"$STATE/postgres-init.log" 2>&1 || { log_tail "$STATE/postgres-init.log"; fail "postgres: creating the carebook role failed"; }
do $$ begin
  if not exists (select from pg_roles where rolname = 'carebook') then
    create role carebook login createdb password 'carebook';
  end if;
end $$;
SQL
    if [ -z "$(pg_as_superuser -c "select 1 from pg_database where datname = 'carebook'")" ]; then
        pg_as_superuser -c "create database carebook owner carebook" >/dev/null
    fi
    # The bench reads every database's statement counts from the carebook database.
    pg_as_superuser -d carebook <<'SQL' >>"$STATE/postgres-init.log" 2>&1 || { log_tail "$STATE/postgres-init.log"; fail "postgres: setting up pg_stat_statements failed"; }
create extension if not exists pg_stat_statements;
grant pg_read_all_stats to carebook;
SQL
    pg_answers || fail "postgres: the cluster runs but $DATABASE_URL does not connect; see $log"
    drop_old_test_databases
    say "postgres: ready at 127.0.0.1:$PG_PORT"
}

postgres_down() {
    [ -f "$STATE/postgres.cluster" ] || return 0
    say "postgres: stopping cluster $(cat "$STATE/postgres.cluster")/$PG_CLUSTER"
    pg_ctlcluster "$(cat "$STATE/postgres.cluster")" "$PG_CLUSTER" stop -m fast >/dev/null 2>&1 || true
    rm -f "$STATE/postgres.cluster"
}

postgres_status() {
    if [ -f "$STATE/postgres.cluster" ]; then echo "running, started here (cluster $(cat "$STATE/postgres.cluster")/$PG_CLUSTER, 127.0.0.1:$PG_PORT)"
    elif command -v psql >/dev/null && pg_answers; then echo "running, not started here (${DATABASE_URL##*@})"
    else echo "stopped"; fi
}

# ---------------------------------------------------------------------------------- kafka

# kafka_java LOG CLASS ARGS...: one of Kafka's Java programs on the cached jars.
kafka_java() {
    local log=$1
    shift
    timeout 60 "$(java_bin)" -Xmx256m -Dlog4j2.configurationFile="$ROOT/localstack/kafka/log4j2.properties" \
        -cp "$KAFKA_HOME/libs/*" "$@" >"$log" 2>&1
}

# kafka_topics LOG ARGS...: kafka-topics against the stack's broker.
kafka_topics() {
    local log=$1
    shift
    kafka_java "$log" org.apache.kafka.tools.TopicCommand --bootstrap-server "$KAFKA_BOOTSTRAP_SERVERS" "$@"
}

kafka_answers() { kafka_topics /dev/null --list; }

# The event topics, and the dead-letter topics, as MSK clusters are set up: explicitly.
create_topics() {
    local topic existing missing=()
    kafka_topics "$STATE/kafka-topics.log" --list || { log_tail "$STATE/kafka-topics.log"; fail "kafka: listing topics failed; see $STATE/kafka-topics.log"; }
    existing=$(cat "$STATE/kafka-topics.log")
    for topic in "${TOPICS[@]}"; do
        grep -qxF "$topic" <<<"$existing" || missing+=("$topic")
    done
    for topic in "${missing[@]}"; do
        kafka_topics "$STATE/kafka-topics.log" --create --if-not-exists --topic "$topic" --partitions 3 --replication-factor 1 ||
            { log_tail "$STATE/kafka-topics.log"; fail "kafka: creating topic $topic failed; see $STATE/kafka-topics.log"; }
    done
}

# The project's node settings with this checkout's data folder (later keys win).
write_kafka_properties() {
    { cat "$ROOT/localstack/kafka/server.properties" && echo "log.dirs=$STATE/kafka"; } >"$STATE/kafka.properties"
}

# KRaft keeps its metadata in the data folder, which must be formatted once with a cluster id.
format_kafka_storage() {
    [ -f "$STATE/kafka/meta.properties" ] && return 0
    say "kafka: formatting its storage in $STATE/kafka"
    local cluster_id
    cluster_id=$("$(java_bin)" -cp "$KAFKA_HOME/libs/*" kafka.tools.StorageTool random-uuid 2>"$STATE/kafka-format.log") &&
        kafka_java "$STATE/kafka-format.log" kafka.tools.StorageTool format -t "$cluster_id" -c "$STATE/kafka.properties" ||
        { log_tail "$STATE/kafka-format.log"; fail "kafka: formatting the storage failed; see $STATE/kafka-format.log"; }
}

kafka_up() {
    ensure_kafka
    local state=0
    running kafka "$KAFKA_PORT" kafka_answers "a Kafka broker" || state=$?
    if [ "$state" -eq 1 ]; then
        port_taken "$KAFKA_CONTROLLER_PORT" &&
            fail "kafka: the controller port $KAFKA_CONTROLLER_PORT is taken ($(ss -Hltnp "sport = :$KAFKA_CONTROLLER_PORT" | head -n 1))"
        write_kafka_properties
        format_kafka_storage
        say "kafka: starting Apache Kafka $KAFKA_VERSION (KRaft, one node) at $KAFKA_BOOTSTRAP_SERVERS"
        start_process kafka "$STATE/kafka.log" "$(java_bin)" -Xms256m -Xmx512m \
            -Dlog4j2.configurationFile="$ROOT/localstack/kafka/log4j2.properties" \
            -cp "$KAFKA_HOME/libs/*" kafka.Kafka "$STATE/kafka.properties"
        wait_until kafka 90 "$STATE/kafka.log" port_taken "$KAFKA_PORT"
    fi
    create_topics
    say "kafka: ready, topics ${TOPICS[*]:0:2} and their dead-letter topics"
}

# ----------------------------------------------------------------------------------- moto

moto_answers() { curl -sf -m 5 "$AWS_ENDPOINT_URL/moto-api/data.json" >/dev/null; }

moto_up() {
    ensure_python_tools
    local state=0
    running moto "$MOTO_PORT" moto_answers "moto" || state=$?
    if [ "$state" -eq 1 ]; then
        say "moto: starting the AWS API emulator at $AWS_ENDPOINT_URL"
        start_process moto "$STATE/moto.log" "$VENV/bin/moto_server" -H 127.0.0.1 -p "$MOTO_PORT"
        wait_until moto 60 "$STATE/moto.log" moto_answers
    fi
    # moto keeps its state in memory: verify the SES sender on every start.
    (eval "$(print_env)" && "$VENV/bin/python" "$ROOT/localstack/init_aws.py") >"$STATE/aws-init.log" 2>&1 ||
        { log_tail "$STATE/aws-init.log"; fail "moto: verifying the SES sender failed; see $STATE/aws-init.log"; }
    say "moto: ready, $(tail -n 1 "$STATE/aws-init.log")"
}

# ------------------------------------------------------------------------------- keycloak

realm_answers() {
    curl -sf -m 5 "$KEYCLOAK_URL/realms/$1/.well-known/openid-configuration" | grep -q "\"issuer\":\"$KEYCLOAK_URL/realms/$1\""
}

carebook_realm_answers() { realm_answers carebook; }

# Keycloak keeps its data in a database of our PostgreSQL, as a deployment keeps it in RDS.
create_keycloak_database() {
    [ -n "$(psql "$DATABASE_URL" -Atqc "select 1 from pg_database where datname = 'keycloak'")" ] && return 0
    psql "$DATABASE_URL" -qc 'create database keycloak' >"$STATE/keycloak-db.log" 2>&1 ||
        { log_tail "$STATE/keycloak-db.log"; fail "keycloak: creating its database failed; see $STATE/keycloak-db.log"; }
}

keycloak_up() {
    ensure_keycloak
    local state=0
    running keycloak "$KEYCLOAK_PORT" carebook_realm_answers "Keycloak with realm carebook" || state=$?
    # Another's Keycloak is used as it is: its realm is theirs to keep.
    [ "$state" -ne 2 ] || return 0
    if [ "$state" -eq 1 ]; then
        port_taken "$KEYCLOAK_MANAGEMENT_PORT" &&
            fail "keycloak: its management port $KEYCLOAK_MANAGEMENT_PORT is taken ($(ss -Hltnp "sport = :$KEYCLOAK_MANAGEMENT_PORT" | head -n 1))"
        pg_answers || fail "keycloak: PostgreSQL does not answer at ${DATABASE_URL##*@}; start it first (stack.sh up postgres keycloak)"
        create_keycloak_database
        local credentials=${DATABASE_URL#*://} server=${DATABASE_URL#*@}
        credentials=${credentials%%@*}
        server=${server%%/*}
        say "keycloak: starting Keycloak $KEYCLOAK_VERSION at $KEYCLOAK_URL (data in database keycloak)"
        # --cache=local: one node, no JGroups cluster listening beyond loopback.
        KC_DB_USERNAME=${credentials%%:*} KC_DB_PASSWORD=${credentials#*:} \
            KC_BOOTSTRAP_ADMIN_USERNAME=$KEYCLOAK_ADMIN_USER KC_BOOTSTRAP_ADMIN_PASSWORD=$KEYCLOAK_ADMIN_PASSWORD \
            JAVA_OPTS_KC_HEAP="-Xms64m -Xmx512m" \
            start_process keycloak "$STATE/keycloak.log" "$KEYCLOAK_HOME/bin/kc.sh" start --optimized \
            --cache=local --db-url="jdbc:postgresql://$server/keycloak" \
            --http-enabled=true --http-host=127.0.0.1 --http-port="$KEYCLOAK_PORT" \
            --hostname="$KEYCLOAK_URL" --http-management-port="$KEYCLOAK_MANAGEMENT_PORT"
        wait_until keycloak 180 "$STATE/keycloak.log" realm_answers master
    fi
    # The realm file is the one source of truth: imported when missing, imported again when
    # it changed since (the realm then loses what was added to it by hand).
    KEYCLOAK_ADMIN_USER=$KEYCLOAK_ADMIN_USER KEYCLOAK_ADMIN_PASSWORD=$KEYCLOAK_ADMIN_PASSWORD \
        python3 "$ROOT/localstack/keycloak/import_realm.py" "$KEYCLOAK_URL" "$REALM_FILE" >"$STATE/keycloak-import.log" 2>&1 ||
        { log_tail "$STATE/keycloak-import.log"; fail "keycloak: importing $REALM_FILE failed; see $STATE/keycloak-import.log and Keycloak's own reason in $STATE/keycloak.log"; }
    realm_answers carebook || fail "keycloak: realm carebook does not answer at $KEYCLOAK_ISSUER after its import; see $STATE/keycloak.log"
    say "keycloak: ready, $(tail -n 1 "$STATE/keycloak-import.log")"
}

# ------------------------------------------------------------------------------- commands

stop_component() {
    case $1 in
    postgres) postgres_down ;;
    *) stop_process "$1" ;;
    esac
}

component_status() {
    case $1 in
    postgres) postgres_status ;;
    kafka | moto | keycloak)
        local port
        case $1 in kafka) port=$KAFKA_PORT ;; moto) port=$MOTO_PORT ;; keycloak) port=$KEYCLOAK_PORT ;; esac
        if pid_alive "$1"; then echo "running, started here (pid $(cat "$STATE/$1.pid"), port $port)"
        elif port_taken "$port"; then echo "running, not started here (port $port)"
        else echo "stopped"; fi
        ;;
    esac
}

check_components() {
    local name
    for name in "$@"; do
        [[ " ${COMPONENTS[*]} " == *" $name "* ]] || { echo "unknown component '$name'; known: ${COMPONENTS[*]}" >&2; exit 2; }
    done
}

print_env() {
    cat <<EOF
export DATABASE_URL=$DATABASE_URL
export USERS_DATABASE_URL=${DATABASE_URL%/*}/carebook_users
export APPOINTMENTS_DATABASE_URL=${DATABASE_URL%/*}/carebook_appointments
export ANALYTICS_DATABASE_URL=${DATABASE_URL%/*}/carebook_analytics
export NOTIFICATIONS_DATABASE_URL=${DATABASE_URL%/*}/carebook_notifications
export KAFKA_BOOTSTRAP_SERVERS=$KAFKA_BOOTSTRAP_SERVERS
# Kafka's jars and the JDK, for tests that start brokers of their own (faults, SASL/SCRAM).
export KAFKA_LIBS=$KAFKA_HOME/libs
export KAFKA_JAVA=$(java_bin)
export AWS_ENDPOINT_URL=$AWS_ENDPOINT_URL
export AWS_REGION=\${AWS_REGION:-eu-west-1}
export AWS_ACCESS_KEY_ID=\${AWS_ACCESS_KEY_ID:-testing}
export AWS_SECRET_ACCESS_KEY=\${AWS_SECRET_ACCESS_KEY:-testing}
export KEYCLOAK_URL=$KEYCLOAK_URL
export KEYCLOAK_ISSUER=$KEYCLOAK_ISSUER
export KEYCLOAK_AUDIENCE=carebook-api
# The master realm's administrator (development only): tests make users and realms with it.
export KEYCLOAK_ADMIN_USER=$KEYCLOAK_ADMIN_USER
export KEYCLOAK_ADMIN_PASSWORD=$KEYCLOAK_ADMIN_PASSWORD
# Handlers log JSON lines locally too, as Lambda's JSON log format makes them in AWS.
export AWS_LAMBDA_LOG_FORMAT=JSON
# The users service's Admin API client, as localstack/keycloak/realm.json defines it (dev only).
export KEYCLOAK_ADMIN_CLIENT_SECRET=carebook-users-service-secret
export PATH=$VENV/bin:$(dirname "$NEXTEST"):\$PATH
EOF
}

main() {
    local command=${1:-}
    shift || true
    mkdir -p "$STATE"
    case $command in
    up)
        check_components "$@"
        local names=("$@") name
        [ ${#names[@]} -gt 0 ] || names=("${COMPONENTS[@]}")
        ensure_base_tools
        for name in "${names[@]}"; do "${name}_up"; done
        say "stack is up: $(IFS=,; echo "${names[*]}")"
        ;;
    down)
        check_components "$@"
        local names=("$@") i
        [ ${#names[@]} -gt 0 ] || names=("${COMPONENTS[@]}")
        for ((i = ${#names[@]} - 1; i >= 0; i--)); do stop_component "${names[i]}"; done
        say "stopped what this checkout started"
        ;;
    status)
        local name
        for name in "${COMPONENTS[@]}"; do printf '%-9s %s\n' "$name" "$(component_status "$name")"; done
        ;;
    env) print_env ;;
    tools) ensure_tools ;;
    pytools) ensure_python_tools ;;
    *)
        sed -n '2,12p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
        exit 2
        ;;
    esac
}

main "$@"
