"""Stages 2 and 3 in the aggregate: the routes into stage 2 (a response, an overrun, an agreement), the
independence of the people appointed, the report and the senior manager's adjudication, the review panel
(regs 18-20), late requests after the window closed the case, reopening, and the letters owed.
Sources: ../notes/statutory-rules.md; the 2006 Regs. Dates are counted by hand on the England and Wales
calendar (Christmas 25 Dec 2026, Boxing Day substitute Mon 28 Dec, New Year 1 Jan 2027, Good Friday
26 Mar and Easter Monday 29 Mar 2027 are not working days)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest

from shared.domain.casefile import Case, Decision, apply
from shared.domain.casefile.catalogue import possible_actions
from shared.domain.errors import IllegalTransition
from shared.domain.people import Person
from shared.domain.stages import Actor, Status
from tests.unit.test_casefile import ACCEPT, CHILD_AGREES, COMMAND, POLICY, RECEIVED, STAFF, new_case, respond
from tests.unit.test_casefile import act as act_


def person(person_id: str, roles: list[str], **declared: Any) -> Person:
    fields: dict[str, Any] = {
        "person_id": person_id,
        "name": person_id.title(),
        "roles": roles,
        "council_officer": False,
        "council_member": False,
        "spouse_or_civil_partner_of_officer_or_member": False,
        "external": True,
    }
    return Person.model_validate({**fields, **declared})


OFFICER = {"external": False, "council_officer": True}
PEOPLE = {
    p.person_id: p
    for p in (
        person(
            "ivy", ["investigator"], **OFFICER, line_management_areas=["adoption"], staff_user="ivy.staff"
        ),
        person(
            "fred", ["investigator"], **OFFICER, line_management_areas=["fostering"], staff_user="fred.staff"
        ),
        person("indy", ["independent-person", "panel-member"]),
        person("clerk", ["independent-person"], **OFFICER),
        person("pan1", ["panel-member"]),
        person("pan2", ["panel-member"]),
        person("pan3", ["panel-member"]),
        person("cllr", ["panel-member"], external=False, council_member=True),
    )
}
ATTESTED = {"attested_on": "2027-01-05", "declarations_true": True, "no_connection_with_the_case": True}


def decide(case: Case, body: dict[str, Any], actor: Actor, on: date, by: str | None = None) -> Decision:
    now = datetime.combine(on, RECEIVED.timetz())
    return apply(
        case,
        COMMAND.validate_python(body),
        actor,
        by or f"user-{actor}",
        now,
        POLICY,
        people=PEOPLE,
        staff=STAFF,
    )


def act(
    case: Case,
    body: dict[str, Any],
    actor: Actor = Actor.COMPLAINTS_OFFICER,
    on: date = date(2027, 1, 5),
    by: str | None = None,
) -> Case:
    return decide(case, body, actor, on, by).case


def fostering_case() -> Case:
    allocated = act_(
        act_(new_case(), ACCEPT), {"action": "allocate", "manager": "kim", "service_area": "fostering"}
    )
    return allocated


def stage2() -> Case:
    """Stage 1 answered Wed 9 Dec 2026; stage 2 asked for Mon 4 Jan 2027."""
    return act(
        respond(fostering_case()),
        {"action": "request-stage2", "requested_on": "2027-01-04"},
        Actor.PUBLIC,
        on=date(2027, 1, 4),
    )


# --- into stage 2 ------------------------------------------------------------------------------------


def test_stage2_before_a_response_only_once_stage1_has_overrun() -> None:
    case = act_(new_case(), ACCEPT)  # stage 1 due Thu 10 Dec 2026
    early = {"action": "request-stage2", "requested_on": "2026-12-10"}
    with pytest.raises(IllegalTransition, match=r"has not overrun its deadline \(due 2026-12-10\)"):
        act(case, early, Actor.PUBLIC, on=date(2026, 12, 10))
    overran = act(case, {**early, "requested_on": "2026-12-11"}, Actor.PUBLIC, on=date(2026, 12, 11))
    assert overran.status is Status.STAGE2 and "stage1" not in overran.deadlines
    # 25 working days after Fri 11 Dec 2026: Dec 14-18 (5), 21-24 (9), 29-31 (12), Jan 4-8 (17), 11-15 (22),
    # 18, 19, 20: Wed 20 Jan 2027.
    assert overran.deadlines["stage2"].due == date(2027, 1, 20)


def test_stage2_by_agreement_is_recorded_by_the_officer_with_a_reason() -> None:
    case = act_(new_case(), ACCEPT)
    agreed = {
        "action": "request-stage2",
        "requested_on": "2026-12-01",
        "agreed_reason": "Both agree stage 1 cannot help.",
    }
    with pytest.raises(IllegalTransition, match="recorded by the complaints officer"):
        act(case, agreed, Actor.PUBLIC, on=date(2026, 12, 1))
    straight = act(case, agreed, on=date(2026, 12, 1))
    # 25 working days after Tue 1 Dec 2026: Dec 2-4 (3), 7-11 (8), 14-18 (13), 21-24 (17), 29-31 (20),
    # Jan 4-8 (25): Fri 8 Jan 2027.
    assert straight.status is Status.STAGE2 and straight.deadlines["stage2"].due == date(2027, 1, 8)


# --- stage 2: appointments, report, adjudication ----------------------------------------------------


def appoint(case: Case, action: str, person_id: str, **kw: Any) -> Case:
    return act(case, {"action": action, "person_id": person_id, "attestation": ATTESTED}, **kw)


def test_the_investigator_must_be_outside_the_line_management_of_the_service_complained_about() -> None:
    with pytest.raises(
        IllegalTransition, match="Fred is in the line management of the service complained about"
    ):
        appoint(stage2(), "appoint-investigator", "fred")
    with pytest.raises(IllegalTransition, match="nobody is not in the people register"):
        appoint(stage2(), "appoint-investigator", "nobody")
    case = appoint(stage2(), "appoint-investigator", "ivy")
    assert case.stage2.investigator is not None and case.investigator_user == "ivy.staff"


def test_an_appointment_needs_the_appointees_attestation() -> None:
    body = {
        "action": "appoint-investigator",
        "person_id": "ivy",
        "attestation": {**ATTESTED, "no_connection_with_the_case": False},
    }
    with pytest.raises(IllegalTransition, match="Ivy has not attested"):
        act(stage2(), body)


def test_the_investigator_is_never_the_person_complained_about() -> None:
    case = act(stage2(), {"action": "about-staff", "staff": ["ivy.staff"]})
    with pytest.raises(IllegalTransition, match="the complaint is about Ivy"):
        appoint(case, "appoint-investigator", "ivy")


def test_naming_the_appointed_investigator_as_complained_about_needs_another_investigator_first() -> None:
    case = appoint(stage2(), "appoint-investigator", "ivy")
    with pytest.raises(
        IllegalTransition, match=r"ivy\.staff investigates the case: appoint someone else first"
    ):
        act(case, {"action": "about-staff", "staff": ["ivy.staff"]})


def test_the_independent_person_is_not_an_officer_of_the_council() -> None:
    with pytest.raises(
        IllegalTransition,
        match=r"Clerk is an officer of the council: an independent person may be neither \(reg 2\)",
    ):
        appoint(stage2(), "appoint-independent-person", "clerk")
    with pytest.raises(IllegalTransition, match="Ivy is not registered as an independent-person"):
        appoint(stage2(), "appoint-independent-person", "ivy")
    assert appoint(stage2(), "appoint-independent-person", "indy").stage2.independent_person is not None


def ready_for_adjudication() -> Case:
    case = appoint(appoint(stage2(), "appoint-investigator", "ivy"), "appoint-independent-person", "indy")
    report = {
        "action": "record-investigation-report",
        "submitted_on": "2027-01-25",
        "findings": [{"point": "Calls", "outcome": "upheld"}],
    }
    return act(case, report, Actor.INVESTIGATOR, on=date(2027, 1, 25), by="ivy.staff")


def test_only_the_appointed_investigator_or_the_officer_records_the_report() -> None:
    case = appoint(appoint(stage2(), "appoint-investigator", "ivy"), "appoint-independent-person", "indy")
    report = {
        "action": "record-investigation-report",
        "submitted_on": "2027-01-25",
        "findings": [{"point": "Calls", "outcome": "upheld"}],
    }
    with pytest.raises(
        IllegalTransition, match="only the investigating officer appointed to this case"
    ) as refused:
        act(case, report, Actor.INVESTIGATOR, on=date(2027, 1, 25), by="fred.staff")
    assert refused.value.reason.endswith("(possible for you now: none)")
    assert possible_actions(case, Actor.INVESTIGATOR, "ivy.staff") == ("record-investigation-report", "note")
    assert possible_actions(case, Actor.INVESTIGATOR, "fred.staff") == ()
    assert act(case, report, on=date(2027, 1, 25)).stage2.report is not None


def test_the_report_waits_for_both_appointments() -> None:
    report = {
        "action": "record-investigation-report",
        "submitted_on": "2027-01-25",
        "findings": [{"point": "Calls", "outcome": "upheld"}],
    }
    only_investigator = appoint(stage2(), "appoint-investigator", "ivy")
    with pytest.raises(IllegalTransition, match="no independent person has been appointed"):
        act(only_investigator, report, on=date(2027, 1, 25))


ADJUDICATION = {
    "action": "respond-stage2",
    "sent_on": "2027-02-01",
    "findings": [{"point": "Calls", "outcome": "upheld"}, {"point": "Plan", "outcome": "not-upheld"}],
    "resolutions": ["Apology"],
    "remedies_pence": 25000,
}


def test_the_adjudication_is_a_senior_managers_after_the_report() -> None:
    with pytest.raises(
        IllegalTransition,
        match="needs an investigating officer appointed, an independent person appointed, the investigation report recorded",
    ):
        act(stage2(), ADJUDICATION, Actor.SENIOR_LEADERSHIP, on=date(2027, 2, 1))
    case = ready_for_adjudication()
    with pytest.raises(IllegalTransition, match="may only be done by: senior-leadership"):
        act(case, ADJUDICATION, Actor.INVESTIGATOR, on=date(2027, 2, 1), by="ivy.staff")
    with pytest.raises(IllegalTransition, match="unknown resolutions: A hug"):
        act(case, {**ADJUDICATION, "resolutions": ["A hug"]}, Actor.SENIOR_LEADERSHIP, on=date(2027, 2, 1))
    decision = decide(case, ADJUDICATION, Actor.SENIOR_LEADERSHIP, date(2027, 2, 1))
    done = decision.case
    assert done.status is Status.STAGE2_RESPONDED and done.responses["stage2"].remedies_pence == 25000
    assert done.remedies_pence == 5000 + 25000  # the stage 1 remedy and this one
    # 20 working days after Mon 1 Feb 2027 to ask for a panel (reg 18): Feb 2-5 (4), 8-12 (9), 15-19 (14),
    # 22-26 (19), Mon 1 Mar (20).
    assert done.deadlines["stage3-request"].due == date(2027, 3, 1)
    (letter,) = decision.notifications
    assert (letter.purpose, letter.template, letter.child_friendly) == (
        "stage2-outcome",
        "stage2_outcome",
        True,
    )
    assert letter.context == {
        "reference": "CSC-2026-00001",
        "council": POLICY.council_name,
        "procedure": "statutory",
        "stage": "stage2",
        "outcome": "partially-upheld",
        "sent_on": date(2027, 2, 1),
        "next_stage": "stage3",
        "escalate_by": date(2027, 3, 1),
    }


# --- stage 3: the review panel (regs 18-20) -----------------------------------------------------------


def adjudicated() -> Case:
    return act(ready_for_adjudication(), ADJUDICATION, Actor.SENIOR_LEADERSHIP, on=date(2027, 2, 1))


def test_a_stage3_request_is_inside_reg_18s_window_or_needs_a_reason() -> None:
    late = {"action": "request-stage3", "requested_on": "2027-03-02"}
    with pytest.raises(
        IllegalTransition, match="after the window closed on 2027-03-01: accepting it needs a reason"
    ):
        act(adjudicated(), late, Actor.PUBLIC, on=date(2027, 3, 2))
    accepted = act(
        adjudicated(), {**late, "late_reason": "The letter went to an old address."}, on=date(2027, 3, 2)
    )
    assert accepted.status is Status.STAGE3_PANEL


def panel_requested() -> Case:
    return act(
        adjudicated(),
        {"action": "request-stage3", "requested_on": "2027-02-03"},
        Actor.PUBLIC,
        on=date(2027, 2, 3),
    )


def test_the_panel_is_convened_within_30_working_days_of_the_request() -> None:
    case = panel_requested()
    # 30 working days after Wed 3 Feb 2027: Feb 4-5 (2), 8-12 (7), 15-19 (12), 22-26 (17), Mar 1-5 (22),
    # 8-12 (27), 15, 16, 17: Wed 17 Mar 2027.
    assert case.deadlines["stage3-panel"].due == date(2027, 3, 17) and "stage3-request" not in case.deadlines


def seat(person_id: str) -> dict[str, Any]:
    return {"person_id": person_id, "attestation": ATTESTED}


@pytest.mark.parametrize(
    ("members", "chair", "reason"),
    [
        (["pan1", "pan2"], "pan1", "three different people"),
        (["pan1", "pan2", "pan2"], "pan1", "three different people"),
        (["pan1", "pan2", "pan3"], "indy", "the chair must be one of the panel's three members"),
        (["pan1", "pan2", "indy"], "pan1", "Indy was the stage 2 independent person and may not sit"),
        (
            ["pan1", "pan2", "cllr"],
            "pan1",
            "Cllr is a member of the council: the panel is three independent people",
        ),
    ],
)
def test_a_panel_is_three_independent_people_with_a_chair_never_the_stage2_independent_person(
    members: list[str], chair: str, reason: str
) -> None:
    body = {
        "action": "convene-panel",
        "members": [seat(m) for m in members],
        "chair": chair,
        "meeting_on": "2027-03-15",
    }
    with pytest.raises(IllegalTransition, match=reason):
        act(panel_requested(), body, on=date(2027, 2, 10))


def test_the_panel_meets_reports_and_the_authority_responds_in_time() -> None:
    body = {
        "action": "convene-panel",
        "members": [seat(m) for m in ("pan1", "pan2", "pan3")],
        "chair": "pan2",
        "meeting_on": "2027-03-15",
    }
    case = panel_requested()
    with pytest.raises(IllegalTransition, match="the panel has not been convened"):
        act(case, {"action": "panel-met", "met_on": "2027-03-15"}, on=date(2027, 3, 15))
    case = act(case, body, on=date(2027, 2, 10))
    assert case.stage3.panel is not None and case.stage3.panel.chair == "pan2"
    too_many = [
        {"role": "advocate", "name": "Ash"},
        {"role": "other", "name": "Gran"},
        {"role": "other", "name": "Aunt"},
    ]
    with pytest.raises(IllegalTransition, match=r"an advocate and one other person \(reg 19\)"):
        act(
            case, {"action": "panel-met", "met_on": "2027-03-15", "attendees": too_many}, on=date(2027, 3, 15)
        )
    met = act(
        case, {"action": "panel-met", "met_on": "2027-03-15", "attendees": too_many[:2]}, on=date(2027, 3, 15)
    )
    # The report within 5 working days of Mon 15 Mar 2027 (reg 20): 16, 17, 18, 19, 22: Mon 22 Mar.
    assert met.status is Status.STAGE3_REPORT and met.deadlines["stage3-report"].due == date(2027, 3, 22)
    report = {
        "action": "panel-reported",
        "reported_on": "2027-03-19",
        "findings": [{"point": "Calls", "outcome": "upheld"}],
        "sent_to_complainant": True,
        "sent_to_independent_person": False,
    }
    with pytest.raises(IllegalTransition, match="goes to the complainant and the independent person"):
        act(met, report, on=date(2027, 3, 19))
    reported = act(met, {**report, "sent_to_independent_person": True}, on=date(2027, 3, 19))
    # The response within 15 working days of Fri 19 Mar 2027: 22-25 (4), (Good Friday 26, Easter Monday
    # 29), 30, 31 (6), Apr 1-2 (8), 5-9 (13), 12, 13: Tue 13 Apr 2027.
    assert reported.deadlines["stage3-response"].due == date(2027, 4, 13)
    response = {
        "action": "respond-stage3",
        "sent_on": "2027-04-01",
        "independent_person_view_considered": True,
        "ombudsman_details_given": False,
    }
    with pytest.raises(IllegalTransition, match="how to go to the Ombudsman"):
        act(reported, response, Actor.SENIOR_LEADERSHIP, on=date(2027, 4, 1))
    with pytest.raises(IllegalTransition, match="independent person's view"):
        act(
            reported,
            {**response, "ombudsman_details_given": True, "independent_person_view_considered": False},
            Actor.SENIOR_LEADERSHIP,
            on=date(2027, 4, 1),
        )
    with pytest.raises(IllegalTransition, match="may only be done by: senior-leadership"):
        act(reported, {**response, "ombudsman_details_given": True}, on=date(2027, 4, 1))
    decision = decide(
        reported, {**response, "ombudsman_details_given": True}, Actor.SENIOR_LEADERSHIP, date(2027, 4, 1)
    )
    assert decision.case.status is Status.STAGE3_RESPONDED and decision.case.deadlines == {}
    (letter,) = decision.notifications
    assert letter.template == "stage3_outcome" and letter.context["next_stage"] == "ombudsman"
    assert letter.context["escalate_by"] is None and letter.context["outcome"] == "upheld"


def test_the_corporate_procedure_ends_at_stage2_with_the_ombudsman_next() -> None:
    case = act_(
        new_case(role="other", on_behalf_of="myself"),
        {"action": "accept", "procedure": "corporate", "reason": "Not a statutory role."},
    )
    case = act(
        respond(case),
        {"action": "request-stage2", "requested_on": "2027-01-04"},
        Actor.PUBLIC,
        on=date(2027, 1, 4),
    )
    with pytest.raises(
        IllegalTransition, match="only the statutory procedure appoints an independent person"
    ):
        appoint(case, "appoint-independent-person", "indy")
    decision = decide(case, ADJUDICATION, Actor.SENIOR_LEADERSHIP, date(2027, 2, 1))
    assert decision.case.deadlines == {} and decision.notifications[0].context["next_stage"] == "ombudsman"
    assert decision.notifications[0].child_friendly is False  # an adult complainant: the adult wording
    with pytest.raises(IllegalTransition, match="corporate procedure has no stage 3"):
        act(
            decision.case,
            {"action": "request-stage3", "requested_on": "2027-02-02"},
            Actor.PUBLIC,
            on=date(2027, 2, 2),
        )


# --- the window closes the case; a late request reopens it; reopening with a reason ------------------


def test_the_window_expiring_closes_the_case_and_a_late_request_reopens_it_into_stage2() -> None:
    responded = respond(act_(new_case(), ACCEPT))  # the window to ask for stage 2 ends Mon 11 Jan 2027
    with pytest.raises(IllegalTransition, match="window is open until 2027-01-11"):
        act(responded, {"action": "window-expired"}, Actor.SYSTEM, on=date(2027, 1, 11))
    closed = act(responded, {"action": "window-expired"}, Actor.SYSTEM, on=date(2027, 1, 12))
    assert (
        closed.status is Status.CLOSED
        and closed.ended_from is Status.STAGE1_RESPONDED
        and closed.deadlines == {}
    )
    late = {"action": "request-stage2", "requested_on": "2027-01-18"}
    with pytest.raises(IllegalTransition, match="may only be done by: complaints-officer"):
        act(closed, late, Actor.PUBLIC, on=date(2027, 1, 18))
    with pytest.raises(IllegalTransition, match="accepting it needs a reason"):
        act(closed, late, on=date(2027, 1, 18))
    reopened = act(
        closed,
        {**late, "late_reason": "The complainant was abroad caring for a parent."},
        on=date(2027, 1, 18),
    )
    # 25 working days after Mon 18 Jan 2027: Jan 19-22 (4), 25-29 (9), Feb 1-5 (14), 8-12 (19), 15-19 (24),
    # Mon 22 Feb (25).
    assert reopened.status is Status.STAGE2 and reopened.deadlines["stage2"].due == date(2027, 2, 22)
    assert reopened.paused_deadlines == {} and reopened.ended_from is None


def test_a_case_closed_early_still_takes_a_stage2_request_inside_the_complainants_window() -> None:
    responded = respond(act_(new_case(), ACCEPT))  # the window to ask for stage 2 ends Mon 11 Jan 2027
    closed = act(
        responded, {"action": "close", "reason": "The complainant is satisfied."}, on=date(2026, 12, 10)
    )
    inside = {"action": "request-stage2", "requested_on": "2027-01-11"}
    assert act(closed, inside, on=date(2027, 1, 11)).status is Status.STAGE2
    with pytest.raises(
        IllegalTransition, match="after the window closed on 2027-01-11: accepting it needs a reason"
    ):
        act(closed, {**inside, "requested_on": "2027-01-12"}, on=date(2027, 1, 12))


def test_a_late_stage3_request_after_closure_needs_the_case_to_have_closed_in_that_window() -> None:
    responded = respond(act_(new_case(), ACCEPT))
    closed = act(
        responded, {"action": "close", "reason": "The complainant is satisfied."}, on=date(2026, 12, 10)
    )
    with pytest.raises(IllegalTransition, match="not in the window to ask for stage 3"):
        act(
            closed,
            {"action": "request-stage3", "requested_on": "2027-01-18", "late_reason": "Wants a panel now."},
            on=date(2027, 1, 18),
        )


def test_reopening_returns_to_where_the_case_ended_and_moves_its_deadline_on() -> None:
    withdrawn = act(
        act_(new_case(), ACCEPT),
        {"action": "withdraw", "reason": "The child says it is sorted."},
        Actor.PUBLIC,
        on=date(2026, 12, 1),
    )
    assert "reopen" in possible_actions(withdrawn, Actor.COMPLAINTS_OFFICER)
    with pytest.raises(IllegalTransition, match="may only be done by: complaints-officer"):
        act(
            withdrawn,
            {"action": "reopen", "reason": "The child asks again."},
            Actor.SERVICE_MANAGER,
            on=date(2026, 12, 14),
        )
    reopened = act(withdrawn, {"action": "reopen", "reason": "The child asks again."}, on=date(2026, 12, 14))
    # Withdrawn Tue 1 Dec with 7 working days left of stage 1 (due Thu 10 Dec); reopened Mon 14 Dec: 15, 16,
    # 17, 18, 21, 22, 23: Wed 23 Dec 2026.
    assert reopened.status is Status.STAGE1 and reopened.deadlines["stage1"].due == date(2026, 12, 23)
    with pytest.raises(IllegalTransition, match="nothing to reopen"):
        act(reopened, {"action": "reopen", "reason": "The child asks again."}, on=date(2026, 12, 14))


# --- letters owed --------------------------------------------------------------------------------------


def test_acceptance_and_extension_owe_the_complainant_a_letter_with_dates_and_no_free_text() -> None:
    accepted = decide(new_case(), ACCEPT, Actor.COMPLAINTS_OFFICER, date(2026, 11, 26))
    (ack,) = accepted.notifications
    assert (ack.purpose, ack.template, ack.recipient) == ("case-accepted", "case_accepted", "complainant")
    assert ack.context == {
        "reference": "CSC-2026-00001",
        "council": POLICY.council_name,
        "procedure": "statutory",
        "stage": "stage1",
        "due": date(2026, 12, 10),  # 10 working days after Thu 26 Nov 2026
        # A child is told how to reach an advocate (s.26A): no advocate is recorded for this one.
        "has_advocate": False,
        "advocacy_service": POLICY.advocacy_service_name,
        "advocacy_contact": POLICY.advocacy_service_contact,
    }
    extended = decide(
        accepted.case,
        {"action": "extend", "reason": "Records are held by another council."},
        Actor.COMPLAINTS_OFFICER,
        date(2026, 12, 1),
    )
    (letter,) = extended.notifications
    assert letter.template == "deadline_extended"
    # 20 working days after Thu 26 Nov 2026: Thu 24 Dec 2026.
    assert letter.context["due"] == date(2026, 12, 24) and letter.context["previous_due"] == date(
        2026, 12, 10
    )
    assert "Records" not in str(letter.context) and "Nobody returned" not in str(ack.context)


def test_the_stage1_outcome_gives_the_right_to_stage2_and_the_date_to_ask_by() -> None:
    accepted = act_(act_(new_case(role="parent", on_behalf_of="a-child"), CHILD_AGREES), ACCEPT)
    body = {
        "action": "respond-stage1",
        "sent_on": "2026-12-09",
        "findings": [{"point": "Calls", "outcome": "not-upheld"}],
    }
    (letter,) = decide(accepted, body, Actor.SERVICE_MANAGER, date(2026, 12, 9)).notifications
    assert letter.child_friendly is False  # a parent: the adult wording
    # 20 working days after Wed 9 Dec 2026: Dec 10-11 (2), 14-18 (7), 21-24 (11), 29-31 (14), Jan 4-8 (19),
    # Mon 11 Jan 2027 (20).
    assert (letter.context["outcome"], letter.context["next_stage"], letter.context["escalate_by"]) == (
        "not-upheld",
        "stage2",
        date(2027, 1, 11),
    )


def test_notes_and_allocations_owe_nothing() -> None:
    assert (
        decide(
            new_case(), {"action": "note", "text": "Called."}, Actor.COMPLAINTS_OFFICER, date(2026, 11, 26)
        ).notifications
        == ()
    )
