"""The annual report on representations (docs/reporting.md defines each figure): one financial year's
figures computed from its cases, with the previous year beside them and the change where the report
compares years. Pure: cases come through a :class:`ReportSource`, the report date is passed in."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from pydantic import BaseModel, Field

from shared.domain.case import financial_year
from shared.domain.casefile import ActionItem, Case, OmbudsmanOutcome
from shared.domain.policy import CouncilPolicy
from shared.domain.stages import Status
from shared.domain.vocabulary import Channel, ComplainantRole, Kind, Outcome, Procedure
from shared.reporting.source import ContextFigures, ReportSource, quarter_of


def percent(part: int, whole: int) -> int | None:
    """``part`` of ``whole`` as a whole percentage, halves rounded up; None when there is no whole."""
    if whole == 0:
        return None
    return int((Decimal(part) * 100 / Decimal(whole)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def change(now: int, before: int) -> int | None:
    """The change from ``before`` to ``now`` as a whole percentage (133 against 102 is 30)."""
    return percent(now - before, before)


def average(values: list[int]) -> float | None:
    """The mean to one decimal place, halves rounded up; None when there are no values."""
    if not values:
        return None
    mean = Decimal(sum(values)) / Decimal(len(values))
    return float(mean.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


class Received(BaseModel):
    complaints: int
    compliments: int
    comments: int


class ComplaintsBy(BaseModel):
    children_and_young_people: int = Field(description="Made by a child or young person, or by an advocate")
    of_which_by_an_advocate: int
    adults: int


class Advocacy(BaseModel):
    offered: int
    used: int
    children_and_young_people_using_one: int


class Routing(BaseModel):
    declined: int
    routed_elsewhere: int
    withdrawn: int


class ResolvedAtStage1(BaseModel):
    count: int
    percent: int | None


class Stage2Activity(BaseModel):
    started: int
    external_investigators: int
    resolved: int
    ongoing: int
    stage3_requested_or_likely: int


class Stage3Activity(BaseModel):
    panels: int
    findings: dict[str, int] = Field(description="Panel findings per complaint point, by outcome")
    panels_agreeing_with_stage2: int


class OmbudsmanActivity(BaseModel):
    decisions: int
    upheld: int


class QuarterTimeliness(BaseModel):
    quarter: int
    responses: int
    average_working_days: float | None


class StageTimeliness(BaseModel):
    responses: int
    average_working_days: float | None
    within_timescale: int
    within_timescale_percent: int | None
    extended: int
    within_extended_timescale: int
    within_extended_timescale_percent: int | None
    quarters: list[QuarterTimeliness]


class ActionItemView(BaseModel):
    description: str
    due_on: date
    status: str
    done_on: date | None
    overdue: bool


class ActionPlans(BaseModel):
    complaints_with_plans: int
    actions: int
    open: int
    done: int
    overdue: int
    items: list[ActionItemView]


class YearFigures(BaseModel):
    year: int
    label: str
    received: Received
    complaints_by: ComplaintsBy
    advocacy: Advocacy
    channels: dict[str, int]
    procedure: dict[str, int]
    routing: Routing
    resolved_at_stage1: ResolvedAtStage1
    stage2: Stage2Activity
    stage3: Stage3Activity
    ombudsman: OmbudsmanActivity
    stage1_timeliness: StageTimeliness
    stage2_timeliness: StageTimeliness
    compliment_categories: dict[str, int]
    complaint_categories: dict[str, int]
    outcomes: dict[str, dict[str, int]] = Field(
        description="Findings per complaint point, by stage and outcome"
    )
    resolutions: dict[str, int]
    remedies_pence: int
    action_plans: ActionPlans
    context: ContextFigures


class Changes(BaseModel):
    """Year-on-year changes as whole percentages (None when the previous year had none)."""

    complaints: int | None
    compliments: int | None
    comments: int | None
    children_and_young_people: int | None
    referrals: int | None
    children_receiving_services: int | None
    stage1_average_working_days: float | None = Field(description="Working days, this year less last")


class AnnualReport(BaseModel):
    council: str
    year: int
    label: str
    period_start: date
    period_end: date
    report_date: date
    current: YearFigures
    previous: YearFigures
    changes: Changes


class WorkingDayCount:
    """Working days between two dates in constant time, by Heard's calendar for ``policy``: the count of
    working days after the (deemed) start up to and including the end, as
    :meth:`~shared.domain.calendar.WorkingDayCalendar.working_days_between` counts them, from each
    year's running totals (computed once a year, on first use)."""

    def __init__(self, policy: CouncilPolicy) -> None:
        self.calendar = policy.calendar()
        self._running: dict[int, list[int]] = {}  # per year: working days from 1 January to each day

    def _upto(self, day: date) -> int:
        year = self._running.get(day.year)
        if year is None:
            year, total, first = [], 0, date(day.year, 1, 1)
            for offset in range((date(day.year + 1, 1, 1) - first).days):
                total += self.calendar.is_working_day(first + timedelta(days=offset))
                year.append(total)
            self._running[day.year] = year
        return year[day.timetuple().tm_yday - 1]

    def _year_total(self, year: int) -> int:
        return self._upto(date(year, 12, 31))

    def between(self, start: date, end: date) -> int:
        start = self.calendar.deemed_receipt(start)
        if end <= start:
            return 0
        if start.year == end.year:
            return self._upto(end) - self._upto(start)
        whole_years = sum(self._year_total(y) for y in range(start.year + 1, end.year))
        return self._year_total(start.year) - self._upto(start) + whole_years + self._upto(end)


