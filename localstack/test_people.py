"""The people a test run acts as, and taking away everything the run made.

    python3 test_people.py begin RUN_DIR    # prints the run's people as shell exports
    python3 test_people.py end RUN_DIR

Tests never act as the seeded people of localstack/keycloak/realm.json: `make smoke` shares the
realm and the databases with `make dev`, where a newcomer expects those people as the realm file
made them (the smoke proves it, localstack/seeded_data.py). A realm and databases of the tests'
own would need `make dev` to run against them, and Kafka topics of their own; instead each run
has people of its own, named with the run's tag, and takes away afterwards whoever it made.

`begin` creates `<tag>-patient`, `<tag>-doctor` and `<tag>-admin` in the realm, with verified
addresses like the seeded people, and writes RUN_DIR: people.json, and `protected`, the ids of
every person and appointment from before the run, which the contract's people leave alone
(localstack/contract_hooks.py). A RUN_DIR an interrupted run left is ended first.

`end` waits for the run's events to be delivered (the outboxes empty, the consumer groups of
infra/template.yaml caught up: an event delivered later would bring a removed person back),
then removes the run's people: its own three, whoever's username or email carries the tag (the
journeys' and the demo's), and whoever RUN_DIR/onboarded lists (people the contract's admin
onboarded with generated addresses). They go from Keycloak and from every service's database,
with their appointments, schedules and notifications. No API removes a person, as a clinic
keeps its records: this is SQL on development databases. Analytics' counts per day stay.

Needs the stack's environment (`eval "$(localstack/stack.sh env)"`).
"""

import contextlib
import json
import os
import re
import secrets
import shlex
import shutil
import subprocess
import sys
import time
import urllib.parse
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.dont_write_bytecode = True  # no __pycache__ in the checkout
sys.path.insert(0, str(ROOT / "localstack" / "keycloak"))
from import_realm import call, checked, sign_in  # noqa: E402

ROLES = ("patient", "doctor", "admin")
REALM_FILE = ROOT / "localstack" / "keycloak" / "realm.json"
TEMPLATE = ROOT / "infra" / "template.yaml"
DRAIN_SECONDS = 120


def keycloak():
    """The Keycloak base URL and the realm's admin URL, from KEYCLOAK_ISSUER."""
    issuer = os.environ["KEYCLOAK_ISSUER"]
    base, realm = issuer.split("/realms/")
    return base, f"{base}/admin/realms/{realm}", realm


def psql(database, statement, **variables):
    """Runs `statement`, with psql variables (:'name'), in the database of the environment
    variable `database`; returns its output's lines."""
    command = ["psql", "-X", "-Atq", "-v", "ON_ERROR_STOP=1", os.environ[database]]
    for name, value in variables.items():
        command += ["-v", f"{name}={value}"]
    # Variables are interpolated in psql's input, never in -c.
    done = subprocess.run(command, input=statement, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"{database}: {done.stderr.strip()}")
    return [line for line in done.stdout.splitlines() if line]


def seeded_ids():
    with open(REALM_FILE, encoding="utf-8") as f:
        users = json.load(f)["users"]
    return {user["id"] for user in users if "serviceAccountClientId" not in user}


def create_person(admin, token, realm, tag, role):
    username = f"{tag}-{role}"
    password = secrets.token_urlsafe(18)
    body = {
        "username": username,
        "email": f"{username}@carebook.test",
        "emailVerified": True,
        "enabled": True,
        # Names given, or Keycloak asks for them at the first sign-in.
        "firstName": "Test",
        "lastName": f"{role.capitalize()} {tag}",
        "credentials": [{"type": "password", "value": password, "temporary": False}],
    }
    if role == "admin":
        body["groups"] = ["/administrators"]  # as the seeded admin: out of the users service's reach
    checked(f"creating {username}", {201}, call("POST", f"{admin}/users", token, body=body))
    found = checked(f"reading {username}", {200}, call("GET", f"{admin}/users?exact=true&username={urllib.parse.quote(username)}", token))
    person = {"id": found[0]["id"], "username": username, "password": password}
    mappings = f"{admin}/users/{person['id']}/role-mappings/realm"
    if role != "patient":
        # Every new user is a patient (the realm's default role); staff are not.
        default = checked("reading the default role", {200}, call("GET", f"{admin}/roles/default-roles-{realm}", token))
        checked("removing the default role", {204}, call("DELETE", mappings, token, body=[default]))
    if role == "doctor":
        doctor = checked("reading the doctor role", {200}, call("GET", f"{admin}/roles/doctor", token))
        checked("mapping the doctor role", {204}, call("POST", mappings, token, body=[doctor]))
    return person


def begin(run_dir):
    if (run_dir / "people.json").exists():
        print(f"test_people: ending the run an interruption left in {run_dir}", file=sys.stderr)
        # begin's output is the shell's to eval: what end says goes to stderr here.
        with contextlib.redirect_stdout(sys.stderr):
            end(run_dir)
    base, admin, realm = keycloak()
    protected = seeded_ids()
    protected.update(psql("USERS_DATABASE_URL", "select id from profiles"))
    protected.update(psql("APPOINTMENTS_DATABASE_URL", "select id from people union select id from appointments union select id from time_off"))
    tag = f"test{secrets.token_hex(4)}"
    token = sign_in(base)
    people = {role: create_person(admin, token, realm, tag, role) for role in ROLES}
    run_dir.mkdir(parents=True, exist_ok=True)
    (run_dir / "protected").write_text("".join(f"{entry}\n" for entry in sorted(protected)))
    (run_dir / "onboarded").touch()
    people_file = run_dir / "people.json"
    people_file.touch(mode=0o600)
    people_file.write_text(json.dumps({"tag": tag, "people": people}, indent=1))
    exports = {"CAREBOOK_TEST_RUN": str(run_dir), "CAREBOOK_TEST_TAG": tag}
    for role, person in people.items():
        exports[f"CAREBOOK_TEST_{role.upper()}"] = person["username"]
        exports[f"CAREBOOK_TEST_{role.upper()}_PASSWORD"] = person["password"]
    for name, value in exports.items():
        print(f"export {name}={shlex.quote(value)}")


