"""The letters a case change owes: addressed by :func:`notifications_for` (who gets them, under which id,
with which context), and rendered in both wordings, text and HTML. Expected ids, contexts and dates in
words are written by hand; the letters' contexts are the aggregate's own (tests/unit/test_casefile_stages.py
pins them), built here by hand or by real :func:`apply`."""

from __future__ import annotations

import json
import re
import string
from dataclasses import asdict
from datetime import date, datetime
from typing import Any

import pytest

from shared.domain.casefile import CATALOGUE, Case, Decision, OwedNotification, apply
from shared.domain.notices import Purpose
from shared.domain.stages import Actor
from shared.emails import ADVOCATE_COPY_PREFIX, TEMPLATES, RenderedEmail, render
from shared.letters import letters_of, notifications_for
from tests.unit.test_casefile import ACCEPT, POLICY, RECEIVED, new_case, respond
from tests.unit.test_casefile_stages import (
    ADJUDICATION,
    PEOPLE,
    adjudicated,
    fostering_case,
    panel_requested,
    ready_for_adjudication,
    seat,
)

LETTERS = (
    "case_accepted",
    "sufficient_interest_decided",
    "deadline_extended",
    "case_on_hold",
    "case_resumed",
    "stage1_outcome",
    "stage2_started",
    "stage2_outcome",
    "stage3_started",
    "stage3_outcome",
    "case_closed",
    "case_declined",
    "case_routed",
    "procedure_changed",
    "oral_summary",
    "stage_overdue",
    "stage_delayed",
    "panel_delayed",
)
REFERENCE = "CSC-2026-00001"
COMMON = {"reference": REFERENCE, "council": "Example City Council", "procedure": "statutory"}
OMBUDSMAN = ("Local Government and Social Care Ombudsman", "www.lgo.org.uk", "0300 061 0614")


def owed(purpose: Purpose, child: bool = False, **context: Any) -> OwedNotification:
    return OwedNotification(purpose, child, {**COMMON, **context})


#: A template's first line: ``{% set subject = "child" if child else "adult" %}`` (or one subject).
SUBJECT_LINE = re.compile(r'^\{% set subject = "([^"]*)"(?: if child else "([^"]*)")? %\}\n')


def subjects(template: str) -> tuple[str, str]:
    """(adult, child) subjects, read from the template file itself."""
    found = SUBJECT_LINE.match((TEMPLATES / f"{template}.txt").read_text())
    assert found, f"{template}.txt does not start with its subject"
    child, adult = found.groups()
    return (adult, child) if adult is not None else (child, child)


def decided(case: Case, body: dict[str, Any], actor: Actor, on: date) -> Decision:
    now = datetime.combine(on, RECEIVED.timetz())
    command = CATALOGUE[body["action"]].model_validate(body)  # the system's own actions too
    return apply(case, command, actor, f"user-{actor}", now, POLICY, people=PEOPLE)


def with_advocate(case: Case, **advocacy: Any) -> Case:
    fields = {"wish": "has-one", "advocate_name": "Lee", "advocate_email": "lee@advocacy.example", **advocacy}
    return case.model_copy(update={"advocacy": case.advocacy.model_copy(update=fields)})


def contacted_by(case: Case, preferred: str, email: str | None = "sam@example.org") -> Case:
    update = {"preferred_contact": preferred, "email": email}
    return case.model_copy(update={"complainant": case.complainant.model_copy(update=update)})


# --- addressing: notifications_for ---------------------------------------------------------------------


