"""Every deadline alert goes at the policy's hour, 09:00 in London, on a working day (README, "Deadlines
that chase"), also when its timer starts late: a stage accepted after its overdue day is told at the
next 09:00 London on a working day, not at the moment of acceptance, and its overdue alert goes alone
(issue 16). A late start or a late wake sends the news, not the history.

Every expected instant is worked out by hand, never with the code under test, on the England and Wales
calendar for 2027: Good Friday is 26 March and Easter Monday 29 March; Christmas Day and Boxing Day fall
on a Saturday and a Sunday, so Monday 27 and Tuesday 28 December are the bank holidays. British Summer
Time runs from Sunday 28 March to Sunday 31 October 2027: 09:00 in London is 09:00 UTC outside it and
08:00 UTC inside it. The notification ids follow the format docs/decisions.md gives:
``{case_id}-{timer}-{due}-{alarm}-{days before, or the escalation's day}``."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, cast

import pytest

from shared.domain.case import register
from shared.domain.casefile import Case, apply
from shared.domain.policy import CouncilPolicy
from shared.domain.representation import RepresentationRequest
from shared.domain.stages import Actor
from shared.domain.timers import Timer, TimerKind, WakeResult, alarm_slot, first_wake, wake
from shared.workflow import TimerService
from tests.conftest import complaint
from tests.unit.test_casefile import COMMAND

POLICY = CouncilPolicy()
# Stage 1 of a complaint received on Monday 1 March 2027 is due Monday 15 March (10 working days): its
# reminders are on Monday 8 and Thursday 11 March, overdue on Tuesday 16 March, escalations every 5
# working days after that: Tuesday 23 March, Thursday 1 April (Good Friday and Easter Monday skipped),
# Thursday 8 April.
DUE = date(2027, 3, 15)
STAGE1 = Timer("stage1", TimerKind.STAGE, DUE, revision=2)
OVERDUE_ID = "c1-stage1-2027-03-15-overdue-0"


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize(
    ("at", "slot"),
    [
        # A weekday afternoon in winter: the next morning, 09:00 GMT.
        ("2027-03-24T14:00:00", "2027-03-25T09:00:00"),
        # 08:59, 09:00 and 09:01 in London in winter (GMT = UTC).
        ("2027-03-25T08:59:00", "2027-03-25T09:00:00"),
        ("2027-03-25T09:00:00", "2027-03-25T09:00:00"),
        # 09:01 on Thursday 25 March: Good Friday, the weekend (the clocks go forward) and Easter Monday
        # pass; Tuesday 30 March at 09:00 BST.
        ("2027-03-25T09:01:00", "2027-03-30T08:00:00"),
        # 08:59, 09:00 and 09:01 in London in summer (BST = UTC + 1).
        ("2027-03-30T07:59:00", "2027-03-30T08:00:00"),
        ("2027-03-30T08:00:00", "2027-03-30T08:00:00"),
        ("2027-03-30T08:01:00", "2027-03-31T08:00:00"),
        # 08:30 UTC on Tuesday 30 March is 09:30 in London: the next day (a UTC reading would say now).
        ("2027-03-30T08:30:00", "2027-03-31T08:00:00"),
        # A Saturday in winter: the Monday.
        ("2027-03-20T12:00:00", "2027-03-22T09:00:00"),
        # Saturday 27 March, the day before the clocks go forward: Tuesday 30 March, 08:00 UTC.
        ("2027-03-27T12:00:00", "2027-03-30T08:00:00"),
        # Good Friday itself.
        ("2027-03-26T10:00:00", "2027-03-30T08:00:00"),
        # 23:30 UTC on Sunday 28 March is 00:30 on Easter Monday in London.
        ("2027-03-28T23:30:00", "2027-03-30T08:00:00"),
        # Friday 29 October at 09:30 BST: the clocks go back on Sunday 31 October; Monday 1 November at
        # 09:00 GMT.
        ("2027-10-29T08:30:00", "2027-11-01T09:00:00"),
        # Friday 24 December after 09:00: Christmas on the weekend, its substitutes Monday 27 and Tuesday
        # 28 December; Wednesday 29 December.
        ("2027-12-24T09:01:00", "2027-12-29T09:00:00"),
    ],
)
def test_the_alarm_slot_is_the_next_0900_london_on_a_working_day(at: str, slot: str) -> None:
    assert alarm_slot(utc(at), POLICY) == utc(slot)


@pytest.mark.parametrize(
    ("started", "first"),
    [
        # On time: the first reminder, Monday 8 March at 09:00.
        ("2027-03-01T10:00:00", "2027-03-08T09:00:00"),
        # At the very instant of the 5-day reminder: now (that reminder is sent).
        ("2027-03-08T09:00:00", "2027-03-08T09:00:00"),
        # A minute later: the 5-day reminder fell before the timer started (not sent late): the 2-day one.
        ("2027-03-08T09:01:00", "2027-03-11T09:00:00"),
        # On the overdue day at 08:59: its overdue alert at 09:00.
        ("2027-03-16T08:59:00", "2027-03-16T09:00:00"),
        # At 09:00 on the overdue day: now, which is the slot.
        ("2027-03-16T09:00:00", "2027-03-16T09:00:00"),
        # At 09:01 on the overdue day: the overdue alert is due, but goes at the next slot.
        ("2027-03-16T09:01:00", "2027-03-17T09:00:00"),
        # Accepted on Wednesday 24 March at 14:00, the overdue alert and escalation 1 past: Thursday 09:00.
        ("2027-03-24T14:00:00", "2027-03-25T09:00:00"),
        # Accepted on Saturday 27 March: Tuesday 30 March at 09:00 BST (08:00 UTC), after Easter Monday.
        ("2027-03-27T12:00:00", "2027-03-30T08:00:00"),
        # Accepted on Good Friday: the same.
        ("2027-03-26T10:00:00", "2027-03-30T08:00:00"),
    ],
)
def test_a_timer_first_wakes_at_its_first_alarm_or_the_next_slot_never_at_its_start(
    started: str, first: str
) -> None:
    assert first_wake(STAGE1, POLICY, utc(started)) == utc(first)


def test_a_late_window_first_wakes_at_the_next_slot_to_close_the_case() -> None:
    # A window that ended on Monday 15 March closes at 09:00 on Tuesday 16 March; started on Thursday 18
    # March at 13:00, it first wakes on Friday 19 March at 09:00.
    window = Timer("stage2-request", TimerKind.WINDOW, DUE, revision=4)
    assert first_wake(window, POLICY, utc("2027-03-18T13:00:00")) == utc("2027-03-19T09:00:00")
    assert first_wake(window, POLICY, utc("2027-03-12T13:00:00")) == utc("2027-03-16T09:00:00")


def test_a_late_stage_across_the_end_of_summer_time_first_wakes_at_0900_gmt() -> None:
    # Due Friday 22 October 2027, overdue on Monday 25 October (08:00 UTC, BST); accepted on Friday 29
    # October at 12:00 UTC: the clocks go back on Sunday 31 October, so Monday 1 November at 09:00 UTC.
    late = Timer("stage1", TimerKind.STAGE, date(2027, 10, 22), revision=2)
    assert first_wake(late, POLICY, utc("2027-10-29T12:00:00")) == utc("2027-11-01T09:00:00")
    assert first_wake(late, POLICY, utc("2027-10-22T12:00:00")) == utc("2027-10-25T08:00:00")


def test_the_first_payload_of_a_stage_accepted_late_waits_for_the_next_slot() -> None:
    service = TimerService(
        cast(Any, None), cast(Any, None), cast(Any, None), cast(Any, None), cast(Any, None), POLICY
    )
    case = accepted_at("2027-03-24T14:00:00")
    payload = service.first_payload(case, STAGE1, utc("2027-03-24T14:00:00"))
    assert payload["since"] == "2027-03-24T14:00:00Z"
    assert payload["wake_at"] == "2027-03-25T09:00:00Z"


# --- what the first wake sends ----------------------------------------------------------------------


def accepted_at(when: str) -> Case:
    """A complaint received on Monday 1 March 2027 at 10:00 UTC, accepted into the statutory procedure
    at ``when`` (stage 1 runs from receipt: due Monday 15 March whenever it is accepted)."""
    received = utc("2027-03-01T10:00:00")
    body = complaint(when_happened="2027-02-01", on_behalf_of="myself")  # a parent's own complaint
    request = RepresentationRequest.model_validate(body, context={"today": received.date()})
    new = register(
        request,
        case_id="c1",
        reference="CSC-2027-00001",
        received_at=received,
        registered_at=received,
        policy=POLICY,
    )
    accept = {"action": "accept", "procedure": "statutory", "reason": "A parent of a child in need."}
    case = apply(
        Case.model_validate(new.case),
        COMMAND.validate_python(accept),
        Actor.COMPLAINTS_OFFICER,
        "o",
        utc(when),
        POLICY,
    ).case
    assert case.deadlines["stage1"].due == DUE
    return case


def sent(case: Case, *ids: str) -> Case:
    """``case`` with the notifications ``ids`` recorded (as the workflow's transaction records them)."""
    return case.model_copy(update={"notifications": {**case.notifications, **dict.fromkeys(ids, "sent")}})


def woke(case: Case, since: str, now: str) -> WakeResult:
    """What the stage 1 timer, started at ``since``, does at ``now``."""
    return wake(case, "stage1", case.deadlines["stage1"].revision, utc(since), utc(now), POLICY)


def told(result: WakeResult) -> list[tuple[str, int, tuple[str, ...]]]:
    """(alarm, escalation number, recipients) of each alert sent."""
    return [
        (a.context["alarm"], a.context["escalation"], tuple(r.value for r in a.recipients))
        for a in result.alerts
    ]


def test_accepted_after_escalation_1_the_first_wake_sends_the_overdue_alert_alone() -> None:
    case = accepted_at("2027-03-24T14:00:00")
    first = woke(case, "2027-03-24T14:00:00", "2027-03-25T09:00:00")
    assert told(first) == [("overdue", 0, ("manager", "team"))]
    assert first.alerts[0].notification_id == OVERDUE_ID
    # 16, 17, 18, 19, 22, 23, 24 and 25 March.
    assert first.alerts[0].context["working_days_overdue"] == 8
    assert first.next_at == utc("2027-04-01T08:00:00")  # Thursday 1 April, 09:00 BST
    # Then the schedule's next escalation on its own day, to the head of service: number 2 (escalation
    # 1, Tuesday 23 March, fell before the stage was accepted and is not sent late).
    then = woke(sent(case, OVERDUE_ID), "2027-03-24T14:00:00", "2027-04-01T08:00:00")
    assert told(then) == [("escalation", 2, ("head-of-service",))]
    assert then.next_at == utc("2027-04-08T08:00:00")


def test_accepted_the_day_before_an_escalation_the_overdue_alert_still_goes_alone() -> None:
    # Accepted on Monday 22 March at 14:00: the first slot is Tuesday 23 March at 09:00, escalation 1's
    # own time; the overdue alert goes then, without it, and escalation 2 on Thursday 1 April.
    case = accepted_at("2027-03-22T14:00:00")
    assert first_wake(STAGE1, POLICY, utc("2027-03-22T14:00:00")) == utc("2027-03-23T09:00:00")
    first = woke(case, "2027-03-22T14:00:00", "2027-03-23T09:00:00")
    assert told(first) == [("overdue", 0, ("manager", "team"))]
    assert first.next_at == utc("2027-04-01T08:00:00")


def test_a_wake_after_downtime_sends_the_overdue_alert_not_the_escalation_with_it() -> None:
    # Accepted on time; the workflow was down from before the overdue day until Wednesday 24 March.
    case = accepted_at("2027-03-01T10:00:00")
    late = woke(case, "2027-03-01T10:00:00", "2027-03-24T10:00:00")
    assert told(late) == [("overdue", 0, ("manager", "team"))]
    assert late.next_at == utc("2027-04-01T08:00:00")


def test_on_time_the_overdue_alert_and_each_escalation_go_on_their_own_days() -> None:
    case = accepted_at("2027-03-01T10:00:00")
    overdue = woke(case, "2027-03-01T10:00:00", "2027-03-16T09:00:00")
    assert told(overdue) == [("overdue", 0, ("manager", "team"))]
    assert overdue.next_at == utc("2027-03-23T09:00:00")
    case = sent(case, OVERDUE_ID)
    first = woke(case, "2027-03-01T10:00:00", "2027-03-23T09:00:00")
    assert told(first) == [("escalation", 1, ("head-of-service",))]
    assert first.next_at == utc("2027-04-01T08:00:00")
    # Escalation 1 sent, then the workflow down until Friday 9 April: only the latest (3, Thursday 8
    # April), not 2 as well.
    case = sent(case, "c1-stage1-2027-03-15-escalation-2027-03-23")
    late = woke(case, "2027-03-01T10:00:00", "2027-04-09T10:00:00")
    assert told(late) == [("escalation", 3, ("head-of-service",))]


def test_a_timer_restarted_after_its_overdue_alert_went_carries_on_escalating() -> None:
    # The overdue alert went on Tuesday 16 March; the timer starts again on Monday 22 March at 14:00 (a
    # kept local state reloaded): its first wake is Tuesday 23 March at 09:00, with escalation 1.
    case = sent(accepted_at("2027-03-01T10:00:00"), OVERDUE_ID)
    assert first_wake(STAGE1, POLICY, utc("2027-03-22T14:00:00")) == utc("2027-03-23T09:00:00")
    again = woke(case, "2027-03-22T14:00:00", "2027-03-23T09:00:00")
    assert told(again) == [("escalation", 1, ("head-of-service",))]
