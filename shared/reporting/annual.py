"""The annual report on representations (docs/reporting.md defines each figure): one financial year's
figures computed from its cases, with the previous year beside them and the change where the report
compares years. Pure: cases come through a :class:`ReportSource`, the report date is passed in."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from pydantic import BaseModel, Field

from shared.domain.case import financial_year
from shared.domain.casefile import Case, OmbudsmanOutcome
from shared.domain.policy import CouncilPolicy
from shared.domain.stages import Status
from shared.domain.vocabulary import ComplainantRole, Kind, Outcome, Procedure
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


def _timeliness(cases: Iterable[Case], stage: str, year: int, policy: CouncilPolicy) -> StageTimeliness:
    calendar = policy.calendar()
    taken: list[int] = []
    by_quarter: dict[int, list[int]] = {q: [] for q in (1, 2, 3, 4)}
    within = extended = within_extended = 0
    for case in cases:
        dated = case.stage_dates.get(stage)
        if dated is None or not _in_year(dated.sent_on, year):
            continue
        assert dated.sent_on is not None
        days = calendar.working_days_between(dated.started_on, dated.sent_on)
        taken.append(days)
        by_quarter[quarter_of(dated.sent_on)].append(days)
        within += dated.sent_on <= dated.due_on
        if dated.extended_due_on is not None:
            extended += 1
            within_extended += dated.sent_on <= dated.extended_due_on
    return StageTimeliness(
        responses=len(taken),
        average_working_days=average(taken),
        within_timescale=within,
        within_timescale_percent=percent(within, len(taken)),
        extended=extended,
        within_extended_timescale=within_extended,
        within_extended_timescale_percent=percent(within_extended, extended),
        quarters=[
            QuarterTimeliness(quarter=q, responses=len(v), average_working_days=average(v))
            for q, v in by_quarter.items()
        ],
    )


_OUTCOMES = tuple(o.value for o in Outcome)


def _counts(keys: tuple[str, ...], values: Iterable[str]) -> dict[str, int]:
    counted = Counter(values)
    return {key: counted.get(key, 0) for key in keys} | {k: n for k, n in counted.items() if k not in keys}


def year_figures(
    received: list[Case],
    active: list[Case],
    year: int,
    report_date: date,
    policy: CouncilPolicy,
    context: ContextFigures | None,
) -> YearFigures:
    """One year's figures: ``received`` are the cases received in ``year``, ``active`` those with stage
    activity dated in it (docs/reporting.md)."""
    kinds = Counter(case.kind for case in received)
    complaints = [case for case in received if case.kind is Kind.COMPLAINT]
    compliments = [case for case in received if case.kind is Kind.COMPLIMENT]
    children = [case for case in complaints if _from_children(case)]
    started2 = [
        c for c in active if "stage2" in c.stage_dates and _in_year(c.stage_dates["stage2"].started_on, year)
    ]
    statuses2 = Counter(_stage2_status(case, report_date) for case in started2)
    panels = [
        c for c in active if "stage3" in c.stage_dates and _in_year(c.stage_dates["stage3"].started_on, year)
    ]
    decided = [e for c in active for e in c.ombudsman if _in_year(e.decided_on, year)]
    answered = [
        (stage, response, case)
        for case in active
        for stage, response in case.responses.items()
        if _in_year(response.sent_on, year)
    ]
    outcomes = {
        stage: _counts(
            _OUTCOMES, [f.outcome.value for s, _, c in answered if s == stage for f in c.findings.get(s, ())]
        )
        for stage in sorted({s for s, _, _ in answered})
    }
    remedies = sum(r.remedies_pence for _, r, _ in answered) + sum(e.remedy_pence for e in decided)
    actions = [(case, item) for case in active for item in case.action_plan if _in_year(item.added_on, year)]
    panel_findings = [f.outcome.value for case in panels for f in case.findings.get("stage3", ())]
    agreeing = sum(
        1
        for case in panels
        if case.findings.get("stage3")
        and [f.outcome for f in case.findings["stage3"]]
        == [f.outcome for f in case.findings.get("stage2", ())]
    )
    return YearFigures(
        year=year,
        label=year_label(year),
        received=Received(
            complaints=len(complaints), compliments=len(compliments), comments=kinds[Kind.COMMENT]
        ),
        complaints_by=ComplaintsBy(
            children_and_young_people=len(children),
            of_which_by_an_advocate=sum(
                c.complainant.role == ComplainantRole.ADVOCATE.value for c in children
            ),
            adults=len(complaints) - len(children),
        ),
        advocacy=Advocacy(
            offered=sum(c.advocacy.offered for c in complaints),
            used=sum(_advocate_used(c) for c in complaints),
            children_and_young_people_using_one=sum(_advocate_used(c) for c in children),
        ),
        channels=dict(Counter(case.channel.value for case in received).most_common()),
        procedure=_counts(tuple(p.value for p in Procedure), [c.the_procedure.value for c in complaints]),
        routing=Routing(
            declined=sum(c.status is Status.DECLINED for c in complaints),
            routed_elsewhere=sum(c.status is Status.ROUTED for c in complaints),
            withdrawn=sum(c.status is Status.WITHDRAWN for c in complaints),
        ),
        resolved_at_stage1=ResolvedAtStage1(
            count=(resolved := sum(_resolved_at_stage1(c) for c in complaints)),
            percent=percent(resolved, len(complaints)),
        ),
        stage2=Stage2Activity(
            started=len(started2),
            external_investigators=sum(
                1
                for c in started2
                if c.stage2.investigator is not None and c.stage2.investigator.person.external
            ),
            resolved=statuses2["resolved"],
            ongoing=statuses2["ongoing"],
            stage3_requested_or_likely=statuses2["stage3"],
        ),
        stage3=Stage3Activity(
            panels=len(panels),
            findings=_counts(_OUTCOMES, panel_findings),
            panels_agreeing_with_stage2=agreeing,
        ),
        ombudsman=OmbudsmanActivity(
            decisions=len(decided), upheld=sum(e.decision is OmbudsmanOutcome.UPHELD for e in decided)
        ),
        stage1_timeliness=_timeliness(active, "stage1", year, policy),
        stage2_timeliness=_timeliness(active, "stage2", year, policy),
        compliment_categories=_counts(
            policy.compliment_categories, [cat for c in compliments for cat in c.categories]
        ),
        complaint_categories=_counts(
            policy.complaint_categories, [cat for c in complaints for cat in c.categories]
        ),
        outcomes=outcomes,
        resolutions=dict(Counter(res for _, r, _ in answered for res in r.resolutions).most_common()),
        remedies_pence=remedies,
        action_plans=ActionPlans(
            complaints_with_plans=len({case.case_id for case, _ in actions}),
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
                for _, item in sorted(actions, key=lambda pair: pair[1].added_on)
            ],
        ),
        context=context or ContextFigures(),
    )


def _change_of(now: int | None, before: int | None) -> int | None:
    return change(now, before) if now is not None and before is not None else None


def annual_report(source: ReportSource, year: int, report_date: date, policy: CouncilPolicy) -> AnnualReport:
    """The annual report for financial ``year`` as at ``report_date``, with the previous year beside it."""
    figures = {}
    for which in (year, year - 1):
        received = list(source.received_in(which))
        active = list(source.active_in(which))
        figures[which] = year_figures(
            received, active, which, report_date, policy, source.context_figures(which)
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
