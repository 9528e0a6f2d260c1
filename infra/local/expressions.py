"""moto's update expressions for the local service: parsed once per expression, and their clauses
counted at linear cost.

moto parses an ``UpdateExpression`` twice for every ``UpdateItem`` (once to check the request, once to
apply it), and every transaction's updates again, though an application sends the same few expressions
with different values. The parse of each distinct expression is kept (:data:`PARSED`, the most recent
1,024): moto only reads the tree it gets (its validators work on a deep copy), and an expression that
does not parse raises each time, as before.

moto 5 parses ``SET a = :a, b = :b, ...`` into a chain of nested ``UpdateExpression`` nodes, and its
``ActionCountValidator`` counts the ``ADD``, ``REMOVE`` and ``SET`` clauses under every one of them by
walking that node's whole subtree three times: quadratic in the expression's length. Saving a case
updates some forty attributes, so this one check was the largest single cost of the local service's
clock moving a month of cases (15 % of the benchmark's interpreter time, bench/workflow.py).

The clause check counts each subtree once, remembering the counts of the subtrees below it, and checks the same
nodes in the same order with the same errors: the counts are moto's ``find_clauses`` counts (a clause
of the kind counted is counted and not entered; any other ``Expression`` or ``UpdateExpressionFunction``
is entered)."""

from __future__ import annotations

import functools
from typing import Any

_installed = False
PARSED = 1024


def _counter() -> Any:
    from moto.dynamodb.parsing.ast_nodes import (
        Expression,
        UpdateExpressionAddClause,
        UpdateExpressionFunction,
        UpdateExpressionRemoveClause,
        UpdateExpressionSetClause,
    )

    kinds = (UpdateExpressionAddClause, UpdateExpressionRemoveClause, UpdateExpressionSetClause)
    entered = (Expression, UpdateExpressionFunction)

    def counts(node: Any, known: dict[int, tuple[Any, tuple[int, int, int]]]) -> tuple[int, int, int]:
        """How many ADD, REMOVE and SET clauses ``find_clauses`` finds under ``node``."""
        if id(node) in known:
            return known[id(node)][1]
        total = [0, 0, 0]
        for child in node.children or []:
            below = counts(child, known) if isinstance(child, entered) else (0, 0, 0)
            for position, kind in enumerate(kinds):
                total[position] += 1 if type(child) is kind else below[position]
        result = (total[0], total[1], total[2])
        known[id(node)] = (node, result)  # the node is kept with its id, so that the id is not reused
        return result

    return counts


def install() -> None:
    """Replace ``ActionCountValidator.verify_action_counts`` and keep ``UpdateExpressionParser.make``'s
    trees (idempotent)."""
    global _installed
    if _installed:
        return
    from moto.dynamodb.exceptions import TooManyClauses
    from moto.dynamodb.parsing.validators import ActionCountValidator

    counts = _counter()
    original = ActionCountValidator.verify_action_counts

    @functools.wraps(original)  # moto's own stays reachable as __wrapped__ (the tests compare)
    def verify_action_counts(self: Any, node: Any) -> Any:
        known = self.__dict__.setdefault("_heard_counts", {})  # one validator per expression validated
        adds, removes, sets = counts(node, known)
        if adds > 1:
            raise TooManyClauses("ADD")
        if removes > 1:
            raise TooManyClauses("REMOVE")
        if sets > 1:
            raise TooManyClauses("SET")
        return node

    ActionCountValidator.verify_action_counts = verify_action_counts  # type: ignore[method-assign]

    from moto.dynamodb.parsing.expressions import UpdateExpressionParser

    make = UpdateExpressionParser.make.__func__  # type: ignore[attr-defined]
    parsed = functools.lru_cache(maxsize=PARSED)(lambda expression: make(UpdateExpressionParser, expression))
    UpdateExpressionParser.make = classmethod(  # type: ignore[method-assign,assignment]
        functools.wraps(make)(lambda cls, expression: parsed(expression))
    )
    _installed = True
