"""The procedure's people rules, each from its source: the Children Act 1989 Representations Procedure
(England) Regulations 2006 ("reg"), the Children Act 1989 ("s."), and Getting the Best from Complaints
(DfES 2006, "GBfC"), as ../notes/statutory-rules.md states them. Dates are counted by hand on the
England and Wales calendar, never with the code under test."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from shared.domain.case import register
from shared.domain.casefile import Case, Decision, apply
from shared.domain.casefile.catalogue import possible_actions
from shared.domain.errors import IllegalTransition, NotPermitted
from shared.domain.notices import Purpose
from shared.domain.representation import RepresentationRequest
from shared.domain.stages import Actor, Status
from shared.domain.timers import wake
from tests.conftest import complaint
from tests.unit.test_casefile import ACCEPT, CHILD_AGREES, COMMAND, POLICY, RECEIVED, new_case, respond
from tests.unit.test_casefile_stages import (
    ADJUDICATION,
    ATTESTED,
    PEOPLE,
    fostering_case,
    panel_requested,
    person,
    seat,
    stage2,
)
from tests.unit.test_casefile_stages import act as act_stages

OFFICER, SENIOR, PUBLIC = Actor.COMPLAINTS_OFFICER, Actor.SENIOR_LEADERSHIP, Actor.PUBLIC
#: An external investigator who may also be appointed independent person and sit on panels, and a council
#: officer who answered stage 1 and is registered as an investigator (outside fostering's management).
MORE_PEOPLE = {
    **PEOPLE,
    "alex": person("alex", ["investigator", "independent-person", "panel-member"]),
    "sam": person(
        "sam",
        ["investigator", "independent-person"],
        external=False,
        council_officer=True,
        line_management_areas=["adoption"],
        staff_user="user-service-manager",  # who respond() records as the stage 1 responder
    ),
}


def decide(
    case: Case,
    body: dict[str, Any],
    actor: Actor = OFFICER,
    on: date = date(2027, 1, 5),
    by: str | None = None,
) -> Decision:
    now = datetime.combine(on, RECEIVED.timetz())
    command = COMMAND.validate_python(body)
    return apply(case, command, actor, by or f"user-{actor}", now, POLICY, people=MORE_PEOPLE)


def act(
    case: Case,
    body: dict[str, Any],
    actor: Actor = OFFICER,
    on: date = date(2027, 1, 5),
    by: str | None = None,
) -> Case:
    return decide(case, body, actor, on, by).case


def appoint(case: Case, action: str, person_id: str) -> Case:
    return act(case, {"action": action, "person_id": person_id, "attestation": ATTESTED})


def letters(decision: Decision) -> dict[Purpose, dict[str, Any]]:
    return {owed.purpose: owed.context for owed in decision.notifications}


# --- independence ----------------------------------------------------------------------------------


def test_reg_17_one_person_is_not_both_the_investigator_and_the_independent_person() -> None:
    """Reg 17(2): an independent person takes part in the investigation beside the investigating officer:
    two people, never one in both roles."""
    investigated = appoint(stage2(), "appoint-investigator", "alex")
    with pytest.raises(IllegalTransition, match="Alex investigates this stage 2"):
        appoint(investigated, "appoint-independent-person", "alex")
    independent = appoint(stage2(), "appoint-independent-person", "alex")
    with pytest.raises(IllegalTransition, match="Alex is this stage 2's independent person"):
        appoint(independent, "appoint-investigator", "alex")


def test_gbfc_the_stage_1_responder_is_not_the_stage_2_investigator_nor_its_independent_person() -> None:
    """GBfC stage 2: the investigation is by someone independent of the stage 1 response; reg 2: the
    independent person is no officer of the council (so never the manager who answered stage 1)."""
    case = stage2()
    assert case.responses["stage1"].by == "user-service-manager"
    with pytest.raises(IllegalTransition, match="Sam recorded the stage 1 response"):
        appoint(case, "appoint-investigator", "sam")
    with pytest.raises(IllegalTransition, match="an officer of the council"):
        appoint(case, "appoint-independent-person", "sam")


def test_gbfc_the_investigator_does_not_adjudicate_on_their_own_report() -> None:
    """GBfC stage 2: a senior manager adjudicates on the investigating officer's report: never the
    investigator, even one with the senior manager's role."""
    case = appoint(appoint(stage2(), "appoint-investigator", "ivy"), "appoint-independent-person", "indy")
    report = {
        "action": "record-investigation-report",
        "submitted_on": "2027-01-25",
        "findings": [{"point": "Calls", "outcome": "upheld"}],
    }
    case = act(case, report, Actor.INVESTIGATOR, on=date(2027, 1, 25), by="ivy.staff")
    with pytest.raises(NotPermitted, match="someone else adjudicates on your report"):
        act(case, ADJUDICATION, SENIOR, on=date(2027, 2, 1), by="ivy.staff")
    assert "respond-stage2" not in possible_actions(case, SENIOR, "ivy.staff")
    assert (
        act(case, ADJUDICATION, SENIOR, on=date(2027, 2, 1), by="dora.director").status
        is Status.STAGE2_RESPONDED
    )