def undelivered():
    """Outbox rows not yet published, and records the template's consumer groups have not
    handled; None where it cannot tell (no Kafka tools)."""
    pending = 0
    for database in ("USERS_DATABASE_URL", "APPOINTMENTS_DATABASE_URL"):
        pending += int(psql(database, "select count(*) from outbox where published_at is null and parked_at is null")[0])
    java, libs = os.environ.get("KAFKA_JAVA"), os.environ.get("KAFKA_LIBS")
    if not (java and libs and Path(libs).is_dir()):
        return pending, None
    groups = set(re.findall(r"ConsumerGroupId:\s*(\S+)", TEMPLATE.read_text()))
    # All groups: naming one the broker does not know (no event source ran yet) fails the lot.
    command = [java, "-cp", f"{libs}/*", "org.apache.kafka.tools.consumer.group.ConsumerGroupCommand",
               "--bootstrap-server", os.environ["KAFKA_BOOTSTRAP_SERVERS"], "--describe", "--all-groups"]
    done = subprocess.run(command, capture_output=True, text=True)
    lag = 0
    column = None
    for line in done.stdout.splitlines():
        fields = line.split()
        if fields[:1] == ["GROUP"]:
            column = fields.index("LAG")
        elif column is not None and len(fields) > column and fields[0] in groups and fields[column].isdigit():
            lag += int(fields[column])
    return pending, lag


def drain():
    deadline = time.monotonic() + DRAIN_SECONDS
    while True:
        pending, lag = undelivered()
        if pending == 0 and not lag:
            if lag is None:
                print("test_people: no Kafka tools (KAFKA_JAVA, KAFKA_LIBS): not waiting for consumers", file=sys.stderr)
            return
        if time.monotonic() > deadline:
            print(f"test_people: after {DRAIN_SECONDS} s, {pending} outbox rows unpublished and a consumer lag of {lag}: removing anyway", file=sys.stderr)
            return
        time.sleep(2)


def tagged(admin, token, tag):
    """Keycloak users whose username or email carries the tag."""
    ids, first = set(), 0
    while True:
        page = checked(
            "searching the run's people", {200},
            call("GET", f"{admin}/users?briefRepresentation=true&first={first}&max=200&search={urllib.parse.quote(f'*{tag}*')}", token),
        )
        ids.update(user["id"] for user in page if tag in user["username"] or tag in (user.get("email") or ""))
        if len(page) < 200:
            return ids
        first += 200


def end(run_dir):
    state = json.loads((run_dir / "people.json").read_text())
    tag = state["tag"]
    drain()
    base, admin, _ = keycloak()
    token = sign_in(base)
    gone = {person["id"] for person in state["people"].values()}
    gone.update(str(uuid.UUID(line)) for line in (run_dir / "onboarded").read_text().split())
    gone.update(tagged(admin, token, tag))
    gone.update(psql("USERS_DATABASE_URL", "select id from profiles where username like :'tagged' or email like :'tagged'", tagged=f"%{tag}%"))
    ids = "{" + ",".join(sorted(gone)) + "}"
    appointments = psql(
        "APPOINTMENTS_DATABASE_URL",
        """begin;
        create temporary table gone_appointments as
            select id from appointments where patient_id = any(:'gone'::uuid[]) or doctor_id = any(:'gone'::uuid[]);
        delete from idempotency_keys where appointment_id in (select id from gone_appointments) or caller = any(:'gone'::uuid[]);
        delete from appointments where id in (select id from gone_appointments);
        delete from doctor_schedules where doctor_id = any(:'gone'::uuid[]);
        delete from time_off where doctor_id = any(:'gone'::uuid[]) or created_by = any(:'gone'::uuid[]);
        delete from people where id = any(:'gone'::uuid[]);
        select count(*) from gone_appointments;
        commit;""",
        gone=ids,
    )
    psql(
        "ANALYTICS_DATABASE_URL",
        """delete from appointments where patient_id = any(:'gone'::uuid[]) or doctor_id = any(:'gone'::uuid[]);
        delete from registrations where user_id = any(:'gone'::uuid[]);""",
        gone=ids,
    )
    psql("NOTIFICATIONS_DATABASE_URL", "delete from notifications where recipient_id = any(:'gone'::uuid[]);", gone=ids)
    psql("USERS_DATABASE_URL", "delete from profiles where id = any(:'gone'::uuid[]);", gone=ids)
    for person_id in sorted(gone):
        checked(f"deleting user {person_id}", {204, 404}, call("DELETE", f"{admin}/users/{person_id}", token))
    shutil.rmtree(run_dir)
    count = appointments[-1] if appointments else "0"
    print(f"removed the {len(gone)} people of test run {tag}, with their {count} appointments")


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in ("begin", "end"):
        sys.exit(__doc__)
    {"begin": begin, "end": end}[sys.argv[1]](Path(sys.argv[2]).resolve())
