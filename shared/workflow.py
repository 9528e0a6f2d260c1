"""The stage workflow's application service: keeps one workflow execution per running timer, and does
what a timer's wake decides (:mod:`shared.domain.timers`) through the reliable notification path.

- :meth:`TimerService.reconcile` runs from the case table's stream: for each change of a case it stops
  the executions of timers that stopped or moved and starts the new ones. Names are deterministic
  (case, timer, revision), so a redelivered record starts nothing twice.
- :meth:`TimerService.wake` is the workflow's task: it re-reads the case, records the alerts due (case,
  event and notifications in one transaction, retried on a concurrent change) and says when to wake
  next, or that the timer is done.
- :meth:`TimerService.recompute` moves every open deadline to the calendar as it is now.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from shared.app.casework import Casework
from shared.domain.case import Notification
from shared.domain.casefile import Case, Decision
from shared.domain.clock import Clock
from shared.domain.notices import Purpose
from shared.domain.policy import CouncilPolicy
from shared.domain.timers import (
    ACTION_PREFIX,
    Recipient,
    StaffAlert,
    Timer,
    execution_name,
    first_wake,
    recompute,
    timers,
    wake,
)
from shared.ports import CaseQuery, StaffDirectory, Workflow

TIMESTAMP_FORMAT = "%Y-%m-%dT%H:%M:%SZ"  # what a Wait state's TimestampPath accepts
#: A Standard execution lasts at most a year: one whose next wake would fall later than this after it
#: started hands over to a continuation (an unanswered stage escalates for as long as it takes).
HAND_OVER_AFTER = timedelta(days=300)
ALERT_TEMPLATE = "deadline_alert"


class CaseLister(Protocol):
    def list_cases(
        self, query: CaseQuery, limit: int = 50, cursor: str | None = None
    ) -> tuple[list[dict[str, Any]], str | None]: ...


def timestamp(instant: datetime) -> str:
    """An instant in the ``...Z`` form Step Functions' Wait states take (whole seconds, UTC)."""
    return instant.astimezone(UTC).strftime(TIMESTAMP_FORMAT)


def parse_timestamp(text: str) -> datetime:
    return datetime.strptime(text, TIMESTAMP_FORMAT).replace(tzinfo=UTC)