def test_an_accepted_case_owes_the_child_a_child_friendly_email_under_a_deterministic_id() -> None:
    decision = decided(new_case(), ACCEPT, Actor.COMPLAINTS_OFFICER, RECEIVED.date())
    (letter,) = notifications_for(decision.notifications, decision.case, 2)
    assert asdict(letter) == {
        "notification_id": "c1-e000002-case-accepted",
        "case_id": "c1",
        "purpose": "case-accepted",
        "to": "sam@example.org",
        "template": "case_accepted",
        "child_friendly": True,
        "context": {
            "reference": REFERENCE,
            "council": "Example City Council",
            "procedure": "statutory",
            "stage": "stage1",
            "due": "2026-12-10",  # 10 working days after Thu 26 Nov 2026
            "has_advocate": False,  # and so told how to reach one (s.26A)
            "advocacy_service": POLICY.advocacy_service_name,
            "advocacy_contact": POLICY.advocacy_service_contact,
            "name": "Sam",
            "advocate_copy": False,
        },
        "status": "pending",
        "attempts": 0,
        "claim_token": None,
    }
    assert letters_of(decision) == (letter,), "the decision's own letters, case and event"
    assert notifications_for(decision.notifications, decision.case, 2) == (letter,), "the same every time"


def test_the_context_is_json_ready_with_dates_as_iso_strings() -> None:
    letter = owed(
        Purpose.CASE_RESUMED,
        stage="stage2",
        dues={"stage2": date(2027, 3, 1), "stage3-request": date(2027, 4, 1)},
    )
    (notification,) = notifications_for([letter], new_case(), 7)
    assert json.loads(json.dumps(notification.context)) == notification.context
    assert notification.context["dues"] == {"stage2": "2027-03-01", "stage3-request": "2027-04-01"}
    assert notification.notification_id == "c1-e000007-case-resumed"


def test_the_advocate_gets_a_copy_in_the_adult_wording_greeting_nobody_by_name() -> None:
    letter = owed(Purpose.STAGE2_STARTED, child=True, stage="stage2", due=date(2027, 2, 9))
    to_child, to_advocate = notifications_for([letter], with_advocate(new_case()), 12)
    assert (to_child.notification_id, to_child.to, to_child.child_friendly) == (
        "c1-e000012-stage2-started",
        "sam@example.org",
        True,
    )
    assert (to_advocate.notification_id, to_advocate.to, to_advocate.child_friendly) == (
        "c1-e000012-stage2-started-advocate",
        "lee@advocacy.example",
        False,
    )
    assert to_advocate.context == {
        **COMMON,
        "stage": "stage2",
        "due": "2027-02-09",
        "name": None,
        "advocate_copy": True,
    }
    assert to_child.context["name"] == "Sam" and to_child.context["advocate_copy"] is False


@pytest.mark.parametrize(
    ("preferred", "email", "advocacy", "expected"),
    [
        ("email", "sam@example.org", None, ["sam@example.org"]),
        ("post", "sam@example.org", None, []),  # a letter by post is a later capability
        ("phone", "sam@example.org", None, []),
        ("email", None, None, []),
        ("email", "sam@example.org, evil@example.org", None, []),  # never more than one mailbox
        ("advocate", "sam@example.org", {}, ["lee@advocacy.example"]),
        ("post", None, {"accepted": True}, ["lee@advocacy.example"]),
        ("email", "sam@example.org", {"accepted": False}, ["sam@example.org"]),  # advocacy declined
        ("email", "sam@example.org", {"wish": "wants-one"}, ["sam@example.org"]),  # none yet
        ("email", "sam@example.org", {"advocate_email": None}, ["sam@example.org"]),
        ("email", "sam@example.org", {"advocate_email": "a@x.example;b@y.example"}, ["sam@example.org"]),
    ],
)
def test_who_is_written_to(
    preferred: str, email: str | None, advocacy: dict[str, Any] | None, expected: list[str]
) -> None:
    case = contacted_by(new_case(), preferred, email)
    if advocacy is not None:
        case = with_advocate(case, **advocacy)
    letter = owed(Purpose.CASE_ACCEPTED, stage="stage1", due=date(2026, 12, 10))
    assert [n.to for n in notifications_for([letter], case, 2)] == expected


def test_only_a_first_name_is_greeted_and_never_a_crafted_one() -> None:
    letter = owed(Purpose.CASE_ACCEPTED, stage="stage1", due=date(2026, 12, 10))
    for name, greeting in [
        ("Sam Jones", "Sam"),
        ("Jo\r\nBcc: attacker@evil.example", "Jo"),
        ("http://evil.example pay now", None),
        (None, None),
    ]:
        case = new_case().model_copy(
            update={"complainant": new_case().complainant.model_copy(update={"name": name})}
        )
        (notification,) = notifications_for([letter], case, 2)
        assert notification.context["name"] == greeting, name


