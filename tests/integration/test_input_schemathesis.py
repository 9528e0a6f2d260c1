"""docs/openapi.json holds: Schemathesis generates requests from it (schema-valid and not) against the
local service on a free port, on moto, and every answer must be no 5xx, documented and conforming, with
schema-valid requests accepted and schema-invalid ones refused. Bounded to keep the suite quick."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import CHECKS, load_all_checks

from functions.openapi import DOCUMENT
from infra.local.service import LocalService
from shared import config
from shared.domain.calendar import london_date
from tests.conftest import start_service
from tests.lazy_imports import import_all, loaded_later

load_all_checks()
LOADED = import_all()  # before Hypothesis runs: see tests/lazy_imports.py (CPython issue 106905)
#: Every check Schemathesis has for a single request (the stateful and authorisation ones need links
#: and credentials this API has none of).
CHECKED = {
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
    "negative_data_rejection",
    "positive_data_acceptance",
    "missing_required_header",
    "unsupported_method",
}
CHECKS_RUN = [c for c in CHECKS.get_all() if getattr(c, "__name__", "") in CHECKED]
EXAMPLES = 100  # per operation and generation mode: about 650 requests, about 25 s here

schema = schemathesis.openapi.from_path(DOCUMENT)


@pytest.fixture(scope="module", autouse=True)
def nothing_imported_late() -> Iterator[None]:
    yield
    assert loaded_later(LOADED) == [], "imported inside Hypothesis: add it to tests/lazy_imports.py"


@pytest.fixture(scope="module")
def service() -> Iterator[LocalService]:
    from moto import mock_aws

    with mock_aws():
        local = start_service()
        local.serve_in_background()
        yield local
        local.stop()


def test_every_check_is_known() -> None:
    assert {c.__name__ for c in CHECKS_RUN} == CHECKED  # type: ignore[union-attr]


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_the_service_keeps_the_documents_promises(case: schemathesis.Case, service: LocalService) -> None:
    # The two rules a static schema cannot state: "not in the future" (today moves) and a fresh
    # Idempotency-Key per request (the same key with a different body is refused, as documented).
    for day in ("when_happened", "child_date_of_birth"):
        if isinstance(case.body, dict) and isinstance(case.body.get(day), str):
            today = london_date(config.clock().now())
            try:
                if date.fromisoformat(case.body[day]) > today:
                    case.body[day] = today.isoformat()
            except ValueError:
                pass
    if (
        case.headers
        and "Idempotency-Key" in case.headers
        and case.meta
        and case.meta.generation.mode.is_positive
    ):
        case.headers["Idempotency-Key"] = uuid.uuid4().hex
    checks = CHECKS_RUN
    if case.operation.definition.raw.get("operationId") in ("submitForm", "extendForm"):
        # A form page carries the answers so far sealed by the service: no generated value is one, so a
        # schema-valid post starts new answers (a page's own errors: 422) or, to extend, is refused as
        # expired (410), as documented; every other check still runs.
        checks = [c for c in CHECKS_RUN if getattr(c, "__name__", "") != "positive_data_acceptance"]
    case.call_and_validate(base_url=service.url, checks=checks)
