# shellcheck shell=bash
# Sourced by localstack/stack.sh: Apache Kafka in KRaft mode, one node, on jars fetched from
# Maven Central, with the event topics and their dead-letter topics.

# The newest Kafka release line Amazon MSK offers (4.1.x); localstack/docker-compose.yml runs
# the same version.
KAFKA_VERSION=4.1.2
KAFKA_HOME="$CACHE/kafka-$KAFKA_VERSION"
KAFKA_PORT=9092
KAFKA_CONTROLLER_PORT=9093
KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:$KAFKA_PORT
# The event topics, and a dead-letter topic per consumer and topic it reads (SPEC §5).
TOPICS=(appointment-events user-events
    user-events.appointments.dlq
    appointment-events.analytics.dlq user-events.analytics.dlq
    appointment-events.notifications.dlq user-events.notifications.dlq)

ensure_kafka() {
    ensure_java
    [ -f "$KAFKA_HOME/.complete" ] && return 0
    say "kafka: fetching Apache Kafka $KAFKA_VERSION's jars from Maven Central into $KAFKA_HOME (once per machine)"
    rm -rf "$KAFKA_HOME"
    maven "$CACHE/kafka-fetch.log" -f "$ROOT/localstack/kafka/pom.xml" \
        -Dkafka.version="$KAFKA_VERSION" dependency:copy-dependencies \
        -DincludeScope=runtime -DoutputDirectory="$KAFKA_HOME/libs" ||
        { log_tail "$CACHE/kafka-fetch.log"; fail "kafka: Maven could not fetch org.apache.kafka:kafka_2.13:$KAFKA_VERSION and its dependencies; see $CACHE/kafka-fetch.log"; }
    touch "$KAFKA_HOME/.complete"
}

# kafka_java LOG CLASS ARGS...: one of Kafka's Java programs on the cached jars.
kafka_java() {
    local log=$1
    shift
    timeout 60 "$(java_bin)" -Xmx256m -Dlog4j2.configurationFile="$ROOT/localstack/kafka/log4j2.properties" \
        -cp "$KAFKA_HOME/libs/*" "$@" >"$log" 2>&1
}

# kafka_topics LOG ARGS...: kafka-topics against the stack's broker.
kafka_topics() {
    local log=$1
    shift
    kafka_java "$log" org.apache.kafka.tools.TopicCommand --bootstrap-server "$KAFKA_BOOTSTRAP_SERVERS" "$@"
}

kafka_answers() { kafka_topics /dev/null --list; }

# The event topics, and the dead-letter topics, as MSK clusters are set up: explicitly.
create_topics() {
    local topic existing missing=()
    kafka_topics "$STATE/kafka-topics.log" --list || { log_tail "$STATE/kafka-topics.log"; fail "kafka: listing topics failed; see $STATE/kafka-topics.log"; }
    existing=$(cat "$STATE/kafka-topics.log")
    for topic in "${TOPICS[@]}"; do
        grep -qxF "$topic" <<<"$existing" || missing+=("$topic")
    done
    for topic in "${missing[@]}"; do
        kafka_topics "$STATE/kafka-topics.log" --create --if-not-exists --topic "$topic" --partitions 3 --replication-factor 1 ||
            { log_tail "$STATE/kafka-topics.log"; fail "kafka: creating topic $topic failed; see $STATE/kafka-topics.log"; }
    done
}

# The project's node settings with this checkout's data folder (later keys win).
write_kafka_properties() {
    { cat "$ROOT/localstack/kafka/server.properties" && echo "log.dirs=$STATE/kafka"; } >"$STATE/kafka.properties"
}

# KRaft keeps its metadata in the data folder, which must be formatted once with a cluster id.
format_kafka_storage() {
    [ -f "$STATE/kafka/meta.properties" ] && return 0
    say "kafka: formatting its storage in $STATE/kafka"
    local cluster_id
    cluster_id=$("$(java_bin)" -cp "$KAFKA_HOME/libs/*" kafka.tools.StorageTool random-uuid 2>"$STATE/kafka-format.log") &&
        kafka_java "$STATE/kafka-format.log" kafka.tools.StorageTool format -t "$cluster_id" -c "$STATE/kafka.properties" ||
        { log_tail "$STATE/kafka-format.log"; fail "kafka: formatting the storage failed; see $STATE/kafka-format.log"; }
}

kafka_up() {
    ensure_kafka
    local state=0
    running kafka "$KAFKA_PORT" kafka_answers "a Kafka broker" || state=$?
    if [ "$state" -eq 1 ]; then
        port_taken "$KAFKA_CONTROLLER_PORT" &&
            fail "kafka: the controller port $KAFKA_CONTROLLER_PORT is taken ($(ss -Hltnp "sport = :$KAFKA_CONTROLLER_PORT" | head -n 1))"
        write_kafka_properties
        format_kafka_storage
        say "kafka: starting Apache Kafka $KAFKA_VERSION (KRaft, one node) at $KAFKA_BOOTSTRAP_SERVERS"
        start_process kafka "$STATE/kafka.log" "$(java_bin)" -Xms256m -Xmx512m \
            -Dlog4j2.configurationFile="$ROOT/localstack/kafka/log4j2.properties" \
            -cp "$KAFKA_HOME/libs/*" kafka.Kafka "$STATE/kafka.properties"
        wait_until kafka 90 "$STATE/kafka.log" port_taken "$KAFKA_PORT"
    fi
    create_topics
    say "kafka: ready, topics ${TOPICS[*]:0:2} and their dead-letter topics"
}

kafka_down() { stop_process kafka; }

kafka_status() { process_status kafka "$KAFKA_PORT"; }
