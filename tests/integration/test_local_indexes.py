"""The local service's queries read only the queried partition (infra/local/indexes.py), and answer
exactly as moto's own query does: the same generated writes (puts, updates that move an item between
index partitions or out of an index, deletes, batches, transactions that fail midway and are undone),
then every index and table query with key conditions, filters, projections, ``Select=COUNT``, both
directions and pagination, each compared with moto's unpatched ``Table.query`` on the same table."""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from infra.local.emulator import ACCOUNT_ID, LocalResources
from shared import names

INDEXES = list(names.GSI_KEYS.items())
PARTITIONS = [f"P{n}" for n in range(12)]
INDEX_VALUES = ["open", "closed", "stage1", "stage2"]
SORT_KEY_CONDITIONS = [" AND #s = :a", " AND #s < :a", " AND #s <= :a", " AND #s > :a", " AND #s >= :a"]
#: Sort key bounds: some equal to generated keys, some between them, some outside every one.
DATES = ["2026-01-01", "2026-03", "2026-06-15", "2026-12-28", "2027-01-01", "2027-06", "2028", "0"]


def _table(aws: LocalResources) -> Any:
    from moto.dynamodb.models import dynamodb_backends

    return dynamodb_backends[ACCOUNT_ID][names.REGION_DEFAULT].get_table(aws.table_name)


@contextmanager
def every_item_read() -> Iterator[None]:
    """moto's own query, reading every item of the table, for the expected answer."""
    from moto.dynamodb.models.table import Table

    narrowed = Table.query
    Table.query = narrowed.__wrapped__  # type: ignore[attr-defined,method-assign]
    try:
        yield
    finally:
        Table.query = narrowed  # type: ignore[method-assign]


def _item(rng: random.Random) -> dict[str, Any]:
    item: dict[str, Any] = {
        names.PK: {"S": rng.choice(PARTITIONS)},
        names.SK: {"S": rng.choice(["A", "B#1", "B#2", "C"])},
        "n": {"N": str(rng.randint(0, 9))},
        "text": {"S": "x" * rng.randint(0, 40)},
        # Attributes the indexes project, of every shape a case item has.
        "status": {"S": rng.choice(INDEX_VALUES)},
        "financial_year": {"N": rng.choice(["2026", "2027.0", "1e3"])},
        "late": {"BOOL": rng.random() < 0.5},
        "due": rng.choice([{"NULL": True}, {"S": "2026-12-01"}]),
        "about_staff": {"SS": rng.sample(["ann", "bo", "cy", "di"], rng.randint(1, 3))},
        "allocated_manager": {"M": {"name": {"S": "m"}, "areas": {"L": [{"S": "a"}, {"N": "2"}]}}},
    }
    for pk, sk in rng.sample(list(names.GSI_KEYS.values()), rng.randint(0, 4)):
        item[pk] = {"S": rng.choice(INDEX_VALUES)}
        if rng.random() < 0.9:  # an item without its index's sort key is not in that index
            item[sk] = {"S": _date(rng)}
    return item


def _date(rng: random.Random) -> str:
    """A sort key: often one shared by other items (ties are ordered by the table's keys)."""
    if rng.random() < 0.5:
        return rng.choice(DATES[:5])
    return f"{rng.choice([2026, 2027])}-{rng.randint(1, 12):02}-{rng.randint(1, 28):02}"


def _key(rng: random.Random) -> dict[str, Any]:
    return {names.PK: {"S": rng.choice(PARTITIONS)}, names.SK: {"S": rng.choice(["A", "B#1", "B#2", "C"])}}


def _update(rng: random.Random, table: str) -> dict[str, Any]:
    pk, sk = rng.choice(list(names.GSI_KEYS.values()))
    if rng.random() < 0.3:
        return {"TableName": table, "Key": _key(rng), "UpdateExpression": f"REMOVE {pk}"}
    return {
        "TableName": table,
        "Key": _key(rng),
        "UpdateExpression": f"SET {pk} = :p, {sk} = :s, n = :n",
        "ExpressionAttributeValues": {
            ":p": {"S": rng.choice(INDEX_VALUES)},
            ":s": {"S": _date(rng)},
            ":n": {"N": str(rng.randint(0, 9))},
        },
    }


