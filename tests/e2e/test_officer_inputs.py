"""No input breaks a staff route (issue 17): every body and query the officer API can be sent, over HTTP
to the running local service, is answered 4xx with the problem named, never 502, and nothing is written.
Before, 1,000 nested arrays (2 KB: RecursionError) or a 5,000-digit number (ValueError) got 502 from
every route that takes a body, a multipart body overwrote a year's context figures with nothing, and an
unknown query parameter was ignored without a word."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from functions.http import MAX_STAFF_BODY_BYTES
from functions.officer.handler import MAX_PROBLEMS
from infra.local.clock import LocalClock
from infra.local.service import LocalService
from tests.conftest import complaint, start_service
from tests.e2e.test_officer_lifecycle import OFFICER, Officers


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[LocalService, Officers, str]]:
    """One service for the module (every test here only reads, or is refused): a case to address."""
    from moto import mock_aws

    from shared import config, wiring
    from shared.domain.clock import SystemClock
    from tests.conftest import START

    clock = LocalClock(START)
    config.use_clock(clock)
    with mock_aws():
        local = start_service(clock)
        local.serve_in_background()
        officers = Officers(local, clock)
        status, _, body = officers.http("POST", "/representations", complaint())
        assert status == 201, body
        yield local, officers, body["reference"]
        local.stop()
    config.use_clock(SystemClock())
    wiring.reset()


def send(
    o: Officers, method: str, path: str, body: bytes | None, headers: dict[str, str] | None = None
) -> tuple[int, Any]:
    """``body`` exactly as given (None: no body), as ``OFFICER``, with a Content-Type of JSON unless the
    test names another (an empty string: none)."""
    sent = {"Authorization": o.token(OFFICER), "Content-Type": "application/json", **(headers or {})}
    sent = {k: v for k, v in sent.items() if v}
    request = urllib.request.Request(f"{o.service.url}{path}", data=body, headers=sent, method=method)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def items(service: LocalService) -> int:
    """Every item in the case table (cases, events, reads, people, context figures, notifications)."""
    table = boto3.resource("dynamodb").Table(service.resources.table_name)
    return len(table.scan()["Items"])


#: Every staff route that takes a body, as (method, path) with its parameters filled in.
def body_routes(reference: str) -> list[tuple[str, str]]:
    return [
        ("POST", "/cases"),
        ("POST", f"/cases/{reference}/actions"),
        ("POST", f"/cases/{reference}/export"),
        ("PUT", "/people/inv-1"),
        ("PUT", "/reports/context/2026"),
    ]


NESTED = b"[" * 1000 + b"]" * 1000  # 2 KB: Python's json raises RecursionError
#: What each malformed body is answered, and words the answer must contain.
MALFORMED: dict[str, tuple[bytes, dict[str, str], int, str]] = {
    "1,000 nested arrays": (NESTED, {}, 400, "nested too deeply"),
    "1,000 nested arrays in an object": (b'{"action": ' + NESTED + b"}", {}, 400, "nested too deeply"),
    "33 nested arrays in an object": (b'{"a": ' + b"[" * 33 + b"]" * 33 + b"}", {}, 400, "nested too deeply"),
    "a 5,000-digit number": (b"1" * 5000, {}, 400, "more than 4,300 digits"),
    "a 5,000-digit number in a field": (b'{"referrals": ' + b"9" * 5000 + b"}", {}, 400, "4,300 digits"),
    "a negative 5,000-digit number": (b'{"action": -' + b"9" * 5000 + b"}", {}, 400, "4,300 digits"),
    "a number too large for a float": (b'{"referrals": 1e999}', {}, 400, "too large"),
    "NaN": (b'{"referrals": NaN}', {}, 400, "NaN is not a JSON value"),
    "-Infinity": (b'{"referrals": -Infinity}', {}, 400, "-Infinity is not a JSON value"),
    "JSON cut short": (b'{"action": "note",', {}, 400, "not valid JSON (line 1, column 19)"),
    "not UTF-8": (b'{"action": "\xff"}', {}, 400, "not valid UTF-8"),
    "UTF-16": ('{"a": 1}'.encode("utf-16"), {}, 415, "UTF-8"),
    "a declared charset other than UTF-8": (
        b'{"a": 1}',
        {"Content-Type": "application/json; charset=latin-1"},
        415,
        "UTF-8",
    ),
    "a form": (
        b"referrals=5",
        {"Content-Type": "application/x-www-form-urlencoded"},
        415,
        "Content-Type: application/json",
    ),
    "text": (b'{"referrals": 5}', {"Content-Type": "text/plain"}, 415, "application/json"),
    "no Content-Type": (b'{"referrals": 5}', {"Content-Type": ""}, 415, "application/json"),
    "over the size limit": (b" " * (MAX_STAFF_BODY_BYTES + 1), {}, 413, f"{MAX_STAFF_BODY_BYTES:,} bytes"),
    "an array": (b"[]", {}, 422, "JSON object"),
    "a string": (b'"x"', {}, 422, "JSON object"),
}


@pytest.mark.parametrize("what", list(MALFORMED))
def test_every_malformed_body_to_every_staff_route_is_a_4xx_naming_the_problem_and_writes_nothing(
    served: tuple[LocalService, Officers, str], what: str
) -> None:
    service, o, reference = served
    body, headers, expected, words = MALFORMED[what]
    before = items(service)
    answers = {}
    for method, path in body_routes(reference):
        status, answer = send(o, method, path, body, {"If-Match": '"any.1"', **headers})
        said = json.dumps(answer)
        answers[f"{method} {path}"] = (status, words in said, said[:160])
    assert answers == {route: (expected, True, said) for route, (_, _, said) in answers.items()}
    assert items(service) == before, "a refused body wrote something"


@pytest.mark.parametrize("content_type", ["multipart/form-data", "multipart/form-data; boundary=zz"])
def test_multipart_is_415_from_the_handler(
    served: tuple[LocalService, Officers, str], content_type: str
) -> None:
    """The local gateway's HTTP server refuses these headers itself (400, "Malformed request header");
    API Gateway passes them on, so the handler is asked through the gateway's dispatch. Before, the
    resolver raised ValueError without a boundary, and with one read no fields: a PUT of the context
    figures set both to nothing."""
    service, o, reference = served
    before = items(service)
    headers = {"Authorization": o.token(OFFICER), "Content-Type": content_type}
    for method, path in body_routes(reference):
        status, _, payload = service.gateway.dispatch(method, path, headers, b'--zz--\r\n{"referrals": 5}')
        assert status == 415 and b"application/json" in payload, (method, path, payload)
    assert items(service) == before


def test_json_in_any_case_and_with_a_utf8_byte_order_mark_is_read(
    served: tuple[LocalService, Officers, str],
) -> None:
    _, o, _ = served
    body = '\ufeff{"referrals": 5}'.encode()
    status, answer = send(
        o, "PUT", "/reports/context/2030", body, {"Content-Type": "Application/JSON; Charset=UTF-8"}
    )
    assert (status, answer) == (200, {"referrals": 5, "children_receiving_services": None})


def test_the_public_intake_refuses_the_same_bodies(served: tuple[LocalService, Officers, str]) -> None:
    _, o, _ = served
    for body, words in (
        (NESTED, "nested too deeply"),
        (b"1" * 5000, "4,300 digits"),
        (b'{"kind": NaN}', "NaN"),
    ):
        status, answer = send(o, "POST", "/representations", body)
        assert status == 400 and words in answer["message"], answer


#: Every staff route's GET (with its parameters filled in) and a POST without a body.
def every_route(reference: str) -> list[tuple[str, str, bytes | None]]:
    return [
        ("GET", "/cases", None),
        ("GET", f"/cases/{reference}", None),
        ("GET", f"/cases/{reference}/events", None),
        ("GET", "/people", None),
        ("GET", "/lists", None),
        ("GET", "/reports/annual?year=2026", None),
        ("GET", "/reports/scorecard", None),
        ("GET", "/reports/rag", None),
        ("GET", "/reports/action-plans", None),
        ("POST", f"/cases/{reference}/export", None),
        ("POST", f"/cases/{reference}/actions", json.dumps({"action": "note", "text": "x"}).encode()),
        ("PUT", "/reports/context/2031", b'{"referrals": 5}'),
    ]


def test_an_unknown_query_parameter_is_refused_by_name_on_every_route(
    served: tuple[LocalService, Officers, str],
) -> None:
    service, o, reference = served
    before = items(service)
    for method, path, body in every_route(reference):
        joined = "&" if "?" in path else "?"
        status, answer = send(o, method, f"{path}{joined}overdeu=true&Limit=5", body)
        assert status == 400, (method, path, answer)
        assert answer["message"].startswith("Unknown query parameters Limit, overdeu"), answer
        assert [e["field"] for e in answer["errors"]] == ["Limit", "overdeu"]
    assert items(service) == before, "a refused request recorded a read or wrote something"
    status, answer = send(o, "GET", "/cases?overdeu=true", None)
    assert "it takes closed, cursor, due_before" in answer["message"]
    status, answer = send(o, "GET", "/cases?overdue=true&limit=5", None)
    assert status == 200, answer


def test_a_representation_by_phone_names_each_field_with_a_problem_in_words(
    served: tuple[LocalService, Officers, str],
) -> None:
    """A registration's representation is described as the intake describes it: each field by name, never
    pydantic's "Value error, missing" against the representation as a whole."""
    service, o, _ = served
    before = items(service)
    wrong = complaint(email="not an email", when_happened=20261001)
    body = {"channel": "phone", "received_on": "2026-11-20", "representation": wrong}
    status, answer = send(o, "POST", "/cases", json.dumps(body).encode())
    assert status == 422
    problems = {e["field"]: e["message"] for e in answer["errors"]}
    assert problems == {
        "representation.email": "Enter an email address in the correct format, like name@example.com",
        "representation.when_happened": "Enter a real date, like 27 3 2026, or leave it blank",
    }
    missing = complaint(preferred_contact="phone")
    del missing["subject"]
    body = {"channel": "phone", "received_on": "2026-11-20", "representation": missing}
    status, answer = send(o, "POST", "/cases", json.dumps(body).encode())
    assert status == 422
    problems = {e["field"]: e["message"] for e in answer["errors"]}
    assert problems == {  # before: {"representation": "Value error, missing, missing_for_phone"}
        "representation.subject": "Choose what your complaint is about",
        "representation.phone": "Enter your phone number, or choose another way for us to contact you",
    }
    body = {"channel": "pigeon", "received_on": 20261120, "representation": complaint()}
    status, answer = send(o, "POST", "/cases", json.dumps(body).encode())
    assert status == 422
    problems = {e["field"]: e["message"] for e in answer["errors"]}
    assert problems["received_on"] == "Write the date as YYYY-MM-DD (text, not a number)"
    assert problems["channel"].startswith("Input should be 'public-api', 'phone'")
    assert not any("Value error" in json.dumps(e) for e in answer["errors"])
    assert items(service) == before


