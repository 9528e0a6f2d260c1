"""The local service's emulated DynamoDB holds a year of cases: transactions cost the items they write,
a cancelled one leaves the table object and its stream alone, the stream pump trims what it delivered,
and the store can be kept between runs (infra/local/transactions.py, streams.py, state.py)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from infra.catalog import NOTIFIER
from infra.local import state
from infra.local.emulator import ACCOUNT_ID, LocalResources, create_resources
from infra.local.gateway import load_handler
from infra.local.outbox import sent_emails
from infra.local.streams import StreamPump, matches
from shared import names, wiring
from shared.adapters.dynamodb import DynamoCaseStore, to_item
from tests.conftest import complaint


def _table(aws: LocalResources) -> Any:
    from moto.dynamodb.models import dynamodb_backends

    return dynamodb_backends[ACCOUNT_ID][names.REGION_DEFAULT].get_table(aws.table_name)


def _put(key: str, **values: Any) -> dict[str, Any]:
    return to_item({names.PK: key, names.SK: "X", **values})


@pytest.fixture
def client(aws: LocalResources) -> Any:
    return boto3.client("dynamodb")


def _stream_keys(aws: LocalResources) -> list[str]:
    return [r.to_json()["dynamodb"]["Keys"][names.PK]["S"] for r in _table(aws).stream_shard.items]


def test_a_cancelled_transaction_keeps_the_table_object_its_stream_and_other_writes(
    aws: LocalResources, client: Any
) -> None:
    table, shard = _table(aws), _table(aws).stream_shard
    client.put_item(TableName=aws.table_name, Item=_put("A", n=1))
    with pytest.raises(ClientError) as raised:
        client.transact_write_items(
            TransactItems=[
                {"Put": {"TableName": aws.table_name, "Item": _put("B", n=2)}},
                {
                    "Put": {
                        "TableName": aws.table_name,
                        "Item": _put("A", n=3),
                        "ConditionExpression": "attribute_not_exists(PK)",
                    }
                },
            ]
        )
    reasons = raised.value.response["CancellationReasons"]
    assert [r["Code"] for r in reasons] == ["None", "ConditionalCheckFailed"]
    assert _table(aws) is table and table.stream_shard is shard, "the table and its stream stay"
    assert "Item" not in client.get_item(TableName=aws.table_name, Key=_put("B"))
    assert client.get_item(TableName=aws.table_name, Key=_put("A"))["Item"]["n"] == {"N": "1"}
    assert _stream_keys(aws) == ["A"], "a cancelled transaction publishes nothing"
    client.put_item(TableName=aws.table_name, Item=_put("C", n=4))
    assert _stream_keys(aws) == ["A", "C"], "later writes reach the same stream"


def test_a_write_that_fails_midway_is_undone_in_place(aws: LocalResources, client: Any) -> None:
    client.put_item(TableName=aws.table_name, Item=_put("A", n=1, word="text"))
    table = _table(aws)
    with pytest.raises(ClientError):
        client.transact_write_items(
            TransactItems=[
                {"Put": {"TableName": aws.table_name, "Item": _put("B", n=2)}},
                {
                    "Update": {
                        "TableName": aws.table_name,
                        "Key": _put("A"),
                        "UpdateExpression": "SET n = :n ADD word :one",  # ADD to a string: refused
                        "ExpressionAttributeValues": {":n": {"N": "9"}, ":one": {"N": "1"}},
                    }
                },
            ]
        )
    assert _table(aws) is table
    assert "Item" not in client.get_item(TableName=aws.table_name, Key=_put("B"))
    item = client.get_item(TableName=aws.table_name, Key=_put("A"))["Item"]
    assert item["n"] == {"N": "1"} and item["word"] == {"S": "text"}
    assert _stream_keys(aws) == ["A"]


@pytest.fixture
def no_table_copies(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Fail if anything deep-copies a whole table (moto's own transaction did, once per item)."""
    from moto.dynamodb.models.table import Table

    def refuse(self: Any, memo: Any) -> Any:
        raise AssertionError("a whole table was copied")

    monkeypatch.setattr(Table, "__deepcopy__", refuse, raising=False)
    yield


def test_registering_a_case_never_copies_the_table(aws: LocalResources, no_table_copies: None) -> None:
    from functions.intake.handler import handler
    from infra.local.gateway import LambdaContext, proxy_event

    for i in range(3):
        body = json.dumps(complaint(what_happened=f"Complaint {i}")).encode()
        event = proxy_event(
            "POST",
            "/representations",
            "/representations",
            "",
            {"Content-Type": "application/json"},
            body,
            {},
            "",
        )
        assert handler(event, LambdaContext(function_name="Intake"))["statusCode"] == 201


