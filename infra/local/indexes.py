"""DynamoDB queries for the local service at the cost of what they return, not of the table.

moto 5 answers every ``Query`` by reading every item of the table (``Table.all_items``: all of them,
sorted) and keeping those whose key matches, so a reference look-up or a queue list cost more with every
case the store holds (105 ms and 229 ms at about 4,000 items). DynamoDB reads only the part of a
partition the key condition selects, in sort-key order, up to the limit.

This keeps moto's own ``Table.query`` (key conditions, filters, pagination, ``ScanIndexForward``,
projections, its size limit: its answers exactly) and changes only which items it is given to look at:

- a query on a table's partition: the items of that partition;
- a query on a secondary index with one partition key and one sort key (all of Heard's): from that
  index partition, kept sorted as moto sorts it (index sort key, then the table's keys), the run of items
  the sort key condition selects, after the ``ExclusiveStartKey`` in the query's direction, at most
  ``Limit`` of them, and the one item that follows them in the partition, selected or not (moto looks at
  it to decide on a ``LastEvaluatedKey``), each as the index projects it; where the condition or the
  start key cannot be ordered, the whole index partition;
- anything else (an index of another shape, a ``QueryFilter``, an unknown index: moto's own message):
  every item, as moto does.

moto still checks every condition on each item it is given, so what it is given only has to hold every
item the answer needs, in the part of the order the answer comes from. Two differences are left, both
in moto's 1 MB page limit, which now counts the projected items rather than whole ones (as DynamoDB
does), and no longer counts items the sort key condition did not select beyond the one after the page;
Heard's pages are at most 100 small items. The sorted partitions are kept by every write moto makes
(``Table.put_item`` and ``Table.delete_item``, which every write API and PartiQL reach, and
``UpdateItem``, which changes items in place), each re-reading the item it wrote; anything that puts an
item back by hand calls :func:`reindex`. A table's partitions are built at its first index query, in one
pass; if an item cannot be filed (an index key of another type than the rest), the table goes back to
moto's reading of every item.
"""

from __future__ import annotations

import bisect
import functools
import inspect
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

_installed = False
_MAP = "_heard_partitions"

Key = tuple[Any, Any]  # (hash DynamoType, range DynamoType | None)
Order = tuple[Any, ...]  # (index sort key, table hash key[, table range key]) as DynamoTypes


@dataclass
class _Index:
    """One secondary index of a table: each partition key value → the entries of its items, sorted."""

    model: Any  # moto's SecondaryIndex
    name: str
    hash_attribute: str
    range_attribute: str
    runs: dict[Any, list[Order]] = field(default_factory=dict)


class _Partitions:
    """For one table: its indexes' sorted partitions, and for each item where it is filed."""

    def __init__(self, table: Any) -> None:
        self.table = table
        self.indexes: dict[str, _Index] = {}
        for index in table.all_indexes():
            hashes = [k["AttributeName"] for k in index.schema if k["KeyType"] == "HASH"]
            ranges = [k["AttributeName"] for k in index.schema if k["KeyType"] == "RANGE"]
            if len(hashes) == 1 and len(ranges) == 1:
                self.indexes[index.name] = _Index(index, index.name, hashes[0], ranges[0])
        self.filed: dict[Key, list[tuple[_Index, Any, Order]]] = {}
        for partition in table.items.values():
            for item in partition.values() if isinstance(partition, dict) else (partition,):
                self.file((item.hash_key, item.range_key), item)

    def order(self, index: _Index, item: Any) -> Order:
        order = (item.attrs[index.range_attribute], item.hash_key)
        return (*order, item.range_key) if self.table.range_key_attr else order

    def file(self, key: Key, item: Any) -> None:
        for index, value, order in self.filed.pop(key, ()):
            run = index.runs[value]
            del run[bisect.bisect_left(run, order)]
        if item is None:
            return
        entries: list[tuple[_Index, Any, Order]] = []
        for index in self.indexes.values():
            value = item.attrs.get(index.hash_attribute)
            if value and item.attrs.get(index.range_attribute):  # as moto's own test of an index's keys
                entries.append((index, value, self.order(index, item)))
        for index, value, order in entries:
            bisect.insort(index.runs.setdefault(value, []), order)
            self.filed.setdefault(key, []).append((index, value, order))


def _partitions(table: Any) -> _Partitions | None:
    """The table's partitions, built now if need be; None if its items cannot all be ordered."""
    partitions: _Partitions | None = table.__dict__.get(_MAP)
    if partitions is None:
        try:
            partitions = table.__dict__[_MAP] = _Partitions(table)
        except TypeError:
            return None
    return partitions


def _item(table: Any, key: Key) -> Any:
    hash_value, range_value = key
    if table.range_key_attr is None:
        return table.items.get(hash_value)
    partition = table.items.get(hash_value)
    return None if partition is None else partition.get(range_value)


