"""Five people finish the form on a 375-px phone, in Debian's Chromium against the local service: a
12-year-old in care, a parent, a foster carer with JavaScript off, an advocate using only the keyboard,
and a special guardian saying thank you. Each checks its pages and the emails that land in the outbox;
axe-core runs once on every distinct page and error state. `make screenshots` saves every step."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import holidays
import pytest
from playwright.sync_api import Browser, BrowserContext, Page

from infra.local.service import LocalService
from tests.browser.conftest import PHONE, Checker, Steps, emails_about

pytestmark = pytest.mark.browser
REFERENCE = re.compile(r"CSC-\d{4}-\d{5}")
TEAM = "complaints-team@heard.example"


def working_days_after(start: date, days: int) -> date:
    """Counted as the council's practice and the regulations describe it, independently of Heard's
    calendar: a day that is not a working day is deemed the next working day, then ``days`` working days
    after it (weekends and England's bank holidays are not working days)."""
    bank = holidays.country_holidays("GB", subdiv="ENG", years=range(start.year, start.year + 2))

    def working(day: date) -> bool:
        return day.weekday() < 5 and day not in bank

    day = start
    while not working(day):
        day += timedelta(days=1)
    for _ in range(days):
        day += timedelta(days=1)
        while not working(day):
            day += timedelta(days=1)
    return day


def in_words(day: date) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"


def today(service: LocalService) -> date:
    """Today by the service's clock (the suite's, whatever the real date)."""
    return service.clock.now().astimezone(ZoneInfo("Europe/London")).date()


@pytest.fixture
def phone(chromium: Browser) -> Iterator[BrowserContext]:
    context = chromium.new_context(viewport=PHONE)
    yield context
    context.close()


@pytest.fixture
def phone_without_javascript(chromium: Browser) -> Iterator[BrowserContext]:
    context = chromium.new_context(viewport=PHONE, java_script_enabled=False)
    yield context
    context.close()


def slug(page: Page) -> str:
    return re.sub(r"[^a-z0-9]+", "-", page.title().split(" - ")[0].lower()).strip("-")


def proceed(page: Page, steps: Steps) -> None:
    """Continue, once the page is pictured as answered."""
    steps(page, slug(page) + "-answered")
    page.get_by_role("button", name="Continue").click()
    page.wait_for_load_state()


def nothing_chosen(page: Page) -> None:
    assert page.locator("input[type=radio]:checked, input[type=checkbox]:checked").count() == 0, page.title()


def start(page: Page, service: LocalService, axe: Checker, steps: Steps) -> None:
    page.goto(service.url + "/")
    headings = [h.strip() for h in page.locator("h1, h2").all_inner_texts()]
    assert headings.index("Is a child in danger now?") < headings.index("Tell us")
    assert "999" in page.inner_text("main") and "0800 1111" in page.inner_text("main")
    for link in ("Privacy notice", "Accessibility statement", "Get help and support"):
        assert page.locator("footer").get_by_role("link", name=link).is_visible()
    axe.check(page)
    steps(page, "start")
    page.get_by_role("button", name="Start now").click()
    page.wait_for_load_state()


def question(page: Page, axe: Checker, steps: Steps, name: str) -> None:
    """A question page as it first shows: nothing chosen for the person, accessible, pictured."""
    nothing_chosen(page)
    axe.check(page)
    steps(page, name)


def send(page: Page, axe: Checker, steps: Steps) -> str:
    assert page.title().startswith("Check your answers")
    axe.check(page)
    steps(page, "check-your-answers")
    page.get_by_role("button", name="Send").click()
    page.wait_for_selector("#reference")
    assert page.url.split("?")[0].endswith("/confirmation"), "post/redirect/get"
    reference = page.locator("#reference").inner_text().strip()
    assert REFERENCE.fullmatch(reference) and reference not in page.url
    axe.check(page)
    steps(page, "confirmation")
    return reference


def staff_emails_carry_no_free_text(emails: list[dict[str, str]], typed: list[str]) -> None:
    staff = [e for e in emails if e["to"] in (TEAM,) or e["to"].endswith("@council.example")]
    assert staff, "the team is always told"
    for sent in staff:
        for part in (sent["text"], sent["html"]):
            for words in typed:
                assert words not in part, (sent["subject"], words)
        assert "https://heard.example/cases/" in sent["text"]


def test_a_12_year_old_in_care_complains_and_asks_for_an_advocate(
    service: LocalService, phone: BrowserContext, axe: Checker
) -> None:
    steps = Steps("child-in-care")
    page = phone.new_page()
    email = f"jo-{uuid.uuid4().hex[:8]}@example.org"
    start(page, service, axe, steps)

    question(page, axe, steps, "who")
    page.get_by_label("I am a child or young person in care").check()
    proceed(page, steps)
    question(page, axe, steps, "kind")
    page.get_by_label("Make a complaint").check()
    proceed(page, steps)
    question(page, axe, steps, "about")
    proceed(page, steps)  # nothing answered: every problem on the page at once, in page order
    summary = page.locator(".govuk-error-summary")
    assert summary.locator("li").all_inner_texts() == [
        "Choose what your complaint is about",
        "Choose whether you have already told the worker or team about it",
    ]
    axe.check(page)
    steps(page, "about-errors")
    page.get_by_label("The help I get from children's social care").check()
    page.locator("#raised_already-2").check()  # No
    proceed(page, steps)

    question(page, axe, steps, "what")
    page.get_by_label("What happened?").fill("My social worker keeps changing and nobody tells me why.")
    assert "characters remaining" in page.locator(".govuk-character-count__status").first.inner_text()
    page.get_by_label("What would you like to happen?").fill("To keep the same social worker.")
    proceed(page, steps)

    question(page, axe, steps, "help")
    assert "Example Advocacy Service" in page.locator("#advocate-offer").inner_text()
    page.get_by_label("Yes, please find an advocate").check()
    proceed(page, steps)

    question(page, axe, steps, "contact")
    assert page.locator("#email").is_hidden(), "asked only once email is chosen"
    page.get_by_label("Your name (optional)").fill("Jo")
    page.get_by_label("Email", exact=True).check()
    page.get_by_label("Email address").fill(email)
    proceed(page, steps)

    # Check your answers: change one, and come back to check.
    assert page.title().startswith("Check your answers")
    page.get_by_role("button", name="Change what happened?").click()
    page.get_by_label("What happened?").fill("My social worker changed three times this year.")
    proceed(page, steps)
    assert "changed three times" in page.inner_text("main")
    reference = send(page, axe, steps)
    arrange_by = working_days_after(today(service), 2)
    assert f"by {in_words(arrange_by)}" in page.inner_text("#advocate-arranged")
    page.reload()
    assert page.locator("#reference").inner_text().strip() == reference, "a reload is safe"
    page.go_back()
    assert page.title().startswith("Check your answers"), "Back shows the last page, not an error"

    emails = emails_about(service, reference, 2)
    ack = next(e for e in emails if e["to"] == email)
    assert ack["text"].startswith("Hi Jo,")
    assert "You asked for an advocate" in ack["text"] and "Example Advocacy Service" in ack["text"]
    assert in_words(arrange_by) in ack["text"]
    assert in_words(working_days_after(today(service), 3)) in ack["text"]  # the statutory acknowledgement
    staff_emails_carry_no_free_text(emails, ["social worker changed", "same social worker", "Jo"])
    alert = next(e for e in emails if e["to"] == TEAM)
    assert "Suggested procedure: statutory" in alert["text"] and "arrange one" in alert["text"]


def test_a_parent_complains_about_the_familys_social_worker_and_needs_an_interpreter(
    service: LocalService, phone: BrowserContext, axe: Checker
) -> None:
    steps = Steps("parent")
    page = phone.new_page()
    email = f"sam-{uuid.uuid4().hex[:8]}@example.org"
    start(page, service, axe, steps)
    page.get_by_label("A parent", exact=True).check()
    proceed(page, steps)
    page.get_by_label("Make a complaint").check()
    proceed(page, steps)
    page.get_by_label("The help a child or family gets from children's social care").check()
    page.locator("#raised_already").check()  # Yes
    proceed(page, steps)
    question(page, axe, steps, "for-child")
    page.get_by_label("Yes, for a child or young person").check()
    proceed(page, steps)
    question(page, axe, steps, "child")
    page.get_by_label("Their name (optional)").fill("Alex")
    page.get_by_label("Day").fill("4")
    page.get_by_label("Month").fill("5")
    page.get_by_label("Year").fill("14")  # two digits: refused, not stored as the year 14
    page.get_by_label("They know and they agree").check()
    proceed(page, steps)
    assert page.locator(".govuk-error-summary li").all_inner_texts() == [
        "Enter the year with 4 numbers, like 2026"
    ]
    axe.check(page)
    steps(page, "child-errors")
    page.get_by_label("Year").fill("2014")
    proceed(page, steps)
    page.get_by_label("What happened?").fill("Our social worker cancelled three visits without telling us.")
    page.get_by_label("What would you like to happen?").fill("A visit this month.")
    proceed(page, steps)
    question(page, axe, steps, "details")
    page.get_by_label("Which service is it about? (optional)").select_option("social-work")
    proceed(page, steps)
    page.get_by_label("No, thank you").check()
    page.get_by_label("An interpreter").check()
    page.get_by_label("Which language?").select_option("Polish")
    proceed(page, steps)
    page.get_by_label("Your name (optional)").fill("Sam Jones")
    page.get_by_label("Email", exact=True).check()
    page.get_by_label("Email address").fill(email)
    assert page.locator("input[name^=consent]").count() == 0, "no consent box: replying is a public task"
    proceed(page, steps)
    reference = send(page, axe, steps)
    assert "We have sent you an email" in page.inner_text("main")

    emails = emails_about(service, reference, 2)
    ack = next(e for e in emails if e["to"] == email)
    assert ack["text"].startswith("Dear Sam,") and "Sir or Madam" not in ack["text"]
    assert "we will contact you to acknowledge" not in ack["text"].lower(), (
        "this email is the acknowledgement"
    )
    assert in_words(working_days_after(today(service), 3)) in ack["text"], (
        "statutory, not the corporate 5 days"
    )
    alert = next(e for e in emails if e["to"] == TEAM)
    assert "Suggested procedure: statutory" in alert["text"]
    assert (
        "An interpreter (Polish)" in alert["text"]
        and "Made for a child by someone else: yes" in alert["text"]
    )
    staff_emails_carry_no_free_text(emails, ["cancelled three visits", "A visit this month", "Alex", "Sam"])


def test_a_foster_carer_with_javascript_off_gets_follow_up_pages(
    service: LocalService, phone_without_javascript: BrowserContext, axe: Checker
) -> None:
    steps = Steps("foster-carer-no-javascript")
    page = phone_without_javascript.new_page()
    email = f"carer-{uuid.uuid4().hex[:8]}@example.org"
    advocate = f"ash-{uuid.uuid4().hex[:8]}@advocacy.example"
    start(page, service, axe, steps)
    page.get_by_label("A foster carer").check()
    proceed(page, steps)
    page.get_by_label("Make a complaint").check()
    proceed(page, steps)
    page.get_by_label("The help a child or family gets from children's social care").check()
    page.locator("#raised_already-2").check()
    proceed(page, steps)
    page.get_by_label("Yes, for a child or young person").check()
    proceed(page, steps)
    page.get_by_label("They do not know").check()
    proceed(page, steps)
    page.get_by_label("What happened?").fill("The placement plan was changed without a meeting.")
    page.get_by_label("What would you like to happen?").fill("A meeting.")
    proceed(page, steps)
    proceed(page, steps)  # details are optional
    question(page, axe, steps, "help-no-javascript")
    assert page.locator("#advocate_name").count() == 0
    page.get_by_label("There is already an advocate").check()
    proceed(page, steps)
    assert page.title().startswith("Tell us a little more")
    axe.check(page)
    steps(page, "advocate-follow-up")
    page.get_by_label("Your advocate's name").fill("Ash")
    page.get_by_label("Your advocate's email address (optional)").fill(advocate)
    proceed(page, steps)
    question(page, axe, steps, "contact-no-javascript")
    page.get_by_label("Email", exact=True).check()
    proceed(page, steps)
    assert page.title().startswith("Your contact details")
    proceed(page, steps)  # left empty: the error links to the box, and its label stays in view
    axe.check(page)
    steps(page, "contact-follow-up-errors")
    page.locator(".govuk-error-summary a").first.click()
    assert page.url.endswith("#email")
    label = page.locator("label[for=email]").bounding_box()
    assert label is not None and label["y"] >= 0, "the question is on screen above its box"
    page.get_by_label("Email address").fill(email)
    proceed(page, steps)
    reference = send(page, axe, steps)

    emails = emails_about(service, reference, 3)
    assert {e["to"] for e in emails} == {email, advocate, TEAM}
    staff_emails_carry_no_free_text(emails, ["placement plan", "A meeting", "Ash"])


def keyboard_to(page: Page, selector: str, limit: int = 80) -> None:
    """Tab until ``selector`` has the focus, as a keyboard user moves through the page."""
    for _ in range(limit):
        if page.evaluate("(s) => document.activeElement && document.activeElement.matches(s)", selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"could not reach {selector} with the keyboard")


def keyboard_choose(page: Page, name: str, value: str) -> None:
    """Reach a radio group and move to ``value`` with the arrow keys (a group is one tab stop)."""
    keyboard_to(page, f"input[name={name}]")
    for _ in range(30):
        if page.evaluate("() => document.activeElement.value") == value:
            page.keyboard.press("Space")
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"no option {value} for {name}")