def test_the_pump_trims_what_it_delivered_and_follows_the_same_shard(
    aws: LocalResources, client: Any
) -> None:
    delivered: list[str] = []

    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        delivered.extend(r["dynamodb"]["Keys"][names.PK]["S"] for r in event["Records"])
        return {"batchItemFailures": []}

    pump = StreamPump(aws.table_name, handler, aws.dead_letter_queue_url, sleep=lambda _: None)
    notification = {"type": "notification"}
    for key in ("A", "B", "C"):
        client.put_item(TableName=aws.table_name, Item=_put(key, **notification))
    client.put_item(TableName=aws.table_name, Item=_put("D", type="case"))  # filtered out
    assert pump.poll_once() == 4
    assert delivered == ["A", "B", "C"]
    assert _table(aws).stream_shard.items == [], "delivered records are not kept"
    client.put_item(TableName=aws.table_name, Item=_put("E", **notification))
    pump.drain()
    assert delivered == ["A", "B", "C", "E"], "sequence numbers go on after a trim"


def test_the_stream_filter_follows_the_event_filter_pattern_syntax() -> None:
    assert NOTIFIER.stream is not None
    pattern = NOTIFIER.stream.filter
    notification = {"dynamodb": {"NewImage": {"type": {"S": "notification"}, "status": {"S": "pending"}}}}
    assert matches(pattern, notification)
    assert not matches(pattern, {"dynamodb": {"NewImage": {"type": {"S": "case"}}}})
    assert not matches(pattern, {"dynamodb": {"OldImage": {"type": {"S": "notification"}}}}), "a REMOVE"
    assert matches({"a": {"b": ["x", "y"]}}, {"a": {"b": "y", "c": 1}})
    assert not matches({"a": {"b": ["x"]}}, {"a": "x"})


def test_the_pump_notices_a_replaced_stream(aws: LocalResources, client: Any) -> None:
    delivered: list[str] = []
    pump = StreamPump(
        aws.table_name,
        lambda event, _: delivered.extend(r["dynamodb"]["Keys"][names.PK]["S"] for r in event["Records"]),
        aws.dead_letter_queue_url,
    )
    table = _table(aws)
    from moto.dynamodb.models.table import StreamShard

    table.stream_shard = StreamShard(ACCOUNT_ID, table)  # what moto's own cancelled transaction did
    client.put_item(TableName=aws.table_name, Item=_put("A", type="notification"))
    pump.drain()
    assert delivered == ["A"] and pump.streams_lost == 1


