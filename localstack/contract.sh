#!/usr/bin/env bash
# The HTTP API keeps its contract, against a running `make dev` at $1: the OpenAPI document
# (infra/openapi/openapi.yaml) is valid OpenAPI 3.1, and schemathesis sends every documented
# operation generated requests, as each role with a real Keycloak token, checking that no
# answer is a 5xx and that status codes, content types, headers and bodies are as documented.
# The roles are people of a test run's own (localstack/test_people.py): make smoke's, given in
# CAREBOOK_TEST_RUN and CAREBOOK_TEST_<ROLE>[_PASSWORD], or else this script's, taken away
# again at its end; they change only what the run made (localstack/contract_hooks.py).
# Reports: $STATE/contract/<role>/ (JUnit). Exits non-zero on any failure.
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
API=${1:?usage: contract.sh API-URL}
STATE=${CAREBOOK_STATE:-$ROOT/.stack}
DOCUMENT="$ROOT/infra/openapi/openapi.yaml"
ISSUER=${KEYCLOAK_ISSUER:-http://127.0.0.1:8080/realms/carebook}
# Examples per operation and role: enough to reach every documented status, small enough for
# make test (about a minute a role here).
EXAMPLES=${CONTRACT_EXAMPLES:-25}
eval "$("$ROOT/localstack/stack.sh" env)"

openapi-spec-validator "$DOCUMENT" || exit 1

if [ -z "${CAREBOOK_TEST_RUN:-}" ]; then
    people=$(python3 "$ROOT/localstack/test_people.py" begin "$STATE/contract-people") || exit 1
    eval "$people"
    trap 'python3 "$ROOT/localstack/test_people.py" end "$CAREBOOK_TEST_RUN" || exit 1' EXIT
fi
# PYTHONDONTWRITEBYTECODE: the hooks leave no __pycache__ in the checkout.
export SCHEMATHESIS_HOOKS="$ROOT/localstack/contract_hooks.py" CAREBOOK_TEST_RUN CONTRACT_API="$API" PYTHONDONTWRITEBYTECODE=1

token() {
    curl -sf -d grant_type=password -d client_id=carebook-cli -d username="$1" -d password="$2" \
        "$ISSUER/protocol/openid-connect/token" | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])'
}

failed=0
for role in patient doctor admin; do
    # Keycloak's access tokens live 5 minutes: a fresh one per role.
    person=CAREBOOK_TEST_${role^^}
    password=${person}_PASSWORD
    bearer=$(token "${!person}" "${!password}") || { echo "contract: no token for $role ${!person}" >&2; exit 1; }
    reports="$STATE/contract/$role"
    rm -rf "$reports"
    echo "contract: schemathesis as $role ${!person} ($EXAMPLES examples per operation)"
    # One worker: schemathesis's generator calls ast.parse (through Hypothesis), which is not
    # thread-safe on Python 3.11 (cpython#106905: a spurious "AST constructor recursion depth
    # mismatch" errored an operation); a role's run takes about 15 s either way.
    (cd "$STATE" && schemathesis --no-color run "$DOCUMENT" --url "$API" \
        --header "Authorization: Bearer $bearer" \
        --checks not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance \
        --max-examples "$EXAMPLES" --workers 1 --seed 1 --request-timeout 120 \
        --report junit --report-dir "$reports") >"$STATE/contract-$role.log" 2>&1 || {
        failed=1
        echo "contract: FAILED as $role; $STATE/contract-$role.log:"
        sed -n '/FAILURES/,$p' "$STATE/contract-$role.log" | head -n 80
    }
    grep -E "^ *(Selected|Tested):|generated|passed|failures" "$STATE/contract-$role.log" | sed "s/^/contract: $role: /"
done
exit "$failed"
