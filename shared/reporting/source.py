"""The port reports read cases through: by index, never a scan, one page at a time (an iterator)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Protocol

from pydantic import BaseModel, ConfigDict, Field, field_validator

from shared.domain.casefile import Case


class ContextFigures(BaseModel):
    """Figures Heard cannot know, entered by an officer for a financial year and shown in the summary."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    referrals: int | None = Field(default=None, ge=0, le=10_000_000, description="Referrals received")
    children_receiving_services: int | None = Field(
        default=None,
        ge=0,
        le=10_000_000,
        description="Children and young people receiving services at 31 March",
    )

    @field_validator("referrals", "children_receiving_services", mode="before")
    @classmethod
    def _a_number(cls, value: object) -> object:
        """A JSON number (``813`` or ``813.0``), never a boolean or a string of digits."""
        if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
            raise ValueError("a whole number")
        return value


def quarter_of(day: date) -> int:
    """The financial-year quarter of ``day``: 1 is April to June, 4 is January to March."""
    return (day.month - 4) % 12 // 3 + 1


class ReportSource(Protocol):
    def received_in(self, year: int) -> Iterator[Case]:
        """The cases received in financial ``year`` (2015 is 2015/16), through the financial-year index."""
        ...

    def active_in(self, year: int) -> Iterator[Case]:
        """The cases with stage activity dated in financial ``year`` (a stage started or answered, an
        Ombudsman decision, an action added), through the activity index; each case once."""
        ...

    def open_cases(self) -> Iterator[Case]:
        """The open cases, through the open-cases index (sorted by due date)."""
        ...

    def with_open_actions(self) -> Iterator[Case]:
        """The cases whose action plan has an open action, through the actions index; each case once."""
        ...

    def context_figures(self, year: int) -> ContextFigures | None:
        """The context figures entered for financial ``year``, if any."""
        ...

    def put_context_figures(self, year: int, figures: ContextFigures) -> None:
        """Enter (or replace) the context figures of financial ``year``."""
        ...


def activity_dates(case: Case) -> dict[str, date]:
    """The dates a case is active on, by what happened: each stage's start and response, each Ombudsman
    decision, each action added to its plan. The activity index holds one entry for each."""
    dates: dict[str, date] = {}
    for stage, dated in case.stage_dates.items():
        dates[f"{stage}-started"] = dated.started_on
        if dated.sent_on is not None:
            dates[f"{stage}-sent"] = dated.sent_on
    for number, enquiry in enumerate(case.ombudsman, start=1):
        if enquiry.decided_on is not None:
            dates[f"ombudsman-{number}-decided"] = enquiry.decided_on
    for item in case.action_plan:
        dates[f"action-{item.item_id}-added"] = item.added_on
    return dates