def test_an_action_is_named_and_a_body_of_many_problems_lists_the_first(
    served: tuple[LocalService, Officers, str],
) -> None:
    _, o, reference = served
    path = f"/cases/{reference}/actions"
    status, answer = send(o, "POST", path, b'{"text": "no action named"}')
    assert status == 422 and answer["errors"][0]["field"] == "action", answer
    status, answer = send(o, "POST", path, b'{"action": "sing"}')
    assert status == 422 and answer["errors"][0]["field"] == "action"
    assert answer["errors"][0]["message"].startswith("There is no action 'sing': the actions are 'accept'")
    findings = [[] for _ in range(5_000)]
    body = {"action": "respond-stage1", "sent_on": "2026-11-26", "findings": findings}
    status, answer = send(o, "POST", path, json.dumps(body).encode())
    assert status == 422 and len(answer["errors"]) == MAX_PROBLEMS
    assert "(5,001 problems: the first 20 are listed)" in answer["message"]  # each finding, and too few
    assert answer["errors"][0] == {
        "field": "findings.0",
        "message": "Input should be a valid dictionary or object to extract fields from",
    }
    status, answer = send(
        o,
        "PUT",
        "/people/inv-1",
        b'{"name": "Ann", "roles": ["investigator"], "external": true, "council_officer": true}',
    )
    assert status == 422
    messages = [e["message"] for e in answer["errors"]]
    assert "Value error" not in json.dumps(messages)


