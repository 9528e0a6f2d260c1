"""The case as Heard stores it: one typed :class:`Case` and its parts. Every field added after intake has
a default, so older items still load. What may change it, and how, is the catalogue's
(:mod:`shared.domain.casefile.catalogue`); :func:`shared.domain.casefile.apply` is the only way."""

from __future__ import annotations

import re
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    model_validator,
)

from shared.domain.people import Person, PersonId
from shared.domain.policy import Step
from shared.domain.stages import Status, Track, track_for
from shared.domain.triage import HoldMatter
from shared.domain.vocabulary import CHILD_WORDING_ROLES, Channel, Kind, Outcome, Procedure

Reason = Annotated[str, Field(min_length=10, max_length=2000)]
Text = Annotated[str, Field(min_length=1, max_length=5000)]
Label = Annotated[str, Field(min_length=1, max_length=100)]
Username = Annotated[str, Field(min_length=1, max_length=128)]
Pence = Annotated[int, Field(ge=0, le=100_000_000)]
#: The years Heard's working-day calendar counts (a date beyond would break its arithmetic: a deadline
#: counted from 9999-12-31 overflows).
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2099, 12, 31)
_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _iso_day(value: Any) -> Any:
    """A date as the text ``YYYY-MM-DD``, never a number (which pydantic would take for a Unix time)."""
    if isinstance(value, date) or (isinstance(value, str) and _ISO_DAY.match(value)):
        return value
    raise ValueError("write the date as YYYY-MM-DD (text, not a number)")


def _in_the_calendar(value: date) -> date:
    if not FIRST_DAY <= value <= LAST_DAY:
        raise ValueError(f"a date from {FIRST_DAY} to {LAST_DAY}, the years Heard's calendar counts")
    return value


#: A date an officer sends in an action: ``YYYY-MM-DD`` text, from 2000 to 2099.
Day = Annotated[
    date,
    BeforeValidator(_iso_day),
    AfterValidator(_in_the_calendar),
    Field(json_schema_extra={"pattern": r"^20\d{2}-\d{2}-\d{2}$"}),
]


class Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Stored(BaseModel):
    """Parts of the case as intake stores them (extra keys tolerated: older items may carry more)."""

    model_config = ConfigDict(extra="ignore", frozen=True)


class Part(StrEnum):
    """What an officer may withhold from a subject access export (:mod:`shared.domain.export`)."""

    CONTACT_DETAILS = "contact-details"  # the complainant's name, email, phone and address
    CHILD = "child"  # the child's name, and the record of who acts for them
    ACCOUNT = "account"  # what was said, and officers' words about it: points, findings, reasons
    ADVOCACY = "advocacy"  # the advocate's name, organisation and contact
    THIRD_PARTIES = "third-parties"  # staff complained about, managers, investigators, independent
    # persons, panel members and attendees, action owners, who a compliment is about
    NOTES = "notes"  # officers' case notes in the chronology


class OfferChannel(StrEnum):
    """How an advocate was offered."""

    ONLINE_FORM = "online-form"
    LETTER = "letter"
    EMAIL = "email"
    PHONE = "phone"
    IN_PERSON = "in-person"


class Advocacy(_Stored):
    """Advocacy (s.26A): whether it was offered (when and how), accepted, and who provides it."""

    offered: StrictBool
    wish: str | None = None  # None: not asked
    arrange_by: date | None = None  # asked for one: the team arranges it by then (council policy)
    advocate_name: str | None = None
    advocate_organisation: str | None = None
    advocate_email: str | None = None
    offered_on: date | None = None
    offered_how: OfferChannel | None = None
    accepted: StrictBool | None = None  # None: not yet answered


class Complainant(_Stored):
    role: str
    on_behalf_of: str | None = None
    child_name: str | None = None
    child_date_of_birth: date | None = None
    child_view: str | None = None  # whether the child knows about it and agrees
    name: str | None = None
    email: str | None = None
    phone: str | None = None
    address: str | None = None
    preferred_contact: str | None = None


class Details(_Stored):
    subject: str | None = None  # what a complaint is about (with the role, its eligibility)
    what_happened: str
    when_happened: date | None = None
    raised_already: StrictBool | None = None
    outcome_wanted: str | None = None
    support_needs: str | None = None  # free text, from before the closed list
    support: tuple[str, ...] = ()
    interpreter_language: str | None = None
    support_other: str | None = None
    team_or_worker: str | None = None


class Deadline(Frozen):
    """A timed step: from ``start``, due on ``due`` (working days by the policy). ``paused_on`` is set while
    its clock is stopped (the case on hold, stage 1 paused, or the case ended)."""

    step: Step
    start: date
    due: date
    extended: StrictBool = False
    reason: str | None = None  # why it was extended
    extended_by: int = 0  # the working days it was extended by (0 with ``extended``: to its maximum)
    paused_on: date | None = None
    # Set by apply() whenever the deadline is set or moved: the case version that did it (the stage
    # workflow names its timer after it) and the working days from start to due by the calendar of the
    # day (extensions and stopped days included), so that a changed calendar can move the due date.
    revision: int = 0
    working_days: int | None = None