def reindex(table: Any, hash_value: Any, range_value: Any) -> None:
    """File the item now at this key (or its absence) in the table's partitions, if it has them."""
    partitions: _Partitions | None = table.__dict__.get(_MAP)
    if partitions is not None:
        try:
            partitions.file((hash_value, range_value), _item(table, (hash_value, range_value)))
        except TypeError:  # a key that cannot be ordered with the rest: moto reads every item again
            del table.__dict__[_MAP]


def _sort_key_run(run: list[Order], comparison: str | None, values: list[Any]) -> tuple[int, int]:
    """The slice of ``run`` whose index sort key meets the key condition (each operator selects one
    contiguous run of a sorted partition). Raises LookupError for an operator it does not know."""
    lo, hi = 0, len(run)
    if comparison is None:
        return lo, hi

    def sort_key(order: Order) -> Any:
        return order[0]

    operator = comparison.upper()
    if operator in ("=", "EQ", "<=", "LE", "BETWEEN"):
        upper = values[-1]
        hi = bisect.bisect_right(run, upper, key=sort_key)
    elif operator in ("<", "LT"):
        hi = bisect.bisect_left(run, values[0], key=sort_key)
    if operator in ("=", "EQ", ">=", "GE", "BETWEEN", "BEGINS_WITH"):
        lo = bisect.bisect_left(run, values[0], 0, hi, key=sort_key)
    elif operator in (">", "GT"):
        lo = bisect.bisect_right(run, values[0], 0, hi, key=sort_key)
    elif operator not in ("<", "LT", "<=", "LE"):
        raise LookupError(comparison)
    if operator == "BEGINS_WITH":
        prefix = values[0].value
        if values[0].type != "S":
            raise LookupError("begins_with on a binary sort key")
        hi = bisect.bisect_left(run, True, lo, hi, key=lambda o: not str(o[0].value).startswith(prefix))
    return lo, hi


def _window(table: Any, index: _Index, hash_value: Any, arguments: dict[str, Any]) -> list[Any]:
    """The items of the index partition that moto's query can reach, in the table's order."""
    run = index.runs.get(hash_value, [])
    conditions = arguments["range_key_conditions"] or []
    comparison, values = (conditions[-1][1], conditions[-1][2]) if conditions else (None, [])
    lo, hi = _sort_key_run(run, comparison, values)
    forward = arguments["scan_index_forward"] is not False
    start = arguments["exclusive_start_key"]
    if start:
        from moto.dynamodb.models.dynamo_type import DynamoType

        attributes = [index.range_attribute, table.hash_key_attr, table.range_key_attr]
        after: Order = tuple(DynamoType(start[name]) for name in attributes if name)
        if forward:
            lo = max(lo, bisect.bisect_right(run, after, lo, hi))
        else:
            hi = min(hi, bisect.bisect_left(run, after, lo, hi))
    limit = arguments["limit"]
    if limit is not None:  # the limit's worth, and the item after them, selected or not: moto looks at it
        if forward:  # and answers with a LastEvaluatedKey if it is there at all
            hi = min(hi, lo + int(limit))
            hi = min(len(run), hi + 1)
        else:
            lo = max(lo, hi - int(limit))
            lo = max(0, lo - 1)
    return [_as_indexed(index.model, _item(table, _key_of(order))) for order in run[lo:hi]]


def _as_indexed(index: Any, item: Any) -> Any:
    """The item with only the attributes the index projects, sharing their values (moto deep-copies
    every item it is given before projecting it, and a case item is many times its projection). moto's
    own projection of it is then the projection of the whole item, value for value."""
    from moto.dynamodb.models.dynamo_type import Item

    projection = index.projection or {}
    kind = projection.get("ProjectionType")
    if kind not in ("KEYS_ONLY", "INCLUDE"):
        return item
    kept = [*index.table_key_attrs, *(k["AttributeName"] for k in index.schema)]
    if kind == "INCLUDE":
        kept += projection.get("NonKeyAttributes", [])
    indexed = Item(item.hash_key, item.range_key, {})
    for name in kept:
        if name in item.attrs:
            indexed.attrs[name] = item.attrs[name]
    return indexed


def _key_of(order: Order) -> Key:
    return order[1], order[2] if len(order) > 2 else None


def _sorted(items: list[Any]) -> list[Any]:
    """In ``Table.all_items``'s order, so that moto's sorts, stable, break ties as they would."""
    return sorted(items, key=lambda x: (x.hash_key, x.range_key) if x.range_key else x.hash_key)


