"""`make deploy`'s web step (infra/publish_web.py) against the AWS API emulator (moto) at
AWS_ENDPOINT_URL: a stack with the template's web outputs, a distribution, a built bundle.
Run by localstack/smoke-dev.sh; exits non-zero with the first broken promise."""

import json
import os
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

import boto3

ROOT = Path(__file__).resolve().parent.parent
API_URL = "https://abc123.execute-api.eu-west-1.amazonaws.com"
ISSUER = "https://auth.clinic.example/realms/carebook"


def distribution(cloudfront) -> str:
    config = {
        "CallerReference": str(uuid.uuid4()),
        "Comment": "publish_web_test",
        "Enabled": True,
        "Origins": {"Quantity": 1, "Items": [{"Id": "web", "DomainName": "web.s3.amazonaws.com", "S3OriginConfig": {"OriginAccessIdentity": ""}}]},
        "DefaultCacheBehavior": {"TargetOriginId": "web", "ViewerProtocolPolicy": "redirect-to-https", "MinTTL": 0},
    }
    return cloudfront.create_distribution(DistributionConfig=config)["Distribution"]["Id"]


def stack(cloudformation, name: str, distribution_id: str) -> None:
    template = {
        "Resources": {"WebBucket": {"Type": "AWS::S3::Bucket"}},
        "Outputs": {
            "ApiUrl": {"Value": API_URL},
            "WebUrl": {"Value": "https://d111.cloudfront.net"},
            "WebBucketName": {"Value": {"Ref": "WebBucket"}},
            "WebDistributionId": {"Value": distribution_id},
            "KeycloakIssuer": {"Value": ISSUER},
            "ClinicTimeZone": {"Value": "Europe/Berlin"},
        },
    }
    cloudformation.create_stack(StackName=name, TemplateBody=json.dumps(template))


def bundle(directory: Path) -> None:
    (directory / "assets").mkdir()
    (directory / "index.html").write_text('<script type="module" src="/assets/index-4f2a.js"></script>')
    (directory / "assets" / "index-4f2a.js").write_text("console.log('carebook')")
    (directory / "assets" / "index-9c1e.css").write_text("body{}")
    (directory / "favicon.svg").write_text("<svg/>")
    (directory / "config.json").write_text('{"apiUrl": "http://127.0.0.1:9000"}')


def main() -> None:
    os.environ.setdefault("AWS_DEFAULT_REGION", "eu-west-1")
    cloudformation, cloudfront, s3 = (boto3.client(name) for name in ("cloudformation", "cloudfront", "s3"))
    name = f"carebook-web-{uuid.uuid4().hex[:8]}"
    distribution_id = distribution(cloudfront)
    stack(cloudformation, name, distribution_id)
    outputs = {o["OutputKey"]: o["OutputValue"] for o in cloudformation.describe_stacks(StackName=name)["Stacks"][0]["Outputs"]}
    bucket = outputs["WebBucketName"]

    with tempfile.TemporaryDirectory() as dist:
        bundle(Path(dist))
        subprocess.run([sys.executable, str(ROOT / "infra" / "publish_web.py"), name, dist], check=True)

    def head(key: str) -> dict:
        return s3.head_object(Bucket=bucket, Key=key)

    config = json.loads(s3.get_object(Bucket=bucket, Key="config.json")["Body"].read())
    expected = {"apiUrl": API_URL, "authority": ISSUER, "clientId": "carebook-web", "timeZone": "Europe/Berlin"}
    assert config == expected, f"config.json is {config}, not the stack's {expected}"
    assert head("assets/index-4f2a.js")["CacheControl"] == "public, max-age=31536000, immutable"
    assert head("assets/index-4f2a.js")["ContentType"].startswith("text/javascript"), head("assets/index-4f2a.js")["ContentType"]
    assert head("assets/index-9c1e.css")["ContentType"].startswith("text/css")
    for key in ("index.html", "config.json", "favicon.svg"):
        assert head(key)["CacheControl"] == "no-cache", f"{key} would be cached: {head(key)['CacheControl']}"
    assert head("index.html")["ContentType"] == "text/html; charset=utf-8"
    invalidations = cloudfront.list_invalidations(DistributionId=distribution_id)["InvalidationList"]
    assert invalidations.get("Quantity", 0) == 1, f"expected one invalidation: {invalidations}"
    print("publish_web: bundle, cache headers, config.json from the stack's outputs, invalidation: ok")


if __name__ == "__main__":
    main()
