#!/usr/bin/env bash
# The `make dev` promise, end to end: the stack comes up, a token from the local Keycloak is
# accepted by a handler served through the local gateway and `cargo lambda watch`, `make demo`
# runs its story (a booking and a cancellation reaching notifications and analytics through the
# local event source), preflights get the template's CORS, the web app publishes as `make deploy`
# does (against moto), schemathesis finds the API as its
# OpenAPI document says, the tests leave the seeded people and their data as they were, and
# Ctrl-C leaves no process of this run behind. Prints "dev smoke: N passed, N failed"; exits non-zero on any failure.
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
STATE=${CAREBOOK_STATE:-$ROOT/.stack}
# Its own port, so a `make dev` already running in this checkout is left alone.
export WATCH_PORT=${SMOKE_WATCH_PORT:-9100} WATCH_RELOAD=0
# Keycloak lets carebook-web return only to port 5173, and the HttpApi allows only that origin.
export WEB_PORT=${SMOKE_WEB_PORT:-5173}
API=http://127.0.0.1:$WATCH_PORT
ISSUER=http://127.0.0.1:8080/realms/carebook
LOG="$STATE/smoke-dev.log"
AWS_ENDPOINT_URL=${AWS_ENDPOINT_URL:-http://127.0.0.1:5000}
VENV_PYTHON=${CAREBOOK_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/carebook}/venv/bin/python
passed=0
failed=0

check() {
    local name=$1
    shift
    if "$@"; then
        passed=$((passed + 1))
        echo "ok    $name"
    else
        failed=$((failed + 1))
        echo "FAIL  $name"
    fi
}

finish() {
    echo "dev smoke: $passed passed, $failed failed"
    [ "$failed" -eq 0 ]
    exit
}

mkdir -p "$STATE"
before=$("$ROOT/localstack/stack.sh" status)
setsid "$ROOT/localstack/dev.sh" >"$LOG" 2>&1 </dev/null &
dev_pid=$!

ready() {
    local deadline=$((SECONDS + 1200))
    until grep -q '^Carebook is running' "$LOG"; do
        kill -0 "$dev_pid" 2>/dev/null || return 1
        ((SECONDS < deadline)) || return 1
        sleep 1
    done
}
check "make dev starts the stack and serves the API" ready || { tail -n 30 "$LOG"; kill -TERM "$dev_pid"; wait "$dev_pid"; finish; }

in_stack() { (eval "$("$ROOT/localstack/stack.sh" env)" && "$@"); }

# The tests act as people of this run's own, never as the seeded ones a newcomer signs in as
# in make dev, which shares this realm and these databases (localstack/test_people.py says why
# not a realm of their own); whom they make is taken away at the end, and the seeded people's
# data must then be as it was now (localstack/seeded_data.py).
run_people() {
    local people
    people=$(in_stack python3 "$ROOT/localstack/test_people.py" begin "$STATE/smoke-people") || return 1
    eval "$people"
    in_stack python3 "$ROOT/localstack/seeded_data.py" "$API" >"$STATE/seeded-before.json"
}
check "the tests get people of their own; the seeded people's data is read" run_people

password_token() {
    curl -sf -d grant_type=password -d client_id=carebook-cli -d username="$1" -d password="$2" \
        "$ISSUER/protocol/openid-connect/token" | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])'
}
token=$(password_token "${CAREBOOK_TEST_PATIENT:-}" "${CAREBOOK_TEST_PATIENT_PASSWORD:-}")
profile_ok() {
    curl -sf -m 300 -H "Authorization: Bearer $token" "$API/users/me" | grep -qF "\"username\":\"${CAREBOOK_TEST_PATIENT:-}\""
}
check "a token from Keycloak is accepted through cargo lambda watch" profile_ok
unauthenticated() { [ "$(curl -s -m 60 -o /dev/null -w '%{http_code}' "$API/users/me")" = 401 ]; }
check "a request without a token is answered 401" unauthenticated

# The whole story, end to end, through the running `make dev`: onboarding, booking, a refused
# clash, emails in the SES emulator, reschedule, cancellation, analytics (localstack/demo.sh).
demo() {
    WATCH_PORT=$WATCH_PORT "$ROOT/localstack/demo.sh" >"$STATE/smoke-demo.log" 2>&1 ||
        { tail -n 15 "$STATE/smoke-demo.log"; return 1; }
}
check "make demo runs as narrated against make dev" demo

# The web app is served, and told where this run's API is.
web_served() {
    curl -sf -m 60 "http://127.0.0.1:$WEB_PORT/" | grep -q 'id="root"' &&
        curl -sf -m 60 "http://127.0.0.1:$WEB_PORT/config.json" | grep -q "\"apiUrl\":\"$API\""
}
check "make dev serves the web app, pointed at its API" web_served

