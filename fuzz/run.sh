#!/usr/bin/env bash
# Fuzzing with cargo fuzz (libFuzzer) on the machine's stable toolchain.
#   fuzz/run.sh smoke [SECONDS]          every target for SECONDS (default 15): `make fuzz-smoke`
#   fuzz/run.sh run TARGET [SECONDS]     one target, long (default 3600): `make fuzz TARGET=token`
# Targets: token, cloudevent, msk_event. Seeds are fuzz/seeds/<target>; what the fuzzer learns
# goes to fuzz/corpus/<target> (not committed); a crash leaves fuzz/artifacts/<target>/crash-*,
# which `cargo fuzz run <target> <file>` replays.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${CAREBOOK_CACHE:-$HOME/.cache/carebook}
VERSION=0.13.1
TOOLS="$CACHE/tools/cargo-fuzz-$VERSION"
TARGETS=(token cloudevent msk_event)

say() { printf '[fuzz] %s\n' "$*"; }

if [ ! -x "$TOOLS/bin/cargo-fuzz" ]; then
    say "installing cargo-fuzz $VERSION into $TOOLS (once per machine)"
    mkdir -p "$CACHE/build"
    CARGO_TARGET_DIR="$CACHE/build/cargo-fuzz" cargo install cargo-fuzz --version "$VERSION" \
        --locked --root "$TOOLS" >"$CACHE/build/cargo-fuzz-install.log" 2>&1 ||
        { tail -n 20 "$CACHE/build/cargo-fuzz-install.log"; say "installing cargo-fuzz failed"; exit 1; }
fi
export PATH="$TOOLS/bin:$PATH"
# libFuzzer's instrumentation flags are unstable options; the machine has only stable Rust.
export RUSTC_BOOTSTRAP=1
for target in "${TARGETS[@]}"; do mkdir -p "$ROOT/fuzz/corpus/$target"; done
# cargo fuzz has no --locked: resolving the fuzz workspace with it first fails loudly when
# fuzz/Cargo.lock is out of step with the crates it fuzzes, where the build would rewrite it.
cargo tree --locked --quiet --depth 0 --manifest-path "$ROOT/fuzz/Cargo.toml" >/dev/null ||
    { say "FAILED: fuzz/Cargo.lock is out of step; update it (cargo tree --manifest-path fuzz/Cargo.toml) and commit it"; exit 1; }

case "${1:-}" in
smoke)
    seconds=${2:-15}
    say "building the targets"
    (cd "$ROOT" && cargo fuzz build >/dev/null)
    for target in "${TARGETS[@]}"; do
        (cd "$ROOT" && cargo fuzz run "$target" "fuzz/corpus/$target" "fuzz/seeds/$target" -- \
            -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1) >"$ROOT/fuzz/$target.log" 2>&1 ||
            { tail -n 40 "$ROOT/fuzz/$target.log"; say "FAILED: $target (log: fuzz/$target.log)"; exit 1; }
        say "$target: $(grep -o 'stat::number_of_executed_units: [0-9]*' "$ROOT/fuzz/$target.log" | grep -o '[0-9]*$' || echo '?') inputs in ${seconds}s, no crash"
    done
    ;;
run)
    target=${2:?usage: fuzz/run.sh run TARGET [SECONDS]}
    seconds=${3:-3600}
    (cd "$ROOT" && cargo fuzz run "$target" "fuzz/corpus/$target" "fuzz/seeds/$target" -- \
        -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1)
    ;;
*)
    sed -n '2,7p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
    exit 2
    ;;
esac
