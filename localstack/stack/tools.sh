# shellcheck shell=bash
# Sourced by localstack/stack.sh: the tools every component needs, installed once per machine
# into $CACHE. Kafka's jars and Keycloak's distribution are fetched by kafka.sh and keycloak.sh.

M2_REPO="$CACHE/m2"
VENV="$CACHE/venv"
PYTHON_TOOLS="moto[server]==5.2.5 cargo-lambda==1.9.2 schemathesis==4.32.5 openapi-spec-validator==0.9.0"
NEXTEST_VERSION=0.9.151
NEXTEST="$CACHE/tools/cargo-nextest-$NEXTEST_VERSION/bin/cargo-nextest"
# The same version as Cargo.lock's sqlx, whose macros read the query data sqlx-cli writes.
SQLX_CLI_VERSION=0.8.6
SQLX_CLI="$CACHE/tools/sqlx-cli-$SQLX_CLI_VERSION/bin/cargo-sqlx"

ensure_base_tools() {
    local missing=()
    command -v curl >/dev/null || missing+=(curl)
    command -v ss >/dev/null || missing+=(iproute2)
    command -v setsid >/dev/null || missing+=(util-linux)
    # rdkafka builds its bundled librdkafka with CMake, and librdkafka includes curl/curl.h even
    # without curl (librdkafka issue 5135); infra/build.sh stubs it for the arm64 build.
    command -v cmake >/dev/null || missing+=(cmake)
    [ -e /usr/include/x86_64-linux-gnu/curl/curl.h ] || [ -e /usr/include/curl/curl.h ] || missing+=(libcurl4-openssl-dev)
    # The web app's end-to-end tests drive Debian's Chromium (Playwright cannot download its own).
    command -v chromium >/dev/null || missing+=(chromium)
    [ ${#missing[@]} -eq 0 ] || apt_install "${missing[@]}"
}

# The JDK Kafka and Keycloak run on: $JAVA_HOME's, or the one on PATH; both need 17 or newer.
java_bin() { if [ -n "${JAVA_HOME:-}" ]; then echo "$JAVA_HOME/bin/java"; else command -v java || true; fi; }

JAVA_CHECKED=
ensure_java() {
    [ -z "$JAVA_CHECKED" ] || return 0
    local java version where=${JAVA_HOME:+$JAVA_HOME/bin/java}
    java=$(java_bin)
    [ -n "$java" ] && [ -x "$java" ] ||
        fail "java: no JDK found (looked for ${where:-java on PATH}); Kafka and Keycloak need Java 17 or newer: apt-get install openjdk-17-jre-headless, or set JAVA_HOME"
    version=$("$java" -XshowSettings:properties -version 2>&1 | awk -F' = ' '/java.specification.version/ { print $2 }')
    [ "${version%%.*}" -ge 17 ] 2>/dev/null ||
        fail "java: $java is Java ${version:-of unknown version}; Kafka $KAFKA_VERSION and Keycloak $KEYCLOAK_VERSION need 17 or newer"
    JAVA_CHECKED=1
}

# maven LOG ARGS...: Maven in batch mode against the cache's own local repository.
maven() {
    local log=$1
    shift
    command -v mvn >/dev/null || apt_install maven
    mkdir -p "$CACHE"
    mvn -B -ntp -Dmaven.repo.local="$M2_REPO" "$@" >"$log" 2>&1
}

# cargo-nextest runs the workspace's tests, each in a process of its own, in parallel.
ensure_nextest() {
    [ -x "$NEXTEST" ] && return 0
    say "installing cargo-nextest $NEXTEST_VERSION into $CACHE/tools (compiled from crates.io, a few minutes, once per machine)"
    mkdir -p "$CACHE/build"
    CARGO_TARGET_DIR="$CACHE/build/nextest" cargo install cargo-nextest --version "$NEXTEST_VERSION" --locked \
        --root "$CACHE/tools/cargo-nextest-$NEXTEST_VERSION" >"$CACHE/build/nextest-install.log" 2>&1 ||
        { log_tail "$CACHE/build/nextest-install.log"; fail "installing cargo-nextest failed; see $CACHE/build/nextest-install.log"; }
    rm -rf "$CACHE/build/nextest"
}

# sqlx-cli's `cargo sqlx prepare` writes each crate's .sqlx/ query data (localstack/sqlx-prepare.sh).
ensure_sqlx_cli() {
    [ -x "$SQLX_CLI" ] && return 0
    say "installing sqlx-cli $SQLX_CLI_VERSION into $CACHE/tools (compiled from crates.io, a few minutes, once per machine)"
    mkdir -p "$CACHE/build"
    CARGO_TARGET_DIR="$CACHE/build/sqlx-cli" cargo install sqlx-cli --version "$SQLX_CLI_VERSION" --locked \
        --no-default-features --features postgres,rustls \
        --root "$CACHE/tools/sqlx-cli-$SQLX_CLI_VERSION" >"$CACHE/build/sqlx-cli-install.log" 2>&1 ||
        { log_tail "$CACHE/build/sqlx-cli-install.log"; fail "installing sqlx-cli failed; see $CACHE/build/sqlx-cli-install.log"; }
    rm -rf "$CACHE/build/sqlx-cli"
}

ensure_python_tools() {
    local marker="$VENV/.carebook-tools"
    [ -f "$marker" ] && [ "$(cat "$marker")" = "$PYTHON_TOOLS" ] && return 0
    say "installing $PYTHON_TOOLS into $VENV (once per machine)"
    mkdir -p "$CACHE"
    # shellcheck disable=SC2086 # the tool list is split on purpose
    { python3 -m venv "$VENV" && "$VENV/bin/pip" install -q $PYTHON_TOOLS; } >"$CACHE/python-tools.log" 2>&1 ||
        { log_tail "$CACHE/python-tools.log"; fail "installing the Python tools failed; see $CACHE/python-tools.log"; }
    echo "$PYTHON_TOOLS" >"$marker"
}

ensure_tools() {
    ensure_base_tools
    # On a new machine the two Rust tools and Jaeger compile for minutes while the downloads beside them
    # mostly wait on the network: both at once.
    local compiles=() pid failed=0
    ensure_nextest &
    compiles+=($!)
    ensure_sqlx_cli &
    compiles+=($!)
    ensure_jaeger &
    compiles+=($!)
    # A failed download or an interrupt stops them too: a rerun would start a second install
    # into the same build directory.
    trap 'for pid in "${compiles[@]}"; do pkill -TERM -P "$pid"; kill "$pid"; done 2>/dev/null' EXIT INT TERM
    ensure_kafka
    ensure_keycloak
    ensure_python_tools
    for pid in "${compiles[@]}"; do wait "$pid" || failed=1; done
    trap - EXIT INT TERM
    [ "$failed" = 0 ] || fail "installing cargo-nextest, sqlx-cli or Jaeger failed (logs in $CACHE/build/*-install.log)"
}