def _panel_after_alex_investigated() -> Case:
    case = appoint(appoint(stage2(), "appoint-investigator", "alex"), "appoint-independent-person", "indy")
    report = {
        "action": "record-investigation-report",
        "submitted_on": "2027-01-25",
        "findings": [{"point": "Calls", "outcome": "upheld"}],
    }
    case = act(case, report, on=date(2027, 1, 25))
    case = act(case, ADJUDICATION, SENIOR, on=date(2027, 2, 1))
    return act(case, {"action": "request-stage3", "requested_on": "2027-02-03"}, PUBLIC, on=date(2027, 2, 3))


def test_reg_19_neither_the_stage_2_investigator_nor_its_independent_person_sits_on_the_panel() -> None:
    """Reg 19: the panel is three independent people; the stage 2 independent person may not sit, nor
    (GBfC: a review of the stage 2 investigation) its investigating officer."""
    case = _panel_after_alex_investigated()
    convene = {"action": "convene-panel", "chair": "pan1", "meeting_on": "2027-03-01"}
    with pytest.raises(IllegalTransition, match="Alex was the stage 2 investigating officer"):
        act(case, {**convene, "members": [seat("pan1"), seat("pan2"), seat("alex")]}, on=date(2027, 2, 10))
    with pytest.raises(IllegalTransition, match="Indy was the stage 2 independent person"):
        act(case, {**convene, "members": [seat("pan1"), seat("pan2"), seat("indy")]}, on=date(2027, 2, 10))
    sat = act(case, {**convene, "members": [seat("pan1"), seat("pan2"), seat("pan3")]}, on=date(2027, 2, 10))
    assert sat.stage3.panel is not None and sat.stage3.panel.late_reason is None


def test_reg_19_a_panel_meeting_after_30_working_days_is_recorded_late_with_the_reason_and_told() -> None:
    """Reg 19: the panel meets within 30 working days of the request (Wed 3 Feb 2027: due Wed 17 Mar
    2027, counted in test_casefile_stages). Later only with the reason, and the complainant is told."""
    convene = {
        "action": "convene-panel",
        "members": [seat("pan1"), seat("pan2"), seat("pan3")],
        "chair": "pan1",
    }
    on_time = decide(panel_requested(), {**convene, "meeting_on": "2027-03-17"}, on=date(2027, 2, 10))
    assert letters(on_time) == {}
    late = {**convene, "meeting_on": "2027-03-18"}
    with pytest.raises(IllegalTransition, match=r"meets after 2027-03-17.*needs the reason"):
        decide(panel_requested(), late, on=date(2027, 2, 10))
    decision = decide(
        panel_requested(),
        {**late, "late_reason": "Two panel members are away in March."},
        on=date(2027, 2, 10),
    )
    panel = decision.case.stage3.panel
    assert panel is not None and panel.late_reason == "Two panel members are away in March."
    told = letters(decision)[Purpose.PANEL_DELAYED]
    assert (told["due"], told["meeting_on"]) == (date(2027, 3, 17), date(2027, 3, 18))
    assert told["reason"] == "Two panel members are away in March."


