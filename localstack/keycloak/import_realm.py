"""Imports a realm file into a running Keycloak through its Admin REST API, as `kc.sh start
--import-realm` would, and again whenever the file changed: the file is the one source of truth.

    python3 import_realm.py [--in-place] KEYCLOAK_URL REALM_FILE [NAME=VALUE ...]

Each `${NAME}` in the file is replaced by VALUE, or else by the environment variable NAME
(secrets: a command line is visible to every local user), JSON-escaped, before anything else: the
production realm takes its name, the web app's URL and its secrets so; a placeholder without a
value stops the import. Values of names ending in SECRET or PASSWORD are not in the digest;
the clients' secrets and the mail server are set again on every run that is given them, so a
rotated secret reaches Keycloak though the file did not change.

Signs in as the master realm's administrator (KEYCLOAK_ADMIN_USER, KEYCLOAK_ADMIN_PASSWORD).
The imported realm carries the SHA-256 of the substituted file as a realm attribute, so an
unchanged file costs one read. A changed file replaces the realm (development: its test
users go with it); with --in-place (production, where people live in the realm) the realm's
settings and clients are overwritten, service accounts get the file's rights, and roles, groups
and people the realm lacks are added: nobody who is there is touched (nor put in a group), and
an existing role or group keeps what it holds (change those by hand, see README).

The file's `carebookAdminPermissions` (not Keycloak's; removed before the import) are Keycloak's
fine-grained admin permissions (v2, `adminPermissionsEnabled`) for a client's service account:

    {"serviceAccountOf": "<clientId>", "permissions": [
        {"name": ..., "resourceType": "Users", "scopes": [...]},
        {"name": ..., "resourceType": "Roles", "roles": [<realm role names>], "scopes": [...]},
        {"name": ..., "resourceType": "Groups", "groups": [<top-level group names>], "scopes": [...],
         "deny": true}]}

applied after the import through the admin-permissions client's Authorization API, replacing
permissions and the policies of the same names (denials first; one dropped from the file stays). A permission is the service account's, or with
`deny` everyone's but the service account's: Keycloak decides unanimously, so that denies the
account the scopes on those groups' members whatever else it holds. Prints one line saying
what it did; exits non-zero with Keycloak's own words when Keycloak refuses.
"""

import hashlib
import json
import os
import re
import sys
import urllib.error
import urllib.parse
import urllib.request

FILE_DIGEST = "carebook.realm-file-sha256"
PERMISSIONS = "carebookAdminPermissions"
PLACEHOLDER = re.compile(r"\$\{([A-Z][A-Z0-9_]*)\}")
SECRET = re.compile(r"(SECRET|PASSWORD)$")


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


def checked(what, expected, answer):
    status, body = answer
    if status not in expected:
        sys.exit(f"{what} failed ({status}): {body}")
    return body


def substitute(text, values):
    missing = sorted({name for name in PLACEHOLDER.findall(text) if name not in values})
    if missing:
        sys.exit(f"no value for {', '.join('${' + name + '}' for name in missing)}: pass NAME=VALUE or set it")
    return PLACEHOLDER.sub(lambda match: json.dumps(values[match.group(1)])[1:-1], text)


def apply_permissions(base, token, name, spec):
    """The spec's policies (the service account; everyone but it) and permissions, replacing older ones."""
    admin = f"{base}/admin/realms/{name}"
    clients = checked("finding the admin-permissions client", {200}, call("GET", f"{admin}/clients?clientId=admin-permissions", token))
    if not clients:
        sys.exit(f"realm {name} has no admin-permissions client: set adminPermissionsEnabled")
    authz = f"{admin}/clients/{clients[0]['id']}/authz/resource-server"
    grantee = spec["serviceAccountOf"]
    client = checked(f"finding client {grantee}", {200}, call("GET", f"{admin}/clients?clientId={urllib.parse.quote(grantee)}", token))
    account = checked("reading its service account", {200}, call("GET", f"{admin}/clients/{client[0]['id']}/service-account-user", token))
    policy_names = {False: f"service account of {grantee}", True: f"everyone but the service account of {grantee}"}
    names = list(policy_names.values()) + [permission["name"] for permission in spec["permissions"]]
    for old in checked("listing permissions", {200}, call("GET", f"{authz}/policy?max=1000", token)):
        if old["name"] in names:
            checked(f"deleting {old['name']}", {204}, call("DELETE", f"{authz}/policy/{old['id']}", token))
    policies = {
        deny: checked(
            f"creating the policy {policy_name}",
            {201},
            call(
                "POST",
                f"{authz}/policy/user",
                token,
                body={"name": policy_name, "users": [account["id"]], "logic": "NEGATIVE" if deny else "POSITIVE"},
            ),
        )["id"]
        for deny, policy_name in policy_names.items()
    }
    # Denials first: between the first grant and its denial the account would reach everyone.
    for permission in sorted(spec["permissions"], key=lambda permission: not permission.get("deny", False)):
        body = {
            "name": permission["name"],
            "resourceType": permission["resourceType"],
            "scopes": permission["scopes"],
            "policies": [policies[permission.get("deny", False)]],
        }
        if "roles" in permission:
            body["resources"] = [
                checked(f"reading role {role}", {200}, call("GET", f"{admin}/roles/{urllib.parse.quote(role)}", token))["id"]
                for role in permission["roles"]
            ]
        if "groups" in permission:
            body["resources"] = [group_id(admin, token, group) for group in permission["groups"]]
        checked(f"creating permission {permission['name']}", {201}, call("POST", f"{authz}/permission/scope", token, body=body))


