"""The officer API through the local gateway, with real tokens from the emulated Cognito: reading a case
and its chronology, acting on it under optimistic concurrency, and who may see what."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import boto3
import pytest

from infra.local.service import LocalService
from shared import names, wiring
from tests.conftest import as_json, complaint, start_service

ACCEPT = {"action": "accept", "procedure": "statutory", "reason": "A parent of a child in need: s.26(3)(b)."}


@pytest.fixture
def service(clock: Any) -> Iterator[LocalService]:
    from moto import mock_aws

    with mock_aws():
        local = start_service(clock)
        yield local


def call(
    service: LocalService,
    method: str,
    path: str,
    user: str | None = None,
    body: Any = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, dict[str, str], Any]:
    sent = {"Content-Type": "application/json", **(headers or {})}
    if user is not None:
        assert service.staff is not None
        sent["Authorization"] = service.staff.sign_in(user)["id_token"]
    status, out, payload = service.gateway.dispatch(
        method, path, sent, b"" if body is None else json.dumps(body).encode()
    )
    return status, dict(out), json.loads(payload) if payload else None


def submit(service: LocalService, **overrides: Any) -> str:
    """A parent's own complaint about their child's care (s.26(3)(c)), unless the test says otherwise: no
    separate child's view to record before it is accepted."""
    body = complaint(**{"on_behalf_of": "myself", **overrides})
    status, _, payload = service.gateway.dispatch(
        "POST", "/representations", {"Content-Type": "application/json"}, as_json(body)
    )
    assert status == 201, payload
    reference: str = json.loads(payload)["reference"]
    return reference


def test_an_officer_reads_a_case_with_its_etag_and_what_can_be_done_and_the_read_is_recorded(
    service: LocalService,
) -> None:
    reference = submit(service, service_area="social-work")
    status, headers, body = call(service, "GET", f"/cases/{reference}", "complaints-officer")
    assert status == 200, body
    assert body["case"]["reference"] == reference and body["case"]["status"] == "received"
    assert {"accept", "decline", "route", "note"} <= set(body["possible_actions"])
    assert headers["ETag"] == f'"{body["case"]["case_id"]}.1"'
    assert headers["Cache-Control"] == "no-store" and "Content-Security-Policy" in headers
    reads = boto3.client("dynamodb").query(
        TableName=service.resources.table_name,
        KeyConditionExpression="PK = :pk AND begins_with(SK, :read)",
        ExpressionAttributeValues={
            ":pk": {"S": names.case_pk(body["case"]["case_id"])},
            ":read": {"S": names.READ_PREFIX},
        },
    )["Items"]
    assert [(r["by"]["S"], r["what"]["S"]) for r in reads] == [("complaints-officer", "case")]


def test_who_may_see_a_case(service: LocalService) -> None:
    reference = submit(service, service_area="social-work")  # the first service area: service-manager's
    expected = {
        None: 401,  # no token: the authorizer refuses before any handler
        "admin": 403,  # admins manage policy and users, not cases
        "service-manager-2": 404,  # another area's manager: the case's existence is not revealed
        "investigator": 404,  # not appointed to it
        "service-manager": 200,
        "senior-leadership": 200,
        "complaints-officer": 200,
    }
    got = {user: call(service, "GET", f"/cases/{reference}", user)[0] for user in expected}
    assert got == expected
    assert call(service, "GET", "/cases/CSC-2026-99999", "complaints-officer")[0] == 404


def test_acting_needs_the_current_etag(service: LocalService) -> None:
    reference = submit(service)
    path = f"/cases/{reference}/actions"
    _, headers, _ = call(service, "GET", f"/cases/{reference}", "complaints-officer")
    status, _, body = call(service, "POST", path, "complaints-officer", ACCEPT)
    assert status == 428 and "If-Match" in body["message"]
    status, answer, body = call(
        service, "POST", path, "complaints-officer", ACCEPT, {"If-Match": headers["ETag"]}
    )
    assert status == 200, body
    assert body["case"]["status"] == "stage1" and body["case"]["deadlines"]["stage1"]["due"] == "2026-12-10"
    assert answer["ETag"] != headers["ETag"]
    note = {"action": "note", "text": "Written on a stale read."}
    status, _, body = call(service, "POST", path, "complaints-officer", note, {"If-Match": headers["ETag"]})
    assert status == 412 and "reload" in body["message"]


