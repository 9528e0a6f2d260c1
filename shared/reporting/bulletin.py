"""The scorecard bulletin (the reference report, section 5.4): after each month or quarter (the policy's
``bulletin_period``), the period's scorecard summary is emailed to the senior leadership list through the
reliable notification path. Counts, averages and service area names only: no personal data. Sent once a
period: the bulletin's record is written with its notifications in one conditional transaction, so a
repeated run (the schedule, a retry, the command) sends nothing more."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Protocol

from shared.domain.calendar import london_date
from shared.domain.case import Notification, financial_year
from shared.domain.clock import Clock
from shared.domain.notices import Purpose
from shared.domain.policy import CouncilPolicy
from shared.reporting.live import ALL_AREAS, Period, period_of, scorecard
from shared.reporting.source import ReportSource


class BulletinStore(Protocol):
    def bulletin_recorded(self, bulletin_id: str) -> bool:
        """Whether the bulletin was recorded already (one read)."""
        ...

    def record_bulletin(
        self, bulletin_id: str, notifications: tuple[Notification, ...], now: datetime
    ) -> bool:
        """Write the bulletin's record and its notifications once; False if it was already recorded."""
        ...


def last_period(today: date, period: Period) -> tuple[str, date]:
    """The label and the last day of the month or quarter that ended before ``today``."""
    first_of_month = today.replace(day=1)
    if period == "quarterly":
        while first_of_month.month not in (1, 4, 7, 10):
            first_of_month = (first_of_month - timedelta(days=1)).replace(day=1)
    ended = first_of_month - timedelta(days=1)
    return period_of(ended, period), ended


def bulletin_id(label: str) -> str:
    return "bulletin-" + label.replace("/", "-").replace(" ", "-").lower()


def bulletin_context(source: ReportSource, today: date, policy: CouncilPolicy) -> dict[str, Any]:
    """What the bulletin shows: the last period's scorecard by service area, and the open and overdue
    cases now."""
    period: Period = policy.bulletin_period
    label, ended = last_period(today, period)
    year = financial_year(ended)
    card = scorecard(
        source.received_in(year), source.active_in(year), source.open_cases(), year, period, today, policy
    )
    rows = [row.model_dump(mode="json") for row in card.rows if row.period == label]
    rows.sort(key=lambda row: (row["service_area"] != ALL_AREAS, row["service_area"]))
    names = {area.id: area.name for area in policy.service_areas} | {ALL_AREAS: "All services"}
    for row in rows:
        row["name"] = names.get(row["service_area"], row["service_area"])
    return {
        "reference": label,
        "council": policy.council_name,
        "as_at": today.isoformat(),
        "rows": rows,
        "open_now": [
            {**n.model_dump(mode="json"), "name": names.get(n.service_area, n.service_area)}
            for n in card.open_now
        ],
    }


@dataclass
class BulletinService:
    source: ReportSource
    store: BulletinStore
    clock: Clock
    policy: CouncilPolicy

    def send(self) -> str | None:
        """Record the last period's bulletin for each address of the senior leadership list, once: the
        period's label, or None when it was already sent or there is nobody to send it to."""
        recipients = self.policy.senior_leadership_list
        if not recipients:
            return None
        now = self.clock.now()
        today = london_date(now)
        record = bulletin_id(last_period(today, self.policy.bulletin_period)[0])
        if self.store.bulletin_recorded(record):  # the schedule runs often: most runs stop here
            return None
        context = bulletin_context(self.source, today, self.policy)
        notifications = tuple(
            Notification(
                notification_id=f"{record}-{index}",
                case_id=record,
                purpose=Purpose.BULLETIN,
                to=to,
                template="bulletin",
                child_friendly=False,
                context=context,
            )
            for index, to in enumerate(recipients, start=1)
        )
        return context["reference"] if self.store.record_bulletin(record, notifications, now) else None
