"""The authorisation matrix of the staff API: every authorized route of infra/catalog.py by every caller
(no token, and one per role, the service managers and the investigator both inside and outside their
scope) by a case of their own scope or of another → the status the issue's "Who may do what" gives. The
expectations are written by hand below; a route the catalog gains without an expectation here fails.

Through the in-process gateway (``service.gateway.dispatch``) with real ID tokens of the emulated Cognito.

The scope cases, all statutory complaints at stage 2:

- ``A``: social work (service-manager's area); the demo user ``investigator`` is its appointed
  investigating officer;
- ``B``: residential care (service-manager-2's area); investigated by an external investigator;
- ``C``: social work; investigated by the external investigator (so ``investigator`` is not appointed).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from infra.catalog import API_FUNCTIONS
from infra.local.service import LocalService
from shared import config, wiring
from shared.domain.clock import SystemClock
from tests.conftest import CHILD_AGREES, as_json, complaint, start_service

OWN_AREA, OTHER_AREA = "social-work", "residential-care"  # the policy's first two: the two managers'
TODAY = "2026-11-26"  # the fixed clock: Thursday 26 November 2026, 10:00 UTC

#: Who calls, as (demo user or None for no token, the case of their own scope, the case of another).
CALLERS: dict[str, tuple[str | None, str, str]] = {
    "no token": (None, "A", "B"),
    "complaints-officer": ("complaints-officer", "A", "B"),
    "service-manager (own area: A)": ("service-manager", "A", "B"),
    "service-manager-2 (own area: B)": ("service-manager-2", "B", "A"),
    "investigator (appointed to A)": ("investigator", "A", "B"),
    "investigator (not appointed: C)": ("investigator", "C", "B"),
    "senior-leadership": ("senior-leadership", "A", "B"),
    "admin": ("admin", "A", "B"),
}

#: Route → caller → (status on their own scope, status on another's). Written by hand from issue 8:
#: no token 401; a role that may not do it 403; a case outside the caller's scope 404 (its existence is
#: not revealed). complaints-officer: everything; service-manager: their own service areas' cases;
#: investigator: only the stage 2 case they are appointed to; senior-leadership: reads and reports plus the
#: stage 2 adjudication and the stage 3 response (so no other change, such as a note); admin: policy and
#: users, not cases.
EXPECTED: dict[tuple[str, str], dict[str, tuple[int, int]]] = {
    # Who the signed-in member of staff is: any staff user.
    ("GET", "/me"): {
        "no token": (401, 401),
        "complaints-officer": (200, 200),
        "service-manager (own area: A)": (200, 200),
        "service-manager-2 (own area: B)": (200, 200),
        "investigator (appointed to A)": (200, 200),
        "investigator (not appointed: C)": (200, 200),
        "senior-leadership": (200, 200),
        "admin": (200, 200),
    },
    # Lists: own scope is the default list (an investigator's: mine=true), another's names the other area.
    ("GET", "/cases"): {
        "no token": (401, 401),
        "complaints-officer": (200, 200),
        "service-manager (own area: A)": (200, 403),
        "service-manager-2 (own area: B)": (200, 403),
        "investigator (appointed to A)": (200, 403),
        "investigator (not appointed: C)": (200, 403),
        "senior-leadership": (200, 200),
        "admin": (403, 403),
    },
    # Registering a representation that came by another channel: the complaints officer's job.
    ("POST", "/cases"): {
        "no token": (401, 401),
        "complaints-officer": (201, 201),
        "service-manager (own area: A)": (403, 403),
        "service-manager-2 (own area: B)": (403, 403),
        "investigator (appointed to A)": (403, 403),
        "investigator (not appointed: C)": (403, 403),
        "senior-leadership": (403, 403),
        "admin": (403, 403),
    },
    ("GET", "/cases/{reference}"): {
        "no token": (401, 401),
        "complaints-officer": (200, 200),
        "service-manager (own area: A)": (200, 404),
        "service-manager-2 (own area: B)": (200, 404),
        "investigator (appointed to A)": (200, 404),
        "investigator (not appointed: C)": (404, 404),
        "senior-leadership": (200, 200),
        "admin": (403, 403),
    },
    ("GET", "/cases/{reference}/events"): {
        "no token": (401, 401),
        "complaints-officer": (200, 200),
        "service-manager (own area: A)": (200, 404),
        "service-manager-2 (own area: B)": (200, 404),
        "investigator (appointed to A)": (200, 404),
        "investigator (not appointed: C)": (404, 404),
        "senior-leadership": (200, 200),
        "admin": (403, 403),
    },
    # A subject access request's export: an officer chooses what is withheld (the complaints officer).
    ("POST", "/cases/{reference}/export"): {
        "no token": (401, 401),
        "complaints-officer": (200, 200),
        "service-manager (own area: A)": (403, 403),
        "service-manager-2 (own area: B)": (403, 403),
        "investigator (appointed to A)": (403, 403),
        "investigator (not appointed: C)": (403, 403),
        "senior-leadership": (403, 403),
        "admin": (403, 403),
    },
    # A case note (with the case's current ETag): any role that works on the case, within its scope;
    # senior leadership reads, and changes a case only by its two decisions.
    ("POST", "/cases/{reference}/actions"): {
        "no token": (401, 401),
        "complaints-officer": (200, 200),
        "service-manager (own area: A)": (200, 404),
        "service-manager-2 (own area: B)": (200, 404),
        "investigator (appointed to A)": (200, 404),
        "investigator (not appointed: C)": (404, 404),
        "senior-leadership": (403, 403),
        "admin": (403, 403),
    },
    # The people register: read by every member of staff who works with it; kept (and so also read) by
    # complaints officers and admins (shared/domain/access.py, manages_people).
    ("GET", "/people"): {
        "no token": (401, 401),
        "complaints-officer": (200, 200),
        "service-manager (own area: A)": (200, 200),
        "service-manager-2 (own area: B)": (200, 200),
        "investigator (appointed to A)": (200, 200),
        "investigator (not appointed: C)": (200, 200),
        "senior-leadership": (200, 200),
        "admin": (200, 200),
    },
    ("PUT", "/people/{person_id}"): {
        "no token": (401, 401),
        "complaints-officer": (200, 200),
        "service-manager (own area: A)": (403, 403),
        "service-manager-2 (own area: B)": (403, 403),
        "investigator (appointed to A)": (403, 403),
        "investigator (not appointed: C)": (403, 403),
        "senior-leadership": (403, 403),
        "admin": (200, 200),
    },
    # The council's lists that requests are checked against (issue 17): any member of staff.
    ("GET", "/lists"): {
        "no token": (401, 401),
        "complaints-officer": (200, 200),
        "service-manager (own area: A)": (200, 200),
        "service-manager-2 (own area: B)": (200, 200),
        "investigator (appointed to A)": (200, 200),
        "investigator (not appointed: C)": (200, 200),
        "senior-leadership": (200, 200),
        "admin": (200, 200),
    },
    # Moving every open deadline after the bank holidays change (issue 9: "an admin route"): the
    # administrator's, who keeps the policy; no case scope.
    ("POST", "/deadlines/recompute"): {
        "no token": (401, 401),
        "complaints-officer": (403, 403),
        "service-manager (own area: A)": (403, 403),
        "service-manager-2 (own area: B)": (403, 403),
        "investigator (appointed to A)": (403, 403),
        "investigator (not appointed: C)": (403, 403),
        "senior-leadership": (403, 403),
        "admin": (200, 200),
    },
    # The reports (issue 10), about no one case: the same answer whichever case is the caller's. The annual
    # report: complaints officers and senior leadership; its context figures are entered by complaints
    # officers; the live views also by service managers (confined to their own areas by what they show).
    ("GET", "/reports/annual"): {
        "no token": (401, 401),
        "complaints-officer": (200, 200),
        "service-manager (own area: A)": (403, 403),
        "service-manager-2 (own area: B)": (403, 403),
        "investigator (appointed to A)": (403, 403),
        "investigator (not appointed: C)": (403, 403),
        "senior-leadership": (200, 200),
        "admin": (403, 403),
    },
    ("PUT", "/reports/context/{year}"): {
        "no token": (401, 401),
        "complaints-officer": (200, 200),
        "service-manager (own area: A)": (403, 403),
        "service-manager-2 (own area: B)": (403, 403),
        "investigator (appointed to A)": (403, 403),
        "investigator (not appointed: C)": (403, 403),
        "senior-leadership": (403, 403),
        "admin": (403, 403),
    },
    **{
        ("GET", path): {
            "no token": (401, 401),
            "complaints-officer": (200, 200),
            "service-manager (own area: A)": (200, 200),
            "service-manager-2 (own area: B)": (200, 200),
            "investigator (appointed to A)": (403, 403),
            "investigator (not appointed: C)": (403, 403),
            "senior-leadership": (200, 200),
            "admin": (403, 403),
        }
        for path in ("/reports/scorecard", "/reports/rag", "/reports/action-plans")
    },
}

CATALOG_ROUTES = sorted(
    (route.method, route.path) for spec in API_FUNCTIONS for route in spec.routes if route.authorized
)


def person(person_id: str, **declared: Any) -> dict[str, Any]:
    return {
        "person_id": person_id,
        "name": f"Person {person_id}",
        "roles": ["investigator"],
        "council_officer": False,
        "council_member": False,
        "spouse_or_civil_partner_of_officer_or_member": False,
        "external": True,
        **declared,
    }


STAFF_INVESTIGATOR = person(
    "inv-staff",
    council_officer=True,
    external=False,
    line_management_areas=["youth-justice"],
    staff_user="investigator",
)
EXTERNAL_INVESTIGATOR = person("inv-ext")
ATTESTATION = {"attested_on": TODAY, "declarations_true": True, "no_connection_with_the_case": True}


class Api:
    """The local gateway in-process, with each demo user's ID token fetched once."""

    def __init__(self, service: LocalService) -> None:
        self.service = service
        self.tokens: dict[str, str] = {}

    def token(self, user: str) -> str:
        if user not in self.tokens:
            assert self.service.staff is not None
            self.tokens[user] = self.service.staff.sign_in(user)["id_token"]
        return self.tokens[user]

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
            sent["Authorization"] = self.token(user)
        status, out, payload = self.service.gateway.dispatch(
            method, path, sent, b"" if body is None else json.dumps(body).encode()
        )
        return status, dict(out), json.loads(payload) if payload else None

    def act(self, reference: str, user: str, body: dict[str, Any]) -> dict[str, Any]:
        status, headers, _ = self.call("GET", f"/cases/{reference}", "complaints-officer")
        assert status == 200
        status, _, answer = self.call(
            "POST", f"/cases/{reference}/actions", user, body, {"If-Match": headers["ETag"]}
        )
        assert status == 200, (body, answer)
        return dict(answer)

    def etag(self, reference: str) -> str:
        status, headers, _ = self.call("GET", f"/cases/{reference}", "complaints-officer")
        assert status == 200
        return headers["ETag"]