def year_label(year: int) -> str:
    return f"{year}/{(year + 1) % 100:02d}"


def _in_year(day: date | None, year: int) -> bool:
    return day is not None and financial_year(day) == year


def _from_children(case: Case) -> bool:
    """Made by a child or young person themselves, or by an advocate on a child's behalf."""
    return case.by_a_child or case.complainant.role == ComplainantRole.ADVOCATE.value


def _advocate_used(case: Case) -> bool:
    return case.advocacy.accepted is True or case.advocacy.wish == "has-one"


def _resolved_at_stage1(case: Case) -> bool:
    """Answered at stage 1 and not gone on to stage 2, as at the report date."""
    dates = case.stage_dates
    return "stage1" in case.responses and "stage2" not in dates


def _stage2_status(case: Case, report_date: date) -> str:
    """resolved, ongoing, or stage3 (a stage 3 request made, or its window open at the report date)."""
    if "stage3" in case.stage_dates:
        return "stage3"
    if "stage2" not in case.responses:
        return "ongoing"
    window = case.deadlines.get("stage3-request")
    if case.status is Status.STAGE2_RESPONDED and window is not None and report_date <= window.due:
        return "stage3"
    return "resolved"


class _Timeliness:
    """One stage's responses sent in the year, counted as they are read."""

    def __init__(self, stage: str, year: int, days: WorkingDayCount) -> None:
        self.stage, self.year, self.days = stage, year, days
        self.taken: list[int] = []
        self.by_quarter: dict[int, list[int]] = {q: [] for q in (1, 2, 3, 4)}
        self.within = self.extended = self.within_extended = 0

    def add(self, case: Case) -> None:
        dated = case.stage_dates.get(self.stage)
        if dated is None or dated.sent_on is None or not _in_year(dated.sent_on, self.year):
            return
        taken = self.days.between(dated.started_on, dated.sent_on)
        self.taken.append(taken)
        self.by_quarter[quarter_of(dated.sent_on)].append(taken)
        self.within += dated.sent_on <= dated.due_on
        if dated.extended_due_on is not None:
            self.extended += 1
            self.within_extended += dated.sent_on <= dated.extended_due_on

    def figures(self) -> StageTimeliness:
        return StageTimeliness(
            responses=len(self.taken),
            average_working_days=average(self.taken),
            within_timescale=self.within,
            within_timescale_percent=percent(self.within, len(self.taken)),
            extended=self.extended,
            within_extended_timescale=self.within_extended,
            within_extended_timescale_percent=percent(self.within_extended, self.extended),
            quarters=[
                QuarterTimeliness(quarter=q, responses=len(v), average_working_days=average(v))
                for q, v in self.by_quarter.items()
            ],
        )


