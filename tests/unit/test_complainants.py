"""Who complains, and how they are written to: a care leaver is an adult (adult wording, no Childline),
whose complaint still follows the statutory procedure (Children Act 1989 s.24D, with the advocacy of
s.26A).

Sources: ../notes/statutory-rules.md ("Who may make a representation"). Every expected date is counted by
hand on the England and Wales calendar, the count in a comment beside it."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from shared.domain.case import register
from shared.domain.casefile import Case, apply
from shared.domain.representation import RepresentationRequest
from shared.domain.stages import Actor, Status
from shared.emails import RenderedEmail, render
from shared.letters import notifications_for
from tests.conftest import complaint
from tests.unit.test_casefile import COMMAND, POLICY, RECEIVED, act, new_case

OFFICER = Actor.COMPLAINTS_OFFICER


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


def care_leaver() -> tuple[Case, dict[str, RenderedEmail]]:
    return registered(role="care-leaver", on_behalf_of="myself", name="Jordan Smith")


def test_a_care_leavers_complaint_follows_the_statutory_procedure_with_the_offer_of_an_advocate() -> None:
    """s.24D: a care leaver's representations are considered under the statutory procedure, as of right
    (no sufficient-interest decision); s.26A: the council must help care leavers making representations,
    so the team is asked to offer an advocate."""
    case, sent = care_leaver()
    assert case.suggested_procedure == "statutory"
    assert not case.needs_sufficient_interest_decision
    alert = sent["team_alert"].text
    assert "Made by a child, a young person or a care leaver: offer an advocate." in alert
    assert "(a child or young person)" not in alert, "an adult"
    accepted = act(case, {"action": "accept", "procedure": "statutory", "reason": "A care leaver: s.24D."})
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
