"""An in-memory case repository with the same ports as the DynamoDB adapter (create, load, save and
:class:`ReportSource`), indexed the same way: by financial year received, by activity date, open cases.
For the demo and the benchmark, and for tests of the reports without moto."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from shared.domain.case import NewCase, Notification, financial_year
from shared.domain.casefile import Case, Decision
from shared.domain.stages import TERMINAL
from shared.ports import StaleVersion
from shared.reporting.source import ContextFigures, activity_dates


class InMemoryCases:
    def __init__(self) -> None:
        self.cases: dict[str, Case] = {}
        self.events: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self.notifications: list[Notification] = []
        self._by_year: dict[int, dict[str, None]] = defaultdict(dict)  # insertion-ordered sets
        self._by_activity: dict[int, dict[str, None]] = defaultdict(dict)
        self._context: dict[int, ContextFigures] = {}
        self._numbers: dict[int, int] = defaultdict(int)

    # --- the repository --------------------------------------------------------------------------

    def next_reference_number(self, year: int) -> int:
        self._numbers[year] += 1
        return self._numbers[year]

    def create(self, new: NewCase) -> None:
        case = Case.model_validate(new.case)
        self.cases[case.case_id] = case
        self._by_year[case.financial_year][case.case_id] = None
        self.notifications += new.notifications

    def load(self, case_id: str) -> Case | None:
        return self.cases.get(case_id)

    def save(
        self, decision: Decision, expected_version: int, notifications: tuple[Notification, ...] = ()
    ) -> None:
        case = decision.case
        if self.cases[case.case_id].version != expected_version:
            raise StaleVersion(f"case {case.reference} changed since version {expected_version}")
        self.cases[case.case_id] = case
        for day in activity_dates(case).values():
            self._by_activity[financial_year(day)][case.case_id] = None
        self.notifications += notifications

    def add(self, case: Case) -> None:
        """Put a whole case in (the benchmark's cases), indexed as a save would."""
        self.cases[case.case_id] = case
        self._by_year[case.financial_year][case.case_id] = None
        for day in activity_dates(case).values():
            self._by_activity[financial_year(day)][case.case_id] = None

    # --- ReportSource ----------------------------------------------------------------------------

    def received_in(self, year: int) -> Iterator[Case]:
        return (self.cases[case_id] for case_id in self._by_year.get(year, {}))

    def active_in(self, year: int) -> Iterator[Case]:
        return (self.cases[case_id] for case_id in self._by_activity.get(year, {}))

    def open_cases(self) -> Iterator[Case]:
        return (case for case in self.cases.values() if case.status not in TERMINAL)

    def with_open_actions(self) -> Iterator[Case]:
        return (case for case in self.cases.values() if any(i.status == "open" for i in case.action_plan))

    def context_figures(self, year: int) -> ContextFigures | None:
        return self._context.get(year)

    def put_context_figures(self, year: int, figures: ContextFigures) -> None:
        self._context[year] = figures
