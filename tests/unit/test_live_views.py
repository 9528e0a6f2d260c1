"""The live views: RAG by working days to the due date, the scorecard by month and quarter, open actions.
Today is Thu 26 Nov 2026 (no bank holiday before Christmas); the policy's amber window is 5 working days."""

from __future__ import annotations

from datetime import date

import pytest

from shared.domain.policy import CouncilPolicy
from shared.reporting.demo import build_demo
from shared.reporting.live import open_actions, rag_of, rag_report, scorecard
from shared.reporting.memory import InMemoryCases
from tests.unit.test_casefile import ACCEPT, act, new_case

TODAY = date(2026, 11, 26)
POLICY = CouncilPolicy()


@pytest.mark.parametrize(
    ("due", "rag"),
    [
        (date(2026, 11, 25), "red"),
        (TODAY, "amber"),
        (date(2026, 12, 3), "amber"),  # the 5th working day after today
        (date(2026, 12, 4), "green"),  # the 6th
        (None, "green"),
    ],
)
def test_rag_by_working_days_to_the_due_date(due: date | None, rag: str) -> None:
    assert rag_of(due, TODAY, POLICY) == rag


def test_a_service_manager_sees_only_their_own_areas() -> None:
    fostering = act(
        act(new_case(), ACCEPT), {"action": "allocate", "manager": "kim", "service_area": "fostering"}
    )
    adoption = act(
        act(new_case(), ACCEPT), {"action": "allocate", "manager": "kim", "service_area": "adoption"}
    )
    report = rag_report([fostering, adoption], TODAY, POLICY, frozenset({"fostering"}))
    assert [(area.service_area, area.amber, area.green) for area in report] == [("fostering", 0, 1)]
    # Stage 1 runs to Thu 10 Dec: 10 working days away, green; the week before it, amber; after it, red.
    assert [c.rag for c in rag_report([fostering], date(2026, 12, 7), POLICY)[0].cases] == ["amber"]
    assert [c.rag for c in rag_report([fostering], date(2026, 12, 11), POLICY)[0].cases] == ["red"]


@pytest.fixture(scope="module")
def demo() -> tuple[InMemoryCases, date]:
    store = InMemoryCases()
    return store, build_demo(store).report_date


def test_the_scorecard_by_quarter_and_month(demo: tuple[InMemoryCases, date]) -> None:
    store, today = demo
    card = scorecard(
        store.received_in(2015), store.active_in(2015), store.open_cases(), 2015, "quarterly", today, POLICY
    )
    everywhere = {row.period: row for row in card.rows if row.service_area == "all"}
    assert list(everywhere) == ["2015/16 Q1", "2015/16 Q2", "2015/16 Q3", "2015/16 Q4"]
    assert sum(row.received for row in everywhere.values()) == 133
    assert [row.average_working_days["stage1"] for row in everywhere.values()] == [30, 30, 30, 19]
    assert everywhere["2015/16 Q1"].answered_on_time["stage1"] == 0  # 30 working days, due in 10
    areas = [row for row in card.rows if row.period == "2015/16 Q1" and row.service_area != "all"]
    assert sum(row.received for row in areas) == everywhere["2015/16 Q1"].received
    monthly = scorecard(store.received_in(2015), store.active_in(2015), [], 2015, "monthly", today, POLICY)
    months = [row.period for row in monthly.rows if row.service_area == "all"]
    assert months[0] == "2015-04" and months[-1] == "2016-03" and len(months) == 12
    assert sum(row.received for row in monthly.rows if row.service_area == "all") == 133
    # At the report date: the two investigations still running are overdue (stage 2 is due in 25 days).
    assert {n.service_area: n.overdue for n in card.open_now}["all"] >= 2


def test_open_actions_soonest_first_with_overdue_ones_red(demo: tuple[InMemoryCases, date]) -> None:
    store, today = demo
    actions = open_actions(store.with_open_actions(), today)
    assert len(actions) == 6  # 8 actions on four plans, 2 done
    assert [a.due_on for a in actions] == sorted(a.due_on for a in actions)
    assert all(a.rag == ("red" if a.due_on < today else "green") for a in actions)
    assert any(a.overdue for a in actions)
