"""The statutory working-day clock (the 2006 Regs, reg 2, as ../notes/statutory-rules.md defines it).

A working day is any day but Saturday, Sunday, Christmas Day, Boxing Day, Good Friday or an England &
Wales bank holiday (``holidays``, country GB, subdivision ENG, with substitute and one-off days).
Deadlines are dates in Europe/London; instants are converted to a London date before counting.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")
_SATURDAY = 5


def london_date(instant: datetime) -> date:
    """The calendar date in London at ``instant`` (which must be timezone-aware)."""
    if instant.tzinfo is None:
        raise ValueError("instants must be timezone-aware (store UTC)")
    return instant.astimezone(LONDON).date()


def holidays_package_days(year: int) -> frozenset[date]:
    """England & Wales bank holidays for ``year``, straight from the ``holidays`` package."""
    import holidays

    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year).keys())


@cache
def _bank_holidays(year: int) -> frozenset[date]:
    # The table generated from `holidays` (shared/domain/bank_holidays.py) saves ~55 ms of cold start;
    # a test fails when the package and the table disagree, and `make bank-holidays` regenerates it.
    from shared.domain.bank_holidays import FIRST_YEAR, LAST_YEAR, by_year

    if FIRST_YEAR <= year <= LAST_YEAR:
        return by_year(year)
    return holidays_package_days(year)


def bank_holiday_table(first_year: int, last_year: int) -> str:
    """The source of shared/domain/bank_holidays.py, generated from the ``holidays`` package."""
    days = sorted(d for year in range(first_year, last_year + 1) for d in holidays_package_days(year))
    lines = "\n".join(f'    "{d.isoformat()}",' for d in days)
    return f'''"""England & Wales bank holidays {first_year}-{last_year}, generated from the `holidays` package
(GB, ENG) by `make bank-holidays`. Do not edit: tests/unit/test_calendar.py checks it against the package."""

from __future__ import annotations

from datetime import date
from functools import cache

FIRST_YEAR = {first_year}
LAST_YEAR = {last_year}
DAYS = (
{lines}
)


@cache
def by_year(year: int) -> frozenset[date]:
    prefix = f"{{year:04d}}-"
    return frozenset(date.fromisoformat(d) for d in DAYS if d.startswith(prefix))
'''


class WorkingDayCalendar:
    """Counts working days. ``extra_holidays`` adds days not yet in the ``holidays`` package (a bank
    holiday announced after release); ``not_holidays`` removes days (a moved holiday). ``deem_next_working_day``
    is the council practice of deeming a day that is not a working day to be the next working day (the
    2006 Regulations do not say so): off, clocks start on the day itself."""

    def __init__(
        self,
        extra_holidays: Iterable[date] = (),
        not_holidays: Iterable[date] = (),
        deem_next_working_day: bool = True,
    ) -> None:
        self._extra = frozenset(extra_holidays)
        self._removed = frozenset(not_holidays)
        self._deem = deem_next_working_day

    def is_working_day(self, day: date) -> bool:
        if day.weekday() >= _SATURDAY:
            return False
        if day in self._extra:
            return False
        if day in self._removed:
            return True
        # Christmas Day, Boxing Day and Good Friday are in the GB/ENG list every year.
        return day not in _bank_holidays(day.year)

    def deemed_receipt(self, day: date) -> date:
        """A representation received on a non-working day is deemed received on the next working day
        (where the council deems so; else on the day)."""
        while self._deem and not self.is_working_day(day):
            day += timedelta(days=1)
        return day

    def add_working_days(self, start: date, working_days: int) -> date:
        """ "Due within N working days of D": start from D (moved to the next working day if D is not
        one); the due date is the Nth working day strictly after that start."""
        if working_days < 0:
            raise ValueError("working_days must not be negative")
        day = self.deemed_receipt(start)
        remaining = working_days
        while remaining:
            day += timedelta(days=1)
            if self.is_working_day(day):
                remaining -= 1
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """How many working days after the (deemed) start, up to and including ``end``: the inverse of
        :meth:`add_working_days` (for a working ``end``), used for "days taken" in reports."""
        day = self.deemed_receipt(start)
        count = 0
        while day < end:
            day += timedelta(days=1)
            if self.is_working_day(day):
                count += 1
        return count
