"""Who complains, and how they are written to: a care leaver is an adult (adult wording, no Childline),
whose complaint still follows the statutory procedure (Children Act 1989 s.24D, with the advocacy of
s.26A); anyone the Act does not name reaches the statutory procedure only after the council decides they
have a sufficient interest in the child's welfare (s.26(3)(e), s.26(3C)(c)), and is told in writing
either way; the roles of s.26(3B) and (3C) are described as the Act describes them.

Sources: ../notes/statutory-rules.md ("Who may make a representation"). Every expected date is counted by
hand on the England and Wales calendar, the count in a comment beside it."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest

from functions.form.journey import ROLES
from shared.domain.case import register
from shared.domain.casefile import Case, OwedNotification, apply
from shared.domain.casefile.catalogue import possible_actions
from shared.domain.errors import IllegalTransition
from shared.domain.notices import Purpose
from shared.domain.representation import RepresentationRequest
from shared.domain.stages import Actor, Status
from shared.emails import RenderedEmail, render
from shared.letters import notifications_for
from tests.conftest import complaint
from tests.unit.test_casefile import CHILD_AGREES, COMMAND, POLICY, RECEIVED, act, new_case

OFFICER = Actor.COMPLAINTS_OFFICER
ACCEPT_STATUTORY = {"action": "accept", "procedure": "statutory", "reason": "Sufficient interest decided."}
ACCEPT_CORPORATE = {"action": "accept", "procedure": "corporate", "reason": "No sufficient interest."}


def registered(**overrides: Any) -> tuple[Case, dict[str, RenderedEmail]]:
    """The case and the emails its registration owes (by template), received and registered Thu 26 Nov
    2026."""
    body = complaint(**overrides)
    request = RepresentationRequest.model_validate(body, context={"today": RECEIVED.date()})
    new = register(
        request,
        case_id="c1",
        reference="CSC-2026-00001",
        received_at=RECEIVED,
        registered_at=RECEIVED,
        policy=POLICY,
    )
    return Case.model_validate(new.case), {n.template: render(n) for n in new.notifications}


def letters(case: Case, body: dict[str, Any], on: date) -> tuple[Case, list[RenderedEmail]]:
    """``body`` applied by a complaints officer on ``on``: the case, and its letters to the complainant,
    rendered."""
    now = datetime.combine(on, RECEIVED.timetz())
    decision = apply(case, COMMAND.validate_python(body), OFFICER, "olivia", now, POLICY)
    owed = notifications_for(decision.notifications, decision.case, decision.events[-1].sequence)
    return decision.case, [render(n) for n in owed]


# --- A care leaver is an adult -------------------------------------------------------------------------


def care_leaver(offered: bool = True) -> tuple[Case, dict[str, RenderedEmail]]:
    """A care leaver's complaint, by default through the form, which offers them an advocate (s.26A)."""
    return registered(
        role="care-leaver", on_behalf_of="myself", name="Jordan Smith", advocacy_offered=offered
    )


def test_a_care_leavers_complaint_follows_the_statutory_procedure_with_the_offer_of_an_advocate() -> None:
    """s.24D: a care leaver's representations are considered under the statutory procedure, as of right
    (no sufficient-interest decision); s.26A: the council must help care leavers making representations,
    so the team is asked to offer an advocate."""
    case, sent = care_leaver(offered=False)  # registered by phone, say: nobody offered one yet
    assert case.suggested_procedure == "statutory"
    assert not case.needs_sufficient_interest_decision
    alert = sent["team_alert"].text
    assert "Made by a child, a young person or a care leaver: offer an advocate." in alert
    assert "(a child or young person)" not in alert, "an adult"
    offered = act(case, {"action": "offer-advocacy", "offered_on": "2026-11-26", "how": "phone"})
    accepted = act(offered, {"action": "accept", "procedure": "statutory", "reason": "A care leaver: s.24D."})
    assert accepted.status is Status.STAGE1 and accepted.procedure == "statutory"


