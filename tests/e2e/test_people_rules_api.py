"""The procedure's people rules as staff meet them: driven through the officer API on the running local
service, with the letters read from its outbox. Sources: the Children Act 1989 Representations Procedure
(England) Regulations 2006 ("reg"), the Children Act 1989 ("s.") and Getting the Best from Complaints
("GBfC"). The service's clock starts on Thursday 26 November 2026 at 10:00 UTC; dates counted by hand."""

from __future__ import annotations

from typing import Any

from tests.conftest import CHILD_AGREES, complaint
from tests.e2e.test_complainants_lifecycle import mail
from tests.e2e.test_officer_lifecycle import (
    CONFLICT,
    MANAGER,
    OFFICER,
    SENIOR,
    Officers,
    declared,
)

ACCEPT = {"action": "accept", "procedure": "statutory", "reason": "Eligible under s.26(3) of the Act."}
FINDING = {"point": "Calls about the care plan were not returned", "outcome": "upheld"}
ATTESTATION = {"attested_on": "2026-11-26", "declarations_true": True, "no_connection_with_the_case": True}


def submit(o: Officers, **overrides: Any) -> str:
    status, _, body = o.http("POST", "/representations", complaint(**overrides))
    assert status == 201, body
    reference: str = body["reference"]
    return reference


def refusal(o: Officers, reference: str, user: str, command: dict[str, Any]) -> tuple[int, str]:
    """What the API answers ``user`` taking ``command`` now: the status and the message."""
    _, etag = o.read(reference, user)
    status, _, body = o.call("POST", f"/cases/{reference}/actions", user, command, {"If-Match": etag})
    return status, str(body.get("message"))


def test_stage_2_is_investigated_by_two_independent_people_in_date_order(officers: Officers) -> None:
    """Reg 17(2): the investigating officer and the independent person are two people; GBfC: neither the
    one who answered stage 1 investigates it; reg 2: the independent person is no officer of the council."""
    o = officers
    o.register(
        declared(
            "cora",
            "Cora Officer",
            ["investigator", "independent-person"],
            external=False,
            council_officer=True,
            line_management_areas=["adoption"],
            staff_user=OFFICER,
        )
    )
    o.register(declared("alex", "Alex External", ["investigator", "independent-person"]))
    o.register(declared("indy", "Indy Person", ["independent-person"]))
    reference = submit(o, on_behalf_of="myself", service_area="social-work")  # a parent's own complaint
    o.act(reference, OFFICER, ACCEPT)
    o.act(reference, OFFICER, {"action": "allocate", "manager": MANAGER, "service_area": "social-work"})
    o.act(reference, OFFICER, {"action": "respond-stage1", "sent_on": "2026-11-26", "findings": [FINDING]})
    o.act(reference, OFFICER, {"action": "request-stage2", "requested_on": "2026-11-26"})
    appoint = {"action": "appoint-investigator", "attestation": ATTESTATION}
    status, message = refusal(o, reference, OFFICER, {**appoint, "person_id": "cora"})
    assert status == CONFLICT and message.startswith("Cora Officer recorded the stage 1 response")
    independent = {"action": "appoint-independent-person", "attestation": ATTESTATION}
    status, message = refusal(o, reference, OFFICER, {**independent, "person_id": "cora"})
    assert status == CONFLICT and "Cora Officer is an officer of the council" in message
    o.act(reference, OFFICER, {**appoint, "person_id": "alex"})
    status, message = refusal(o, reference, OFFICER, {**independent, "person_id": "alex"})
    assert status == CONFLICT and "investigates this stage 2" in message
    case = o.act(reference, OFFICER, {**independent, "person_id": "indy"})
    assert case["stage2"]["investigator"]["person"]["person_id"] == "alex"
    assert case["stage2"]["independent_person"]["person"]["person_id"] == "indy"
    report = {"action": "record-investigation-report", "submitted_on": "2026-11-26", "findings": [FINDING]}
    o.act(reference, OFFICER, report)
    early = {"action": "respond-stage2", "sent_on": "2026-11-25", "findings": [FINDING]}
    status, message = refusal(o, reference, SENIOR, early)
    assert status == CONFLICT and "cannot be before the stage 2 request (2026-11-26)" in message
    assert o.act(reference, SENIOR, {**early, "sent_on": "2026-11-26"})["status"] == "stage2-responded"