def test_gbfc_an_overdue_stage_tells_the_complainant_and_a_delay_is_explained_with_a_date() -> None:
    """GBfC: a complainant whose answer is late is told why and when to expect it, and may go to the
    Ombudsman (or ask for stage 2: reg 17 lets stage 1's overrun open it). Stage 1 received Thu 26 Nov
    2026 is due Thu 10 Dec; overdue on Fri 11 Dec at 09:00 London (GMT: 09:00 UTC)."""
    accepted = act(new_case(), ACCEPT, on=date(2026, 11, 26))
    timer = accepted.deadlines["stage1"]
    since = datetime(2026, 11, 26, 10, tzinfo=UTC)
    overdue = wake(accepted, "stage1", timer.revision, since, datetime(2026, 12, 11, 9, tzinfo=UTC), POLICY)
    assert overdue.decision is not None
    assert letters(overdue.decision) == {
        Purpose.STAGE_OVERDUE: {
            "reference": "CSC-2026-00001",
            "council": POLICY.council_name,
            "procedure": "statutory",
            "stage": "stage1",
            "due": date(2026, 12, 10),
            "overdue": True,
        }
    }
    reminder = wake(accepted, "stage1", timer.revision, since, datetime(2026, 12, 8, 9, tzinfo=UTC), POLICY)
    assert reminder.decision is not None and letters(reminder.decision) == {}, "a reminder is the staff's"
    explain = {
        "action": "explain-delay",
        "reason": "The social worker who holds the records is away.",
        "expected_on": "2026-12-09",
    }
    with pytest.raises(IllegalTransition, match="cannot be before the due date or today"):
        decide(accepted, explain, on=date(2026, 12, 11))
    explained = decide(accepted, {**explain, "expected_on": "2026-12-18"}, on=date(2026, 12, 11))
    told = letters(explained)[Purpose.STAGE_DELAYED]
    assert (told["stage"], told["due"], told["expected_on"]) == (
        "stage1",
        date(2026, 12, 10),
        date(2026, 12, 18),
    )
    assert told["reason"] == "The social worker who holds the records is away."
    assert explained.case.delays[0].told_on == date(2026, 12, 11)


# --- the child's voice --------------------------------------------------------------------------------


def test_s26a_a_childs_complaint_is_accepted_only_with_the_offer_of_an_advocate_recorded() -> None:
    """s.26A: the council makes arrangements for advocacy and tells children of them: a child's complaint
    goes ahead with the offer recorded, and the acceptance tells the child how to reach one."""
    case = new_case(advocacy_offered=False)
    assert "accept" not in possible_actions(case, OFFICER)
    with pytest.raises(IllegalTransition, match="offer one first"):
        act(case, ACCEPT, on=date(2026, 11, 26))
    offered = act(
        case, {"action": "offer-advocacy", "offered_on": "2026-11-26", "how": "phone"}, on=date(2026, 11, 26)
    )
    decision = decide(offered, ACCEPT, on=date(2026, 11, 26))
    told = letters(decision)[Purpose.CASE_ACCEPTED]
    assert told["has_advocate"] is False
    assert (told["advocacy_service"], told["advocacy_contact"]) == (
        POLICY.advocacy_service_name,
        POLICY.advocacy_service_contact,
    )


