"""The local service's items (infra/local/items.py) are made as moto makes them, their size checked once:
for generated items, near DynamoDB's 400 KB and over it, the same attributes or the same refusal."""

from __future__ import annotations

import random
from typing import Any

import pytest

from infra.local.emulator import prepare_moto


def _value(rng: random.Random, depth: int = 0) -> dict[str, Any]:
    kind = rng.choice(["S", "N", "BOOL", "NULL", "SS", "L", "M"] if depth < 3 else ["S", "N"])
    if kind == "S":
        return {"S": "x" * rng.choice([1, 10, 1000, 20_000, 90_000])}
    if kind == "N":
        return {"N": str(rng.randint(-(10**12), 10**12))}
    if kind == "BOOL":
        return {"BOOL": rng.random() < 0.5}
    if kind == "NULL":
        return {"NULL": True}
    if kind == "SS":
        return {"SS": [f"member {i}" for i in range(rng.randint(1, 5))]}
    if kind == "L":
        return {"L": [_value(rng, depth + 1) for _ in range(rng.randint(0, 4))]}
    return {"M": {f"k{i}": _value(rng, depth + 1) for i in range(rng.randint(0, 4))}}


def _made(init: Any, attrs: dict[str, Any]) -> Any:
    from moto.dynamodb.models.dynamo_type import DynamoType, Item

    item = Item.__new__(Item)
    try:
        init(item, DynamoType(attrs["PK"]), DynamoType(attrs["SK"]), attrs)
    except Exception as error:  # the refusal is what is compared
        return f"{type(error).__name__}: {error}"
    return (type(item.attrs).__name__, item.to_json())


@pytest.mark.parametrize("seed", range(3))
def test_an_item_is_made_or_refused_as_motos_own_makes_it(seed: int) -> None:
    from moto.dynamodb.models.dynamo_type import Item

    prepare_moto()
    once = Item.__init__
    per_attribute = once.__wrapped__  # type: ignore[attr-defined]
    rng = random.Random(seed)
    outcomes = []
    for _ in range(120):
        attrs = {"PK": {"S": "CASE#1"}, "SK": {"S": "CASE"}}
        attrs.update({f"a{i}": _value(rng) for i in range(rng.randint(0, 30))})
        made = _made(once, attrs)
        assert made == _made(per_attribute, attrs), sorted(attrs)
        outcomes.append("refused" if isinstance(made, str) else "made")
    assert {"made", "refused"} <= set(outcomes), "both items made and items refused were compared"


def test_an_item_is_refused_at_the_same_byte() -> None:
    from moto.dynamodb.models.dynamo_type import Item

    prepare_moto()
    once = Item.__init__
    per_attribute = once.__wrapped__  # type: ignore[attr-defined]
    keys = {"PK": {"S": "P"}, "SK": {"S": "S"}}  # 2 + 1 and 2 + 1 bytes, then the name "a": 7
    for length in (404_992, 404_993, 404_994):  # 404,999, 405,000 (the limit) and 405,001 bytes
        attrs = {**keys, "a": {"S": "x" * length}}
        assert _made(once, attrs) == _made(per_attribute, attrs), length
    assert not isinstance(_made(once, {**keys, "a": {"S": "x" * 404_993}}), str)
    assert _made(once, {**keys, "a": {"S": "x" * 404_994}}).startswith("ItemSizeTooLarge")
