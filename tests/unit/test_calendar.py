"""The working-day clock on real dates, and its properties."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.domain import bank_holidays
from shared.domain.calendar import WorkingDayCalendar, bank_holiday_table, holidays_package_days, london_date
from shared.domain.policy import CouncilPolicy, Step
from shared.domain.vocabulary import Procedure

CAL = WorkingDayCalendar()
D = date.fromisoformat


@pytest.mark.parametrize(
    ("start", "days", "due", "why"),
    [
        (
            "2015-12-18",
            10,
            "2016-01-06",
            "the rules' own example: Christmas, Boxing Day (Mon 28th), New Year",
        ),
        ("2015-12-24", 1, "2015-12-29", "Christmas Day Friday, Boxing Day Saturday substituted to Monday"),
        ("2021-12-24", 1, "2021-12-29", "Christmas and Boxing Day at a weekend: both substituted"),
        ("2022-12-23", 1, "2022-12-28", "Christmas Day Sunday substituted to Tuesday 27th"),
        ("2024-03-28", 1, "2024-04-02", "Good Friday and Easter Monday"),
        ("2025-04-17", 3, "2025-04-24", "Easter 2025"),
        ("2022-09-16", 1, "2022-09-20", "one-off: the Queen's state funeral, Mon 2022-09-19"),
        ("2023-05-05", 1, "2023-05-09", "one-off: the coronation, Mon 2023-05-08"),
        (
            "2022-06-01",
            1,
            "2022-06-06",
            "2022 spring bank holiday moved to Thu 2 June and the jubilee Fri 3 June",
        ),
        ("2020-05-07", 1, "2020-05-11", "2020 May holiday moved to Friday 8 May (VE day)"),
        ("2026-11-26", 10, "2026-12-10", "an ordinary fortnight"),
        ("2026-12-19", 3, "2026-12-24", "received Saturday: deemed Monday 21st, then three working days"),
        ("2023-05-06", 3, "2023-05-12", "received Saturday before the coronation: deemed Tuesday 9th"),
        ("2026-12-24", 10, "2027-01-12", "stage 1 over Christmas 2026 (Boxing Day Saturday -> Monday 28th)"),
        ("2026-11-26", 0, "2026-11-26", "zero days from a working day is that day"),
    ],
)
def test_due_dates_on_real_calendars(start: str, days: int, due: str, why: str) -> None:
    assert CAL.add_working_days(D(start), days) == D(due), why


@pytest.mark.parametrize(
    ("day", "working"),
    [
        ("2016-03-25", False),  # Good Friday
        ("2016-03-28", False),  # Easter Monday
        ("2016-12-27", False),  # Christmas Day (Sunday) substituted
        ("2022-09-19", False),
        ("2023-05-08", False),
        ("2026-11-28", False),  # Saturday
        ("2026-11-27", True),
        ("2016-03-24", True),
    ],
)
def test_working_days(day: str, working: bool) -> None:
    assert CAL.is_working_day(D(day)) is working


def test_deemed_receipt_moves_only_non_working_days() -> None:
    assert CAL.deemed_receipt(D("2016-03-25")) == D("2016-03-29")
    assert CAL.deemed_receipt(D("2016-03-24")) == D("2016-03-24")


def test_london_date_converts_from_utc() -> None:
    # 23:30 UTC on 30 June is 00:30 on 1 July in London (BST); in winter UTC and London agree.
    assert london_date(datetime(2026, 6, 30, 23, 30, tzinfo=UTC)) == D("2026-07-01")
    assert london_date(datetime(2026, 12, 31, 23, 30, tzinfo=UTC)) == D("2026-12-31")
    with pytest.raises(ValueError, match="timezone-aware"):
        london_date(datetime(2026, 1, 1))


def test_a_newly_announced_bank_holiday_moves_deadlines() -> None:
    announced = WorkingDayCalendar(extra_holidays=[D("2026-12-01")])
    assert CAL.add_working_days(D("2026-11-30"), 1) == D("2026-12-01")
    assert announced.add_working_days(D("2026-11-30"), 1) == D("2026-12-02")


def test_policy_due_dates_and_extension_maxima() -> None:
    policy = CouncilPolicy()
    start = D("2026-01-05")
    assert policy.due_date(Procedure.STATUTORY, Step.STAGE1, start) == CAL.add_working_days(start, 10)
    assert policy.due_date(Procedure.STATUTORY, Step.STAGE1, start, extended=True) == CAL.add_working_days(
        start, 20
    )
    assert policy.due_date(Procedure.STATUTORY, Step.STAGE2, start, extended=True) == CAL.add_working_days(
        start, 65
    )
    assert policy.due_date(Procedure.CORPORATE, Step.STAGE2, start) == CAL.add_working_days(start, 20)


dates = st.dates(min_value=date(2000, 1, 1), max_value=date(2045, 12, 31))
counts = st.integers(min_value=0, max_value=80)


@settings(max_examples=300, deadline=None)
@given(dates, st.integers(min_value=1, max_value=80))
def test_due_date_is_a_working_day(start: date, days: int) -> None:
    assert CAL.is_working_day(CAL.add_working_days(start, days))


@settings(max_examples=300, deadline=None)
@given(dates, st.integers(min_value=0, max_value=30), counts)
def test_a_later_start_never_gives_an_earlier_due_date(start: date, later_by: int, days: int) -> None:
    later = start + timedelta(days=later_by)
    assert CAL.add_working_days(later, days) >= CAL.add_working_days(start, days)


@settings(max_examples=200, deadline=None)
@given(dates, st.sampled_from([Procedure.STATUTORY, Procedure.CORPORATE]), st.sampled_from(list(Step)))
def test_extended_is_never_earlier_than_standard(start: date, procedure: Procedure, step: Step) -> None:
    policy = CouncilPolicy()
    if step not in policy.steps(procedure) or policy.timescale(procedure, step).extended_max is None:
        return
    assert policy.due_date(procedure, step, start, extended=True) >= policy.due_date(procedure, step, start)


@settings(max_examples=300, deadline=None)
@given(dates, counts)
def test_counting_matches_the_definition(start: date, days: int) -> None:
    """Exactly N working days lie strictly after the deemed start, up to and including the due date,
    counted here by brute force over the calendar."""
    due = CAL.add_working_days(start, days)
    deemed = start
    while not CAL.is_working_day(deemed):
        deemed += timedelta(days=1)
    between = [deemed + timedelta(days=i) for i in range(1, (due - deemed).days + 1)]
    assert sum(CAL.is_working_day(d) for d in between) == days
    assert CAL.is_working_day(due)
    assert CAL.working_days_between(start, due) == days


@pytest.mark.parametrize("year", range(bank_holidays.FIRST_YEAR, bank_holidays.LAST_YEAR + 1))
def test_the_generated_table_matches_the_holidays_package(year: int) -> None:
    assert bank_holidays.by_year(year) == holidays_package_days(year), "run `make bank-holidays`"


def test_the_generated_table_is_what_the_generator_writes() -> None:
    source = bank_holiday_table(bank_holidays.FIRST_YEAR, bank_holidays.LAST_YEAR)
    assert bank_holidays.__file__ is not None
    with open(bank_holidays.__file__, encoding="utf-8") as committed:
        assert committed.read() == source, "run `make bank-holidays`"


def test_years_outside_the_table_come_from_the_package() -> None:
    assert not CAL.is_working_day(D("2060-12-25"))
    assert CAL.is_working_day(D("2060-12-23"))


def test_deemed_receipt_is_a_council_switch_and_off_the_clock_starts_on_the_day_received() -> None:
    saturday = date(2026, 11, 28)
    # On (the default): deemed received Monday 30 Nov; 3 working days after it is Thursday 3 Dec.
    assert CouncilPolicy().due_date(Procedure.STATUTORY, Step.ACKNOWLEDGEMENT, saturday) == date(2026, 12, 3)
    # Off: 3 working days after Saturday itself are Mon 30 Nov, Tue 1 and Wed 2 Dec.
    off = CouncilPolicy(deemed_receipt_next_working_day=False)
    assert off.calendar().deemed_receipt(saturday) == saturday
    assert off.due_date(Procedure.STATUTORY, Step.ACKNOWLEDGEMENT, saturday) == date(2026, 12, 2)
    # A working day is the same either way.
    thursday = date(2026, 11, 26)
    assert off.due_date(Procedure.STATUTORY, Step.STAGE1, thursday) == CouncilPolicy().due_date(
        Procedure.STATUTORY, Step.STAGE1, thursday
    )
