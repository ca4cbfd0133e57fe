#!/usr/bin/env bash
# `make build`: every handler of functions/* as an arm64 Lambda zip (target/lambda/<handler>/
# bootstrap.zip), built with `cargo lambda build --release --arm64`, their sizes listed, and a
# failure when one is over 5 MB. Installs what it needs: the aarch64 Rust target (rustup),
# cargo-lambda and zig (pip packages, in the stack's virtualenv).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
LIMIT=$((5 * 1024 * 1024))
ZIG_VERSION=0.13.0

say() { printf '[build] %s\n' "$*"; }
fail() { printf '[build] FAILED: %s\n' "$*" >&2; exit 1; }

"$ROOT/localstack/stack.sh" tools
eval "$("$ROOT/localstack/stack.sh" env)"
command -v cargo-lambda >/dev/null || fail "cargo-lambda is missing; run localstack/stack.sh tools"
if ! python3 -c 'import ziglang' 2>/dev/null; then
    say "installing zig $ZIG_VERSION (pip package ziglang), which cargo lambda cross-compiles with"
    pip install --quiet "ziglang==$ZIG_VERSION" || fail "cannot install zig: pip install ziglang==$ZIG_VERSION"
fi
if ! rustup target list --installed | grep -qx aarch64-unknown-linux-gnu; then
    say "adding the Rust target aarch64-unknown-linux-gnu"
    rustup target add aarch64-unknown-linux-gnu || fail "cannot add the target: rustup target add aarch64-unknown-linux-gnu"
fi

# librdkafka's bundled build includes curl/curl.h even without its curl features, and zig has
# no such header for the target (librdkafka issue 5135): an empty one is enough.
stub="$TARGET_DIR/lambda-include"
mkdir -p "$stub/curl"
: >"$stub/curl/curl.h"
export CFLAGS_aarch64_unknown_linux_gnu="-I$stub"

# KAFKA_TLS=1: handlers with TLS and SASL to Kafka (stacks with KafkaAuthentication set), as
# make deploy builds them then; a static OpenSSL makes each zip about 2.3 MB larger.
if [ "${KAFKA_TLS:-0}" = 1 ]; then
    export CARGO_LAMBDA_GLOBAL="$ROOT/infra/kafka-tls.toml"
    LIMIT=$((10 * 1024 * 1024))
    say "with TLS and SASL to Kafka (the kafka-tls feature); the 5 MB target is for the default build"
fi

say "building every handler for arm64 (release: fat LTO, one codegen unit; this takes a while)"
(cd "$ROOT" && cargo lambda build --locked --release --arm64 --output-format zip \
    -p users -p appointments -p analytics -p notifications)

say "bootstrap.zip per function:"
over=0
for zip in "$TARGET_DIR"/lambda/*/bootstrap.zip; do
    size=$(stat -c %s "$zip")
    printf '  %-28s %s\n' "$(basename "$(dirname "$zip")")" "$(awk -v s="$size" 'BEGIN { printf "%6.2f MB", s / 1048576 }')"
    if [ "$size" -gt "$LIMIT" ]; then over=$((over + 1)); fi
done
[ "$over" -eq 0 ] || fail "$over zip(s) over $((LIMIT / 1048576)) MB"
say "all under $((LIMIT / 1048576)) MB"