def _write(rng: random.Random, client: Any, table: str) -> None:
    kind = rng.choices(["put", "update", "delete", "batch", "transaction"], [5, 4, 2, 1, 2])[0]
    if kind == "put":
        client.put_item(TableName=table, Item=_item(rng))
    elif kind == "update":
        client.update_item(**_update(rng, table))
    elif kind == "delete":
        client.delete_item(TableName=table, Key=_key(rng))
    elif kind == "batch":
        keys = {}
        for _ in range(rng.randint(1, 6)):
            item = _item(rng)
            keys[(item[names.PK]["S"], item[names.SK]["S"])] = item
        client.batch_write_item(RequestItems={table: [{"PutRequest": {"Item": i}} for i in keys.values()]})
    else:
        put, update = _item(rng), _update(rng, table)
        if (put[names.PK], put[names.SK]) == (update["Key"][names.PK], update["Key"][names.SK]):
            return
        items: list[dict[str, Any]] = [{"Put": {"TableName": table, "Item": put}}, {"Update": update}]
        if rng.random() < 0.5:  # a write that fails after the others were made: all of it is undone
            items.append(
                {
                    "Update": {
                        "TableName": table,
                        "Key": {names.PK: {"S": "text-holder"}, names.SK: {"S": "A"}},
                        "UpdateExpression": "SET #t = #t + :one",
                        "ExpressionAttributeNames": {"#t": "text"},
                        "ExpressionAttributeValues": {":one": {"N": "1"}},
                    }
                }
            )
        with suppress(ClientError):
            client.transact_write_items(TransactItems=items)


def _queries(rng: random.Random, table: str) -> Iterator[dict[str, Any]]:
    for index, (pk, sk) in INDEXES:
        for value in [*INDEX_VALUES, "nowhere"]:
            request: dict[str, Any] = {
                "TableName": table,
                "IndexName": index,
                "KeyConditionExpression": "#p = :p",
                "ExpressionAttributeNames": {"#p": pk},
                "ExpressionAttributeValues": {":p": {"S": value}},
                "ScanIndexForward": rng.random() < 0.5,
            }
            shape = rng.randint(0, 5)
            if shape == 1:
                request["ExpressionAttributeNames"]["#s"] = sk
                bounds = sorted(rng.sample(DATES, 2))
                condition = rng.choice([*SORT_KEY_CONDITIONS, " AND #s BETWEEN :a AND :b"])
                request["KeyConditionExpression"] += condition
                request["ExpressionAttributeValues"][":a"] = {"S": bounds[0]}
                if ":b" in condition:
                    request["ExpressionAttributeValues"][":b"] = {"S": bounds[1]}
            elif shape == 5:
                request["ExpressionAttributeNames"]["#s"] = sk
                request["KeyConditionExpression"] += " AND begins_with(#s, :a)"
                request["ExpressionAttributeValues"][":a"] = {
                    "S": rng.choice(["2026-0", "2027-1", "2026-12-", "9"])
                }
            elif shape == 2:
                request["FilterExpression"] = "n > :n"
                request["ExpressionAttributeValues"][":n"] = {"N": str(rng.randint(0, 8))}
            elif shape == 3:
                request["Select"] = "COUNT"
            elif shape == 4:
                request["ProjectionExpression"] = "#p, PK"
            if rng.random() < 0.5:
                request["Limit"] = rng.randint(1, 4)
            yield request
    for partition in [*PARTITIONS, "nowhere"]:
        request = {
            "TableName": table,
            "KeyConditionExpression": "PK = :p",
            "ExpressionAttributeValues": {":p": {"S": partition}},
            "ScanIndexForward": rng.random() < 0.5,
        }
        if rng.random() < 0.5:
            request["KeyConditionExpression"] += " AND begins_with(SK, :b)"
            request["ExpressionAttributeValues"][":b"] = {"S": "B#"}
        if rng.random() < 0.5:
            request["Limit"] = rng.randint(1, 3)
        yield request


def _pages(client: Any, request: dict[str, Any]) -> list[dict[str, Any]]:
    """Every page to the end, each without its request metadata."""
    pages, start = [], None
    while True:
        page = client.query(**request, **({"ExclusiveStartKey": start} if start else {}))
        page.pop("ResponseMetadata")
        pages.append(page)
        start = page.get("LastEvaluatedKey")
        if start is None:
            return pages


