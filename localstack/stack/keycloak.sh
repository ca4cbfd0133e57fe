# shellcheck shell=bash
# Sourced by localstack/stack.sh: Keycloak with the carebook realm, its data in a database of
# the stack's PostgreSQL.

KEYCLOAK_VERSION=26.7.3
KEYCLOAK_HOME="$CACHE/keycloak-$KEYCLOAK_VERSION"
# Build-time options of Keycloak's server (kc.sh build), applied once to the cached copy.
KEYCLOAK_BUILD_OPTIONS="--db=postgres --health-enabled=true"
KEYCLOAK_PORT=8080
# Keycloak's management interface (health) defaults to 9000, where cargo lambda watch serves.
KEYCLOAK_MANAGEMENT_PORT=8081
KEYCLOAK_URL=http://127.0.0.1:$KEYCLOAK_PORT
KEYCLOAK_ISSUER=$KEYCLOAK_URL/realms/carebook
REALM_FILE=$ROOT/localstack/keycloak/realm.json
# The master realm's administrator, created on Keycloak's first start (development only; the
# compose file uses the same). Tests use it to make users and realms of their own.
KEYCLOAK_ADMIN_USER=admin
KEYCLOAK_ADMIN_PASSWORD=admin

ensure_keycloak() {
    ensure_java
    [ -f "$KEYCLOAK_HOME/.carebook-build" ] && [ "$(cat "$KEYCLOAK_HOME/.carebook-build")" = "$KEYCLOAK_BUILD_OPTIONS" ] && return 0
    if [ ! -x "$KEYCLOAK_HOME/bin/kc.sh" ]; then
        say "keycloak: fetching Keycloak $KEYCLOAK_VERSION from Maven Central into $KEYCLOAK_HOME (once per machine)"
        local download="$CACHE/download"
        rm -rf "$download" "$KEYCLOAK_HOME"
        maven "$CACHE/keycloak-fetch.log" -f "$ROOT/localstack/kafka/pom.xml" dependency:copy \
            -Dartifact="org.keycloak:keycloak-quarkus-dist:$KEYCLOAK_VERSION:zip" -DoutputDirectory="$download" ||
            { log_tail "$CACHE/keycloak-fetch.log"; fail "keycloak: Maven could not fetch org.keycloak:keycloak-quarkus-dist:$KEYCLOAK_VERSION:zip; see $CACHE/keycloak-fetch.log"; }
        command -v unzip >/dev/null || apt_install unzip
        unzip -q "$download/keycloak-quarkus-dist-$KEYCLOAK_VERSION.zip" -d "$download" &&
            mv "$download/keycloak-$KEYCLOAK_VERSION" "$KEYCLOAK_HOME" && rm -rf "$download" ||
            fail "keycloak: unpacking the distribution into $KEYCLOAK_HOME failed"
    fi
    say "keycloak: building the server for PostgreSQL (kc.sh build, once per machine)"
    # shellcheck disable=SC2086 # the options are split on purpose
    "$KEYCLOAK_HOME/bin/kc.sh" build $KEYCLOAK_BUILD_OPTIONS >"$CACHE/keycloak-build.log" 2>&1 ||
        { log_tail "$CACHE/keycloak-build.log"; fail "keycloak: kc.sh build failed; see $CACHE/keycloak-build.log"; }
    echo "$KEYCLOAK_BUILD_OPTIONS" >"$KEYCLOAK_HOME/.carebook-build"
}

realm_answers() {
    curl -sf -m 5 "$KEYCLOAK_URL/realms/$1/.well-known/openid-configuration" | grep -q "\"issuer\":\"$KEYCLOAK_URL/realms/$1\""
}

carebook_realm_answers() { realm_answers carebook; }

# Keycloak keeps its data in a database of our PostgreSQL, as a deployment keeps it in RDS.
create_keycloak_database() {
    [ -n "$(psql "$DATABASE_URL" -Atqc "select 1 from pg_database where datname = 'keycloak'")" ] && return 0
    psql "$DATABASE_URL" -qc 'create database keycloak' >"$STATE/keycloak-db.log" 2>&1 ||
        { log_tail "$STATE/keycloak-db.log"; fail "keycloak: creating its database failed; see $STATE/keycloak-db.log"; }
}

keycloak_up() {
    ensure_keycloak
    local state=0
    running keycloak "$KEYCLOAK_PORT" carebook_realm_answers "Keycloak with realm carebook" || state=$?
    # Another's Keycloak is used as it is: its realm is theirs to keep.
    [ "$state" -ne 2 ] || return 0
    if [ "$state" -eq 1 ]; then
        port_taken "$KEYCLOAK_MANAGEMENT_PORT" &&
            fail "keycloak: its management port $KEYCLOAK_MANAGEMENT_PORT is taken ($(ss -Hltnp "sport = :$KEYCLOAK_MANAGEMENT_PORT" | head -n 1))"
        pg_answers || fail "keycloak: PostgreSQL does not answer at ${DATABASE_URL##*@}; start it first (stack.sh up postgres keycloak)"
        create_keycloak_database
        local credentials=${DATABASE_URL#*://} server=${DATABASE_URL#*@}
        credentials=${credentials%%@*}
        server=${server%%/*}
        say "keycloak: starting Keycloak $KEYCLOAK_VERSION at $KEYCLOAK_URL (data in database keycloak)"
        # --cache=local: one node, no JGroups cluster listening beyond loopback.
        KC_DB_USERNAME=${credentials%%:*} KC_DB_PASSWORD=${credentials#*:} \
            KC_BOOTSTRAP_ADMIN_USERNAME=$KEYCLOAK_ADMIN_USER KC_BOOTSTRAP_ADMIN_PASSWORD=$KEYCLOAK_ADMIN_PASSWORD \
            JAVA_OPTS_KC_HEAP="-Xms64m -Xmx512m" \
            start_process keycloak "$STATE/keycloak.log" "$KEYCLOAK_HOME/bin/kc.sh" start --optimized \
            --cache=local --db-url="jdbc:postgresql://$server/keycloak" \
            --http-enabled=true --http-host=127.0.0.1 --http-port="$KEYCLOAK_PORT" \
            --hostname="$KEYCLOAK_URL" --http-management-port="$KEYCLOAK_MANAGEMENT_PORT"
        wait_until keycloak 180 "$STATE/keycloak.log" realm_answers master
    fi
    # The realm file is the one source of truth: imported when missing, imported again when
    # it changed since (the realm then loses what was added to it by hand).
    KEYCLOAK_ADMIN_USER=$KEYCLOAK_ADMIN_USER KEYCLOAK_ADMIN_PASSWORD=$KEYCLOAK_ADMIN_PASSWORD \
        python3 "$ROOT/localstack/keycloak/import_realm.py" "$KEYCLOAK_URL" "$REALM_FILE" >"$STATE/keycloak-import.log" 2>&1 ||
        { log_tail "$STATE/keycloak-import.log"; fail "keycloak: importing $REALM_FILE failed; see $STATE/keycloak-import.log and Keycloak's own reason in $STATE/keycloak.log"; }
    realm_answers carebook || fail "keycloak: realm carebook does not answer at $KEYCLOAK_ISSUER after its import; see $STATE/keycloak.log"
    say "keycloak: ready, $(tail -n 1 "$STATE/keycloak-import.log")"
}

keycloak_down() { stop_process keycloak; }

keycloak_status() { process_status keycloak "$KEYCLOAK_PORT"; }
