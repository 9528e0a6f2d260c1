"""The stage workflow on its real definition (infra/workflow/stage_timer.asl.json), executed by moto's
interpreter with the real handlers, on the local clock: scenarios driven through the officer API, as the
local service runs them, with the outbox read after each move of the clock.

Expected dates are worked out by hand from the calendar for spring 2027 (not from Heard's calendar):
Good Friday is 26 March and Easter Monday 29 March; British Summer Time starts on 28 March, so 09:00
in London is 09:00 UTC before it and 08:00 UTC after it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from infra.local.outbox import sent_emails
from infra.local.service import LocalService
from shared import config, wiring
from shared.domain.clock import SystemClock
from tests.conftest import as_json, complaint
from tests.integration.test_officer_authorization import Api

# Monday 1 March 2027, 10:00 in London (GMT).
START = datetime(2027, 3, 1, 10, 0, tzinfo=UTC)
OFFICER = "complaints-officer"
MANAGER = "service-manager"
MANAGER_MAILBOX = "service-manager@staff.heard.example"
TEAM_MAILBOX = "complaints-team@heard.example"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.fixture
def local() -> Iterator[tuple[LocalService, Api]]:
    from moto import mock_aws

    with mock_aws():
        service = LocalService.start(clock_start=START, follow_real_time=False)
        try:
            yield service, Api(service)
        finally:
            service.stop(within=1.0)
    config.use_clock(SystemClock())
    wiring.reset()


def register(api: Api, **overrides: Any) -> str:
    body = complaint(when_happened="2027-02-01", **overrides)
    status, _, payload = api.service.gateway.dispatch(
        "POST", "/representations", {"Content-Type": "application/json"}, as_json(body)
    )
    assert status == 201, payload
    reference: str = json.loads(payload)["reference"]
    return reference


def accepted(api: Api, area: str, procedure: str = "statutory", **overrides: Any) -> str:
    reference = register(api, **overrides)
    reason = "A parent of a child in need: s.26(3)."
    api.act(reference, OFFICER, {"action": "accept", "procedure": procedure, "reason": reason})
    api.act(reference, OFFICER, {"action": "allocate", "manager": MANAGER, "service_area": area})
    return reference


def alerts(reference: str) -> list[tuple[str, str]]:
    """The deadline alerts for ``reference`` in the outbox: (to, subject) in the order sent."""
    return [
        (m["to"], m["subject"].split(":")[0])
        for m in sent_emails()
        if reference in m["subject"] and m["subject"].split(":")[0] in ("Reminder", "Overdue", "Escalation")
    ]


def letters(reference: str, subject_start: str) -> list[dict[str, Any]]:
    return [m for m in sent_emails() if m["subject"].startswith(subject_start) and reference in m["subject"]]


def area(service: LocalService) -> str:
    return config.policy().service_areas[0].id


def test_answered_on_time_reminders_before_the_due_date_only_and_the_window_then_closes_the_case(
    local: tuple[LocalService, Api],
) -> None:
    service, api = local
    reference = accepted(api, area(service))
    # Stage 1 is due Monday 15 March (10 working days from Monday 1 March): reminders on Monday 8
    # (5 working days before) and Thursday 11 March (2 before), at 09:00.
    service.advance_to(at("2027-03-08T08:59:00"))
    assert alerts(reference) == []
    service.advance_to(at("2027-03-08T09:00:00"))
    assert alerts(reference) == [(MANAGER_MAILBOX, "Reminder")]
    service.advance_to(at("2027-03-12T10:00:00"))
    assert alerts(reference) == [(MANAGER_MAILBOX, "Reminder")] * 2
    reminder = [m for m in sent_emails() if m["subject"].startswith("Reminder")][-1]
    assert "Monday 15 March 2027" in reminder["subject"] and "in 2 working days" in reminder["text"]
    assert f"https://heard.example/cases/{reference}" in reminder["text"]
    finding = {"point": "Calls not returned", "outcome": "upheld"}
    api.act(reference, MANAGER, {"action": "respond-stage1", "sent_on": "2027-03-12", "findings": [finding]})
    # Answered: nothing more for stage 1. The window to ask for stage 2 (20 working days from Friday
    # 12 March, without Good Friday and Easter Monday: Tuesday 13 April) closes the case at 09:00 on
    # Wednesday 14 April (08:00 UTC in summer time).
    service.advance_to(at("2027-04-14T07:59:00"))
    assert alerts(reference) == [(MANAGER_MAILBOX, "Reminder")] * 2
    assert letters(reference, "We have closed") == []
    service.advance_to(at("2027-04-14T08:00:00"))
    closed = letters(reference, "We have closed")
    assert len(closed) == 1 and "Tuesday 13 April 2027" in closed[0]["text"]
    status, _, body = api.call("GET", f"/cases/{reference}", OFFICER)
    assert status == 200 and body["case"]["status"] == "closed"
    service.advance_to(at("2027-06-30T12:00:00"))
    assert alerts(reference) == [(MANAGER_MAILBOX, "Reminder")] * 2
    assert len(letters(reference, "We have closed")) == 1
