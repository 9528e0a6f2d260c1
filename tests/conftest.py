"""Shared fixtures: an emulated AWS (moto, in-process) with Heard's resources, and a movable clock."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from infra.local.emulator import LocalResources, create_resources, use_fake_credentials
from shared import config, wiring
from shared.domain.clock import ManualClock, SystemClock

use_fake_credentials()

# A Thursday morning in London (GMT), well clear of bank holidays.
START = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> Iterator[ManualClock]:
    manual = ManualClock(START)
    config.use_clock(manual)
    wiring.reset()
    yield manual
    config.use_clock(SystemClock())
    wiring.reset()


@pytest.fixture
def aws(clock: ManualClock) -> Iterator[LocalResources]:
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


def as_json(body: Any) -> bytes:
    return json.dumps(body).encode()