def test_nothing_owed_is_nothing_sent_and_an_event_owes_each_letter_once() -> None:
    assert notifications_for([], new_case(), 3) == ()
    decision = decided(
        new_case(),
        {"action": "note", "text": "Called the family."},
        Actor.COMPLAINTS_OFFICER,
        RECEIVED.date(),
    )
    assert letters_of(decision) == ()
    twice = [owed(Purpose.CASE_ACCEPTED, stage="stage1", due=date(2026, 12, 10))] * 2
    with pytest.raises(ValueError, match="owes each letter once"):
        notifications_for(twice, new_case(), 3)
    with pytest.raises(ValueError, match="starts at 1"):
        notifications_for(twice[:1], new_case(), 0)


# --- rendering: every letter, both wordings, text and HTML ---------------------------------------------


def rendered(letter: OwedNotification, child: bool | None = None, copy: bool = False) -> RenderedEmail:
    case = with_advocate(new_case()) if copy else new_case()
    if child is not None:
        letter = OwedNotification(letter.purpose, child, letter.context)
    notifications = notifications_for([letter], case, 5)
    return render(notifications[-1] if copy else notifications[0])


SAMPLES: dict[str, OwedNotification] = {
    "case_accepted": owed(
        Purpose.CASE_ACCEPTED,
        stage="stage1",
        due=date(2026, 12, 10),
        has_advocate=False,
        advocacy_service="Example Advocacy Service",
        advocacy_contact="0800 000 0000",
    ),
    "sufficient_interest_decided": owed(
        Purpose.SUFFICIENT_INTEREST_DECIDED, accepted=False, decided_on=date(2026, 11, 27)
    ),
    "deadline_extended": owed(
        Purpose.DEADLINE_EXTENDED,
        stage="stage1",
        due=date(2026, 12, 24),
        previous_due=date(2026, 12, 10),
    ),
    "case_on_hold": owed(
        Purpose.CASE_ON_HOLD, matter="court-proceedings", since=date(2026, 12, 1), stage="stage1"
    ),
    "case_resumed": owed(Purpose.CASE_RESUMED, stage="stage1", dues={"stage1": date(2027, 1, 5)}),
    "stage1_outcome": owed(
        Purpose.STAGE1_OUTCOME,
        stage="stage1",
        outcome="partially-upheld",
        sent_on=date(2026, 12, 9),
        next_stage="stage2",
        escalate_by=date(2027, 1, 11),
    ),
    "stage2_started": owed(Purpose.STAGE2_STARTED, stage="stage2", due=date(2027, 2, 9)),
    "stage2_outcome": owed(
        Purpose.STAGE2_OUTCOME,
        stage="stage2",
        outcome="upheld",
        sent_on=date(2027, 2, 1),
        next_stage="stage3",
        escalate_by=date(2027, 3, 1),
    ),
    "stage3_started": owed(Purpose.STAGE3_STARTED, stage="stage3", due=date(2027, 3, 17)),
    "stage3_outcome": owed(
        Purpose.STAGE3_OUTCOME,
        stage="stage3",
        outcome="not-upheld",
        sent_on=date(2027, 4, 1),
        next_stage="ombudsman",
        escalate_by=None,
    ),
    "case_closed": owed(
        Purpose.CASE_CLOSED,
        window="stage2-request",
        window_due=date(2027, 4, 13),
        closed_on=date(2027, 4, 14),
    ),
    "case_declined": owed(
        Purpose.CASE_DECLINED,
        reason="The complaint was made more than a year late.",
        declined_on=date(2026, 12, 2),
    ),
    "case_routed": owed(
        Purpose.CASE_ROUTED,
        matter="child-protection-conference-decision",
        destination="the child protection conference complaints procedure",
        reason="It is about the conference's decision.",
        routed_on=date(2026, 12, 3),
    ),
    "procedure_changed": owed(
        Purpose.PROCEDURE_CHANGED,
        new_procedure="statutory",
        stage="stage1-responded",
        dues={"stage2-request": date(2027, 1, 11)},
    ),
    "oral_summary": owed(
        Purpose.ORAL_SUMMARY, summary="Nobody visited in October.", sent_on=date(2026, 11, 27)
    ),
    "stage_overdue": owed(Purpose.STAGE_OVERDUE, stage="stage1", due=date(2026, 12, 10), overdue=True),
    "stage_delayed": owed(
        Purpose.STAGE_DELAYED,
        stage="stage2",
        due=date(2027, 2, 9),
        expected_on=date(2027, 2, 23),
        reason="A witness is away until February.",
        overdue=False,
    ),
    "panel_delayed": owed(
        Purpose.PANEL_DELAYED,
        due=date(2027, 3, 17),
        meeting_on=date(2027, 3, 24),
        reason="A panel member fell ill.",
    ),
}
#: The dates each sample must show, in words.
DATES = {
    "case_accepted": ["Thursday 10 December 2026"],
    "sufficient_interest_decided": ["Friday 27 November 2026"],
    "deadline_extended": ["Thursday 24 December 2026", "Thursday 10 December 2026"],
    "case_on_hold": ["Tuesday 1 December 2026"],
    "case_resumed": ["Tuesday 5 January 2027"],
    "stage1_outcome": ["Wednesday 9 December 2026", "Monday 11 January 2027"],
    "stage2_started": ["Tuesday 9 February 2027"],
    "stage2_outcome": ["Monday 1 February 2027", "Monday 1 March 2027"],
    "stage3_started": ["Wednesday 17 March 2027"],
    "stage3_outcome": ["Thursday 1 April 2027"],
    "case_closed": ["Tuesday 13 April 2027"],
    "case_declined": [],
    "case_routed": [],
    "procedure_changed": ["Monday 11 January 2027"],
    "oral_summary": [],
    "stage_overdue": ["Thursday 10 December 2026"],
    "stage_delayed": ["Tuesday 9 February 2027", "Tuesday 23 February 2027"],
    "panel_delayed": ["Wednesday 17 March 2027", "Wednesday 24 March 2027"],
}


