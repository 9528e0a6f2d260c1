"""Idempotency of POST /representations at handler level, on moto: the answers when it does not simply
replay - two attempts racing, a write colliding with another, a first attempt that died, a bad
Idempotency-Key, and the end of the 24-hour window.

A request's idempotency record is written in its case's transaction (shared/intake.py). Where a test
reads or writes one, it builds it from the documented format (docs/decisions.md), not from the adapter:
  partition key  PK = "IDEMPOTENCY#intake"
  sort key       SK = "<scope>#<sha256 of the key>"   scope: "public-api" for this API; the key is
                 "key:" + the Idempotency-Key header, or "payload:" + the request's fingerprint
  fingerprint    the request's fingerprint (a hash of the validated request)
  answer         the receipt the first request was given
  recorded_at    when it was written (ISO 8601)
  expires_at     the end of the window, epoch seconds (the table's TTL attribute)
"""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError, EndpointConnectionError

from functions.intake.handler import handler
from infra.local.clock import LocalClock
from infra.local.emulator import LocalResources
from infra.local.gateway import LambdaContext, proxy_event
from shared import wiring
from shared.adapters.dynamodb import from_item
from shared.domain.case import payload_fingerprint
from shared.domain.representation import RepresentationRequest
from tests.conftest import START, as_json, complaint

DAY = 24 * 60 * 60


def post(body: dict[str, Any], key: str | None = None) -> tuple[int, dict[str, str], dict[str, Any]]:
    headers = {"Content-Type": "application/json"}
    if key is not None:
        headers["Idempotency-Key"] = key
    event = proxy_event(
        "POST", "/representations", "/representations", "", headers, as_json(body), {}, "1.2.3.4"
    )
    context: Any = LambdaContext(function_name="heard-intake", aws_request_id="req-1")
    result = handler(event, context)
    return result["statusCode"], dict(result.get("headers") or {}), json.loads(result["body"])


def items(resources: LocalResources) -> list[dict[str, Any]]:
    scanned = boto3.client("dynamodb").scan(TableName=resources.table_name)["Items"]
    return [from_item(i) for i in scanned]


def cases(resources: LocalResources) -> list[dict[str, Any]]:
    return [i for i in items(resources) if i.get("type") == "case"]


def record_key(header_value: str) -> dict[str, dict[str, str]]:
    digest = hashlib.sha256(f"key:{header_value}".encode()).hexdigest()
    return {"PK": {"S": "IDEMPOTENCY#intake"}, "SK": {"S": f"public-api#{digest}"}}


def fingerprint(body: dict[str, Any]) -> str:
    return payload_fingerprint(RepresentationRequest.model_validate(body))


def stored_record(resources: LocalResources, header_value: str) -> dict[str, Any] | None:
    found = boto3.client("dynamodb").get_item(TableName=resources.table_name, Key=record_key(header_value))
    item: dict[str, Any] | None = found.get("Item")
    return item


class Calls:
    """The DynamoDB calls the handler makes (operation and parameters), in order."""

    def __init__(self) -> None:
        self.made: list[tuple[str, dict[str, Any]]] = []
        wiring.case_store().client.meta.events.register("before-parameter-build.dynamodb", self._record)

    def _record(self, params: dict[str, Any], model: Any, **_: Any) -> None:
        self.made.append((model.name, params))

    @property
    def names(self) -> list[str]:
        return [name for name, _ in self.made]


# --- the record, and the calls that write it ---------------------------------------------------------


