"""The running local service the end-to-end tests drive, and its staff over HTTP."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from infra.local.clock import LocalClock
from infra.local.service import LocalService
from tests.conftest import start_service
from tests.e2e.test_officer_lifecycle import Officers


@pytest.fixture
def service(clock: LocalClock) -> Iterator[LocalService]:
    from moto import mock_aws

    with mock_aws():
        local = start_service(clock)  # port 0: a free port
        local.serve_in_background()
        yield local
        local.stop()


@pytest.fixture
def officers(service: LocalService, clock: LocalClock) -> Officers:
    return Officers(service, clock)  # Thursday 26 November 2026, 10:00 UTC