def test_every_letter_has_a_sample_and_a_subject_naming_only_the_reference() -> None:
    owed_by_actions = {p.template for command in CATALOGUE.values() for p in command.spec.letters}
    assert set(SAMPLES) == set(LETTERS) == owed_by_actions
    for template in LETTERS:
        adult, child = subjects(template)
        assert adult and child, template
        for subject in (adult, child):
            fields = {name for _, name, _, _ in string.Formatter().parse(subject) if name is not None}
            assert fields == {"reference"}, subject
            # One header line, even for the advocate's copy of a case numbered 100000: never folded.
            header = f"Subject: {ADVOCATE_COPY_PREFIX}{subject.format(reference='CSC-2026-100000')}"
            assert len(header) <= 78, header


@pytest.mark.parametrize("template", LETTERS)
@pytest.mark.parametrize("child", [False, True])
def test_each_letter_renders_in_both_wordings_with_its_dates_in_words(template: str, child: bool) -> None:
    email = rendered(SAMPLES[template], child)
    for day in DATES[template]:
        assert day in email.text and day in email.html, (template, day)
    for body in (email.text, email.html):
        assert REFERENCE in body and "Example City Council" in body
        assert not re.search(r"\d{4}-\d{2}-\d{2}", body), "dates are shown in words"
        assert "None" not in body and "{" not in body and "_" not in body
        assert not re.search(r"\b(partially-upheld|not-upheld|stage\d-\w+)\b", body), "codes in words"
    assert email.text.startswith("Hi Sam," if child else "Dear Sam,")
    assert ("<p>Hi Sam,</p>" if child else "<p>Dear Sam,</p>") in email.html
    assert email.subject == subjects(template)[child].format(reference=REFERENCE)
    assert "<!DOCTYPE html>" in email.html and "<" not in email.text


@pytest.mark.parametrize("template", LETTERS)
def test_the_two_wordings_differ(template: str) -> None:
    assert rendered(SAMPLES[template], False).text != rendered(SAMPLES[template], True).text


