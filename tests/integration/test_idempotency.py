"""Idempotency of POST /representations at handler level, on moto: the answers when it does not simply
replay - a request still in progress, a bad Idempotency-Key, and the end of the 24-hour window.

The idempotency records are Powertools' own (DynamoDBPersistenceLayer on the case table). Where a test
writes one, it builds it as Powertools does, from Powertools' source, not from Heard's adapter:
  partition key  PK = "IDEMPOTENCY#intake"                     (static_pk_value, shared/adapters/idempotency.py)
  sort key       SK = "<function name>.<module>.<qualname>#<md5 of json.dumps(key data)>"
                 (BasePersistenceLayer.configure and _get_hashed_idempotency_key; the key data is what the
                 event_key_jmespath "key" selects: "key:" + the header value)
  status         "INPROGRESS" or "COMPLETED"
  expires_at     the end of the idempotency window, epoch seconds (expiry_attr)
  in_progress_expiration  when an in-progress record may be taken over, epoch milliseconds
  validation     md5 of json.dumps(the request fingerprint) (payload_validation_jmespath "fingerprint")
"""

from __future__ import annotations

import datetime as real_dt
import hashlib
import json
import time
import types
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from aws_lambda_powertools.utilities.idempotency import base as pt_base
from aws_lambda_powertools.utilities.idempotency.persistence import base as pt_persistence
from aws_lambda_powertools.utilities.idempotency.persistence import datarecord as pt_record
from aws_lambda_powertools.utilities.idempotency.persistence import dynamodb as pt_dynamodb

from functions.intake.handler import handler
from infra.local.clock import LocalClock
from infra.local.emulator import LocalResources
from infra.local.gateway import LambdaContext, proxy_event
from shared.adapters.dynamodb import from_item
from shared.domain.case import payload_fingerprint
from shared.domain.representation import RepresentationRequest
from tests.conftest import START, as_json, complaint

FUNCTION_NAME = "heard-intake"
# The decorated function Powertools names the record after (module and qualified name).
DECORATED = "shared.adapters.idempotency.PowertoolsIdempotency.once.<locals>.register_representation"
DAY = 24 * 60 * 60


@pytest.fixture(autouse=True)
def lambda_runtime(monkeypatch: pytest.MonkeyPatch) -> None:
    # Lambda sets the function's name; Powertools puts it at the front of every idempotency key.
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", FUNCTION_NAME)


def post(body: dict[str, Any], key: str | None = None) -> tuple[int, dict[str, str], dict[str, Any]]:
    headers = {"Content-Type": "application/json"}
    if key is not None:
        headers["Idempotency-Key"] = key
    event = proxy_event(
        "POST", "/representations", "/representations", "", headers, as_json(body), {}, "1.2.3.4"
    )
    context: Any = LambdaContext(
        function_name=FUNCTION_NAME, aws_request_id="req-1"
    )  # the runtime's stand-in
    result = handler(event, context)
    return result["statusCode"], dict(result.get("headers") or {}), json.loads(result["body"])


def items(resources: LocalResources) -> list[dict[str, Any]]:
    scanned = boto3.client("dynamodb").scan(TableName=resources.table_name)["Items"]
    return [from_item(i) for i in scanned]


def cases(resources: LocalResources) -> list[dict[str, Any]]:
    return [i for i in items(resources) if i.get("type") == "case"]


def md5_json(value: str) -> str:
    return hashlib.md5(json.dumps(value, sort_keys=True).encode()).hexdigest()


def record_key(header_value: str) -> dict[str, dict[str, str]]:
    return {
        "PK": {"S": "IDEMPOTENCY#intake"},
        "SK": {"S": f"{FUNCTION_NAME}.{DECORATED}#{md5_json('key:' + header_value)}"},
    }


def validation_hash(body: dict[str, Any]) -> str:
    # The request's fingerprint is Heard's (a hash of the validated request); Powertools hashes it again.
    return md5_json(payload_fingerprint(RepresentationRequest.model_validate(body)))


def stored_record(resources: LocalResources, header_value: str) -> dict[str, Any] | None:
    found = boto3.client("dynamodb").get_item(TableName=resources.table_name, Key=record_key(header_value))
    item: dict[str, Any] | None = found.get("Item")
    return item


# --- (a) the same request while the first is still being processed ------------------------------------


def test_the_record_built_here_is_the_one_powertools_writes(aws: LocalResources) -> None:
    """Guards the tests below: a completed request leaves its record exactly where they write theirs."""
    body = complaint()
    status, _, _ = post(body, "shape-check")
    assert status == 201
    record = stored_record(aws, "shape-check")
    assert record is not None, "no idempotency record at the hand-built key"
    assert record["status"] == {"S": "COMPLETED"}
    assert record["validation"] == {"S": validation_hash(body)}
    assert int(record["expires_at"]["N"]) == pytest.approx(time.time() + DAY, abs=120)