def test_gbfc_a_complaint_made_for_a_child_waits_for_the_childs_own_wishes_and_views() -> None:
    """GBfC: when an adult or an advocate complains for a child, the council checks the child's own wishes
    and views; the complaint is not pursued as the child's when the child does not agree with it."""
    for_a_child = new_case(role="parent", on_behalf_of="a-child")
    with pytest.raises(IllegalTransition, match="record the child's own wishes and views first"):
        act(for_a_child, ACCEPT, on=date(2026, 11, 26))
    disagrees = act(for_a_child, {**CHILD_AGREES, "wishes": "does-not-agree"}, on=date(2026, 11, 26))
    with pytest.raises(IllegalTransition, match="their view comes first"):
        act(disagrees, ACCEPT, on=date(2026, 11, 26))
    own = act(disagrees, {**ACCEPT, "as_own_complaint": True}, on=date(2026, 11, 26))
    assert own.status is Status.STAGE1 and own.as_own_complaint
    agrees = act(for_a_child, CHILD_AGREES, on=date(2026, 11, 26))
    with pytest.raises(IllegalTransition, match="as_own_complaint is for"):
        act(agrees, {**ACCEPT, "as_own_complaint": True}, on=date(2026, 11, 26))
    assert act(agrees, ACCEPT, on=date(2026, 11, 26)).child_views is not None
    with pytest.raises(IllegalTransition, match="not made for a child by someone else"):
        act(new_case(), CHILD_AGREES, on=date(2026, 11, 26))


def test_s26a_a_pause_for_an_advocate_needs_one_asked_for_and_tells_the_complainant() -> None:
    """s.26A and statutory-rules "Stage 1 may be paused": the clock stops while an advocate the
    complainant asked for is arranged, and they are told."""
    pause = {"action": "pause-stage1", "reason": "An advocate is being arranged."}
    not_asked = act(new_case(), ACCEPT, on=date(2026, 11, 26))
    with pytest.raises(IllegalTransition, match="only when one was asked for"):
        act(not_asked, pause, on=date(2026, 11, 30))
    asked = act(new_case(advocacy="wants-one"), ACCEPT, on=date(2026, 11, 26))
    decision = decide(asked, pause, on=date(2026, 11, 30))
    told = letters(decision)[Purpose.CASE_ON_HOLD]
    assert (told["matter"], told["since"]) == ("advocate-appointment", date(2026, 11, 30))


# --- eligibility and procedure ------------------------------------------------------------------------


def test_a_declined_complaint_is_answered_in_writing_with_the_reason() -> None:
    """Reg 9 and GBfC: a complaint the council will not consider is answered in writing, with why."""
    reason = "The complaint was made more than a year after the events."
    decision = decide(new_case(), {"action": "decline", "reason": reason}, on=date(2026, 11, 26))
    assert decision.case.status is Status.DECLINED
    assert letters(decision)[Purpose.CASE_DECLINED]["reason"] == reason


def test_an_excluded_matter_found_after_acceptance_is_still_routed_and_the_complainant_told_where() -> None:
    """statutory-rules ("Record the reason and where it was routed"): a safeguarding concern found at
    stage 1 goes to safeguarding procedures; the complainant is told where, and why."""
    accepted = act(new_case(), ACCEPT, on=date(2026, 11, 26))
    route = {"action": "route", "matter": "safeguarding-concern", "reason": "A child may be at risk now."}
    decision = decide(accepted, route, on=date(2026, 11, 30))
    assert decision.case.status is Status.ROUTED and decision.case.deadlines == {}
    told = letters(decision)[Purpose.CASE_ROUTED]
    assert (told["matter"], told["reason"]) == ("safeguarding-concern", "A child may be at risk now.")


