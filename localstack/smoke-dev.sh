#!/usr/bin/env bash
# The `make dev` promise, end to end: the stack comes up, a token from the test issuer is
# accepted by a handler served through `cargo lambda watch`, a booking and a cancellation reach
# notifications and analytics through the local event source, and Ctrl-C leaves no process
# of this run behind. Prints "dev smoke: N passed, N failed"; exits non-zero on any failure.
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
STATE=${CAREBOOK_STATE:-$ROOT/.stack}
# Its own port, so a `make dev` already running in this checkout is left alone.
export WATCH_PORT=${SMOKE_WATCH_PORT:-9100}
API=http://127.0.0.1:$WATCH_PORT
ISSUER=http://127.0.0.1:8080/realms/carebook
LOG="$STATE/smoke-dev.log"
AWS_ENDPOINT_URL=${AWS_ENDPOINT_URL:-http://127.0.0.1:5000}
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

password_token() {
    curl -sf -d grant_type=password -d client_id=carebook-cli -d username="$1" -d password="$1" \
        "$ISSUER/protocol/openid-connect/token" | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])'
}
token=$(password_token patient)
profile_ok() {
    curl -sf -m 300 -H "Authorization: Bearer $token" "$API/users/me" | grep -q '"username":"patient"'
}
check "a token from the test issuer is accepted through cargo lambda watch" profile_ok
unauthenticated() { [ "$(curl -s -m 60 -o /dev/null -w '%{http_code}' "$API/users/me")" = 401 ]; }
check "a request without a token is answered 401" unauthenticated

# Book, list, cancel, end to end: the doctor signs in first, which publishes user.registered;
# the local event source hands it to sync-directory; the booking and the cancellation reach
# notifications (emails in the SES emulator) and analytics the same way.
doctor_token=$(password_token doctor)
admin_token=$(password_token admin)
json_field() { python3 -c 'import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$1" "$2"; }
eventually() { # eventually <seconds> <command...>: until it succeeds or time is up
    local deadline=$((SECONDS + $1))
    shift
    until "$@"; do ((SECONDS < deadline)) || return 1; sleep 1; done
}
emails_for() { # emails_for <subject> <slot text>: how many the SES emulator holds
    curl -sf "$AWS_ENDPOINT_URL/moto-api/data.json" | SUBJECT="$1" SLOT="$2" python3 -c '
import json, os, sys
messages = json.load(sys.stdin)["ses"]["Message"]
print(sum(1 for m in messages if m["subject"] == os.environ["SUBJECT"] and os.environ["SLOT"] in m["body"]))'
}
at_least() { [ "$(emails_for "$2" "$3")" -ge "$1" ]; } # at_least <n> <subject> <slot text>
booking_emails() { at_least 1 "Your appointment is booked" "$1" && at_least 1 "New appointment" "$1"; }
analytics_shows() { # analytics_shows <appointment id> <status>
    curl -sf -m 300 -H "Authorization: Bearer $admin_token" "$API/analytics/summary" |
        ID="$1" STATUS="$2" python3 -c '
import json, os, sys
latest = json.load(sys.stdin)["latest"]
sys.exit(0 if any(a["id"] == os.environ["ID"] and a["status"] == os.environ["STATUS"] for a in latest) else 1)'
}
doctor=
appointment_id=
slot_text=
doctor_known() { curl -sf -m 300 -H "Authorization: Bearer $token" "$API/doctors/$1/availability?date=$2" >/dev/null; }
book_list() {
    local starts_at appointment
    doctor=$(curl -sf -m 300 -H "Authorization: Bearer $doctor_token" "$API/users/me") || { echo "doctor profile failed"; return 1; }
    # A 5-minute slot tomorrow that differs for runs 5 minutes apart.
    starts_at=$(python3 -c 'import datetime,time; d=datetime.datetime.now(datetime.timezone.utc).replace(hour=0,minute=0,second=0,microsecond=0)+datetime.timedelta(days=1, minutes=5*(int(time.time())//300 % 288)); print(d.isoformat())')
    slot_text=$(python3 -c 'import datetime,sys; d=datetime.datetime.fromisoformat(sys.argv[1]); print(d.strftime("%A ") + str(d.day) + d.strftime(" %B %Y, %H:%M"))' "$starts_at")
    eventually 300 doctor_known "$(json_field "$doctor" id)" "${starts_at%%T*}" || { echo "the doctor never reached the appointments directory"; return 1; }
    appointment=$(curl -sf -m 300 -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
        -d "{\"doctor_id\":\"$(json_field "$doctor" id)\",\"starts_at\":\"$starts_at\",\"duration_minutes\":5,\"reason\":\"smoke test\"}" \
        "$API/appointments") || { echo "booking failed"; return 1; }
    appointment_id=$(json_field "$appointment" id)
    curl -sf -m 300 -H "Authorization: Bearer $token" "$API/appointments?status=scheduled&limit=100" | grep -q "\"$appointment_id\"" ||
        { echo "the booking is not listed"; return 1; }
    curl -sf -m 300 -H "Authorization: Bearer $doctor_token" "$API/appointments/$appointment_id" | grep -q '"status":"scheduled"' ||
        { echo "the doctor cannot read it"; return 1; }
}
check "a patient books and lists through cargo lambda watch" book_list
booking_reaches_everyone() {
    eventually 300 booking_emails "$slot_text" ||
        { echo "booking emails: patient $(emails_for "Your appointment is booked" "$slot_text"), doctor $(emails_for "New appointment" "$slot_text")"; return 1; }
    eventually 120 analytics_shows "$appointment_id" scheduled || { echo "analytics does not show the booking"; return 1; }
}
check "the booking emails patient and doctor and analytics counts it" booking_reaches_everyone
cancel() {
    curl -sf -m 300 -X POST -H "Authorization: Bearer $token" "$API/appointments/$appointment_id/cancel" | grep -q '"status":"cancelled"' ||
        { echo "cancelling failed"; return 1; }
    eventually 300 at_least 2 "Your appointment is cancelled" "$slot_text" ||
        { echo "cancellation emails: $(emails_for "Your appointment is cancelled" "$slot_text") of 2"; return 1; }
    eventually 120 analytics_shows "$appointment_id" cancelled || { echo "analytics does not show the cancellation"; return 1; }
}
check "a cancellation emails both and analytics counts it" cancel


kill -TERM "$dev_pid" # as Ctrl-C: a background script ignores SIGINT
wait "$dev_pid"
nothing_left() {
    local after
    after=$("$ROOT/localstack/stack.sh" status)
    # What ran before the test still runs; what the test started is gone.
    [ "$after" = "$before" ] || { echo "stack before: $before"; echo "stack after: $after"; return 1; }
    ! ss -Hltn "sport = :$WATCH_PORT" | grep -q . || { echo "port $WATCH_PORT still open"; return 1; }
    ! pgrep -f "cargo-lambda lambda watch.*--invoke-port $WATCH_PORT" >/dev/null || { echo "watch still runs"; return 1; }
}
check "stopping make dev leaves nothing it started running" nothing_left
finish
