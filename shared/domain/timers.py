"""The case's timers, and what each one does when it comes due: the rules of the stage workflow.

A *timer* runs for every deadline the case has running now: the acknowledgement (while a complaint
waits for triage), each stage and panel step, each window in which the complainant may ask for the next
stage, and each open action of an action plan. The Step Functions workflow (infra/workflow) runs one
execution per timer, named after the case, the timer and its *revision* (the case version that last set
it), and waits between alarms; every time it wakes it asks :func:`wake` what to do, from the case as it
is now. So a timer that has stopped (answered, closed, withdrawn, paused) or moved (extended, resumed,
recomputed) does nothing, even if a Wait wakes after the change.

Alarms, all at the policy's hour (09:00 London) on working days:

- reminders, the policy's working days before the due date (5 and 2), to the allocated manager;
- overdue, on the first working day after the due date, to the manager and the complaints team;
- escalation, every ``overdue_repeat_working_days`` (5) after that, to the service's head of service,
  until the stage is answered;
- for a window, its close on the first working day after it ends: the case closes and the complainant
  is told;
- an action plan's actions get the same reminders and overdue alerts, and the repeats, to their owner.

Every alert goes at one of those *slots*, also when a timer starts late: one started when alarms are
due already (a stage accepted after its overdue day, a window that has ended) first wakes at the next
slot (:func:`first_wake`), not at the moment it starts. A late start or a late wake sends the news, not
the history: the overdue alert alone (no escalation with it), else the latest escalation.

Each alert has a deterministic notification id (case, timer, due date, alarm), so that a
repeated wake or a restarted timer never sends one twice, and a moved due date gets its own reminders.
No boto3 and no clock of its own: ``now`` is passed in."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Any

from shared.domain.calendar import LONDON, WorkingDayCalendar, london_date
from shared.domain.casefile import (
    AlertSent,
    Case,
    Decision,
    RecomputeDeadlines,
    RecordAlerts,
    WindowExpired,
    apply,
)
from shared.domain.casefile.actions.system import recomputed
from shared.domain.policy import CouncilPolicy, Step
from shared.domain.stages import Actor, Status
from shared.domain.vocabulary import Kind

ACKNOWLEDGEMENT = Step.ACKNOWLEDGEMENT.value
ACTION_PREFIX = "action-"
WINDOWS = frozenset({Step.STAGE2_REQUEST.value, Step.STAGE3_REQUEST.value})
SYSTEM = "system"  # the ``by`` of what the workflow records


class TimerKind(StrEnum):
    ACKNOWLEDGEMENT = "acknowledgement"
    STAGE = "stage"
    WINDOW = "window"
    ACTION = "action"


@dataclass(frozen=True)
class Timer:
    key: str  # "acknowledgement", a Step value ("stage1", "stage2-request", ...) or "action-A1"
    kind: TimerKind
    due: date
    revision: int
    owner: str | None = None  # an action's owner


def timers(case: Case) -> dict[str, Timer]:
    """Every timer that runs on ``case`` now, by key. No stage or window runs on hold or once ended (a
    hold, a pause and an ending move the deadlines to ``paused_deadlines``); an action plan's open
    actions run whatever the case's status."""
    running: dict[str, Timer] = {}
    if case.status is Status.RECEIVED and case.kind is Kind.COMPLAINT and case.hold is None:
        running[ACKNOWLEDGEMENT] = Timer(
            ACKNOWLEDGEMENT,
            TimerKind.ACKNOWLEDGEMENT,
            case.acknowledgement_due,
            case.acknowledgement_revision,
        )
    for key, deadline in case.deadlines.items():
        kind = TimerKind.WINDOW if key in WINDOWS else TimerKind.STAGE
        running[key] = Timer(key, kind, deadline.due, deadline.revision)
    for item in case.action_plan:
        if item.status == "open":
            key = f"{ACTION_PREFIX}{item.item_id}"
            running[key] = Timer(key, TimerKind.ACTION, item.due_on, item.revision, owner=item.owner)
    return running


def execution_name(case_id: str, timer: Timer) -> str:
    """The workflow execution's name: deterministic, so a repeated start is harmless (at most 80
    characters of letters, digits, ``-`` and ``_``)."""
    return f"{case_id}-{timer.key}-r{timer.revision}"