def test_a_care_leaver_is_acknowledged_in_the_adult_wording_without_childline() -> None:
    """A care leaver is an adult (aged 18 to 25: Children Act 1989 ss.23C and 24): addressed as one,
    never told to "tell an adult you trust or call Childline" (Childline is for children)."""
    _, sent = care_leaver()
    acknowledgement = sent["acknowledgement"]
    assert acknowledgement.subject == "We have received your complaint: CSC-2026-00001"
    assert acknowledgement.text.startswith("Dear Jordan,")
    for body in (acknowledgement.text, acknowledgement.html):
        assert "Childline" not in body and "an adult you trust" not in body
        assert "Keep it safe" not in body, "the child's wording"
    # The child's own wording, for contrast: a looked-after child (s.26(3)(a)).
    _, child = registered(role="child-looked-after", on_behalf_of="myself", name="Jordan Smith")
    assert child["acknowledgement"].text.startswith("Hi Jordan,")
    assert "Childline on 0800 1111" in child["acknowledgement"].text


def test_every_letter_to_a_care_leaver_is_in_the_adult_wording() -> None:
    """Each case letter a change owes a care leaver is the adult one: accepted, on hold (the two whose
    child wording names Childline), resumed and the stage 1 outcome."""
    case, _ = care_leaver()
    steps: list[tuple[dict[str, Any], date]] = [
        (
            {"action": "accept", "procedure": "statutory", "reason": "A care leaver: s.24D."},
            date(2026, 11, 26),
        ),
        (
            {"action": "hold", "matter": "court-proceedings", "reason": "Proceedings are running."},
            date(2026, 12, 1),
        ),
        ({"action": "resume", "reason": "The proceedings have ended."}, date(2026, 12, 7)),
    ]
    seen = []
    for body, day in steps:
        case, sent = letters(case, body, day)
        (letter,) = sent
        seen.append(letter.subject)
        assert letter.text.startswith("Dear Jordan,"), body["action"]
        for text in (letter.text, letter.html):
            assert "Childline" not in text and "an adult you trust" not in text, body["action"]
    assert seen == [
        "We are looking into your complaint: CSC-2026-00001",
        "Your complaint is on hold: CSC-2026-00001",
        "Your complaint is going ahead again: CSC-2026-00001",
    ]
    answered = apply(
        case,
        COMMAND.validate_python(
            {
                "action": "respond-stage1",
                "sent_on": "2026-12-09",
                "findings": [{"point": "Pathway plan late", "outcome": "upheld"}],
            }
        ),
        Actor.SERVICE_MANAGER,
        "sam",
        datetime.combine(date(2026, 12, 9), RECEIVED.timetz()),
        POLICY,
    )
    assert [letter.child_friendly for letter in answered.notifications] == [False]


def test_a_care_leaver_stored_before_this_rule_is_written_to_as_an_adult() -> None:
    """The wording follows the role, so a care leaver's case stored with ``by_a_child`` (as every one was)
    still gets the adult letters; the child flag stays, for the advocacy offer and the annual report's
    complaints from children and young people."""
    case, _ = care_leaver()
    assert case.by_a_child and not case.child_wording
    assert new_case().child_wording, "a looked-after child: the child's wording"


# --- Sufficient interest: s.26(3)(e) -------------------------------------------------------------------


def grandmother(role: str = "other") -> Case:
    """A grandmother who chose "None of these" (or "Someone else who cares about a child"): a person the
    Act does not name."""
    return act(new_case(role=role, on_behalf_of="a-child", name="Pat Grand"), CHILD_AGREES)