def keyboard_press_button(page: Page, selector: str) -> None:
    keyboard_to(page, selector)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def keyboard_continue(page: Page, steps: Steps) -> None:
    steps(page, slug(page) + "-answered")
    keyboard_press_button(page, "button.govuk-button")


def test_an_advocate_using_only_the_keyboard(
    service: LocalService, phone: BrowserContext, axe: Checker
) -> None:
    steps = Steps("advocate-keyboard")
    page = phone.new_page()
    email = f"advocate-{uuid.uuid4().hex[:8]}@advocacy.example"
    page.goto(service.url + "/")
    keyboard_press_button(page, "button.govuk-button--start")
    keyboard_choose(page, "role", "advocate")
    keyboard_continue(page, steps)
    keyboard_choose(page, "kind", "complaint")
    keyboard_continue(page, steps)
    keyboard_choose(page, "subject", "childrens-social-care")
    keyboard_choose(page, "raised_already", "yes")
    keyboard_continue(page, steps)
    assert page.title().startswith("About the child"), "an advocate acts for a child: no 'for a child?'"
    keyboard_choose(page, "child_view", "knows-and-agrees")
    keyboard_continue(page, steps)
    keyboard_to(page, "#what_happened")
    page.keyboard.type("The young person I support was moved without being asked.")
    keyboard_to(page, "#outcome_wanted")
    page.keyboard.type("They want to be asked first.")
    keyboard_continue(page, steps)
    keyboard_continue(page, steps)  # details: optional
    assert page.locator("input[name=advocacy]").count() == 0, "an advocate is not offered an advocate"
    keyboard_continue(page, steps)  # help: optional
    keyboard_choose(page, "preferred_contact", "email")
    keyboard_to(page, "#email")
    page.keyboard.type(email)
    keyboard_continue(page, steps)
    assert page.title().startswith("Check your answers")
    steps(page, "check-your-answers")
    keyboard_press_button(page, "button[value=send]")
    page.wait_for_selector("#reference")
    reference = page.locator("#reference").inner_text().strip()
    steps(page, "confirmation")

    emails = emails_about(service, reference, 2)
    ack = next(e for e in emails if e["to"] == email)
    assert ack["text"].startswith("Hello,")
    alert = next(e for e in emails if e["to"] == TEAM)
    assert "check the child's wishes" in alert["text"] and "sufficient interest" not in alert["text"]
    staff_emails_carry_no_free_text(emails, ["moved without being asked", "asked first"])


