"""WCAG 2.2 SC 2.2.1 (Timing Adjustable) on the form, in Chromium at 375 and 1280 px: the page says until
when the answers are kept; near the end a warning takes the focus; extending it with the keyboard keeps
what was typed on the page and moves the server's expiry. A short lifetime (HEARD_FORM_ANSWERS_TTL_SECONDS)
makes the warning come within seconds; the service's clock is moved by the test, never today's."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from playwright.sync_api import Browser, BrowserContext, Page

from infra.local.service import LocalService
from shared import names
from tests.browser.conftest import AXE, DESKTOP, PHONE
from tests.browser.test_journeys import keyboard_to

pytestmark = pytest.mark.browser
#: Two minutes' warning (functions/form/state.WARNING_SECONDS) comes 3 s after a page with this lifetime loads.
TTL = 123
TYPED = "My social worker keeps changing and nobody tells me why."


@pytest.fixture(params=[PHONE, DESKTOP], ids=["375px", "1280px"])
def context(chromium: Browser, request: pytest.FixtureRequest) -> Iterator[BrowserContext]:
    made = chromium.new_context(viewport=request.param)
    yield made
    made.close()


def to_what_happened(page: Page, service: LocalService) -> None:
    page.goto(service.url + "/")
    page.get_by_role("button", name="Start now").click()
    for name, value in (
        ("role", "child-looked-after"),
        ("kind", "complaint"),
        ("subject", "childrens-social-care"),
    ):
        page.check(f"input[name={name}][value={value}]")
        if name == "subject":
            page.check("input[name=raised_already][value=no]")
        with page.expect_navigation():
            page.get_by_role("button", name="Continue").click()
    assert page.locator("textarea[name=what_happened]").count() == 1


def test_the_warning_comes_and_keyboard_extend_keeps_the_typing_and_the_answers(
    context: BrowserContext, service: LocalService, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(names.FORM_ANSWERS_TTL_ENV, str(TTL))
    page = context.new_page()
    to_what_happened(page, service)
    said = page.locator("#heard-lifetime-text").inner_text()
    assert "We keep your answers until" in said and "new page keeps them" in said
    first_expiry = page.get_attribute("#heard-lifetime", "data-expires-at")
    page.fill("textarea[name=what_happened]", TYPED)
    service.advance_to(service.clock.now() + timedelta(seconds=100))  # 23 s of the answers' life left

    warning = page.get_by_role("alertdialog", name="Do you need more time?")
    warning.wait_for(state="visible", timeout=10_000)
    assert page.evaluate("() => document.activeElement.id") == "heard-timeout"
    results = AXE.run(page)
    assert results.violations_count == 0, results.generate_report()

    keyboard_to(page, "#heard-extend")
    with page.expect_response("**/extend") as replied:
        page.keyboard.press("Enter")
    assert replied.value.status == 200
    warning.wait_for(state="hidden")
    assert "We keep your answers until" in page.locator("#heard-extended").inner_text()
    assert page.input_value("textarea[name=what_happened]") == TYPED
    assert page.get_attribute("#heard-lifetime", "data-expires-at") > (first_expiry or "")

    # Past the first expiry on the server: the extended answers are still accepted as they were.
    service.advance_to(service.clock.now() + timedelta(seconds=100))
    page.fill("textarea[name=outcome_wanted]", "To keep the same one.")
    with page.expect_navigation():
        page.get_by_role("button", name="Continue").click()
    assert "earlier answers were deleted" not in page.content()
    assert page.locator("textarea[name=what_happened]").count() == 0  # moved on to the next question


def test_dismissing_hides_the_warning(
    context: BrowserContext, service: LocalService, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(names.FORM_ANSWERS_TTL_ENV, "60")  # under two minutes: warned at once
    page = context.new_page()
    to_what_happened(page, service)
    warning = page.get_by_role("alertdialog", name="Do you need more time?")
    warning.wait_for(state="visible", timeout=10_000)
    page.keyboard.press("Escape")
    warning.wait_for(state="hidden")