@pytest.mark.parametrize("role", ["other", "other-person-with-sufficient-interest"])
def test_s26_3_e_a_person_the_act_does_not_name_reaches_the_statutory_procedure_only_after_a_decision(
    role: str,
) -> None:
    """s.26(3)(e): the statutory procedure considers representations from "such other person as the
    authority consider has a sufficient interest in the child's welfare": only once that decision is
    recorded with its reasons, whether or not the person claimed it (the form's "None of these" too)."""
    case = grandmother(role)
    assert case.needs_sufficient_interest_decision
    with pytest.raises(IllegalTransition, match="sufficient-interest decision recorded first"):
        act(case, ACCEPT_STATUTORY)
    assert "decide-sufficient-interest" in possible_actions(case, OFFICER)
    decided, sent = letters(
        case,
        {
            "action": "decide-sufficient-interest",
            "accepted": True,
            "reasons": "She cares for him every weekend.",
        },
        date(2026, 11, 27),
    )
    assert decided.sufficient_interest is not None and decided.sufficient_interest.accepted
    assert decided.sufficient_interest.decided_on == date(2026, 11, 27)
    (letter,) = sent
    assert letter.subject == "Our decision on sufficient interest: CSC-2026-00001"
    for body in (letter.text, letter.html):
        assert "Friday 27 November 2026" in body
        assert "section 26 of the Children Act 1989" in body
        assert "children's social care complaints procedure that the law sets out" in body
        assert "Ombudsman" not in body and "corporate" not in body
    assert act(decided, ACCEPT_STATUTORY).status is Status.STAGE1


def test_s26_3_e_a_refused_person_is_told_why_and_that_the_corporate_procedure_and_ombudsman_are_open() -> (
    None
):
    """statutory-rules: "that decision is recorded with reasons, the person is told if refused". The
    letter says why the statutory procedure is not open to them (the Act names who may use it; anyone
    else only with a sufficient interest, which the council decided they do not have), and that the
    corporate procedure and then the Local Government and Social Care Ombudsman are; it never shows the
    officer's reasons (a letter shows nothing anyone typed but a first name) and offers to explain them."""
    reasons = "No contact with the child for five years, by her own account."
    refusal = {"action": "decide-sufficient-interest", "accepted": False, "reasons": reasons}
    refused, sent = letters(grandmother(), refusal, date(2026, 11, 30))
    (letter,) = sent
    assert letter.text.startswith("Dear Pat,")
    for body in (letter.text, letter.html):
        assert "Monday 30 November 2026" in body
        assert "is not open to you" in body
        assert "council's corporate complaints procedure" in body
        assert all(
            detail in body for detail in ("Local Government and Social Care Ombudsman", "0300 061 0614")
        )
        assert "explain our reasons" in body and "five years" not in body
    with pytest.raises(
        IllegalTransition, match="no sufficient interest: accept into the corporate procedure"
    ):
        act(refused, ACCEPT_STATUTORY)
    assert act(refused, ACCEPT_CORPORATE).procedure == "corporate"


def test_the_decision_letter_has_a_childs_wording_too() -> None:
    """Every letter has both wordings (a young person may be a child's sibling or friend)."""
    owed = OwedNotification(
        Purpose.SUFFICIENT_INTEREST_DECIDED,
        True,
        {"reference": "CSC-2026-00001", "council": "Example City Council", "procedure": "corporate"}
        | {"accepted": False, "decided_on": date(2026, 11, 30)},
    )
    (notification,) = notifications_for([owed], grandmother(), 2)
    email = render(notification)
    assert email.subject == "Our decision about your complaint: CSC-2026-00001"
    assert email.text.startswith("Hi Pat,") and "Monday 30 November 2026" in email.text
    assert "sufficient interest" in email.text and "Ombudsman" in email.text