def at_stage2(api: Api, name: str, area: str, investigator: str) -> str:
    """A statutory complaint about ``area`` taken to stage 2, with ``investigator`` appointed."""
    body = complaint(service_area=area, what_happened=f"Case {name}: nobody returned my calls.")
    status, _, payload = api.service.gateway.dispatch(
        "POST", "/representations", {"Content-Type": "application/json"}, as_json(body)
    )
    assert status == 201, payload
    reference: str = json.loads(payload)["reference"]
    manager = "service-manager" if area == OWN_AREA else "service-manager-2"
    officer = "complaints-officer"
    accept = {"action": "accept", "procedure": "statutory", "reason": "A parent of a child in need: s.26(3)."}
    api.act(reference, officer, CHILD_AGREES)
    api.act(reference, officer, accept)
    api.act(reference, officer, {"action": "allocate", "manager": manager, "service_area": area})
    finding = {"point": "Calls not returned", "outcome": "upheld"}
    api.act(reference, manager, {"action": "respond-stage1", "sent_on": TODAY, "findings": [finding]})
    api.act(reference, officer, {"action": "request-stage2", "requested_on": TODAY})
    appoint = {"action": "appoint-investigator", "person_id": investigator, "attestation": ATTESTATION}
    case = api.act(reference, officer, appoint)["case"]
    assert (
        case["status"] == "stage2" and case["stage2"]["investigator"]["person"]["person_id"] == investigator
    )
    return reference