def test_the_record_is_written_in_the_cases_transaction_where_the_tests_read_it(aws: LocalResources) -> None:
    calls = Calls()
    body = complaint()
    status, _, receipt = post(body, "shape-check")
    assert status == 201
    # Look up the key, take a number, then one transaction: the case, its event, its notifications and
    # the record, put only where the key holds no live record.
    assert calls.names == ["GetItem", "UpdateItem", "TransactWriteItems"]
    assert calls.made[0][1]["Key"] == record_key("shape-check") and calls.made[0][1]["ConsistentRead"]
    written = calls.made[2][1]["TransactItems"]
    partitions = [w["Put"]["Item"]["PK"]["S"].split("#")[0] for w in written]
    assert partitions == ["CASE"] * (len(written) - 1) + ["IDEMPOTENCY"]
    put = written[-1]["Put"]
    assert {k: put["Item"][k] for k in ("PK", "SK")} == record_key("shape-check")
    assert put["ConditionExpression"] == "attribute_not_exists(#pk) OR #expires <= :now"

    record = stored_record(aws, "shape-check")
    assert record is not None, "no idempotency record at the hand-built key"
    assert record["fingerprint"] == {"S": fingerprint(body)}
    assert from_item(record)["answer"] == receipt
    assert record["recorded_at"] == {"S": START.isoformat()}
    assert int(record["expires_at"]["N"]) == int(START.timestamp()) + DAY


def test_a_repeat_is_answered_from_the_record_without_taking_a_number(aws: LocalResources) -> None:
    _, _, first = post(complaint(), "again")
    calls = Calls()
    status, _, again = post(complaint(), "again")
    assert status == 201 and again == first
    assert calls.names == ["GetItem"]
    _, _, other = post(complaint(what_happened="Something else happened."), "another")
    assert other["reference"] == "CSC-2026-00002", "the repeat took no number"


# --- (a) two attempts with one key at once ------------------------------------------------------------


def look_before_the_first_wrote(monkeypatch: pytest.MonkeyPatch) -> None:
    """The next look-up of a key finds nothing, as for an attempt that looked just before another
    attempt's transaction wrote the record: both then try to write."""
    store = wiring.case_store()
    real = store.recall

    def too_early(scope: str, key: str) -> None:
        monkeypatch.setattr(store, "recall", real)

    monkeypatch.setattr(store, "recall", too_early)


def test_an_attempt_that_lost_the_race_gets_the_winners_receipt_and_makes_no_case(
    aws: LocalResources, monkeypatch: pytest.MonkeyPatch
) -> None:
    status, _, first = post(complaint(), "racing")
    assert status == 201
    look_before_the_first_wrote(monkeypatch)
    status, _, second = post(complaint(), "racing")
    assert status == 201, second
    assert second == first
    assert [c["reference"] for c in cases(aws)] == [first["reference"]], "exactly one case"


def test_a_racing_attempt_with_another_request_under_the_key_gets_422(
    aws: LocalResources, monkeypatch: pytest.MonkeyPatch
) -> None:
    post(complaint(), "racing")
    look_before_the_first_wrote(monkeypatch)
    status, _, answer = post(complaint(what_happened="Different words."), "racing")
    assert status == 422, answer
    assert "already used" in answer["message"]
    assert len(cases(aws)) == 1


def test_a_write_colliding_with_another_gets_409_with_retry_after_and_writes_nothing(
    aws: LocalResources, monkeypatch: pytest.MonkeyPatch
) -> None:
    """DynamoDB cancels a transaction that collides with another one writing the same item (moto never
    does): the record's reason is TransactionConflict."""
    client = wiring.case_store().client

    def colliding(**params: Any) -> Any:
        reasons = [{"Code": "None"}] * (len(params["TransactItems"]) - 1) + [{"Code": "TransactionConflict"}]
        error = {"Code": "TransactionCanceledException", "Message": "Transaction cancelled"}
        raise ClientError({"Error": error, "CancellationReasons": reasons}, "TransactWriteItems")

    monkeypatch.setattr(client, "transact_write_items", colliding)
    status, headers, answer = post(complaint(), "collide")
    assert status == 409, answer
    retry_after = {k.lower(): v for k, v in headers.items()}.get("retry-after")
    assert retry_after is not None and retry_after.isdigit() and int(retry_after) > 0
    assert "already being processed" in answer["message"]
    assert cases(aws) == [] and stored_record(aws, "collide") is None