def test_an_illegal_step_is_a_409_saying_why_and_a_bad_body_a_422(service: LocalService) -> None:
    reference = submit(service)
    path = f"/cases/{reference}/actions"
    _, headers, _ = call(service, "GET", f"/cases/{reference}", "complaints-officer")
    match = {"If-Match": headers["ETag"]}
    status, _, body = call(
        service,
        "POST",
        path,
        "complaints-officer",
        {"action": "request-stage2", "requested_on": "2026-11-26"},
        match,
    )
    assert status == 409 and "not possible" in body["message"] and "accept" in body["message"]
    status, _, body = call(
        service, "POST", path, "complaints-officer", {"action": "accept", "procedure": "statutory"}, match
    )
    assert status == 422 and any(e["field"].endswith("reason") for e in body["errors"]), body
    status, _, body = call(service, "POST", path, "complaints-officer", {"action": "teleport"}, match)
    assert status == 422


def test_the_chronology_is_ordered_by_sequence_with_who_did_what(service: LocalService) -> None:
    reference = submit(service)
    path = f"/cases/{reference}/actions"
    for body in (ACCEPT, {"action": "note", "text": "Rang the parent back."}):
        _, headers, _ = call(service, "GET", f"/cases/{reference}", "complaints-officer")
        assert (
            call(service, "POST", path, "complaints-officer", body, {"If-Match": headers["ETag"]})[0] == 200
        )
    status, _, body = call(service, "GET", f"/cases/{reference}/events", "service-manager")
    assert status == 404, "a case without a service area is no service manager's"
    status, _, body = call(service, "GET", f"/cases/{reference}/events", "complaints-officer")
    assert status == 200
    assert [(e["sequence"], e["action"], e["by"]) for e in body["events"]] == [
        (1, "received", "public"),
        (2, "accept", "complaints-officer"),
        (3, "note", "complaints-officer"),
    ]
    assert body["events"][2]["changes"] == {"text": "Rang the parent back."}
    status, _, page = call(service, "GET", f"/cases/{reference}/events?after=1&limit=1", "complaints-officer")
    assert [e["sequence"] for e in page["events"]] == [2] and page["next_after"] == 2


def test_fifty_parallel_changes_each_apply_once_or_get_412_and_none_is_lost(service: LocalService) -> None:
    reference = submit(service)
    path = f"/cases/{reference}/actions"
    _, headers, _ = call(service, "GET", f"/cases/{reference}", "complaints-officer")
    assert service.staff is not None
    token = service.staff.sign_in("complaints-officer")["id_token"]

    def note(i: int) -> int:
        status, _, _ = service.gateway.dispatch(
            "POST",
            path,
            {"Content-Type": "application/json", "Authorization": token, "If-Match": headers["ETag"]},
            json.dumps({"action": "note", "text": f"Note {i}"}).encode(),
        )
        return status

    with ThreadPoolExecutor(50) as pool:
        statuses = Counter(pool.map(note, range(50)))
    assert statuses == {200: 1, 412: 49}, statuses
    _, _, body = call(service, "GET", f"/cases/{reference}/events", "complaints-officer")
    assert [e["sequence"] for e in body["events"]] == [1, 2], "exactly the one that applied"
    _, headers, case = call(service, "GET", f"/cases/{reference}", "complaints-officer")
    assert case["case"]["version"] == 2 and headers["ETag"].endswith('.2"')


PERSONAL = {"complainant", "details", "advocacy", "name", "email", "phone", "address", "what_happened"}