@pytest.fixture(scope="module")
def world() -> Iterator[tuple[Api, dict[str, str]]]:
    from moto import mock_aws

    with mock_aws():
        service = start_service()
        api = Api(service)
        for entry in (STAFF_INVESTIGATOR, EXTERNAL_INVESTIGATOR):
            declarations = {k: v for k, v in entry.items() if k != "person_id"}
            assert (
                api.call("PUT", f"/people/{entry['person_id']}", "complaints-officer", declarations)[0] == 200
            )
        cases = {
            "A": at_stage2(api, "A", OWN_AREA, "inv-staff"),
            "B": at_stage2(api, "B", OTHER_AREA, "inv-ext"),
            "C": at_stage2(api, "C", OWN_AREA, "inv-ext"),
        }
        yield api, cases
    config.use_clock(SystemClock())
    wiring.reset()


def area_of(case: str) -> str:
    return OTHER_AREA if case == "B" else OWN_AREA


def request(
    api: Api, route: tuple[str, str], caller: str, case: str, reference: str
) -> tuple[str, str, Any, dict[str, str]]:
    """The request a caller makes on ``route`` about ``case``: method, path, body and headers."""
    method, template = route
    user = CALLERS[caller][0]
    if route == ("GET", "/cases"):
        if user == "investigator":
            return (
                method,
                "/cases?mine=true" if case != "B" else f"/cases?service_area={OTHER_AREA}",
                None,
                {},
            )
        own = CALLERS[caller][1]
        return method, "/cases" if case == own else f"/cases?service_area={area_of(case)}", None, {}
    if route == ("POST", "/cases"):
        registration = {
            "channel": "phone",
            "received_on": TODAY,
            "representation": complaint(service_area=area_of(case), what_happened=f"By phone: {caller}"),
        }
        return method, template, registration, {}
    if route == ("POST", "/cases/{reference}/actions"):
        note = {"action": "note", "text": f"A note by {caller}."}
        return method, template.format(reference=reference), note, {"If-Match": api.etag(reference)}
    if route == ("PUT", "/people/{person_id}"):
        entry = person(f"panel-{user or 'anon'}", roles=["panel-member"])
        declarations = {k: v for k, v in entry.items() if k != "person_id"}
        return method, template.format(person_id=entry["person_id"]), declarations, {}
    if route == ("GET", "/reports/annual"):
        return method, f"{template}?year=2026", None, {}
    if route == ("PUT", "/reports/context/{year}"):
        return method, template.format(year=2026), {"referrals": 7987}, {}
    return method, template.format(reference=reference), None, {}


