"""POST /representations through the real handler, on moto, as API Gateway proxy events."""

from __future__ import annotations

import json
import threading
from typing import Any

import pytest

from functions.http import MAX_BODY_BYTES
from infra.catalog import API_FUNCTIONS
from infra.local.emulator import LocalResources
from infra.local.gateway import Gateway
from shared import names
from shared.adapters.dynamodb import from_item
from tests.conftest import as_json, complaint

JSON = {"Content-Type": "application/json"}


@pytest.fixture
def gateway(aws: LocalResources) -> Gateway:
    return Gateway(API_FUNCTIONS)


def post(gateway: Gateway, body: bytes, headers: dict[str, str] | None = None) -> tuple[int, dict[str, Any]]:
    status, _, payload = gateway.dispatch("POST", "/representations", {**JSON, **(headers or {})}, body)
    return status, json.loads(payload)


def table_items(resources: LocalResources) -> list[dict[str, Any]]:
    import boto3

    items = boto3.client("dynamodb").scan(TableName=resources.table_name)["Items"]
    return [from_item(i) for i in items]


def case_items(resources: LocalResources) -> list[dict[str, Any]]:
    return [i for i in table_items(resources) if i.get("type") == "case"]


def test_a_complaint_is_recorded_with_its_history_notifications_and_counter(
    gateway: Gateway, aws: LocalResources
) -> None:
    status, receipt = post(gateway, as_json(complaint()))
    assert status == 201, receipt
    assert receipt == {
        "reference": "CSC-2026-00001",
        "kind": "complaint",
        "status": "received",
        "received_date": "2026-11-26",
        "acknowledgement_due": "2026-12-01",
        "response_due": "2026-12-10",
        "advocacy_arrange_by": None,
    }
    items = table_items(aws)
    by_type: dict[str, list[dict[str, Any]]] = {}
    for item in items:
        by_type.setdefault(str(item.get("type") or item[names.PK].split("#")[0]), []).append(item)
    (case,) = by_type["case"]
    assert case["reference"] == "CSC-2026-00001"
    assert case["version"] == 1
    assert case["channel"] == "public-api"
    assert case["suggested_procedure"] == "statutory"
    assert case["complainant"]["email"] == "sam@example.org"
    assert case["financial_year"] == 2026
    assert case["GSI1PK"] == "STATUS#received" and case["GSI1SK"].startswith("2026-12-10#")
    assert case["GSI3PK"] == "FY#2026"
    (event,) = by_type["event"]
    assert event["actor"] == "public" and event["action"] == "received"
    purposes = sorted(n["purpose"] for n in by_type["notification"])
    assert purposes == ["acknowledgement", "team-alert"]
    assert all(n["status"] == "pending" for n in by_type["notification"])
    (counter,) = by_type["COUNTER"]
    assert counter["value"] == 1


def test_references_count_up_and_a_child_is_offered_an_advocate(
    gateway: Gateway, aws: LocalResources
) -> None:
    post(gateway, as_json(complaint()))
    status, receipt = post(
        gateway,
        as_json(
            complaint(
                role="child-looked-after",
                on_behalf_of="myself",
                what_happened="I want to see my brother more.",
            )
        ),
    )
    assert status == 201
    assert receipt["reference"] == "CSC-2026-00002"
    child_case = next(c for c in case_items(aws) if c["reference"] == "CSC-2026-00002")
    assert child_case["by_a_child"] is True
    assert child_case["channel"] == "public-api", "the JSON API's cases are not the online form's"
    # Nobody offered this child an advocate through the API: no offer is recorded (the officer makes one).
    assert child_case["advocacy"]["offered"] is False and child_case["advocacy"]["offered_on"] is None
    offered = complaint(role="child-in-need", on_behalf_of=None, advocacy_offered=True, advocacy="wants-one")
    status, receipt = post(gateway, as_json(offered))
    assert status == 201 and receipt["advocacy_arrange_by"] == "2026-11-30"  # 2 working days from Thu
    offered_case = next(c for c in case_items(aws) if c["reference"] == receipt["reference"])
    assert offered_case["advocacy"]["offered"] is True
    assert offered_case["advocacy"]["offered_on"] == "2026-11-26"
    assert offered_case["advocacy"]["arrange_by"] == "2026-11-30"


def test_the_same_idempotency_key_returns_the_same_reference(gateway: Gateway, aws: LocalResources) -> None:
    first = post(gateway, as_json(complaint()), {"Idempotency-Key": "abc-123"})
    again = post(gateway, as_json(complaint()), {"Idempotency-Key": "abc-123"})
    assert first == again
    assert len(case_items(aws)) == 1


def test_an_identical_payload_without_a_key_is_the_same_request(
    gateway: Gateway, aws: LocalResources
) -> None:
    first = post(gateway, as_json(complaint()))
    again = post(gateway, as_json(complaint()))
    assert first[1]["reference"] == again[1]["reference"]
    assert len(case_items(aws)) == 1
    different = post(gateway, as_json(complaint(what_happened="Something else entirely happened.")))
    assert different[1]["reference"] == "CSC-2026-00002"


