# Process helpers shared by the local-stack scripts (sourced, not run).

# stop_group PID LABEL: stop PID's process group, politely first, forcibly after 10 seconds.
stop_group() {
    local pid=$1 label=$2
    kill -0 "$pid" 2>/dev/null || return 0
    printf '[stack] %s: stopping (pid %s)\n' "$label" "$pid"
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.2; done
    printf '[stack] %s: did not stop within 10s; killing it\n' "$label"
    kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
}