def _candidates(table: Any, arguments: dict[str, Any]) -> list[Any] | None:
    """The items the query can reach, or None where moto should look at every item."""
    index_name, hash_key = arguments["index_name"], arguments["hash_key"]
    if not index_name:
        if hash_key is None:
            return None
        partition = table.items.get(hash_key)
        if partition is None:
            return []
        return _sorted(list(partition.values()) if isinstance(partition, dict) else [partition])
    partitions = _partitions(table)
    index = partitions.indexes.get(index_name) if partitions else None
    conditions = arguments["hash_key_conditions"] or []
    if index is None or len(conditions) != 1 or conditions[0][0] != index.hash_attribute:
        return None
    if arguments["filter_kwargs"] or len(arguments["range_key_conditions"] or []) > 1:
        return None
    try:
        return _window(table, index, conditions[0][1], arguments)
    except (LookupError, TypeError, AttributeError):  # an operator, a start key or a value it cannot order
        return _sorted([_item(table, _key_of(order)) for order in index.runs.get(conditions[0][1], [])])


def _query(original: Callable[..., Any]) -> Callable[..., Any]:
    signature = inspect.signature(original)

    @functools.wraps(original)  # moto's own query stays reachable as __wrapped__ (the tests compare)
    def query(self: Any, *args: Any, **kwargs: Any) -> Any:
        bound = signature.bind(self, *args, **kwargs)
        bound.apply_defaults()
        candidates = _candidates(self, bound.arguments)
        if candidates is None:
            return original(self, *args, **kwargs)
        self.all_items = lambda: candidates  # moto's query reads the table through all_items() alone
        try:
            return original(self, *args, **kwargs)
        finally:
            del self.all_items

    return query


def _key(table: Any, attributes: dict[str, Any]) -> Key:
    from moto.dynamodb.models.dynamo_type import DynamoType

    hash_value = DynamoType(attributes[table.hash_key_attr])
    range_attribute = table.range_key_attr
    return hash_value, DynamoType(attributes[range_attribute]) if range_attribute else None


#: Called with the table and the key after every write moto makes (:func:`follow_writes`).
_followers: list[Callable[[Any, Key], None]] = []


def follow_writes(follower: Callable[[Any, Key], None]) -> None:
    """Call ``follower(table, (hash DynamoType, range DynamoType | None))`` after every write to an item
    (each ``Table.put_item``, ``Table.delete_item`` and ``UpdateItem``, whether it succeeded or not: the
    item at the key is then as the write left it), under the emulator's lock. Idempotent."""
    if follower not in _followers:
        _followers.append(follower)


def _reindexed(original: Callable[..., Any], table_and_key: Callable[..., tuple[Any, Key]]) -> Any:
    """``original``, then the key it wrote re-filed and told to the followers (in a ``finally``: a write
    that failed half-way may have changed the item). ``table_and_key`` finds the table and the key from
    the call's arguments."""
    signature = inspect.signature(original)

    @functools.wraps(original)
    def write(self: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return original(self, *args, **kwargs)
        finally:
            written = _located(table_and_key, self, signature.bind(self, *args, **kwargs).arguments)
            if written is not None:
                if _MAP in written[0].__dict__:
                    reindex(written[0], *written[1])
                for follower in _followers:
                    follower(*written)

    return write


def _located(table_and_key: Callable[..., tuple[Any, Key]], self: Any, arguments: dict[str, Any]) -> Any:
    """The table and key a write named, or None where moto refused them before writing anything."""
    from moto.dynamodb.exceptions import ResourceNotFoundException

    arguments = {name: value for name, value in arguments.items() if name != "self"}
    try:
        return table_and_key(self, **arguments)
    except (LookupError, TypeError, ValueError, ResourceNotFoundException):
        return None


def _put_key(self: Any, item_attrs: dict[str, Any], **_: Any) -> tuple[Any, Key]:
    return self, _key(self, item_attrs)


def _delete_key(self: Any, hash_key: Any, range_key: Any, **_: Any) -> tuple[Any, Key]:
    return self, (hash_key, range_key)


def _update_key(self: Any, table_name: str, key: dict[str, Any], **_: Any) -> tuple[Any, Key]:
    table = self.get_table(table_name)  # a name or an ARN
    return table, _key(table, key)


def install() -> None:
    """Give moto's ``Table.query`` only the items its answer can come from (idempotent)."""
    global _installed
    if _installed:
        return
    from moto.dynamodb.models import DynamoDBBackend
    from moto.dynamodb.models.table import Table

    Table.query = _query(Table.query)  # type: ignore[method-assign]
    table: Any = Table
    table.put_item = _reindexed(Table.put_item, _put_key)
    table.delete_item = _reindexed(Table.delete_item, _delete_key)
    backend: Any = DynamoDBBackend
    backend.update_item = _reindexed(DynamoDBBackend.update_item, _update_key)
    _installed = True
