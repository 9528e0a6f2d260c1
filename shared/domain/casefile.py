"""The case as one aggregate: a typed :class:`Case` and its single entry point :func:`apply`, which decides
every change an officer (or the complainant, or a timer) asks for: the stage state machine, who may act,
deadlines and their extensions. It returns a :class:`Decision` (the new case, the events to append, the
deadlines that changed) or refuses with :class:`~shared.domain.errors.IllegalTransition` and a reason.
No boto3, no clock of its own: time is passed in.

Commands are the officer API's ``{"action": ...}`` bodies, one model per action (a discriminated union),
so the API validates them and documents each with its fields."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic_core import to_jsonable_python

from shared.domain.calendar import london_date
from shared.domain.errors import IllegalTransition
from shared.domain.policy import CouncilPolicy, Step
from shared.domain.stages import Action, Actor, Status, Track, allowed_actions, next_status, track_for
from shared.domain.triage import ExcludedMatter, route
from shared.domain.vocabulary import Channel, Kind, Outcome, Procedure

Reason = Annotated[str, Field(min_length=10, max_length=2000)]
Text = Annotated[str, Field(min_length=1, max_length=5000)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Stored(BaseModel):
    """Parts of the case as intake stores them (extra keys tolerated: older items may carry more)."""

    model_config = ConfigDict(extra="ignore", frozen=True)


class Advocacy(_Stored):
    offered: bool
    wish: str
    advocate_name: str | None = None
    advocate_organisation: str | None = None
    advocate_email: str | None = None


class Complainant(_Stored):
    role: str
    on_behalf_of: str
    child_name: str | None = None
    name: str | None = None
    email: str | None = None
    phone: str | None = None
    address: str | None = None
    preferred_contact: str


class Details(_Stored):
    what_happened: str
    when_happened: date | None = None
    outcome_wanted: str | None = None
    support_needs: str | None = None
    team_or_worker: str | None = None


class Deadline(_Model):
    """A timed step that is running: from ``start``, due on ``due`` (working days by the policy)."""

    step: Step
    start: date
    due: date
    extended: bool = False
    reason: str | None = None  # why it was extended


class Finding(_Model):
    point: Annotated[str, Field(min_length=1, max_length=500)]
    outcome: Outcome


class Case(_Stored):
    """Everything Heard knows about one representation, typed. Built from the stored item."""

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
    stage1_due: date | None = None
    suggested_procedure: Procedure
    procedure_reason: str
    procedure: Procedure | None = None  # the officer's decision (None until accepted)
    needs_sufficient_interest_decision: bool = False
    late: bool = False
    by_a_child: bool
    about_a_child: bool
    service_area: str | None = None
    advocacy: Advocacy
    complainant: Complainant
    details: Details
    notifications: dict[str, str] = Field(default_factory=dict)
    version: int = 1
    last_event: int = 1  # the sequence number of the last event in the chronology
    allocated_manager: str | None = None
    categories: tuple[str, ...] = ()
    complaint_points: tuple[str, ...] = ()
    deadlines: dict[str, Deadline] = Field(default_factory=dict)  # by Step value
    findings: dict[str, tuple[Finding, ...]] = Field(default_factory=dict)  # by stage
    remedies_pence: int = 0
    routed_to: str | None = None

    @property
    def track(self) -> Track:
        return track_for(self.kind, self.procedure or self.suggested_procedure)

    def possible_actions(self, actor: Actor) -> tuple[str, ...]:
        """The state machine's actions open now to ``actor``, plus the ones any stage allows."""
        open_now = [a.value for a in allowed_actions(self.track, self.status) if _may(self, a, actor)]
        if self.status not in _CLOSED and actor in _STAFF:
            open_now += ["note"]
            if actor is Actor.COMPLAINTS_OFFICER or actor is Actor.SERVICE_MANAGER:
                open_now += ["allocate"]
            if self.running_stage() is not None and actor is Actor.COMPLAINTS_OFFICER:
                open_now += ["extend"]
        return tuple(open_now)

    def running_stage(self) -> Step | None:
        """The stage whose deadline runs now, if any."""
        return _RUNNING.get(self.status)


_CLOSED = frozenset({Status.CLOSED, Status.WITHDRAWN, Status.ROUTED, Status.DECLINED})
_STAFF = frozenset(
    {Actor.COMPLAINTS_OFFICER, Actor.SERVICE_MANAGER, Actor.INVESTIGATOR, Actor.SENIOR_LEADERSHIP}
)
_RUNNING: dict[Status, Step] = {Status.STAGE1: Step.STAGE1, Status.STAGE2: Step.STAGE2}


