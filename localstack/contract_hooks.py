"""schemathesis hooks of localstack/contract.sh (SCHEMATHESIS_HOOKS), for a run of
localstack/test_people.py (CAREBOOK_TEST_RUN).

The contract's people may change only what the run made. schemathesis reuses ids it read in
answers (against a stub listing the seeded doctor, it sent 14 PUTs to their working hours), so
the run's admin, who sees everyone, could replace a seeded doctor's week or cancel a newcomer's
appointment, and the run's patient could book with the seeded doctor. A request that changes
something, about a person or an appointment from before the run, is sent about a stranger
instead: an id nobody has, answered as documented.

And whom the run's admin onboards, with the addresses schemathesis makes up, is written to
RUN_DIR/onboarded, for test_people.py to take away afterwards. A closure or time off the run
records is taken back at once: a closure shuts the clinic for everyone, the seeded people and
the journeys included.
"""

import os
import uuid
from pathlib import Path

import requests
import schemathesis

RUN = Path(os.environ["CAREBOOK_TEST_RUN"])
PROTECTED = frozenset((RUN / "protected").read_text().split())
READS = frozenset({"GET", "HEAD", "OPTIONS"})


def strangers(value):
    """`value` with every protected id, however deep, replaced by a new one."""
    if isinstance(value, str) and value.lower() in PROTECTED:
        return str(uuid.uuid4())
    if isinstance(value, dict):
        return {key: strangers(item) for key, item in value.items()}
    if isinstance(value, list):
        return [strangers(item) for item in value]
    return value


@schemathesis.hook
def before_call(context, case, kwargs):
    if case.method.upper() in READS:
        return
    for part in ("path_parameters", "query", "body"):
        value = getattr(case, part)
        swapped = strangers(value)
        if swapped != value:
            setattr(case, part, swapped)


@schemathesis.hook
def after_call(context, case, response):
    if case.method.upper() == "POST" and case.operation.path == "/users" and response.status_code == 201:
        with (RUN / "onboarded").open("a") as onboarded:
            onboarded.write(f"{response.json()['id']}\n")
    if case.method.upper() == "POST" and response.status_code == 201:
        taken_back = {
            "/closures": "/closures/{id}",
            "/doctors/{id}/time-off": "/doctors/{doctor_id}/time-off/{id}",
        }.get(case.operation.path)
        if taken_back:
            time_off = response.json()["time_off"]
            path = taken_back.format(id=time_off["id"], doctor_id=time_off.get("doctor_id"))
            requests.delete(
                os.environ["CONTRACT_API"].rstrip("/") + path,
                headers={"Authorization": response.request.headers["Authorization"]},
                timeout=30,
            ).raise_for_status()