@pytest.mark.parametrize("template", LETTERS)
def test_the_advocates_copy_says_it_is_a_copy_and_greets_nobody_by_name(template: str) -> None:
    email = rendered(SAMPLES[template], child=True, copy=True)
    assert email.subject == ADVOCATE_COPY_PREFIX + subjects(template)[0].format(reference=REFERENCE)
    assert email.text.startswith("Hello,\n\nYou are named as the advocate")
    assert "Sam" not in email.text and "Sam" not in email.html
    assert "Dear" not in email.text and "Hi " not in email.text


@pytest.mark.parametrize(
    ("outcome", "word", "child_words"),
    [
        ("upheld", "upheld", "agreed with your complaint (this is called upheld)"),
        (
            "partially-upheld",
            "partly upheld",
            "agreed with some of your complaint, but not all of it (this is called partly upheld)",
        ),
        ("not-upheld", "not upheld", "did not agree with your complaint (this is called not upheld)"),
    ],
)
@pytest.mark.parametrize("template", ["stage1_outcome", "stage2_outcome", "stage3_outcome"])
def test_outcomes_are_given_in_words_with_the_date_the_full_response_was_sent(
    template: str, outcome: str, word: str, child_words: str
) -> None:
    sample = SAMPLES[template]
    letter = OwedNotification(sample.purpose, False, {**sample.context, "outcome": outcome})
    adult, child = rendered(letter, False), rendered(letter, True)
    assert f"your complaint is {word}." in adult.text
    assert f"your complaint is <strong>{word}</strong>." in adult.html
    assert child_words in child.text and child_words in child.html
    sent = DATES[template][0]
    for email in (adult, child):
        assert f"on {sent}" in email.text and f"on {sent}" in email.html


def test_a_stage3_outcome_without_findings_states_no_outcome() -> None:
    sample = SAMPLES["stage3_outcome"]
    letter = OwedNotification(sample.purpose, False, {**sample.context, "outcome": None})
    for child in (False, True):
        email = rendered(letter, child)
        assert "upheld" not in email.text and "Thursday 1 April 2027" in email.text


ESCALATION = {
    # template, procedure, next stage: what the complainant may ask for next, and by when
    ("stage1_outcome", "statutory", "stage2"): ("stage 2", "an investigation"),
    ("stage1_outcome", "corporate", "stage2"): ("stage 2", "an investigation"),
    ("stage2_outcome", "statutory", "stage3"): ("stage 3", "review panel"),
}


@pytest.mark.parametrize(("template", "procedure", "next_stage"), list(ESCALATION))
@pytest.mark.parametrize("child", [False, True])
def test_an_outcome_gives_the_right_to_the_next_stage_and_the_date_to_ask_by(
    template: str, procedure: str, next_stage: str, child: bool
) -> None:
    sample = SAMPLES[template]
    context = {**sample.context, "procedure": procedure, "next_stage": next_stage}
    email = rendered(OwedNotification(sample.purpose, child, context))
    stage, what = ESCALATION[(template, procedure, next_stage)]
    ask_by = DATES[template][1]
    for body in (email.text, email.html):
        assert stage in body and what in body
        assert re.search(rf"(ask|tell us) by (<strong>)?{ask_by}", body), body
        assert "Ombudsman" not in body, "the council's own stages come first"


@pytest.mark.parametrize(
    ("template", "procedure"), [("stage2_outcome", "corporate"), ("stage3_outcome", "statutory")]
)
@pytest.mark.parametrize("child", [False, True])
def test_after_the_last_stage_the_ombudsman_and_how_to_contact_it(
    template: str, procedure: str, child: bool
) -> None:
    sample = SAMPLES[template]
    context = {**sample.context, "procedure": procedure, "next_stage": "ombudsman", "escalate_by": None}
    email = rendered(OwedNotification(sample.purpose, child, context))
    for body in (email.text, email.html):
        assert all(detail in body for detail in OMBUDSMAN), body
        assert "last st" in body
        assert "ask for" not in body, "no further stage of the council's"
    assert 'href="https://www.lgo.org.uk"' in email.html


