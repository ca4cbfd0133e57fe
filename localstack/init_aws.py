"""What the AWS account needs before Carebook runs, made through the AWS API so the same
steps work against moto locally and a real account: the SES sender identity.

Reads AWS_ENDPOINT_URL, AWS_REGION and NOTIFICATIONS_SENDER from the environment; safe to
run again (creating an identity that exists is skipped)."""

import os
from email.utils import parseaddr

import boto3

sender = parseaddr(os.environ.get("NOTIFICATIONS_SENDER", "Carebook <no-reply@carebook.test>"))[1]
ses = boto3.client(
    "sesv2",
    endpoint_url=os.environ.get("AWS_ENDPOINT_URL"),
    region_name=os.environ.get("AWS_REGION", "eu-west-1"),
)
known = {identity["IdentityName"] for identity in ses.list_email_identities()["EmailIdentities"]}
if sender not in known:
    ses.create_email_identity(EmailIdentity=sender)
print(f"SES sender identity {sender} is verified")
