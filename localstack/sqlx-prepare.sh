#!/usr/bin/env bash
# The query data behind sqlx's compile-time checked statements (query!, query_as!,
# query_scalar!): each crate's .sqlx/ directory, which every build reads instead of a database
# (.cargo/config.toml sets SQLX_OFFLINE). `cargo sqlx prepare` writes it, one crate at a time,
# against a scratch database holding exactly that crate's schema: each service has a database of
# its own, and two of them have an `appointments` table with different columns.
#
#   localstack/sqlx-prepare.sh           rewrite each crate's .sqlx/; commit it with the SQL
#   localstack/sqlx-prepare.sh --check   fail when a .sqlx/ does not match the SQL and the
#                                        migrations, changing nothing (part of make test)
#
# Needs the local PostgreSQL (make stack-up) and sqlx-cli (make tools).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
case ${1:-} in
'') check=() ;;
--check) check=(--check) ;;
*)
    sed -n '2,12p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
    exit 2
    ;;
esac

say() { printf '[sqlx] %s\n' "$*"; }

cd "$ROOT"
eval "$(localstack/stack.sh env)"
command -v cargo-sqlx >/dev/null || { say "sqlx-cli is not installed: run make tools" >&2; exit 1; }
SERVER=${DATABASE_URL%/*}

# The crates with checked statements, each with its schema: a service's migrations as
# carebook-migrate applies them (outbox table included where the service has one), the outbox
# table's alone, or none (statements on the server's own views only). The outbox comes first:
# carebook-migrate and the crates that depend on it compile it from its .sqlx/.
CRATES=(
    "carebook-outbox shared/outbox outbox"
    "carebook-backends shared/backends none"
    "analytics functions/analytics service"
    "notifications functions/notifications service"
    "users functions/users service"
    "appointments functions/appointments service"
)

# The feature set of make workspace-tests, so the dependencies built there are reused.
CARGO_ARGS=(--locked --all-targets --features carebook-backends/kafka-tls)

# scratch_database URL CRATE SCHEMA: the database at URL made anew with CRATE's schema.
scratch_database() {
    local url=$1 crate=$2 schema=$3
    cargo sqlx database drop -y -D "$url" >/dev/null
    case $schema in
    service) env "${crate^^}_DATABASE_URL=$url" cargo run --locked --quiet -p carebook-migrate -- "$crate" >/dev/null ;;
    outbox) cargo sqlx database setup --source "$ROOT/shared/outbox/migrations" -D "$url" >/dev/null ;;
    none) cargo sqlx database create -D "$url" ;;
    esac
}

for entry in "${CRATES[@]}"; do
    read -r crate dir schema <<<"$entry"
    say "$crate ($dir)${check:+: checking .sqlx/}"
    url="$SERVER/carebook_sqlx_${crate//-/_}"
    scratch_database "$url" "$crate" "$schema"
    cd "$ROOT/$dir"
    # cargo sqlx prepare compiles the crate against its database, with SQLX_OFFLINE_DIR set for
    # the whole build: a dependency with statements of its own (the outbox) compiled in that
    # build would be checked against this database and its data added to this crate's .sqlx/.
    # Building the dependencies first, offline and with the same arguments, keeps them out. The
    # crate itself may fail here (its .sqlx/ is what is being made): prepare reports that.
    SQLX_OFFLINE=true cargo check --quiet --keep-going "${CARGO_ARGS[@]}" >/dev/null 2>&1 || true
    DATABASE_URL=$url cargo sqlx prepare "${check[@]}" -- "${CARGO_ARGS[@]}"
done
if [ ${#check[@]} -gt 0 ]; then
    say "every crate's .sqlx/ matches its SQL and migrations"
else
    say "every crate's .sqlx/ written; commit it with the SQL"
fi