def test_a_request_in_progress_gets_409_with_retry_after_and_writes_nothing(aws: LocalResources) -> None:
    body = complaint()
    now = time.time()  # Powertools compares with the real time
    boto3.client("dynamodb").put_item(
        TableName=aws.table_name,
        Item={
            **record_key("still-working"),
            "status": {"S": "INPROGRESS"},
            "expires_at": {"N": str(int(now + DAY))},
            "in_progress_expiration": {"N": str(int((now + 60) * 1000))},
            "validation": {"S": validation_hash(body)},
        },
    )
    status, headers, answer = post(body, "still-working")
    assert status == 409, answer
    retry_after = {k.lower(): v for k, v in headers.items()}.get("retry-after")
    assert retry_after is not None and retry_after.isdigit() and int(retry_after) > 0
    assert "already being processed" in answer["message"]
    assert cases(aws) == []
    assert stored_record(aws, "still-working") is not None  # the first request's record is left alone


def test_a_request_whose_first_attempt_timed_out_is_processed(aws: LocalResources) -> None:
    """An in-progress record whose Lambda ran out of time (in-progress expiry passed) is taken over."""
    body = complaint()
    now = time.time()
    boto3.client("dynamodb").put_item(
        TableName=aws.table_name,
        Item={
            **record_key("timed-out"),
            "status": {"S": "INPROGRESS"},
            "expires_at": {"N": str(int(now + DAY))},
            "in_progress_expiration": {"N": str(int((now - 1) * 1000))},
            "validation": {"S": validation_hash(body)},
        },
    )
    status, _, answer = post(body, "timed-out")
    assert status == 201, answer
    assert len(cases(aws)) == 1


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


# --- (c) the end of the 24-hour window -----------------------------------------------------------------


@pytest.fixture
def powertools_follows_the_clock(clock: LocalClock, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Powertools reads the real time (``datetime.datetime.now()`` in four modules) to set, compare and
    expire its records; the test's clock is a LocalClock. Time-travel Powertools with it: each module's
    ``dt`` becomes a stand-in whose ``datetime.now()`` is the real time moved by however far the test
    moved the test's clock. So the window is tested through Powertools' own expiry logic (the put
    condition ``#expiry < :now`` and ``DataRecord.is_expired``), not by skipping it. (DynamoDB's TTL
    deletion plays no part: it is lazy, and moto does not run it.)"""

    class Shifted(real_dt.datetime):
        @classmethod
        def now(cls, tz: real_dt.tzinfo | None = None) -> Shifted:
            moved = real_dt.datetime.now(tz) + (clock.now() - START)
            return cls.fromtimestamp(moved.timestamp(), tz)

    stand_in = types.SimpleNamespace(
        datetime=Shifted, timedelta=real_dt.timedelta, date=real_dt.date, time=real_dt.time
    )
    for module in (pt_base, pt_persistence, pt_record, pt_dynamodb):
        monkeypatch.setattr(module, "dt", stand_in)
    yield


@pytest.mark.usefixtures("powertools_follows_the_clock")
def test_within_24_hours_the_same_key_returns_the_same_reference(
    aws: LocalResources, clock: LocalClock
) -> None:
    first_status, _, first = post(complaint(), "window-key")
    assert first_status == 201
    clock.advance(timedelta(hours=23, minutes=59))
    again_status, _, again = post(complaint(), "window-key")
    assert again_status == 201
    assert again == first
    assert len(cases(aws)) == 1


@pytest.mark.usefixtures("powertools_follows_the_clock")
def test_after_24_hours_the_same_key_makes_a_new_case(aws: LocalResources, clock: LocalClock) -> None:
    _, _, first = post(complaint(), "window-key")
    record = stored_record(aws, "window-key")
    assert record is not None
    # The record's expiry is 24 hours after the (time-travelled) real time of the first request.
    assert int(record["expires_at"]["N"]) == pytest.approx(time.time() + DAY, abs=120)

    clock.advance(timedelta(hours=24, minutes=1))  # Fri 2026-11-27 10:01 UTC
    status, _, second = post(complaint(), "window-key")
    assert status == 201, second
    assert second["reference"] != first["reference"]
    assert second["received_date"] == "2026-11-27"
    assert sorted(c["reference"] for c in cases(aws)) == sorted([first["reference"], second["reference"]])
    # and the new request holds the key for a new window.
    renewed = stored_record(aws, "window-key")
    assert renewed is not None
    assert int(renewed["expires_at"]["N"]) == pytest.approx(time.time() + 2 * DAY + 60, abs=120)


@pytest.mark.usefixtures("powertools_follows_the_clock")
def test_the_time_travel_moves_powertools_and_not_the_real_clock(clock: LocalClock) -> None:
    """Without it, a day-later test would pass or fail for the wrong reason."""
    # ``dt`` is each module's own ``import datetime as dt``, not re-exported.
    before = vars(pt_record)["dt"].datetime.now().timestamp()
    clock.advance(timedelta(days=1))
    for module in (pt_base, pt_persistence, pt_record, pt_dynamodb):
        moved = vars(module)["dt"].datetime.now().timestamp() - before
        assert moved == pytest.approx(DAY, abs=5), module.__name__
    assert datetime.now(UTC).timestamp() == pytest.approx(before, abs=5)