def test_the_childs_voice_comes_before_acceptance(officers: Officers) -> None:
    """GBfC: a complaint made for a child waits for the child's own wishes and views, and is not pursued
    as the child's when the child disagrees; s.26A: a child's own complaint needs the offer of an
    advocate recorded, and the acceptance tells the child how to reach one."""
    o = officers
    for_a_child = submit(o, email="parent@example.org")
    status, message = refusal(o, for_a_child, OFFICER, ACCEPT)
    assert status == CONFLICT and "record the child's own wishes and views first" in message
    o.act(for_a_child, OFFICER, {**CHILD_AGREES, "wishes": "does-not-agree"})
    status, message = refusal(o, for_a_child, OFFICER, ACCEPT)
    assert status == CONFLICT and "their view comes first" in message
    case = o.act(for_a_child, OFFICER, {**ACCEPT, "as_own_complaint": True})
    assert case["status"] == "stage1" and case["as_own_complaint"] is True
    assert case["child_views"]["wishes"] == "does-not-agree"

    registration = {
        "channel": "phone",
        "received_on": "2026-11-26",
        "representation": complaint(
            role="child-looked-after", on_behalf_of="myself", name="Riley", email="riley@example.org"
        ),
    }
    status, _, receipt = o.call("POST", "/cases", OFFICER, registration)
    assert status == 201, receipt
    child = receipt["reference"]
    status, message = refusal(o, child, OFFICER, ACCEPT)
    assert status == CONFLICT and "offer one first (offer-advocacy)" in message
    o.act(child, OFFICER, {"action": "offer-advocacy", "offered_on": "2026-11-26", "how": "phone"})
    o.act(child, OFFICER, ACCEPT)
    (accepted,) = [m for m in mail(o, "riley@example.org", child) if "looking into it" in m["subject"]]
    assert "Example Advocacy Service" in accepted["text"] and "0800 000 0000" in accepted["text"]
    o.check_refusals()


def test_a_pause_for_an_advocate_needs_one_asked_for_and_resuming_keeps_the_lateness(
    officers: Officers,
) -> None:
    """s.26A: stage 1 pauses while an advocate the complainant asked for is arranged, and they are told.
    Received Mon 1 Mar 2027: due Mon 15 Mar (reg 14: 10 working days); paused Wed 17 Mar, resumed Mon 22
    Mar: stopped for Thu 18, Fri 19 and Mon 22, so due Thu 18 Mar, still overdue."""
    o = officers
    o.on("2027-03-01")
    pause = {"action": "pause-stage1", "reason": "An advocate is being arranged for the child."}
    not_asked = submit(o, on_behalf_of="myself")
    o.act(not_asked, OFFICER, ACCEPT)
    status, message = refusal(o, not_asked, OFFICER, pause)
    assert status == CONFLICT and "only when one was asked for" in message
    asked = submit(
        o,
        role="child-looked-after",
        on_behalf_of="myself",
        advocacy="wants-one",
        advocacy_offered=True,
        email="kai@example.org",
        name="Kai",
    )
    case = o.act(asked, OFFICER, ACCEPT)
    assert case["deadlines"]["stage1"]["due"] == "2027-03-15"
    o.on("2027-03-17")
    o.act(asked, OFFICER, pause)
    o.on("2027-03-22")
    case = o.act(asked, OFFICER, {"action": "resume", "reason": "The advocate is in place now."})
    assert case["deadlines"]["stage1"]["due"] == "2027-03-18"
    status, _, listed = o.call("GET", "/cases?overdue=true", OFFICER)
    assert status == 200 and asked in [c["reference"] for c in listed["cases"]]
    told = mail(o, "kai@example.org", asked)
    assert any("stopped the clock" in m["text"] and "advocate" in m["text"] for m in told)
    (resumed,) = [m for m in told if "started on your complaint again" in m["subject"]]
    assert "Thursday 18 March 2027" in resumed["text"]


