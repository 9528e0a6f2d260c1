"""DynamoDB transactions for the local service at the cost of the items they write, not of the table.

moto 5's ``transact_write_items`` deep-copies every table a transaction touches, once per item in it, so
that it can swap the copy back when a condition fails. A year of cases made every submission copy the
whole table, stream records included (110 MB to 3 GB in 60 submissions), and the swap replaced the table
object, so the stream pump went on reading a shard nothing wrote to any more (docs/decisions.md).

This replacement keeps DynamoDB's semantics: every condition is evaluated against the state before the
transaction, all or nothing, one operation per item. It checks all conditions first and writes nothing
if any fails; if a write then fails validation, it restores only the items it touched, in place, and
removes the stream records those writes appended. The table object, and its stream, are never replaced.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

_OPERATIONS = frozenset({"ConditionCheck", "Put", "Delete", "Update"})
_installed = False


@dataclass
class _Touched:
    table: Any  # moto.dynamodb.models.table.Table
    hash_value: Any  # DynamoType
    range_value: Any  # DynamoType | None
    before: Any  # a deep copy of the Item, or None if it did not exist


def _key_of(table: Any, op_type: str, op: dict[str, Any]) -> dict[str, Any]:
    if op_type != "Put":
        return dict(op["Key"])
    attrs = op["Item"]
    key = {table.hash_key_attr: attrs[table.hash_key_attr]}
    if table.range_key_attr is not None:
        key[table.range_key_attr] = attrs[table.range_key_attr]
    return key


def transact_write_items(backend: Any, transact_items: list[dict[str, Any]]) -> None:
    from moto.dynamodb.comparisons import get_filter_expression
    from moto.dynamodb.exceptions import (
        MockValidationException,
        MultipleTransactionsException,
        TooManyTransactionsException,
        TransactionCanceledException,
        TransactWriteSingleOpException,
    )
    from moto.dynamodb.models.dynamo_type import DynamoType

    if len(transact_items) > 100:
        raise TooManyTransactionsException()

    # 1. Shape, one operation per item, and every condition against the state before the transaction.
    planned: list[tuple[str, dict[str, Any], Any, dict[str, Any]]] = []
    seen: set[tuple[str, str]] = set()
    errors: list[tuple[str | None, str | None, dict[str, Any] | None]] = []
    for entry in transact_items:
        if len(entry) > 1:
            raise TransactWriteSingleOpException
        op_type, op = next(iter(entry.items()))
        if op_type not in _OPERATIONS:
            raise ValueError("Unsupported transaction operation")
        table = backend.get_table(op["TableName"])
        key = _key_of(table, op_type, op)
        identity = (str(op["TableName"]), str(dict(sorted(key.items()))))
        if identity in seen:
            raise MultipleTransactionsException()
        seen.add(identity)
        planned.append((op_type, op, table, key))
        condition = op.get("ConditionExpression")
        if condition is None:
            errors.append((None, None, None))
            continue
        current = backend.get_item(op["TableName"], key)
        check = get_filter_expression(
            condition, op.get("ExpressionAttributeNames"), op.get("ExpressionAttributeValues")
        )
        if check.expr(current):
            errors.append((None, None, None))
            continue
        old = None
        if op.get("ReturnValuesOnConditionCheckFailure") == "ALL_OLD" and current is not None:
            old = current.to_json()["Attributes"]
        errors.append(("ConditionalCheckFailed", "The conditional request failed", old))
    if any(code is not None for code, _, _ in errors):
        raise TransactionCanceledException(errors)

    # 2. The writes, with a snapshot of only the items they touch.
    touched: list[_Touched] = []
    stream_marks: dict[int, tuple[Any, int]] = {}
    try:
        for index, (op_type, op, table, key) in enumerate(planned):
            if op_type == "ConditionCheck":
                continue
            shard = table.stream_shard
            if shard is not None and id(shard) not in stream_marks:
                stream_marks[id(shard)] = (shard, len(shard.items))
            hash_value = DynamoType(key[table.hash_key_attr])
            range_value = DynamoType(key[table.range_key_attr]) if table.range_key_attr else None
            before = table.get_item(hash_value, range_value)
            touched.append(_Touched(table, hash_value, range_value, copy.deepcopy(before)))
            try:
                if op_type == "Put":
                    backend.put_item(op["TableName"], op["Item"])
                elif op_type == "Delete":
                    backend.delete_item(op["TableName"], key)
                else:
                    backend.update_item(
                        op["TableName"],
                        key,
                        update_expression=op["UpdateExpression"],
                        expression_attribute_names=op.get("ExpressionAttributeNames"),
                        expression_attribute_values=op.get("ExpressionAttributeValues"),
                    )
            except MockValidationException:
                raise
            except Exception as error:
                failed: list[tuple[str | None, str | None, dict[str, Any] | None]] = [
                    (None, None, None)
                ] * len(planned)
                failed[index] = (type(error).__name__, str(error), None)
                raise TransactionCanceledException(failed) from error
    except Exception:
        _restore(touched, stream_marks)
        raise


def _restore(touched: list[_Touched], stream_marks: dict[int, tuple[Any, int]]) -> None:
    """Put each touched item back as it was, in the same table object, and drop the stream records the
    abandoned writes appended (DynamoDB never publishes a cancelled transaction)."""
    from infra.local.indexes import reindex

    for entry in reversed(touched):
        _put_back(entry)
        reindex(entry.table, entry.hash_value, entry.range_value)
    for shard, length in stream_marks.values():
        del shard.items[length:]


def _put_back(entry: _Touched) -> None:
    items = entry.table.items
    if entry.range_value is None:
        if entry.before is None:
            items.pop(entry.hash_value, None)
        else:
            items[entry.hash_value] = entry.before
        return
    partition = items[entry.hash_value]
    if entry.before is None:
        partition.pop(entry.range_value, None)
        if not partition:
            items.pop(entry.hash_value, None)
    else:
        partition[entry.range_value] = entry.before


def install() -> None:
    """Replace moto's DynamoDB transaction with :func:`transact_write_items` (idempotent)."""
    global _installed
    if _installed:
        return
    from moto.dynamodb.models import DynamoDBBackend

    DynamoDBBackend.transact_write_items = transact_write_items  # type: ignore[method-assign,assignment]
    _installed = True
