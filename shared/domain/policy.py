"""Council policy: every timescale and list, typed and validated once, with the statutory defaults.

A council may supply a JSON policy file (``HEARD_POLICY_FILE``); anything it leaves out keeps the
default. A bad file fails at start-up with a :class:`PolicyError` naming the field.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from shared.domain.calendar import WorkingDayCalendar
from shared.domain.errors import NoExtension, PolicyError
from shared.domain.vocabulary import (
    DEFAULT_COMPLAINT_CATEGORIES,
    DEFAULT_COMPLIMENT_CATEGORIES,
    DEFAULT_INTERPRETER_LANGUAGES,
    DEFAULT_RESOLUTIONS,
    DEFAULT_SERVICE_AREAS,
    Procedure,
)

WorkingDays = Annotated[int, Field(ge=1, le=260)]
ShortText = Annotated[str, Field(min_length=2, max_length=200)]
LongText = Annotated[str, Field(min_length=2, max_length=2000)]
Url = Annotated[str, Field(pattern=r"^https://[^\s]+$")]
PhoneNumber = Annotated[str, Field(pattern=r"^\+?[0-9][0-9 ]{2,18}[0-9]$")]


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
    """The 2006 Regs (SI 2006/1738). Acknowledgement and the stage 2 request window are council practice;
    the stage 3 request window is statutory (reg 18). See TIMESCALE_LIMITS for what a policy may change."""

    acknowledgement: Timescale = _ts(3)
    stage1: Timescale = _ts(10, 20)
    stage2_request: Timescale = _ts(20)
    stage2: Timescale = _ts(25, 65)
    stage3_request: Timescale = _ts(20)
    stage3_panel: Timescale = _ts(30)
    stage3_report: Timescale = _ts(5)
    stage3_response: Timescale = _ts(15)


@dataclass(frozen=True)
class CouncilMaximum:
    """A time the council has to act: a policy may promise less, never more."""

    working_days: int
    extended_max: int | None  # None: no extension is allowed
    what: str  # completes "the N working days allowed ..."
    source: str


@dataclass(frozen=True)
class ComplainantMinimum:
    """A time the complainant has to act: a policy may give more, never less."""

    working_days: int
    what: str  # completes "the complainant has N working days ..."
    source: str


Limit = CouncilMaximum | ComplainantMinimum
_REGS = "of the 2006 Regulations"
_CODE = "the LGSCO Complaint Handling Code"

#: What a policy may set for each timescale, by procedure and field. The statutory procedure's come from
#: the 2006 Regs (SI 2006/1738) where the Regs set them, else from council practice (docs/decisions.md,
#: "Council policy"); the corporate procedure's are Heard's bounds on the council's own choice.
TIMESCALE_LIMITS: dict[Procedure, dict[str, Limit]] = {
    Procedure.STATUTORY: {
        "acknowledgement": CouncilMaximum(
            3,
            None,
            "to acknowledge a representation",
            "council practice, 2 or 3; the 2006 Regulations set none",
        ),
        "stage1": CouncilMaximum(10, 20, "for local resolution (stage 1)", f"reg 14 {_REGS}"),
        "stage2_request": ComplainantMinimum(
            20,
            "to ask for stage 2 after the stage 1 response",
            "council practice; the 2006 Regulations set none, and reg 18 gives 20 for stage 3",
        ),
        "stage2": CouncilMaximum(25, 65, "to investigate and respond at stage 2", f"reg 17 {_REGS}"),
        "stage3_request": ComplainantMinimum(
            20, "to ask for a review panel after the stage 2 response", f"reg 18 {_REGS}"
        ),
        "stage3_panel": CouncilMaximum(
            30, None, "to convene the review panel after the request", f"reg 19(4) {_REGS}"
        ),
        "stage3_report": CouncilMaximum(5, None, "for the panel's report after it meets", f"reg 20 {_REGS}"),
        "stage3_response": CouncilMaximum(
            15, None, "for the authority's response to the panel's report", f"reg 20(3) {_REGS}"
        ),
    },
    Procedure.CORPORATE: {
        "acknowledgement": CouncilMaximum(5, None, "to acknowledge a complaint", _CODE),
        "stage1": CouncilMaximum(10, 20, "to respond at stage 1", _CODE),
        "stage2_request": ComplainantMinimum(
            10,
            "to ask for stage 2 after the stage 1 response",
            "Heard's floor for the council's own procedure",
        ),
        "stage2": CouncilMaximum(20, 40, "to respond at stage 2", _CODE),
    },
}
#: Representations may be made within one year of the grounds arising (reg 9); later ones at discretion.
STATUTORY_COMPLAINT_TIME_LIMIT_MONTHS = 12


def _breaches(field_: str, timescale: Timescale, limit: Limit) -> list[str]:
    if isinstance(limit, ComplainantMinimum):
        if timescale.working_days >= limit.working_days:
            return []
        return [
            f"{field_}.working_days: {timescale.working_days} is shorter than the {limit.working_days} working "
            f"days the complainant has {limit.what} ({limit.source}); a policy may lengthen it, never shorten it"
        ]
    found: list[str] = []
    if timescale.working_days > limit.working_days:
        found.append(
            f"{field_}.working_days: {timescale.working_days} is longer than the {limit.working_days} working "
            f"days allowed {limit.what} ({limit.source}); a policy may shorten it, never lengthen it"
        )
    if timescale.extended_max is None:
        return found
    if limit.extended_max is None:
        found.append(
            f"{field_}.extended_max: {timescale.extended_max}, but the {limit.working_days} working days "
            f"allowed {limit.what} cannot be extended ({limit.source}); leave extended_max out"
        )
    elif timescale.extended_max > limit.extended_max:
        found.append(
            f"{field_}.extended_max: {timescale.extended_max} is longer than the {limit.extended_max} working "
            f"days allowed {limit.what}, extended ({limit.source}); a policy may shorten it, never "
            "lengthen it"
        )
    return found


def timescale_breaches(policy: CouncilPolicy) -> list[str]:
    """Where ``policy`` gives the council longer than its limit or the complainant less time than theirs,
    each naming the field as the policy file spells it, the value and the limit with its source."""
    breaches: list[str] = []
    for procedure, limits in TIMESCALE_LIMITS.items():
        timescales = policy.statutory if procedure is Procedure.STATUTORY else policy.corporate
        for name, limit in limits.items():
            breaches += _breaches(f"{procedure}.{name}", getattr(timescales, name), limit)
    if policy.complaint_time_limit_months < STATUTORY_COMPLAINT_TIME_LIMIT_MONTHS:
        breaches.append(
            f"complaint_time_limit_months: {policy.complaint_time_limit_months} is shorter than the "
            f"{STATUTORY_COMPLAINT_TIME_LIMIT_MONTHS} months the complainant has to make a representation "
            f"(reg 9 {_REGS}); a policy may lengthen it, never shorten it"
        )
    return breaches


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
    # Overdue stages are escalated here (issue 9); without one, to the team mailbox.
    head_of_service_email: Annotated[str, Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")] | None = None


class CouncilPolicy(_Strict):
    council_name: Annotated[str, Field(min_length=2, max_length=120)] = "Example City Council"
    team_mailbox: Annotated[str, Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")] = (
        "complaints-team@heard.example"
    )
    # Where a staff email links to the case: ``{reference}`` is replaced by the case reference.
    case_url_template: Annotated[str, Field(pattern=r"^https://[^\s{}]+\{reference\}[^\s{}]*$")] = (
        "https://heard.example/cases/{reference}"
    )
    statutory: StatutoryTimescales = StatutoryTimescales()
    corporate: CorporateTimescales = CorporateTimescales()
    complaint_time_limit_months: Annotated[int, Field(ge=1, le=120)] = 12
    reminder_working_days_before: tuple[WorkingDays, ...] = (5, 2)
    reminder_hour_london: Annotated[int, Field(ge=0, le=23)] = 9
    overdue_repeat_working_days: WorkingDays = 5
    # The RAG report: an open case due within this many working days is amber (overdue is red).
    rag_amber_working_days: Annotated[int, Field(ge=0, le=60)] = 5
    # The scorecard bulletin: how often, and who gets it (nobody: no bulletin).
    bulletin_period: Literal["monthly", "quarterly"] = "quarterly"
    senior_leadership_list: tuple[Annotated[str, Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")], ...] = ()
    extra_bank_holidays: tuple[date, ...] = ()
    removed_bank_holidays: tuple[date, ...] = ()
    complaint_categories: tuple[str, ...] = DEFAULT_COMPLAINT_CATEGORIES
    compliment_categories: tuple[str, ...] = DEFAULT_COMPLIMENT_CATEGORIES
    resolutions: tuple[str, ...] = DEFAULT_RESOLUTIONS
    service_areas: tuple[ServiceArea, ...] = tuple(
        ServiceArea(id=i, name=n) for i, n in DEFAULT_SERVICE_AREAS
    )
    # The public's journey (issue 7): who the form names, and the council practice it follows.
    # Deemed receipt on the next working day is council practice, not the 2006 Regulations: when off, a
    # representation received on a weekend or bank holiday starts its clocks on the day received.
    deemed_receipt_next_working_day: bool = True
    # Comments and compliments have no statutory clock: the council replies, if it needs to, within this.
    feedback_reply_working_days: WorkingDays = 5
    # The team arranges an advocate for whoever asks within this (recorded on the case).
    advocacy_arrange_working_days: WorkingDays = 2
    advocacy_service_name: ShortText = "Example Advocacy Service"
    advocacy_service_contact: ShortText = "0800 000 0000 (free), or advocacy@advocacy.example"
    advocacy_service_url: Url = "https://advocacy.example"
    worried_about_a_child_phone: PhoneNumber = "0300 000 0000"
    out_of_hours_phone: PhoneNumber = "0300 000 0001"
    complaints_phone: PhoneNumber = "0300 000 0002"
    complaints_address: LongText = "Complaints team, Example City Council, 1 Council Street, Example EX1 1AA"
    interpreter_languages: tuple[ShortText, ...] = DEFAULT_INTERPRETER_LANGUAGES
    # The privacy notice (UK GDPR arts. 13 and 14): controller, purpose, lawful basis, retention, rights.
    privacy_controller: LongText = "Example City Council, 1 Council Street, Example EX1 1AA"
    privacy_officer_contact: ShortText = "dpo@council.example"
    privacy_retention: LongText = (
        "We keep a complaint's records for 6 years after the complaint is closed, then delete them. "
        "Comments and compliments are kept for 2 years."
    )
    accessibility_contact: ShortText = "accessibility@council.example"

    @model_validator(mode="after")
    def _unique_service_areas(self) -> Self:
        ids = [area.id for area in self.service_areas]
        if len(ids) != len(set(ids)):
            raise ValueError("service_areas: each id must be unique")
        return self

    @model_validator(mode="after")
    def _within_the_limits(self) -> Self:
        breaches = timescale_breaches(self)
        if breaches:
            raise ValueError("; ".join(breaches))
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
        return WorkingDayCalendar(
            self.extra_bank_holidays, self.removed_bank_holidays, self.deemed_receipt_next_working_day
        )

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

    def case_url(self, reference: str) -> str:
        return self.case_url_template.replace("{reference}", reference)

    def acknowledgement_due(self, procedure: Procedure | None, received: date) -> date:
        """When a representation is acknowledged: by its procedure's timescale, or, for a comment or
        compliment (no procedure, no statutory clock), by the council's reply time."""
        if procedure is None:
            return self.calendar().add_working_days(received, self.feedback_reply_working_days)
        return self.due_date(procedure, Step.ACKNOWLEDGEMENT, received)


def _describe(error: ValidationError) -> str:
    first = error.errors()[0]
    if not first["loc"] and first["type"] == "value_error":
        return str(first["ctx"]["error"])  # a whole-policy check: its message names the fields
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
