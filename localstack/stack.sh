#!/usr/bin/env bash
# Carebook's local stack without Docker: PostgreSQL, a Kafka-protocol broker (Tansu), an AWS
# API emulator (moto) and the Keycloak-compatible test issuer, as native processes on loopback.
#
#   localstack/stack.sh up [COMPONENT...]    start what is not running yet (idempotent)
#   localstack/stack.sh down [COMPONENT...]  stop what this checkout started, nothing else
#   localstack/stack.sh status               what runs, and whether this checkout started it
#   localstack/stack.sh env                  the environment handlers and tests need
#   localstack/stack.sh tools                install the cached tools only (Tansu, moto, cargo-lambda)
#   localstack/stack.sh pytools              moto and cargo-lambda only (make dev with Docker)
#
# Components: postgres kafka moto issuer. Tools are installed once per machine into
# ${XDG_CACHE_HOME:-$HOME/.cache}/carebook; pids, logs and data live in <checkout>/.stack.
# A component already answering on its port is reused and left alone by `down`.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${CAREBOOK_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/carebook}
STATE=${CAREBOOK_STATE:-$ROOT/.stack}
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}

TANSU_VERSION=0.6.0
TANSU_FEATURES=dynostore,postgres,libsql # the default features have no storage engine
TANSU="$CACHE/tools/tansu-$TANSU_VERSION/bin/tansu"
VENV="$CACHE/venv"
PYTHON_TOOLS="moto[server]==5.2.5 cargo-lambda==1.9.2"