def group_id(admin, token, name):
    found = checked(
        f"finding group {name}", {200}, call("GET", f"{admin}/groups?exact=true&search={urllib.parse.quote(name)}", token)
    )
    ids = [group["id"] for group in found if group["name"] == name]
    if not ids:
        sys.exit(f"no group {name} in the realm")
    return ids[0]


def update_in_place(base, token, name, realm):
    admin = f"{base}/admin/realms/{name}"
    settings = {key: value for key, value in realm.items() if key not in ("clients", "groups", "roles", "users")}
    checked(f"updating realm {name}'s settings", {204}, call("PUT", admin, token, body=settings))
    people = [user for user in realm.get("users", []) if "serviceAccountClientId" not in user]
    for policy, part in (
        ("SKIP", {"roles": realm.get("roles", {}), "users": people}),
        ("OVERWRITE", {"clients": realm.get("clients", [])}),
    ):
        checked(f"importing {', '.join(part)}", {200}, call("POST", f"{admin}/partialImport", token, body={"ifResourceExists": policy, **part}))
    # Keycloak's partial import answers 409 to a group it should skip: the realm's top-level
    # groups are added here, with their realm roles.
    for group in realm.get("groups", []):
        found = checked(f"finding group {group['name']}", {200}, call("GET", f"{admin}/groups?exact=true&search={urllib.parse.quote(group['name'])}", token))
        if any(existing["name"] == group["name"] for existing in found):
            continue
        checked(f"creating group {group['name']}", {201}, call("POST", f"{admin}/groups", token, body={"name": group["name"]}))
        wanted = [checked(f"reading role {role}", {200}, call("GET", f"{admin}/roles/{role}", token)) for role in group.get("realmRoles", [])]
        if wanted:
            mappings = f"{admin}/groups/{group_id(admin, token, group['name'])}/role-mappings/realm"
            checked("mapping the group's roles", {204}, call("POST", mappings, token, body=wanted))
    # A service account comes with its client; its rights are the file's.
    for user in realm.get("users", []):
        client_id = user.get("serviceAccountClientId")
        if not client_id:
            continue
        client = checked(f"finding client {client_id}", {200}, call("GET", f"{admin}/clients?clientId={urllib.parse.quote(client_id)}", token))
        account = checked("reading its service account", {200}, call("GET", f"{admin}/clients/{client[0]['id']}/service-account-user", token))
        # An overwritten client's new service account holds the realm's default role (a patient).
        mappings = f"{admin}/users/{account['id']}/role-mappings/realm"
        held = checked("reading role mappings", {200}, call("GET", mappings, token))
        if held:
            checked("removing role mappings", {204}, call("DELETE", mappings, token, body=held))
        wanted = [checked(f"reading role {role}", {200}, call("GET", f"{admin}/roles/{role}", token)) for role in user.get("realmRoles", [])]
        if wanted:
            checked("mapping roles", {204}, call("POST", mappings, token, body=wanted))
        for role_client, roles in user.get("clientRoles", {}).items():
            found = checked(f"finding client {role_client}", {200}, call("GET", f"{admin}/clients?clientId={urllib.parse.quote(role_client)}", token))
            mappings = f"{admin}/users/{account['id']}/role-mappings/clients/{found[0]['id']}"
            held = checked("reading role mappings", {200}, call("GET", mappings, token))
            if held:
                checked("removing role mappings", {204}, call("DELETE", mappings, token, body=held))
            wanted = [checked(f"reading role {role}", {200}, call("GET", f"{admin}/clients/{found[0]['id']}/roles/{role}", token)) for role in roles]
            checked("mapping roles", {204}, call("POST", mappings, token, body=wanted))


