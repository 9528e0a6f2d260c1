"""The local service's emulated DynamoDB holds a year of cases: transactions cost the items they write,
a cancelled one leaves the table object and its stream alone, the stream pump trims what it delivered,
and the store is kept on disk, each write before its call returns (infra/local/transactions.py,
streams.py, state.py)."""

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
from tests.conftest import as_json, complaint


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


def _crash_copy(path: Path, into: Path) -> Path:
    """What a SIGKILL would leave on disk now: the database and its write-ahead log, copied as files
    (the service holds the database locked, so nothing else may open it while it runs)."""
    into.mkdir(exist_ok=True)
    for name in (path.name, f"{path.name}-wal"):
        if (path.parent / name).exists():
            (into / name).write_bytes((path.parent / name).read_bytes())
    return into / path.name


def _on_disk(path: Path, into: Path) -> dict[str, dict[str, Any]]:
    """The items a restart would find, by key, read from a crash copy."""
    import sqlite3

    connection = sqlite3.connect(_crash_copy(path, into))
    try:
        rows = connection.execute("SELECT item FROM items").fetchall()
    finally:
        connection.close()
    return {_key(item): item for item in (json.loads(row) for (row,) in rows)}


def _key(item: dict[str, Any]) -> str:
    return f"{item[names.PK]['S']}|{item[names.SK]['S']}"


def _in_moto(aws: LocalResources) -> dict[str, dict[str, Any]]:
    items = [item.to_json()["Attributes"] for item in _table(aws).all_items()]
    return {_key(item): item for item in json.loads(json.dumps(items))}


@pytest.fixture
def kept(tmp_path: Path, aws: LocalResources) -> Iterator[state.LocalStore]:
    store = state.LocalStore.open(tmp_path / "state.db")
    store.attach()
    yield store
    store.close()


def test_every_write_is_on_disk_before_its_call_returns(
    tmp_path: Path, aws: LocalResources, client: Any, kept: state.LocalStore
) -> None:
    table = aws.table_name

    def transact(*operations: dict[str, Any]) -> None:
        with pytest.raises(ClientError):
            client.transact_write_items(TransactItems=list(operations))

    writes = [
        lambda: client.put_item(TableName=table, Item=_put("A", n=1, word="text")),
        lambda: client.update_item(
            TableName=table,
            Key=_put("COUNTER"),
            UpdateExpression="ADD #v :one",
            ExpressionAttributeNames={"#v": "value"},
            ExpressionAttributeValues={":one": {"N": "1"}},
        ),
        lambda: client.update_item(
            TableName=table,
            Key=_put("A"),
            UpdateExpression="SET n = :n",
            ExpressionAttributeValues={":n": {"N": "2"}},
        ),
        lambda: client.batch_write_item(
            RequestItems={
                table: [
                    {"PutRequest": {"Item": _put("B", n=3)}},
                    {"PutRequest": {"Item": _put("C", n=4)}},
                ]
            }
        ),
        lambda: client.delete_item(TableName=table, Key=_put("B")),
        lambda: client.transact_write_items(
            TransactItems=[
                {"Put": {"TableName": table, "Item": _put("D", n=5)}},
                {"Delete": {"TableName": table, "Key": _put("C")}},
                {
                    "Update": {
                        "TableName": table,
                        "Key": _put("A"),
                        "UpdateExpression": "SET n = :n",
                        "ExpressionAttributeValues": {":n": {"N": "6"}},
                    }
                },
            ]
        ),
        # Cancelled by a condition, and failed half-way and undone: on disk as in moto, unchanged.
        lambda: transact(
            {"Put": {"TableName": table, "Item": _put("E", n=7)}},
            {
                "Put": {
                    "TableName": table,
                    "Item": _put("A", n=8),
                    "ConditionExpression": "attribute_not_exists(PK)",
                }
            },
        ),
        lambda: transact(
            {"Put": {"TableName": table, "Item": _put("F", n=9)}},
            {
                "Update": {
                    "TableName": table,
                    "Key": _put("A"),
                    "UpdateExpression": "SET n = :n ADD word :one",  # ADD to a string: refused
                    "ExpressionAttributeValues": {":n": {"N": "10"}, ":one": {"N": "1"}},
                }
            },
        ),
        lambda: client.execute_statement(Statement=f"INSERT INTO \"{table}\" VALUE {{'PK': 'G', 'SK': 'X'}}"),
    ]
    for number, write in enumerate(writes):
        write()
        assert _on_disk(kept.path, tmp_path / f"after-{number}") == _in_moto(aws), f"write {number}"
    assert set(_in_moto(aws)) == {"A|X", "COUNTER|X", "D|X", "G|X"}