@pytest.mark.parametrize("route", CATALOG_ROUTES, ids=[f"{m} {p}" for m, p in CATALOG_ROUTES])
def test_every_staff_route_for_every_role_and_scope(
    world: tuple[Api, dict[str, str]], route: tuple[str, str]
) -> None:
    api, cases = world
    assert route in EXPECTED, f"{route[0]} {route[1]} is a staff route with no expectation in EXPECTED"
    assert set(EXPECTED[route]) == set(CALLERS), "every caller has an expectation"
    wrong = []
    for caller, (user, own, other) in CALLERS.items():
        for scope, case in (("own", own), ("other", other)):
            method, path, body, headers = request(api, route, caller, case, cases[case])
            status, _, answer = api.call(method, path, user, body, headers)
            expected = EXPECTED[route][caller][0 if scope == "own" else 1]
            if status != expected:
                said = answer.get("message", "") if isinstance(answer, dict) else ""
                wrong.append(f"{caller}, {scope} scope (case {case}): {status}, expected {expected} {said}")
    assert not wrong, f"{route[0]} {route[1]}:\n" + "\n".join(wrong)


def test_the_matrix_covers_exactly_the_catalogs_staff_routes() -> None:
    assert CATALOG_ROUTES, "the catalog has staff routes"
    missing = [route for route in CATALOG_ROUTES if route not in EXPECTED]
    assert not missing, f"staff routes with no expectation: {missing}"


def test_a_refusal_changes_nothing_and_an_unknown_case_is_a_404_for_everyone(
    world: tuple[Api, dict[str, str]],
) -> None:
    api, cases = world
    before = api.call("GET", f"/cases/{cases['B']}/events", "complaints-officer")[2]["events"]
    for caller, (user, _, _) in CALLERS.items():
        path = f"/cases/{cases['B']}/actions"
        note = {"action": "note", "text": "Should not be recorded."}
        if user in {"service-manager", "investigator"}:
            assert api.call("POST", path, user, note, {"If-Match": api.etag(cases["B"])})[0] == 404, caller
        if user not in {None, "admin"}:
            assert api.call("GET", "/cases/CSC-2026-99999", user)[0] == 404, caller
    after = api.call("GET", f"/cases/{cases['B']}/events", "complaints-officer")[2]["events"]
    assert [e["sequence"] for e in after] == [e["sequence"] for e in before]