class AlarmKind(StrEnum):
    REMINDER = "reminder"
    OVERDUE = "overdue"
    ESCALATION = "escalation"
    WINDOW_CLOSES = "window-closes"


class Recipient(StrEnum):
    MANAGER = "manager"  # the allocated manager (else the service area's, else the team)
    TEAM = "team"  # the complaints team's mailbox
    HEAD_OF_SERVICE = "head-of-service"
    OWNER = "owner"  # an action's owner


@dataclass(frozen=True)
class Alarm:
    kind: AlarmKind
    at: datetime  # UTC
    day: date  # the London working day it is for
    number: int = 0  # a reminder's working days before the due date; an escalation's count


def alarm_instant(day: date, policy: CouncilPolicy) -> datetime:
    """The policy's hour in London on ``day``, in UTC."""
    return datetime.combine(day, time(policy.reminder_hour_london), tzinfo=LONDON).astimezone(UTC)


def alarm_slot(at: datetime, policy: CouncilPolicy) -> datetime:
    """The first slot at or after ``at``: the policy's hour in London on a working day, in UTC."""
    calendar = policy.calendar()
    day = london_date(at)
    while not calendar.is_working_day(day) or alarm_instant(day, policy) < at:
        day += timedelta(days=1)
    return alarm_instant(day, policy)


def _working_days_before(calendar: WorkingDayCalendar, due: date, days: int) -> date:
    day, left = due, days
    while left:
        day -= timedelta(days=1)
        if calendar.is_working_day(day):
            left -= 1
    return day


def schedule(timer: Timer, policy: CouncilPolicy) -> Iterator[Alarm]:
    """The timer's alarms in time order (the escalations never end: take what you need)."""
    calendar = policy.calendar()
    after_due = timer.due + timedelta(days=1)  # the first working day after the due date (not deemed)
    while not calendar.is_working_day(after_due):
        after_due += timedelta(days=1)
    if timer.kind is TimerKind.WINDOW:
        yield Alarm(AlarmKind.WINDOW_CLOSES, alarm_instant(after_due, policy), after_due)
        return
    for days in sorted(set(policy.reminder_working_days_before), reverse=True):
        day = _working_days_before(calendar, timer.due, days)
        yield Alarm(AlarmKind.REMINDER, alarm_instant(day, policy), day, days)
    yield Alarm(AlarmKind.OVERDUE, alarm_instant(after_due, policy), after_due)
    day, count = after_due, 0
    while True:
        day = calendar.add_working_days(day, policy.overdue_repeat_working_days)
        count += 1
        yield Alarm(AlarmKind.ESCALATION, alarm_instant(day, policy), day, count)


def next_alarm(timer: Timer, policy: CouncilPolicy, after: datetime) -> Alarm:
    """The first alarm strictly after ``after``."""
    return next(alarm for alarm in schedule(timer, policy) if alarm.at > after)


def due_alarms(timer: Timer, policy: CouncilPolicy, since: datetime, now: datetime) -> list[Alarm]:
    """The alarms due by ``now``: reminders only from ``since`` (when the timer started: a reminder
    due before a stage began, or before its date moved, is not sent late), and of several reminders or
    escalations due together only the last (a late wake sends the news, not the history; :func:`wake`
    sends no escalation with an overdue alert not yet sent)."""
    due: list[Alarm] = []
    for alarm in schedule(timer, policy):
        if alarm.at > now:
            break
        if alarm.kind is AlarmKind.REMINDER and alarm.at < since:
            continue
        due.append(alarm)
    latest = {alarm.kind: alarm for alarm in due}
    if AlarmKind.OVERDUE in latest:
        latest.pop(AlarmKind.REMINDER, None)
    return list(latest.values())


def first_wake(timer: Timer, policy: CouncilPolicy, now: datetime) -> datetime:
    """When a timer that starts at ``now`` first wakes: at its first alarm or, if alarms are due already
    (a stage accepted after its overdue day, a window already ended), at the next slot (now, only if now
    is one): never at the moment it starts otherwise."""
    if due_alarms(timer, policy, now, now):
        return alarm_slot(now, policy)
    return next_alarm(timer, policy, now).at