# A browser's preflight gets what infra/template.yaml's CorsConfiguration promises, read from
# the template here independently of the gateway's own reading of it.
cors_as_template() {
    local expected answer
    expected=$("$VENV_PYTHON" - "$ROOT/infra/template.yaml" "http://127.0.0.1:$WEB_PORT" <<'PY'
import sys, yaml
class Loader(yaml.SafeLoader): pass
Loader.add_multi_constructor("!", lambda loader, tag, node: {tag: loader.construct_scalar(node)} if isinstance(node, yaml.ScalarNode) else None)
template = yaml.load(open(sys.argv[1]), Loader=Loader)
cors = template["Resources"]["HttpApi"]["Properties"]["CorsConfiguration"]
# Deployed, the one origin is the web distribution's; here the dev server stands for it.
assert cors["AllowOrigins"] == [{"Sub": "https://${WebDistribution.DomainName}"}], cors["AllowOrigins"]
assert template["Resources"]["WebDistribution"]["Type"] == "AWS::CloudFront::Distribution"
origin = sys.argv[2]
print(f"access-control-allow-origin: {origin}")
print(f"access-control-allow-methods: {','.join(cors['AllowMethods'])}")
print(f"access-control-allow-headers: {','.join(cors['AllowHeaders'])}")
print(f"access-control-max-age: {cors['MaxAge']}")
print(f"access-control-expose-headers: {','.join(cors['ExposeHeaders'])}")
print(origin)
PY
) || return 1
    local origin=${expected##*$'\n'}
    answer=$(curl -s -m 60 -o /dev/null -D - -X OPTIONS -H "Origin: $origin" -H "Access-Control-Request-Method: PATCH" \
        -H "Access-Control-Request-Headers: authorization,content-type,if-match,idempotency-key" "$API/appointments/any" | tr -d '\r')
    answer+=$'\n'$(curl -s -m 60 -o /dev/null -D - -H "Origin: $origin" "$API/health/users" | tr -d '\r' | grep -i '^access-control-expose-headers')
    local line
    while IFS= read -r line; do
        [ "$line" = "$origin" ] && continue
        grep -qixF "$line" <<<"$answer" || { echo "missing: $line"; echo "answer: $answer"; return 1; }
    done <<<"$expected"
    grep -q '^HTTP/1.1 204' <<<"$answer" || { echo "answer: $answer"; return 1; }
    # Another origin gets no CORS headers at all.
    ! curl -s -m 60 -o /dev/null -D - -X OPTIONS -H "Origin: https://elsewhere.example" -H "Access-Control-Request-Method: GET" \
        "$API/users/me" | grep -qi '^access-control-allow-origin'
}
check "a browser's preflight gets the CORS the SAM template promises" cors_as_template

# make deploy's last step, against moto: the bundle and a config.json from the stack's outputs.
web_published() { AWS_ENDPOINT_URL=$AWS_ENDPOINT_URL AWS_DEFAULT_REGION=eu-west-1 AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test "$VENV_PYTHON" "$ROOT/infra/publish_web_test.py"; }
check "make deploy publishes the web app with its stack's config (moto)" web_published

# make deploy's realm step, into a realm of its own of the local Keycloak, deleted afterwards.
production_realm() { "$VENV_PYTHON" "$ROOT/infra/realm_production_test.py"; }
check "make deploy applies the production realm as production needs it (local Keycloak)" production_realm

# The web app's journeys in Debian's Chromium through Keycloak's real pages (web/e2e):
# screenshots of every page in web/test-results/screenshots, axe on each.
web_journeys() {
    (eval "$("$ROOT/localstack/stack.sh" env)" && cd "$ROOT/web" &&
        WEB_URL="http://127.0.0.1:$WEB_PORT" npx playwright test) >"$STATE/web-e2e.log" 2>&1 ||
        { tail -n 60 "$STATE/web-e2e.log"; return 1; }
    grep -E "passed|failed|axe" "$STATE/web-e2e.log" | head -n 5
}
check "patients, doctors and admins use the web app in Chromium (Playwright, axe)" web_journeys

# Every documented operation, as each role: no 5xx, and answers as the OpenAPI document says.
contract() { "$ROOT/localstack/contract.sh" "$API"; }
check "the API keeps its OpenAPI contract (schemathesis, every operation, every role)" contract

# While this run's event source still delivers what the tests made happen.
people_gone() { in_stack python3 "$ROOT/localstack/test_people.py" end "$STATE/smoke-people"; }
check "whom the tests made is taken away again, with their appointments" people_gone
seeded_unchanged() {
    in_stack python3 "$ROOT/localstack/seeded_data.py" "$API" >"$STATE/seeded-after.json" || return 1
    diff -u --label "seeded data before the tests" --label "after" "$STATE/seeded-before.json" "$STATE/seeded-after.json"
}
check "the seeded people, their profiles, appointments and hours, and the doctor directory are as before" seeded_unchanged

kill -TERM "$dev_pid" # as Ctrl-C: a background script ignores SIGINT
wait "$dev_pid"
nothing_left() {
    local after
    after=$("$ROOT/localstack/stack.sh" status)
    # What ran before the test still runs; what the test started is gone.
    [ "$after" = "$before" ] || { echo "stack before: $before"; echo "stack after: $after"; return 1; }
    ! ss -Hltn "sport = :$WATCH_PORT" | grep -q . || { echo "port $WATCH_PORT still open"; return 1; }
    ! ss -Hltn "sport = :$((WATCH_PORT + 50))" | grep -q . || { echo "port $((WATCH_PORT + 50)) still open"; return 1; }
    ! ss -Hltn "sport = :$WEB_PORT" | grep -q . || { echo "port $WEB_PORT (web) still open"; return 1; }
    ! pgrep -f "cargo-lambda lambda watch.*--invoke-port $((WATCH_PORT + 50))" >/dev/null || { echo "watch still runs"; return 1; }
}
check "stopping make dev leaves nothing it started running" nothing_left
finish
