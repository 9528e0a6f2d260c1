"""Council policy: every timescale and list, typed and validated once, with the statutory defaults.

A council may supply a JSON policy file (``HEARD_POLICY_FILE``); anything it leaves out keeps the
default. A bad file fails at start-up with a :class:`PolicyError` naming the field.
"""

from __future__ import annotations

import json
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Self

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from shared.domain.calendar import WorkingDayCalendar
from shared.domain.errors import NoExtension, PolicyError
from shared.domain.vocabulary import (
    DEFAULT_COMPLAINT_CATEGORIES,
    DEFAULT_COMPLIMENT_CATEGORIES,
    DEFAULT_RESOLUTIONS,
    DEFAULT_SERVICE_AREAS,
    Procedure,
)

WorkingDays = Annotated[int, Field(ge=1, le=260)]


class Step(StrEnum):
    """A timed step of a procedure (the CLI's ``--step``)."""

    ACKNOWLEDGEMENT = "acknowledgement"
    STAGE1 = "stage1"
    STAGE2_REQUEST = "stage2-request"
    STAGE2 = "stage2"
    STAGE3_REQUEST = "stage3-request"
    STAGE3_PANEL = "stage3-panel"
    STAGE3_REPORT = "stage3-report"
    STAGE3_RESPONSE = "stage3-response"

    @property
    def field(self) -> str:
        return self.value.replace("-", "_")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Timescale(_Strict):
    working_days: WorkingDays
    extended_max: WorkingDays | None = None

    @model_validator(mode="after")
    def _extension_not_shorter(self) -> Self:
        if self.extended_max is not None and self.extended_max < self.working_days:
            raise ValueError(
                f"extended_max ({self.extended_max}) must not be less than working_days ({self.working_days})"
            )
        return self


def _ts(days: int, extended: int | None = None) -> Timescale:
    return Timescale(working_days=days, extended_max=extended)


class StatutoryTimescales(_Strict):
    """2006 Regs and guidance; acknowledgement and request windows are council practice."""

    acknowledgement: Timescale = _ts(3)
    stage1: Timescale = _ts(10, 20)
    stage2_request: Timescale = _ts(20)
    stage2: Timescale = _ts(25, 65)
    stage3_request: Timescale = _ts(20)
    stage3_panel: Timescale = _ts(30)
    stage3_report: Timescale = _ts(5)
    stage3_response: Timescale = _ts(15)


class CorporateTimescales(_Strict):
    """The reference council's corporate procedure, acknowledgement per the LGSCO Complaint Handling Code."""

    acknowledgement: Timescale = _ts(5)
    stage1: Timescale = _ts(10)
    stage2_request: Timescale = _ts(20)
    stage2: Timescale = _ts(20)


class ServiceArea(_Strict):
    id: Annotated[str, Field(pattern=r"^[a-z0-9-]{2,40}$")]
    name: Annotated[str, Field(min_length=2, max_length=100)]
    teams: tuple[Annotated[str, Field(min_length=2, max_length=100)], ...] = ()
    manager_email: Annotated[str, Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")] | None = None


class CouncilPolicy(_Strict):
    council_name: Annotated[str, Field(min_length=2, max_length=120)] = "Example City Council"
    team_mailbox: Annotated[str, Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")] = (
        "complaints-team@heard.example"
    )
    statutory: StatutoryTimescales = StatutoryTimescales()
    corporate: CorporateTimescales = CorporateTimescales()
    complaint_time_limit_months: Annotated[int, Field(ge=1, le=120)] = 12
    reminder_working_days_before: tuple[WorkingDays, ...] = (5, 2)
    reminder_hour_london: Annotated[int, Field(ge=0, le=23)] = 9
    overdue_repeat_working_days: WorkingDays = 5
    extra_bank_holidays: tuple[date, ...] = ()
    removed_bank_holidays: tuple[date, ...] = ()
    complaint_categories: tuple[str, ...] = DEFAULT_COMPLAINT_CATEGORIES
    compliment_categories: tuple[str, ...] = DEFAULT_COMPLIMENT_CATEGORIES
    resolutions: tuple[str, ...] = DEFAULT_RESOLUTIONS
    service_areas: tuple[ServiceArea, ...] = tuple(
        ServiceArea(id=i, name=n) for i, n in DEFAULT_SERVICE_AREAS
    )

    @model_validator(mode="after")
    def _unique_service_areas(self) -> Self:
        ids = [area.id for area in self.service_areas]
        if len(ids) != len(set(ids)):
            raise ValueError("service_areas: each id must be unique")
        return self

    def steps(self, procedure: Procedure) -> tuple[Step, ...]:
        timescales = self.statutory if procedure is Procedure.STATUTORY else self.corporate
        return tuple(step for step in Step if step.field in type(timescales).model_fields)

    def timescale(self, procedure: Procedure, step: Step) -> Timescale:
        timescales = self.statutory if procedure is Procedure.STATUTORY else self.corporate
        if step not in self.steps(procedure):
            known = ", ".join(s.value for s in self.steps(procedure))
            raise PolicyError(f"the {procedure} procedure has no step '{step}' (steps: {known})")
        value: Timescale = getattr(timescales, step.field)
        return value

    def calendar(self) -> WorkingDayCalendar:
        return WorkingDayCalendar(self.extra_bank_holidays, self.removed_bank_holidays)

    def due_date(self, procedure: Procedure, step: Step, start: date, *, extended: bool = False) -> date:
        timescale = self.timescale(procedure, step)
        days = timescale.working_days
        if extended:
            if timescale.extended_max is None:
                raise NoExtension(f"the {procedure} step '{step}' cannot be extended")
            days = timescale.extended_max
        return self.calendar().add_working_days(start, days)

    def service_area(self, area_id: str) -> ServiceArea | None:
        return next((a for a in self.service_areas if a.id == area_id), None)


def _describe(error: ValidationError) -> str:
    first = error.errors()[0]
    field = ".".join(str(part) for part in first["loc"]) or "(top level)"
    more = f" (and {error.error_count() - 1} more)" if error.error_count() > 1 else ""
    return f"{field}: {first['msg']}{more}"


def parse_policy(text: str, source: str = "policy") -> CouncilPolicy:
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise PolicyError(f"{source}: not valid JSON ({exc.msg} at line {exc.lineno})") from exc
    try:
        return CouncilPolicy.model_validate(raw)
    except ValidationError as exc:
        raise PolicyError(f"{source}: {_describe(exc)}") from exc


def load_policy(path: str | Path | None) -> CouncilPolicy:
    """The defaults when ``path`` is empty, else the file's policy."""
    if not path:
        return CouncilPolicy()
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise PolicyError(f"policy file {path}: cannot be read ({exc.strerror})") from exc
    return parse_policy(text, f"policy file {path}")
