# shellcheck shell=bash
# Sourced by localstack/stack.sh: moto, the AWS API emulator (SES), from the tools' virtualenv.

MOTO_PORT=5000
AWS_ENDPOINT_URL=http://127.0.0.1:$MOTO_PORT

moto_answers() { curl -sf -m 5 "$AWS_ENDPOINT_URL/moto-api/data.json" >/dev/null; }

moto_up() {
    ensure_python_tools
    local state=0
    running moto "$MOTO_PORT" moto_answers "moto" || state=$?
    if [ "$state" -eq 1 ]; then
        say "moto: starting the AWS API emulator at $AWS_ENDPOINT_URL"
        start_process moto "$STATE/moto.log" "$VENV/bin/moto_server" -H 127.0.0.1 -p "$MOTO_PORT"
        wait_until moto 60 "$STATE/moto.log" moto_answers
    fi
    # moto keeps its state in memory: verify the SES sender on every start.
    (eval "$(print_env)" && "$VENV/bin/python" "$ROOT/localstack/init_aws.py") >"$STATE/aws-init.log" 2>&1 ||
        { log_tail "$STATE/aws-init.log"; fail "moto: verifying the SES sender failed; see $STATE/aws-init.log"; }
    say "moto: ready, $(tail -n 1 "$STATE/aws-init.log")"
}

moto_down() { stop_process moto; }

moto_status() { process_status moto "$MOTO_PORT"; }
