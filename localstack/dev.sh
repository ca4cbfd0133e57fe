#!/usr/bin/env bash
# `make dev`: the local stack, then every handler behind `cargo lambda watch` on
# http://127.0.0.1:${WATCH_PORT:-9000}, routed as in AWS. Ctrl-C stops what this run started.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
STACK="$ROOT/localstack/stack.sh"
STATE=${CAREBOOK_STATE:-$ROOT/.stack}
WATCH_PORT=${WATCH_PORT:-9000}
API=http://127.0.0.1:$WATCH_PORT

# shellcheck source=localstack/process.sh
. "$ROOT/localstack/process.sh"

say() { printf '[dev] %s\n' "$*"; }

mkdir -p "$STATE"
started=$(mktemp "$STATE/dev-started.XXXXXX")
watch_pid=
events_pid=
compose_file=

cleanup() {
    trap - EXIT INT TERM
    [ -z "$events_pid" ] || stop_group "$events_pid" "local event source"
    [ -z "$watch_pid" ] || stop_group "$watch_pid" "cargo lambda watch"
    [ -z "$compose_file" ] || compose -f "$compose_file" down >/dev/null 2>&1 || true
    local components=()
    mapfile -t components <"$started"
    rm -f "$started"
    if [ ${#components[@]} -gt 0 ]; then
        "$STACK" down "${components[@]}"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# docker compose (v2 plugin) where it exists, Debian's docker-compose otherwise.
compose() { if docker compose version >/dev/null 2>&1; then docker compose "$@"; else docker-compose "$@"; fi; }
answers() { curl -sf -m 5 "$1" >/dev/null 2>&1; }

if command -v docker >/dev/null && docker info >/dev/null 2>&1; then
    # Same ports and the same Keycloak and Apache Kafka versions as the native stack.
    say "a Docker engine answers: starting localstack/docker-compose.yml"
    compose_file=$ROOT/localstack/docker-compose.yml
    compose -f "$compose_file" up -d
    "$STACK" pytools
    eval "$("$STACK" env)"
    deadline=$((SECONDS + 300))
    until answers "$KEYCLOAK_ISSUER/.well-known/openid-configuration" && answers "$AWS_ENDPOINT_URL/moto-api/data.json" &&
        psql "$DATABASE_URL" -Atqc 'select 1' >/dev/null 2>&1; do
        ((SECONDS < deadline)) || { say "FAILED: the compose stack did not come up in 300 s (docker-compose logs)" >&2; exit 1; }
        sleep 2
    done
else
    STACK_STARTED_FILE=$started "$STACK" up
    eval "$("$STACK" env)"
fi
say "applying migrations (each service has its own database)"
(cd "$ROOT" && cargo run --quiet -p carebook-migrate -- users appointments analytics notifications) | sed 's/^/[dev] /'

if ss -Hltn "sport = :$WATCH_PORT" | grep -q .; then
    say "FAILED: port $WATCH_PORT is taken ($(ss -Hltnp "sport = :$WATCH_PORT" | head -n 1)); set WATCH_PORT to use another" >&2
    exit 1
fi
say "starting cargo lambda watch on $API (handlers compile on their first request)"
(cd "$ROOT" && exec setsid cargo lambda watch --invoke-address 127.0.0.1 --invoke-port "$WATCH_PORT") &
watch_pid=$!

deadline=$((SECONDS + 900))
until curl -sf -m 300 "$API/health/users" >/dev/null 2>&1; do
    kill -0 "$watch_pid" 2>/dev/null || { say "FAILED: cargo lambda watch exited" >&2; exit 1; }
    ((SECONDS < deadline)) || { say "FAILED: $API/health/users did not answer within 900s" >&2; exit 1; }
    sleep 1
done

# Lambda's MSK event sources and schedules, as infra/template.yaml declares them.
say "starting the local event source (MSK mappings and schedules of infra/template.yaml)"
(cd "$ROOT" && cargo build --quiet -p carebook-event-source --bin local-event-source) ||
    { say "FAILED: building the local event source" >&2; exit 1; }
(cd "$ROOT" && EVENT_SOURCE_INVOKE_URL=$API exec setsid "${CARGO_TARGET_DIR:-$ROOT/target}/debug/local-event-source") \
    >"$STATE/event-source.log" 2>&1 &
events_pid=$!

cat <<EOF

Carebook is running.
  API (cargo lambda watch)   $API
  Keycloak realm             $KEYCLOAK_ISSUER   (sign up: patients; admin console: $KEYCLOAK_URL/admin, ${KEYCLOAK_ADMIN_USER:-admin}/${KEYCLOAK_ADMIN_PASSWORD:-admin})
  Kafka bootstrap            $KAFKA_BOOTSTRAP_SERVERS
  AWS emulator (moto)        $AWS_ENDPOINT_URL   (sent mail: $AWS_ENDPOINT_URL/moto-api/data.json)
  PostgreSQL                 ${DATABASE_URL##*@}  (a database per service)
  Event source (local MSK)   log: $STATE/event-source.log

Get a token (users admin, doctor, patient; password = user name):
  TOKEN=\$(curl -s -d grant_type=password -d client_id=carebook-cli -d username=patient -d password=patient \\
    $KEYCLOAK_ISSUER/protocol/openid-connect/token | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')

Try it:
  curl -s -H "Authorization: Bearer \$TOKEN" $API/users/me

Ctrl-C stops everything this command started.
EOF
wait -n "$watch_pid" "$events_pid"
