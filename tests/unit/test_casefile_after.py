"""Beside and after the stages: the Ombudsman strand (statutory-rules.md: "Track it as a strand beside
the stages", the enquiry, premature, not investigated, the decision, the remedy and compliance), action
plans from upheld complaints (the annual report's "service improvements and action plans"), shared
compliments, and the case surviving the store's JSON."""

from __future__ import annotations

from datetime import date

import pytest

from shared.domain.casefile import Case
from shared.domain.casefile.catalogue import possible_actions
from shared.domain.errors import IllegalTransition
from shared.domain.stages import Actor, Status
from tests.unit.test_casefile import ACCEPT, act, new_case, respond
from tests.unit.test_casefile_stages import panel_requested

ENQUIRY = {"action": "ombudsman-enquiry", "received_on": "2026-12-01", "ombudsman_reference": "26/001/234"}


def test_an_ombudsman_enquiry_neither_moves_nor_ends_the_stage() -> None:
    accepted = act(
        act(new_case(), ACCEPT), {"action": "extend", "reason": "Records are with another council."}
    )
    case = act(accepted, ENQUIRY, on=date(2026, 12, 1))
    assert case.status is Status.STAGE1 and case.deadlines == accepted.deadlines
    assert case.ombudsman[0].status_at_enquiry is Status.STAGE1
    with pytest.raises(IllegalTransition, match="awaits its outcome"):
        act(case, ENQUIRY, on=date(2026, 12, 1))
    # The LGSCO returns it as premature: the council's stages go on; a later enquiry is a new one.
    case = act(case, {"action": "ombudsman-premature", "returned_on": "2026-12-03"}, on=date(2026, 12, 3))
    assert case.ombudsman[0].returned_premature_on == date(2026, 12, 3) and case.status is Status.STAGE1
    assert "respond-stage1" in possible_actions(case, Actor.SERVICE_MANAGER)
    with pytest.raises(IllegalTransition, match="no Ombudsman enquiry awaits an outcome"):
        act(case, {"action": "ombudsman-not-investigated", "decided_on": "2026-12-04"}, on=date(2026, 12, 4))


def test_after_the_case_closes_the_ombudsman_decides_and_the_council_complies() -> None:
    closed = act(
        respond(act(new_case(), ACCEPT)),
        {"action": "close", "reason": "Stage 1 resolved it."},
        on=date(2026, 12, 10),
    )
    case = act(closed, {**ENQUIRY, "received_on": "2027-02-01"}, on=date(2027, 2, 1))
    assert case.status is Status.CLOSED, "the strand runs after the stages end"
    with pytest.raises(IllegalTransition, match="compliance is recorded once, after the Ombudsman upholds"):
        act(case, {"action": "ombudsman-complied", "complied_on": "2027-06-01"}, on=date(2027, 6, 1))
    decision = {
        "action": "ombudsman-decision",
        "decided_on": "2027-05-03",
        "outcome": "upheld",
        "remedy_pence": 30000,
        "remedies": ["Apology", "Financial remedy"],
        "compliance_due": "2027-06-03",
    }
    with pytest.raises(IllegalTransition, match="cannot be before the enquiry"):
        act(case, {**decision, "decided_on": "2027-01-29"}, on=date(2027, 5, 3))
    with pytest.raises(IllegalTransition, match="did not uphold carries no remedy"):
        act(case, {**decision, "outcome": "not-upheld"}, on=date(2027, 5, 3))
    with pytest.raises(IllegalTransition, match="may only be done by: complaints-officer"):
        act(case, decision, Actor.SENIOR_LEADERSHIP, on=date(2027, 5, 3))
    decided = act(case, decision, on=date(2027, 5, 3))
    assert decided.ombudsman[-1].decision == "upheld" and decided.ombudsman[-1].remedy_pence == 30000
    complied = act(
        decided, {"action": "ombudsman-complied", "complied_on": "2027-05-20"}, on=date(2027, 5, 20)
    )
    assert complied.ombudsman[-1].complied_on == date(2027, 5, 20)
    with pytest.raises(IllegalTransition, match="compliance is recorded once"):
        act(complied, {"action": "ombudsman-complied", "complied_on": "2027-05-21"}, on=date(2027, 5, 21))


