"""The report's definitions (docs/reporting.md) on small cases counted by hand. Calendar: Christmas Day
Fri 25 Dec 2026, Boxing Day substitute Mon 28 Dec, New Year Fri 1 Jan 2027, Good Friday 26 Mar and Easter
Monday 29 Mar 2027 are not working days."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from shared.domain.case import register
from shared.domain.casefile import Case
from shared.domain.representation import RepresentationRequest
from shared.domain.stages import Actor
from shared.reporting.annual import WorkingDayCount, change, percent, year_figures
from shared.reporting.memory import InMemoryCases
from shared.reporting.source import activity_dates, quarter_of
from tests.conftest import complaint
from tests.unit.test_casefile import ACCEPT, POLICY, act, new_case

PAUSE = {"action": "pause-stage1", "reason": "An advocate is being appointed"}
RESUME = {"action": "resume", "reason": "The advocate is appointed"}
EXTEND = {"action": "extend", "reason": "Complex: several teams are involved"}


def answer(case: Case, on: date) -> Case:
    body = {
        "action": "respond-stage1",
        "sent_on": on.isoformat(),
        "findings": [{"point": "Calls not returned", "outcome": "upheld"}],
    }
    return act(case, body, Actor.SERVICE_MANAGER, on=on)


def test_stage_dates_are_kept_after_the_answer_with_pauses_and_the_extension() -> None:
    # Received Thu 26 Nov 2026: due Thu 10 Dec; stopped Mon 30 Nov to Mon 7 Dec (5 working days): due
    # Thu 17 Dec; extended by 10 working days over Christmas: Tue 5 Jan 2027.
    accepted = act(new_case(advocacy="wants-one"), ACCEPT)  # the child asked for an advocate
    paused_first = act(
        act(act(accepted, PAUSE, on=date(2026, 11, 30)), RESUME, on=date(2026, 12, 7)),
        EXTEND,
        on=date(2026, 12, 7),
    )
    extended_first = act(
        act(act(accepted, EXTEND, on=date(2026, 11, 27)), PAUSE, on=date(2026, 11, 30)),
        RESUME,
        on=date(2026, 12, 7),
    )
    for case in (paused_first, extended_first):
        dated = answer(case, date(2026, 12, 21)).stage_dates["stage1"]
        assert (dated.started_on, dated.due_on, dated.extended_due_on, dated.sent_on) == (
            date(2026, 11, 26),
            date(2026, 12, 17),
            date(2027, 1, 5),
            date(2026, 12, 21),
        )


def test_timeliness_counts_working_days_and_both_timescales() -> None:
    case = answer(act(act(new_case(), ACCEPT), EXTEND, on=date(2026, 11, 27)), date(2026, 12, 21))
    stage1 = year_figures([case], [case], 2026, date(2027, 1, 31), POLICY, None).stage1_timeliness
    # 27 Nov to 21 Dec: 17 working days; after the standard due date (10 Dec), before the extended one.
    assert (stage1.responses, stage1.average_working_days) == (1, 17)
    assert (stage1.within_timescale, stage1.extended, stage1.within_extended_timescale) == (0, 1, 1)
    assert [q.responses for q in stage1.quarters] == [0, 0, 1, 0]


def received_on(day: date) -> Case:
    body = complaint(role="child-looked-after", on_behalf_of="myself", advocacy_offered=True)
    request = RepresentationRequest.model_validate(body)
    received_at = datetime(day.year, day.month, day.day, 12, tzinfo=UTC)
    new = register(
        request,
        case_id="c2",
        reference="CSC-2026-00002",
        received_at=received_at,
        registered_at=received_at,
        policy=POLICY,
    )
    return Case.model_validate(new.case)


def test_a_stage_counts_in_the_year_its_answer_was_sent_whatever_year_the_case_came_in() -> None:
    # Received Wed 24 Mar 2027 (2026/27), answered Wed 7 Apr 2027 (2027/28): 8 working days over Easter.
    case = answer(act(received_on(date(2027, 3, 24)), ACCEPT, on=date(2027, 3, 24)), date(2027, 4, 7))
    store = InMemoryCases()
    store.add(case)
    assert [c.case_id for c in store.received_in(2026)] == ["c2"]
    assert list(store.received_in(2027)) == [] and [c.case_id for c in store.active_in(2027)] == ["c2"]
    then = year_figures(
        list(store.received_in(2026)), list(store.active_in(2026)), 2026, date(2027, 5, 1), POLICY, None
    )
    later = year_figures([], list(store.active_in(2027)), 2027, date(2027, 5, 1), POLICY, None)
    assert then.received.complaints == 1 and then.stage1_timeliness.responses == 0
    assert later.stage1_timeliness.average_working_days == 8
    assert later.stage1_timeliness.quarters[0].responses == 1
    assert activity_dates(case) == {"stage1-started": date(2027, 3, 24), "stage1-sent": date(2027, 4, 7)}


def test_resolved_at_stage_1_is_answered_and_not_taken_to_stage_2() -> None:
    answered = answer(act(new_case(), ACCEPT), date(2026, 12, 9))
    taken_on = act(
        answered, {"action": "request-stage2", "requested_on": "2026-12-10"}, on=date(2026, 12, 10)
    )
    still_open = act(new_case(), ACCEPT)
    figures = year_figures([answered, taken_on, still_open], [], 2026, date(2027, 1, 31), POLICY, None)
    assert (figures.resolved_at_stage1.count, figures.resolved_at_stage1.percent) == (1, 33)


def test_quarters_of_the_financial_year() -> None:
    assert [
        quarter_of(date(2015, m, d)) for m, d in ((4, 1), (6, 30), (7, 1), (12, 31), (1, 1), (3, 31))
    ] == [
        1,
        1,
        2,
        3,
        4,
        4,
    ]


def test_percentages_round_halves_up() -> None:
    assert change(133, 102) == 30  # 30.39%
    assert change(3645, 3879) == -6  # -6.03%
    assert percent(118, 133) == 89  # 88.72%
    assert percent(1, 8) == 13  # 12.5%
    assert percent(1, 0) is None


def test_the_constant_time_count_agrees_with_the_calendar_across_years_and_holidays() -> None:
    count, calendar = WorkingDayCount(POLICY), POLICY.calendar()
    starts = [date(2014, 12, 20) + timedelta(days=d) for d in range(0, 500, 7)]
    for start in starts:
        for length in (0, 1, 3, 19, 30, 148, 400):
            end = start + timedelta(days=length)
            assert count.between(start, end) == calendar.working_days_between(start, end), (start, end)
    assert count.between(date(2026, 12, 24), date(2027, 1, 5)) == 5  # 29, 30, 31 Dec, 4 and 5 Jan
