"""The live views managers use (docs/reporting.md, "Live views"): the scorecard by month or quarter and
service area, the RAG report of open cases, and the open actions of action plans. Pure functions of the
cases, today's date and the policy; no personal data in what they return (references, dates, codes)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from pydantic import BaseModel

from shared.domain.case import financial_year
from shared.domain.casefile import Case
from shared.domain.policy import CouncilPolicy
from shared.domain.stages import TERMINAL, Status
from shared.domain.vocabulary import Kind
from shared.reporting.annual import WorkingDayCount, average, year_label
from shared.reporting.source import quarter_of

Rag = Literal["red", "amber", "green"]
Period = Literal["monthly", "quarterly"]
ALL_AREAS = "all"
UNKNOWN_AREA = "unknown"
STAGES = ("stage1", "stage2")


def next_due(case: Case) -> date | None:
    """The soonest due date of what runs on the case (its acknowledgement while not yet triaged)."""
    running = [deadline.due for deadline in case.deadlines.values()]
    if running:
        return min(running)
    if case.status is Status.RECEIVED:
        return case.stage1_due or case.acknowledgement_due
    return None


def rag_of(due: date | None, today: date, policy: CouncilPolicy) -> Rag:
    """Red when overdue, amber when due within the policy's working days, green otherwise (or nothing due)."""
    if due is None:
        return "green"
    if due < today:
        return "red"
    if policy.calendar().working_days_between(today, due) <= policy.rag_amber_working_days:
        return "amber"
    return "green"


class RagCase(BaseModel):
    reference: str
    kind: Kind
    status: Status
    due: date | None
    rag: Rag


class RagArea(BaseModel):
    service_area: str
    name: str
    red: int
    amber: int
    green: int
    cases: list[RagCase]


def rag_report(
    cases: Iterable[Case], today: date, policy: CouncilPolicy, areas: frozenset[str] | None = None
) -> list[RagArea]:
    """Open cases per service area (only ``areas``, when given), the most urgent first."""
    by_area: dict[str, list[RagCase]] = defaultdict(list)
    for case in cases:
        area = case.service_area or UNKNOWN_AREA
        if case.status in TERMINAL or (areas is not None and area not in areas):
            continue
        due = next_due(case)
        by_area[area].append(
            RagCase(
                reference=case.reference,
                kind=case.kind,
                status=case.status,
                due=due,
                rag=rag_of(due, today, policy),
            )
        )
    order = {"red": 0, "amber": 1, "green": 2}
    report = []
    for area, listed in sorted(by_area.items()):
        listed.sort(key=lambda c: (order[c.rag], c.due or date.max, c.reference))
        known = policy.service_area(area)
        report.append(
            RagArea(
                service_area=area,
                name=known.name if known else area,
                red=sum(c.rag == "red" for c in listed),
                amber=sum(c.rag == "amber" for c in listed),
                green=sum(c.rag == "green" for c in listed),
                cases=listed,
            )
        )
    return report


class ScorecardRow(BaseModel):
    period: str
    service_area: str
    received: int
    answered: dict[str, int]
    answered_on_time: dict[str, int]
    average_working_days: dict[str, float | None]


class OpenNow(BaseModel):
    service_area: str
    open: int
    overdue: int


class Scorecard(BaseModel):
    year: int
    label: str
    period: Period
    as_at: date
    rows: list[ScorecardRow]
    open_now: list[OpenNow]


@dataclass
class _Cell:
    received: int = 0
    days: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    on_time: dict[str, int] = field(default_factory=lambda: defaultdict(int))


def period_of(day: date, period: Period) -> str:
    """``2015-04`` for a month, ``2015/16 Q1`` for a quarter."""
    if period == "monthly":
        return f"{day:%Y-%m}"
    return f"{year_label(financial_year(day))} Q{quarter_of(day)}"


def scorecard(
    received: Iterable[Case],
    active: Iterable[Case],
    open_cases: Iterable[Case],
    year: int,
    period: Period,
    today: date,
    policy: CouncilPolicy,
    areas: frozenset[str] | None = None,
) -> Scorecard:
    """Complaints received, stages answered (and on time, by the standard due date) and their average
    working days, by month or quarter of financial ``year`` and service area (with ``all``); the open and
    overdue cases of each area as at ``today``."""
    days_between = WorkingDayCount(policy).between
    counted: dict[tuple[str, str], _Cell] = defaultdict(_Cell)

    def areas_of(case: Case) -> tuple[str, ...]:
        return (ALL_AREAS, case.service_area or UNKNOWN_AREA)

    def shown(case: Case) -> bool:
        return areas is None or (case.service_area or UNKNOWN_AREA) in areas

    for case in received:
        if case.kind is Kind.COMPLAINT and financial_year(case.received_date) == year and shown(case):
            for area in areas_of(case):
                counted[period_of(case.received_date, period), area].received += 1
    for case in active:
        if not shown(case):
            continue
        for stage in STAGES:
            dated = case.stage_dates.get(stage)
            if dated is None or dated.sent_on is None or financial_year(dated.sent_on) != year:
                continue
            days = days_between(dated.started_on, dated.sent_on)
            for area in areas_of(case):
                found = counted[period_of(dated.sent_on, period), area]
                found.days[stage].append(days)
                found.on_time[stage] += dated.sent_on <= dated.due_on
    rows = [
        ScorecardRow(
            period=when,
            service_area=area,
            received=found.received,
            answered={s: len(found.days[s]) for s in STAGES},
            answered_on_time={s: found.on_time[s] for s in STAGES},
            average_working_days={s: average(found.days[s]) for s in STAGES},
        )
        for (when, area), found in sorted(counted.items())
    ]
    open_now: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for case in open_cases:
        if case.status in TERMINAL or not shown(case):
            continue
        due = next_due(case)
        for area in areas_of(case):
            open_now[area][0] += 1
            open_now[area][1] += due is not None and due < today
    return Scorecard(
        year=year,
        label=year_label(year),
        period=period,
        as_at=today,
        rows=rows,
        open_now=[OpenNow(service_area=a, open=n[0], overdue=n[1]) for a, n in sorted(open_now.items())],
    )


class OpenAction(BaseModel):
    reference: str
    service_area: str
    item_id: str
    description: str
    owner: str
    due_on: date
    overdue: bool
    rag: Rag


def open_actions(cases: Iterable[Case], today: date, areas: frozenset[str] | None = None) -> list[OpenAction]:
    """The open actions of action plans, the soonest due first; overdue ones are red."""
    found = [
        OpenAction(
            reference=case.reference,
            service_area=case.service_area or UNKNOWN_AREA,
            item_id=item.item_id,
            description=item.description,
            owner=item.owner,
            due_on=item.due_on,
            overdue=item.due_on < today,
            rag="red" if item.due_on < today else "green",
        )
        for case in cases
        if areas is None or (case.service_area or UNKNOWN_AREA) in areas
        for item in case.action_plan
        if item.status == "open"
    ]
    return sorted(found, key=lambda a: (a.due_on, a.reference, a.item_id))