def _may(case: Case, action: Action, actor: Actor) -> bool:
    try:
        next_status(case.track, case.status, action, actor)
    except IllegalTransition:
        return False
    return True


# --- commands: the officer API's bodies -------------------------------------------------------------


class Accept(_Model):
    """Accept into stage 1 of the procedure the officer chose, with the reasons."""

    action: Literal["accept"]
    procedure: Procedure
    reason: Reason


class Decline(_Model):
    action: Literal["decline"]
    reason: Reason


class RouteElsewhere(_Model):
    """An excluded matter, sent to where it belongs."""

    action: Literal["route"]
    matter: ExcludedMatter
    reason: Reason


class RecordFeedback(_Model):
    """A comment or compliment is recorded (and shared with whoever it is about)."""

    action: Literal["record"]
    categories: tuple[Annotated[str, Field(max_length=100)], ...] = ()


class Allocate(_Model):
    """The manager responsible for the response, with the complaint's categories and points."""

    action: Literal["allocate"]
    manager: Annotated[str, Field(min_length=1, max_length=128)]
    categories: tuple[Annotated[str, Field(max_length=100)], ...] = ()
    complaint_points: tuple[Annotated[str, Field(min_length=1, max_length=500)], ...] = ()


class Extend(_Model):
    """Extend the running stage to its statutory maximum, with the reason; for stage 2, the complainant
    must have been told why and given the new date."""

    action: Literal["extend"]
    reason: Reason
    complainant_told: bool = False


class RespondStage1(_Model):
    action: Literal["respond-stage1"]
    sent_on: date
    findings: tuple[Finding, ...] = Field(min_length=1)
    resolutions: tuple[Annotated[str, Field(max_length=100)], ...] = ()
    remedies_pence: Annotated[int, Field(ge=0)] = 0


class RequestStage2(_Model):
    """The complainant asks for an investigation; after the window closes, only with a recorded reason."""

    action: Literal["request-stage2"]
    requested_on: date
    late_reason: Reason | None = None


class Withdraw(_Model):
    action: Literal["withdraw"]
    reason: Reason


class Close(_Model):
    action: Literal["close"]
    reason: Reason


class Note(_Model):
    """An officer's case note: appended to the chronology, never edited."""

    action: Literal["note"]
    text: Text


Command = Annotated[
    Accept
    | Decline
    | RouteElsewhere
    | RecordFeedback
    | Allocate
    | Extend
    | RespondStage1
    | RequestStage2
    | Withdraw
    | Close
    | Note,
    Field(discriminator="action"),
]


# --- the decision -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class NewEvent:
    """One entry to append to the chronology: the aggregate numbers it."""

    sequence: int
    at: datetime
    actor: Actor
    by: str  # the staff user (or "public", "system")
    action: str
    changes: dict[str, Any]


@dataclass(frozen=True)
class Decision:
    case: Case
    events: tuple[NewEvent, ...]
    deadlines_changed: dict[str, date | None]


def apply(
    case: Case, command: Command, actor: Actor, by: str, now: datetime, policy: CouncilPolicy
) -> Decision:
    """Decide ``command`` on ``case``: the new case (version + 1), the events to append and the deadlines
    that changed, or :class:`IllegalTransition` with the reason and the actions possible now."""
    changes, deadlines = _decide(case, command, actor, now, policy)
    sequence = case.last_event + 1
    running = {**case.deadlines, **{k: v for k, v in deadlines.items() if v is not None}}
    updated = case.model_copy(
        update={
            **changes,
            "version": case.version + 1,
            "last_event": sequence,
            "deadlines": {k: v for k, v in running.items() if k not in deadlines or deadlines[k] is not None},
        }
    )
    recorded = command.model_dump(mode="json", exclude={"action"})
    event = NewEvent(sequence, now, actor, by, command.action, {**recorded, **to_jsonable_python(changes)})
    return Decision(
        case=updated,
        events=(event,),
        deadlines_changed={k: (v.due if v else None) for k, v in deadlines.items()},
    )


def _transition(case: Case, action: Action, actor: Actor) -> Status:
    try:
        return next_status(case.track, case.status, action, actor)
    except IllegalTransition as refused:
        possible = ", ".join(case.possible_actions(actor)) or "none"
        raise IllegalTransition(f"{refused.reason} (possible for you now: {possible})") from refused


def _staff_only(case: Case, action: str, actor: Actor, allowed: frozenset[Actor]) -> None:
    if case.status in _CLOSED:
        raise IllegalTransition(f"the case is {case.status}: no further action is possible")
    if actor not in allowed:
        who = ", ".join(sorted(allowed))
        raise IllegalTransition(f"'{action}' may only be done by: {who}")