def refresh_secrets(base, token, name, realm):
    """Sets the file's client secrets and mail server again: the digest leaves secrets out, so
    a rotated one would otherwise never reach Keycloak while the function reads the new one."""
    admin = f"{base}/admin/realms/{name}"
    for client in realm.get("clients", []):
        if "secret" not in client:
            continue
        found = checked(f"finding client {client['clientId']}", {200}, call("GET", f"{admin}/clients?clientId={urllib.parse.quote(client['clientId'])}", token))
        if not found:
            sys.exit(f"realm {name} has no client {client['clientId']}")
        body = {"clientId": client["clientId"], "secret": client["secret"]}
        checked(f"setting {client['clientId']}'s secret", {204}, call("PUT", f"{admin}/clients/{found[0]['id']}", token, body=body))
    if "smtpServer" in realm:
        checked("setting the mail server", {204}, call("PUT", admin, token, body={"smtpServer": realm["smtpServer"]}))


def sign_in(base):
    """A token of the master realm's administrator; a new one per step, as they live a minute."""
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
    return answer["access_token"]


def main(base, realm_file, values, in_place):
    with open(realm_file, encoding="utf-8") as f:
        text = f.read()
    content = substitute(text, values)
    # Any admin of the realm reads the digest: secrets stay out of it, so a weak one cannot
    # be guessed from it (a rotated secret is then set in Keycloak as well, see README).
    public = {name: value for name, value in values.items() if not SECRET.search(name)}
    public.update({name: f"${{{name}}}" for name in values if SECRET.search(name)})
    digest = hashlib.sha256(substitute(text, public).encode()).hexdigest()
    try:
        realm = json.loads(content)
    except ValueError as error:
        sys.exit(f"{realm_file} is not JSON: {error}")
    name = realm["realm"]
    permissions = realm.pop(PERMISSIONS, None)

    token = sign_in(base)
    status, current = call("GET", f"{base}/admin/realms/{name}", token)
    if status == 200:
        if current.get("attributes", {}).get(FILE_DIGEST) == digest:
            if any(SECRET.search(value) for value in values):
                refresh_secrets(base, token, name, realm)
            print(f"realm {name} is as {os.path.basename(realm_file)} says")
            return
        if in_place:
            update_in_place(base, token, name, realm)
            done = "updated in place"
        else:
            print(f"{os.path.basename(realm_file)} changed: importing realm {name} again")
            checked(f"deleting the old realm {name}", {204}, call("DELETE", f"{base}/admin/realms/{name}", token))
    elif status != 404:
        sys.exit(f"reading realm {name} failed ({status}): {current}")
    if status != 200 or not in_place:
        checked(f"importing {realm_file}", {201}, call("POST", f"{base}/admin/realms", token, body=realm))
        done = "imported"
    if permissions:
        apply_permissions(base, sign_in(base), name, permissions)
    token = sign_in(base)
    # The digest goes last: an import that stopped halfway is done again next time.
    current = checked(f"reading realm {name}", {200}, call("GET", f"{base}/admin/realms/{name}", token))
    attributes = {**current.get("attributes", {}), FILE_DIGEST: digest}
    checked("recording the file's digest", {204}, call("PUT", f"{base}/admin/realms/{name}", token, body={"attributes": attributes}))
    print(f"realm {name} {done} from {os.path.basename(realm_file)}")


if __name__ == "__main__":
    arguments = sys.argv[1:]
    in_place = "--in-place" in arguments
    arguments = [argument for argument in arguments if argument != "--in-place"]
    if len(arguments) < 2 or not all("=" in pair for pair in arguments[2:]):
        sys.exit(__doc__)
    # Secrets come through the environment: a command line is visible to every local user.
    with open(arguments[1], encoding="utf-8") as f:
        values = {name: os.environ[name] for name in PLACEHOLDER.findall(f.read()) if name in os.environ}
    values.update(pair.split("=", 1) for pair in arguments[2:])
    main(arguments[0].rstrip("/"), arguments[1], values, in_place)
