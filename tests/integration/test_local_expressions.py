"""The local service's check of an update expression's clauses (infra/local/expressions.py) answers as
moto's own does, for generated expressions valid and not: the same nodes checked in the same order,
the same error (DynamoDB allows one SET, one REMOVE, one ADD and one DELETE clause in an expression)."""

from __future__ import annotations

import random
from typing import Any

import pytest

from infra.local.emulator import prepare_moto


def _expression(rng: random.Random) -> str:
    clauses = []
    for _ in range(rng.randint(1, 5)):
        kind = rng.choice(["SET", "SET", "REMOVE", "ADD", "DELETE"])
        count = rng.randint(1, 40)
        if kind == "SET":
            actions = [
                f"a{i} = :v{i}" if i % 3 else f"m{i}.n = if_not_exists(c{i}, :v{i}) + :one"
                for i in range(count)
            ]
        elif kind == "REMOVE":
            actions = [f"r{i}" for i in range(count)]
        else:
            actions = [f"s{i} :v{i}" for i in range(count)]
        clauses.append(f"{kind} " + ", ".join(actions))
    return " ".join(clauses)


def _outcome(verify: Any, expression: str) -> str:
    from moto.dynamodb.parsing.expressions import UpdateExpressionParser
    from moto.dynamodb.parsing.validators import ActionCountValidator

    validator = ActionCountValidator()
    validator.verify_action_counts = verify.__get__(validator)  # type: ignore[method-assign]
    try:
        validator.traverse(UpdateExpressionParser.make(expression))
    except Exception as error:  # the error is what is compared
        return f"{type(error).__name__}: {error}"
    return "valid"


@pytest.mark.parametrize("seed", range(4))
def test_the_clause_check_answers_as_motos_own(seed: int) -> None:
    from moto.dynamodb.parsing.validators import ActionCountValidator

    prepare_moto()
    linear = ActionCountValidator.verify_action_counts
    quadratic = linear.__wrapped__  # type: ignore[attr-defined]
    rng = random.Random(seed)
    outcomes = []
    for _ in range(150):
        expression = _expression(rng)
        outcome = _outcome(linear, expression)
        assert outcome == _outcome(quadratic, expression), expression
        outcomes.append(outcome.split(":")[0])
    assert {"valid", "TooManyClauses"} <= set(outcomes), "both valid and refused expressions were compared"


def _shape(node: Any) -> Any:
    """A tree as nested tuples of node types and leaf values: equal trees, equal shapes."""
    children = getattr(node, "children", None)
    if children is None:
        return (type(node).__name__, repr(node) if not hasattr(node, "__dict__") else None)
    return (type(node).__name__, tuple(_shape(child) for child in children))


def test_a_kept_parse_is_never_changed_by_the_updates_that_use_it(aws: Any) -> None:
    """Every update gets the same tree for the same expression; each applies its own values, and the
    tree stays as parsed (moto's validators and executor work on copies)."""
    import boto3
    from moto.dynamodb.exceptions import InvalidUpdateExpression
    from moto.dynamodb.parsing.expressions import UpdateExpressionParser

    from shared import names

    expression = "SET a = :a, n = if_not_exists(n, :zero) + :one, m.k = :a REMOVE gone"
    tree = UpdateExpressionParser.make(expression)
    before = _shape(tree)
    client = boto3.client("dynamodb")
    key = {names.PK: {"S": "K"}, names.SK: {"S": "S"}}
    client.put_item(TableName=aws.table_name, Item={**key, "m": {"M": {}}, "gone": {"S": "x"}})
    for value in ("first", "second", "third"):
        client.update_item(
            TableName=aws.table_name,
            Key=key,
            UpdateExpression=expression,
            ExpressionAttributeValues={":a": {"S": value}, ":zero": {"N": "0"}, ":one": {"N": "1"}},
        )
    item = client.get_item(TableName=aws.table_name, Key=key)["Item"]
    assert (
        item["a"] == {"S": "third"} and item["n"] == {"N": "3"} and item["m"] == {"M": {"k": {"S": "third"}}}
    )
    assert "gone" not in item
    assert UpdateExpressionParser.make(expression) is tree and _shape(tree) == before
    for _ in range(2):  # a parse that fails is not kept: it fails again
        with pytest.raises(InvalidUpdateExpression, match="Syntax error"):
            UpdateExpressionParser.make("SET = nothing")