def recipients(timer: Timer, alarm: Alarm) -> tuple[Recipient, ...]:
    if timer.kind is TimerKind.ACTION:
        return (Recipient.OWNER,)
    if alarm.kind is AlarmKind.ESCALATION:
        return (Recipient.HEAD_OF_SERVICE,)
    if timer.kind is TimerKind.ACKNOWLEDGEMENT:
        return (Recipient.TEAM,)
    if alarm.kind is AlarmKind.OVERDUE:
        return (Recipient.MANAGER, Recipient.TEAM)
    return (Recipient.MANAGER,)


@dataclass(frozen=True)
class StaffAlert:
    """A deadline alert owed to a member of staff: :mod:`shared.workflow` addresses and records it.
    ``context`` holds the reference, the step, dates and day counts: no personal data."""

    notification_id: str  # of the first recipient's email; the others' add "-2", "-3", ...
    recipients: tuple[Recipient, ...]
    context: dict[str, Any]


@dataclass(frozen=True)
class WakeResult:
    decision: Decision | None  # what to record now (with ``alerts``), if anything
    alerts: tuple[StaffAlert, ...]
    next_at: datetime | None  # when to wake next; None: the timer is done


def wake(
    case: Case, key: str, revision: int, since: datetime, now: datetime, policy: CouncilPolicy
) -> WakeResult:
    """What the timer ``key`` at ``revision`` does at ``now``, decided from the case as it is: nothing if
    it no longer runs at that revision; the window's close; or the alerts due and not yet recorded."""
    timer = timers(case).get(key)
    if timer is None or timer.revision != revision:
        return WakeResult(None, (), None)
    if timer.kind is TimerKind.WINDOW:
        closes = next(iter(schedule(timer, policy)))
        if now < closes.at:
            return WakeResult(None, (), closes.at)
        closed = apply(case, WindowExpired(action="window-expired"), Actor.SYSTEM, SYSTEM, now, policy)
        return WakeResult(closed, (), None)
    today = london_date(now)
    calendar = policy.calendar()
    owed = []
    for alarm in due_alarms(timer, policy, since, now):
        # Escalations are named by their day, so a changed repeat in the policy cannot skip one.
        which = alarm.day.isoformat() if alarm.kind is AlarmKind.ESCALATION else alarm.number
        notification_id = f"{case.case_id}-{key}-{timer.due}-{alarm.kind}-{which}"
        if notification_id not in case.notifications:
            owed.append((alarm, notification_id))
    if any(alarm.kind is AlarmKind.OVERDUE for alarm, _ in owed):
        # The overdue alert goes late (the timer started after its day, or woke after downtime): it is
        # the news, alone; the escalations due with it are history, and the next goes on its own day.
        owed = [(alarm, nid) for alarm, nid in owed if alarm.kind is not AlarmKind.ESCALATION]
    alerts = []
    for alarm, notification_id in owed:
        late = calendar.working_days_between(timer.due, today) if today > timer.due else 0
        context = {
            "reference": case.reference,
            "council": policy.council_name,
            "step": timer.key,
            "alarm": alarm.kind.value,
            "due": timer.due.isoformat(),
            "working_days_left": calendar.working_days_between(today, timer.due) if today < timer.due else 0,
            "working_days_overdue": late,
            "escalation": alarm.number if alarm.kind is AlarmKind.ESCALATION else 0,
            "link": policy.case_url(case.reference),
        }
        alerts.append(StaffAlert(notification_id, recipients(timer, alarm), context))
    following = next_alarm(timer, policy, now).at
    if not alerts:
        return WakeResult(None, (), following)
    sent = RecordAlerts(
        action="deadline-alert",
        timer=key,
        due=timer.due,
        alerts=tuple(
            AlertSent(alarm=a.context["alarm"], escalation=a.context["escalation"], to=a.recipients)
            for a in alerts
        ),
    )
    recorded = apply(case, sent, Actor.SYSTEM, SYSTEM, now, policy)
    return WakeResult(recorded, tuple(alerts), following)


def recompute(case: Case, now: datetime, policy: CouncilPolicy) -> Decision | None:
    """Every deadline of ``case`` moved to the calendar as it is now (a bank holiday announced or
    moved): the same working days from the same start. None when nothing moves."""
    if not recomputed(case, policy).recorded["moved"]:
        return None
    command = RecomputeDeadlines(action="deadlines-recomputed")
    return apply(case, command, Actor.SYSTEM, SYSTEM, now, policy)
