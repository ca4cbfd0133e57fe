#!/usr/bin/env bash
# make bench's web figures: `make dev` with the production bundle (WEB_MODE=preview, served
# compressed), then bench/web/lighthouse.mjs against it; writes bench/results/web-results.json.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
STATE=${CAREBOOK_STATE:-$ROOT/.stack}
# Its own API port; Keycloak lets carebook-web return only to port 5173.
export WATCH_PORT=${BENCH_WATCH_PORT:-9200} WEB_PORT=5173 WEB_MODE=preview WATCH_RELOAD=0
LOG="$STATE/bench-web.log"

say() { printf '[bench] %s\n' "$*"; }

cd "$ROOT/bench/web"
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    say "installing Lighthouse (npm ci)"
    npm ci --no-audit --no-fund --loglevel=error
fi

mkdir -p "$STATE"
setsid "$ROOT/localstack/dev.sh" >"$LOG" 2>&1 </dev/null &
dev_pid=$!
trap 'kill -TERM "$dev_pid" 2>/dev/null; wait "$dev_pid" 2>/dev/null || true' EXIT
deadline=$((SECONDS + 1200))
until grep -q '^Carebook is running' "$LOG"; do
    kill -0 "$dev_pid" 2>/dev/null || { tail -n 30 "$LOG"; say "FAILED: make dev exited ($LOG)" >&2; exit 1; }
    ((SECONDS < deadline)) || { say "FAILED: make dev did not start within 1200 s ($LOG)" >&2; exit 1; }
    sleep 1
done
say "Lighthouse on the sign-in landing and the booking page"
node lighthouse.mjs "http://127.0.0.1:$WEB_PORT" "$ROOT/bench/results/web-results.json"
