#!/usr/bin/env bash
# `make deploy`: `sam build` and `sam deploy` with samconfig.toml and the stack's parameters
# (PARAMETERS="Key=Value ..."; see README, "Deploy"), then the web app's bundle into the
# stack's bucket with a config.json written from the stack's outputs (infra/publish_web.py).
# Everything is checked and built first, so a missing credential or parameter or a broken
# bundle stops it before anything reaches AWS; CloudFormation then applies the change set as a
# whole or rolls it back.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
REQUIRED=(KeycloakIssuer KeycloakAdminClientSecret MskClusterArn SubnetIds SecurityGroupIds
    UsersDatabaseSecretArn AppointmentsDatabaseSecretArn AnalyticsDatabaseSecretArn
    NotificationsDatabaseSecretArn)

fail() { printf '[deploy] %s; nothing was deployed.\n' "$*" >&2; exit 1; }

# shellcheck source=infra/tools.sh
. "$ROOT/infra/tools.sh"

region=${AWS_REGION:-${AWS_DEFAULT_REGION:-}}
[ -n "$region" ] || fail "no AWS region: set AWS_REGION (e.g. eu-west-1)"
export AWS_DEFAULT_REGION=$region
"$DEPLOY_VENV/bin/python" -c 'import boto3; boto3.client("sts").get_caller_identity()' >/dev/null 2>&1 ||
    fail "no usable AWS credentials for $region (configure a profile with 'aws configure' or set AWS_PROFILE)"

parameters=${PARAMETERS:-}
missing=()
for name in "${REQUIRED[@]}"; do
    [[ " $parameters" == *" $name="* ]] || missing+=("$name")
done
[ ${#missing[@]} -eq 0 ] || fail "set PARAMETERS=\"Name=Value ...\" with: ${missing[*]}"

# SASL (SCRAM or IAM) needs the handlers built with TLS, which sam build asks cargo lambda
# for through its global configuration.
auth=$(tr ' ' '\n' <<<"$parameters" | sed -n 's/^KafkaAuthentication=//p')
case "${auth:-NONE}" in
NONE) ;;
SASL_SCRAM_512 | IAM) export CARGO_LAMBDA_GLOBAL="$ROOT/infra/kafka-tls.toml" ;;
*) fail "KafkaAuthentication must be NONE, SASL_SCRAM_512 or IAM, not $auth" ;;
esac

cd "$ROOT"
stack=$("$DEPLOY_VENV/bin/python" -c 'import tomllib; print(tomllib.load(open("samconfig.toml", "rb"))["default"]["global"]["parameters"]["stack_name"])')
localstack/web.sh build
"$SAM" build
"$SAM" deploy --region "$region" --parameter-overrides "$parameters"
"$DEPLOY_VENV/bin/python" infra/publish_web.py "$stack" web/dist
