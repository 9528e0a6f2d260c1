"""The online form through the real Form handler: short question pages, answers sealed between them,
every problem on a page at once, Check your answers, and post/redirect/get to a confirmation page."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

import pytest
from boto3.dynamodb.types import TypeDeserializer

from infra.catalog import API_FUNCTIONS
from infra.local.clock import LocalClock
from infra.local.emulator import LocalResources
from infra.local.gateway import Gateway
from shared import wiring
from tests.form_walk import REFERENCE, Walk, shown

CHILD = (
    {"role": "child-looked-after"},
    {"kind": "complaint"},
    {"subject": "childrens-social-care", "raised_already": "no"},
    {"what_happened": "My social worker keeps changing.", "outcome_wanted": "To keep the same one."},
    {"advocacy": "wants-one"},
    {"name": "Jo", "preferred_contact": "email", "email": "jo@example.org"},
)


@pytest.fixture
def gateway(aws: LocalResources) -> Gateway:
    return Gateway(API_FUNCTIONS)


def cases() -> list[dict[str, Any]]:
    """The stored cases, as plain values."""
    store = wiring.case_store()
    items = store.client.scan(TableName=store.table_name)["Items"]
    plain = TypeDeserializer()
    return [
        {k: plain.deserialize(v) for k, v in i.items()} for i in items if i.get("type", {}).get("S") == "case"
    ]


def test_the_start_page_puts_safety_first_and_links_help_privacy_and_accessibility(gateway: Gateway) -> None:
    page = shown(gateway.dispatch("GET", "/", {}, b""))
    assert page.status == 200
    text = page.html
    danger = text.index("Is a child in danger now?")
    assert danger < text.index("Start now")
    assert "999" in text[danger:] and "0800 1111" in text and "0300 000 0000" in text  # the policy's number
    for link in ('href="/help"', 'href="/privacy"', 'href="/accessibility"'):
        assert link in text[text.index("govuk-footer") :]
    for path, words in (
        ("/help", "Help at Hand"),
        ("/privacy", "public task"),
        ("/accessibility", "WCAG 2.2"),
    ):
        other = shown(gateway.dispatch("GET", path, {}, b""))
        assert other.status == 200 and words in other.html
    help_page = shown(gateway.dispatch("GET", "/help", {}, b"")).html
    assert "Local Government and Social Care Ombudsman" in help_page
    assert "Example Advocacy Service" in help_page
    assert "does not look into individual complaints" in help_page  # Ofsted is not where to go


def test_a_child_answers_six_questions_and_nothing_is_chosen_for_them(gateway: Gateway) -> None:
    walk = Walk(gateway)
    first = walk.start()
    assert first.page_id == "who" and " checked" not in first.html
    for values in CHILD:
        page = walk.current
        assert page is not None and " checked" not in page.html, f"{page.page_id} has an answer chosen"
        walk.answer(**values)
    assert walk.seen == ["who", "kind", "about", "what", "help", "contact", "check"]
    check = walk.current
    assert check is not None and check.title.startswith("Check your answers")
    assert "My social worker keeps changing." in check.html and "Yes, please find an advocate" in check.html


def test_an_adult_for_a_child_gets_the_childs_questions_and_a_longer_path(gateway: Gateway) -> None:
    walk = Walk(gateway)
    walk.start()
    walk.through(
        {"role": "parent"},
        {"kind": "complaint"},
        {"subject": "childrens-social-care", "raised_already": "yes"},
        {"on_behalf_of": "a-child"},
        {
            "child_name": "Sam",
            "child_date_of_birth-day": "4",
            "child_date_of_birth-month": "5",
            "child_date_of_birth-year": "2014",
            "child_view": "knows-and-agrees",
        },
        {"what_happened": "Our social worker has not visited.", "outcome_wanted": "A visit."},
        {"service_area": "social-work"},
        {"advocacy": "no"},
        {"preferred_contact": "phone", "phone": "07700 900982"},
    )
    assert walk.seen == [
        "who",
        "kind",
        "about",
        "for-child",
        "child",
        "what",
        "details",
        "help",
        "contact",
        "check",
    ]


def test_every_problem_on_a_page_comes_at_once_in_page_order(gateway: Gateway) -> None:
    walk = Walk(gateway)
    walk.start()
    walk.through({"role": "parent"}, {"kind": "complaint"})
    page = walk.answer()
    assert page.status == 422 and page.title.startswith("Error: ")
    assert page.errors == [
        "Choose what your complaint is about",
        "Choose whether you have already told the worker or team about it",
    ]
    assert page.error_links == ["subject", "raised_already"]
    walk.through({"subject": "childrens-social-care", "raised_already": "no"}, {"on_behalf_of": "myself"})
    page = walk.answer(what_happened="   ", outcome_wanted="\u200b ")  # blank, however it is typed
    assert page.errors == ["Tell us what you want to say", "Tell us what you would like to happen"]
    walk.through(
        {"what_happened": "Nobody replied.", "outcome_wanted": "A reply."},
        {"when_happened-day": "1", "when_happened-month": "1", "when_happened-year": "2025"},
        {},
    )
    page = walk.answer(name="<b>Jo</b>", preferred_contact="email", email="jo@")
    assert page.errors == ["Enter an email address in the correct format, like name@example.com"]
    assert 'value="&lt;b&gt;Jo&lt;/b&gt;"' in page.html and 'value="jo@"' in page.html, "typed text is kept"
    assert cases() == []


def test_a_two_digit_year_is_refused_not_read_as_the_year_25(gateway: Gateway) -> None:
    walk = Walk(gateway)
    walk.start()
    walk.through(
        {"role": "parent"},
        {"kind": "complaint"},
        {"subject": "childrens-social-care", "raised_already": "no"},
        {"on_behalf_of": "myself"},
        {"what_happened": "Nobody replied.", "outcome_wanted": "A reply."},
    )
    page = walk.answer(**{"when_happened-day": "1", "when_happened-month": "1", "when_happened-year": "25"})
    assert page.status == 422
    assert page.errors == ["Enter the year with 4 numbers, like 2026"]
    assert page.error_links == ["when_happened-day"]


def test_the_5000_character_limit_is_shown_before_sending(gateway: Gateway) -> None:
    walk = Walk(gateway)
    walk.start()
    page = walk.through({"role": "child-in-need"}, {"kind": "comment"})  # a comment: no subject page
    assert page.page_id == "what"
    assert 'data-module="govuk-character-count"' in page.html and 'data-maxlength="5000"' in page.html
    assert "You can enter up to 5,000 characters" in page.html


def test_without_javascript_a_chosen_way_of_contact_asks_for_its_details_on_the_next_page(
    gateway: Gateway,
) -> None:
    walk = Walk(gateway, js=False)
    walk.start()
    walk.through(*CHILD[:4])
    help_page = walk.answer(advocacy="has-one")
    assert help_page.page_id == "help-more" and 'name="advocate_name"' in help_page.html
    walk.through({"advocate_name": "Ash", "advocate_email": "ash@advocacy.example"})
    contact = walk.current
    assert contact is not None and contact.page_id == "contact"
    assert 'name="email"' not in contact.html, "without JavaScript the follow-up comes on its own page"
    assert "Through the advocate" in contact.html
    more = walk.answer(preferred_contact="email")
    assert more.page_id == "contact-more" and 'name="email"' in more.html
    missing = walk.answer(email="")
    assert missing.errors == ["Enter your email address"]
    check = walk.answer(email="jo@example.org")
    assert check.page_id == "check"


def test_change_from_check_your_answers_comes_back_to_check(gateway: Gateway) -> None:
    walk = Walk(gateway)
    walk.start()
    walk.through(*CHILD)
    page = walk.go("what")
    assert page.page_id == "what" and "My social worker keeps changing." in page.html
    back = walk.answer(what_happened="My foster placement changed.", outcome_wanted="To stay.")
    assert back.page_id == "check" and "My foster placement changed." in back.html
    # Changing who you are asks only what the new answers need.
    walk.go("who")
    after = walk.answer(role="parent")
    assert after.page_id == "for-child"


def test_sending_redirects_to_a_confirmation_page_that_can_be_reloaded(
    gateway: Gateway, clock: LocalClock
) -> None:
    walk = Walk(gateway)
    walk.start()
    walk.through(*CHILD)
    sent = walk.send()
    assert sent.status == 303
    location = sent.headers["Location"]
    page = walk.confirmation(sent)
    reference = REFERENCE.search(page.html)
    assert page.status == 200 and reference
    assert reference.group(0) not in location, "addressed by a token, not by the reference"
    assert "Tuesday 1 December 2026" in page.html  # acknowledgement: 3 working days from Thu 26 Nov
    assert "Thursday 10 December 2026" in page.html  # stage 1
    assert "You asked for an advocate" in page.html and "Monday 30 November 2026" in page.html  # 2 days
    again = shown(gateway.dispatch("GET", location, {}, b""))
    assert again.html == page.html, "a reload shows the same page"
    tampered = location[:-6] + ("AAAAAA" if not location.endswith("AAAAAA") else "BBBBBB")
    assert shown(gateway.dispatch("GET", tampered, {}, b"")).status == 404
    clock.advance(timedelta(days=8))
    assert shown(gateway.dispatch("GET", location, {}, b"")).status == 404
    (case,) = cases()
    assert case["channel"] == "online-form"
    assert case["advocacy"]["offered"] is True and case["advocacy"]["offered_how"] == "online-form"
    assert case["advocacy"]["offered_on"] == "2026-11-26"
    assert case["advocacy"]["arrange_by"] == "2026-11-30"


def test_sending_twice_is_one_case(gateway: Gateway) -> None:
    walk = Walk(gateway)
    walk.start()
    check = walk.through(*CHILD)
    first = walk.confirmation(walk.send())
    walk.current = check
    second = walk.confirmation(walk.send())
    assert REFERENCE.findall(first.html) == REFERENCE.findall(second.html)
    assert len(cases()) == 1


def test_answers_expire_and_cannot_be_changed_on_the_way(gateway: Gateway, clock: LocalClock) -> None:
    walk = Walk(gateway)
    walk.start()
    walk.through(*CHILD[:3])
    state = walk.current.state if walk.current else None
    assert state
    forged = walk.post({"page": "what", "state": state[:-4] + "AAAA", "what_happened": "x"})
    assert "earlier answers were deleted" in forged.html  # a changed state is never read
    clock.advance(timedelta(hours=4, minutes=1))
    expired = walk.post({"page": "who", "state": state, "role": "child-looked-after"})
    # WCAG 2.2.1: not dropped. The earlier answers are gone, this page's answer is kept, and it says so.
    assert "earlier answers were deleted" in expired.html
    assert expired.state and expired.state != state
    assert cases() == []


def _extend(gateway: Gateway, state: str) -> tuple[int, dict[str, Any]]:
    body = urlencode({"state": state}).encode()
    status, _, payload = gateway.dispatch(
        "POST", "/extend", {"content-type": "application/x-www-form-urlencoded"}, body
    )
    return status, json.loads(payload)


def test_every_page_says_until_when_and_extend_moves_the_expiry(gateway: Gateway, clock: LocalClock) -> None:
    walk = Walk(gateway)
    walk.start()
    page = walk.through(*CHILD[:1])
    assert "We keep your answers until" in page.html and 'role="alertdialog"' in page.html
    state = page.state
    assert state
    clock.advance(timedelta(hours=3, minutes=59))
    status, fresh = _extend(gateway, state)
    assert status == 200
    # 3 h 59 min later the fresh answers last another 4 hours: past the old expiry (1 minute away).
    clock.advance(timedelta(hours=2))
    assert _extend(gateway, state)[0] == 410
    assert _extend(gateway, fresh["state"])[0] == 200
    assert _extend(gateway, "")[0] == 400  # no state at all is a malformed post, not an expired one


def test_a_post_that_names_no_page_of_the_form_is_refused_and_keeps_nothing(gateway: Gateway) -> None:
    walk = Walk(gateway)
    for fields in ({"state": "", "role": "child-looked-after"}, {"page": "nowhere", "state": ""}):
        refused = walk.post(fields)
        assert refused.status == 400 and "not sent from one of its pages" in refused.html
    assert cases() == []


def test_a_compliment_offers_no_advocate_and_records_no_offer(gateway: Gateway) -> None:
    walk = Walk(gateway)
    walk.start()
    walk.through(
        {"role": "special-guardian"},
        {"kind": "compliment"},
        {"on_behalf_of": "a-child"},
        {"what_happened": "Thank you to Priya for the support."},
        {"team_or_worker": "Priya"},
        {},
        {"preferred_contact": "email", "email": "sg@example.org"},
    )
    assert walk.seen[-3:] == ["help", "contact", "check"]
    help_page = [p for p in walk.seen if p == "help"]
    assert help_page, "support needs are still asked"
    page = walk.confirmation(walk.send())
    assert "We got your thank you" in page.html
    (case,) = cases()
    assert case["advocacy"]["offered"] is False and case["advocacy"]["wish"] is None
    assert case["suggested_procedure"] is None and case["stage1_due"] is None


def test_the_honeypot_stores_nothing(gateway: Gateway) -> None:
    walk = Walk(gateway)
    page = walk.post({"page": "start", "website": "http://spam.example"})
    assert page.status == 400 and not REFERENCE.search(page.html)


def test_the_wrong_content_type_is_refused(gateway: Gateway) -> None:
    status, _, _ = gateway.dispatch("POST", "/", {"Content-Type": "application/json"}, b"{}")
    assert status == 415
    assert cases() == []


def test_security_headers(gateway: Gateway) -> None:
    _, headers, _ = gateway.dispatch("GET", "/", {}, b"")
    named = dict(headers)
    assert "frame-ancestors 'none'" in named["Content-Security-Policy"]
    assert named["X-Content-Type-Options"] == "nosniff"


def test_the_same_form_sent_again_with_different_answers_is_a_new_representation(gateway: Gateway) -> None:
    walk = Walk(gateway)
    walk.start()
    check = walk.through(*CHILD)
    first = walk.confirmation(walk.send())
    walk.current = check  # Back from the confirmation page
    walk.go("what")
    walk.answer(what_happened="Actually it was my foster placement.", outcome_wanted="To stay.")
    edited = walk.confirmation(walk.send())
    references = {REFERENCE.findall(p.html)[0] for p in (first, edited)}
    assert len(references) == 2 and len(cases()) == 2


def test_no_page_presets_an_answer_and_optional_questions_say_so(gateway: Gateway) -> None:
    walk = Walk(gateway)
    walk.start()
    walk.through(
        {"role": "parent"}, {"kind": "comment"}, {"on_behalf_of": "myself"}, {"what_happened": "Idea."}
    )
    details = walk.current
    assert details is not None and details.page_id == "details"
    assert "When did it happen? (optional)" in details.html
    walk.answer()
    help_page = walk.current
    assert help_page is not None and "Do you need any help to talk to us? (optional)" in help_page.html
    contact = walk.answer()
    assert "How should we contact you? (optional)" in contact.html and " checked" not in contact.html
    assert re.search(r"Your name \(optional\)", contact.html)


def test_a_follow_up_answer_whose_option_is_no_longer_chosen_is_neither_shown_nor_kept(
    gateway: Gateway,
) -> None:
    walk = Walk(gateway)
    walk.start()
    walk.through(*CHILD)
    walk.go("contact")
    check = walk.answer(name="Jo", preferred_contact="phone", phone="07700 900982", email="jo@example.org")
    assert "jo@example.org" not in check.html and "07700 900982" in check.html
    assert "Who they work for" not in check.html, "the advocate's questions were not asked"
    walk.confirmation(walk.send())
    (case,) = cases()
    assert case["complainant"]["email"] is None and case["complainant"]["phone"] == "07700 900982"
