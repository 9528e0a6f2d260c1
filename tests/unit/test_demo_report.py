"""The demo years reproduce the reference council's annual report for 2015/16 (../shared/reference/, as
issue 10 lists its figures), with the previous year's column. Every expectation is typed from the issue
or the reference report; the year's stage 1 average is computed here from the quarters' figures."""

from __future__ import annotations

from datetime import date

import pytest

from shared.domain.policy import CouncilPolicy
from shared.reporting.annual import AnnualReport, annual_report
from shared.reporting.demo import build_demo
from shared.reporting.memory import InMemoryCases


@pytest.fixture(scope="module")
def report() -> AnnualReport:
    store = InMemoryCases()
    builder = build_demo(store)
    return annual_report(store, 2015, builder.report_date, CouncilPolicy())


def test_the_year_is_2015_16(report: AnnualReport) -> None:
    assert (report.label, report.period_start, report.period_end) == (
        "2015/16",
        date(2015, 4, 1),
        date(2016, 3, 31),
    )
    assert report.previous.label == "2014/15"


def test_complaints_and_compliments_received_with_the_change_computed(report: AnnualReport) -> None:
    assert report.current.received.complaints == 133
    assert report.current.received.compliments == 68
    assert report.previous.received.complaints == 102
    assert report.previous.received.compliments == 66
    # 133 against 102 is a 30% rise (the reference report's 23% is wrong); 68 against 66 is 3%.
    assert report.changes.complaints == 30
    assert report.changes.compliments == 3


def test_complaints_from_children_and_young_people_all_with_an_advocate(report: AnnualReport) -> None:
    assert report.current.complaints_by.children_and_young_people == 17
    assert report.current.complaints_by.adults == 133 - 17
    assert report.current.advocacy.children_and_young_people_using_one == 17
    assert report.previous.complaints_by.children_and_young_people == 11


def test_resolved_at_stage_1(report: AnnualReport) -> None:
    assert report.current.resolved_at_stage1.percent == 89
    assert report.previous.resolved_at_stage1.percent == 89  # "the same percentage as the previous year"


def test_stage_2_investigations_and_their_status(report: AnnualReport) -> None:
    stage2 = report.current.stage2
    assert stage2.started == 7
    assert stage2.external_investigators == 7
    assert (stage2.resolved, stage2.ongoing, stage2.stage3_requested_or_likely) == (4, 2, 1)
    assert report.previous.stage2.started == 13


def test_review_panels_upholding_the_stage_2_findings_on_earlier_complaints(report: AnnualReport) -> None:
    assert report.current.stage3.panels == 3
    assert report.current.stage3.panels_agreeing_with_stage2 == 3


def test_ombudsman_decisions(report: AnnualReport) -> None:
    assert (report.current.ombudsman.decisions, report.current.ombudsman.upheld) == (2, 2)
    assert (report.previous.ombudsman.decisions, report.previous.ombudsman.upheld) == (1, 1)


def test_categories(report: AnnualReport) -> None:
    assert report.current.compliment_categories == {
        "Standards of service": 18,
        "Standard of practice (social worker)": 38,
        "Good partnership working": 5,
        "Good communication": 2,
        "Good child focus": 5,
        "Specific provision": 0,
    }
    assert report.current.complaint_categories == {
        "Standards of service": 78,
        "Poor communication": 34,
        "Staff conduct": 4,
        "Child protection issues": 1,
        "Standard of environment": 1,
        "Damage to property": 1,
    }
    assert sum(report.current.compliment_categories.values()) == 68
    assert sum(report.current.complaint_categories.values()) == 119


def test_stage_1_working_days_by_quarter_and_the_year_following_from_them(report: AnnualReport) -> None:
    stage1 = report.current.stage1_timeliness
    quarters = {q.quarter: q for q in stage1.quarters}
    assert [quarters[q].average_working_days for q in (1, 2, 3, 4)] == [30, 30, 30, 19]
    answered = {q: quarters[q].responses for q in (1, 2, 3, 4)}
    assert sum(answered.values()) == stage1.responses
    year = (30 * (answered[1] + answered[2] + answered[3]) + 19 * answered[4]) / stage1.responses
    assert stage1.average_working_days == pytest.approx(year, abs=0.05)
    assert report.previous.stage1_timeliness.average_working_days == 39


def test_stage_2_working_days(report: AnnualReport) -> None:
    assert report.current.stage2_timeliness.average_working_days == 148


def test_remedies_and_context_figures(report: AnnualReport) -> None:
    assert report.current.remedies_pence == 520_000 + 150_000  # £5,200 and £1,500
    assert (report.current.context.referrals, report.previous.context.referrals) == (7987, 8226)
    assert report.current.context.children_receiving_services == 3645
    assert report.previous.context.children_receiving_services == 3879
    assert report.changes.children_receiving_services == -6  # "a 6% decrease"