def test_a_case_under_the_wrong_procedure_moves_with_its_deadline_recounted_and_the_complainant_told() -> (
    None
):
    """Statutory stage 2 is 25 working days (reg 17(4)); the council's corporate stage 2 is 20. Asked for on
    Mon 4 Jan 2027: statutory due Mon 8 Feb (Jan 5-8: 4, 11-15: 9, 18-22: 14, 25-29: 19, Feb 1-5: 24,
    Feb 8: 25); corporate due Mon 1 Feb (the 20th)."""
    case = stage2()
    assert case.deadlines["stage2"].due == date(2027, 2, 8)
    change = {
        "action": "change-procedure",
        "procedure": "corporate",
        "reason": "About school transport, not care.",
    }
    decision = decide(case, change, on=date(2027, 1, 6))
    assert decision.case.procedure == "corporate" and decision.case.deadlines["stage2"].due == date(
        2027, 2, 1
    )
    assert letters(decision)[Purpose.PROCEDURE_CHANGED]["dues"] == {"stage2": date(2027, 2, 1)}
    with pytest.raises(IllegalTransition, match="already under the corporate procedure"):
        act(decision.case, change, on=date(2027, 1, 6))
    back = decide(decision.case, {**change, "procedure": "statutory"}, on=date(2027, 1, 7))
    assert back.case.deadlines["stage2"].due == date(2027, 2, 8)


def test_gbfc_an_oral_complaint_is_written_down_and_sent_to_the_complainant_to_agree() -> None:
    """GBfC (and reg 16's oral representations): a complaint made by phone or in person is put in
    writing and the complainant asked to agree it."""
    online = new_case()
    summary = {"action": "send-summary", "summary": "Nobody visited in October.", "sent_on": "2026-11-26"}
    with pytest.raises(IllegalTransition, match="by phone or in person, not by online-form"):
        act(online, summary, on=date(2026, 11, 26))
    phoned = online.model_copy(update={"channel": "phone"})
    decision = decide(phoned, summary, on=date(2026, 11, 26))
    assert letters(decision)[Purpose.ORAL_SUMMARY]["summary"] == "Nobody visited in October."
    with pytest.raises(IllegalTransition, match="cannot be before the summary"):
        act(decision.case, {"action": "summary-agreed", "agreed_on": "2026-11-25"}, on=date(2026, 11, 30))
    agreed = act(
        decision.case, {"action": "summary-agreed", "agreed_on": "2026-11-30"}, on=date(2026, 11, 30)
    )
    assert agreed.oral_summary is not None and agreed.oral_summary.agreed_on == date(2026, 11, 30)


# --- dates that cannot lie ------------------------------------------------------------------------------


def test_no_stage_date_precedes_the_receipt_nor_the_step_before_it() -> None:
    """A response cannot be sent before the complaint arrived (Thu 26 Nov 2026), nor a stage 2 request
    made before the stage 1 response it answers (Wed 9 Dec), nor a stage 3 request before the
    adjudication (Mon 1 Feb 2027)."""
    accepted = act(new_case(), ACCEPT, on=date(2026, 11, 26))
    early = {
        "action": "respond-stage1",
        "sent_on": "2026-11-25",
        "findings": [{"point": "Calls", "outcome": "upheld"}],
    }
    with pytest.raises(IllegalTransition, match="cannot be before the complaint's receipt"):
        act(accepted, early, Actor.SERVICE_MANAGER, on=date(2026, 11, 30))
    answered = respond(fostering_case())
    with pytest.raises(IllegalTransition, match="cannot be before the stage 1 response"):
        act(
            answered,
            {"action": "request-stage2", "requested_on": "2026-12-08"},
            PUBLIC,
            on=date(2026, 12, 10),
        )
    adjudicated = act_stages(
        appoint(appoint(stage2(), "appoint-investigator", "ivy"), "appoint-independent-person", "indy"),
        {
            "action": "record-investigation-report",
            "submitted_on": "2027-01-25",
            "findings": [{"point": "Calls", "outcome": "upheld"}],
        },
        Actor.INVESTIGATOR,
        on=date(2027, 1, 25),
        by="ivy.staff",
    )
    adjudicated = act(adjudicated, ADJUDICATION, SENIOR, on=date(2027, 2, 1))
    with pytest.raises(IllegalTransition, match="cannot be before the stage 2 adjudication"):
        act(
            adjudicated,
            {"action": "request-stage3", "requested_on": "2027-01-29"},
            PUBLIC,
            on=date(2027, 2, 2),
        )