def test_a_hold_names_court_proceedings_but_never_disciplinary_ones() -> None:
    sample = SAMPLES["case_on_hold"]
    court = rendered(sample, False)
    assert "court proceedings" in court.text and "regulation 8" in court.text
    assert "there is a court case" in rendered(sample, True).text
    letter = OwedNotification(sample.purpose, False, {**sample.context, "matter": "disciplinary-proceedings"})
    for child in (False, True):
        email = rendered(letter, child)
        assert "disciplin" not in email.text.lower() and "disciplin" not in email.html.lower()


def test_a_resumed_case_lists_every_new_date_in_order() -> None:
    dues = {"stage3-request": date(2027, 4, 1), "stage2": date(2027, 3, 1)}
    letter = owed(Purpose.CASE_RESUMED, stage="stage2", dues=dues)
    text = rendered(letter, False).text
    assert text.index("stage 2 response by Monday 1 March 2027") < text.index(
        "stage 3 (a review panel) until Thursday 1 April 2027"
    )
    nothing_running = rendered(owed(Purpose.CASE_RESUMED, stage="received", dues={}), True).text
    assert "We will write to you again to tell you what happens next." in nothing_running


def test_subjects_carry_the_reference_and_nothing_from_the_case() -> None:
    case = new_case().model_copy(
        update={"complainant": new_case().complainant.model_copy(update={"name": "Zebedee Quux"})}
    )
    for template in LETTERS:
        for child in (False, True):
            sample = SAMPLES[template]
            letter = OwedNotification(sample.purpose, child, sample.context)
            for notification in notifications_for([letter], with_advocate(case), 4):
                email = render(notification)
                assert REFERENCE in email.subject
                assert "Zebedee" not in email.subject and "Lee" not in email.subject
                assert "Zebedee" in email.text or notification.context["advocate_copy"]


# --- every letter the aggregate owes renders: its contexts are the templates' ----------------------------


def every_letter_apply_owes() -> list[OwedNotification]:
    """Each letter, as real :func:`apply` owes it (the cases of test_casefile_stages)."""
    letters: list[OwedNotification] = []

    def step(case: Case, body: dict[str, Any], actor: Actor, day: str) -> Case:
        decision = decided(case, body, actor, date.fromisoformat(day))
        letters.extend(decision.notifications)
        return decision.case

    officer, senior, public = Actor.COMPLAINTS_OFFICER, Actor.SENIOR_LEADERSHIP, Actor.PUBLIC
    accepted = step(new_case(), ACCEPT, officer, "2026-11-26")
    grandmother = new_case(role="other-person-with-sufficient-interest", on_behalf_of="a-child")
    interest = {"action": "decide-sufficient-interest", "accepted": True, "reasons": "Cares for him weekly."}
    step(grandmother, interest, officer, "2026-11-27")
    extended = step(
        accepted, {"action": "extend", "reason": "An advocate is being appointed."}, officer, "2026-11-26"
    )
    hold = {"action": "hold", "matter": "court-proceedings", "reason": "Care proceedings are running."}
    held = step(extended, hold, officer, "2026-12-01")
    step(held, {"action": "resume", "reason": "The proceedings have ended."}, officer, "2026-12-07")
    answered = step(accepted, STAGE1_RESPONSE, Actor.SERVICE_MANAGER, "2026-12-09")
    step(answered, {"action": "window-expired"}, Actor.SYSTEM, "2027-02-01")  # the window closed
    step(
        respond(fostering_case()),
        {"action": "request-stage2", "requested_on": "2027-01-04"},
        public,
        "2027-01-04",
    )
    step(ready_for_adjudication(), ADJUDICATION, senior, "2027-02-01")
    step(adjudicated(), {"action": "request-stage3", "requested_on": "2027-02-03"}, public, "2027-02-03")
    panel = {
        "action": "convene-panel",
        "members": [seat(m) for m in ("pan1", "pan2", "pan3")],
        "chair": "pan2",
        "meeting_on": "2027-03-15",
    }
    case = step(panel_requested(), panel, officer, "2027-02-10")
    case = step(case, {"action": "panel-met", "met_on": "2027-03-15"}, officer, "2027-03-15")
    report = {
        "action": "panel-reported",
        "reported_on": "2027-03-19",
        "findings": [{"point": "Calls", "outcome": "partially-upheld"}],
        "sent_to_complainant": True,
        "sent_to_independent_person": True,
    }
    case = step(case, report, officer, "2027-03-19")
    response = {
        "action": "respond-stage3",
        "sent_on": "2027-04-01",
        "independent_person_view_considered": True,
        "ombudsman_details_given": True,
    }
    step(case, response, senior, "2027-04-01")
    decline = {"action": "decline", "reason": "The complaint was made more than a year late."}
    step(new_case(), decline, officer, "2026-11-26")
    route = {"action": "route", "matter": "safeguarding-concern", "reason": "A child may be at risk now."}
    step(accepted, route, officer, "2026-11-27")
    change = {
        "action": "change-procedure",
        "procedure": "corporate",
        "reason": "Not about a statutory function.",
    }
    step(accepted, change, officer, "2026-11-27")
    summary = {"action": "send-summary", "summary": "Nobody visited in October.", "sent_on": "2026-11-26"}
    step(new_case().model_copy(update={"channel": "phone"}), summary, officer, "2026-11-26")
    overdue = [{"alarm": "overdue", "escalation": 0, "to": ["manager", "team"]}]
    alerts = {"action": "deadline-alert", "timer": "stage1", "due": "2026-12-10", "alerts": overdue}
    step(accepted, alerts, Actor.SYSTEM, "2026-12-11")
    delay = {
        "action": "explain-delay",
        "reason": "A witness is away until December.",
        "expected_on": "2026-12-18",
    }
    step(accepted, delay, officer, "2026-12-08")
    late = {**panel, "meeting_on": "2027-03-24", "late_reason": "A panel member fell ill in March."}
    step(panel_requested(), late, officer, "2027-02-10")
    return letters


