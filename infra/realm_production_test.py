"""`make deploy`'s realm step (localstack/keycloak/import_realm.py --in-place with
infra/keycloak/realm-production.json) against the local Keycloak, into a realm of this test's
own, deleted afterwards. Checks through the Admin API what production promises: no seeded
people, no password grant, email verification, brute-force detection, a password policy, the
web app's URL as carebook-web's only redirect and origin, a service account that holds no
admin role; then that a second deploy with a rotated client secret changes only the secret, and
a new WebUrl keeps the realm's people.
Run by localstack/smoke-dev.sh; exits non-zero with the first broken promise."""

import os
import subprocess
import sys
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.dont_write_bytecode = True  # no __pycache__ in the checkout
sys.path.insert(0, str(ROOT / "localstack" / "keycloak"))
from import_realm import call, sign_in  # noqa: E402

BASE = os.environ.get("KEYCLOAK_URL", "http://127.0.0.1:8080")
REALM_FILE = ROOT / "infra" / "keycloak" / "realm-production.json"
POLICY = "length(12) and maxLength(128) and notUsername and notEmail and passwordHistory(3)"


def deploy(name, web_url, secret):
    values = {
        "REALM": name,
        "WEB_URL": web_url,
        "USERS_SERVICE_SECRET": secret,
        "SMTP_HOST": "email-smtp.eu-west-1.amazonaws.com",
        "SMTP_FROM": "no-reply@clinic.example",
        "SMTP_USER": "AKIAIOSFODNN7EXAMPLE",
        "SMTP_PASSWORD": uuid.uuid4().hex,
    }
    # As make deploy gives them: through the environment, not the command line.
    done = subprocess.run(
        [sys.executable, str(ROOT / "localstack" / "keycloak" / "import_realm.py"), "--in-place", BASE, str(REALM_FILE)],
        check=True, capture_output=True, text=True, env={**os.environ, **values},
    )
    return done.stdout.strip()


def client_secret(token, name, client_id):
    client = get(token, f"{name}/clients?clientId={client_id}")[0]
    return get(token, f"{name}/clients/{client['id']}/client-secret")["value"]


def get(token, path):
    status, body = call("GET", f"{BASE}/admin/realms/{path}", token)
    assert status == 200, f"GET {path}: {status} {body}"
    return body


def check(token, name, web_url, people=()):
    realm = get(token, name)
    for key, expected in {
        "verifyEmail": True,
        "bruteForceProtected": True,
        "permanentLockout": False,
        "passwordPolicy": POLICY,
        "sslRequired": "all",
        "registrationAllowed": True,
        "adminPermissionsEnabled": True,
    }.items():
        assert realm.get(key) == expected, f"{key} is {realm.get(key)!r}, not {expected!r}"
    users = get(token, f"{name}/users?briefRepresentation=true&max=100")
    found = [user["username"] for user in users if not user["username"].startswith("service-account-")]
    assert found == list(people), f"the production realm has people: {found}"
    clients = {client["clientId"]: client for client in get(token, f"{name}/clients?max=100")}
    password_grant = [client_id for client_id, client in clients.items() if client.get("directAccessGrantsEnabled")]
    assert password_grant == [], f"clients with the password grant: {password_grant}"
    assert "carebook-cli" not in clients, "the development client carebook-cli is in production"
    web = clients["carebook-web"]
    assert web["redirectUris"] == [f"{web_url}/*"], web["redirectUris"]
    assert web["webOrigins"] == [web_url], web["webOrigins"]
    assert web["attributes"].get("pkce.code.challenge.method") == "S256", web["attributes"]
    assert web["attributes"].get("post.logout.redirect.uris") == f"{web_url}/*", web["attributes"]
    mappers = [mapper["config"].get("included.client.audience") for mapper in web.get("protocolMappers", [])]
    assert mappers == ["carebook-api"], f"carebook-web's audience mappers: {mappers}"
    service = clients["carebook-users-service"]
    account = get(token, f"{name}/clients/{service['id']}/service-account-user")
    management = clients["realm-management"]["id"]
    held = sorted(role["name"] for role in get(token, f"{name}/users/{account['id']}/role-mappings/clients/{management}"))
    assert held == ["query-users", "view-realm"], f"the users service's account holds {held}"
    realm_roles = [role["name"] for role in get(token, f"{name}/users/{account['id']}/role-mappings/realm")]
    assert realm_roles == [], f"the users service's account holds realm roles {realm_roles}"
    admin_permissions = clients["admin-permissions"]["id"]
    authz = f"{name}/clients/{admin_permissions}/authz/resource-server"
    found = {policy["name"]: policy["id"] for policy in get(token, f"{authz}/permission")}
    permissions = sorted(found)
    assert permissions == [
        "carebook-users-service keeps away from administrators",
        "carebook-users-service maps patient and doctor",
        "carebook-users-service onboards users",
    ], permissions
    keep_away = get(token, f"{authz}/policy/{found['carebook-users-service keeps away from administrators']}/associatedPolicies")
    # associatedPolicies shows every policy as POSITIVE: the policy itself says what it is.
    logic = [get(token, f"{authz}/policy/user/{policy['id']}")["logic"] for policy in keep_away]
    assert logic == ["NEGATIVE"], f"the users service's account is granted administrators' members: {keep_away}"
    # Admins are the members of this group: the users service's account can neither see nor change them.
    groups = get(token, f"{name}/groups?exact=true&search=administrators")
    assert [group["name"] for group in groups] == ["administrators"], groups
    group_roles = [role["name"] for role in get(token, f"{name}/groups/{groups[0]['id']}/role-mappings/realm")]
    assert group_roles == ["admin"], f"the administrators group holds {group_roles}"


def main():
    os.environ.setdefault("KEYCLOAK_ADMIN_USER", "admin")
    os.environ.setdefault("KEYCLOAK_ADMIN_PASSWORD", "admin")
    name = f"carebook-production-test-{uuid.uuid4().hex[:8]}"
    try:
        first = deploy(name, "https://d111.cloudfront.net", "first-secret")
        assert first == f"realm {name} imported from realm-production.json", first
        check(sign_in(BASE), name, "https://d111.cloudfront.net")
        # The secret rotated in Secrets Manager: the file is unchanged, the secret is not.
        again = deploy(name, "https://d111.cloudfront.net", "rotated-secret")
        assert again == f"realm {name} is as realm-production.json says", f"a second deploy did: {again}"
        token = sign_in(BASE)
        rotated = client_secret(token, name, "carebook-users-service")
        assert rotated == "rotated-secret", f"the rotated client secret did not reach Keycloak: {rotated!r}"
        check(token, name, "https://d111.cloudfront.net")
        # A person who registered since, and a new distribution: the update keeps the person.
        status, answer = call("POST", f"{BASE}/admin/realms/{name}/users", sign_in(BASE), body={"username": "registered-since", "enabled": True})
        assert status == 201, answer
        moved = deploy(name, "https://d222.cloudfront.net", "rotated-secret")
        assert moved == f"realm {name} updated in place from realm-production.json", moved
        token = sign_in(BASE)
        users = [user["username"] for user in get(token, f"{name}/users?username=registered-since&exact=true")]
        assert users == ["registered-since"], "the update in place lost a person of the realm"
        check(token, name, "https://d222.cloudfront.net", people=["registered-since"])
    finally:
        call("DELETE", f"{BASE}/admin/realms/{name}", sign_in(BASE))
    print(f"realm-production.json deployed to {name} as production promises, twice, and moved to a new WebUrl")


if __name__ == "__main__":
    main()
