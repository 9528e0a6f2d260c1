"""The committed OpenAPI document is valid 3.1 and is what the models generate (no drift)."""

from __future__ import annotations

import json

from openapi_spec_validator import validate

from functions.openapi import DOCUMENT, document, render
from infra.catalog import API_FUNCTIONS


def test_the_document_is_valid_openapi_3_1() -> None:
    validate(document())


def test_the_committed_document_has_not_drifted() -> None:
    assert DOCUMENT.read_text(encoding="utf-8") == render(), "run `make openapi` and commit docs/openapi.json"


def test_every_route_is_documented_and_nothing_else() -> None:
    paths = json.loads(render())["paths"]
    documented = {(method.upper(), path) for path, ops in paths.items() for method in ops}
    routed = {(r.method, r.path) for spec in API_FUNCTIONS for r in spec.routes}
    assert documented == routed
