"""An in-memory case repository with the same ports as the DynamoDB adapter (create, load, save and
:class:`ReportSource`), indexed the same way: by financial year received, by activity date, open cases.
Like the table, it keeps each case as its stored item (JSON-ready data), and reading a case parses it into
a :class:`Case` as the adapter does: no caller shares a mutable case with the store. For the demo, the
benchmark, and tests of the reports without moto."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import Any

from shared.domain.case import NewCase, Notification, financial_year
from shared.domain.casefile import Case, Decision
from shared.domain.stages import TERMINAL
from shared.ports import StaleVersion
from shared.reporting.source import ContextFigures, activity_dates

_CLOSED = frozenset(status.value for status in TERMINAL)


class InMemoryCases:
    def __init__(self) -> None:
        self.items: dict[str, dict[str, Any]] = {}
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
        self.items[case.case_id] = case.model_dump(mode="json")
        self._by_year[case.financial_year][case.case_id] = None
        self.notifications += new.notifications

    def load(self, case_id: str) -> Case | None:
        item = self.items.get(case_id)
        return Case.model_validate(item) if item is not None else None

    def save(
        self, decision: Decision, expected_version: int, notifications: tuple[Notification, ...] = ()
    ) -> None:
        case = decision.case
        if self.items[case.case_id]["version"] != expected_version:
            raise StaleVersion(f"case {case.reference} changed since version {expected_version}")
        self.add(case)
        self.notifications += notifications

    def add(self, case: Case) -> None:
        """Store the case as an item, indexed as a save would (the benchmark's cases come this way)."""
        self.items[case.case_id] = case.model_dump(mode="json")
        self._by_year[case.financial_year][case.case_id] = None
        for day in activity_dates(case).values():
            self._by_activity[financial_year(day)][case.case_id] = None

    # --- ReportSource ----------------------------------------------------------------------------

    def _read(self, case_ids: Iterable[str]) -> Iterator[Case]:
        return (Case.model_validate(self.items[case_id]) for case_id in case_ids)

    def received_in(self, year: int) -> Iterator[Case]:
        return self._read(list(self._by_year.get(year, {})))

    def active_in(self, year: int) -> Iterator[Case]:
        return self._read(list(self._by_activity.get(year, {})))

    def open_cases(self) -> Iterator[Case]:
        return self._read([i for i, item in self.items.items() if item["status"] not in _CLOSED])

    def with_open_actions(self) -> Iterator[Case]:
        return self._read(
            [i for i, item in self.items.items() if any(a["status"] == "open" for a in item["action_plan"])]
        )

    def context_figures(self, year: int) -> ContextFigures | None:
        return self._context.get(year)

    def put_context_figures(self, year: int, figures: ContextFigures) -> None:
        self._context[year] = figures
