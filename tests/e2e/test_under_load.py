"""The local service as a council's users meet it in a busy week: hundreds of submissions one after
another, then a burst of concurrent clients over HTTP. Every 201 has its case and all its emails; a
burst sharing one Idempotency-Key makes one case; nobody is told the service is busy."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import boto3
import pytest

from infra.local.service import LocalService
from tests.conftest import complaint, start_service

SEQUENTIAL = 200
CONCURRENT = 50


@pytest.fixture(scope="module")
def service() -> Iterator[LocalService]:
    from moto import mock_aws

    with mock_aws():
        local = start_service(pump_backoff=0.05)
        local.serve_in_background()
        yield local
        local.stop()


def _post(service: LocalService, body: dict[str, Any], key: str | None = None) -> tuple[int, dict[str, Any]]:
    headers = {"Content-Type": "application/json", **({"Idempotency-Key": key} if key else {})}
    request = urllib.request.Request(
        f"{service.url}/representations", data=json.dumps(body).encode(), headers=headers, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def _outbox(service: LocalService) -> list[dict[str, Any]]:
    with urllib.request.urlopen(f"{service.url}/_local/outbox", timeout=120) as response:
        emails: list[dict[str, Any]] = json.loads(response.read())
        return emails


def _cases(service: LocalService) -> dict[str, str]:
    """Reference -> complainant's email, for every case in the table (read straight from the store)."""
    client, found, kwargs = boto3.client("dynamodb"), {}, {"TableName": service.resources.table_name}
    while True:
        page = client.scan(**kwargs)
        for item in page["Items"]:
            if item.get("type", {}).get("S") == "case":
                found[item["reference"]["S"]] = item["complainant"]["M"]["email"]["S"]
        if "LastEvaluatedKey" not in page:
            return found
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def _wait_for_emails(service: LocalService, expected: int, seconds: float = 180) -> list[dict[str, Any]]:
    """The outbox once it holds ``expected`` emails (or at the deadline), watched through its count:
    reading 500 emails every half second competed with the delivery it waited for (under make
    test-dates' libfaketime, one read took over 30 s while the stream pump was busy)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with urllib.request.urlopen(f"{service.url}/_local/outbox/count", timeout=60) as response:
            if json.loads(response.read())["count"] >= expected:
                break
        time.sleep(0.5)
    return _outbox(service)


def test_a_year_of_submissions_then_a_burst_each_has_its_case_and_its_emails(service: LocalService) -> None:
    receipts: dict[str, str] = {}  # reference -> the address it was sent from
    for i in range(SEQUENTIAL):
        address = f"person{i}@example.org"
        status, body = _post(service, complaint(email=address, what_happened=f"Complaint {i}"))
        assert status == 201, body
        receipts[body["reference"]] = address

    def submit(i: int) -> tuple[int, dict[str, Any], str]:
        address = f"burst{i}@example.org"
        status, body = _post(service, complaint(email=address, what_happened=f"Burst complaint {i}"))
        return status, body, address

    with ThreadPoolExecutor(CONCURRENT) as pool:
        burst = list(pool.map(submit, range(CONCURRENT)))
    statuses = Counter(status for status, _, _ in burst)
    assert statuses == {201: CONCURRENT}, f"every concurrent client gets 201: {statuses}"
    receipts.update({body["reference"]: address for _, body, address in burst})
    assert len(receipts) == SEQUENTIAL + CONCURRENT, "no reference is issued twice"

    assert _cases(service) == receipts, "every 201 has its case, with what was sent"
    # Each complaint owes two emails: the acknowledgement to its complainant and the team's alert.
    emails = _wait_for_emails(service, 2 * len(receipts))
    by_reference: dict[str, list[str]] = {}
    for email in emails:
        for reference in receipts:
            if reference in email["subject"]:
                by_reference.setdefault(reference, []).append(email["to"])
    missing = [r for r in receipts if len(by_reference.get(r, [])) != 2]
    assert not missing, f"{len(missing)} cases lack their emails, e.g. {missing[:3]}"
    assert all(receipts[r] in to for r, to in by_reference.items()), "each acknowledgement to its sender"
    assert len(emails) == 2 * len(receipts), "nothing sent twice"


def test_a_burst_sharing_one_idempotency_key_makes_one_case(service: LocalService) -> None:
    before = _cases(service)
    body = complaint(email="same@example.org", what_happened="Sent fifty times by a retrying client")

    with ThreadPoolExecutor(CONCURRENT) as pool:
        answers = list(pool.map(lambda _: _post(service, body, key="retry-7f3c"), range(CONCURRENT)))
    statuses = Counter(status for status, _ in answers)
    assert set(statuses) <= {201, 409}, statuses  # 409: "the same request is being processed"
    references = {answer["reference"] for status, answer in answers if status == 201}
    assert len(references) == 1, references
    new = set(_cases(service)) - set(before)
    assert new == references, "exactly one case"
    status, answer = _post(service, body, key="retry-7f3c")
    assert status == 201 and answer["reference"] in references, "a later retry gets the same receipt"