STAGE1_RESPONSE = {
    "action": "respond-stage1",
    "sent_on": "2026-12-09",
    "findings": [{"point": "Calls not returned", "outcome": "not-upheld"}],
}


def test_every_letter_the_aggregate_owes_renders_in_both_wordings() -> None:
    letters = every_letter_apply_owes()
    seen = set()
    for letter in letters:
        for child in (False, True):
            again = OwedNotification(letter.purpose, child, letter.context)
            for notification in notifications_for([again], with_advocate(new_case()), 9):
                email = render(notification)
                assert REFERENCE in email.text and REFERENCE in email.html
                assert not re.search(r"\d{4}-\d{2}-\d{2}", email.text)
        seen.add(letter.template)
    assert seen == set(LETTERS)


def test_a_window_is_the_complainants_to_use_not_an_answer_we_owe() -> None:
    """A procedure changed in the window to ask for stage 2: the letter says until when they may ask,
    never that the council will send its "stage2-request"."""
    for child in (False, True):
        email = rendered(SAMPLES["procedure_changed"], child)
        assert "Monday 11 January 2027" in email.text and "stage 2" in email.text
        assert "action plan" not in email.text and "We will send you our" not in email.text


def test_stage_2_is_offered_only_once_stage_1_is_overdue() -> None:
    """Reg 17: stage 2 before a stage 1 response only once stage 1 has overrun. A delay explained before
    the due date says stage 2 opens if the answer has not come by then."""
    context = {
        "stage": "stage1",
        "due": date(2026, 12, 10),
        "expected_on": date(2026, 12, 18),
        "reason": "Away.",
    }
    early = owed(Purpose.STAGE_DELAYED, **context, overdue=False)
    late = owed(Purpose.STAGE_DELAYED, **context, overdue=True)
    for child in (False, True):
        before = rendered(early, child).text
        assert (
            "If we have not answered by Thursday 10 December 2026" in before and "now (stage 2)" not in before
        )
        after = rendered(late, child).text
        assert "If we have not answered" not in after and "stage 2" in after
