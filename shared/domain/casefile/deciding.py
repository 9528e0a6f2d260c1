"""The single entry point that decides a change to a case: :func:`apply` reads the action's row in the
catalogue (who, when, checks), asks its command what it changes, and returns the :class:`Decision`: the
new case (version + 1), the event to append, the deadlines moved and the letters owed. No boto3 and no
clock of its own: time is passed in."""

from __future__ import annotations

from datetime import datetime

from pydantic_core import to_jsonable_python

from shared.domain.calendar import london_date
from shared.domain.casefile.catalogue import CaseCommand, authorise, possible_actions
from shared.domain.casefile.changes import Acting, Changes, Decision, NewEvent, OwedNotification
from shared.domain.casefile.model import Case, StageDates
from shared.domain.errors import IllegalTransition
from shared.domain.people import PeopleRegister
from shared.domain.policy import CouncilPolicy, Step
from shared.domain.staff import StaffRegister
from shared.domain.stages import Actor


def apply(
    case: Case,
    command: CaseCommand,
    actor: Actor,
    by: str,
    now: datetime,
    policy: CouncilPolicy,
    *,
    people: PeopleRegister | None = None,
    staff: StaffRegister | None = None,
) -> Decision:
    """Decide ``command`` on ``case``: the new case (version + 1), the events to append, the deadlines
    that changed and the letters owed; or :class:`IllegalTransition` with the reason and the actions
    possible now. ``people`` holds the register entries the command names (its ``people_named()``);
    ``staff`` the members of staff it names (its ``staff_named()``) and the member ``by`` who takes it."""
    acting = Acting(case, actor, by, london_date(now), policy, people or {}, staff or {})
    try:
        authorise(case, command.action, actor, by)
        out = command.decide(acting)
    except IllegalTransition as refused:
        possible = possible_actions(case, actor, by)
        listed = ", ".join(possible) or "none"
        raise type(refused)(f"{refused.reason} (possible for you now: {listed})", possible) from refused
    undeclared = set(out.letters) - set(command.spec.letters)
    if undeclared:
        raise AssertionError(f"'{command.action}' owes letters its row does not name: {sorted(undeclared)}")
    sequence = case.last_event + 1
    calendar = policy.calendar()
    for key, moved in out.deadlines.items():
        if moved is not None:
            days = calendar.working_days_between(moved.start, moved.due)
            out.deadlines[key] = moved.model_copy(update={"revision": case.version + 1, "working_days": days})
    running = {k: v for k, v in case.deadlines.items() if k not in out.deadlines}
    running |= {k: v for k, v in out.deadlines.items() if v is not None}
    paused = {k: v for k, v in case.paused_deadlines.items() if k not in out.paused}
    paused |= {k: v for k, v in out.paused.items() if v is not None}
    dated = _stage_dates(case, out, policy)
    if dated != case.stage_dates:
        out.fields["stage_dates"] = dated
    updated = case.model_copy(
        update={
            **out.fields,
            "version": case.version + 1,
            "decided": case.decided + (actor is not Actor.SYSTEM),
            "last_event": sequence,
            "deadlines": running,
            "paused_deadlines": paused,
        }
    )
    recorded = command.model_dump(mode="json", exclude={"action"})
    changes = {**recorded, **to_jsonable_python(out.fields), **to_jsonable_python(out.recorded)}
    event = NewEvent(sequence, now, actor, by, command.action, changes)
    context = {
        "reference": case.reference,
        "council": policy.council_name,
        "procedure": updated.the_procedure,
    }
    return Decision(
        case=updated,
        events=(event,),
        deadlines_changed={k: (v.due if v else None) for k, v in out.deadlines.items()},
        notifications=tuple(
            OwedNotification(purpose, case.child_wording, {**context, **extra})
            for purpose, extra in out.letters.items()
        ),
    )


#: The deadline that times each stage, by the stage's key in ``Case.stage_dates`` and ``Case.responses``.
STAGE_STEPS: dict[str, Step] = {"stage1": Step.STAGE1, "stage2": Step.STAGE2, "stage3": Step.STAGE3_PANEL}


def _stage_dates(case: Case, out: Changes, policy: CouncilPolicy) -> dict[str, StageDates]:
    """The stages' dates after ``out``: a stage's deadline set with a new start starts it; an extension
    (the first or a further one) sets its extended due date; a resume moves both due dates on by the
    working days the deadline was stopped; a response records the date it was sent."""
    dates = dict(case.stage_dates)
    for stage, step in STAGE_STEPS.items():
        written = out.deadlines.get(step.value)
        prior = dates.get(stage)
        before = case.deadlines.get(step.value) or case.paused_deadlines.get(step.value)
        extending = (
            written is not None
            and written.extended
            and (before is None or not before.extended or before.extended_by != written.extended_by)
        )
        if written is not None:
            if prior is None or prior.started_on != written.start:
                dates[stage] = StageDates(started_on=written.start, due_on=written.due)
            elif not written.extended:
                dates[stage] = prior.model_copy(update={"due_on": written.due})
            elif extending or prior.extended_due_on is None:
                dates[stage] = prior.model_copy(update={"extended_due_on": written.due})
            else:
                calendar = policy.calendar()
                moved = calendar.working_days_between(prior.extended_due_on, written.due)
                dates[stage] = prior.model_copy(
                    update={
                        "due_on": calendar.add_working_days(prior.due_on, moved),
                        "extended_due_on": written.due,
                    }
                )
        response = out.fields.get("responses", {}).get(stage)
        current = dates.get(stage)
        if response is not None and current is not None and current.sent_on != response.sent_on:
            dates[stage] = current.model_copy(update={"sent_on": response.sent_on})
    return dates