class Finding(Frozen):
    point: Annotated[str, Field(min_length=1, max_length=500)]
    outcome: Outcome


class SufficientInterest(Frozen):
    """The council's decision on "any other person with sufficient interest" (s.26(3)(e))."""

    accepted: StrictBool
    reasons: Reason
    complainant_told: StrictBool  # in writing: the decision owes the sufficient-interest-decided letter
    child_told: bool | None  # None: not appropriate to tell the child
    decided_on: date


class LateDiscretion(Frozen):
    """The discretion used on a complaint made after the time limit (reg 9): both tests and the reasons."""

    not_reasonable_to_expect_sooner: StrictBool
    still_fair_to_consider: StrictBool
    reasons: Reason
    decided_on: date

    @property
    def accepted(self) -> bool:
        return self.not_reasonable_to_expect_sooner and self.still_fair_to_consider


class Hold(Frozen):
    matter: HoldMatter
    reason: Reason
    since: date


class Attestation(Frozen):
    """The appointee's own statement: their declarations in the register are true and they have no
    connection with this case."""

    attested_on: Day
    declarations_true: StrictBool
    no_connection_with_the_case: StrictBool


class Appointment(Frozen):
    """Who was appointed, as the register declared them at the time, with their attestation."""

    person: Person
    attestation: Attestation
    appointed_on: date


class InvestigationReport(Frozen):
    submitted_on: date
    findings: tuple[Finding, ...]
    recorded_by: str


class Stage2(Frozen):
    investigator: Appointment | None = None
    independent_person: Appointment | None = None
    report: InvestigationReport | None = None


class Attendee(Frozen):
    """Who comes to the panel with the complainant (reg 19): an advocate and one other person."""

    role: Literal["advocate", "other"]
    name: Annotated[str, Field(min_length=1, max_length=200)]


class Panel(Frozen):
    members: tuple[Appointment, ...]
    chair: PersonId
    meeting_on: date
    convened_on: date
    late_reason: str | None = None  # why it meets after the 30 working days of reg 19


class PanelMeeting(Frozen):
    met_on: date
    attendees: tuple[Attendee, ...]


class PanelReport(Frozen):
    reported_on: date
    findings: tuple[Finding, ...]
    sent_to_complainant: StrictBool
    sent_to_independent_person: StrictBool


class Stage3(Frozen):
    panel: Panel | None = None
    meeting: PanelMeeting | None = None
    report: PanelReport | None = None


class StageDates(Frozen):
    """One stage's dates, kept on the case after the stage ends (reports count from them): its start, its
    standard due date (moved on by pauses), its extended due date where it was extended, and the date its
    response was sent."""

    started_on: date
    due_on: date
    extended_due_on: date | None = None
    sent_on: date | None = None


class StageResponse(Frozen):
    sent_on: date
    resolutions: tuple[str, ...] = ()
    remedies_pence: int = 0
    by: str | None = None  # the staff user who recorded it (the stage 1 responder may not investigate)


class ChildWishes(StrEnum):
    AGREES = "agrees"
    DOES_NOT_AGREE = "does-not-agree"
    UNABLE_TO_SAY = "unable-to-say"  # too young, or unable to give a view


class ChildViews(Frozen):
    """The child's own wishes and views about a complaint made for them, as an officer found them out."""

    wishes: ChildWishes
    how: Literal["met-the-child", "phone", "through-advocate", "through-social-worker", "in-writing"]
    ascertained_on: date
    summary: str


class OralSummary(Frozen):
    """The written summary of a complaint made by phone or in person, sent to the complainant to agree."""

    summary: str
    sent_on: date
    agreed_on: date | None = None


class DelayExplained(Frozen):
    """Why a stage is late and when to expect its answer, as told to the complainant."""

    stage: Step
    reason: str
    expected_on: date
    told_on: date


class OmbudsmanOutcome(StrEnum):
    UPHELD = "upheld"
    NOT_UPHELD = "not-upheld"


class OmbudsmanEnquiry(Frozen):
    """One complaint to the LGSCO: the complainant's route, tracked beside the stages."""

    received_on: date
    ombudsman_reference: str | None = None
    status_at_enquiry: Status
    returned_premature_on: date | None = None
    not_investigated_on: date | None = None
    decision: OmbudsmanOutcome | None = None
    decided_on: date | None = None
    remedy_pence: int = 0
    remedies: tuple[str, ...] = ()
    compliance_due: date | None = None
    complied_on: date | None = None

    @property
    def open(self) -> bool:
        return (
            self.returned_premature_on is None and self.not_investigated_on is None and self.decision is None
        )


class ActionItem(Frozen):
    """One action of the plan from an upheld complaint, monitored until done."""

    item_id: str
    description: Annotated[str, Field(min_length=1, max_length=1000)]
    owner: str
    due_on: date
    status: Literal["open", "done"] = "open"
    added_on: date
    done_on: date | None = None
    revision: int = 0  # the case version that last set its owner or due date (its timer's name)


class ComplimentShared(Frozen):
    with_person_on: date
    with_managers_on: date


