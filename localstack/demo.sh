#!/usr/bin/env bash
# `make demo`: the story of Carebook told against a running `make dev`, step by step. An admin
# onboards a doctor, a patient finds them and books, a clash is refused, the emails arrive,
# the patient reschedules and cancels, the doctor takes a day off that the patient then cannot
# book, and the admin reads the figures. Exits non-zero at the
# first step that does not behave as told.
set -euo pipefail

API=${CAREBOOK_API:-http://127.0.0.1:${WATCH_PORT:-9000}}
ISSUER=${KEYCLOAK_ISSUER:-http://127.0.0.1:8080/realms/carebook}
SES=${AWS_ENDPOINT_URL:-http://127.0.0.1:5000}
JAEGER=${JAEGER_URL:-http://127.0.0.1:16686}
# A newcomer's demo is the seeded admin's and patient's; make smoke's is its own people's
# (localstack/test_people.py), whose tag names the doctor, so that all go again afterwards.
ADMIN=${CAREBOOK_TEST_ADMIN:-admin}
ADMIN_PASSWORD=${CAREBOOK_TEST_ADMIN_PASSWORD:-admin}
PATIENT=${CAREBOOK_TEST_PATIENT:-patient}
PATIENT_PASSWORD=${CAREBOOK_TEST_PATIENT_PASSWORD:-patient}
RUN=${CAREBOOK_TEST_TAG:-$(date +%s)}
step=0

say() { printf '\n\033[1m%d. %s\033[0m\n' "$((step += 1))" "$*"; }
show() { printf '   %s\n' "$*"; }
fail() { printf '\n\033[31mThe demo stopped: %s\033[0m\n' "$*" >&2; exit 1; }
field() { python3 -c 'import json,sys; v=json.loads(sys.argv[1]); [v:=v[k] for k in sys.argv[2].split(".")]; print(v)' "$1" "$2"; }

token() { # token <username> <password>
    curl -sf -d grant_type=password -d client_id=carebook-cli -d username="$1" -d password="$2" \
        "$ISSUER/protocol/openid-connect/token" | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])' ||
        fail "$1 could not sign in at $ISSUER (is make dev running?)"
}

# request <expected status> <method> <path> <token> [json body]: prints the body; sends
# $TRACEPARENT as the request's W3C trace context when set, as the web app does on every call
request() {
    local expected=$1 method=$2 path=$3 bearer=$4 body=${5:-} out status
    out=$(mktemp)
    status=$(curl -s -m 300 -o "$out" -w '%{http_code}' -X "$method" -H "Authorization: Bearer $bearer" \
        ${TRACEPARENT:+-H "traceparent: $TRACEPARENT"} \
        ${body:+-H 'Content-Type: application/json' -d "$body"} "$API$path") || true
    if [ "$status" != "$expected" ]; then
        fail "$method $path answered $status, expected $expected: $(cat "$out")"
    fi
    cat "$out"
    rm -f "$out"
}

# within <seconds> <what> <command...>
within() {
    local deadline=$((SECONDS + $1)) what=$2
    shift 2
    until "$@"; do
        ((SECONDS < deadline)) || fail "$what did not happen within the time allowed"
        sleep 1
    done
}

mail_count() { # mail_count <to> <subject>
    curl -sf "$SES/moto-api/data.json" | TO="$1" SUBJECT="$2" python3 -c '
import json, os, sys
messages = json.load(sys.stdin)["ses"]["Message"]
print(sum(1 for m in messages if m["subject"].endswith(os.environ["SUBJECT"]) and os.environ["TO"] in m["destinations"]["ToAddresses"]))'
}
mail_arrived() { [ "$(mail_count "$1" "$2")" -ge 1 ]; }

curl -sf -m 300 "$API/health/users" >/dev/null || fail "nothing answers at $API: start make dev first"
printf 'Carebook demo against %s\n' "$API"

say "The admin signs in and onboards a doctor through Keycloak's Admin API"
admin=$(token "$ADMIN" "$ADMIN_PASSWORD")
doctor_email="dr.hopper.$RUN@carebook.test"
doctor=$(request 201 POST /users "$admin" "{\"email\":\"$doctor_email\",\"first_name\":\"Grace\",\"last_name\":\"Hopper $RUN\",\"role\":\"doctor\",\"password\":\"demo-password-1\",\"password_temporary\":false,\"specialty\":\"cardiology\"}")
doctor_id=$(field "$doctor" id)
show "created doctor $doctor_email ($doctor_id), specialty cardiology"

say "The doctor verifies their address and signs in: the clinic emails verified addresses only"
# Keycloak sends no email locally: its administrator marks the address verified, as following
# its link would. The doctor's next call takes the token's email_verified into the profile.
keycloak_admin=$(curl -sf -d grant_type=password -d client_id=admin-cli -d username="${KEYCLOAK_ADMIN_USER:-admin}" \
    -d password="${KEYCLOAK_ADMIN_PASSWORD:-admin}" "${ISSUER%/realms/*}/realms/master/protocol/openid-connect/token" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])') || fail "Keycloak's administrator could not sign in"
curl -sf -X PUT -H "Authorization: Bearer $keycloak_admin" -H 'Content-Type: application/json' -d '{"emailVerified":true}' \
    "${ISSUER%/realms/*}/admin/realms/${ISSUER##*/}/users/$doctor_id" || fail "the doctor's address could not be marked verified"
doctor_token=$(token "$doctor_email" demo-password-1)
[ "$(field "$(request 200 GET /users/me "$doctor_token")" email_verified)" = True ] || fail "the doctor's profile does not say the address is verified"
show "$doctor_email is verified, and the doctor's profile says so (user.updated)"
# The appointments service decides at booking time whom the booking's emails may go to, from
# what user-events told it; no API shows its copy, so the demo gives the event a moment.
sleep 5

say "A patient signs in and finds the doctor in the directory"
patient=$(token "$PATIENT" "$PATIENT_PASSWORD")
patient_email=$(field "$(request 200 GET /users/me "$patient")" email)
request 200 GET "/doctors?specialty=cardiology&limit=100" "$patient" | grep -q "$doctor_id" || fail "the new doctor is not listed"
show "GET /doctors?specialty=cardiology lists Dr Grace Hopper $RUN"
day=$(python3 -c 'import datetime; print((datetime.date.today() + datetime.timedelta(days=2)).isoformat())')
knows_doctor() { curl -sf -m 300 -H "Authorization: Bearer $patient" "$API/doctors/$doctor_id/availability?date=$day" >/dev/null; }
within 120 "the doctor reaching the appointments service (user-events)" knows_doctor
slots=$(request 200 GET "/doctors/$doctor_id/availability?date=$day" "$patient")
# The patient may be the realm's seeded one: a demo stopped halfway may have left them booked that
# day. Take the doctor's first free slot that is free for the patient too, and an hour later.
booked=$(request 200 GET "/appointments?status=scheduled&from=${day}T00:00:00Z&to=${day}T23:59:59Z&limit=100" "$patient")
starts_at=$(python3 -c '
import datetime, json, sys
parse = lambda text: datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
free = [parse(s["starts_at"]) for s in json.loads(sys.argv[1])["days"][0]["slots"]]
taken = [(parse(a["starts_at"]), parse(a["ends_at"])) for a in json.loads(sys.argv[2])["items"]]
hour, half = datetime.timedelta(hours=1), datetime.timedelta(minutes=30)
clear = lambda start: all(start + half <= s or e <= start for s, e in taken)
start = next(s for s in free if s + hour in free and clear(s) and clear(s + hour))
print(start.isoformat().replace("+00:00", "Z"))' "$slots" "$booked") || fail "no free slot for the doctor and the patient on $day"
show "the appointments service learned of the doctor from user-events; free on $day from $starts_at"

say "The patient books that slot"
trace_id=$(python3 -c 'import secrets; print(secrets.token_hex(16))')
appointment=$(TRACEPARENT="00-$trace_id-$(python3 -c 'import secrets; print(secrets.token_hex(8))')-01" request 201 POST /appointments "$patient" "{\"doctor_id\":\"$doctor_id\",\"starts_at\":\"$starts_at\",\"duration_minutes\":30,\"reason\":\"Chest pain on exertion\",\"priority\":\"normal\"}")
appointment_id=$(field "$appointment" id)
show "booked $appointment_id at $starts_at (version $(field "$appointment" version))"

say "Booking the same slot again is refused: no double booking"
clash=$(request 409 POST /appointments "$patient" "{\"doctor_id\":\"$doctor_id\",\"starts_at\":\"$starts_at\",\"reason\":\"again\"}")
show "409 $(field "$clash" type): $(field "$clash" detail)"

say "The confirmation emails arrive (SES emulator)"
within 120 "the patient's confirmation" mail_arrived "$patient_email" "Your appointment is booked"
within 120 "the doctor's notice" mail_arrived "$doctor_email" "New appointment"
show "to $patient_email: Your appointment is booked"
show "to $doctor_email: New appointment"

say "One trace follows the booking from the request to the emails (Jaeger)"
# The spans each service exports once its invocation has answered, as "service: operation".
trace_spans() {
    curl -sf -m 30 "$JAEGER/api/traces/$trace_id" | python3 -c '
import json, sys
trace = json.load(sys.stdin)["data"][0]
services = {key: process["serviceName"] for key, process in trace["processes"].items()}
for span in sorted(trace["spans"], key=lambda span: span["startTime"]):
    print(services[span["processID"]] + ": " + span["operationName"])'
}
whole_trace() {
    local spans
    spans=$(trace_spans 2>/dev/null) || return 1
    grep -qx "book-appointment: POST /appointments" <<<"$spans" &&
        grep -qx "book-appointment: publish appointment-events" <<<"$spans" &&
        grep -qx "ingest-events: process appointment-events" <<<"$spans" &&
        grep -qx "send-notifications: process appointment-events" <<<"$spans" &&
        grep -qx "send-notifications: SESv2.SendEmail" <<<"$spans"
}
within 60 "the booking's trace reaching Jaeger with every service's spans" whole_trace
trace_spans | uniq -c | sed 's/^ */   /'
show "$JAEGER/trace/$trace_id"

say "The patient moves the appointment an hour later"
later=$(python3 -c 'import datetime,sys; print((datetime.datetime.fromisoformat(sys.argv[1].replace("Z","+00:00")) + datetime.timedelta(hours=1)).isoformat())' "$starts_at")
moved=$(curl -s -m 300 -o /dev/stderr -w '%{http_code}' -X PATCH -H "Authorization: Bearer $patient" -H 'If-Match: "1"' \
    -H 'Content-Type: application/json' -d "{\"starts_at\":\"$later\"}" "$API/appointments/$appointment_id" 2>/dev/null) || true
[ "$moved" = 200 ] || fail "rescheduling answered $moved"
show "now at $later (If-Match \"1\" accepted; version 2)"
stale=$(curl -s -m 300 -o /dev/null -w '%{http_code}' -X PATCH -H "Authorization: Bearer $patient" -H 'If-Match: "1"' \
    -H 'Content-Type: application/json' -d '{"reason":"x"}' "$API/appointments/$appointment_id") || true
[ "$stale" = 412 ] || fail "a stale If-Match answered $stale, expected 412"
show "a second change with the old ETag is refused: 412"
within 120 "the reschedule email" mail_arrived "$patient_email" "Your appointment has moved"

say "The patient cancels"
cancelled=$(request 200 POST "/appointments/$appointment_id/cancel" "$patient" '{"reason":"Feeling better"}')
show "status $(field "$cancelled" status)"
within 120 "the cancellation email to the doctor" mail_arrived "$doctor_email" "Your appointment is cancelled"
show "both were told by email"

say "The doctor takes a day off: the patient sees no free slot that day, and cannot book it"
day_off=$(python3 -c 'import datetime; print((datetime.date.today() + datetime.timedelta(days=3)).isoformat())')
after_day_off=$(python3 -c 'import datetime,sys; print((datetime.date.fromisoformat(sys.argv[1]) + datetime.timedelta(days=1)).isoformat())' "$day_off")
doctor_token=$(token "$doctor_email" demo-password-1)
request 201 POST "/doctors/$doctor_id/time-off" "$doctor_token" \
    "{\"starts_at\":\"${day_off}T00:00:00Z\",\"ends_at\":\"${after_day_off}T00:00:00Z\",\"note\":\"Conference\"}" >/dev/null
free=$(request 200 GET "/doctors/$doctor_id/availability?date=$day_off" "$patient" |
    python3 -c 'import json,sys; print(len(json.load(sys.stdin)["days"][0]["slots"]))')
[ "$free" = 0 ] || fail "the day off still offers $free free slots"
away=$(request 409 POST /appointments "$patient" "{\"doctor_id\":\"$doctor_id\",\"starts_at\":\"${day_off}T10:00:00Z\",\"reason\":\"Check-up\"}")
show "$day_off: no free slot; booking it: 409 $(field "$away" type)"

say "The admin reads the clinic's figures"
shows_cancelled() {
    curl -sf -m 300 -H "Authorization: Bearer $admin" "$API/analytics/summary" |
        ID="$appointment_id" python3 -c 'import json,os,sys; s=json.load(sys.stdin); sys.exit(0 if any(a["id"]==os.environ["ID"] and a["status"]=="cancelled" for a in s["latest"]) else 1)'
}
within 120 "analytics counting the cancellation" shows_cancelled
summary=$(request 200 GET /analytics/summary "$admin")
python3 -c '
import json, sys
s = json.loads(sys.argv[1])
print("   appointments:", s["total_appointments"], " by status:", {c["label"]: c["count"] for c in s["by_status"]})
print("   registrations by role:", {c["label"]: c["count"] for c in s["registrations_by_role"]})' "$summary"

printf '\n\033[32mThe demo ran as told: %d steps.\033[0m\n' "$step"
