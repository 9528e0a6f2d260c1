"""Imports, at a shallow stack, every module that Schemathesis and Hypothesis could import lazily.

pytest rewrites the asserts of each module of a pytest plugin's distribution (Schemathesis and Hypothesis
are plugins) as the module is imported, parsing it with ``ast.parse``; with ``PYTHONDONTWRITEBYTECODE=1``
(set on these machines) no rewritten copy is kept, so every run parses again. A module that Schemathesis
imports inside a function is then parsed deep inside Hypothesis' stack, where CPython 3.11's AST
constructor can fail with ``SystemError: AST constructor recursion depth mismatch`` (CPython issue
106905, fixed in 3.12). Importing them all first leaves nothing to parse there; :func:`loaded_later`
shows that nothing was left out."""

from __future__ import annotations

import importlib
import pkgutil
import sys

#: The plugin distributions whose modules the schema tests run inside Hypothesis.
PACKAGES = ("schemathesis", "hypothesis", "hypothesis_graphql", "jsonschema_rs")
#: Modules no run imports, left out because importing them changes the process for every other test.
NEVER_IMPORTED_BY_A_RUN = {
    # Hypothesis' conformance kit for backend authors. Importing it leaves ``typing._Final`` with an
    # ``__annotations__`` dict, after which typeguard 2 (pinned by jsii) takes every ``typing.Tuple[...]``
    # for a named tuple and every CDK call with a tuple argument fails the synth.
    "hypothesis.internal.conjecture.provider_conformance",
}


def import_all() -> frozenset[str]:
    """Import every module of :data:`PACKAGES` that can be imported here (an optional extra whose own
    dependency is missing, such as ``hypothesis.extra.django``, cannot be imported lazily either); the
    names of the modules loaded."""
    for name in PACKAGES:
        package = importlib.import_module(name)
        for found in pkgutil.walk_packages(
            getattr(package, "__path__", []), f"{name}.", onerror=lambda _: None
        ):
            if found.name in NEVER_IMPORTED_BY_A_RUN:
                continue
            try:
                importlib.import_module(found.name)
            except Exception:
                continue
    return frozenset(sys.modules)


def loaded_later(before: frozenset[str]) -> list[str]:
    """Modules of :data:`PACKAGES` imported since ``before`` (each one would have been parsed late)."""
    return sorted(m for m in set(sys.modules) - before if m.split(".")[0] in PACKAGES)