_OUTCOMES = tuple(o.value for o in Outcome)


def _counts(keys: tuple[str, ...], counted: Counter[str]) -> dict[str, int]:
    return {key: counted.get(key, 0) for key in keys} | {k: n for k, n in counted.items() if k not in keys}


def year_figures(
    received: Iterable[Case],
    active: Iterable[Case],
    year: int,
    report_date: date,
    policy: CouncilPolicy,
    context: ContextFigures | None,
    days: WorkingDayCount | None = None,
) -> YearFigures:
    """One year's figures: ``received`` are the cases received in ``year``, ``active`` those with stage
    activity dated in it (docs/reporting.md). Each is read once, case by case, and no case is kept."""
    kinds: Counter[Kind] = Counter()
    channels: Counter[Channel] = Counter()
    procedures: Counter[Procedure] = Counter()
    statuses: Counter[Status] = Counter()
    compliment_categories: Counter[str] = Counter()
    complaint_categories: Counter[str] = Counter()
    children = by_advocate = offered = used = children_using = resolved = 0
    for case in received:
        kinds[case.kind] += 1
        channels[case.channel] += 1
        if case.kind is Kind.COMPLIMENT and case.categories:
            compliment_categories.update(case.categories)
        if case.kind is not Kind.COMPLAINT:
            continue
        if case.categories:
            complaint_categories.update(case.categories)
        procedures[case.the_procedure] += 1
        statuses[case.status] += 1
        from_child, advocate = _from_children(case), _advocate_used(case)
        children += from_child
        by_advocate += from_child and case.complainant.role == ComplainantRole.ADVOCATE.value
        offered += case.advocacy.offered
        used += advocate
        children_using += from_child and advocate
        resolved += _resolved_at_stage1(case)
    days = days or WorkingDayCount(policy)
    stage1, stage2 = _Timeliness("stage1", year, days), _Timeliness("stage2", year, days)
    started2 = external = panels = agreeing = decisions = upheld = remedies = 0
    statuses2: Counter[str] = Counter()
    panel_findings: Counter[str] = Counter()
    outcomes: dict[str, Counter[str]] = {}
    resolutions: Counter[str] = Counter()
    actions: list[tuple[str, ActionItem]] = []
    for case in active:
        stage1.add(case)
        stage2.add(case)
        dates = case.stage_dates
        if "stage2" in dates and _in_year(dates["stage2"].started_on, year):
            started2 += 1
            external += case.stage2.investigator is not None and case.stage2.investigator.person.external
            statuses2[_stage2_status(case, report_date)] += 1
        if "stage3" in dates and _in_year(dates["stage3"].started_on, year):
            panels += 1
            found = [f.outcome for f in case.findings.get("stage3", ())]
            panel_findings.update(o.value for o in found)
            agreeing += bool(found) and found == [f.outcome for f in case.findings.get("stage2", ())]
        for enquiry in case.ombudsman:
            if _in_year(enquiry.decided_on, year):
                decisions += 1
                upheld += enquiry.decision is OmbudsmanOutcome.UPHELD
                remedies += enquiry.remedy_pence
        for stage, response in case.responses.items():
            if _in_year(response.sent_on, year):
                outcomes.setdefault(stage, Counter()).update(
                    f.outcome.value for f in case.findings.get(stage, ())
                )
                resolutions.update(response.resolutions)
                remedies += response.remedies_pence
        actions += [(case.case_id, item) for item in case.action_plan if _in_year(item.added_on, year)]
    complaints = kinds[Kind.COMPLAINT]
    actions.sort(key=lambda pair: pair[1].added_on)
    return YearFigures(
        year=year,
        label=year_label(year),
        received=Received(
            complaints=complaints, compliments=kinds[Kind.COMPLIMENT], comments=kinds[Kind.COMMENT]
        ),
        complaints_by=ComplaintsBy(
            children_and_young_people=children,
            of_which_by_an_advocate=by_advocate,
            adults=complaints - children,
        ),
        advocacy=Advocacy(offered=offered, used=used, children_and_young_people_using_one=children_using),
        channels={channel.value: n for channel, n in channels.most_common()},
        procedure={p.value: procedures[p] for p in Procedure},
        routing=Routing(
            declined=statuses[Status.DECLINED],
            routed_elsewhere=statuses[Status.ROUTED],
            withdrawn=statuses[Status.WITHDRAWN],
        ),
        resolved_at_stage1=ResolvedAtStage1(count=resolved, percent=percent(resolved, complaints)),
        stage2=Stage2Activity(
            started=started2,
            external_investigators=external,
            resolved=statuses2["resolved"],
            ongoing=statuses2["ongoing"],
            stage3_requested_or_likely=statuses2["stage3"],
        ),
        stage3=Stage3Activity(
            panels=panels, findings=_counts(_OUTCOMES, panel_findings), panels_agreeing_with_stage2=agreeing
        ),
        ombudsman=OmbudsmanActivity(decisions=decisions, upheld=upheld),
        stage1_timeliness=stage1.figures(),
        stage2_timeliness=stage2.figures(),
        compliment_categories=_counts(policy.compliment_categories, compliment_categories),
        complaint_categories=_counts(policy.complaint_categories, complaint_categories),
        outcomes={stage: _counts(_OUTCOMES, counted) for stage, counted in sorted(outcomes.items())},
        resolutions=dict(resolutions.most_common()),
        remedies_pence=remedies,
        action_plans=ActionPlans(
            complaints_with_plans=len({case_id for case_id, _ in actions}),
            actions=len(actions),
            open=sum(item.status == "open" for _, item in actions),
            done=sum(item.status == "done" for _, item in actions),
            overdue=sum(item.status == "open" and item.due_on < report_date for _, item in actions),
            items=[
                ActionItemView(
                    description=item.description,
                    due_on=item.due_on,
                    status=item.status,
                    done_on=item.done_on,
                    overdue=item.status == "open" and item.due_on < report_date,
                )
                for _, item in actions
            ],
        ),
        context=context or ContextFigures(),
    )


