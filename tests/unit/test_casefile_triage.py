"""Triage in the aggregate: sufficient interest (s.26(3)(e)), late complaints (reg 9's one year and the
discretion), excluded matters routed away against matters reg 8 defers (held, then resumed), advocacy
(s.26A) and conflicts (the person complained about). Sources: ../notes/statutory-rules.md.

Dates are counted by hand on the England and Wales calendar; the count is in a comment beside each."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from pydantic import ValidationError

from shared.domain.casefile import Case, apply
from shared.domain.casefile.catalogue import possible_actions
from shared.domain.errors import IllegalTransition
from shared.domain.stages import Actor, Status
from tests.unit.test_casefile import ACCEPT, CHILD_AGREES, COMMAND, POLICY, RECEIVED, act, new_case

CORPORATE = {"action": "accept", "procedure": "corporate", "reason": "Not a statutory role: corporate."}


def friend() -> Case:
    """A neighbour complaining about a child's care: statutory only if the council finds sufficient
    interest (s.26(3)(e))."""
    return act(new_case(role="other-person-with-sufficient-interest", on_behalf_of="a-child"), CHILD_AGREES)


def test_a_sufficient_interest_case_is_accepted_as_statutory_only_after_a_recorded_decision() -> None:
    case = friend()
    assert case.needs_sufficient_interest_decision
    with pytest.raises(IllegalTransition, match="sufficient-interest decision recorded first"):
        act(case, ACCEPT)
    decided = act(
        case,
        {
            "action": "decide-sufficient-interest",
            "accepted": True,
            "reasons": "Has cared for the child every weekend for two years.",
        },
    )
    assert decided.sufficient_interest is not None and decided.sufficient_interest.accepted
    assert decided.sufficient_interest.decided_on == date(2026, 11, 26)
    assert act(decided, ACCEPT).status is Status.STAGE1


def test_a_refused_sufficient_interest_is_told_and_then_only_the_corporate_procedure_is_open() -> None:
    """s.26(3)(e): the person is told if refused (Heard writes to them: the decision owes the letter, so
    the officer no longer asserts it), and the statutory procedure is then closed to them."""
    refusal = {
        "action": "decide-sufficient-interest",
        "accepted": False,
        "reasons": "No contact with the child for five years.",
    }
    refused = act(friend(), refusal)
    assert refused.sufficient_interest is not None and refused.sufficient_interest.complainant_told
    with pytest.raises(
        IllegalTransition, match="no sufficient interest: accept into the corporate procedure"
    ):
        act(refused, ACCEPT)
    assert act(refused, CORPORATE).procedure == "corporate"


def test_no_sufficient_interest_decision_for_a_role_the_statute_names() -> None:
    with pytest.raises(IllegalTransition, match="no sufficient-interest decision is needed"):
        act(new_case(), {"action": "decide-sufficient-interest", "accepted": True, "reasons": "Ten letters."})


def late_case() -> Case:
    # Received Thu 26 Nov 2026 about Sat 1 Nov 2025: more than 12 months (reg 9).
    return new_case(when_happened="2025-11-01")


def test_a_late_complaint_needs_both_tests_of_the_discretion_before_it_is_accepted() -> None:
    case = late_case()
    assert case.late
    with pytest.raises(IllegalTransition, match="the complaint is late: record the discretion first"):
        act(case, ACCEPT)
    only_one = act(
        case,
        {
            "action": "decide-late-complaint",
            "not_reasonable_to_expect_sooner": True,
            "still_fair_to_consider": False,
            "reasons": "The records of the period were destroyed.",
        },
    )
    with pytest.raises(IllegalTransition, match="was not exercised: decline it"):
        act(only_one, ACCEPT)
    assert (
        act(only_one, {"action": "decline", "reason": "Late, and no longer fair."}).status is Status.DECLINED
    )
    both = act(
        case,
        {
            "action": "decide-late-complaint",
            "not_reasonable_to_expect_sooner": True,
            "still_fair_to_consider": True,
            "reasons": "The child was in hospital for the year; records remain.",
        },
    )
    assert both.late_discretion is not None and both.late_discretion.accepted
    assert act(both, ACCEPT).status is Status.STAGE1


def test_a_late_discretion_needs_reasons() -> None:
    body = {
        "action": "decide-late-complaint",
        "not_reasonable_to_expect_sooner": True,
        "still_fair_to_consider": True,
        "reasons": "          x",  # ten characters, but blank
    }
    with pytest.raises(IllegalTransition, match="must record its reasons"):
        act(late_case(), body)


@pytest.mark.parametrize(
    ("matter", "destination"),
    [
        ("safeguarding-concern", "safeguarding procedures"),
        ("child-protection-conference-decision", "child protection conference"),
        ("court-report", "the court"),
    ],
)
def test_matters_that_belong_elsewhere_are_routed_and_end(matter: str, destination: str) -> None:
    routed = act(new_case(), {"action": "route", "matter": matter, "reason": "Belongs to another procedure."})
    assert routed.status is Status.ROUTED and routed.routed_to is not None and destination in routed.routed_to


@pytest.mark.parametrize(
    "matter",
    [
        "would-prejudice-court-proceedings",
        "would-prejudice-criminal-investigation",
        "would-prejudice-disciplinary-proceedings",
    ],
)
def test_matters_reg_8_defers_are_not_routed_but_held(matter: str) -> None:
    with pytest.raises(IllegalTransition, match="deferred by reg 8, not routed: put the case on hold"):
        act(new_case(), {"action": "route", "matter": matter, "reason": "Care proceedings are running."})


HOLD = {"action": "hold", "matter": "court-proceedings", "reason": "Care proceedings are running."}


def test_a_hold_stops_the_clock_and_resuming_moves_the_deadline_on_by_the_days_held() -> None:
    accepted = act(new_case(), ACCEPT)  # stage 1 due Thu 10 Dec 2026
    held = apply(
        accepted,
        COMMAND.validate_python(HOLD),
        Actor.COMPLAINTS_OFFICER,
        "olivia",
        RECEIVED.replace(day=1, month=12),  # Tue 1 Dec 2026
        POLICY,
    )
    assert held.deadlines_changed == {"stage1": None}
    case = held.case
    assert case.status is Status.STAGE1, "a hold defers; it does not end or move the stage"
    assert case.deadlines == {} and case.hold is not None and case.hold.matter == "court-proceedings"
    respond = {
        "action": "respond-stage1",
        "sent_on": "2026-12-02",
        "findings": [{"point": "Calls", "outcome": "upheld"}],
    }
    with pytest.raises(IllegalTransition, match=r"on hold \(court-proceedings\) since 2026-12-01") as refused:
        act(case, respond, Actor.SERVICE_MANAGER, on=date(2026, 12, 2))
    assert refused.value.reason.endswith("(possible for you now: allocate, note)")
    assert "resume" in possible_actions(case, Actor.COMPLAINTS_OFFICER)
    assert "hold" not in possible_actions(case, Actor.COMPLAINTS_OFFICER)
    case = act(case, {"action": "note", "text": "The hearing is listed for January."}, on=date(2026, 12, 3))
    # Held on Tue 1 Dec with 7 working days left (2, 3, 4, 7, 8, 9, 10 Dec); resumed Mon 14 Dec: the 7th
    # working day after is Wed 23 Dec (15, 16, 17, 18, 21, 22, 23).
    resumed = act(case, {"action": "resume", "reason": "The proceedings have ended."}, on=date(2026, 12, 14))
    assert resumed.hold is None and resumed.deadlines["stage1"].due == date(2026, 12, 23)
    assert resumed.paused_deadlines == {}


def test_resuming_over_christmas_skips_the_holidays() -> None:
    held = act(act(new_case(), ACCEPT), HOLD, on=date(2026, 12, 1))
    # 7 working days left; resumed Mon 21 Dec: 22, 23, 24, (25 Christmas, 28 Boxing Day substitute) 29, 30,
    # 31, (1 Jan) Mon 4 Jan 2027.
    resumed = act(held, {"action": "resume", "reason": "The proceedings have ended."}, on=date(2026, 12, 21))
    assert resumed.deadlines["stage1"].due == date(2027, 1, 4)


def test_stage1_pauses_while_an_advocate_is_appointed_and_an_extension_keeps_the_paused_days() -> None:
    accepted = act(new_case(advocacy="wants-one"), ACCEPT)  # the form offered one, and the child asked
    with pytest.raises(IllegalTransition, match="may only be done by: complaints-officer"):
        act(
            accepted,
            {"action": "pause-stage1", "reason": "An advocate is being found."},
            Actor.SERVICE_MANAGER,
        )
    paused = act(
        accepted, {"action": "pause-stage1", "reason": "An advocate is being found."}, on=date(2026, 11, 30)
    )
    assert paused.hold is not None and paused.hold.matter == "advocate-appointment" and paused.deadlines == {}
    advocate = {
        "action": "record-advocacy",
        "accepted": True,
        "provider": "Coram Voice",
        "advocate_name": "Ash",
    }
    paused = act(paused, advocate, on=date(2026, 12, 2))
    assert paused.advocacy.accepted and paused.advocacy.advocate_organisation == "Coram Voice"
    # Paused Mon 30 Nov with 8 working days left (1, 2, 3, 4, 7, 8, 9, 10 Dec); resumed Fri 4 Dec: 7, 8, 9,
    # 10, 11, 14, 15, 16 Dec, so Wed 16 Dec 2026.
    resumed = act(
        paused, {"action": "resume", "reason": "Ash from Coram Voice is appointed."}, on=date(2026, 12, 4)
    )
    assert resumed.deadlines["stage1"].due == date(2026, 12, 16)
    # Extended by the 10 more working days stage 1 allows (20 in all): 17, 18, 21, 22, 23, 24, 29, 30, 31 Dec
    # and Mon 4 Jan 2027.
    extended = act(
        resumed,
        {"action": "extend", "reason": "The advocate needs time with the child."},
        on=date(2026, 12, 7),
    )
    assert extended.deadlines["stage1"].due == date(2027, 1, 4)


def test_pausing_is_for_stage1_only() -> None:
    with pytest.raises(IllegalTransition, match="only at status stage1, not 'received'"):
        act(new_case(), {"action": "pause-stage1", "reason": "An advocate is being found."})


def test_advocacy_is_offered_then_answered_then_changed() -> None:
    case = new_case(role="parent", on_behalf_of="a-child")
    offer = {"action": "offer-advocacy", "offered_on": "2026-11-26", "how": "phone"}
    case = act(case, offer)
    assert case.advocacy.offered and case.advocacy.offered_how == "phone"
    with pytest.raises(IllegalTransition, match="needs who provides them"):
        act(case, {"action": "record-advocacy", "accepted": True})
    with pytest.raises(IllegalTransition, match="no advocate is recorded as accepted"):
        act(case, {"action": "change-advocacy", "provider": "NYAS", "reason": "The first advocate left."})
    case = act(case, {"action": "record-advocacy", "accepted": True, "provider": "Coram Voice"})
    changed = act(
        case, {"action": "change-advocacy", "provider": "NYAS", "reason": "The first advocate left."}
    )
    assert changed.advocacy.advocate_organisation == "NYAS"
    with pytest.raises(IllegalTransition, match="cannot be in the future"):
        act(new_case(), {**offer, "offered_on": "2026-11-27"})


def test_advocacy_cannot_be_answered_before_it_is_offered() -> None:
    body: dict[str, Any] = complaint_about_adult()
    case = new_case(**body, advocacy_offered=False)
    assert not case.advocacy.offered
    with pytest.raises(IllegalTransition, match="no advocate has been offered yet"):
        act(case, {"action": "record-advocacy", "accepted": False})


def complaint_about_adult() -> dict[str, Any]:
    return {"role": "other", "on_behalf_of": "myself"}


def test_the_person_complained_about_is_never_allocated_the_complaint() -> None:
    case = act(new_case(), {"action": "about-staff", "staff": ["jo.smith"]})
    assert case.about_staff == ("jo.smith",)
    with pytest.raises(
        IllegalTransition, match=r"the complaint is about jo\.smith, who may not be allocated it"
    ):
        act(case, {"action": "allocate", "manager": "jo.smith"}, Actor.SERVICE_MANAGER)
    allocated = act(case, {"action": "allocate", "manager": "kim.lee", "service_area": "fostering"})
    assert allocated.allocated_manager == "kim.lee" and allocated.service_area == "fostering"
    with pytest.raises(IllegalTransition, match=r"allocated to kim\.lee: allocate it to someone else first"):
        act(allocated, {"action": "about-staff", "staff": ["kim.lee"]})
    with pytest.raises(IllegalTransition, match="unknown service area: made-up"):
        act(case, {"action": "allocate", "manager": "kim.lee", "service_area": "made-up"})


def test_a_new_advocate_replaces_the_old_ones_email_which_gets_no_more_copies() -> None:
    case = new_case(
        role="parent",
        on_behalf_of="a-child",
        advocacy="has-one",
        advocate_name="Lee",
        advocate_email="lee@old.example",
    )
    case = act(case, {"action": "offer-advocacy", "offered_on": "2026-11-26", "how": "online-form"})
    case = act(case, {"action": "record-advocacy", "accepted": True, "provider": "Coram Voice"})
    change = {"action": "change-advocacy", "provider": "NYAS", "reason": "The first advocate left."}
    assert act(case, change).advocacy.advocate_email is None
    moved = act(case, {**change, "advocate_email": "kim@nyas.example"})
    assert (moved.advocacy.advocate_name, moved.advocacy.advocate_email) == (None, "kim@nyas.example")
    with pytest.raises(ValidationError):
        act(case, {**change, "advocate_email": "kim@nyas.example, lee@old.example"})