@pytest.mark.parametrize("seed", range(6))
def test_every_query_answers_as_moto_does_after_generated_writes(aws: LocalResources, seed: int) -> None:
    rng = random.Random(seed)
    client = boto3.client("dynamodb")
    client.put_item(
        TableName=aws.table_name,
        Item={names.PK: {"S": "text-holder"}, names.SK: {"S": "A"}, "text": {"S": "t"}},
    )
    compared = returned = 0
    for _round in range(8):
        for _ in range(rng.randint(5, 60)):
            _write(rng, client, aws.table_name)
        for request in _queries(rng, aws.table_name):
            narrowed = _pages(client, request)
            with every_item_read():
                expected = _pages(client, request)
            assert narrowed == expected, request
            compared += 1
            returned += sum(page["Count"] for page in narrowed)
    assert compared > 400 and returned > 400, "the generated tables gave the queries something to find"


def test_a_query_reads_only_its_partition(aws: LocalResources, monkeypatch: pytest.MonkeyPatch) -> None:
    from moto.dynamodb.models.table import Table

    client = boto3.client("dynamodb")
    for n in range(200):
        client.put_item(
            TableName=aws.table_name,
            Item={
                names.PK: {"S": f"CASE#{n}"},
                names.SK: {"S": "A"},
                "GSI4PK": {"S": f"REF#{n}"},
                "GSI4SK": {"S": "A"},
            },
        )
    every_item = Table.all_items

    def counted(self: Any) -> list[Any]:
        counted.reads += len(every_item(self))  # type: ignore[attr-defined]
        return every_item(self)

    counted.reads = 0  # type: ignore[attr-defined]
    monkeypatch.setattr(Table, "all_items", counted)
    found = client.query(
        TableName=aws.table_name,
        IndexName=names.GSI_REFERENCE,
        KeyConditionExpression="GSI4PK = :r",
        ExpressionAttributeValues={":r": {"S": "REF#150"}},
    )
    by_key = client.query(
        TableName=aws.table_name,
        KeyConditionExpression="PK = :p",
        ExpressionAttributeValues={":p": {"S": "CASE#7"}},
    )
    assert [i[names.PK]["S"] for i in found["Items"]] == ["CASE#150"]
    assert [i[names.PK]["S"] for i in by_key["Items"]] == ["CASE#7"]
    assert counted.reads == 0, "neither query read the whole table"  # type: ignore[attr-defined]
    client.scan(TableName=aws.table_name, Limit=1)  # a scan still reads the table, as DynamoDB's does
    assert counted.reads == 200


def test_an_index_key_of_another_type_sends_the_table_back_to_motos_reading(aws: LocalResources) -> None:
    """moto accepts a number where the index's other keys are strings (DynamoDB would refuse it). The
    write is kept as moto keeps it; such an item cannot be ordered with the rest, so the table's queries
    go back to moto's reading of every item, and answer as moto does (here, moto fails to sort)."""
    client = boto3.client("dynamodb")
    request = {
        "TableName": aws.table_name,
        "IndexName": names.GSI_SERVICE_AREA,
        "KeyConditionExpression": "GSI2PK = :p",
        "ExpressionAttributeValues": {":p": {"S": "area"}},
    }

    def answer() -> Any:
        try:
            return _pages(client, request)
        except Exception as error:  # moto's own failure, raised through the mock
            return type(error).__name__

    for n, sort_key in enumerate(({"S": "2026-01-01"}, {"S": "2026-02-01"}, {"N": "7"})):
        item = {names.PK: {"S": f"P{n}"}, names.SK: {"S": "A"}, "GSI2PK": {"S": "area"}, "GSI2SK": sort_key}
        client.put_item(TableName=aws.table_name, Item=item)
        narrowed = answer()
        with every_item_read():
            assert narrowed == answer()
    assert "_heard_partitions" not in _table(aws).__dict__
    assert "Item" in client.get_item(
        TableName=aws.table_name, Key={names.PK: {"S": "P2"}, names.SK: {"S": "A"}}
    )