#: The people the Act names, who complain as of right, typed from the Act: s.26(3)(a)-(d), s.26(3B)
#: (the adoption service's people, Adoption and Children Act 2002 s.3(1), and adoption support), s.26(3C)
#: (special guardianship: (a) the child, (b) a special guardian or a parent, (d) a person who applied for
#: a special guardianship support services assessment under s.14F(3) or (4)) and s.24D (care leavers).
NAMED_BY_THE_ACT = [
    "child-looked-after",
    "child-in-need",
    "parent",
    "person-with-parental-responsibility",
    "local-authority-foster-carer",
    "adopted-child",
    "birth-parent",
    "guardian-in-adoption",
    "prospective-adopter",
    "adoptive-parent",
    "adopted-person",
    "person-receiving-adoption-support",
    "child-subject-to-special-guardianship-order",
    "special-guardian",
    "person-seeking-special-guardianship-support-assessment",
    "care-leaver",
]


@pytest.mark.parametrize("role", NAMED_BY_THE_ACT)
def test_s26_3_to_3c_a_person_the_act_names_needs_no_sufficient_interest_decision(role: str) -> None:
    case = new_case(role=role)
    assert case.suggested_procedure == "statutory" and not case.needs_sufficient_interest_decision
    with pytest.raises(IllegalTransition, match="no sufficient-interest decision is needed"):
        act(case, {"action": "decide-sufficient-interest", "accepted": True, "reasons": "Named by the Act."})
    assert act(case, {**ACCEPT_STATUTORY, "reason": "Named by s.26(3) to (3C)."}).status is Status.STAGE1


def test_not_about_childrens_social_care_no_sufficient_interest_decides_anything() -> None:
    """Eligibility is role and subject (s.26(3): about the council's functions towards the child)."""
    case = new_case(role="other", subject="something-else")
    assert case.suggested_procedure == "corporate" and not case.needs_sufficient_interest_decision
    with pytest.raises(IllegalTransition, match="not about children's social care"):
        act(case, {"action": "decide-sufficient-interest", "accepted": True, "reasons": "About the bins."})


# --- The roles in words: s.26(3B) and (3C) ------------------------------------------------------------


def test_the_form_describes_the_guardians_and_special_guardianship_roles_as_the_act_does() -> None:
    """s.26(3B) with Adoption and Children Act 2002 s.3(1): the guardian is the child's (a child who may
    be adopted, or an adopted person's former guardian), not "a guardian of a birth parent"; s.26(3C)(d):
    a person who has applied for a special guardianship support services assessment."""
    words = {value: (label, hint) for value, label, hint in ROLES}
    assert words["guardian-in-adoption"][0] == "A guardian of a child who was adopted or may be adopted"
    assert "special guardian" in (words["guardian-in-adoption"][1] or "")  # told apart from one
    assert words["special-guardian"] == (
        "A special guardian",
        "A court has made you a child's special guardian",
    )
    assert words["person-seeking-special-guardianship-support-assessment"][0] == (
        "Someone who has asked for an assessment for special guardianship support"
    )
    hint = words["other-person-with-sufficient-interest"][1] or ""
    assert "We will decide" in hint and "tell you" in hint


@pytest.mark.parametrize(
    ("role", "words"),
    [
        ("special-guardian", "Made by: special guardian"),
        (
            "person-seeking-special-guardianship-support-assessment",
            "Made by: person who applied for a special guardianship support assessment",
        ),
        ("guardian-in-adoption", "Made by: guardian of a child who was or may be adopted"),
        ("care-leaver", "Made by: care leaver (an adult)"),
        ("other", "Made by: none of the roles the Children Act names"),
    ],
)
def test_the_team_alert_names_the_role_in_the_acts_words(role: str, words: str) -> None:
    _, sent = registered(role=role)
    alert = sent["team_alert"]
    assert words in alert.text and words.split(": ")[1] in alert.html


def test_the_team_alert_says_a_sufficient_interest_decision_opens_the_statutory_procedure() -> None:
    _, sent = registered(role="other", on_behalf_of="a-child")
    text = sent["team_alert"].text
    assert "Suggested procedure: corporate" in text
    assert "only after you decide they have sufficient interest in the child's welfare" in text
