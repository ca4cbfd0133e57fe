# Sourced by infra/check.sh and infra/deploy.sh: the AWS SAM CLI (with the cfn-lint it lints
# with), installed once per machine into its own virtualenv, since it pins boto versions the
# stack's moto must not share. Defines SAM and CFN_LINT.
CACHE=${CAREBOOK_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/carebook}
DEPLOY_VENV=$CACHE/deploy-venv
SAM_VERSION=1.170.0
SAM=$DEPLOY_VENV/bin/sam
CFN_LINT=$DEPLOY_VENV/bin/cfn-lint

if ! "$SAM" --version 2>/dev/null | grep -q "$SAM_VERSION"; then
    printf '[infra] installing aws-sam-cli %s into %s (once)\n' "$SAM_VERSION" "$DEPLOY_VENV"
    mkdir -p "$CACHE"
    python3 -m venv "$DEPLOY_VENV"
    "$DEPLOY_VENV/bin/pip" install --quiet "aws-sam-cli==$SAM_VERSION" >"$CACHE/deploy-tools.log" 2>&1 || {
        tail -n 20 "$CACHE/deploy-tools.log"
        printf '[infra] FAILED: pip install aws-sam-cli==%s; see %s\n' "$SAM_VERSION" "$CACHE/deploy-tools.log" >&2
        exit 1
    }
fi
# The SAM CLI would ask about telemetry on first use.
export SAM_CLI_TELEMETRY=0
