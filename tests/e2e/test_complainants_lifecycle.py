"""Who may use the statutory procedure, and what they are told, over real HTTP on the local service with
the officer API's real tokens (as tests/e2e/test_officer_lifecycle.py): a grandmother's complaint made by
phone weeks before it is registered, acknowledged without a date already past; the council's decision on
her sufficient interest in the child's welfare (Children Act 1989 s.26(3)(e)) made, in writing, before
the statutory procedure opens, and a refusal that leaves the corporate procedure; a care leaver (an
adult, s.24D) written to as an adult from the acknowledgement on.

The clock is the suite's: Thursday 26 November 2026, 10:00 UTC. Every date is counted by hand on the
England and Wales calendar (November 2026 has no bank holiday); the count is in a comment beside it."""

from __future__ import annotations

from typing import Any

from tests.conftest import CHILD_AGREES, complaint
from tests.e2e.test_officer_lifecycle import CONFLICT, FORBIDDEN, OFFICER, SENIOR, Officers


def mail(officers: Officers, to: str, reference: str) -> list[dict[str, Any]]:
    """What the outbox holds for ``to`` about ``reference``, oldest first, once the stream is delivered."""
    officers.service.settle()
    status, _, sent = officers.http("GET", "/_local/outbox")
    assert status == 200
    return [m for m in sent if m["to"] == to and reference in m["subject"]]


def by_phone(officers: Officers, received_on: str, **representation: Any) -> dict[str, Any]:
    body = {"channel": "phone", "received_on": received_on, "representation": complaint(**representation)}
    status, _, receipt = officers.call("POST", "/cases", OFFICER, body)
    assert status == 201, receipt
    return receipt


GRANDMOTHER = {
    "role": "other",  # "None of these": a person the Act does not name
    "on_behalf_of": "a-child",
    "name": "Pat Grand",
    "email": "pat@example.org",
    "what_happened": "My grandson was moved to a new placement and nobody told me.",
    "when_happened": "2026-10-20",
}


def test_s26_3_e_sufficient_interest_is_decided_in_writing_before_the_statutory_procedure(
    officers: Officers,
) -> None:
    o = officers
    # Phoned in on Mon 2 Nov 2026, registered on Thu 26 Nov. Suggested the corporate procedure (no role
    # the Act names): acknowledgement in 5 working days, 3, 4, 5, 6, 9 -> Mon 9 Nov; stage 1 in 10, ...,
    # 10, 11, 12, 13, 16 -> Mon 16 Nov. Both have passed when it is registered.
    receipt = by_phone(o, "2026-11-02", **GRANDMOTHER)
    reference = receipt["reference"]
    assert (receipt["acknowledgement_due"], receipt["response_due"]) == ("2026-11-09", "2026-11-16")
    (acknowledgement,) = mail(o, "pat@example.org", reference)
    text = " ".join(acknowledgement["text"].split())
    assert "contact you by Friday 27 November 2026" in text  # the working day after Thu 26 Nov
    assert "Our full response was due by Monday 16 November 2026" in text and "already passed" in text
    assert "Monday 9 November 2026" not in text and "We aim to respond in full by" not in text

    view, _ = o.read(reference)
    assert view["case"]["needs_sufficient_interest_decision"] is True
    assert "decide-sufficient-interest" in view["possible_actions"]
    accept = {"action": "accept", "procedure": "statutory", "reason": "Sufficient interest: s.26(3)(e)."}
    o.refused(reference, OFFICER, accept, CONFLICT)  # not before the decision
    decision = {
        "action": "decide-sufficient-interest",
        "accepted": True,
        "reasons": "She has looked after him every weekend since he was born.",
        "child_told": True,
    }
    o.refused(reference, SENIOR, decision, FORBIDDEN)  # triage is the complaints officer's
    case = o.act(reference, OFFICER, decision)
    assert case["sufficient_interest"]["accepted"] is True
    assert case["sufficient_interest"]["decided_on"] == "2026-11-26"
    letters = mail(o, "pat@example.org", reference)
    assert [m["subject"] for m in letters] == [
        f"We have received your complaint: {reference}",
        f"Our decision on sufficient interest: {reference}",
    ]
    told = letters[1]
    assert told["text"].startswith("Dear Pat,") and "Thursday 26 November 2026" in told["text"]
    assert "you have a sufficient interest" in told["text"]
    assert "looked after him" not in told["text"], "the officer's reasons stay in Heard"
    o.act(reference, OFFICER, CHILD_AGREES)  # made for her grandson: his own view first
    assert o.act(reference, OFFICER, accept)["procedure"] == "statutory"
    o.check_refusals()


def test_s26_3_e_a_refusal_is_told_and_leaves_the_corporate_procedure(officers: Officers) -> None:
    o = officers
    receipt = by_phone(o, "2026-11-25", **{**GRANDMOTHER, "email": "neighbour@example.org", "name": "Kim"})
    reference = receipt["reference"]
    refusal = {
        "action": "decide-sufficient-interest",
        "accepted": False,
        "reasons": "A neighbour with no part in the child's life.",
    }
    o.act(reference, OFFICER, refusal)
    *_, told = mail(o, "neighbour@example.org", reference)
    assert told["subject"] == f"Our decision on sufficient interest: {reference}"
    for body in (told["text"], told["html"]):
        assert "is not open to you" in body and "corporate complaints procedure" in body
        assert "Local Government and Social Care Ombudsman" in body
    o.act(reference, OFFICER, CHILD_AGREES)
    accept = {"action": "accept", "procedure": "statutory", "reason": "Tried under the statute anyway."}
    o.refused(reference, OFFICER, accept, CONFLICT)
    corporate = {"action": "accept", "procedure": "corporate", "reason": "No sufficient interest: corporate."}
    assert o.act(reference, OFFICER, corporate)["procedure"] == "corporate"
    o.check_refusals()


def test_a_care_leaver_is_written_to_as_an_adult_and_keeps_the_statutory_procedure(
    officers: Officers,
) -> None:
    """s.24D: a care leaver's complaint follows the statutory procedure as of right; a care leaver is an
    adult, so every letter is the adult one, without the child's Childline line."""
    o = officers
    body = complaint(
        role="care-leaver",
        on_behalf_of="myself",
        name="Jordan",
        email="jordan@example.org",
        advocacy_offered=True,
    )
    status, _, receipt = o.http("POST", "/representations", body)
    assert status == 201, receipt
    reference = receipt["reference"]
    view, _ = o.read(reference)
    assert view["case"]["suggested_procedure"] == "statutory"
    assert view["case"]["needs_sufficient_interest_decision"] is False
    accept = {"action": "accept", "procedure": "statutory", "reason": "A care leaver: s.24D."}
    o.act(reference, OFFICER, accept)
    letters = mail(o, "jordan@example.org", reference)
    assert [m["subject"] for m in letters] == [
        f"We have received your complaint: {reference}",
        f"We are looking into your complaint: {reference}",
    ]
    for letter in letters:
        assert letter["text"].startswith("Dear Jordan,")
        assert "Childline" not in letter["text"] and "Childline" not in letter["html"]
