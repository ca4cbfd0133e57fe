# shellcheck shell=bash
# Sourced by localstack/stack.sh: Jaeger, where every handler's spans go (OTLP/HTTP), built once
# per machine from the Go module proxy with the machine's Go (no other download works here).

JAEGER_VERSION=v1.75.0
JAEGER="$CACHE/tools/jaeger-$JAEGER_VERSION/jaeger"
JAEGER_UI_PORT=16686
JAEGER_URL=http://127.0.0.1:$JAEGER_UI_PORT
OTLP_ENDPOINT=http://127.0.0.1:4318

# github.com/jaegertracing/jaeger v1.75.0 is Jaeger v2's `cmd/jaeger` (an OpenTelemetry
# Collector distribution). Its module holds no built UI and no registry here serves one, so
# 16686 serves the query API with Jaeger's placeholder page, or the UI built from jaeger-ui's
# v1.75.0 source when JAEGER_UI_ASSETS names its build/ folder (README, "Traces").
ensure_jaeger() {
    [ -x "$JAEGER" ] && return 0
    # `go get -tool` and Jaeger's go.mod need Go 1.24 or newer; Debian's golang-go is older,
    # and this runs beside other installs, so a missing Go is reported, not installed.
    local go_version
    go_version=$(go env GOVERSION 2>/dev/null || true)
    [[ "$go_version" =~ ^go1\.(2[4-9]|[3-9][0-9]) ]] ||
        fail "jaeger: building Jaeger $JAEGER_VERSION needs Go 1.24 or newer on PATH (found: ${go_version:-none}); install it from go.dev or set GOTOOLCHAIN"
    local build="$CACHE/build/jaeger" log="$CACHE/build/jaeger-install.log"
    say "jaeger: building Jaeger $JAEGER_VERSION from the Go module proxy into $CACHE/tools (about 5 minutes, once per machine)"
    rm -rf "$build" && mkdir -p "$build" "$(dirname "$JAEGER")"
    (cd "$build" && go mod init carebook.local/jaeger &&
        go get -tool "github.com/jaegertracing/jaeger/cmd/jaeger@$JAEGER_VERSION" &&
        go build -trimpath -o "$JAEGER.partial" github.com/jaegertracing/jaeger/cmd/jaeger) >"$log" 2>&1 ||
        { log_tail "$log"; fail "jaeger: building github.com/jaegertracing/jaeger/cmd/jaeger@$JAEGER_VERSION failed; see $log"; }
    mv "$JAEGER.partial" "$JAEGER"
    rm -rf "$build"
}

jaeger_answers() { curl -sf -m 5 "$JAEGER_URL/api/services" >/dev/null; }

jaeger_up() {
    ensure_jaeger
    local state=0
    running jaeger "$JAEGER_UI_PORT" jaeger_answers "Jaeger" || state=$?
    if [ "$state" -eq 1 ]; then
        say "jaeger: starting at $JAEGER_URL (traces in memory, OTLP/HTTP in at $OTLP_ENDPOINT)"
        local ui=()
        [ -z "${JAEGER_UI_ASSETS:-}" ] || ui=(--set "extensions::jaeger_query::ui::assets_path=$JAEGER_UI_ASSETS")
        start_process jaeger "$STATE/jaeger.log" "$JAEGER" --config "$ROOT/localstack/jaeger/config.yaml" "${ui[@]}"
        wait_until jaeger 60 "$STATE/jaeger.log" jaeger_answers
    fi
    say "jaeger: ready, traces at $JAEGER_URL/api/traces?service=book-appointment"
}

jaeger_down() { stop_process jaeger; }

jaeger_status() { process_status jaeger "$JAEGER_UI_PORT"; }