def test_the_store_survives_a_restart_and_never_reissues_a_reference(
    tmp_path: Path, clock: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from moto import mock_aws

    from functions.intake.handler import handler
    from infra.local.gateway import LambdaContext, proxy_event

    submitted: list[int] = []

    def submit() -> str:
        submitted.append(1)
        body = json.dumps(complaint(what_happened=f"Complaint number {len(submitted)}")).encode()
        event = proxy_event(
            "POST",
            "/representations",
            "/representations",
            "",
            {"Content-Type": "application/json"},
            body,
            {},
            "",
        )
        response = handler(event, LambdaContext(function_name="Intake"))
        assert response["statusCode"] == 201, response["body"]
        reference: str = json.loads(response["body"])["reference"]
        return reference

    saved = tmp_path / "state.json"
    with mock_aws():
        resources = create_resources()
        wiring.reset()
        first = [submit(), submit()]
        assert state.save(saved, resources.table_name, clean=True) > 0
        assert all(names.PK in item for item in json.loads(saved.read_text())["items"])
    wiring.reset()
    with mock_aws():  # a new process: empty emulated AWS
        resources = create_resources()
        wiring.reset()
        state.load(saved, resources.table_name)
        store = DynamoCaseStore(resources.table_name)
        cases = store.client.scan(
            TableName=resources.table_name,
            FilterExpression="#t = :c",
            ExpressionAttributeNames={"#t": "type"},
            ExpressionAttributeValues={":c": {"S": "case"}},
        )["Items"]
        assert sorted(c["reference"]["S"] for c in cases) == sorted(first)
        third = submit()
        assert third not in first and third.endswith("00003")
        state.save(saved, resources.table_name, clean=False)  # as the periodic save, then killed
        pump = StreamPump(
            resources.table_name, load_handler(NOTIFIER.handler), resources.dead_letter_queue_url
        )
        pump.drain()
        # Nothing was delivered in the first run: after the reload, every case's acknowledgement and
        # team alert are sent, once each.
        assert len(sent_emails()) == 6
    wiring.reset()
    with mock_aws():
        resources = create_resources()
        wiring.reset()
        state.load(saved, resources.table_name)
        fourth = submit()
        number = int(fourth.rsplit("-", 1)[1])
        assert number == 3 + state.UNCLEAN_COUNTER_GAP + 1, "after an unclean stop the counter moves on"
    wiring.reset()


def test_a_file_that_is_not_a_state_file_is_refused_by_name(tmp_path: Path, aws: LocalResources) -> None:
    bad = tmp_path / "state.json"
    bad.write_text('{"cases": []}')
    with pytest.raises(SystemExit, match=r"state\.json is not a Heard local state file"):
        state.load(bad, aws.table_name)


def _submit(number: int) -> str:
    from functions.intake.handler import handler
    from infra.local.gateway import LambdaContext, proxy_event

    body = json.dumps(complaint(what_happened=f"Complaint number {number}")).encode()
    event = proxy_event(
        "POST", "/representations", "/representations", "", {"Content-Type": "application/json"}, body, {}, ""
    )
    response = handler(event, LambdaContext(function_name="Intake"))
    assert response["statusCode"] == 201, response["body"]
    reference: str = json.loads(response["body"])["reference"]
    return reference


def test_a_process_killed_before_its_first_save_after_a_clean_start_reissues_nothing(
    tmp_path: Path, clock: Any
) -> None:
    from moto import mock_aws

    saved = tmp_path / "state.json"
    with mock_aws():
        resources = create_resources()
        wiring.reset()
        assert _submit(1).endswith("-00001")
        state.save(saved, resources.table_name, clean=True)  # a clean exit
    # Run 2 starts from the clean file and issues number 2, then is killed before any save. Run 3 must
    # not issue 2 again: the file says run 2 may have issued numbers it does not hold.
    for run, expected in ((2, 2), (3, 1 + state.UNCLEAN_COUNTER_GAP + 1)):
        wiring.reset()
        with mock_aws():  # a new process
            resources = create_resources()
            wiring.reset()
            state.load(saved, resources.table_name)
            assert int(_submit(run).rsplit("-", 1)[1]) == expected, f"run {run}"
    wiring.reset()


def test_the_state_file_is_readable_by_its_owner_only(tmp_path: Path, aws: LocalResources) -> None:
    saved = tmp_path / "state.json"
    state.save(saved, aws.table_name, clean=True)
    assert saved.stat().st_mode & 0o777 == 0o600


def test_the_local_dead_letters_route_lists_and_redrives_real_dead_letters(clock: Any) -> None:
    from datetime import timedelta

    from moto import mock_aws

    from infra.local.service import LocalService

    with mock_aws():
        service = LocalService.start(clock=clock)
        status, _, _ = service.gateway.dispatch(
            "POST", "/representations", {"Content-Type": "application/json"}, json.dumps(complaint()).encode()
        )
        assert status == 201
        service.clock.advance(timedelta(minutes=20))  # never delivered: both notifications are dead letters
        status, _, payload = service.gateway.dispatch("GET", "/_local/dead-letters", {}, b"")
        assert status == 200, payload
        letters = json.loads(payload)
        assert sorted((d["purpose"], d["status"], d["attempts"]) for d in letters) == [
            ("acknowledgement", "pending", 0),
            ("team-alert", "pending", 0),
        ]
        status, _, payload = service.gateway.dispatch(
            "POST", "/_local/dead-letters/redrive", {"Content-Length": "0"}, b""
        )
        assert (status, json.loads(payload)) == (200, {"redriven": 2, "found": 2})
    wiring.reset()


def test_the_outbox_counts_what_it_holds(clock: Any) -> None:
    from moto import mock_aws

    from infra.local.service import LocalService

    with mock_aws():
        service = LocalService.start(clock=clock)
        service.gateway.dispatch(
            "POST", "/representations", {"Content-Type": "application/json"}, json.dumps(complaint()).encode()
        )
        service.pump.drain()
        _, _, payload = service.gateway.dispatch("GET", "/_local/outbox/count", {}, b"")
        _, _, emails = service.gateway.dispatch("GET", "/_local/outbox", {}, b"")
        assert json.loads(payload) == {"count": len(json.loads(emails))} == {"count": 2}
    wiring.reset()