def _change_of(now: int | None, before: int | None) -> int | None:
    return change(now, before) if now is not None and before is not None else None


def annual_report(source: ReportSource, year: int, report_date: date, policy: CouncilPolicy) -> AnnualReport:
    """The annual report for financial ``year`` as at ``report_date``, with the previous year beside it."""
    figures = {}
    days = WorkingDayCount(policy)
    for which in (year, year - 1):
        figures[which] = year_figures(
            source.received_in(which),
            source.active_in(which),
            which,
            report_date,
            policy,
            source.context_figures(which),
            days,
        )
    now, before = figures[year], figures[year - 1]
    stage1_now, stage1_before = (
        now.stage1_timeliness.average_working_days,
        before.stage1_timeliness.average_working_days,
    )
    return AnnualReport(
        council=policy.council_name,
        year=year,
        label=year_label(year),
        period_start=date(year, 4, 1),
        period_end=date(year + 1, 3, 31),
        report_date=report_date,
        current=now,
        previous=before,
        changes=Changes(
            complaints=change(now.received.complaints, before.received.complaints),
            compliments=change(now.received.compliments, before.received.compliments),
            comments=change(now.received.comments, before.received.comments),
            children_and_young_people=change(
                now.complaints_by.children_and_young_people, before.complaints_by.children_and_young_people
            ),
            referrals=_change_of(now.context.referrals, before.context.referrals),
            children_receiving_services=_change_of(
                now.context.children_receiving_services, before.context.children_receiving_services
            ),
            stage1_average_working_days=(
                round(stage1_now - stage1_before, 1)
                if stage1_now is not None and stage1_before is not None
                else None
            ),
        ),
    )