PG_PORT=${CAREBOOK_PG_PORT:-55432}
PG_CLUSTER=carebook
DATABASE_URL=${DATABASE_URL:-postgres://carebook:carebook@127.0.0.1:$PG_PORT/carebook}
KAFKA_PORT=9092
KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:$KAFKA_PORT
# The event topics, and a dead-letter topic per consumer and topic it reads (SPEC §5).
TOPICS=(appointment-events user-events
    user-events.appointments.dlq
    appointment-events.analytics.dlq user-events.analytics.dlq
    appointment-events.notifications.dlq user-events.notifications.dlq)
MOTO_PORT=5000
AWS_ENDPOINT_URL=http://127.0.0.1:$MOTO_PORT
ISSUER_ADDR=127.0.0.1:8080
KEYCLOAK_ISSUER=http://$ISSUER_ADDR/realms/carebook

# shellcheck source=localstack/process.sh
. "$ROOT/localstack/process.sh"

COMPONENTS=(postgres kafka moto issuer)
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
    [ ${#missing[@]} -eq 0 ] || apt_install "${missing[@]}"
}

ensure_tansu() {
    [ -x "$TANSU" ] && return 0
    say "kafka: building Tansu $TANSU_VERSION into $CACHE/tools (about 15 minutes on 2 cores, once per machine)"
    mkdir -p "$CACHE/build"
    # The build folder is kept, so an interrupted build resumes where it stopped.
    CARGO_TARGET_DIR="$CACHE/build/tansu" cargo install tansu --version "$TANSU_VERSION" --locked \
        --features "$TANSU_FEATURES" --root "$CACHE/tools/tansu-$TANSU_VERSION" \
        >"$CACHE/build/tansu-install.log" 2>&1 ||
        { log_tail "$CACHE/build/tansu-install.log"; fail "building Tansu failed; see $CACHE/build/tansu-install.log"; }
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
    ensure_tansu
    ensure_python_tools
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
    pg_as_superuser -d carebook <<'SQL' >>"$STATE/postgres-init.log" 2>&1 || say "postgres: could not drop old test databases (see $STATE/postgres-init.log)"
do $$ declare name text; begin
  for name in select datname from pg_database
      where datname like 'carebook\_test\_%'
        and (pg_stat_file('base/' || oid || '/PG_VERSION')).modification < now() - interval '1 hour'
  loop
    execute format('drop database %I with (force)', name);
  end loop;
end $$;
SQL
}

postgres_up() {
    if command -v psql >/dev/null && pg_answers; then
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
    if ! pg_lsclusters -h | awk -v c="$PG_CLUSTER" '$2 == c { found = 1 } END { exit !found }'; then
        say "postgres: creating cluster $version/$PG_CLUSTER on port $PG_PORT"
        pg_createcluster "$version" "$PG_CLUSTER" --port "$PG_PORT" --start-conf manual \
            -- --auth-local=peer --auth-host=scram-sha-256 >"$STATE/postgres-create.log" 2>&1 ||
            { log_tail "$STATE/postgres-create.log"; fail "postgres: pg_createcluster failed; see $STATE/postgres-create.log"; }
        # A development and test cluster: loopback only, and durability traded for speed.
        cat >"/etc/postgresql/$version/$PG_CLUSTER/conf.d/carebook.conf" <<EOF
listen_addresses = '127.0.0.1'
max_connections = 200
fsync = off
synchronous_commit = off
full_page_writes = off
EOF
    fi
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

kafka_answers() { timeout 15 "$TANSU" topic list --broker "tcp://$KAFKA_BOOTSTRAP_SERVERS" >/dev/null 2>&1; }

create_topics() {
    local topic out
    for topic in "${TOPICS[@]}"; do
        out=$(timeout 30 "$TANSU" topic create "$topic" --partitions 3 --broker "tcp://$KAFKA_BOOTSTRAP_SERVERS" 2>&1) ||
            [[ $out == *"already exists"* ]] || { echo "$out" >&2; fail "kafka: creating topic $topic failed"; }
    done
}

kafka_up() {
    ensure_tansu
    if pid_alive kafka; then
        say "kafka: running (pid $(cat "$STATE/kafka.pid"))"
    elif port_taken "$KAFKA_PORT"; then
        kafka_answers || fail "kafka: port $KAFKA_PORT is taken by something that is not a Kafka broker ($(ss -Hltnp "sport = :$KAFKA_PORT" | head -n 1))"
        say "kafka: a broker already answers at $KAFKA_BOOTSTRAP_SERVERS; using it"
    else
        say "kafka: starting Tansu $TANSU_VERSION at $KAFKA_BOOTSTRAP_SERVERS (sqlite storage in $STATE)"
        # sqlite, not memory://: the memory engine loses messages when a consumer resumes mid-batch.
        start_process kafka "$STATE/kafka.log" "$TANSU" broker \
            --listener-url "tcp://$KAFKA_BOOTSTRAP_SERVERS" \
            --advertised-listener-url "tcp://$KAFKA_BOOTSTRAP_SERVERS" \
            --storage-engine sqlite://kafka.db
        wait_until kafka 60 "$STATE/kafka.log" port_taken "$KAFKA_PORT"
    fi
    create_topics # Tansu does not create topics on first use
    say "kafka: ready, topics ${TOPICS[*]:0:2} and their dead-letter topics"
}

# ----------------------------------------------------------------------------------- moto

moto_answers() { curl -sf -m 5 "$AWS_ENDPOINT_URL/moto-api/data.json" >/dev/null; }

moto_up() {
    ensure_python_tools
    if pid_alive moto; then
        say "moto: running (pid $(cat "$STATE/moto.pid"))"
    elif port_taken "$MOTO_PORT"; then
        moto_answers || fail "moto: port $MOTO_PORT is taken by something that is not moto ($(ss -Hltnp "sport = :$MOTO_PORT" | head -n 1))"
        say "moto: already answering at $AWS_ENDPOINT_URL; using it"
    else
        say "moto: starting the AWS API emulator at $AWS_ENDPOINT_URL"
        start_process moto "$STATE/moto.log" "$VENV/bin/moto_server" -H 127.0.0.1 -p "$MOTO_PORT"
        wait_until moto 60 "$STATE/moto.log" moto_answers
    fi
    # moto keeps its state in memory: verify the SES sender on every start.
    (eval "$(print_env)" && "$VENV/bin/python" "$ROOT/localstack/init_aws.py") >"$STATE/aws-init.log" 2>&1 ||
        { log_tail "$STATE/aws-init.log"; fail "moto: verifying the SES sender failed; see $STATE/aws-init.log"; }
    say "moto: ready, $(tail -n 1 "$STATE/aws-init.log")"
}

# --------------------------------------------------------------------------------- issuer

issuer_answers() {
    curl -sf -m 5 "$KEYCLOAK_ISSUER/.well-known/openid-configuration" | grep -q "\"issuer\":\"$KEYCLOAK_ISSUER\""
}

issuer_up() {
    if pid_alive issuer; then
        say "issuer: running (pid $(cat "$STATE/issuer.pid"))"
        return 0
    fi
    if port_taken "${ISSUER_ADDR##*:}"; then
        issuer_answers || fail "issuer: port ${ISSUER_ADDR##*:} is taken by something that is not realm carebook ($(ss -Hltnp "sport = :${ISSUER_ADDR##*:}" | head -n 1))"
        say "issuer: realm carebook already answers at $KEYCLOAK_ISSUER; using it"
        return 0
    fi
    say "issuer: building the Keycloak-compatible test issuer"
    (cd "$ROOT" && cargo build -q -p carebook-testkit --bin test-issuer) >"$STATE/issuer-build.log" 2>&1 ||
        { log_tail "$STATE/issuer-build.log"; fail "issuer: build failed; see $STATE/issuer-build.log"; }
    say "issuer: starting realm carebook at $KEYCLOAK_ISSUER"
    TEST_ISSUER_ADDR=$ISSUER_ADDR start_process issuer "$STATE/issuer.log" "$TARGET_DIR/debug/test-issuer"
    wait_until issuer 30 "$STATE/issuer.log" issuer_answers
    say "issuer: ready"
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
    kafka | moto | issuer)
        local port
        case $1 in kafka) port=$KAFKA_PORT ;; moto) port=$MOTO_PORT ;; issuer) port=${ISSUER_ADDR##*:} ;; esac
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
# The broker's binary, for tests that start brokers of their own (SASL/SCRAM).
export TANSU_BIN=$TANSU
export AWS_ENDPOINT_URL=$AWS_ENDPOINT_URL
export AWS_REGION=\${AWS_REGION:-eu-west-1}
export AWS_ACCESS_KEY_ID=\${AWS_ACCESS_KEY_ID:-testing}
export AWS_SECRET_ACCESS_KEY=\${AWS_SECRET_ACCESS_KEY:-testing}
export KEYCLOAK_ISSUER=$KEYCLOAK_ISSUER
export KEYCLOAK_AUDIENCE=carebook-api
# Handlers log JSON lines locally too, as Lambda's JSON log format makes them in AWS.
export AWS_LAMBDA_LOG_FORMAT=JSON
# The users service's Admin API client, as localstack/keycloak/realm.json defines it (dev only).
export KEYCLOAK_ADMIN_CLIENT_SECRET=carebook-users-service-secret
export PATH=$VENV/bin:\$PATH
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
