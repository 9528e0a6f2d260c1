"""DynamoDB queries for the local service at the cost of what they return, not of the table.

moto 5 answers every ``Query`` by reading every item of the table (``Table.all_items``: all of them,
sorted) and keeping those whose key matches, so a reference look-up or a queue list cost more with every
case the store holds (105 ms and 229 ms at about 4,000 items). DynamoDB reads only the partition of the
table or of the index.

This keeps moto's own ``Table.query`` (key conditions, filters, pagination, ``ScanIndexForward``,
projections: its answers exactly) and changes only which items it is given to look at: the items of the
queried partition, found through a map of each index's partition key value to the keys of the items that
hold it. moto still checks every condition on each of them, so the map only has to hold a superset of the
partition, which it does: every write through the emulated API (``PutItem``, ``UpdateItem``,
``DeleteItem``, and through them ``BatchWriteItem`` and :mod:`infra.local.transactions`) re-reads the
item it wrote and moves its entries; anything else that puts an item back by hand calls :func:`reindex`.
A table's map is built on its first query, in one pass.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

_installed = False
_MAP = "_heard_partitions"

Key = tuple[Any, Any]  # (hash DynamoType, range DynamoType | None)


class _Partitions:
    """For one table: for each attribute that is an index's partition key, its value → the primary keys
    of the items holding it; and for each item, the values it is filed under."""

    def __init__(self, table: Any) -> None:
        self.attributes = sorted(
            {entry["AttributeName"] for index in table.all_indexes() for entry in index.schema[:1]}
        )
        self.keys: dict[str, dict[Any, set[Key]]] = {name: {} for name in self.attributes}
        self.filed: dict[Key, dict[str, Any]] = {}
        for partition in table.items.values():
            for item in partition.values() if isinstance(partition, dict) else (partition,):
                self.file((item.hash_key, item.range_key), item)

    def file(self, key: Key, item: Any) -> None:
        for name, value in self.filed.pop(key, {}).items():
            holders = self.keys[name][value]
            holders.discard(key)
            if not holders:
                del self.keys[name][value]
        if item is None:
            return
        values = {name: item.attrs[name] for name in self.attributes if name in item.attrs}
        for name, value in values.items():
            self.keys[name].setdefault(value, set()).add(key)
        if values:
            self.filed[key] = values


def _item(table: Any, key: Key) -> Any:
    hash_value, range_value = key
    if table.range_key_attr is None:
        return table.items.get(hash_value)
    partition = table.items.get(hash_value)
    return None if partition is None else partition.get(range_value)


def reindex(table: Any, hash_value: Any, range_value: Any) -> None:
    """File the item now at this key (or its absence) in the table's map, if it has one."""
    partitions: _Partitions | None = table.__dict__.get(_MAP)
    if partitions is not None:
        partitions.file((hash_value, range_value), _item(table, (hash_value, range_value)))


def _sorted(items: list[Any]) -> list[Any]:
    """In ``Table.all_items``'s order, so that moto's sorts, stable, break ties as they would."""
    return sorted(items, key=lambda x: (x.hash_key, x.range_key) if x.range_key else x.hash_key)


def _candidates(table: Any, hash_key: Any, index_name: str | None, conditions: list[Any]) -> list[Any] | None:
    """The items the query can match, or None where moto should look at every item."""
    if not index_name:
        if hash_key is None:
            return None
        partition = table.items.get(hash_key)
        if partition is None:
            return []
        return _sorted(list(partition.values()) if isinstance(partition, dict) else [partition])
    index = next((i for i in table.all_indexes() if i.name == index_name), None)
    if index is None:
        return None  # moto's own message for an unknown index
    attribute = index.schema[0]["AttributeName"]
    value = next((v for name, v in conditions if name == attribute), None)
    if value is None:
        return None
    partitions: _Partitions | None = table.__dict__.get(_MAP)
    if partitions is None:
        partitions = table.__dict__[_MAP] = _Partitions(table)
    items = (_item(table, key) for key in partitions.keys[attribute].get(value, ()))
    return _sorted([item for item in items if item is not None])


def _query(original: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(original)  # moto's own query stays reachable as __wrapped__ (the tests compare)
    def query(self: Any, hash_key: Any, *args: Any, **kwargs: Any) -> Any:
        index_name = kwargs.get("index_name", args[6] if len(args) > 6 else None)
        conditions = kwargs.get("hash_key_conditions") or []
        candidates = _candidates(self, hash_key, index_name, conditions)
        if candidates is None:
            return original(self, hash_key, *args, **kwargs)
        self.all_items = lambda: candidates  # moto's query reads the table through all_items() alone
        try:
            return original(self, hash_key, *args, **kwargs)
        finally:
            del self.all_items

    return query


def _key(table: Any, attributes: dict[str, Any]) -> Key:
    from moto.dynamodb.models.dynamo_type import DynamoType

    hash_value = DynamoType(attributes[table.hash_key_attr])
    range_attribute = table.range_key_attr
    return hash_value, DynamoType(attributes[range_attribute]) if range_attribute else None


def _write(original: Callable[..., Any], key_of: Callable[[tuple[Any, ...], dict[str, Any]], Any]) -> Any:
    def write(self: Any, table_name: str, *args: Any, **kwargs: Any) -> Any:
        try:
            return original(self, table_name, *args, **kwargs)
        finally:
            table = self.tables.get(table_name)
            if table is not None and _MAP in table.__dict__:
                try:
                    key = _key(table, key_of(args, kwargs))
                except (KeyError, TypeError, ValueError):
                    pass  # moto refused a malformed key before writing anything
                else:
                    reindex(table, *key)

    return write


def install() -> None:
    """Give moto's ``Table.query`` only the queried partition's items (idempotent)."""
    global _installed
    if _installed:
        return
    from moto.dynamodb.models import DynamoDBBackend
    from moto.dynamodb.models.table import Table

    Table.query = _query(Table.query)  # type: ignore[method-assign]
    backend: Any = DynamoDBBackend
    backend.put_item = _write(backend.put_item, lambda a, k: k.get("item_attrs", a[0] if a else None))
    backend.update_item = _write(backend.update_item, lambda a, k: k.get("key", a[0] if a else None))
    backend.delete_item = _write(backend.delete_item, lambda a, k: k.get("key", a[0] if a else None))
    _installed = True