def test_lists_carry_summaries_only_page_with_cursors_and_keep_to_the_callers_scope(
    service: LocalService, clock: Any
) -> None:
    references = [
        submit(service, service_area=area, what_happened=f"Case {i}")
        for i, area in enumerate(("social-work", "social-work", "fostering"))
    ]
    status, _, body = call(service, "GET", "/cases", "complaints-officer")
    assert status == 200, body
    assert sorted(c["reference"] for c in body["cases"]) == sorted(references)
    assert all(not PERSONAL & set(c) for c in body["cases"]), "no personal data in a list"
    assert {c["due"] for c in body["cases"]} == {"2026-12-10"}  # stage 1, 10 working days after Thu 26 Nov

    status, _, own = call(service, "GET", "/cases", "service-manager")  # social-work's manager
    assert status == 200 and sorted(c["reference"] for c in own["cases"]) == sorted(references[:2])
    assert call(service, "GET", "/cases?service_area=fostering", "service-manager")[0] == 403
    assert call(service, "GET", "/cases", "investigator")[0] == 403
    assert call(service, "GET", "/cases?mine=true", "investigator")[2] == {"cases": [], "next": None}

    seen, cursor = [], None
    while True:
        path = "/cases?limit=1" + (f"&cursor={cursor}" if cursor else "")
        status, _, page = call(service, "GET", path, "senior-leadership")
        assert status == 200
        seen += [c["reference"] for c in page["cases"]]
        cursor = page["next"]
        if not cursor:
            break
    assert sorted(seen) == sorted(references), "the pages together are the list, once each"
    status, _, body = call(service, "GET", "/cases?cursor=bm90LWEtY3Vyc29y", "complaints-officer")
    assert status == 400 and "cursor" in body["message"]


def test_lists_by_status_manager_and_due_date(service: LocalService, clock: Any) -> None:
    first, second = submit(service, what_happened="First"), submit(service, what_happened="Second")
    _, headers, _ = call(service, "GET", f"/cases/{first}", "complaints-officer")
    allocate = {"action": "allocate", "manager": "service-manager", "service_area": "social-work"}
    assert (
        call(
            service,
            "POST",
            f"/cases/{first}/actions",
            "complaints-officer",
            allocate,
            {"If-Match": headers["ETag"]},
        )[0]
        == 200
    )

    def listed(path: str, user: str = "complaints-officer") -> list[str]:
        status, _, body = call(service, "GET", path, user)
        assert status == 200, body
        return sorted(c["reference"] for c in body["cases"])

    assert listed("/cases?status=received") == sorted([first, second])
    assert listed("/cases?status=stage1") == []
    assert listed("/cases?manager=service-manager") == [first]
    assert listed("/cases?mine=true", "service-manager") == [first]
    assert listed("/cases?due_before=2026-12-09") == []
    assert listed("/cases?due_before=2026-12-10") == sorted([first, second])
    assert listed("/cases?overdue=true") == []
    from datetime import timedelta

    clock.advance(timedelta(days=15))  # Fri 11 December: the stage 1 due date has passed
    assert listed("/cases?overdue=true") == sorted([first, second])
    assert listed("/cases?closed=true") == []


def test_the_people_register_is_kept_by_complaints_officers(service: LocalService) -> None:
    declarations = {
        "name": "Pat Independent",
        "roles": ["independent-person"],
        "council_officer": False,
        "council_member": False,
        "spouse_or_civil_partner_of_officer_or_member": False,
        "external": True,
    }
    assert call(service, "PUT", "/people/ip-1", "service-manager", declarations)[0] == 403
    status, _, body = call(service, "PUT", "/people/ip-1", "complaints-officer", declarations)
    assert status == 200 and body["person"]["person_id"] == "ip-1"
    with_id = {**declarations, "person_id": "ip-9"}  # the address names the person, the body does not
    assert call(service, "PUT", "/people/ip-2", "complaints-officer", with_id)[0] == 422
    status, _, body = call(service, "PUT", "/people/ip-3", "admin", {**declarations, "external": "yes"})
    assert status == 422
    status, _, body = call(service, "GET", "/people", "investigator")
    assert status == 200 and [p["person_id"] for p in body["people"]] == ["ip-1"]