def test_declined_and_routed_complaints_are_answered_in_writing_with_the_reason(officers: Officers) -> None:
    """GBfC: a complaint declined, or sent to another procedure (here a safeguarding concern found at
    stage 1), is answered in writing, saying why and where to go instead."""
    o = officers
    declined = submit(o, on_behalf_of="myself", email="dee@example.org")
    reason = "It is about a school's admissions, which the council's schools appeal decides."
    o.act(declined, OFFICER, {"action": "decline", "reason": reason})
    (letter,) = [m for m in mail(o, "dee@example.org", declined) if "cannot take" in m["subject"]]
    assert reason in letter["text"] and "www.lgo.org.uk" in letter["text"]
    routed = submit(o, on_behalf_of="myself", email="rae@example.org")
    o.act(routed, OFFICER, ACCEPT)
    route = {"action": "route", "matter": "safeguarding-concern", "reason": "A child may be at risk tonight."}
    assert o.act(routed, OFFICER, route)["status"] == "routed"
    (letter,) = [m for m in mail(o, "rae@example.org", routed) if "dealt with elsewhere" in m["subject"]]
    assert "safeguarding" in letter["text"] and "A child may be at risk tonight." in letter["text"]


def test_a_phoned_complaint_is_summarised_and_a_wrong_procedure_is_changed(officers: Officers) -> None:
    """GBfC: an oral complaint is written down and sent to the complainant to agree; a case accepted under
    the wrong procedure moves, its deadlines recounted (corporate stage 1 here is 10 working days too: due
    Thu 10 Dec 2026) and the complainant told."""
    o = officers
    registration = {
        "channel": "phone",
        "received_on": "2026-11-26",
        "representation": complaint(on_behalf_of="myself", email="phil@example.org", name="Phil"),
    }
    status, _, receipt = o.call("POST", "/cases", OFFICER, registration)
    assert status == 201, receipt
    reference = receipt["reference"]
    summary = "You told us nobody returned your calls about your son's care plan for three weeks."
    o.act(reference, OFFICER, {"action": "send-summary", "summary": summary, "sent_on": "2026-11-26"})
    case = o.act(reference, OFFICER, {"action": "summary-agreed", "agreed_on": "2026-11-26"})
    assert case["oral_summary"]["agreed_on"] == "2026-11-26"
    o.act(reference, OFFICER, ACCEPT)
    change = {
        "action": "change-procedure",
        "procedure": "corporate",
        "reason": "It is about the council's website.",
    }
    case = o.act(reference, OFFICER, change)
    assert case["procedure"] == "corporate" and case["deadlines"]["stage1"]["due"] == "2026-12-10"
    sent = mail(o, "phil@example.org", reference)
    (written,) = [m for m in sent if "as we wrote it down" in m["subject"]]
    assert summary in written["text"]
    (changed,) = [m for m in sent if "procedure has changed" in m["subject"]]
    assert (
        "corporate complaints procedure" in changed["text"] and "Thursday 10 December 2026" in changed["text"]
    )


def test_an_extension_for_fewer_days_tells_the_new_date_and_no_response_predates_the_receipt(
    officers: Officers,
) -> None:
    """Reg 14: stage 1 in 10 working days, up to 20. Received Thu 26 Nov 2026: due Thu 10 Dec; extended by
    3 working days: Tue 15 Dec. A response dated before the receipt is refused."""
    o = officers
    reference = submit(o, on_behalf_of="myself", email="ext@example.org")
    o.act(reference, OFFICER, ACCEPT)
    early = {"action": "respond-stage1", "sent_on": "2026-11-25", "findings": [FINDING]}
    status, message = refusal(o, reference, OFFICER, early)
    assert status == CONFLICT and "cannot be before the complaint's receipt (2026-11-26)" in message
    extend = {"action": "extend", "reason": "Records are held by another council.", "working_days": 3}
    case = o.act(reference, OFFICER, extend)
    assert case["deadlines"]["stage1"]["due"] == "2026-12-15"
    (told,) = [m for m in mail(o, "ext@example.org", reference) if "more time" in m["subject"]]
    assert "Tuesday 15 December 2026" in told["text"]
