"""The reports on the officer API, through the local gateway with real tokens: who may read which, a
service manager confined to their own areas, and the context figures an officer enters."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

from infra.local.clock import LocalClock
from infra.local.service import LocalService
from tests.conftest import start_service
from tests.integration.test_officer_api import ACCEPT, call, submit


@pytest.fixture
def service(clock: LocalClock) -> Iterator[LocalService]:
    from moto import mock_aws

    with mock_aws():
        local = start_service(clock)
        submit(local, service_area="social-work")
        submit(local, service_area="fostering")
        yield local


def test_the_annual_report_is_for_complaints_officers_and_senior_leadership(service: LocalService) -> None:
    status, headers, report = call(service, "GET", "/reports/annual?year=2026", "senior-leadership")
    assert status == 200, report
    assert report["label"] == "2026/27" and report["current"]["received"]["complaints"] == 2
    assert headers["Cache-Control"] == "no-store"
    for user in ("service-manager", "investigator", "admin"):
        assert call(service, "GET", "/reports/annual?year=2026", user)[0] == 403
    assert call(service, "GET", "/reports/annual?year=26", "complaints-officer")[0] == 422
    assert call(service, "GET", "/reports/annual?year=2026")[0] == 401


def test_context_figures_are_entered_by_a_complaints_officer(service: LocalService) -> None:
    figures = {"referrals": 7987, "children_receiving_services": 3645}
    assert call(service, "PUT", "/reports/context/2026", "senior-leadership", figures)[0] == 403
    status, _, body = call(service, "PUT", "/reports/context/2026", "complaints-officer", figures)
    assert (status, body) == (200, figures)
    assert call(service, "PUT", "/reports/context/2026", "complaints-officer", {"referrals": -1})[0] == 422
    report = call(service, "GET", "/reports/annual?year=2026", "complaints-officer")[2]
    assert report["current"]["context"] == figures and report["previous"]["context"]["referrals"] is None


def test_a_service_manager_sees_the_rag_and_scorecard_of_their_own_areas(service: LocalService) -> None:
    status, _, everyone = call(service, "GET", "/reports/rag", "complaints-officer")
    assert status == 200, everyone
    assert [a["service_area"] for a in everyone["areas"]] == ["fostering", "social-work"]
    # Received Thu 26 Nov: acknowledgement or stage 1 due within 10 working days, not yet amber (5).
    assert all(
        c["rag"] == "green" and c["due"] == "2026-12-10" for a in everyone["areas"] for c in a["cases"]
    )
    mine = call(service, "GET", "/reports/rag", "service-manager")[2]
    assert [a["service_area"] for a in mine["areas"]] == ["social-work"]
    card = call(service, "GET", "/reports/scorecard?period=monthly", "service-manager")[2]
    assert {(r["period"], r["service_area"], r["received"]) for r in card["rows"]} == {
        ("2026-11", "all", 1),
        ("2026-11", "social-work", 1),
    }
    assert call(service, "GET", "/reports/scorecard?period=weekly", "service-manager")[0] == 422
    assert call(service, "GET", "/reports/rag", "investigator")[0] == 403


def act(
    service: LocalService, reference: str, body: dict[str, Any], user: str = "complaints-officer"
) -> None:
    etag = call(service, "GET", f"/cases/{reference}", user)[1]["ETag"]
    status, _, answer = call(service, "POST", f"/cases/{reference}/actions", user, body, {"If-Match": etag})
    assert status == 200, answer


def test_action_plans_list_open_actions_overdue_red(service: LocalService, clock: LocalClock) -> None:
    reference = submit(service, service_area="social-work")
    act(service, reference, ACCEPT)
    upheld = [{"point": "Calls not returned", "outcome": "upheld"}]
    act(service, reference, {"action": "respond-stage1", "sent_on": "2026-11-26", "findings": upheld})
    for description, due in (("Return calls within a day", "2026-12-01"), ("Train the team", "2026-12-20")):
        act(
            service,
            reference,
            {"action": "add-action", "description": description, "owner": "head", "due_on": due},
        )
    act(service, reference, {"action": "update-action", "item_id": "A2", "status": "done"})
    clock.advance(timedelta(days=7))  # Thursday 3 December: the first action is overdue
    status, _, body = call(service, "GET", "/reports/action-plans", "senior-leadership")
    assert status == 200, body
    assert [(a["reference"], a["item_id"], a["owner"], a["due_on"], a["rag"]) for a in body["actions"]] == [
        (reference, "A1", "head", "2026-12-01", "red")
    ]
    assert call(service, "GET", "/reports/action-plans", "service-manager-2")[2]["actions"] == []
