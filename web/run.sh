#!/usr/bin/env bash
# The web app's commands with its packages installed first (npm ci, only when
# package-lock.json changed): `web/run.sh test` (lint, format, types, Vitest), `web/run.sh build`
# (web/dist), `web/run.sh dev PORT` (Vite's dev server on 127.0.0.1:PORT, for make dev),
# `web/run.sh preview PORT` (the production bundle, compressed, for make bench).
set -euo pipefail

WEB=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

say() { printf '[web] %s\n' "$*"; }

node_ok() {
    command -v node >/dev/null && command -v npm >/dev/null || return 1
    # Vite 8 needs Node.js 20.19 or newer.
    node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)'
}
node_ok || { say "FAILED: the web app needs Node.js 20.19 or newer and npm (found: $(node --version 2>/dev/null || echo none))" >&2; exit 1; }

# npm writes node_modules/.package-lock.json on every install: older than the lock file means
# the packages changed since.
if [ ! -f "$WEB/node_modules/.package-lock.json" ] || [ "$WEB/package-lock.json" -nt "$WEB/node_modules/.package-lock.json" ]; then
    say "installing the web app's packages (npm ci)"
    (cd "$WEB" && npm ci --no-audit --no-fund --loglevel=error)
fi

cd "$WEB"
case "${1:-}" in
test)
    npm run --silent lint
    npm run --silent typecheck
    npm test --silent
    ;;
build) npm run --silent build ;;
dev) exec npm run --silent dev -- --port "${2:?usage: web/run.sh dev PORT}" ;;
preview)
    npm run --silent build
    exec npm run --silent preview -- --port "${2:?usage: web/run.sh preview PORT}"
    ;;
*) echo "usage: web/run.sh test|build|dev PORT|preview PORT" >&2; exit 2 ;;
esac