def _deadline(policy: CouncilPolicy, procedure: Procedure, step: Step, start: date) -> Deadline:
    return Deadline(step=step, start=start, due=policy.due_date(procedure, step, start))


def _decide(
    case: Case, command: Command, actor: Actor, now: datetime, policy: CouncilPolicy
) -> tuple[dict[str, Any], dict[str, Deadline | None]]:
    """The changes to the case's fields and to its deadlines (None: the deadline stops)."""
    today = london_date(now)
    match command:
        case Accept(procedure=procedure):
            if case.kind is not Kind.COMPLAINT:
                raise IllegalTransition("comments and compliments are recorded, not accepted into a stage")
            status = _transition(case, Action.ACCEPT, actor)
            # Stage 1 runs from receipt (deemed receipt where the policy says so), whatever the day of triage.
            start = case.deemed_received
            return (
                {"status": status, "procedure": procedure},
                {Step.STAGE1.value: _deadline(policy, procedure, Step.STAGE1, start)},
            )
        case Decline():
            return {"status": _transition(case, Action.DECLINE, actor)}, {}
        case RouteElsewhere(matter=matter):
            status = _transition(case, Action.ROUTE, actor)
            return {"status": status, "routed_to": route(matter).destination}, {}
        case RecordFeedback(categories=categories):
            _known(categories, policy.compliment_categories + policy.complaint_categories)
            return {"status": _transition(case, Action.RECORD, actor), "categories": categories}, {}
        case Allocate(manager=manager, categories=categories, complaint_points=points):
            _staff_only(case, "allocate", actor, frozenset({Actor.COMPLAINTS_OFFICER, Actor.SERVICE_MANAGER}))
            _known(categories, policy.complaint_categories + policy.compliment_categories)
            return {"allocated_manager": manager, "categories": categories, "complaint_points": points}, {}
        case Extend(reason=reason, complainant_told=told):
            _staff_only(case, "extend", actor, frozenset({Actor.COMPLAINTS_OFFICER}))
            step = case.running_stage()
            current = case.deadlines.get(step.value) if step else None
            if step is None or current is None:
                raise IllegalTransition(f"no stage is running at status '{case.status}': nothing to extend")
            if current.extended:
                raise IllegalTransition(f"{step} is already extended to its maximum ({current.due})")
            if step is Step.STAGE2 and not told:
                raise IllegalTransition(
                    "a stage 2 extension needs the complainant told in writing why, with the new date"
                )
            procedure = case.procedure or case.suggested_procedure
            due = policy.due_date(procedure, step, current.start, extended=True)
            return {}, {
                step.value: current.model_copy(update={"due": due, "extended": True, "reason": reason})
            }
        case RespondStage1(sent_on=sent_on, findings=findings, remedies_pence=pence):
            if sent_on > today:
                raise IllegalTransition("the response cannot be sent in the future")
            status = _transition(case, Action.RESPOND_STAGE1, actor)
            procedure = case.procedure or case.suggested_procedure
            window = _deadline(policy, procedure, Step.STAGE2_REQUEST, sent_on)
            return (
                {
                    "status": status,
                    "findings": {**case.findings, "stage1": findings},
                    "remedies_pence": case.remedies_pence + pence,
                },
                {Step.STAGE1.value: None, Step.STAGE2_REQUEST.value: window},
            )
        case RequestStage2(requested_on=requested_on, late_reason=late_reason):
            open_window = case.deadlines.get(Step.STAGE2_REQUEST.value)
            if open_window is not None and requested_on > open_window.due and late_reason is None:
                raise IllegalTransition(
                    f"the request came after the window closed on {open_window.due}: accepting it needs a reason"
                )
            status = _transition(case, Action.REQUEST_STAGE2, actor)
            procedure = case.procedure or case.suggested_procedure
            return (
                {"status": status},
                {
                    Step.STAGE2_REQUEST.value: None,
                    Step.STAGE2.value: _deadline(policy, procedure, Step.STAGE2, requested_on),
                },
            )
        case Withdraw():
            status = _transition(case, Action.WITHDRAW, actor)
            return {"status": status}, dict.fromkeys(case.deadlines)
        case Close():
            status = _transition(case, Action.CLOSE, actor)
            return {"status": status}, dict.fromkeys(case.deadlines)
        case Note():
            _staff_only(case, "note", actor, _STAFF)
            return {}, {}
    raise IllegalTransition(f"unknown action {command!r}")  # pragma: no cover - the union is closed


def _known(values: tuple[str, ...], known: tuple[str, ...]) -> None:
    unknown = [v for v in values if v not in known]
    if unknown:
        raise IllegalTransition(f"unknown categories: {', '.join(unknown)} (the council policy lists them)")