def test_an_action_plan_follows_an_upheld_complaint_and_is_monitored_after_closing() -> None:
    not_upheld = {
        "action": "respond-stage1",
        "sent_on": "2026-12-09",
        "findings": [{"point": "Calls", "outcome": "not-upheld"}],
    }
    nothing_upheld = act(act(new_case(), ACCEPT), not_upheld, Actor.SERVICE_MANAGER, on=date(2026, 12, 9))
    item = {
        "action": "add-action",
        "description": "Return calls within a day.",
        "owner": "kim",
        "due_on": "2027-01-29",
    }
    with pytest.raises(IllegalTransition, match="follows a complaint upheld in whole or part"):
        act(nothing_upheld, item, on=date(2026, 12, 10))
    upheld = respond(act(new_case(), ACCEPT))  # "Calls not returned": upheld
    closed = act(upheld, {"action": "close", "reason": "Stage 1 resolved it."}, on=date(2026, 12, 10))
    with pytest.raises(IllegalTransition, match="the action plan has no actions yet"):
        act(closed, {"action": "update-action", "item_id": "A1", "status": "done"}, on=date(2026, 12, 10))
    planned = act(closed, item, Actor.SERVICE_MANAGER, on=date(2026, 12, 10))
    (action,) = planned.action_plan
    assert (action.item_id, action.owner, action.status, action.due_on) == (
        "A1",
        "kim",
        "open",
        date(2027, 1, 29),
    )
    with pytest.raises(IllegalTransition, match="may only be done by: complaints-officer, service-manager"):
        act(planned, {"action": "update-action", "item_id": "A1", "status": "done"}, Actor.INVESTIGATOR)
    with pytest.raises(IllegalTransition, match="has no action A2"):
        act(planned, {"action": "update-action", "item_id": "A2", "status": "done"}, on=date(2027, 1, 20))
    done = act(planned, {"action": "update-action", "item_id": "A1", "status": "done"}, on=date(2027, 1, 20))
    assert done.action_plan[0].status == "done" and done.action_plan[0].done_on == date(2027, 1, 20)


def test_a_compliment_is_shared_with_the_person_and_their_managers_once() -> None:
    compliment = new_case(kind="compliment", outcome_wanted=None)
    share = {"action": "share-compliment", "with_person_on": "2026-11-27", "with_managers_on": "2026-11-27"}
    with pytest.raises(IllegalTransition, match="record the compliment first"):
        act(compliment, share, on=date(2026, 11, 27))
    recorded = act(
        compliment, {"action": "record", "about": ["Jo, fostering social worker"]}, Actor.SERVICE_MANAGER
    )
    with pytest.raises(IllegalTransition, match="cannot be in the future"):
        act(recorded, share, on=date(2026, 11, 26))
    shared = act(recorded, share, Actor.SERVICE_MANAGER, on=date(2026, 11, 27))
    assert shared.compliment_shared is not None and shared.compliment_shared.with_managers_on == date(
        2026, 11, 27
    )
    with pytest.raises(IllegalTransition, match="already shared on 2026-11-27"):
        act(shared, share, on=date(2026, 11, 30))
    with pytest.raises(IllegalTransition, match="only a compliment is shared"):
        act(new_case(), share, on=date(2026, 11, 27))


def test_every_part_of_a_case_survives_the_stores_json() -> None:
    case = act(
        panel_requested(), {"action": "ombudsman-enquiry", "received_on": "2027-02-04"}, on=date(2027, 2, 4)
    )
    case = act(
        case,
        {"action": "hold", "matter": "criminal-investigation", "reason": "Police are investigating."},
        on=date(2027, 2, 5),
    )
    case = act(
        case,
        {"action": "add-action", "description": "Train the team.", "owner": "kim", "due_on": "2027-03-01"},
        on=date(2027, 2, 5),
    )
    stored = case.model_dump(mode="json")
    assert Case.model_validate(stored) == case
    assert stored["paused_deadlines"]["stage3-panel"]["paused_on"] == "2027-02-05"
    assert stored["stage2"]["investigator"]["person"]["line_management_areas"] == ["adoption"]


def test_an_item_stored_before_these_fields_still_loads() -> None:
    stored = new_case().model_dump(mode="json")
    for added in (
        "stage2",
        "stage3",
        "ombudsman",
        "action_plan",
        "hold",
        "paused_deadlines",
        "about_staff",
        "responses",
    ):
        del stored[added]
    assert Case.model_validate(stored).stage2.investigator is None
