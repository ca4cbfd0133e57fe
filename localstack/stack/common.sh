# shellcheck shell=bash
# Sourced by localstack/stack.sh: messages, failure (stopping what this run started), waiting
# for readiness, and the processes this checkout starts and stops. Component files define
# <component>_up, _down and _status; stack.sh calls them by name.

# shellcheck source=localstack/process.sh
. "$ROOT/localstack/process.sh"

STARTED=() # components this invocation started, stopped again if a later one fails

say() { printf '[stack] %s\n' "$*"; }

fail() {
    printf '[stack] FAILED: %s\n' "$*" >&2
    local i
    for ((i = ${#STARTED[@]} - 1; i >= 0; i--)); do
        say "stopping ${STARTED[i]}, started by this run, so nothing is left half-started"
        "${STARTED[i]}_down" || true
    done
    exit 1
}

# The last lines of a component's log, for failure messages.
log_tail() { [ -f "$1" ] && tail -n 15 "$1" | sed 's/^/    | /' >&2 || true; }

port_taken() { ss -Hltn "sport = :$1" 2>/dev/null | grep -q .; }

pid_alive() {
    local pidfile="$STATE/$1.pid"
    [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null
}

# wait_until COMPONENT SECONDS LOG COMMAND...: poll COMMAND until it succeeds.
wait_until() {
    local name=$1 seconds=$2 log=$3 deadline
    shift 3
    deadline=$((SECONDS + seconds))
    until "$@" >/dev/null 2>&1; do
        if [ -f "$STATE/$name.pid" ] && ! pid_alive "$name"; then
            log_tail "$log"
            fail "$name exited during start-up; see $log"
        fi
        if ((SECONDS >= deadline)); then
            log_tail "$log"
            fail "$name did not become ready within ${seconds}s; see $log"
        fi
        sleep 0.3
    done
}

# running NAME PORT CHECK WHAT: whether NAME runs already. 0: this checkout started it; 2:
# something else answering on PORT as WHAT (CHECK), which is used and never stopped; 1: nothing
# listens, start it. Fails when PORT is held by something that is not WHAT.
running() {
    local name=$1 port=$2 check=$3 what=$4
    if pid_alive "$name"; then
        say "$name: running (pid $(cat "$STATE/$name.pid"))"
        return 0
    fi
    port_taken "$port" || return 1
    "$check" || fail "$name: port $port is taken by something that is not $what ($(ss -Hltnp "sport = :$port" | head -n 1))"
    say "$name: $what already answers on port $port; using it"
    return 2
}

# start_process NAME LOG COMMAND...: run COMMAND in its own process group, from the state folder.
start_process() {
    local name=$1 log=$2
    shift 2
    (cd "$STATE" && exec setsid "$@" >"$log" 2>&1 </dev/null) &
    echo $! >"$STATE/$name.pid"
    record_started "$name"
}

# What this run started: stopped again if a later component fails, and told to `dev.sh`.
record_started() {
    STARTED+=("$1")
    [ -z "${STACK_STARTED_FILE:-}" ] || echo "$1" >>"$STACK_STARTED_FILE"
}

stop_process() {
    local pidfile="$STATE/$1.pid"
    [ -f "$pidfile" ] || return 0
    stop_group "$(cat "$pidfile")" "$1"
    rm -f "$pidfile"
}

apt_install() {
    say "installing Debian packages: $*"
    if [ "$(id -u)" -ne 0 ]; then
        fail "installing $* needs root; run: sudo apt-get install -y $*"
    fi
    { DEBIAN_FRONTEND=noninteractive apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@"; } \
        >"$STATE/apt.log" 2>&1 || { log_tail "$STATE/apt.log"; fail "apt-get install $* failed; see $STATE/apt.log"; }
}

# process_status NAME PORT: a component run as a process of its own (not PostgreSQL's cluster).
process_status() {
    local name=$1 port=$2
    if pid_alive "$name"; then echo "running, started here (pid $(cat "$STATE/$name.pid"), port $port)"
    elif port_taken "$port"; then echo "running, not started here (port $port)"
    else echo "stopped"; fi
}
