#!/usr/bin/env bash
# `make dev`: the local stack, every handler under `cargo lambda watch`, and API Gateway's
# routes and CORS (local-gateway) in front of them on http://127.0.0.1:${WATCH_PORT:-9000}.
# Ctrl-C stops what this run started.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
STACK="$ROOT/localstack/stack.sh"
STATE=${CAREBOOK_STATE:-$ROOT/.stack}
WATCH_PORT=${WATCH_PORT:-9000}
API=http://127.0.0.1:$WATCH_PORT
# Watch itself, behind the gateway; the gateway and the event source invoke functions there.
INVOKE_PORT=$((WATCH_PORT + 50))
INVOKE=http://127.0.0.1:$INVOKE_PORT
# The web app (Vite), standing for the CloudFront distribution whose origin the HttpApi's CORS
# allows (infra/template.yaml); Keycloak's carebook-web client returns only to port 5173.
WEB_PORT=${WEB_PORT:-5173}
WEB=http://127.0.0.1:$WEB_PORT
# dev: Vite's dev server, reloading on edits; preview: the production bundle (make bench).
WEB_MODE=${WEB_MODE:-dev}

# shellcheck source=localstack/process.sh
. "$ROOT/localstack/process.sh"

say() { printf '[dev] %s\n' "$*"; }

mkdir -p "$STATE"
started=$(mktemp "$STATE/dev-started.XXXXXX")
watch_pid=
gateway_pid=
events_pid=
web_pid=
lag_pid=
compose_file=

cleanup() {
    trap - EXIT INT TERM
    [ -z "$web_pid" ] || stop_group "$web_pid" "web app (Vite)"
    [ -z "$lag_pid" ] || stop_group "$lag_pid" "consumer lag display"
    [ -z "$events_pid" ] || stop_group "$events_pid" "local event source"
    [ -z "$gateway_pid" ] || stop_group "$gateway_pid" "local gateway"
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
(cd "$ROOT" && cargo run --locked --quiet -p carebook-migrate -- users appointments analytics notifications) | sed 's/^/[dev] /'

for port in "$WATCH_PORT" "$INVOKE_PORT" "$WEB_PORT"; do
    if ss -Hltn "sport = :$port" | grep -q .; then
        say "FAILED: port $port is taken ($(ss -Hltnp "sport = :$port" | head -n 1)); set WATCH_PORT (watch takes WATCH_PORT + 50) or WEB_PORT to use another" >&2
        exit 1
    fi
done
say "building the local event source and gateway"
(cd "$ROOT" && cargo build --locked --quiet -p carebook-event-source --bin local-event-source --bin local-gateway) ||
    { say "FAILED: building the local event source and gateway" >&2; exit 1; }
say "starting cargo lambda watch on $INVOKE (handlers compile on their first request)"
# The gateway invokes functions through watch's Invoke API, as API Gateway invokes Lambda;
# --disable-cors: watch's own HTTP front would allow any origin. WATCH_RELOAD=0 (make smoke,
# make bench) keeps the handlers as they started: watch otherwise rebuilds them when any file
# of the checkout changes, and a request waits for that build.
reload=()
[ "${WATCH_RELOAD:-1}" != 0 ] || reload=(--ignore-changes)
(cd "$ROOT" && exec setsid cargo lambda watch --locked --disable-cors "${reload[@]}" --invoke-address 127.0.0.1 --invoke-port "$INVOKE_PORT") &
watch_pid=$!
say "starting the local gateway on $API (routes and CORS of infra/template.yaml's HttpApi)"
(cd "$ROOT" && GATEWAY_ADDRESS=127.0.0.1:$WATCH_PORT GATEWAY_UPSTREAM=$INVOKE GATEWAY_WEB_ORIGIN=$WEB exec setsid "${CARGO_TARGET_DIR:-$ROOT/target}/debug/local-gateway") \
    >"$STATE/gateway.log" 2>&1 &
gateway_pid=$!

deadline=$((SECONDS + 900))
until curl -sf -m 300 "$API/health/users" >/dev/null 2>&1; do
    kill -0 "$watch_pid" 2>/dev/null || { say "FAILED: cargo lambda watch exited" >&2; exit 1; }
    kill -0 "$gateway_pid" 2>/dev/null || { say "FAILED: the local gateway exited ($STATE/gateway.log)" >&2; exit 1; }
    ((SECONDS < deadline)) || { say "FAILED: $API/health/users did not answer within 900s" >&2; exit 1; }
    sleep 1
done

# Lambda's MSK event sources and schedules, as infra/template.yaml declares them.
say "starting the local event source (MSK mappings and schedules of infra/template.yaml)"
(cd "$ROOT" && EVENT_SOURCE_INVOKE_URL=$INVOKE exec setsid "${CARGO_TARGET_DIR:-$ROOT/target}/debug/local-event-source") \
    >"$STATE/event-source.log" 2>&1 &
events_pid=$!
# A consumer group falling behind shows on this console as it happens (every 5 s while behind).
setsid bash -c 'exec tail -n 0 -F "$1" 2>/dev/null | grep --line-buffered "consumer group behind"' _ "$STATE/event-source.log" &
lag_pid=$!

say "starting the web app on $WEB (Vite, $WEB_MODE)"
(cd "$ROOT" && CAREBOOK_API_URL=$API CAREBOOK_AUTHORITY=$KEYCLOAK_ISSUER exec setsid web/run.sh "$WEB_MODE" "$WEB_PORT") \
    >"$STATE/web.log" 2>&1 &
web_pid=$!
deadline=$((SECONDS + 300))
until curl -sf -m 5 "$WEB/config.json" >/dev/null 2>&1; do
    kill -0 "$web_pid" 2>/dev/null || { say "FAILED: the web app exited ($STATE/web.log)" >&2; tail -n 20 "$STATE/web.log" >&2; exit 1; }
    ((SECONDS < deadline)) || { say "FAILED: $WEB did not answer within 300s ($STATE/web.log)" >&2; exit 1; }
    sleep 1
done

cat <<EOF

Carebook is running.
  Web app                    $WEB   (sign in as patient/patient, doctor/doctor, admin/admin, or register)
  API (gateway, then watch)  $API   (OpenAPI: infra/openapi/openapi.yaml; CORS of the template, for the web app)
  Keycloak realm             $KEYCLOAK_ISSUER   (sign up: patients; admin console: $KEYCLOAK_URL/admin, ${KEYCLOAK_ADMIN_USER:-admin}/${KEYCLOAK_ADMIN_PASSWORD:-admin})
  Kafka bootstrap            $KAFKA_BOOTSTRAP_SERVERS
  AWS emulator (moto)        $AWS_ENDPOINT_URL   (sent mail: $AWS_ENDPOINT_URL/moto-api/data.json)
  PostgreSQL                 ${DATABASE_URL##*@}  (a database per service)
  Traces (Jaeger)            $JAEGER_URL   (every handler's spans; query API: $JAEGER_URL/api/traces?service=book-appointment)
  Event source (local MSK)   log: $STATE/event-source.log   (a consumer group behind is shown here, every 5 s)

Get a token (users admin, doctor, patient; password = user name):
  TOKEN=\$(curl -s -d grant_type=password -d client_id=carebook-cli -d username=patient -d password=patient \\
    $KEYCLOAK_ISSUER/protocol/openid-connect/token | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')

Try it:
  curl -s -H "Authorization: Bearer \$TOKEN" $API/users/me

Ctrl-C stops everything this command started.
EOF
wait -n "$watch_pid" "$gateway_pid" "$events_pid" "$web_pid"
