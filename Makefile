# Carebook: `make dev` runs the system locally, `make test` runs every test.
# Both install what they need (see localstack/stack.sh); no Docker engine required.

SHELL := /bin/bash
STACK := localstack/stack.sh

.PHONY: dev demo build web-build web-test bench check-deploy deploy test stack-up stack-down stack-status tools lint smoke workspace-tests fuzz-smoke fuzz dlq-list dlq-replay

## dev: local stack + every handler behind cargo lambda watch on http://127.0.0.1:9000
dev:
	@localstack/dev.sh

## demo: the story of Carebook, narrated, against a running `make dev` (in another terminal)
demo:
	@localstack/demo.sh

## build: every handler as an arm64 Lambda zip (target/lambda/<handler>/bootstrap.zip), sizes listed, and the web app's bundle (web/dist)
build: web-build
	@infra/build.sh

## web-build: the web app's production bundle in web/dist (typed against shared/openapi/openapi.yaml)
web-build:
	@localstack/web.sh build

## web-test: the web app's ESLint, Prettier, TypeScript (strict) and Vitest
web-test:
	@localstack/web.sh test

## bench: SPEC §9's figures beside their floors, one run: bench/report.md, results.json, *.png
bench:
	@bench/run.sh

## check-deploy: cfn-lint and sam validate --lint on infra/template.yaml, docker-compose config
check-deploy:
	@infra/check.sh

## deploy: sam build and sam deploy; PARAMETERS="KeycloakIssuer=... MskClusterArn=..." (README)
deploy:
	@infra/deploy.sh

## test: install and start the stack, check formatting and lints, run every test
test: tools lint web-test check-deploy smoke stack-up workspace-tests fuzz-smoke build

tools:
	@$(STACK) tools

lint:
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets -- -D warnings
	cargo clippy -p carebook-outbox --all-targets --features kafka-tls -- -D warnings

# make dev end to end on its own port: up, a real token through cargo lambda watch, down.
smoke:
	@localstack/smoke-dev.sh

# With TLS and SASL built in, so the SCRAM tests run against a broker that demands them.
# cargo-nextest (installed by `make tools`) runs every test in a process of its own, in parallel.
workspace-tests:
	@eval "$$($(STACK) env)"; cargo nextest run --workspace --no-fail-fast --features carebook-outbox/kafka-tls

## fuzz-smoke: each cargo fuzz target (token, cloudevent, msk_event) for 15 s; part of make test
fuzz-smoke:
	@fuzz/run.sh smoke 15

## fuzz: one target, long: make fuzz TARGET=token SECONDS=3600
fuzz:
	@fuzz/run.sh run $(TARGET) $(or $(SECONDS),3600)

stack-up:
	@$(STACK) up

stack-down:
	@$(STACK) down

stack-status:
	@$(STACK) status

## dlq-list TOPIC=<topic>.<consumer>.dlq: print the dead letters of a topic, one JSON line each
dlq-list:
	@eval "$$($(STACK) env)"; cargo run --quiet -p carebook-event-source --bin dead-letters -- list "$(TOPIC)"

## dlq-replay TOPIC=<topic>.<consumer>.dlq: put dead letters back on the topic they came from
dlq-replay:
	@eval "$$($(STACK) env)"; cargo run --quiet -p carebook-event-source --bin dead-letters -- replay "$(TOPIC)"