class Case(_Stored):
    """Everything Heard knows about one representation, typed. Built from the stored item; every field
    added after intake has a default, so older items still load."""

    case_id: str
    reference: str
    kind: Kind
    status: Status
    channel: Channel
    received_at: datetime
    received_date: date
    deemed_received: date
    financial_year: int
    acknowledgement_due: date
    acknowledgement_revision: int = 0  # the case version that last moved acknowledgement_due
    stage1_due: date | None = None
    suggested_procedure: Procedure | None = None  # None: a comment or compliment has no procedure
    procedure_reason: str
    procedure: Procedure | None = None  # the officer's decision (None until accepted)
    needs_sufficient_interest_decision: StrictBool = False
    needs_child_wishes_check: StrictBool = False
    late: StrictBool = False
    by_a_child: StrictBool
    about_a_child: StrictBool
    service_area: str | None = None
    advocacy: Advocacy
    complainant: Complainant
    details: Details
    notifications: dict[str, str] = Field(default_factory=dict)
    version: int = 1  # every change saved, the workflow's included: what a save is conditional on
    #: The changes people made (registration first; the workflow's own records not counted): what the
    #: ETag names. An item saved before it was kept counts from its version, so no ETag is used twice.
    decided: int = 1
    last_event: int = 1  # the sequence number of the last event in the chronology
    allocated_manager: str | None = None
    categories: tuple[str, ...] = ()
    complaint_points: tuple[str, ...] = ()
    deadlines: dict[str, Deadline] = Field(default_factory=dict)  # running ones, by Step value
    paused_deadlines: dict[str, Deadline] = Field(default_factory=dict)  # stopped, by Step value
    findings: dict[str, tuple[Finding, ...]] = Field(default_factory=dict)  # by stage
    responses: dict[str, StageResponse] = Field(default_factory=dict)  # by stage
    stage_dates: dict[str, StageDates] = Field(default_factory=dict)  # by stage: stage1, stage2, stage3
    remedies_pence: int = 0
    routed_to: str | None = None
    sufficient_interest: SufficientInterest | None = None
    late_discretion: LateDiscretion | None = None
    about_staff: tuple[str, ...] = ()  # staff users the complaint is about
    hold: Hold | None = None
    ended_from: Status | None = None  # the status the case was at when it ended
    stage2: Stage2 = Stage2()
    stage3: Stage3 = Stage3()
    ombudsman: tuple[OmbudsmanEnquiry, ...] = ()  # oldest first
    action_plan: tuple[ActionItem, ...] = ()
    compliment_about: tuple[str, ...] = ()
    compliment_shared: ComplimentShared | None = None
    child_views: ChildViews | None = None
    as_own_complaint: StrictBool = False  # a child disagreed: accepted as the complainant's own complaint
    oral_summary: OralSummary | None = None
    delays: tuple[DelayExplained, ...] = ()
    overdue_told: dict[str, date] = Field(default_factory=dict)  # step -> the start of the deadline told of

    @model_validator(mode="before")
    @classmethod
    def _decided_from_version(cls, data: Any) -> Any:
        if isinstance(data, dict) and "decided" not in data and "version" in data:
            return {**data, "decided": data["version"]}
        return data

    @property
    def track(self) -> Track:
        return track_for(self.kind, self.the_procedure)

    @property
    def the_procedure(self) -> Procedure:
        """The decided or suggested procedure (a comment or compliment, which has none, is tracked as
        feedback whatever this says)."""
        return self.procedure or self.suggested_procedure or Procedure.CORPORATE

    @property
    def made_for_a_child(self) -> bool:
        """Made for a child by someone else (an adult or an advocate), not by the child."""
        complainant = self.complainant
        return not self.by_a_child and (
            complainant.role == "advocate" or complainant.on_behalf_of == "a-child"
        )

    @property
    def child_wording(self) -> bool:
        """Letters in the child's words (with Childline): to a child, never to a care leaver, who is an
        adult (from the role, so cases stored before this rule are written to the same way)."""
        return self.complainant.role in CHILD_WORDING_ROLES

    @property
    def investigator_user(self) -> str | None:
        """The staff user of the appointed investigating officer (their scope: this case at stage 2)."""
        appointed = self.stage2.investigator
        return appointed.person.staff_user if appointed else None

    def awaited_answer(self) -> Deadline | None:
        """The running deadline of the council's answer the complainant waits for now (a stage's
        response, or a step of the review panel), if any."""
        return next((d for d in self.deadlines.values() if d.step in ANSWERS), None)

    def running_stage(self) -> Step | None:
        """The stage whose deadline runs now, if any."""
        step = _RUNNING.get(self.status)
        return step if step is not None and step.value in self.deadlines else None


_RUNNING: dict[Status, Step] = {Status.STAGE1: Step.STAGE1, Status.STAGE2: Step.STAGE2}
#: The steps whose answer the complainant waits for (not their own windows to ask for the next stage).
ANSWERS = frozenset({Step.STAGE1, Step.STAGE2, Step.STAGE3_PANEL, Step.STAGE3_REPORT, Step.STAGE3_RESPONSE})
