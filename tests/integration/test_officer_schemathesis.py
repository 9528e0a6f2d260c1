"""The officer API keeps docs/openapi.json's promises: Schemathesis generates requests for every staff
route (schema-valid and not) against the local service on a free port, on moto, with a complaints
officer's real ID token from the emulated Cognito in the ``Authorization`` header (the document's
``staffIdToken``). Every answer must be no 5xx, a documented status and conform to the document (content
type, headers, body); schema-invalid requests must be refused, and schema-valid ones never refused as
invalid. Generated references and person ids alone would only ever find nothing (404), so schema-valid
requests often name one of the cases seeded through ``POST /representations`` (or the registered
person) instead, and an action often carries the case's current ETag in ``If-Match``. Bounded to keep
the suite quick."""

from __future__ import annotations

import json
import uuid
import zlib
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import CHECKS, CheckContext, load_all_checks
from schemathesis.core.transport import Response
from schemathesis.generation.case import Case

from functions.openapi import DOCUMENT
from infra.local.service import LocalService
from shared import config
from shared.domain.calendar import london_date
from tests.conftest import as_json, complaint, start_service
from tests.lazy_imports import import_all, loaded_later

load_all_checks()
LOADED = import_all()  # before Hypothesis runs: see tests/lazy_imports.py (CPython issue 106905)
#: No 5xx, and every answer as documented: status, content type, headers, body; schema-invalid requests
#: refused. (Schemathesis' own check that schema-valid requests are accepted counts 412 and 428 as
#: refusals: they are this API's answers to a stale or missing If-Match, so our own check replaces it.)
CHECKED = {
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
    "negative_data_rejection",
}
EXAMPLES = 25  # per operation and generation mode: about 900 requests, about 15 s here
USER = "complaints-officer"
#: Stands for the case's current ETag in a generated If-Match; replaced just before the request is sent.
CURRENT_ETAG = "<the case's current ETag>"
#: Stands for the seeded value of a path parameter (the number picks one); replaced just before sending.
SEEDED_MARK = "<seeded>{}"
#: The seeded cases' references and the registered person's id (filled in by the fixture, drawn from by
#: the hook when Hypothesis generates a case).
SEEDED: dict[str, list[str]] = {"reference": [], "person_id": []}
PERSON = {
    "person_id": "ip-seeded",
    "name": "Alex Reviewer",
    "roles": ["independent-person"],
    "council_officer": False,
    "council_member": False,
    "spouse_or_civil_partner_of_officer_or_member": False,
    "external": True,
}
JSON = {"Content-Type": "application/json"}


def _staff_only(context: Any) -> bool:
    return any("staffIdToken" in s for s in context.operation.definition.raw.get("security", []))


schema = schemathesis.openapi.from_path(DOCUMENT).include(func=_staff_only)


def schema_valid_requests_are_not_refused(ctx: CheckContext, response: Response, case: Case) -> None:
    """A request the document allows is never refused as invalid (400, 422). Not found, not possible
    now (409), a stale or missing If-Match (412, 428) are answers about the case, not the request. A
    generated cursor is never one the list issued: its 400 is the answer the document owes."""
    if case.meta is None or not case.meta.generation.mode.is_positive:
        return
    if response.status_code == 400 and (case.query or {}).get("cursor") is not None:
        return
    if response.status_code in (400, 422):
        raise AssertionError(
            f"a request the document allows was refused: {response.status_code} {response.text[:500]}"
        )


CHECKS_RUN = [
    *(c for c in CHECKS.get_all() if getattr(c, "__name__", "") in CHECKED),
    schema_valid_requests_are_not_refused,
]


