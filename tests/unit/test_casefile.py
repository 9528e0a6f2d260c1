"""The case aggregate decides every change: the procedure's steps, who may take them, deadlines and
extensions. Expected dates are counted by hand on the England and Wales calendar (working days after
the start; Christmas Day, the Boxing Day substitute on Monday 28 December 2026 and New Year's Day are not
working days), never computed with the code under test."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from pydantic import TypeAdapter, ValidationError

from shared.domain.case import register
from shared.domain.casefile import Case, Command, apply
from shared.domain.casefile.catalogue import possible_actions
from shared.domain.errors import IllegalTransition
from shared.domain.policy import CouncilPolicy
from shared.domain.representation import RepresentationRequest
from shared.domain.staff import StaffMember
from shared.domain.stages import Actor, Status
from tests.conftest import complaint

POLICY = CouncilPolicy()
RECEIVED = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)  # a Thursday
COMMAND: TypeAdapter[Any] = TypeAdapter(Command)
#: The managers these tests allocate cases to: service managers of every area of the policy.
STAFF = {
    name: StaffMember(name, frozenset({Actor.SERVICE_MANAGER}), frozenset(a.id for a in POLICY.service_areas))
    for name in ("manager-1", "kim", "kim.lee")
}


def new_case(**overrides: Any) -> Case:
    # The form offers every child an advocate (s.26A), so a child's complaint can be accepted at once.
    defaults = {"role": "child-looked-after", "on_behalf_of": "myself", "advocacy_offered": True}
    body = complaint(**{**defaults, **overrides})
    request = RepresentationRequest.model_validate(body, context={"today": RECEIVED.date()})
    new = register(
        request,
        case_id="c1",
        reference="CSC-2026-00001",
        received_at=RECEIVED,
        registered_at=RECEIVED,
        policy=POLICY,
    )
    return Case.model_validate(new.case)


def act(
    case: Case, body: dict[str, Any], actor: Actor = Actor.COMPLAINTS_OFFICER, on: date | None = None
) -> Case:
    now = datetime.combine(on or RECEIVED.date(), RECEIVED.timetz())
    return apply(case, COMMAND.validate_python(body), actor, f"user-{actor}", now, POLICY, staff=STAFF).case


ACCEPT = {"action": "accept", "procedure": "statutory", "reason": "A looked-after child: s.26(3)(a)."}
#: The child's own wishes and views, found out by the officer before a complaint someone else made for
#: them is accepted (Getting the Best from Complaints: the council checks the child agrees).
CHILD_AGREES = {
    "action": "record-child-views",
    "wishes": "agrees",
    "how": "met-the-child",
    "ascertained_on": "2026-11-26",
    "summary": "Wants the visits to start again.",
}


def test_a_registered_representation_is_a_typed_case() -> None:
    case = new_case()
    assert case.status is Status.RECEIVED and case.version == 1 and case.last_event == 1
    assert case.track == "statutory"
    assert {"accept", "decline", "route"} <= set(possible_actions(case, Actor.COMPLAINTS_OFFICER))
    assert "accept" not in possible_actions(case, Actor.SERVICE_MANAGER)


def test_accepting_starts_stage1_from_receipt_and_records_who_did_it() -> None:
    case = new_case()
    decision = apply(
        case, COMMAND.validate_python(ACCEPT), Actor.COMPLAINTS_OFFICER, "olivia", RECEIVED, POLICY
    )
    accepted = decision.case
    assert accepted.status is Status.STAGE1 and accepted.procedure == "statutory"
    assert accepted.deadlines["stage1"].due == date(2026, 12, 10)  # 10 working days after Thu 26 Nov
    assert decision.deadlines_changed == {"stage1": date(2026, 12, 10)}
    assert accepted.version == 2 and accepted.last_event == 2
    (event,) = decision.events
    assert (event.sequence, event.actor, event.by, event.action) == (
        2,
        Actor.COMPLAINTS_OFFICER,
        "olivia",
        "accept",
    )
    assert event.changes["status"] == "stage1" and "looked-after" in event.changes["reason"]
    assert case.status is Status.RECEIVED, "the case itself is never changed"


def test_the_wrong_role_is_refused_with_what_it_may_do_now() -> None:
    with pytest.raises(IllegalTransition) as refused:
        act(new_case(), ACCEPT, Actor.SERVICE_MANAGER)
    assert "may only be done by: complaints-officer" in refused.value.reason
    possible = refused.value.reason.split("(possible for you now: ", 1)[1].rstrip(")").split(", ")
    # A service manager may allocate and write notes at triage; the rest is the complaints officer's.
    assert sorted(possible) == ["allocate", "note"]


def test_stage1_extends_once_to_twenty_working_days() -> None:
    case = act(act(new_case(), ACCEPT), {"action": "extend", "reason": "An advocate is being appointed."})
    assert case.deadlines["stage1"].due == date(2026, 12, 24)  # 20 working days after Thu 26 Nov
    assert case.deadlines["stage1"].extended
    with pytest.raises(IllegalTransition, match="already extended"):
        act(case, {"action": "extend", "reason": "Another reason given here."})
    with pytest.raises(IllegalTransition, match="may only be done by"):
        act(
            act(new_case(), ACCEPT),
            {"action": "extend", "reason": "Managers cannot extend."},
            Actor.SERVICE_MANAGER,
        )


def respond(case: Case, on: date = date(2026, 12, 9)) -> Case:
    body = {
        "action": "respond-stage1",
        "sent_on": on.isoformat(),
        "findings": [{"point": "Calls not returned", "outcome": "upheld"}],
        "remedies_pence": 5000,
    }
    return act(case, body, Actor.SERVICE_MANAGER, on=on)


def test_the_stage1_response_opens_the_window_to_ask_for_stage2() -> None:
    case = respond(act(new_case(), ACCEPT))
    assert case.status is Status.STAGE1_RESPONDED
    assert "stage1" not in case.deadlines
    # 20 working days after Wed 9 Dec 2026, over Christmas and New Year: Mon 11 Jan 2027.
    assert case.deadlines["stage2-request"].due == date(2027, 1, 11)
    assert case.remedies_pence == 5000 and case.findings["stage1"][0].outcome == "upheld"


def test_a_response_dated_in_the_future_is_refused() -> None:
    tomorrow = {
        "action": "respond-stage1",
        "sent_on": "2026-11-27",
        "findings": [{"point": "x", "outcome": "upheld"}],
    }
    with pytest.raises(IllegalTransition, match="future"):
        act(act(new_case(), ACCEPT), tomorrow, Actor.SERVICE_MANAGER)  # acted on Thu 26 Nov


def test_a_late_request_for_stage2_needs_a_reason_and_stage2_runs_from_the_request() -> None:
    responded = respond(act(new_case(), ACCEPT))
    late = {"action": "request-stage2", "requested_on": "2027-01-12"}
    with pytest.raises(IllegalTransition, match="after the window closed on 2027-01-11"):
        act(responded, late, Actor.PUBLIC, on=date(2027, 1, 12))
    case = act(
        responded,
        {**late, "late_reason": "The complainant was in hospital until 11 January."},
        Actor.COMPLAINTS_OFFICER,
        on=date(2027, 1, 12),
    )
    assert case.status is Status.STAGE2
    assert case.deadlines["stage2"].due == date(2027, 2, 16)  # 25 working days after Tue 12 Jan 2027
    assert "stage2-request" not in case.deadlines
    with pytest.raises(IllegalTransition, match="told in writing"):
        act(case, {"action": "extend", "reason": "The investigation needs more time."})
    extended = act(
        case, {"action": "extend", "reason": "The investigation needs more time.", "complainant_told": True}
    )
    # 65 working days after Tue 12 Jan 2027, skipping Good Friday 26 and Easter Monday 29 March: Thu 15 April.
    assert extended.deadlines["stage2"].due == date(2027, 4, 15)


def test_a_stage1_response_cannot_be_recorded_once_stage2_runs() -> None:
    responded = respond(act(new_case(), ACCEPT))
    stage2 = act(
        responded,
        {"action": "request-stage2", "requested_on": "2027-01-04"},
        Actor.PUBLIC,
        on=date(2027, 1, 4),
    )
    assert stage2.deadlines["stage2"].due == date(2027, 2, 8)  # 25 working days after Mon 4 Jan 2027
    late_answer = {
        "action": "respond-stage1",
        "sent_on": "2027-01-05",
        "findings": [{"point": "x", "outcome": "upheld"}],
    }
    with pytest.raises(
        IllegalTransition, match="'respond-stage1' is not possible for a statutory case at status 'stage2'"
    ):
        act(stage2, late_answer, Actor.SERVICE_MANAGER, on=date(2027, 1, 5))


def test_a_compliment_is_recorded_not_accepted() -> None:
    compliment = new_case(kind="compliment", outcome_wanted=None)
    with pytest.raises(IllegalTransition, match="recorded, not accepted"):
        act(compliment, ACCEPT)
    with pytest.raises(IllegalTransition, match="records who it is about"):
        act(compliment, {"action": "record", "categories": []}, Actor.SERVICE_MANAGER)
    recorded = act(
        compliment, {"action": "record", "categories": [], "about": ["Fostering team"]}, Actor.SERVICE_MANAGER
    )
    assert recorded.status is Status.CLOSED and recorded.compliment_about == ("Fostering team",)


def test_withdrawing_stops_every_deadline_and_closes_the_case_to_further_steps() -> None:
    case = act(
        act(new_case(), ACCEPT),
        {"action": "withdraw", "reason": "The child says it is sorted now."},
        Actor.PUBLIC,
    )
    assert case.status is Status.WITHDRAWN and case.deadlines == {}
    for body in (ACCEPT, {"action": "note", "text": "A note"}):
        with pytest.raises(IllegalTransition, match="withdrawn"):
            act(case, body)


def test_notes_and_allocation_append_to_the_chronology_without_moving_the_stage() -> None:
    case = act(new_case(), {"action": "note", "text": "Rang the foster carer."})
    assert case.status is Status.RECEIVED and case.version == 2 and case.last_event == 2
    case = act(
        case,
        {
            "action": "allocate",
            "manager": "manager-1",
            "categories": ["Poor communication"],
            "service_area": "fostering",
        },
    )
    assert case.allocated_manager == "manager-1" and case.last_event == 3
    with pytest.raises(IllegalTransition, match="unknown categories: Made up"):
        act(case, {"action": "allocate", "manager": "m", "categories": ["Made up"]})
    with pytest.raises(IllegalTransition, match="may only be done by"):
        act(case, {"action": "note", "text": "The public cannot write notes."}, Actor.PUBLIC)


@pytest.mark.parametrize(
    "body",
    [
        {"action": "accept", "procedure": "statutory"},  # no reason
        {"action": "accept", "procedure": "statutory", "reason": "short"},
        {"action": "accept", "procedure": "made-up", "reason": "A long enough reason."},
        {"action": "teleport"},
        {"action": "note", "text": ""},
        {"action": "respond-stage1", "sent_on": "2026-12-09", "findings": []},
    ],
)
def test_a_malformed_command_is_refused_before_the_case_is_touched(body: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        COMMAND.validate_python(body)