class TimerService:
    def __init__(
        self,
        store: CaseLister,
        casework: Casework,
        workflow: Workflow,
        directory: StaffDirectory,
        clock: Clock,
        policy: CouncilPolicy,
    ) -> None:
        self._store = store
        self._casework = casework
        self._workflow = workflow
        self._directory = directory
        self._clock = clock
        self._policy = policy

    # --- from the stream -----------------------------------------------------------------------------

    def reconcile(self, before: Case | None, after: Case | None) -> tuple[int, int]:
        """Stop the executions of timers ``before`` has and ``after`` has not (at the same revision),
        and start those ``after`` has that ``before`` had not. Returns (stopped, started)."""
        old = {execution_name(c.case_id, t): t for c in (before,) if c for t in timers(c).values()}
        new = {execution_name(c.case_id, t): t for c in (after,) if c for t in timers(c).values()}
        for name in old.keys() - new.keys():
            self._workflow.stop(name)
        now = self._clock.now()
        for name in new.keys() - old.keys():
            assert after is not None
            self._workflow.start(name, self.first_payload(after, new[name], now))
        return len(old.keys() - new.keys()), len(new.keys() - old.keys())

    def first_payload(self, case: Case, timer: Timer, now: datetime) -> dict[str, Any]:
        """The execution's input: which timer, since when, and its first wake: its first alarm or, if
        alarms are due already (a stage accepted after its overdue day), the next 09:00 London on a
        working day (:func:`shared.domain.timers.first_wake`)."""
        first = first_wake(timer, self._policy, now)
        return {
            "case_id": case.case_id,
            "timer": timer.key,
            "procedure": case.the_procedure.value,
            "revision": timer.revision,
            "since": timestamp(now),
            "wake_at": timestamp(first),
        }

    # --- the workflow's task -------------------------------------------------------------------------

    def wake(self, payload: dict[str, Any]) -> dict[str, Any]:
        """Do what the timer does now, and return the execution's next state: ``wake_at`` None ends it."""
        payload = {k: v for k, v in payload.items() if k != "last_error"}  # a caught failure, now past
        case_id, key, revision = str(payload["case_id"]), str(payload["timer"]), int(payload["revision"])
        since = parse_timestamp(str(payload["since"]))
        started = parse_timestamp(str(payload.get("started") or payload["since"]))
        following: datetime | None = None

        def alerts_due(case: Case) -> tuple[Decision, tuple[Notification, ...]] | None:
            nonlocal following
            result = wake(case, key, revision, since, self._clock.now(), self._policy)
            following = result.next_at
            if result.decision is None:
                return None
            return result.decision, self._addressed(result.decision.case, result.alerts)

        self._casework.record(case_id, alerts_due)
        if following is not None and following - started > HAND_OVER_AFTER:
            handed = int(payload.get("continuation", 0)) + 1
            self._workflow.start(
                f"{case_id}-{key}-r{revision}-c{handed}",
                {
                    **payload,
                    "started": timestamp(self._clock.now()),
                    "wake_at": timestamp(following),
                    "continuation": handed,
                },
            )
            return {**payload, "wake_at": None}
        return {**payload, "wake_at": timestamp(following) if following else None}

    def _addressed(self, case: Case, alerts: tuple[StaffAlert, ...]) -> tuple[Notification, ...]:
        """Each alert to its recipients' mailboxes, once per address (a manager without an address of their
        own falls back to the service area's, then the team's). The alert's id marks all of them: they are
        recorded in one transaction."""
        area = self._policy.service_area(case.service_area) if case.service_area else None
        team = self._policy.team_mailbox
        manager = (
            (self._directory.email_of(case.allocated_manager) if case.allocated_manager else None)
            or (area.manager_email if area else None)
            or team
        )
        out: list[Notification] = []
        for alert in alerts:
            addresses: list[str] = []
            for recipient in alert.recipients:
                match recipient:
                    case Recipient.MANAGER:
                        to = manager
                    case Recipient.TEAM:
                        to = team
                    case Recipient.HEAD_OF_SERVICE:
                        to = (area.head_of_service_email if area else None) or team
                    case Recipient.OWNER:
                        step = alert.context["step"]
                        owner = next(
                            (i.owner for i in case.action_plan if f"{ACTION_PREFIX}{i.item_id}" == step), None
                        )
                        to = (self._directory.email_of(owner) if owner else None) or team
                if to not in addresses:
                    addresses.append(to)
            for number, to in enumerate(addresses, start=1):
                out.append(
                    Notification(
                        notification_id=alert.notification_id + (f"-{number}" if number > 1 else ""),
                        case_id=case.case_id,
                        purpose=Purpose.DEADLINE_ALERT,
                        to=to,
                        template=ALERT_TEMPLATE,
                        child_friendly=False,
                        context=alert.context,
                    )
                )
        return tuple(out)

    # --- a changed calendar --------------------------------------------------------------------------

    def open_cases(self) -> Iterator[str]:
        cursor: str | None = None
        while True:
            page, cursor = self._store.list_cases(CaseQuery(open_only=True), limit=100, cursor=cursor)
            for summary in page:
                yield str(summary["case_id"])
            if cursor is None:
                return

    def recompute(self) -> dict[str, int]:
        """Move every open case's deadlines to the calendar as it is now (the policy's bank holidays);
        the stream then stops the moved timers' executions and starts new ones."""
        checked = moved = 0
        for case_id in self.open_cases():
            checked += 1
            saved = self._casework.record(case_id, self._recomputed)
            moved += saved is not None
        return {"checked": checked, "moved": moved}

    def _recomputed(self, case: Case) -> tuple[Decision, tuple[Notification, ...]] | None:
        decision = recompute(case, self._clock.now(), self._policy)
        return (decision, ()) if decision else None