def test_a_representation_made_by_phone_is_registered_with_the_date_it_was_received(
    service: LocalService,
) -> None:
    body = {
        "channel": "phone",
        "received_on": "2026-11-20",  # a Friday, six days before the clock's Thursday 26 November
        "representation": complaint(role="local-authority-foster-carer", on_behalf_of="a-child"),
    }
    assert call(service, "POST", "/cases", "service-manager", body)[0] == 403
    status, headers, receipt = call(service, "POST", "/cases", "complaints-officer", body)
    assert status == 201, receipt
    assert receipt["received_date"] == "2026-11-20"
    assert receipt["acknowledgement_due"] == "2026-11-25"  # 3 working days after Fri 20 Nov
    assert receipt["response_due"] == "2026-12-04"  # 10 working days after Fri 20 Nov
    assert headers["Location"] == f"/cases/{receipt['reference']}"
    status, _, again = call(service, "POST", "/cases", "complaints-officer", body)
    assert (status, again["reference"]) == (201, receipt["reference"]), "the same registration twice is one"
    _, _, case = call(service, "GET", f"/cases/{receipt['reference']}", "complaints-officer")
    assert case["case"]["channel"] == "phone"
    _, _, events = call(service, "GET", f"/cases/{receipt['reference']}/events", "complaints-officer")
    assert [(e["action"], e["actor"], e["by"]) for e in events["events"]] == [
        ("received", "complaints-officer", "complaints-officer")
    ]
    for wrong, field in (
        ({**body, "channel": "online-form"}, "channel"),
        ({**body, "received_on": "2026-11-27"}, "received_on"),
        ({**body, "channel": "carrier-pigeon"}, "channel"),
    ):
        status, _, problem = call(service, "POST", "/cases", "complaints-officer", wrong)
        assert status == 422 and field in json.dumps(problem), (wrong, problem)
    bad = {**body, "representation": complaint(email="a,b@example.org")}
    status, _, problem = call(service, "POST", "/cases", "complaints-officer", bad)
    assert status == 422 and "email" in json.dumps(problem)


def test_a_subject_access_export_withholds_what_the_officer_chooses_and_records_why(
    service: LocalService,
) -> None:
    reference = submit(
        service,
        name="Sam Jones",
        child_name="Alex Jones",
        child_date_of_birth="2014-05-04",
        child_view="knows-and-agrees",
        phone="07700 900982",
    )
    _, headers, _ = call(service, "GET", f"/cases/{reference}", "complaints-officer")
    note = {"action": "note", "text": "Spoke to the school about Alex."}
    assert (
        call(
            service,
            "POST",
            f"/cases/{reference}/actions",
            "complaints-officer",
            note,
            {"If-Match": headers["ETag"]},
        )[0]
        == 200
    )
    path = f"/cases/{reference}/export"
    assert call(service, "POST", path, "service-manager", {})[0] == 403
    status, _, whole = call(service, "POST", path, "complaints-officer", {})
    assert status == 200 and whole["withheld"] == []
    assert whole["case"]["complainant"]["child_name"] == "Alex Jones"
    assert [e["action"] for e in whole["events"]] == ["received", "note"]
    unexplained = {"withhold": [{"part": "child"}]}
    assert call(service, "POST", path, "complaints-officer", unexplained)[0] == 422, "a reason is needed"
    reason = "A parent has no automatic right to the child's own account"
    withhold = [{"part": "child", "reason": reason}, {"part": "notes", "reason": reason}]
    status, _, part = call(service, "POST", path, "complaints-officer", {"withhold": withhold})
    assert status == 200, part
    assert part["withheld"] == withhold
    assert part["case"]["complainant"]["child_name"] == "[withheld]"
    assert part["case"]["complainant"]["child_date_of_birth"] == "[withheld]"
    assert part["case"]["complainant"]["child_view"] == "[withheld]"
    assert part["case"]["complainant"]["name"] == "Sam Jones", "only what was chosen is withheld"
    assert part["events"][1]["changes"] == "[withheld]" and "Alex" not in json.dumps(part)
    reads = boto3.client("dynamodb").query(
        TableName=service.resources.table_name,
        KeyConditionExpression="PK = :pk AND begins_with(SK, :read)",
        ExpressionAttributeValues={
            ":pk": {"S": names.case_pk(part["case"]["case_id"])},
            ":read": {"S": names.READ_PREFIX},
        },
    )["Items"]
    exports = [r for r in reads if r["what"]["S"] == "export"]
    assert len(exports) == 2 and any("withheld" in r and r["withheld"]["L"] for r in exports)


