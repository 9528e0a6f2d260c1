"""The scorecard bulletin through the reliable notification path on moto: recorded once a period with its
notifications, sent from the stream to each address of the senior leadership list, with counts and no
personal data; the scheduled function is in the catalog like the sweeper."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from infra.catalog import API_FUNCTIONS, BULLETIN, FUNCTIONS
from infra.local.clock import LocalClock
from infra.local.emulator import LocalResources
from infra.local.gateway import Gateway
from infra.local.outbox import sent_emails
from shared import names
from shared.adapters.dynamodb import DynamoReportSource
from shared.domain.policy import CouncilPolicy
from shared.reporting.bulletin import BulletinService, last_period
from tests.conftest import as_json, complaint
from tests.integration.test_notifications import pump

LEADERS = ("slt@council.example", "director@council.example")


def test_the_last_period_is_the_month_or_quarter_ended_before_today() -> None:
    assert last_period(date(2027, 1, 4), "quarterly") == ("2026/27 Q3", date(2026, 12, 31))
    assert last_period(date(2026, 12, 31), "quarterly") == ("2026/27 Q2", date(2026, 9, 30))
    assert last_period(date(2026, 4, 1), "monthly") == ("2026-03", date(2026, 3, 31))


def test_the_bulletin_goes_once_to_each_leader_without_personal_data(
    aws: LocalResources, clock: LocalClock
) -> None:
    gateway = Gateway(API_FUNCTIONS)  # Thursday 26 November 2026, 2026/27 Q3
    body = as_json(complaint(service_area="social-work"))
    assert gateway.dispatch("POST", "/representations", {"Content-Type": "application/json"}, body)[0] == 201
    pump(aws).drain()
    before = len(sent_emails())
    clock.set(datetime(2027, 1, 4, 9, tzinfo=UTC))
    source = DynamoReportSource(aws.table_name)
    bulletin = BulletinService(source, source, clock, CouncilPolicy(senior_leadership_list=LEADERS))
    assert bulletin.send() == "2026/27 Q3"
    assert bulletin.send() is None  # the same period again: nothing more
    pump(aws).drain()
    emails = sent_emails()[before:]
    assert sorted(e["to"] for e in emails) == sorted(LEADERS)
    for email in emails:
        assert email["subject"] == "Complaints scorecard: 2026/27 Q3"
        assert (
            "All services: 1 received" in email["text"]
            and "Social work services: 1 received" in email["text"]
        )
        for personal in ("Sam", "sam@example.org", "Nobody returned my calls", "CSC-"):
            assert personal not in email["text"] and personal not in email["html"]


def test_nobody_to_send_to_sends_nothing(aws: LocalResources, clock: LocalClock) -> None:
    source = DynamoReportSource(aws.table_name)
    assert BulletinService(source, source, clock, CouncilPolicy()).send() is None


def test_the_bulletin_is_scheduled_like_the_sweeper() -> None:
    assert BULLETIN in FUNCTIONS and BULLETIN.schedule_minutes == 30
    assert not BULLETIN.routes and BULLETIN.stream is None


@pytest.fixture
def leaders_policy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A policy file with the senior leadership list and a monthly bulletin, for the functions' config."""
    from shared import config, wiring

    policy = tmp_path / "policy.json"
    policy.write_text(json.dumps({"senior_leadership_list": list(LEADERS), "bulletin_period": "monthly"}))
    monkeypatch.setenv(names.POLICY_FILE_ENV, str(policy))
    config.policy.cache_clear()
    wiring.reset()
    yield
    monkeypatch.undo()
    config.policy.cache_clear()
    wiring.reset()


@pytest.mark.usefixtures("leaders_policy")
def test_heard_report_bulletin_sends_with_the_configured_policy(
    aws: LocalResources, capsys: pytest.CaptureFixture[str]
) -> None:
    from shared.cli import main

    assert main(["report", "bulletin"]) == 0  # 26 November 2026: October's
    assert capsys.readouterr().out.strip() == "bulletin for 2026-10 recorded"
    assert main(["report", "bulletin"]) == 0
    assert capsys.readouterr().out.strip().startswith("no bulletin")