@pytest.mark.parametrize(
    ("command", "field", "words"),
    [
        # Before: 200, and the action's timer then overflowed the calendar (9999-12-31 + 1 working day).
        (
            {
                "action": "add-action",
                "description": "Train the team",
                "owner": OFFICER,
                "due_on": "9999-12-31",
            },
            "due_on",
            "2099-12-31",
        ),
        (
            {"action": "explain-delay", "reason": "A" * 20, "expected_on": "1999-12-31"},
            "expected_on",
            "2000-01-01",
        ),
        # Before: 200, taken for a Unix time (1 January 1970 and 14 November 2023).
        ({"action": "offer-advocacy", "offered_on": 0, "how": "phone"}, "offered_on", "YYYY-MM-DD"),
        (
            {
                "action": "respond-stage1",
                "sent_on": 1700000000,
                "findings": [{"point": "p", "outcome": "upheld"}],
            },
            "sent_on",
            "YYYY-MM-DD",
        ),
    ],
)
def test_an_actions_dates_are_text_from_2000_to_2099(
    served: tuple[LocalService, Officers, str], command: dict[str, Any], field: str, words: str
) -> None:
    service, o, reference = served
    before = items(service)
    status, answer = send(o, "POST", f"/cases/{reference}/actions", json.dumps(command).encode())
    assert status == 422, answer
    problems = {e["field"]: e["message"] for e in answer["errors"]}
    assert words in problems[field], problems
    assert items(service) == before
