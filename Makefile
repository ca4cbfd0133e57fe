# Carebook: `make dev` runs the system locally, `make test` runs every test.
# Both install what they need (see localstack/stack.sh); no Docker engine required.

SHELL := /bin/bash
STACK := localstack/stack.sh

.PHONY: dev demo build web-build web-test bench check-deploy deploy test tools lint smoke workspace-tests sqlx-prepare sqlx-check fuzz-smoke fuzz stack-up stack-down stack-status dlq-list dlq-replay help

## dev: local stack + every handler behind cargo lambda watch on http://127.0.0.1:9000
dev:
	@localstack/dev.sh

## demo: the story of Carebook, narrated, against a running `make dev` (in another terminal)
demo:
	@localstack/demo.sh

## build: every handler as an arm64 Lambda zip (target/lambda/<handler>/bootstrap.zip), sizes listed, and the web app's bundle (web/dist)
build: web-build
	@infra/build.sh

## web-build: the web app's production bundle in web/dist (typed against infra/openapi/openapi.yaml)
web-build:
	@web/run.sh build

## web-test: the web app's ESLint, Prettier, TypeScript (strict) and Vitest
web-test:
	@web/run.sh test

## bench: SPEC §9's figures beside their floors, one run: report.md, results.json, *.png in bench/results/
bench:
	@bench/run.sh

## check-deploy: cfn-lint and sam validate --lint on infra/template.yaml, docker-compose config
check-deploy:
	@infra/check.sh

## deploy: sam build and sam deploy; PARAMETERS="KeycloakIssuer=... MskClusterArn=..." (README)
deploy:
	@infra/deploy.sh

## test: install and start the stack, check formatting and lints, run every test
test: tools lint web-test check-deploy smoke stack-up workspace-tests sqlx-check fuzz-smoke build

## tools: install the cached tools (Kafka, Keycloak, moto, cargo-lambda, cargo-nextest, sqlx-cli, Jaeger); part of make test
tools:
	@$(STACK) tools

## lint: cargo fmt --check and cargo clippy -D warnings (also with kafka-tls); part of make test
lint:
	cargo fmt --all -- --check
	cargo clippy --locked --workspace --all-targets -- -D warnings
	cargo clippy --locked -p carebook-backends --all-targets --features kafka-tls -- -D warnings

## smoke: make dev end to end on its own port (localstack/smoke-dev.sh); part of make test
# Up, a real token through cargo lambda watch, the demo, the web journeys, the contract, down.
smoke:
	@localstack/smoke-dev.sh

## workspace-tests: every workspace test under cargo-nextest, against the running stack; part of make test
# With TLS and SASL built in, so the SCRAM tests run against a broker that demands them.
# cargo-nextest (installed by `make tools`) runs every test in a process of its own, in parallel.
workspace-tests:
	@eval "$$($(STACK) env)"; cargo nextest run --locked --workspace --no-fail-fast --features carebook-backends/kafka-tls

## sqlx-prepare: after changing SQL or migrations, rewrite each crate's .sqlx/ (the query data builds check statements against)
sqlx-prepare:
	@localstack/sqlx-prepare.sh

## sqlx-check: each crate's committed .sqlx/ matches its SQL and migrations; part of make test
sqlx-check:
	@localstack/sqlx-prepare.sh --check

## fuzz-smoke: each cargo fuzz target (token, cloudevent, msk_event) for 15 s; part of make test
fuzz-smoke:
	@fuzz/run.sh smoke 15

## fuzz: one target, long: make fuzz TARGET=token SECONDS=3600
fuzz:
	@fuzz/run.sh run $(TARGET) $(or $(SECONDS),3600)

## stack-up: start the local stack (PostgreSQL, Kafka, moto, Keycloak), what is not running yet
stack-up:
	@$(STACK) up

## stack-down: stop what this checkout's stack started, nothing else
stack-down:
	@$(STACK) down

## stack-status: what of the stack runs, and whether this checkout started it
stack-status:
	@$(STACK) status

## dlq-list: print the dead letters of TOPIC=<topic>.<consumer>.dlq, one JSON line each
dlq-list:
	@eval "$$($(STACK) env)"; cargo run --locked --quiet -p carebook-event-source --bin dead-letters -- list "$(TOPIC)"

## dlq-replay: put the dead letters of TOPIC=<topic>.<consumer>.dlq back on the topic they came from
dlq-replay:
	@eval "$$($(STACK) env)"; cargo run --locked --quiet -p carebook-event-source --bin dead-letters -- replay "$(TOPIC)"

## help: every target with its one line
help:
	@awk 'sub(/^## /, "") { i = index($$0, ": "); printf "  make %-16s %s\n", substr($$0, 1, i - 1), substr($$0, i + 2) }' $(firstword $(MAKEFILE_LIST))
