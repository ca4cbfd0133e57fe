"""`make deploy`'s last step: the web app's bundle (web/dist) into the stack's bucket, with the
runtime config.json written from the stack's outputs, then a CloudFront invalidation.

    python infra/publish_web.py STACK_NAME web/dist

Hashed assets are uploaded first and cached for a year; config.json and index.html last and
revalidated on every load, so a browser never gets an index.html whose assets are missing.
Assets of earlier bundles stay, for tabs that still run them.
"""

import json
import mimetypes
import sys
import time
from pathlib import Path

import boto3

IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
CLIENT_ID = "carebook-web"


def stack_outputs(cloudformation, stack_name: str) -> dict[str, str]:
    stack = cloudformation.describe_stacks(StackName=stack_name)["Stacks"][0]
    return {output["OutputKey"]: output["OutputValue"] for output in stack.get("Outputs", [])}


def runtime_config(outputs: dict[str, str]) -> dict[str, str]:
    missing = {"ApiUrl", "KeycloakIssuer", "ClinicTimeZone"} - outputs.keys()
    if missing:
        raise SystemExit(f"the stack has no output {', '.join(sorted(missing))}; deploy infra/template.yaml first")
    return {
        "apiUrl": outputs["ApiUrl"],
        "authority": outputs["KeycloakIssuer"],
        "clientId": CLIENT_ID,
        "timeZone": outputs["ClinicTimeZone"],
    }


def content_type(path: Path) -> str:
    guessed, _ = mimetypes.guess_type(path.name)
    if guessed in ("text/html", "text/css", "text/javascript", "application/javascript", "application/json"):
        return f"{guessed}; charset=utf-8"
    return guessed or "application/octet-stream"


def publish(s3, cloudfront, outputs: dict[str, str], dist: Path) -> list[str]:
    """Uploads the bundle and config.json; returns the keys written, in order."""
    config = runtime_config(outputs)
    bucket = outputs["WebBucketName"]
    files = sorted(path for path in dist.rglob("*") if path.is_file())
    if not (dist / "index.html").is_file():
        raise SystemExit(f"{dist} has no index.html; run make build first")
    # The dev server's config.json (web/public) is replaced by this stack's.
    assets = [path for path in files if path.name not in ("index.html", "config.json")]
    written = []
    for path in assets:
        key = path.relative_to(dist).as_posix()
        cache = IMMUTABLE if key.startswith("assets/") else REVALIDATE
        s3.upload_file(str(path), bucket, key, ExtraArgs={"ContentType": content_type(path), "CacheControl": cache})
        written.append(key)
    s3.put_object(
        Bucket=bucket,
        Key="config.json",
        Body=json.dumps(config, indent=2).encode(),
        ContentType="application/json; charset=utf-8",
        CacheControl=REVALIDATE,
    )
    written.append("config.json")
    s3.upload_file(
        str(dist / "index.html"),
        bucket,
        "index.html",
        ExtraArgs={"ContentType": "text/html; charset=utf-8", "CacheControl": REVALIDATE},
    )
    written.append("index.html")
    cloudfront.create_invalidation(
        DistributionId=outputs["WebDistributionId"],
        InvalidationBatch={
            "Paths": {"Quantity": 2, "Items": ["/index.html", "/config.json"]},
            "CallerReference": f"carebook-{time.time_ns()}",
        },
    )
    return written


def main() -> None:
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    stack_name, dist = sys.argv[1], Path(sys.argv[2])
    outputs = stack_outputs(boto3.client("cloudformation"), stack_name)
    written = publish(boto3.client("s3"), boto3.client("cloudfront"), outputs, dist)
    print(f"[deploy] web app: {len(written)} files in s3://{outputs['WebBucketName']}, config.json points at {outputs['ApiUrl']}")
    print(f"[deploy] open {outputs.get('WebUrl')}; Keycloak's {CLIENT_ID} client must allow it as a redirect URI and web origin")


if __name__ == "__main__":
    main()