def test_a_special_guardian_says_thank_you(
    service: LocalService, phone: BrowserContext, axe: Checker
) -> None:
    steps = Steps("special-guardian-thank-you")
    page = phone.new_page()
    email = f"guardian-{uuid.uuid4().hex[:8]}@example.org"
    start(page, service, axe, steps)
    page.get_by_label("A special guardian", exact=True).check()
    proceed(page, steps)
    page.get_by_label("Say thank you").check()
    proceed(page, steps)
    page.get_by_label("Yes, for a child or young person").check()
    proceed(page, steps)
    question(page, axe, steps, "what-thank-you")
    page.get_by_label("What would you like to say thank you for?").fill(
        "Priya helped us through a hard year. Thank you."
    )
    proceed(page, steps)
    page.get_by_label("Who would you like to thank? (optional)").fill("Priya")
    proceed(page, steps)
    assert page.locator("input[name=advocacy]").count() == 0
    proceed(page, steps)
    question(page, axe, steps, "contact-optional")
    page.get_by_label("Your name (optional)").fill("Morgan Lee")
    page.get_by_label("Email", exact=True).check()
    page.get_by_label("Email address").fill(email)
    proceed(page, steps)
    reference = send(page, axe, steps)
    assert "We got your thank you" in page.inner_text("h1")

    emails = emails_about(service, reference, 3)
    thanks = next(e for e in emails if e["to"] == email)
    assert thanks["text"].startswith("Dear Morgan,") and "Sir or Madam" not in thanks["text"]
    alert = next(e for e in emails if e["to"] == TEAM and e["subject"].startswith("New"))
    assert "acknowledge by" not in alert["text"].lower() and "Suggested procedure" not in alert["text"]
    staff_emails_carry_no_free_text(emails, ["Priya", "hard year", "Morgan"])