@schema.hook
def map_case(context: Any, case: Case) -> Case:
    """A schema-valid request names one of the seeded cases (or people) two times in three, a person
    also the one its body is about; an action sends the case's current ETag in If-Match half the time,
    none or the generated one otherwise. The choice is a function of the generated request, so that a
    run is repeatable. Schemathesis builds its coverage phase's cases before any fixture has run, so
    seeds and ETags are marked here and filled in just before the request is sent. Schema-invalid
    requests are left as generated: they must be refused whatever they name."""
    if case.meta is None or not case.meta.generation.mode.is_positive:
        return case
    draw = zlib.crc32(
        json.dumps(
            [case.path_parameters, case.query, case.headers, case.body], sort_keys=True, default=str
        ).encode()
    )
    parameters = dict(case.path_parameters or {})
    for name in parameters:
        if draw % 3 == 0:
            continue
        about = case.body.get("person_id") if isinstance(case.body, dict) else None
        if name == "person_id" and isinstance(about, str) and draw % 3 == 1:
            parameters[name] = about
        elif name in SEEDED:
            parameters[name] = SEEDED_MARK.format(draw // 3)
    case.path_parameters = parameters
    if case.operation.method.upper() == "POST" and "reference" in parameters:
        given = {k: v for k, v in (case.headers or {}).items() if k.lower() == "if-match"}
        headers = {k: v for k, v in (case.headers or {}).items() if k.lower() != "if-match"}
        how = (draw // 7) % 4
        if how < 2:
            headers["If-Match"] = CURRENT_ETAG
        elif how == 2:
            headers.update(given)
        case.headers = headers
    return case


def _fill_in(case: Case, token: str, url: str) -> None:
    """The seeds and the current ETag the hook marked."""
    parameters = dict(case.path_parameters or {})
    for name, value in parameters.items():
        if isinstance(value, str) and value.startswith(SEEDED_MARK.format("")):
            seeds = SEEDED[name]
            parameters[name] = seeds[int(value.removeprefix(SEEDED_MARK.format(""))) % len(seeds)]
    case.path_parameters = parameters
    headers = dict(case.headers or {})
    if headers.get("If-Match") == CURRENT_ETAG:
        read = requests.get(
            f"{url}/cases/{parameters['reference']}", headers={"Authorization": token}, timeout=10
        )
        headers["If-Match"] = read.headers.get("ETag", '"no such case"')
    case.headers = headers


@pytest.fixture(scope="module", autouse=True)
def nothing_imported_late() -> Iterator[None]:
    yield
    assert loaded_later(LOADED) == [], "imported inside Hypothesis: add it to tests/lazy_imports.py"


@pytest.fixture(scope="module")
def service() -> Iterator[LocalService]:
    from moto import mock_aws

    with mock_aws():
        local = start_service()
        local.serve_in_background()
        yield local
        local.stop()


@pytest.fixture(scope="module")
def token(service: LocalService) -> str:
    """A complaints officer's ID token; and the cases and the person the hook draws from, seeded."""
    assert service.staff is not None
    id_token: str = service.staff.sign_in(USER)["id_token"]
    bodies = [
        complaint(service_area="social-work"),
        complaint(kind="comment", service_area=None),
        {"kind": "compliment", "role": "parent", "what_happened": "Thank you!"},
    ]
    references = []
    for body in bodies:
        answer = requests.post(f"{service.url}/representations", data=as_json(body), headers=JSON, timeout=10)
        assert answer.status_code == 201, answer.text
        references.append(answer.json()["reference"])
    person = requests.put(
        f"{service.url}/people/{PERSON['person_id']}",
        data=as_json({k: v for k, v in PERSON.items() if k != "person_id"}),
        headers={**JSON, "Authorization": id_token},
        timeout=10,
    )
    assert person.status_code == 200, person.text
    SEEDED["reference"][:] = references
    SEEDED["person_id"][:] = [str(PERSON["person_id"])]
    return id_token


def test_only_staff_routes_are_generated_and_every_check_is_known() -> None:
    paths = {operation.ok().path for operation in schema.get_all_operations()}
    assert {"/cases", "/cases/{reference}", "/cases/{reference}/actions", "/people", "/me"} <= paths
    assert not {"/representations", "/health", "/"} & paths
    assert {getattr(c, "__name__", "") for c in CHECKS_RUN} == {
        *CHECKED,
        "schema_valid_requests_are_not_refused",
    }


def test_the_document_describes_what_staff_get_back() -> None:
    """Conformance of a body means little if the document allows any: every staff operation describes
    its success body, and the reads and the action their ETag, which If-Match must send back."""
    undescribed, no_etag = [], []
    for result in schema.get_all_operations():
        operation = result.ok()
        responses = operation.definition.raw["responses"]
        success = next(code for code in responses if code.startswith("2"))
        media = responses[success].get("content", {}).get("application/json", {})
        if set(media.get("schema", {})) <= {"title", "description"}:
            undescribed.append(f"{operation.method.upper()} {operation.path} {success}")
        headers = {h.lower() for h in responses[success].get("headers", {})}
        if operation.path in ("/cases/{reference}", "/cases/{reference}/actions") and "etag" not in headers:
            no_etag.append(f"{operation.method.upper()} {operation.path} {success}")
    assert undescribed == [], f"success bodies the document does not describe: {undescribed}"
    assert no_etag == [], f"ETag headers the document does not state: {no_etag}"


def test_the_seeded_cases_are_real_and_their_etags_work(service: LocalService, token: str) -> None:
    """What the hook draws from is real: each seeded reference reads back with an ETag that a note
    accepts, so drawn requests reach the handler beyond 404 and 412. (Before the generated requests,
    which may close the cases.)"""
    auth = {"Authorization": token}
    for reference in SEEDED["reference"]:
        read = requests.get(f"{service.url}/cases/{reference}", headers=auth, timeout=10)
        assert read.status_code == 200 and read.json()["case"]["reference"] == reference, read.text
        noted = requests.post(
            f"{service.url}/cases/{reference}/actions",
            data=as_json({"action": "note", "text": "Seeded for the contract test."}),
            headers={**JSON, **auth, "If-Match": read.headers["ETag"]},
            timeout=10,
        )
        assert noted.status_code == 200, noted.text
        assert noted.headers["ETag"] != read.headers["ETag"]


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_the_officer_api_keeps_the_documents_promises(case: Case, service: LocalService, token: str) -> None:
    _fill_in(case, token, service.url)
    headers = dict(case.headers or {})
    positive = case.meta is not None and case.meta.generation.mode.is_positive
    # What a static schema cannot state, as in the public API's test: a fresh Idempotency-Key per request
    # (one reused with another body is refused, as documented), and "not after today" (today moves).
    if positive and any(k.lower() == "idempotency-key" for k in headers):
        headers = {k: v for k, v in headers.items() if k.lower() != "idempotency-key"}
        headers["Idempotency-Key"] = uuid.uuid4().hex
    if isinstance(case.body, dict):
        today = london_date(config.clock().now())
        representation = case.body.get("representation")
        for holder, name in (
            (case.body, "received_on"),
            (representation, "when_happened"),
            (representation, "child_date_of_birth"),
        ):
            if isinstance(holder, dict) and isinstance(holder.get(name), str):
                try:
                    if date.fromisoformat(holder[name]) > today:
                        holder[name] = today.isoformat()
                except ValueError:
                    pass
    headers["Authorization"] = token
    case.headers = headers
    case.call_and_validate(base_url=service.url, checks=CHECKS_RUN)


@pytest.mark.parametrize(
    ("method", "path"),
    [("PUT", "/people/ip-bytes"), ("POST", "/cases"), ("POST", "/cases/{reference}/actions")],
)
def test_a_body_that_is_not_utf8_is_refused_not_a_server_error(
    service: LocalService, token: str, method: str, path: str
) -> None:
    """Found by the test above: bytes that are not UTF-8 reach the handler base64-encoded, and must be a
    4xx like any other unreadable body (the public API answers 400 or 415)."""
    url = service.url + path.format(reference=SEEDED["reference"][0])
    headers = {**JSON, "Authorization": token, "If-Match": '"stale"'}
    answer = requests.request(method, url, data=b"\x9b(kp\xff", headers=headers, timeout=10)
    assert 400 <= answer.status_code < 500, (answer.status_code, answer.text)


def test_a_case_registered_by_another_channel_can_be_read_by_its_reference(
    service: LocalService, token: str
) -> None:
    """Found by the test above: POST /cases took a received_on in year 1 and issued CSC-1-00001, a
    reference the API's own pattern refuses (422), so the case could never be read. Either is right:
    refuse the date, or read the case back."""
    registration = {
        "channel": "phone",
        "received_on": "0001-01-01",
        "representation": {
            "kind": "comment",
            "role": "other",
            "what_happened": "Kind words",
        },
    }
    auth = {"Authorization": token}
    answer = requests.post(
        f"{service.url}/cases",
        data=as_json(registration),
        headers={**JSON, **auth, "Idempotency-Key": uuid.uuid4().hex},
        timeout=10,
    )
    if answer.status_code == 422:
        return
    assert answer.status_code == 201, answer.text
    reference = answer.json()["reference"]
    read = requests.get(f"{service.url}/cases/{reference}", headers=auth, timeout=10)
    assert read.status_code == 200, (reference, read.text)
