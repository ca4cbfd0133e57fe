#!/usr/bin/env bash
# Carebook's local stack without Docker: PostgreSQL, Apache Kafka (KRaft), an AWS API emulator
# (moto), Keycloak and Jaeger, as native processes on loopback (SPEC §7).
#
#   localstack/stack.sh up [COMPONENT...]    start what is not running yet (idempotent)
#   localstack/stack.sh down [COMPONENT...]  stop what this checkout started, nothing else
#   localstack/stack.sh status               what runs, and whether this checkout started it
#   localstack/stack.sh env                  the environment handlers and tests need
#   localstack/stack.sh tools                install the cached tools only (Kafka, Keycloak, moto,
#                                            cargo-lambda, cargo-nextest, sqlx-cli, Jaeger)
#   localstack/stack.sh pytools              moto and cargo-lambda only (make dev with Docker)
#
# Components: postgres kafka moto keycloak jaeger. Tools are installed once per machine into
# ${XDG_CACHE_HOME:-$HOME/.cache}/carebook (Kafka's jars and Keycloak's distribution come from
# Maven Central and run on the machine's JDK); pids, logs and Kafka's data live in
# <checkout>/.stack, Keycloak's data in a `keycloak` database of the PostgreSQL cluster.
# A component already answering on its port is reused and left alone by `down`.
# Each component's settings and its <component>_up, _down and _status live in
# localstack/stack/<component>.sh; the tools they need in localstack/stack/tools.sh.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${CAREBOOK_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/carebook}
STATE=${CAREBOOK_STATE:-$ROOT/.stack}

COMPONENTS=(postgres kafka moto keycloak jaeger)

# shellcheck source=localstack/stack/common.sh
. "$ROOT/localstack/stack/common.sh"
# shellcheck source=localstack/stack/tools.sh
. "$ROOT/localstack/stack/tools.sh"
# shellcheck source=localstack/stack/postgres.sh
. "$ROOT/localstack/stack/postgres.sh"
# shellcheck source=localstack/stack/kafka.sh
. "$ROOT/localstack/stack/kafka.sh"
# shellcheck source=localstack/stack/moto.sh
. "$ROOT/localstack/stack/moto.sh"
# shellcheck source=localstack/stack/keycloak.sh
. "$ROOT/localstack/stack/keycloak.sh"
# shellcheck source=localstack/stack/jaeger.sh
. "$ROOT/localstack/stack/jaeger.sh"

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
# Every handler's spans go to the stack's Jaeger (the OpenTelemetry SDK's own variable).
export OTEL_EXPORTER_OTLP_ENDPOINT=$OTLP_ENDPOINT
export JAEGER_URL=$JAEGER_URL
# The users service's Admin API client, as localstack/keycloak/realm.json defines it (dev only).
export KEYCLOAK_ADMIN_CLIENT_SECRET=carebook-users-service-secret
export PATH=$VENV/bin:$(dirname "$NEXTEST"):$(dirname "$SQLX_CLI"):\$PATH
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
        for ((i = ${#names[@]} - 1; i >= 0; i--)); do "${names[i]}_down"; done
        say "stopped what this checkout started"
        ;;
    status)
        local name
        for name in "${COMPONENTS[@]}"; do printf '%-9s %s\n' "$name" "$("${name}_status")"; done
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
