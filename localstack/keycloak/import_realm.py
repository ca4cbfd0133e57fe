"""Imports realm.json into a running Keycloak through its Admin REST API, as `kc.sh start
--import-realm` would, and again whenever the file changed: the file is the one source of truth.

    python3 import_realm.py KEYCLOAK_URL REALM_FILE

Signs in as the master realm's administrator (KEYCLOAK_ADMIN_USER, KEYCLOAK_ADMIN_PASSWORD).
The imported realm carries the file's SHA-256 as a realm attribute, so an unchanged file costs
one read. Prints one line saying what it did; exits non-zero with Keycloak's own words when
Keycloak refuses the file.
"""

import hashlib
import json
import os
import sys
import urllib.error
import urllib.parse
import urllib.request

FILE_DIGEST = "carebook.realm-file-sha256"


def call(method, url, token=None, body=None, form=None):
    headers = {}
    data = None
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if body is not None:
        headers["Content-Type"] = "application/json"
        data = json.dumps(body).encode()
    if form is not None:
        data = urllib.parse.urlencode(form).encode()
    request = urllib.request.Request(url, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            payload = response.read()
            return response.status, json.loads(payload) if payload else None
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(errors="replace")


def main(base, realm_file):
    with open(realm_file, "rb") as f:
        content = f.read()
    digest = hashlib.sha256(content).hexdigest()
    try:
        realm = json.loads(content)
    except ValueError as error:
        sys.exit(f"{realm_file} is not JSON: {error}")
    name = realm["realm"]

    status, answer = call(
        "POST",
        f"{base}/realms/master/protocol/openid-connect/token",
        form={
            "grant_type": "password",
            "client_id": "admin-cli",
            "username": os.environ["KEYCLOAK_ADMIN_USER"],
            "password": os.environ["KEYCLOAK_ADMIN_PASSWORD"],
        },
    )
    if status != 200:
        sys.exit(f"the master realm's administrator cannot sign in ({status}): {answer}")
    token = answer["access_token"]

    status, current = call("GET", f"{base}/admin/realms/{name}", token)
    if status == 200:
        if current.get("attributes", {}).get(FILE_DIGEST) == digest:
            print(f"realm {name} is as {os.path.basename(realm_file)} says")
            return
        print(f"{os.path.basename(realm_file)} changed: importing realm {name} again")
        status, answer = call("DELETE", f"{base}/admin/realms/{name}", token)
        if status != 204:
            sys.exit(f"deleting the old realm {name} failed ({status}): {answer}")
    elif status != 404:
        sys.exit(f"reading realm {name} failed ({status}): {current}")

    realm.setdefault("attributes", {})[FILE_DIGEST] = digest
    status, answer = call("POST", f"{base}/admin/realms", token, body=realm)
    if status != 201:
        sys.exit(f"Keycloak refused {realm_file} ({status}): {answer}")
    print(f"realm {name} imported from {os.path.basename(realm_file)}")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1].rstrip("/"), sys.argv[2])