def test_a_first_attempt_that_died_before_its_transaction_leaves_the_key_free(
    aws: LocalResources, monkeypatch: pytest.MonkeyPatch
) -> None:
    """It took a number, then lost DynamoDB: nothing holds the key, so the retry is processed."""
    client = wiring.case_store().client
    real = client.transact_write_items

    def unreachable(**params: Any) -> Any:
        raise EndpointConnectionError(endpoint_url="https://dynamodb.eu-west-2.amazonaws.com")

    monkeypatch.setattr(client, "transact_write_items", unreachable)
    with pytest.raises(EndpointConnectionError):  # the function fails: API Gateway answers 502
        post(complaint(), "died")
    assert stored_record(aws, "died") is None
    monkeypatch.setattr(client, "transact_write_items", real)
    status, _, answer = post(complaint(), "died")
    assert status == 201, answer
    assert answer["reference"] == "CSC-2026-00002", "the dead attempt's number is a gap, never reused"
    assert len(cases(aws)) == 1


def test_a_first_attempt_that_died_after_its_transaction_is_answered_not_registered_again(
    aws: LocalResources, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The case and its record are written together, so however late the first attempt died, the retry
    finds the record (a separate in-progress record would have expired and let the retry register a
    second case)."""
    store = wiring.case_store()
    real = store.create

    def wrote_then_died(*args: Any, **kwargs: Any) -> None:
        real(*args, **kwargs)
        raise TimeoutError("the function ran out of time")

    monkeypatch.setattr(store, "create", wrote_then_died)
    with pytest.raises(TimeoutError):
        post(complaint(), "died-late")
    monkeypatch.setattr(store, "create", real)
    status, _, answer = post(complaint(), "died-late")
    assert status == 201, answer
    assert [c["reference"] for c in cases(aws)] == [answer["reference"]] == ["CSC-2026-00001"]


# --- (b) a bad Idempotency-Key header ----------------------------------------------------------------


@pytest.mark.parametrize(
    "key",
    [
        "k" * 129,  # longer than 128
        "abc\x00def",  # NUL
        "abc\tdef",  # tab: a control character
        "line\nbreak",  # newline (header injection)
        "bell\x07",
        "del\x7f",
        "zero\u200bwidth",  # zero-width space: not printable
    ],
    ids=["129-chars", "nul", "tab", "newline", "bell", "del", "zero-width-space"],
)
def test_a_bad_idempotency_key_gets_400_naming_the_header_and_nothing_is_written(
    aws: LocalResources, key: str
) -> None:
    status, _, answer = post(complaint(), key)
    assert status == 400, answer
    assert "Idempotency-Key" in answer["message"]
    assert items(aws) == []


def test_a_key_of_exactly_128_printable_characters_is_accepted(aws: LocalResources) -> None:
    key = ("AZaz09-_.~:!" * 11)[:128]
    assert len(key) == 128
    status, _, answer = post(complaint(), key)
    assert status == 201, answer
    assert len(cases(aws)) == 1


# --- (c) the end of the 24-hour window: the record's expiry on the test's clock ----------------------


def test_within_24_hours_the_same_key_returns_the_same_reference(
    aws: LocalResources, clock: LocalClock
) -> None:
    first_status, _, first = post(complaint(), "window-key")
    assert first_status == 201
    clock.advance(timedelta(hours=23, minutes=59, seconds=59))
    again_status, _, again = post(complaint(), "window-key")
    assert again_status == 201
    assert again == first
    assert len(cases(aws)) == 1


def test_after_24_hours_the_same_key_makes_a_new_case(aws: LocalResources, clock: LocalClock) -> None:
    _, _, first = post(complaint(), "window-key")
    clock.advance(timedelta(hours=24))  # Fri 2026-11-27 10:00 UTC: the window has ended
    status, _, second = post(complaint(), "window-key")
    assert status == 201, second
    assert second["reference"] != first["reference"]
    assert second["received_date"] == "2026-11-27"
    assert sorted(c["reference"] for c in cases(aws)) == sorted([first["reference"], second["reference"]])
    # and the new request holds the key for a new window.
    renewed = stored_record(aws, "window-key")
    assert renewed is not None
    assert int(renewed["expires_at"]["N"]) == int(START.timestamp()) + 2 * DAY
    assert from_item(renewed)["answer"] == second
