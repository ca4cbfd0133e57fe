"""The seeded people of localstack/keycloak/realm.json and their data, as one JSON document:
`make smoke` takes it before its tests and after, and fails on any difference (nothing a test
does may change what a newcomer's `make dev` shows).

    python3 seeded_data.py API-URL > snapshot.json

It holds, for each seeded person: their Keycloak user (attributes, roles, groups, required
actions, credentials' ids and dates), their profile row, the appointments they are in, and a
seeded doctor's working hours and version as the API answers them; and the doctor directory
(every page of GET /doctors) as a patient sees it. The API is read as a patient of this script's
own, made for the reading and deleted after it: the snapshot acts as no seeded person, and that
patient leaves no row anywhere (reads create no profile).

Needs the stack's environment (`eval "$(localstack/stack.sh env)"`).
"""

import json
import os
import secrets
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.dont_write_bytecode = True  # no __pycache__ in the checkout
sys.path.insert(0, str(ROOT / "localstack" / "keycloak"))
from import_realm import call, checked, sign_in  # noqa: E402

REALM_FILE = ROOT / "localstack" / "keycloak" / "realm.json"
# What Keycloak computes per request rather than stores.
COMPUTED = ("access", "userProfileMetadata")


def rows(database, query, ids):
    """`query`'s rows as JSON objects; `:'ids'` is the seeded people's ids as a uuid[]."""
    done = subprocess.run(
        ["psql", "-X", "-Atq", "-v", "ON_ERROR_STOP=1", "-v", f"ids={{{','.join(ids)}}}", os.environ[database]],
        input=query, capture_output=True, text=True,
    )
    if done.returncode != 0:
        sys.exit(f"{database}: {done.stderr.strip()}")
    return [json.loads(line) for line in done.stdout.splitlines()]


def keycloak_user(admin, token, person):
    user = checked(f"reading {person['username']}", {200, 404}, call("GET", f"{admin}/users/{person['id']}", token))
    if not isinstance(user, dict):
        return None
    for key in COMPUTED:
        user.pop(key, None)
    user["realmRoles"] = sorted(
        role["name"] for role in checked("reading roles", {200}, call("GET", f"{admin}/users/{person['id']}/role-mappings/realm", token))
    )
    user["groups"] = sorted(group["path"] for group in checked("reading groups", {200}, call("GET", f"{admin}/users/{person['id']}/groups", token)))
    # A changed password shows in its credential's date; the hash adds nothing.
    user["credentials"] = [
        {key: credential.get(key) for key in ("id", "type", "createdDate", "userLabel")}
        for credential in checked("reading credentials", {200}, call("GET", f"{admin}/users/{person['id']}/credentials", token))
    ]
    return user


class Observer:
    """A patient of the snapshot's own, for reading the API; deleted on leaving."""

    def __init__(self, base, admin, issuer):
        self.base, self.admin, self.issuer = base, admin, issuer
        self.username = f"snapshot-{secrets.token_hex(4)}"
        self.password = secrets.token_urlsafe(18)
        self.id = None

    def __enter__(self):
        body = {
            "username": self.username,
            "email": f"{self.username}@carebook.test",
            "emailVerified": True,
            "enabled": True,
            "firstName": "Snapshot",
            "lastName": "Reader",
            "credentials": [{"type": "password", "value": self.password, "temporary": False}],
        }
        token = sign_in(self.base)
        checked("creating the reading patient", {201}, call("POST", f"{self.admin}/users", token, body=body))
        found = checked("finding the reading patient", {200}, call("GET", f"{self.admin}/users?exact=true&username={self.username}", token))
        self.id = found[0]["id"]
        return self

    def __exit__(self, *_):
        if self.id:
            checked("deleting the reading patient", {204, 404}, call("DELETE", f"{self.admin}/users/{self.id}", sign_in(self.base)))

    def get(self, api, path):
        """The status and JSON body of GET `path`."""
        # A token per request: a handler's first call may compile it for longer than one lives.
        status, answer = call(
            "POST", f"{self.issuer}/protocol/openid-connect/token",
            form={"grant_type": "password", "client_id": "carebook-cli", "username": self.username, "password": self.password},
        )
        if status != 200:
            sys.exit(f"the reading patient cannot sign in ({status}): {answer}")
        request = urllib.request.Request(f"{api}{path}", headers={"Authorization": f"Bearer {answer['access_token']}"})
        try:
            with urllib.request.urlopen(request, timeout=600) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, None


def snapshot(api):
    issuer = os.environ["KEYCLOAK_ISSUER"]
    base, realm = issuer.split("/realms/")
    admin = f"{base}/admin/realms/{realm}"
    with open(REALM_FILE, encoding="utf-8") as f:
        seeded = [user for user in json.load(f)["users"] if "serviceAccountClientId" not in user]
    ids = [person["id"] for person in seeded]
    token = sign_in(base)  # the master realm's tokens live a minute: Keycloak first, then the API
    people = {person["username"]: {"keycloak": keycloak_user(admin, token, person)} for person in seeded}
    profiles = {row["id"]: row for row in rows("USERS_DATABASE_URL", "select row_to_json(p) from profiles p where id = any(:'ids'::uuid[])", ids)}
    appointments = rows(
        "APPOINTMENTS_DATABASE_URL",
        "select row_to_json(a) from appointments a where patient_id = any(:'ids'::uuid[]) or doctor_id = any(:'ids'::uuid[]) order by id",
        ids,
    )
    with Observer(base, admin, issuer) as observer:
        for person in seeded:
            entry = people[person["username"]]
            entry["profile"] = profiles.get(person["id"])
            entry["appointments"] = [a for a in appointments if person["id"] in (a["patient_id"], a["doctor_id"])]
            if "doctor" in person.get("realmRoles", []):
                status, hours = observer.get(api, f"/doctors/{person['id']}/working-hours")
                entry["working_hours"] = hours if status == 200 else f"HTTP {status}"
        directory, cursor = [], None
        while True:
            query = urllib.parse.urlencode({"limit": 100, **({"cursor": cursor} if cursor else {})})
            status, page = observer.get(api, f"/doctors?{query}")
            if status != 200:
                sys.exit(f"GET /doctors answered {status}")
            directory += page["items"]
            cursor = page.get("next_cursor")
            if not cursor:
                break
    return {"seeded people": people, "doctor directory": directory}


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    json.dump(snapshot(sys.argv[1].rstrip("/")), sys.stdout, indent=1, sort_keys=True, ensure_ascii=False)
    print()
