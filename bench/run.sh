#!/usr/bin/env bash
# make bench: every figure of SPEC §9 beside its floor, measured in one run against the native
# stack; writes report.md, results.json, web-results.json and the histograms' PNGs into
# bench/results/. Never part of make test.
set -euo pipefail
cd "$(dirname "$0")/.."

localstack/stack.sh up
eval "$(localstack/stack.sh env)"
# The histograms' text is drawn with DejaVu Sans.
font=/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf
if [ ! -f "$font" ]; then
    echo "[bench] installing fonts-dejavu-core for the histograms"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q fonts-dejavu-core >/dev/null
fi
# `bench/run.sh tracing`: tracing's section alone, printed, in minutes instead of an hour.
if [ "${1:-}" = tracing ]; then
    cargo build --locked --profile bench-host --quiet -p appointments -p carebook-bench --bin book-appointment --bin carebook-bench
    exec target/bench-host/carebook-bench tracing
fi
echo "[bench] building the arm64 zips (for their sizes) and the host handlers (to run them)"
infra/build.sh
cargo build --locked --profile bench-host --quiet -p users -p appointments -p analytics -p notifications -p carebook-bench --bins
mkdir -p bench/results
echo "[bench] the web app: initial JavaScript and Lighthouse scores (bench/web)"
bench/web/run.sh
target/bench-host/carebook-bench
