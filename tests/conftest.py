"""Shared fixtures: an emulated AWS (moto, in-process) with Heard's resources, and a movable clock.

A test never reads the real date: its clock starts at START and moves only when the test moves it, and
every local service a test starts follows that clock (its workflow's Wait states and its scheduler
too), so the suite passes on whatever day it runs (``make test-dates`` runs it under faketime)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import pytest

from infra.local.clock import LocalClock
from infra.local.emulator import LocalResources, create_resources, use_fake_credentials
from shared import config, wiring
from shared.domain.clock import SystemClock

if TYPE_CHECKING:
    from infra.local.service import LocalService

use_fake_credentials()

# A Thursday morning in London (GMT), well clear of bank holidays.
START = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> Iterator[LocalClock]:
    """The test's clock, at START: the domain reads it, and a service started with it follows it."""
    manual = LocalClock(START)
    config.use_clock(manual)
    wiring.reset()
    yield manual
    config.use_clock(SystemClock())
    wiring.reset()


def start_service(clock: LocalClock | None = None, **options: Any) -> LocalService:
    """The local service (in the active moto mock) on ``clock``, or on a clock of its own at START: never
    on the real clock."""
    from infra.local.service import LocalService

    service = LocalService.start(clock=clock or LocalClock(START), **options)
    wiring.reset()
    return service


@pytest.fixture
def aws(clock: LocalClock) -> Iterator[LocalResources]:
    from moto import mock_aws

    with mock_aws():
        resources = create_resources()
        wiring.reset()
        yield resources
    wiring.reset()


def complaint(**overrides: Any) -> dict[str, Any]:
    """A valid complaint from a parent, as the JSON API takes it."""
    body: dict[str, Any] = {
        "kind": "complaint",
        "role": "parent",
        "subject": "childrens-social-care",
        "on_behalf_of": "a-child",
        "name": "Sam Jones",
        "email": "sam@example.org",
        "preferred_contact": "email",
        "what_happened": "Nobody returned my calls about my son's care plan for three weeks.",
        "when_happened": "2026-10-01",
        "outcome_wanted": "A meeting with the team manager.",
    }
    body.update(overrides)
    return body


#: The child's own wishes and views, found out by the complaints officer before a complaint someone else
#: made for them is accepted (Getting the Best from Complaints: the council checks the child agrees).
CHILD_AGREES: dict[str, Any] = {
    "action": "record-child-views",
    "wishes": "agrees",
    "how": "through-social-worker",
    "summary": "The child wants the calls returned and agrees with the complaint.",
}


def as_json(body: Any) -> bytes:
    return json.dumps(body).encode()
