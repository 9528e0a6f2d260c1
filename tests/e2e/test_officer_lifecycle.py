"""Issue 8's "Done when", over real HTTP: the local service on a free port (inside moto), the officer API
alone, real ID tokens from ``POST /_local/token``, and each step taken by the role the procedure gives it.

A statutory complaint made online goes from receipt through stage 1, stage 2 (with its independence
checks), stage 3 and the Ombudsman; a corporate complaint through its two stages. Wrong roles are tried
at each decision: the issue says a role that may not do something gets 403, and a case outside the
caller's scope 404. Those refusals are collected and checked at the end, so that one wrong answer does not
hide the rest of the procedure.

Every due date below is counted by hand on the England & Wales calendar (the count is in the comment next
to it). The clock is the suite's, from Thursday 26 November 2026, 10:00 UTC, moved on by hand; the service
and its workflow follow it, so the reminders and alerts due on the way are sent as they would be (the
chronologies below list what people did; the workflow's own tests check the alerts).
Bank holidays on the way: Fri 25 Dec 2026, Mon 28 Dec 2026 (Boxing Day's substitute), Fri 1 Jan 2027,
Good Friday 26 Mar 2027, Easter Monday 29 Mar 2027.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from datetime import UTC, datetime
from typing import Any

from infra.local.clock import LocalClock
from infra.local.service import LocalService
from tests.conftest import CHILD_AGREES, complaint

OFFICER = "complaints-officer"
MANAGER = "service-manager"  # social-work, the policy's first service area
OTHER_MANAGER = "service-manager-2"  # residential-care, the second
INVESTIGATOR = "investigator"
SENIOR = "senior-leadership"
ADMIN = "admin"
FORBIDDEN, NOT_FOUND, CONFLICT = 403, 404, 409


class Officers:
    """The officer API over HTTP, with each demo user's token from ``POST /_local/token``; refusals are
    collected (with what was expected) rather than stopping the procedure."""

    def __init__(self, service: LocalService, clock: LocalClock) -> None:
        self.service, self.clock = service, clock
        self.tokens: dict[str, str] = {}
        self.refusals: list[str] = []

    def http(
        self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None
    ) -> tuple[int, dict[str, str], Any]:
        data = None if body is None else json.dumps(body).encode()
        sent = {"Content-Type": "application/json", **(headers or {})}
        request = urllib.request.Request(f"{self.service.url}{path}", data=data, headers=sent, method=method)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, dict(response.headers), json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), json.loads(error.read() or b"null")

    def token(self, user: str) -> str:
        if user not in self.tokens:
            status, _, tokens = self.http("POST", "/_local/token", {"username": user})
            assert status == 200, tokens
            self.tokens[user] = tokens["id_token"]
        return self.tokens[user]

    def call(
        self, method: str, path: str, user: str, body: Any = None, headers: dict[str, str] | None = None
    ) -> tuple[int, dict[str, str], Any]:
        return self.http(
            method, path, body, {"Authorization": f"Bearer {self.token(user)}", **(headers or {})}
        )

    def on(self, day: str) -> None:
        """Move the clock to 10:00 UTC on ``day`` (GMT in winter, BST from 28 March 2027: the same London
        date either way)."""
        when = datetime.fromisoformat(day).replace(hour=10, tzinfo=UTC)
        assert when >= self.clock.now()
        self.service.advance_to(when)  # through every timer on the way, each run to its end

    def read(self, reference: str, user: str = OFFICER) -> tuple[dict[str, Any], str]:
        status, headers, body = self.call("GET", f"/cases/{reference}", user)
        assert status == 200, body
        return body, headers["ETag"]

    def act(self, reference: str, user: str, command: dict[str, Any]) -> dict[str, Any]:
        """``user`` reads the case (with its ETag) and takes ``command``, which must apply."""
        _, etag = self.read(reference, user)
        status, headers, body = self.call(
            "POST", f"/cases/{reference}/actions", user, command, {"If-Match": etag}
        )
        assert status == 200, (user, command["action"], body)
        assert headers["ETag"] != etag
        case: dict[str, Any] = body["case"]
        return case

    def refused(self, reference: str, user: str, command: dict[str, Any], expected: int) -> None:
        """``user`` tries ``command`` with the case's current ETag: it must be refused with ``expected``
        and change nothing."""
        before, etag = self.read(reference)
        status, _, body = self.call("POST", f"/cases/{reference}/actions", user, command, {"If-Match": etag})
        if status != expected:
            said = body.get("message") if isinstance(body, dict) else body
            self.refusals.append(f"{user} {command['action']}: {status}, expected {expected} ({said})")
        after, _ = self.read(reference)
        assert after["case"]["version"] == before["case"]["version"], f"{user} {command['action']} applied"

    def chronology(self, reference: str, user: str = OFFICER) -> list[tuple[str, str]]:
        """What people did to the case, in order (the workflow's reminders and alerts left out)."""
        status, _, body = self.call("GET", f"/cases/{reference}/events", user)
        assert status == 200, body
        return [(e["action"], e["by"]) for e in body["events"] if e["action"] != "deadline-alert"]

    def register(self, person: dict[str, Any]) -> None:
        declarations = {k: v for k, v in person.items() if k != "person_id"}  # the address names them
        status, _, body = self.call("PUT", f"/people/{person['person_id']}", OFFICER, declarations)
        assert status == 200, body

    def check_refusals(self) -> None:
        assert not self.refusals, "refused with the wrong status:\n" + "\n".join(self.refusals)


def submit_online(officers: Officers, **overrides: Any) -> str:
    status, _, body = officers.http("POST", "/representations", complaint(**overrides))
    assert status == 201, body
    reference: str = body["reference"]
    return reference


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


def attested(day: str) -> dict[str, Any]:
    return {"attested_on": day, "declarations_true": True, "no_connection_with_the_case": True}


def due(case: dict[str, Any], step: str) -> str | None:
    deadline = case["deadlines"].get(step)
    return deadline["due"] if deadline else None


FINDINGS = [
    {"point": "Calls about the care plan were not returned", "outcome": "upheld"},
    {"point": "The care plan review was late", "outcome": "not-upheld"},
]


def test_a_statutory_complaint_from_receipt_through_three_stages_and_the_ombudsman(
    officers: Officers,
) -> None:
    o = officers
    reference = submit_online(
        o,
        service_area="social-work",
        what_happened="Nobody returned my calls about the care plan (statutory).",
    )

    # Receipt, Thu 26 Nov 2026.
    view, _ = o.read(reference)
    case = view["case"]
    assert case["status"] == "received" and case["channel"] == "public-api"
    # Acknowledgement, 3 working days after Thu 26 Nov: Fri 27, Mon 30, Tue 1 Dec.
    assert case["acknowledgement_due"] == "2026-12-01"
    # Made by a parent for their child: the child's own wishes and views come first (Getting the Best
    # from Complaints), so the complaint is not accepted until they are recorded.
    assert "accept" not in view["possible_actions"] and "record-child-views" in view["possible_actions"]
    accept = {"action": "accept", "procedure": "statutory", "reason": "A parent of a child in need: s.26(3)."}
    o.refused(reference, OFFICER, accept, CONFLICT)
    o.act(reference, OFFICER, CHILD_AGREES)
    o.refused(reference, SENIOR, accept, FORBIDDEN)  # senior leadership reads; triage is not theirs
    o.refused(reference, OTHER_MANAGER, accept, NOT_FOUND)  # another area's case is not revealed
    o.refused(reference, INVESTIGATOR, accept, NOT_FOUND)  # not appointed to it
    o.refused(reference, ADMIN, accept, FORBIDDEN)  # admins do not work on cases

    # Stage 1: accepted and allocated by the complaints officer, answered by social work's manager.
    case = o.act(reference, OFFICER, accept)
    assert case["status"] == "stage1" and case["procedure"] == "statutory"
    # Stage 1, 10 working days from Thu 26 Nov: Fri 27, Mon 30, Tue 1, Wed 2, Thu 3, Fri 4, Mon 7, Tue 8,
    # Wed 9, Thu 10 Dec.
    assert due(case, "stage1") == "2026-12-10"
    allocate = {
        "action": "allocate",
        "manager": MANAGER,
        "categories": ["Poor communication"],
        "complaint_points": [f["point"] for f in FINDINGS],
        "service_area": "social-work",
    }
    o.refused(reference, SENIOR, allocate, FORBIDDEN)
    case = o.act(reference, OFFICER, allocate)
    assert case["allocated_manager"] == MANAGER
    status, _, mine = o.call("GET", "/cases?mine=true", MANAGER)
    assert status == 200 and [c["reference"] for c in mine["cases"]] == [reference]

    o.on("2026-12-08")  # Tue 8 Dec 2026
    respond1 = {
        "action": "respond-stage1",
        "sent_on": "2026-12-08",
        "findings": FINDINGS,
        "resolutions": ["Apology"],
    }
    o.refused(reference, OTHER_MANAGER, respond1, NOT_FOUND)
    o.refused(reference, SENIOR, respond1, FORBIDDEN)
    case = o.act(reference, MANAGER, respond1)
    assert case["status"] == "stage1-responded" and "stage1" not in case["deadlines"]
    # The window to ask for stage 2, 20 working days from Tue 8 Dec: Wed 9 (1), Thu 10, Fri 11, Mon 14,
    # Tue 15 (5), Wed 16, Thu 17, Fri 18, Mon 21, Tue 22 (10), Wed 23, Thu 24 (12); Fri 25 Dec, Sat, Sun and
    # Mon 28 Dec (Boxing Day's substitute) are not working days; Tue 29 (13), Wed 30, Thu 31 (15); Fri 1
    # Jan is not; Mon 4 (16), Tue 5, Wed 6, Thu 7, Fri 8 Jan 2027 (20).
    assert due(case, "stage2-request") == "2027-01-08"

    # Stage 2: asked for on Mon 4 Jan 2027.
    o.on("2027-01-04")
    case = o.act(reference, OFFICER, {"action": "request-stage2", "requested_on": "2027-01-04"})
    assert case["status"] == "stage2" and "stage2-request" not in case["deadlines"]
    # Stage 2, 25 working days from Mon 4 Jan: Tue 5 (1) ... Fri 8 (4), Mon 11 - Fri 15 (9), Mon 18 - Fri 22
    # (14), Mon 25 - Fri 29 (19), Mon 1 - Fri 5 Feb (24), Mon 8 Feb 2027 (25).
    assert due(case, "stage2") == "2027-02-08"

    o.register(
        declared(
            "io-staff",
            "Ira Investigating",
            ["investigator"],
            council_officer=True,
            external=False,
            line_management_areas=["youth-justice"],
            staff_user=INVESTIGATOR,
        )
    )
    o.register(
        declared(
            "io-line",
            "Lee Linemanaged",
            ["investigator"],
            council_officer=True,
            external=False,
            line_management_areas=["social-work"],
        )
    )
    o.register(declared("ip-ext", "Ina Independent", ["independent-person", "panel-member"]))
    o.register(
        declared("ip-officer", "Olly Officer", ["independent-person"], external=False, council_officer=True)
    )
    for n in (1, 2, 3):
        o.register(declared(f"panel-{n}", f"Panel Member {n}", ["panel-member"]))

    appoint_io = {
        "action": "appoint-investigator",
        "person_id": "io-staff",
        "attestation": attested("2027-01-04"),
    }
    appoint_ip = {
        "action": "appoint-independent-person",
        "person_id": "ip-ext",
        "attestation": attested("2027-01-04"),
    }
    # Independence (the rules' stage 2): not in the service's line management; the IP not an officer.
    o.refused(reference, OFFICER, {**appoint_io, "person_id": "io-line"}, CONFLICT)
    o.refused(reference, OFFICER, {**appoint_ip, "person_id": "ip-officer"}, CONFLICT)
    o.refused(reference, MANAGER, appoint_io, FORBIDDEN)
    assert o.call("GET", f"/cases/{reference}", INVESTIGATOR)[0] == NOT_FOUND, "not appointed yet"
    case = o.act(reference, OFFICER, appoint_io)
    assert case["stage2"]["investigator"]["person"]["person_id"] == "io-staff"
    case = o.act(reference, OFFICER, appoint_ip)
    assert case["stage2"]["independent_person"]["person"]["person_id"] == "ip-ext"

    # The investigator, now appointed, finds the case among theirs, sees it and records the report; they
    # cannot adjudicate.
    status, _, mine = o.call("GET", "/cases?mine=true", INVESTIGATOR)
    assert status == 200 and [c["reference"] for c in mine["cases"]] == [reference]
    o.on("2027-02-01")  # Mon 1 Feb 2027
    view, _ = o.read(reference, INVESTIGATOR)
    assert "record-investigation-report" in view["possible_actions"]
    assert "respond-stage2" not in view["possible_actions"]
    report = {"action": "record-investigation-report", "submitted_on": "2027-02-01", "findings": FINDINGS}
    o.refused(reference, SENIOR, report, FORBIDDEN)
    case = o.act(reference, INVESTIGATOR, report)
    assert case["stage2"]["report"]["recorded_by"] == INVESTIGATOR

    o.on("2027-02-03")  # Wed 3 Feb 2027
    adjudicate = {"action": "respond-stage2", "sent_on": "2027-02-03", "findings": FINDINGS}
    o.refused(reference, INVESTIGATOR, adjudicate, FORBIDDEN)  # the investigator cannot adjudicate
    o.refused(reference, MANAGER, adjudicate, FORBIDDEN)  # nor the service complained about
    o.refused(reference, OFFICER, adjudicate, FORBIDDEN)  # a senior manager adjudicates
    case = o.act(reference, SENIOR, adjudicate)
    assert case["status"] == "stage2-responded" and "stage2" not in case["deadlines"]
    # The window to ask for stage 3, 20 working days from Wed 3 Feb: Thu 4 (1), Fri 5, Mon 8 - Fri 12 (7),
    # Mon 15 - Fri 19 (12), Mon 22 - Fri 26 (17), Mon 1, Tue 2, Wed 3 Mar 2027 (20).
    assert due(case, "stage3-request") == "2027-03-03"
    assert o.chronology(reference)[-4:] == [
        ("appoint-investigator", OFFICER),
        ("appoint-independent-person", OFFICER),
        ("record-investigation-report", INVESTIGATOR),
        ("respond-stage2", SENIOR),
    ]

    # Stage 3: asked for on Mon 15 Feb 2027.
    o.on("2027-02-15")
    case = o.act(reference, OFFICER, {"action": "request-stage3", "requested_on": "2027-02-15"})
    assert case["status"] == "stage3-panel" and "stage3-request" not in case["deadlines"]
    # The panel, within 30 working days of Mon 15 Feb: Tue 16 (1) - Fri 19 (4), Mon 22 - Fri 26 (9),
    # Mon 1 - Fri 5 Mar (14), Mon 8 - Fri 12 (19), Mon 15 - Fri 19 (24), Mon 22 - Thu 25 (28); Good Friday
    # 26 Mar, Sat, Sun and Easter Monday 29 Mar are not working days; Tue 30 (29), Wed 31 Mar 2027 (30).
    assert due(case, "stage3-panel") == "2027-03-31"

    o.on("2027-02-16")  # Tue 16 Feb 2027
    members = [{"person_id": f"panel-{n}", "attestation": attested("2027-02-16")} for n in (1, 2, 3)]
    convene = {"action": "convene-panel", "members": members, "chair": "panel-1", "meeting_on": "2027-03-10"}
    with_ip = [*members[:2], {"person_id": "ip-ext", "attestation": attested("2027-02-16")}]
    o.refused(reference, OFFICER, {**convene, "members": with_ip}, CONFLICT)  # the stage 2 IP may not sit
    o.refused(reference, OFFICER, {**convene, "members": members[:2]}, CONFLICT)  # three people
    o.refused(reference, SENIOR, convene, FORBIDDEN)
    case = o.act(reference, OFFICER, convene)
    assert case["stage3"]["panel"]["chair"] == "panel-1" and case["status"] == "stage3-panel"

    o.on("2027-03-10")  # Wed 10 Mar 2027
    met = {
        "action": "panel-met",
        "met_on": "2027-03-10",
        "attendees": [{"role": "advocate", "name": "Ada Advocate"}, {"role": "other", "name": "Gran Jones"}],
    }
    o.refused(reference, MANAGER, met, FORBIDDEN)
    case = o.act(reference, OFFICER, met)
    assert case["status"] == "stage3-report" and "stage3-panel" not in case["deadlines"]
    # The panel's report, 5 working days from Wed 10 Mar: Thu 11, Fri 12, Mon 15, Tue 16, Wed 17 Mar 2027.
    assert due(case, "stage3-report") == "2027-03-17"

    o.on("2027-03-15")  # Mon 15 Mar 2027
    reported = {
        "action": "panel-reported",
        "reported_on": "2027-03-15",
        "findings": FINDINGS,
        "sent_to_complainant": True,
        "sent_to_independent_person": True,
    }
    case = o.act(reference, OFFICER, reported)
    assert case["status"] == "stage3-response" and "stage3-report" not in case["deadlines"]
    # The authority's response, 15 working days from Mon 15 Mar: Tue 16 - Fri 19 (4), Mon 22 - Thu 25 (8);
    # Good Friday, the weekend and Easter Monday are not; Tue 30, Wed 31, Thu 1 Apr, Fri 2 (12), Mon 5,
    # Tue 6, Wed 7 Apr 2027 (15).
    assert due(case, "stage3-response") == "2027-04-07"

    o.on("2027-04-01")  # Thu 1 Apr 2027
    respond3 = {
        "action": "respond-stage3",
        "sent_on": "2027-04-01",
        "independent_person_view_considered": True,
        "ombudsman_details_given": True,
        "resolutions": ["Apology", "Financial remedy"],
        "remedies_pence": 15000,
    }
    o.refused(
        reference, OFFICER, respond3, FORBIDDEN
    )  # the complaints officer cannot respond for the council
    o.refused(reference, MANAGER, respond3, FORBIDDEN)
    # The investigator sees the case only while stage 2 runs: now it is, for them, no case at all.
    o.refused(reference, INVESTIGATOR, respond3, NOT_FOUND)
    case = o.act(reference, SENIOR, respond3)
    assert case["status"] == "stage3-responded" and case["deadlines"] == {}
    assert case["responses"]["stage3"]["remedies_pence"] == 15000

    # The Ombudsman strand, beside the stages: the case's status does not move.
    o.on("2027-06-10")  # Thu 10 Jun 2027
    enquiry = {
        "action": "ombudsman-enquiry",
        "received_on": "2027-05-04",
        "ombudsman_reference": "LGSCO/27/0042",
    }
    o.refused(reference, MANAGER, enquiry, FORBIDDEN)
    o.refused(reference, SENIOR, enquiry, FORBIDDEN)
    case = o.act(reference, OFFICER, enquiry)
    assert case["status"] == "stage3-responded"
    assert case["ombudsman"][0]["status_at_enquiry"] == "stage3-responded"
    decision = {
        "action": "ombudsman-decision",
        "decided_on": "2027-05-28",
        "outcome": "upheld",
        "remedy_pence": 25000,
        "remedies": ["Apology"],
        "compliance_due": "2027-06-25",
    }
    case = o.act(reference, OFFICER, decision)
    assert case["ombudsman"][0]["decision"] == "upheld" and case["status"] == "stage3-responded"
    complied = {"action": "ombudsman-complied", "complied_on": "2027-06-10"}
    o.refused(reference, SENIOR, complied, FORBIDDEN)
    case = o.act(reference, OFFICER, complied)
    assert case["ombudsman"][0]["complied_on"] == "2027-06-10"

    case = o.act(reference, OFFICER, {"action": "close", "reason": "All stages and the Ombudsman are done."})
    assert case["status"] == "closed"
    assert o.chronology(reference, SENIOR) == [
        ("received", "public"),
        ("record-child-views", OFFICER),
        ("accept", OFFICER),
        ("allocate", OFFICER),
        ("respond-stage1", MANAGER),
        ("request-stage2", OFFICER),
        ("appoint-investigator", OFFICER),
        ("appoint-independent-person", OFFICER),
        ("record-investigation-report", INVESTIGATOR),
        ("respond-stage2", SENIOR),
        ("request-stage3", OFFICER),
        ("convene-panel", OFFICER),
        ("panel-met", OFFICER),
        ("panel-reported", OFFICER),
        ("respond-stage3", SENIOR),
        ("ombudsman-enquiry", OFFICER),
        ("ombudsman-decision", OFFICER),
        ("ombudsman-complied", OFFICER),
        ("close", OFFICER),
    ], "every change, once, in order, with who made it; refusals leave nothing"
    o.check_refusals()


def test_a_corporate_complaint_through_its_two_stages(officers: Officers) -> None:
    o = officers
    reference = submit_online(
        o,
        role="other",
        on_behalf_of="myself",
        service_area="residential-care",
        what_happened="The children's home's minibus blocks my drive every morning (corporate).",
    )
    accept = {"action": "accept", "procedure": "corporate", "reason": "Not about a child's care: corporate."}
    case = o.act(reference, OFFICER, accept)
    assert case["status"] == "stage1" and case["procedure"] == "corporate"
    # Corporate stage 1, 10 working days from Thu 26 Nov 2026: Fri 27, Mon 30 - Fri 4 Dec (6), Mon 7 - Thu 10.
    assert due(case, "stage1") == "2026-12-10"
    case = o.act(reference, OFFICER, {"action": "allocate", "manager": OTHER_MANAGER})
    assert case["service_area"] == "residential-care"

    o.on("2026-12-10")  # Thu 10 Dec 2026
    respond1 = {"action": "respond-stage1", "sent_on": "2026-12-10", "findings": FINDINGS[:1]}
    o.refused(reference, MANAGER, respond1, NOT_FOUND)  # social work's manager: not their case
    o.refused(reference, SENIOR, respond1, FORBIDDEN)
    case = o.act(reference, OTHER_MANAGER, respond1)
    assert case["status"] == "stage1-responded"
    # Corporate stage 2 window, 20 working days from Thu 10 Dec: Fri 11 (1), Mon 14 - Fri 18 (6), Mon 21 -
    # Thu 24 (10); Fri 25, Mon 28 Dec are not; Tue 29 - Thu 31 (13); Fri 1 Jan is not; Mon 4 - Fri 8 (18),
    # Mon 11 (19), Tue 12 Jan 2027 (20).
    assert due(case, "stage2-request") == "2027-01-12"

    o.on("2027-01-05")  # Tue 5 Jan 2027
    case = o.act(reference, OFFICER, {"action": "request-stage2", "requested_on": "2027-01-05"})
    assert case["status"] == "stage2"
    # Corporate stage 2, 20 working days from Tue 5 Jan: Wed 6 - Fri 8 (3), Mon 11 - Fri 15 (8), Mon 18 -
    # Fri 22 (13), Mon 25 - Fri 29 (18), Mon 1 (19), Tue 2 Feb 2027 (20).
    assert due(case, "stage2") == "2027-02-02"

    o.register(
        declared(
            "io-corporate",
            "Ira Investigating",
            ["investigator"],
            council_officer=True,
            external=False,
            line_management_areas=["adoption"],
            staff_user=INVESTIGATOR,
        )
    )
    o.register(declared("ip-corporate", "Ina Independent", ["independent-person"]))
    attestation = attested("2027-01-05")
    o.refused(
        reference,
        OFFICER,
        {"action": "appoint-independent-person", "person_id": "ip-corporate", "attestation": attestation},
        CONFLICT,  # only the statutory procedure has an independent person
    )
    appoint = {"action": "appoint-investigator", "person_id": "io-corporate", "attestation": attestation}
    case = o.act(reference, OFFICER, appoint)

    o.on("2027-01-25")  # Mon 25 Jan 2027
    report = {"action": "record-investigation-report", "submitted_on": "2027-01-25", "findings": FINDINGS[:1]}
    case = o.act(reference, INVESTIGATOR, report)
    o.on("2027-01-28")  # Thu 28 Jan 2027
    adjudicate = {"action": "respond-stage2", "sent_on": "2027-01-28", "findings": FINDINGS[:1]}
    o.refused(reference, INVESTIGATOR, adjudicate, FORBIDDEN)
    o.refused(reference, OTHER_MANAGER, adjudicate, FORBIDDEN)
    case = o.act(reference, SENIOR, adjudicate)
    assert case["status"] == "stage2-responded" and case["deadlines"] == {}, "no stage 3 window"
    o.refused(reference, OFFICER, {"action": "request-stage3", "requested_on": "2027-01-28"}, CONFLICT)

    case = o.act(reference, OFFICER, {"action": "close", "reason": "Both corporate stages are answered."})
    assert case["status"] == "closed"
    assert o.chronology(reference, OTHER_MANAGER) == [
        ("received", "public"),
        ("accept", OFFICER),
        ("allocate", OFFICER),
        ("respond-stage1", OTHER_MANAGER),
        ("request-stage2", OFFICER),
        ("appoint-investigator", OFFICER),
        ("record-investigation-report", INVESTIGATOR),
        ("respond-stage2", SENIOR),
        ("close", OFFICER),
    ]
    o.check_refusals()