def test_accepting_a_case_emails_the_complainant_through_the_reliable_path(service: LocalService) -> None:
    from infra.local.outbox import sent_emails

    reference = submit(service)
    service.pump.drain()
    before = len(sent_emails())
    _, headers, _ = call(service, "GET", f"/cases/{reference}", "complaints-officer")
    status, _, _ = call(
        service,
        "POST",
        f"/cases/{reference}/actions",
        "complaints-officer",
        ACCEPT,
        {"If-Match": headers["ETag"]},
    )
    assert status == 200
    service.pump.drain()
    letters = sent_emails()[before:]
    assert [(e["to"], reference in e["subject"]) for e in letters] == [("sam@example.org", True)]
    assert "10 December 2026" in letters[0]["text"], "stage 1's due date, in words"
    _, _, case = call(service, "GET", f"/cases/{reference}", "complaints-officer")
    assert "sent" in case["case"]["notifications"].values()


def test_nobody_sees_or_acts_on_a_complaint_about_themselves(service: LocalService) -> None:
    reference = submit(service, service_area="social-work")
    assert call(service, "GET", f"/cases/{reference}", "service-manager")[0] == 200
    _, headers, _ = call(service, "GET", f"/cases/{reference}", "complaints-officer")
    about = {"action": "about-staff", "staff": ["service-manager"]}
    status, _, body = call(
        service,
        "POST",
        f"/cases/{reference}/actions",
        "complaints-officer",
        about,
        {"If-Match": headers["ETag"]},
    )
    assert status == 200, body
    assert call(service, "GET", f"/cases/{reference}", "service-manager")[0] == 404
    status, _, body = call(service, "GET", "/cases", "service-manager")
    assert status == 200
    _, _, listed = call(service, "GET", "/cases", "service-manager")
    assert reference not in [c["reference"] for c in listed["cases"]], "not even in their lists"
    _, _, listed = call(service, "GET", "/cases", "complaints-officer")
    assert reference in [c["reference"] for c in listed["cases"]]


def act_as(service: LocalService, reference: str, user: str, body: dict[str, Any]) -> dict[str, Any]:
    _, headers, _ = call(service, "GET", f"/cases/{reference}", user)
    status, _, answer = call(
        service, "POST", f"/cases/{reference}/actions", user, body, {"If-Match": headers["ETag"]}
    )
    assert status == 200, answer
    case: dict[str, Any] = answer["case"]
    return case


def test_a_case_on_hold_is_never_due_nor_overdue(service: LocalService, clock: Any) -> None:
    from datetime import timedelta

    reference = submit(service)
    act_as(service, reference, "complaints-officer", ACCEPT)
    hold = {"action": "hold", "matter": "court-proceedings", "reason": "Care proceedings are under way."}
    case = act_as(service, reference, "complaints-officer", hold)
    assert case["deadlines"] == {}
    _, _, listed = call(service, "GET", "/cases", "complaints-officer")
    (summary,) = [c for c in listed["cases"] if c["reference"] == reference]
    assert summary["due"] is None
    clock.advance(timedelta(days=60))
    _, _, overdue = call(service, "GET", "/cases?overdue=true", "complaints-officer")
    assert reference not in [c["reference"] for c in overdue["cases"]]


def test_a_cursor_belongs_to_its_own_query(service: LocalService) -> None:
    for i in range(3):
        submit(service, what_happened=f"Case {i}")
    status, _, page = call(service, "GET", "/cases?limit=1", "complaints-officer")
    assert status == 200 and page["next"]
    status, _, body = call(
        service, "GET", f"/cases?closed=true&limit=1&cursor={page['next']}", "complaints-officer"
    )
    assert status == 400 and "cursor" in body["message"]
    assert call(service, "GET", f"/cases?limit=1&cursor={page['next']}", "complaints-officer")[0] == 200


def test_an_index_key_the_case_no_longer_has_is_removed(service: LocalService, clock: Any) -> None:
    """An investigator replaced by one without a staff account (or a manager no longer named) must not
    keep finding the case in their list."""
    from shared.domain.casefile import Decision, NewEvent
    from shared.domain.stages import Actor
    from shared.ports import CaseQuery

    reference = submit(service)
    store = wiring.case_store()
    case = store.load(store.find(reference) or "")
    assert case is not None

    def saved(update: dict[str, Any], version: int) -> Any:
        changed = case.model_copy(update={**update, "version": version + 1, "last_event": version + 1})
        event = NewEvent(version + 1, clock.now(), Actor.COMPLAINTS_OFFICER, "olivia", "note", {"text": "x"})
        store.save(Decision(case=changed, events=(event,), deadlines_changed={}), version)
        return changed

    saved({"allocated_manager": "manager-1"}, 1)
    assert [c["reference"] for c in store.list_cases(CaseQuery(manager="manager-1"))[0]] == [reference]
    saved({"allocated_manager": None}, 2)
    assert store.list_cases(CaseQuery(manager="manager-1"))[0] == []