def test_the_store_survives_a_kill_and_never_reissues_a_reference(tmp_path: Path, clock: Any) -> None:
    from moto import mock_aws

    path = tmp_path / "state.db"
    crashed = path
    issued: list[str] = []
    for run in range(3):
        wiring.reset()
        with mock_aws():  # a new process: empty emulated AWS
            resources = create_resources()
            wiring.reset()
            store = state.LocalStore.open(crashed)
            loaded = store.load_into(resources.table_name)
            store.attach()
            cases = DynamoCaseStore(resources.table_name).client.scan(
                TableName=resources.table_name,
                FilterExpression="#t = :c",
                ExpressionAttributeNames={"#t": "type"},
                ExpressionAttributeValues={":c": {"S": "case"}},
            )["Items"]
            assert sorted(c["reference"]["S"] for c in cases) == sorted(issued), f"run {run}"
            assert loaded or run == 0
            issued += [_submit(len(issued) + 1), _submit(len(issued) + 2)]
            if run == 1:
                # Nothing was delivered in the first run: after its reload, every case's acknowledgement
                # and team alert are sent, once each.
                pump = StreamPump(
                    resources.table_name, load_handler(NOTIFIER.handler), resources.dead_letter_queue_url
                )
                pump.drain()
                assert len(sent_emails()) == 2 * len(issued)
            # Killed now: the next run starts from what is on disk, with no clean close.
            crashed = _crash_copy(store.path, tmp_path / f"killed-{run}")
            store.close()
    wiring.reset()
    numbers = [int(reference.rsplit("-", 1)[1]) for reference in issued]
    assert numbers == [1, 2, 3, 4, 5, 6], "every number kept before it was used: no gap, no repeat"


def test_after_a_kill_the_service_sends_what_was_pending_and_loads_only_wanted_records(
    tmp_path: Path, clock: Any
) -> None:
    from moto import mock_aws

    from infra.local.service import LocalService

    headers = {"Content-Type": "application/json"}
    with mock_aws():
        service = LocalService.start(clock=clock, state_file=tmp_path / "state.db")
        try:
            for number in range(2):  # the stream is not delivered: both cases' emails are pending
                body = json.dumps(complaint(what_happened=f"Complaint {number}")).encode()
                assert service.gateway.dispatch("POST", "/representations", headers, body)[0] == 201
            assert service.store is not None
            killed = _crash_copy(service.store.path, tmp_path / "killed")
        finally:
            service.stop(within=1.0)
    wiring.reset()
    with mock_aws():
        service = LocalService.start(clock=clock, state_file=killed)
        try:
            records = [r.to_json()["dynamodb"]["NewImage"]["type"]["S"] for r in _stream(service)]
            assert sorted(set(records)) == ["case", "notification"], "no event's record is made again"
            assert sent_emails() == []
            service.pump.drain()
            assert len(sent_emails()) == 4
        finally:
            service.stop(within=1.0)
    wiring.reset()


def _stream(service: Any) -> list[Any]:
    from moto.dynamodb.models import dynamodb_backends

    table = dynamodb_backends[ACCOUNT_ID][names.REGION_DEFAULT].get_table(service.resources.table_name)
    return list(table.stream_shard.items)


def test_a_move_of_the_local_clock_is_kept_before_it_is_answered(tmp_path: Path, clock: Any) -> None:
    from moto import mock_aws

    from infra.local.service import LocalService

    with mock_aws():
        service = LocalService.start(clock=clock, state_file=tmp_path / "state.db")
        try:
            status, _, payload = service.gateway.dispatch("POST", "/_local/clock", {}, b'{"advance_days": 3}')
            assert status == 200, payload
            assert service.store is not None
            copy = _crash_copy(service.store.path, tmp_path / "killed")
        finally:
            service.stop(within=1.0)
    wiring.reset()
    from datetime import timedelta

    from tests.conftest import START

    killed = state.LocalStore.open(copy)
    try:
        assert killed.clock() == START + timedelta(days=3)
    finally:
        killed.close()