def _received_monday_1_march_2027(**overrides: Any) -> Case:
    received = datetime(2027, 3, 1, 10, tzinfo=UTC)
    body = complaint(
        **{"role": "child-looked-after", "on_behalf_of": "myself", "advocacy_offered": True, **overrides}
    )
    request = RepresentationRequest.model_validate(body, context={"today": received.date()})
    new = register(
        request,
        case_id="c3",
        reference="CSC-2026-00003",
        received_at=received,
        registered_at=received,
        policy=POLICY,
    )
    return Case.model_validate(new.case)


def test_resuming_a_stage_paused_after_its_due_date_keeps_its_lateness() -> None:
    """The issue's case: stage 1 received Mon 1 Mar 2027 is due Mon 15 Mar (Mar 2-5: 4, 8-12: 9, 15: 10);
    paused Wed 17 Mar, resumed Mon 22 Mar: stopped three working days (Thu 18, Fri 19, Mon 22), so due
    Thu 18 Mar, still overdue, never reset to the day it resumed."""
    case = act(_received_monday_1_march_2027(advocacy="wants-one"), ACCEPT, on=date(2027, 3, 1))
    assert case.deadlines["stage1"].due == date(2027, 3, 15)
    paused = act(
        case, {"action": "pause-stage1", "reason": "An advocate is being arranged."}, on=date(2027, 3, 17)
    )
    resumed = act(
        paused, {"action": "resume", "reason": "The advocate is in place now."}, on=date(2027, 3, 22)
    )
    assert resumed.deadlines["stage1"].due == date(2027, 3, 18)
    assert resumed.stage_dates["stage1"].due_on == date(2027, 3, 18)


def test_reg_14_an_extension_may_be_for_fewer_days_than_the_maximum_and_the_new_date_is_told() -> None:
    """Reg 14: stage 1 in 10 working days, extendable to 20. Received Thu 26 Nov 2026: due Thu 10 Dec;
    extended by 3: Tue 15 Dec (Fri 11, Mon 14, Tue 15); 7 more are all that is left: Thu 24 Dec (16, 17,
    18, 21, 22, 23, 24), the 20th working day; then no more."""
    accepted = act(new_case(), ACCEPT, on=date(2026, 11, 26))
    extend = {"action": "extend", "reason": "Records are held by another council."}
    first = decide(accepted, {**extend, "working_days": 3}, on=date(2026, 12, 1))
    assert first.case.deadlines["stage1"].due == date(2026, 12, 15)
    told = letters(first)[Purpose.DEADLINE_EXTENDED]
    assert (told["due"], told["previous_due"]) == (date(2026, 12, 15), date(2026, 12, 10))
    with pytest.raises(IllegalTransition, match="at most 7 more working days"):
        act(first.case, {**extend, "working_days": 8}, on=date(2026, 12, 2))
    full = act(first.case, {**extend, "working_days": 7}, on=date(2026, 12, 2))
    assert full.deadlines["stage1"].due == date(2026, 12, 24)
    with pytest.raises(IllegalTransition, match="already extended to its maximum"):
        act(full, extend, on=date(2026, 12, 3))
    assert act(accepted, extend, on=date(2026, 12, 1)).deadlines["stage1"].due == date(2026, 12, 24)


def test_reg_14_further_extensions_leave_the_standard_due_date_for_the_reports() -> None:
    """ "Within timescale" is counted against the standard 10 working days (reg 14): extended by 3 then
    7 more, stage 1 received Thu 26 Nov 2026 keeps its due date Thu 10 Dec, its extended one Thu 24 Dec."""
    accepted = act(new_case(), ACCEPT, on=date(2026, 11, 26))
    extend = {"action": "extend", "reason": "Records are held by another council."}
    first = act(accepted, {**extend, "working_days": 3}, on=date(2026, 12, 1))
    both = act(first, {**extend, "working_days": 7}, on=date(2026, 12, 2))
    dates = both.stage_dates["stage1"]
    assert (dates.due_on, dates.extended_due_on) == (date(2026, 12, 10), date(2026, 12, 24))