def test_a_reused_key_with_a_different_request_is_refused(gateway: Gateway, aws: LocalResources) -> None:
    post(gateway, as_json(complaint()), {"Idempotency-Key": "k1"})
    status, body = post(
        gateway,
        as_json(complaint(what_happened="Changed my mind about the words.")),
        {"Idempotency-Key": "k1"},
    )
    assert status == 422
    assert "already used" in body["message"]
    assert len(case_items(aws)) == 1


def test_concurrent_submissions_get_distinct_references(gateway: Gateway, aws: LocalResources) -> None:
    results: list[tuple[int, dict[str, Any]]] = []

    def submit(i: int) -> None:
        results.append(
            post(gateway, as_json(complaint(what_happened=f"Complaint number {i} about the service.")))
        )

    threads = [threading.Thread(target=submit, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(status == 201 for status, _ in results), results
    references = sorted(r["reference"] for _, r in results)
    assert references == [f"CSC-2026-{n:05d}" for n in range(1, 7)]
    assert len(case_items(aws)) == 6


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"kind": "grumble"}, "kind", "Choose whether"),
        ({"email": "not-an-email"}, "email", "correct format"),
        ({"what_happened": ""}, "what_happened", "Tell us what you want to say"),
        ({"what_happened": "x" * 5001}, "what_happened", "5,000 characters or fewer"),
        ({"consent_privacy": True}, "consent_privacy", "not something we ask for"),
        ({"subject": None}, "subject", "Choose what your complaint is about"),
        ({"preferred_contact": None}, "preferred_contact", "Choose how you would like us to contact you"),
        ({"when_happened": "2027-01-01"}, "when_happened", "today or in the past"),
        ({"service_area": "space-travel"}, "service_area", "Choose a service"),
        ({"favourite_colour": "blue"}, "favourite_colour", "not something we ask for"),
        ({"preferred_contact": "phone"}, "phone", "Enter your phone number"),
        (
            {"support": ["interpreter"], "interpreter_language": "Klingon"},
            "interpreter_language",
            "from the list",
        ),
    ],
)
def test_bad_input_gets_a_human_message_and_nothing_is_stored(
    gateway: Gateway, aws: LocalResources, change: dict[str, Any], field: str, words: str
) -> None:
    status, body = post(gateway, as_json(complaint(**change)))
    assert status == 422
    messages = {e["field"]: e["message"] for e in body["errors"]}
    assert field in messages, body
    assert words in messages[field]
    assert table_items(aws) == []


def test_missing_fields_are_named(gateway: Gateway, aws: LocalResources) -> None:
    status, body = post(gateway, as_json({"kind": "comment"}))
    assert status == 422
    fields = [e["field"] for e in body["errors"]]
    assert fields == ["role", "what_happened"]


def test_wrong_content_type_size_and_json_are_refused(gateway: Gateway, aws: LocalResources) -> None:
    status, _, payload = gateway.dispatch(
        "POST", "/representations", {"Content-Type": "text/plain"}, as_json(complaint())
    )
    assert status == 415 and b"application/json" in payload
    status, body = post(gateway, as_json(complaint(outcome_wanted="y" * (MAX_BODY_BYTES + 1))))
    assert status == 413 and "too large" in body["message"]
    status, body = post(gateway, b"{not json")
    assert status == 400 and "not valid JSON" in body["message"]
    status, body = post(gateway, b"[1, 2]")
    assert status == 422
    assert table_items(aws) == []


def test_markup_is_stored_as_text(gateway: Gateway, aws: LocalResources) -> None:
    markup = "<script>alert('x')</script> & <b>bold</b>"
    status, _ = post(gateway, as_json(complaint(what_happened=markup)))
    assert status == 201
    (case,) = case_items(aws)
    assert case["details"]["what_happened"] == markup


def test_the_receipt_reveals_nothing_about_other_cases(gateway: Gateway, aws: LocalResources) -> None:
    post(gateway, as_json(complaint(name="Alex Other", email="alex@example.org")))
    status, receipt = post(gateway, as_json(complaint(what_happened="A different complaint altogether.")))
    assert status == 201
    assert set(receipt) == {
        "advocacy_arrange_by",
        "reference",
        "kind",
        "status",
        "received_date",
        "acknowledgement_due",
        "response_due",
    }
    assert "alex" not in json.dumps(receipt).lower()


def test_health(gateway: Gateway) -> None:
    status, _, payload = gateway.dispatch("GET", "/health", {}, b"")
    assert status == 200 and json.loads(payload) == {"status": "ok"}


def test_personal_data_never_reaches_the_logs(
    gateway: Gateway,
    aws: LocalResources,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    secret = complaint(
        name="Zebedee Quill", email="zebedee@example.org", what_happened="Private words 4f9a about my child."
    )
    post(gateway, as_json(secret))
    post(gateway, as_json({**secret, "email": "bad"}))  # a failure path too
    captured = capsys.readouterr()
    # Every record with all its structured fields (Powertools' JSON carries them), and any printed output.
    logged = "\n".join(repr(vars(record)) for record in caplog.records) + captured.out + captured.err
    assert "CSC-2026-00001" in logged, "the request was logged, by reference"
    for value in ("Zebedee", "zebedee@example.org", "4f9a"):
        assert value not in logged
