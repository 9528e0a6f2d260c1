"""Personal data never reaches the logs (issue 8, "Contract, tools and data protection"): a whole lifecycle
is run through the local gateway, with the notifications it owes sent from the table's stream, while
everything logged is captured: what reaches stdout and stderr at the file-descriptor level (Powertools'
JSON lines, prints), every log record any logger makes (message, arguments and extra keys), and what every
stream handler writes. None of the complainant's, the child's, the advocate's or the appointees' details,
nor the free text of the complaint and the officers' notes, may appear in any of it."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest

from infra.local.clock import LocalClock
from infra.local.service import LocalService
from tests.conftest import CHILD_AGREES, start_service

TODAY = "2026-11-26"  # the clock fixture: Thursday 26 November 2026

#: Distinctive values, each of which would be found if any part of it were logged.
PERSONAL = {
    "name": "Zebedee Quillfeather",
    "email": "zebedee.quillfeather@example.org",
    "phone": "07700 900123",
    "child_name": "Marigold Quillfeather-Oyelaran",
    "address": "17 Larkspur Mews, Puddlecombe PC9 4XQ",
    "advocate_name": "Horatio Wimblesby",
    "advocate_organisation": "Brightlantern Advocacy",
    "advocate_email": "horatio@brightlantern.example.org",
    "team_or_worker": "Ms Persephone Thistlewood",
    "what_happened": "Marigold's contact visits with her grandmother Ottoline were cancelled six times.",
    "outcome_wanted": "Reinstate the Tuesday visits at the Cobblestone family centre.",
    "support_other": "I am dyslexic; please phone before writing.",
}
NOTE = "Spoke to Zebedee about the octarine teapot incident at the Cobblestone centre."
INVESTIGATOR_NAME = "Ignatius Pemberton-Skye"
INDEPENDENT_NAME = "Cordelia Fanshawe-Mbeki"
PANEL_NAMES = ("Barnaby Quince", "Wilhelmina Ashdown", "Tobias Nightingale-Roe")
ATTENDEE = "Granny Ottoline Quillfeather"
#: What must never be logged: each value, and the parts a careless log line might carry instead.
SECRETS = sorted(
    {
        *PERSONAL.values(),
        NOTE,
        INVESTIGATOR_NAME,
        INDEPENDENT_NAME,
        *PANEL_NAMES,
        ATTENDEE,
        "Quillfeather",
        "zebedee.quillfeather",
        "900123",
        "Larkspur",
        "Wimblesby",
        "Thistlewood",
        "Ottoline",
        "octarine teapot",
        "Cobblestone",
        "dyslexic",
        "Pemberton-Skye",
        "Fanshawe-Mbeki",
    }
)


class Tee(io.TextIOBase):
    """A stream that keeps a copy of what is written to it and passes it on."""

    def __init__(self, original: Any, copy: io.StringIO) -> None:
        self.original, self.copy = original, copy

    def write(self, text: str) -> int:
        self.copy.write(text)
        return int(self.original.write(text))

    def flush(self) -> None:
        self.original.flush()


@pytest.fixture
def handler_output() -> Iterator[io.StringIO]:
    """What every stream handler of every logger writes (Powertools' among them), however its stream was
    bound when the logger was made."""
    copy = io.StringIO()
    loggers = [logging.getLogger(), *(logging.getLogger(n) for n in list(logging.root.manager.loggerDict))]
    swapped = []
    for logger in loggers:
        for handler in getattr(logger, "handlers", []):
            ours = type(handler).__module__.startswith("_pytest")  # caplog's own handlers
            if (
                isinstance(handler, logging.StreamHandler)
                and not ours
                and not isinstance(handler.stream, Tee)
                and not getattr(handler.stream, "closed", False)  # a finished test's capture: writes nothing
            ):
                swapped.append((handler, handler.stream))
                handler.setStream(Tee(handler.stream, copy))
    yield copy
    for handler, stream in swapped:
        handler.setStream(stream)


@pytest.fixture
def service(clock: LocalClock) -> Iterator[LocalService]:
    from moto import mock_aws

    with mock_aws():
        local = start_service(clock)
        yield local


class Api:
    def __init__(self, service: LocalService) -> None:
        self.service = service
        self.tokens: dict[str, str] = {}

    def call(
        self,
        method: str,
        path: str,
        user: str | None,
        body: Any = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, dict[str, str], Any]:
        sent = {"Content-Type": "application/json", **(headers or {})}
        if user is not None:
            if user not in self.tokens:
                assert self.service.staff is not None
                self.tokens[user] = self.service.staff.sign_in(user)["id_token"]
            sent["Authorization"] = self.tokens[user]
        status, out, payload = self.service.gateway.dispatch(
            method, path, sent, b"" if body is None else json.dumps(body).encode()
        )
        self.service.pump.drain()  # the notifications owed are sent, as the stream would
        return status, dict(out), json.loads(payload) if payload else None

    def act(self, reference: str, user: str, body: dict[str, Any], expected: int = 200) -> Any:
        _, headers, _ = self.call("GET", f"/cases/{reference}", "complaints-officer")
        path = f"/cases/{reference}/actions"
        status, _, answer = self.call("POST", path, user, body, {"If-Match": headers["ETag"]})
        assert status == expected, (body["action"], answer)
        return answer


def declared(person_id: str, name: str, roles: list[str], **more: Any) -> dict[str, Any]:
    return {
        "person_id": person_id,
        "name": name,
        "roles": roles,
        "council_officer": False,
        "council_member": False,
        "spouse_or_civil_partner_of_officer_or_member": False,
        "external": True,
        **more,
    }


ATTESTED = {"attested_on": TODAY, "declarations_true": True, "no_connection_with_the_case": True}
FINDINGS = [{"point": "Contact visits cancelled", "outcome": "upheld"}]


def lifecycle(api: Api) -> str:
    """Intake with every personal field, then officer actions from triage to the Ombudsman."""
    body = {
        "kind": "complaint",
        "role": "parent",
        "subject": "childrens-social-care",
        "on_behalf_of": "a-child",
        "preferred_contact": "email",
        "advocacy": "has-one",
        "support": ["other"],
        "service_area": "social-work",
        "when_happened": "2026-10-01",
        **PERSONAL,
    }
    status, _, receipt = api.call("POST", "/representations", None, body, {"Idempotency-Key": "logs-1"})
    assert status == 201, receipt
    reference: str = receipt["reference"]
    officer, manager, senior = "complaints-officer", "service-manager", "senior-leadership"
    api.act(reference, officer, {"action": "offer-advocacy", "offered_on": TODAY, "how": "email"})
    api.act(
        reference,
        officer,
        {"action": "record-advocacy", "accepted": True, "provider": "Brightlantern Advocacy"},
    )
    api.act(reference, officer, CHILD_AGREES)
    api.act(
        reference, officer, {"action": "accept", "procedure": "statutory", "reason": "A parent: s.26(3)."}
    )
    api.act(reference, officer, {"action": "note", "text": NOTE})
    api.act(
        reference, officer, {"action": "allocate", "manager": manager, "categories": ["Poor communication"]}
    )
    api.act(reference, officer, {"action": "extend", "reason": f"{NOTE} Needs more time."})
    api.act(reference, manager, {"action": "note", "text": f"Manager: {NOTE}"})
    api.act(reference, manager, {"action": "respond-stage1", "sent_on": TODAY, "findings": FINDINGS})
    api.act(reference, officer, {"action": "request-stage2", "requested_on": TODAY})
    people = [
        declared(
            "io-1",
            INVESTIGATOR_NAME,
            ["investigator"],
            council_officer=True,
            external=False,
            line_management_areas=["adoption"],
            staff_user="investigator",
        ),
        declared("io-2", "Lee Quillfeather-Line", ["investigator"], council_officer=True, external=False),
        declared("ip-1", INDEPENDENT_NAME, ["independent-person"]),
        *(declared(f"pm-{i}", name, ["panel-member"]) for i, name in enumerate(PANEL_NAMES)),
    ]
    people[1]["line_management_areas"] = ["social-work"]
    for entry in people:
        declarations = {k: v for k, v in entry.items() if k != "person_id"}
        status, _, answer = api.call("PUT", f"/people/{entry['person_id']}", officer, declarations)
        assert status == 200, answer
    # A refusal that names the person (Lee is in the line management of social work): an answer, not a log.
    api.act(
        reference,
        officer,
        {"action": "appoint-investigator", "person_id": "io-2", "attestation": ATTESTED},
        409,
    )
    api.act(
        reference, officer, {"action": "appoint-investigator", "person_id": "io-1", "attestation": ATTESTED}
    )
    api.act(
        reference,
        officer,
        {"action": "appoint-independent-person", "person_id": "ip-1", "attestation": ATTESTED},
    )
    api.act(reference, "investigator", {"action": "note", "text": f"Investigator: {NOTE}"})
    api.act(
        reference,
        "investigator",
        {"action": "record-investigation-report", "submitted_on": TODAY, "findings": FINDINGS},
    )
    api.act(reference, senior, {"action": "respond-stage2", "sent_on": TODAY, "findings": FINDINGS})
    api.act(reference, officer, {"action": "request-stage3", "requested_on": TODAY})
    members = [{"person_id": f"pm-{i}", "attestation": ATTESTED} for i in range(3)]
    api.act(
        reference,
        officer,
        {"action": "convene-panel", "members": members, "chair": "pm-0", "meeting_on": TODAY},
    )
    api.act(
        reference,
        officer,
        {"action": "panel-met", "met_on": TODAY, "attendees": [{"role": "other", "name": ATTENDEE}]},
    )
    api.act(
        reference,
        officer,
        {
            "action": "panel-reported",
            "reported_on": TODAY,
            "findings": FINDINGS,
            "sent_to_complainant": True,
            "sent_to_independent_person": True,
        },
    )
    api.act(
        reference,
        senior,
        {
            "action": "respond-stage3",
            "sent_on": TODAY,
            "independent_person_view_considered": True,
            "ombudsman_details_given": True,
        },
    )
    api.act(reference, officer, {"action": "ombudsman-enquiry", "received_on": TODAY})
    api.act(
        reference,
        officer,
        {"action": "add-action", "description": NOTE, "owner": manager, "due_on": "2027-01-29"},
    )
    for path, user in (
        (f"/cases/{reference}", senior),
        (f"/cases/{reference}/events", officer),
        ("/people", officer),
        ("/cases?mine=true", manager),
    ):
        status, _, answer = api.call("GET", path, user)
        assert status == 200, (path, answer)
    status, _, answer = api.call("POST", f"/cases/{reference}/export", officer, {"withhold": []})
    assert status == 200, answer
    return reference


def test_no_personal_data_reaches_the_logs_in_a_whole_lifecycle(
    service: LocalService,
    capfd: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
    handler_output: io.StringIO,
) -> None:
    # INFO everywhere: stricter than a Lambda's root logger (WARNING). Not DEBUG: botocore then logs every
    # request body it sends to DynamoDB, which is the store's traffic, not the service's logs.
    caplog.set_level(logging.INFO)
    api = Api(service)
    reference = lifecycle(api)

    # The lifecycle happened, and its emails went out (to the complainant's address), so the logs had
    # every chance to see it.
    _, _, case = api.call("GET", f"/cases/{reference}", "complaints-officer")
    assert (
        case["case"]["status"] == "stage3-responded"
        and case["case"]["complainant"]["name"] == PERSONAL["name"]
    )
    _, _, events = api.call("GET", f"/cases/{reference}/events", "complaints-officer")
    assert any(e["changes"].get("text") == NOTE for e in events["events"])
    out, err = capfd.readouterr()
    records = "\n".join(f"{r.name} {r.levelname} {r.getMessage()} {r.__dict__!r}" for r in caplog.records)
    captured = {
        "stdout": out,
        "stderr": err,
        "log records": records,
        "stream handlers": handler_output.getvalue(),
    }
    assert "case action" in out + handler_output.getvalue(), "Powertools' JSON lines were captured"
    assert reference in records, "the log records were captured"

    found = [
        f"{secret!r} in {where}"
        for secret in SECRETS
        for where, text in captured.items()
        if secret.casefold() in text.casefold()
    ]
    assert not found, "personal data in the logs:\n" + "\n".join(found)
