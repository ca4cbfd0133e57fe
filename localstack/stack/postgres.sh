# shellcheck shell=bash
# Sourced by localstack/stack.sh: PostgreSQL, a cluster of the project's own (Debian's
# pg_createcluster), or whatever already answers at DATABASE_URL.

PG_PORT=${CAREBOOK_PG_PORT:-55432}
PG_CLUSTER=carebook
DATABASE_URL=${DATABASE_URL:-postgres://carebook:carebook@127.0.0.1:$PG_PORT/carebook}

pg_version() { find /usr/lib/postgresql -mindepth 1 -maxdepth 1 -printf '%f\n' 2>/dev/null | sort -V | tail -n 1; }

pg_answers() { psql "$DATABASE_URL" -Atqc 'select 1' >/dev/null 2>&1; }

pg_as_superuser() { runuser -u postgres -- psql -p "$PG_PORT" -h /var/run/postgresql -v ON_ERROR_STOP=1 -Atq "$@"; }

# Each test makes its own database (carebook_testkit::TestDatabase); drop those earlier runs
# left behind, once they are an hour old so a run in progress keeps its own. Only on the
# project's own cluster, where this script may act as the postgres superuser.
drop_old_test_databases() {
    pg_lsclusters -h 2>/dev/null | awk -v c="$PG_CLUSTER" '$2 == c && $4 == "online" { found = 1 } END { exit !found }' || return 0
    # DROP DATABASE runs outside any function or transaction: psql's \gexec runs each line alone.
    pg_as_superuser -d carebook <<'SQL' >>"$STATE/postgres-init.log" 2>&1 || say "postgres: could not drop old test databases (see $STATE/postgres-init.log)"
select format('drop database %I with (force)', datname) from pg_database
 where datname like 'carebook\_test\_%'
   and (pg_stat_file('base/' || oid || '/PG_VERSION')).modification < now() - interval '1 hour'
\gexec
SQL
}

own_cluster_exists() {
    command -v pg_lsclusters >/dev/null &&
        pg_lsclusters -h | awk -v c="$PG_CLUSTER" '$2 == c { found = 1 } END { exit !found }'
}

# A development and test cluster: loopback only, and durability traded for speed.
# pg_stat_statements counts the statements (round trips) of each request for `make bench`.
# A running cluster is restarted when these settings changed.
pg_settings() {
    local version=$1 conf wanted
    conf=/etc/postgresql/$version/$PG_CLUSTER/conf.d/carebook.conf
    wanted="listen_addresses = '127.0.0.1'
max_connections = 200
fsync = off
synchronous_commit = off
full_page_writes = off
shared_preload_libraries = 'pg_stat_statements'"
    [ "$(cat "$conf" 2>/dev/null)" = "$wanted" ] && return 0
    printf '%s\n' "$wanted" >"$conf"
    if pg_lsclusters -h | awk -v c="$PG_CLUSTER" '$2 == c && $4 == "online" { found = 1 } END { exit !found }'; then
        say "postgres: restarting cluster $version/$PG_CLUSTER for its new settings"
        pg_ctlcluster "$version" "$PG_CLUSTER" restart >"$STATE/postgres-start.log" 2>&1 ||
            fail "postgres: pg_ctlcluster restart failed; see /var/log/postgresql/postgresql-$version-$PG_CLUSTER.log"
    fi
}

postgres_up() {
    if command -v psql >/dev/null && pg_answers && ! own_cluster_exists; then
        say "postgres: answering at ${DATABASE_URL##*@}"
        drop_old_test_databases
        return 0
    fi
    case "$DATABASE_URL" in
    *@127.0.0.1:"$PG_PORT"/* | *@localhost:"$PG_PORT"/*) ;;
    *) fail "postgres: DATABASE_URL points at ${DATABASE_URL##*@}, which does not answer; start it, or unset DATABASE_URL to use the project's own cluster" ;;
    esac
    command -v pg_createcluster >/dev/null || apt_install postgresql
    local version log
    version=$(pg_version)
    [ -n "$version" ] || fail "postgres: no PostgreSQL server under /usr/lib/postgresql after installing"
    log=/var/log/postgresql/postgresql-$version-$PG_CLUSTER.log
    if ! own_cluster_exists; then
        say "postgres: creating cluster $version/$PG_CLUSTER on port $PG_PORT"
        pg_createcluster "$version" "$PG_CLUSTER" --port "$PG_PORT" --start-conf manual \
            -- --auth-local=peer --auth-host=scram-sha-256 >"$STATE/postgres-create.log" 2>&1 ||
            { log_tail "$STATE/postgres-create.log"; fail "postgres: pg_createcluster failed; see $STATE/postgres-create.log"; }
    fi
    pg_settings "$version"
    if ! pg_lsclusters -h | awk -v c="$PG_CLUSTER" '$2 == c && $4 == "online" { found = 1 } END { exit !found }'; then
        port_taken "$PG_PORT" && fail "postgres: port $PG_PORT is taken by something else ($(ss -Hltnp "sport = :$PG_PORT" | head -n 1))"
        say "postgres: starting cluster $version/$PG_CLUSTER on 127.0.0.1:$PG_PORT"
        pg_ctlcluster "$version" "$PG_CLUSTER" start >"$STATE/postgres-start.log" 2>&1 ||
            { log_tail "$log"; fail "postgres: pg_ctlcluster start failed; see $log"; }
        echo "$version" >"$STATE/postgres.cluster"
        record_started postgres
    fi
    wait_until postgres 30 "$log" pg_isready -q -h 127.0.0.1 -p "$PG_PORT"
    # The carebook role may create databases: tests make one per test.
    pg_as_superuser <<'SQL' >"$STATE/postgres-init.log" 2>&1 || { log_tail "$STATE/postgres-init.log"; fail "postgres: creating the carebook role failed"; }
do $$ begin
  if not exists (select from pg_roles where rolname = 'carebook') then
    create role carebook login createdb password 'carebook';
  end if;
end $$;
SQL
    if [ -z "$(pg_as_superuser -c "select 1 from pg_database where datname = 'carebook'")" ]; then
        pg_as_superuser -c "create database carebook owner carebook" >/dev/null
    fi
    # The bench reads every database's statement counts from the carebook database.
    pg_as_superuser -d carebook <<'SQL' >>"$STATE/postgres-init.log" 2>&1 || { log_tail "$STATE/postgres-init.log"; fail "postgres: setting up pg_stat_statements failed"; }
create extension if not exists pg_stat_statements;
grant pg_read_all_stats to carebook;
SQL
    pg_answers || fail "postgres: the cluster runs but $DATABASE_URL does not connect; see $log"
    drop_old_test_databases
    say "postgres: ready at 127.0.0.1:$PG_PORT"
}

postgres_down() {
    [ -f "$STATE/postgres.cluster" ] || return 0
    say "postgres: stopping cluster $(cat "$STATE/postgres.cluster")/$PG_CLUSTER"
    pg_ctlcluster "$(cat "$STATE/postgres.cluster")" "$PG_CLUSTER" stop -m fast >/dev/null 2>&1 || true
    rm -f "$STATE/postgres.cluster"
}

postgres_status() {
    if [ -f "$STATE/postgres.cluster" ]; then echo "running, started here (cluster $(cat "$STATE/postgres.cluster")/$PG_CLUSTER, 127.0.0.1:$PG_PORT)"
    elif command -v psql >/dev/null && pg_answers; then echo "running, not started here (${DATABASE_URL##*@})"
    else echo "stopped"; fi
}