def test_a_write_that_cannot_be_kept_fails_and_so_does_every_call_until_one_is(
    tmp_path: Path, aws: LocalResources, client: Any, kept: state.LocalStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sqlite3

    commit = kept._commit

    def full(*args: Any) -> None:
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(kept, "_commit", full)
    with pytest.raises(state.StoreFailure, match="could not keep a write"):
        client.put_item(TableName=aws.table_name, Item=_put("A", n=1))
    with pytest.raises(state.StoreFailure):  # a read would show what is not kept: it fails too
        client.get_item(TableName=aws.table_name, Key=_put("A"))
    monkeypatch.setattr(kept, "_commit", commit)
    client.put_item(TableName=aws.table_name, Item=_put("B", n=2))
    assert set(_on_disk(kept.path, tmp_path / "later")) == {"A|X", "B|X"}


def test_an_answer_waits_for_one_fsync_of_everything_before_it(
    tmp_path: Path, clock: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each AWS call's commit is in the operating system's hands when it returns (what a SIGKILL leaves);
    the gateway fsyncs the log before it answers, so a power cut takes nothing answered back either."""
    import os

    from moto import mock_aws

    from infra.local.service import LocalService

    real = os.fsync
    synced: list[int] = []

    def fsync(descriptor: int) -> None:
        synced.append(descriptor)
        real(descriptor)

    def broken(descriptor: int) -> None:
        raise OSError(5, "Input/output error")

    headers = {"Content-Type": "application/json"}
    with mock_aws():
        service = LocalService.start(clock=clock, state_file=tmp_path / "state.db")
        store = service.store
        assert store is not None
        monkeypatch.setattr(os, "fsync", fsync)
        assert service.gateway.dispatch("POST", "/representations", headers, as_json(complaint()))[0] == 201
        assert synced == [store._log], "the counter's and the case's commits: one fsync, of the log"
        assert service.gateway.dispatch("GET", "/health", {}, b"")[0] == 200
        assert synced == [store._log], "nothing new to put on disk"
        monkeypatch.setattr(os, "fsync", broken)
        with pytest.raises(state.StoreFailure, match="could not put its log on disk"):
            service.gateway.dispatch("POST", "/representations", headers, as_json(complaint(name="Other")))
        with pytest.raises(state.StoreFailure):  # and nothing after, until a restart
            boto3.client("dynamodb").get_item(TableName=service.resources.table_name, Key=_put("A"))
        monkeypatch.setattr(os, "fsync", real)
        with pytest.raises(state.StoreFailure):
            service.stop(within=1.0)  # the file is let go all the same
    wiring.reset()
    state.LocalStore.open(tmp_path / "state.db").close()


def test_a_store_in_use_by_another_service_is_refused(tmp_path: Path, aws: LocalResources) -> None:
    first = state.LocalStore.open(tmp_path / "state.db")
    try:
        with pytest.raises(SystemExit, match=r"state\.db is in use by another Heard local service"):
            state.LocalStore.open(tmp_path / "state.db")
    finally:
        first.close()
    state.LocalStore.open(tmp_path / "state.db").close()  # free again once closed


def test_a_file_that_is_not_a_state_file_is_refused_by_name(tmp_path: Path, aws: LocalResources) -> None:
    import sqlite3

    for name, content in (("state.json", b'{"cases": []}'), ("state.bin", b"\x00\x01 not a database")):
        (tmp_path / name).write_bytes(content)
        with pytest.raises(SystemExit, match=rf"{name.replace('.', '[.]')} is not a Heard local state file"):
            state.LocalStore.open(tmp_path / name)
    other = sqlite3.connect(tmp_path / "other.db")
    other.execute("CREATE TABLE accounts (id INTEGER)")
    other.commit()
    other.close()
    with pytest.raises(SystemExit, match=r"other[.]db is not a Heard local state file \(it holds accounts\)"):
        state.LocalStore.open(tmp_path / "other.db")


@pytest.mark.parametrize("clean", [True, False], ids=["clean", "unclean"])
def test_a_json_state_file_of_before_is_converted_in_place(
    tmp_path: Path, aws: LocalResources, clean: bool
) -> None:
    """The format kept every few seconds (issue 6): after an unclean stop its counters move on, as its
    numbers may have been issued after its last save."""
    path = tmp_path / ".heard-state"
    counter = {names.PK: {"S": "COUNTER#2026"}, names.SK: {"S": names.COUNTER_SK}, "value": {"N": "3"}}
    document = {
        "format": 1,
        "table": aws.table_name,
        "clean": clean,
        "clock": "2027-03-01T09:00:00+00:00",
        "items": [counter, _put("A", n=1)],
    }
    path.write_text(json.dumps(document))
    path.chmod(0o644)
    store = state.LocalStore.open(path)
    try:
        assert store.clock() is not None and store.clock().isoformat() == "2027-03-01T09:00:00+00:00"
        items = {_key(item): item for item in store.items(aws.table_name)}
        assert items["A|X"] == _put("A", n=1)
        assert items[f"COUNTER#2026|{names.COUNTER_SK}"]["value"] == {"N": "3" if clean else "1003"}
    finally:
        store.close()
    assert path.read_bytes().startswith(b"SQLite format 3")
    assert path.stat().st_mode & 0o777 == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == [".heard-state"]


def test_the_state_file_and_its_log_are_readable_by_their_owner_only(
    tmp_path: Path, aws: LocalResources, client: Any
) -> None:
    import os

    made = tmp_path / "made.db"
    there = tmp_path / "there.db"
    there.touch(0o644)
    umask = os.umask(0o022)
    try:
        for path in (made, there):
            store = state.LocalStore.open(path)
            store.attach()
            client.put_item(TableName=aws.table_name, Item=_put(path.name, n=1))
            files = [path, path.with_name(f"{path.name}-wal")]
            assert [f.stat().st_mode & 0o777 for f in files] == [0o600, 0o600], path.name
            assert not path.with_name(f"{path.name}-shm").exists()
            store.close()
    finally:
        os.umask(umask)


def test_make_demos_store_holds_the_table_and_the_clock(
    tmp_path: Path, aws: LocalResources, client: Any
) -> None:
    from datetime import UTC, datetime

    client.put_item(TableName=aws.table_name, Item=_put("A", n=1))
    at = datetime(2016, 5, 5, 12, tzinfo=UTC)
    assert state.save(tmp_path / "demo.db", aws.table_name, clock=at) == 1
    store = state.LocalStore.open(tmp_path / "demo.db")
    try:
        assert store.items(aws.table_name) == [_put("A", n=1)] and store.clock() == at
    finally:
        store.close()


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
