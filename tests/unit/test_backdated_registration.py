"""A representation made by phone or letter is registered after it was received, and its deadlines count
from receipt (2006 Regs reg 14: stage 1 within 10 working days of receipt; the acknowledgement within 3,
council practice). The acknowledgement goes when it is registered, so it never promises a date already
past: a passed acknowledgement date becomes the next working day after registration; a passed stage 1
date is given as it was, said to have passed, with "as soon as we can" (docs/decisions.md).

Every date is counted by hand on the England and Wales calendar; the count is in a comment beside it."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Any

from shared.domain.case import register
from shared.domain.policy import CouncilPolicy
from shared.domain.representation import RepresentationRequest
from shared.emails import RenderedEmail, render
from tests.conftest import complaint

POLICY = CouncilPolicy()


def at_ten(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 10, tzinfo=UTC)  # 10:00 GMT: the same London date


def acknowledged(
    received: date, registered: date, **overrides: Any
) -> tuple[dict[str, Any], dict[str, RenderedEmail]]:
    """A parent's complaint received on ``received`` and registered (by a complaints officer) on
    ``registered``: the case and its emails by template."""
    request = RepresentationRequest.model_validate(complaint(**overrides), context={"today": registered})
    new = register(
        request,
        case_id="c1",
        reference="CSC-2026-00001",
        received_at=at_ten(received),
        registered_at=at_ten(registered),
        policy=POLICY,
        recorded_by="olivia",
    )
    return new.case, {n.template: render(n) for n in new.notifications}


def words(email: RenderedEmail) -> str:
    return re.sub(r"\s+", " ", email.text)


def test_the_calendar_the_counts_rely_on() -> None:
    assert [date(2026, 11, d).strftime("%a") for d in (2, 16, 23, 26, 27, 30)] == [
        "Mon",
        "Mon",
        "Mon",
        "Thu",
        "Fri",
        "Mon",
    ]
    assert date(2026, 12, 24).strftime("%a") == "Thu" and date(2026, 12, 29).strftime("%a") == "Tue"


def test_registered_the_day_it_was_received_the_acknowledgement_promises_the_real_dates() -> None:
    case, sent = acknowledged(date(2026, 11, 26), date(2026, 11, 26))
    # Acknowledgement 3 working days after Thu 26 Nov: Fri 27, Mon 30, Tue 1 Dec; stage 1, 10: Thu 10 Dec.
    assert (case["acknowledgement_due"], case["stage1_due"]) == ("2026-12-01", "2026-12-10")
    text = words(sent["acknowledgement"])
    assert "contact you by Tuesday 1 December 2026" in text
    assert "We aim to respond in full by Thursday 10 December 2026" in text
    assert "passed" not in text and "sorry" not in text


def test_a_passed_acknowledgement_date_becomes_the_next_working_day_after_registration() -> None:
    case, sent = acknowledged(date(2026, 11, 16), date(2026, 11, 26))
    # Received Mon 16 Nov: acknowledgement due 17, 18, 19 -> Thu 19 Nov (passed on Thu 26 Nov, when it is
    # registered); stage 1 due 17, 18, 19, 20, 23, 24, 25, 26, 27, 30 -> Mon 30 Nov (still to come).
    assert (case["acknowledgement_due"], case["stage1_due"]) == ("2026-11-19", "2026-11-30")
    text = words(sent["acknowledgement"])
    assert "Thursday 19 November 2026" not in text
    assert "contact you by Friday 27 November 2026" in text  # the working day after Thu 26 Nov
    assert "It reached us on Monday 16 November 2026" in text and "later than it should be" in text
    assert "We aim to respond in full by Monday 30 November 2026" in text
    # Staff are told the real date, which has passed.
    assert "Acknowledge by: Thursday 19 November 2026" in sent["team_alert"].text


def test_a_passed_stage1_date_is_said_to_have_passed_and_never_promised() -> None:
    case, sent = acknowledged(date(2026, 11, 2), date(2026, 11, 26))
    # Received Mon 2 Nov: acknowledgement due 3, 4, 5 -> Thu 5 Nov; stage 1 due 3, 4, 5, 6, 9, 10, 11, 12,
    # 13, 16 -> Mon 16 Nov. Both passed by Thu 26 Nov.
    assert (case["acknowledgement_due"], case["stage1_due"]) == ("2026-11-05", "2026-11-16")
    email = sent["acknowledgement"]
    for body in (words(email), re.sub(r"\s+", " ", email.html)):
        assert "contact you by Friday 27 November 2026" in body
        assert "Our full response was due by Monday 16 November 2026" in body
        assert "That date has already passed" in body and "as soon as we can" in body
        assert "We aim to respond in full by" not in body
        assert "Thursday 5 November 2026" not in body


def test_registered_on_the_day_the_acknowledgement_is_due_it_still_promises_that_day() -> None:
    _, sent = acknowledged(date(2026, 11, 23), date(2026, 11, 26))
    # Received Mon 23 Nov: acknowledgement due 24, 25, 26 -> Thu 26 Nov, the day it is registered: not past.
    text = words(sent["acknowledgement"])
    assert "contact you by Thursday 26 November 2026" in text and "sorry" not in text


def test_over_christmas_the_next_working_day_skips_the_bank_holidays() -> None:
    _, sent = acknowledged(date(2026, 12, 14), date(2026, 12, 24))
    # Received Mon 14 Dec: acknowledgement due 15, 16, 17 -> Thu 17 Dec, passed on Thu 24 Dec. The next
    # working day: not Fri 25 (Christmas), Sat 26, Sun 27 or Mon 28 (Boxing Day's substitute): Tue 29 Dec.
    # Stage 1: 15, 16, 17, 18, 21, 22, 23, 24, 29, 30 -> Wed 30 Dec, still to come.
    text = words(sent["acknowledgement"])
    assert "contact you by Tuesday 29 December 2026" in text
    assert "We aim to respond in full by Wednesday 30 December 2026" in text


def test_a_childs_acknowledgement_and_the_advocates_copy_promise_no_past_date_either() -> None:
    _, sent = acknowledged(
        date(2026, 11, 2),
        date(2026, 11, 26),
        role="child-in-need",
        on_behalf_of="myself",
        name="Alex",
        advocacy="has-one",
        advocate_name="Lee",
        advocate_email="lee@advocacy.example",
    )
    child = words(sent["acknowledgement"])
    assert child.startswith("Hi Alex,")
    assert "contact you by Friday 27 November 2026" in child
    assert "by Monday 16 November 2026. That day has already gone" in child
    copy = words(sent["advocate_acknowledgement"])
    assert "contact you or the young person by Friday 27 November 2026" in copy
    assert "Our full response was due by Monday 16 November 2026" in copy and "already passed" in copy
    for text in (child, copy):
        assert "Thursday 5 November 2026" not in text


def test_an_advocate_asked_for_is_never_promised_by_a_date_gone() -> None:
    case, sent = acknowledged(date(2026, 11, 2), date(2026, 11, 26), advocacy="wants-one")
    # The team arranges an advocate within 2 working days of receipt (council policy): Mon 2 Nov -> Wed 4
    # Nov, passed; the acknowledgement says the next working day after registration, Fri 27 Nov.
    assert case["advocacy"]["arrange_by"] == "2026-11-04"
    text = words(sent["acknowledgement"])
    assert "arrange one for you by Friday 27 November 2026" in text
    assert "Wednesday 4 November 2026" not in text
