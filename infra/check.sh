#!/usr/bin/env bash
# Offline checks of what deploys (part of `make test`): the SAM template with cfn-lint and
# `sam validate --lint`, `make deploy`'s refusal without credentials, and the Docker Compose file
# with `docker-compose config`; none needs an AWS account or a Docker engine.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
REGION=${AWS_REGION:-eu-west-1}

say() { printf '[check] %s\n' "$*"; }
fail() { printf '[check] FAILED: %s\n' "$*" >&2; exit 1; }

# shellcheck source=infra/tools.sh
. "$ROOT/infra/tools.sh"
if ! command -v docker-compose >/dev/null; then
    say "installing Debian's docker-compose (the client alone; no engine)"
    [ "$(id -u)" -eq 0 ] || fail "installing docker-compose needs root; run: sudo apt-get install -y docker-compose"
    { DEBIAN_FRONTEND=noninteractive apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q docker-compose; } >"$CACHE/docker-compose.log" 2>&1 ||
        { tail -n 20 "$CACHE/docker-compose.log"; fail "apt-get install docker-compose; see $CACHE/docker-compose.log"; }
fi

cd "$ROOT"
say "cfn-lint infra/template.yaml"
"$CFN_LINT" infra/template.yaml
say "sam validate --lint"
"$SAM" validate --lint --region "$REGION" --template-file infra/template.yaml
say "make deploy refuses to start without credentials or parameters"
refusal=$(env -u AWS_PROFILE -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_EC2_METADATA_DISABLED=true \
    AWS_ENDPOINT_URL= PARAMETERS= "$ROOT/infra/deploy.sh" 2>&1) && fail "deploy.sh went ahead without credentials"
grep -q "nothing was deployed" <<<"$refusal" || fail "deploy.sh refused unclearly: $refusal"
say "docker-compose config"
docker-compose -f localstack/docker-compose.yml config --quiet
say "template, samconfig and compose file are valid"
