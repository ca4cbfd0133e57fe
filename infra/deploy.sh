#!/usr/bin/env bash
# `make deploy`: `sam build` and `sam deploy` with samconfig.toml and the stack's parameters
# (PARAMETERS="Key=Value ..."; see README, "Deploy"), then the web app's bundle into the
# stack's bucket with a config.json written from the stack's outputs (infra/publish_web.py),
# then the production realm (infra/keycloak/realm-production.json) into the stack's Keycloak.
# Everything is checked and built first, so a missing credential or parameter or a broken
# bundle stops it before anything reaches AWS; CloudFormation then applies the change set as a
# whole or rolls it back.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
REQUIRED=(KeycloakIssuer KeycloakAdminClientSecretArn MskClusterArn SubnetIds SecurityGroupIds
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
# The realm step signs in as Keycloak's master administrator and gives the realm its mail server.
REALM_VARIABLES=(KEYCLOAK_ADMIN_USER KEYCLOAK_ADMIN_PASSWORD KEYCLOAK_SMTP_HOST KEYCLOAK_SMTP_FROM
    KEYCLOAK_SMTP_USER KEYCLOAK_SMTP_PASSWORD)
missing=()
for name in "${REALM_VARIABLES[@]}"; do
    [ -n "${!name:-}" ] || missing+=("$name")
done
[ ${#missing[@]} -eq 0 ] || fail "set ${missing[*]} (README, \"Deploy\")"

# SASL (SCRAM or IAM) needs the handlers built with TLS, which sam build asks cargo lambda
# for through its global configuration.
auth=$(tr ' ' '\n' <<<"$parameters" | sed -n 's/^KafkaAuthentication=//p')
case "${auth:-IAM}" in
NONE) ;;
SASL_SCRAM_512 | IAM) export CARGO_LAMBDA_GLOBAL="$ROOT/infra/kafka-tls.toml" ;;
*) fail "KafkaAuthentication must be NONE, SASL_SCRAM_512 or IAM, not $auth" ;;
esac

cd "$ROOT"
stack=$("$DEPLOY_VENV/bin/python" -c 'import tomllib; print(tomllib.load(open("samconfig.toml", "rb"))["default"]["global"]["parameters"]["stack_name"])')
web/run.sh build
# The functions verify their databases' certificates (verify-full); RDS signs them with its own
# CAs, whose bundle AWS publishes per region
# (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/UsingWithRDS.SSL.html). It ships
# as a layer, at /opt/rds-ca/bundle.pem, where DATABASE_CA_FILE points.
layer=infra/.build/rds-ca-layer/rds-ca
mkdir -p "$layer"
curl -fsS --retry 3 -o "$layer/bundle.pem" "https://truststore.pki.rds.amazonaws.com/$region/$region-bundle.pem" ||
    fail "could not fetch the RDS certificate bundle for $region"
grep -q -- '-----BEGIN CERTIFICATE-----' "$layer/bundle.pem" || fail "the RDS certificate bundle for $region holds no certificate"
"$SAM" build
"$SAM" deploy --region "$region" --parameter-overrides "$parameters"
"$DEPLOY_VENV/bin/python" infra/publish_web.py "$stack" web/dist
# The realm named by the stack's issuer, carebook-web allowing the stack's WebUrl, the users
# service's client secret from its Secrets Manager secret: imported when missing, updated in
# place when the file or a value changed (people stay), untouched otherwise.
"$DEPLOY_VENV/bin/python" - "$stack" "$parameters" <<'PY'
import os, subprocess, sys

import boto3

stack, parameters = sys.argv[1:]
given = dict(pair.split("=", 1) for pair in parameters.split() if "=" in pair)
stacks = boto3.client("cloudformation").describe_stacks(StackName=stack)["Stacks"]
outputs = {output["OutputKey"]: output["OutputValue"] for output in stacks[0]["Outputs"]}
issuer_base, realm = outputs["KeycloakIssuer"].rsplit("/realms/", 1)
arn = given["KeycloakAdminClientSecretArn"]
secret = boto3.client("secretsmanager").get_secret_value(SecretId=arn)["SecretString"]
environment = {
    **os.environ,
    "REALM": realm,
    "WEB_URL": outputs["WebUrl"],
    "USERS_SERVICE_SECRET": secret,
    **{name: os.environ[f"KEYCLOAK_{name}"] for name in ("SMTP_HOST", "SMTP_FROM", "SMTP_USER", "SMTP_PASSWORD")},
}
# KEYCLOAK_URL when the Admin API is reached otherwise from here than from the functions.
base = os.environ.get("KEYCLOAK_URL") or given.get("KeycloakAdminUrl") or issuer_base
command = [sys.executable, "localstack/keycloak/import_realm.py", "--in-place", base, "infra/keycloak/realm-production.json"]
if subprocess.run(command, env=environment).returncode != 0:
    sys.exit("[deploy] the stack is deployed, but not its realm: fix what Keycloak said and run make deploy again")
PY
