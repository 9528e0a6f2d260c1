"""moto's DynamoDB items for the local service: an item's size is checked once as it is made, not once
per attribute.

moto 5 makes every item it stores (each ``PutItem``, each item of a transaction or a batch, each
``UpdateItem`` of a new key) with ``Item.__init__``, which sets the attributes one at a time on a
``LimitedSizeDict``; each set sums the size of every attribute already there, each a walk of its value,
to refuse an item over DynamoDB's 400 KB. That is quadratic in the number of attributes: a closed case
has some seventy, several of them nested maps, and putting one cost about 15 ms, so reloading a kept
store of 2,529 items took 2.4 s, and of five years' items some twenty seconds (docs/performance.md).

Here the attributes are converted in the same order, the running total of the same sizes kept, and
the same ``ItemSizeTooLarge`` raised at the same attribute (the totals only grow, so the first to go
over is the one moto's check refuses); the dictionary is then filled without checking again, as moto's
own ``Item.__deepcopy__`` does. Later changes to an item (an update expression's ``SET``) go through
moto's check as before."""

from __future__ import annotations

from typing import Any

#: moto's own limit (``LimitedSizeDict``): between the 409 and 410 KB it measured, to be safe.
LIMIT = 405000
_installed = False


def install() -> None:
    """Replace ``Item.__init__`` (idempotent)."""
    global _installed
    if _installed:
        return
    from moto.dynamodb.exceptions import ItemSizeTooLarge
    from moto.dynamodb.models.dynamo_type import DynamoType, Item, LimitedSizeDict
    from moto.dynamodb.models.utilities import bytesize

    original = Item.__init__

    def __init__(self: Any, hash_key: Any, range_key: Any, attrs: dict[str, Any]) -> None:
        self.hash_key = hash_key
        self.range_key = range_key
        converted: dict[str, Any] = {}
        total = 0
        for key, value in attrs.items():
            attribute = DynamoType(value)
            total += bytesize(key) + attribute.size()
            if total > LIMIT:
                raise ItemSizeTooLarge
            converted[key] = attribute
        self.attrs = LimitedSizeDict(converted)  # dict.update: no check per attribute

    __init__.__wrapped__ = original  # type: ignore[attr-defined]  # moto's, for the tests to compare
    Item.__init__ = __init__  # type: ignore[method-assign]
    _installed = True