def test_gbfc_the_childs_views_are_what_acceptance_weighs() -> None:
    """The child's views are recorded before the complaint is accepted (GBfC); a child who changes their
    mind afterwards withdraws it, rather than a stage carrying on after a recorded disagreement."""
    accepted = act(
        act(new_case(role="parent", on_behalf_of="a-child"), CHILD_AGREES, on=date(2026, 11, 26)),
        ACCEPT,
        on=date(2026, 11, 26),
    )
    with pytest.raises(IllegalTransition, match="possible only at status received"):
        act(accepted, {**CHILD_AGREES, "wishes": "does-not-agree"}, on=date(2026, 11, 30))


def test_s26_3_an_advocate_has_no_complaint_of_their_own_to_pursue() -> None:
    """s.26(3) names who may complain: an advocate acts for the child (s.26A), so when the child does not
    agree, the advocate's complaint cannot go on as the advocate's own."""
    by_advocate = new_case(role="advocate", on_behalf_of="a-child")
    disagrees = act(by_advocate, {**CHILD_AGREES, "wishes": "does-not-agree"}, on=date(2026, 11, 26))
    with pytest.raises(IllegalTransition, match="no complaint of their own"):
        act(disagrees, {**ACCEPT, "as_own_complaint": True}, on=date(2026, 11, 26))
    assert (
        act(
            disagrees, {"action": "decline", "reason": "The child does not want it."}, on=date(2026, 11, 26)
        ).status
        is Status.DECLINED
    )


def test_reg_19_a_late_panel_step_can_be_explained_too() -> None:
    """The panel meets within 30 working days of the request (reg 19; due Wed 17 Mar 2027): a delay there
    is explained to the complainant like a stage's, with the date to expect it."""
    explain = {
        "action": "explain-delay",
        "reason": "Two panel members are away in March.",
        "expected_on": "2027-03-24",
    }
    decision = decide(panel_requested(), explain, on=date(2027, 3, 18))
    told = letters(decision)[Purpose.STAGE_DELAYED]
    assert (told["stage"], told["due"], told["overdue"]) == ("stage3-panel", date(2027, 3, 17), True)


def test_the_complainant_is_told_a_stage_is_overdue_once_even_when_a_pause_moves_its_date() -> None:
    """Stage 1 received Mon 1 Mar 2027 is due Mon 15 Mar; overdue on Tue 16 Mar at 09:00 (GMT: 09:00 UTC);
    paused Wed 17, resumed Mon 22 Mar: due Thu 18 Mar, overdue again on Fri 19 Mar for the staff, but the
    complainant, told on the 16th, is not told again."""
    case = act(_received_monday_1_march_2027(advocacy="wants-one"), ACCEPT, on=date(2027, 3, 1))
    since = datetime(2027, 3, 1, 10, tzinfo=UTC)
    first = wake(
        case, "stage1", case.deadlines["stage1"].revision, since, datetime(2027, 3, 16, 9, tzinfo=UTC), POLICY
    )
    assert first.decision is not None and Purpose.STAGE_OVERDUE in letters(first.decision)
    told = first.decision.case
    paused = act(
        told, {"action": "pause-stage1", "reason": "An advocate is being arranged."}, on=date(2027, 3, 17)
    )
    resumed = act(
        paused, {"action": "resume", "reason": "The advocate is in place now."}, on=date(2027, 3, 22)
    )
    timer = resumed.deadlines["stage1"]
    again = wake(
        resumed,
        "stage1",
        timer.revision,
        datetime(2027, 3, 22, 10, tzinfo=UTC),
        datetime(2027, 3, 23, 9, tzinfo=UTC),
        POLICY,
    )
    assert again.decision is not None and [a.context["alarm"] for a in again.alerts] == ["overdue"]
    assert letters(again.decision) == {}, "told once"