def test_the_role_is_checked_before_the_etag_and_bad_json_is_a_400(service: LocalService) -> None:
    reference = submit(service)
    path = f"/cases/{reference}/actions"
    status, _, body = call(service, "POST", path, "senior-leadership", ACCEPT)  # no If-Match either
    assert status == 403 and "may only be done by" in body["message"]
    status, _, body = call(service, "POST", path, "senior-leadership", ACCEPT, {"If-Match": '"stale.1"'})
    assert status == 403
    assert call(service, "POST", path, "complaints-officer", ACCEPT)[0] == 428
    assert call(service, "POST", path, "complaints-officer", ACCEPT, {"If-Match": '"stale.1"'})[0] == 412
    assert service.staff is not None
    token = service.staff.sign_in("complaints-officer")["id_token"]
    status, _, payload = service.gateway.dispatch(
        "POST", path, {"Content-Type": "application/json", "Authorization": token}, b'{"action": "accept",'
    )
    assert status == 400 and b"not valid JSON" in payload


def test_an_export_withholds_third_parties_and_the_account_from_the_chronology_too(
    service: LocalService,
) -> None:
    reference = submit(service)
    allocate = {
        "action": "allocate",
        "manager": "senior-leadership",
        "complaint_points": ["Calls about Alex not returned"],
    }
    act_as(service, reference, "complaints-officer", allocate)
    act_as(service, reference, "complaints-officer", {"action": "about-staff", "staff": ["worker-wu"]})
    reason = "Third parties' data and the officers' own words are not the requester's"
    withhold = [{"part": "third-parties", "reason": reason}, {"part": "account", "reason": reason}]
    status, _, document = call(
        service, "POST", f"/cases/{reference}/export", "complaints-officer", {"withhold": withhold}
    )
    assert status == 200, document
    text = json.dumps(document)
    for third in ("senior-leadership", "worker-wu", "Calls about Alex", "care plan"):
        assert third not in text, third
    assert [e["changes"] for e in document["events"][1:]] == ["[withheld]", "[withheld]"]
    assert document["events"][0]["changes"]["status"] == "received", "codes and dates stay"


def test_a_letter_owed_to_someone_who_chose_post_is_recorded_for_an_officer_to_send(
    service: LocalService,
) -> None:
    reference = submit(
        service,
        preferred_contact="post",
        address="1 High Street, Example City",
        email=None,
    )
    act_as(service, reference, "complaints-officer", ACCEPT)
    _, _, body = call(service, "GET", f"/cases/{reference}/events", "complaints-officer")
    assert body["events"][-1]["changes"]["letters_by_hand"] == ["case-accepted"]
    emailed = submit(service, what_happened="By email")
    act_as(service, emailed, "complaints-officer", ACCEPT)
    _, _, body = call(service, "GET", f"/cases/{emailed}/events", "complaints-officer")
    assert "letters_by_hand" not in body["events"][-1]["changes"], "emailed letters need no hand"


def test_a_refused_step_lists_what_is_possible_now_as_a_field(service: LocalService) -> None:
    reference = submit(service)
    _, headers, _ = call(service, "GET", f"/cases/{reference}", "complaints-officer")
    too_soon = {"action": "request-stage2", "requested_on": "2026-11-26"}
    status, _, body = call(
        service,
        "POST",
        f"/cases/{reference}/actions",
        "complaints-officer",
        too_soon,
        {"If-Match": headers["ETag"]},
    )
    assert status == 409 and {"accept", "decline", "note"} <= set(body["possible_actions"])
    status, _, body = call(
        service,
        "POST",
        f"/cases/{reference}/actions",
        "senior-leadership",
        ACCEPT,
        {"If-Match": headers["ETag"]},
    )
    assert status == 403 and "accept" not in body["possible_actions"]
