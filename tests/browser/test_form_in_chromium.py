"""The online form in a real browser (Debian's Chromium, driven by Playwright) against the local
service, with JavaScript on and off, and axe-core on every page."""

from __future__ import annotations

import json
import re
import time
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from infra.local.service import ASSETS, LocalService

pytestmark = pytest.mark.browser
CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
REFERENCE = re.compile(r"^CSC-\d{4}-\d{5}$")
AXE = Axe()


@pytest.fixture(scope="module")
def service() -> Iterator[LocalService]:
    from moto import mock_aws

    assert (ASSETS / "govuk-frontend.min.css").is_file(), "run `make assets` (make test does)"
    with mock_aws():
        local = LocalService.start(pump_backoff=0.05)
        local.serve_in_background()
        yield local
        local.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(params=[True, False], ids=["javascript-on", "javascript-off"])
def context(request: pytest.FixtureRequest, browser: Browser) -> Iterator[BrowserContext]:
    ctx = browser.new_context(java_script_enabled=request.param, viewport={"width": 390, "height": 844})
    yield ctx
    ctx.close()


@pytest.fixture(scope="module")
def checker(browser: Browser) -> Iterator[BrowserContext]:
    """A JavaScript-on context to run axe-core for pages rendered with JavaScript off (axe-core needs
    script timers, which a JavaScript-off page never runs)."""
    ctx = browser.new_context(viewport={"width": 390, "height": 844})
    yield ctx
    ctx.close()


SCRIPTS = re.compile(r"<script\b.*?</script>", re.DOTALL | re.IGNORECASE)


def assert_accessible(page: Page, checker: BrowserContext) -> None:
    target = page
    if not page.evaluate("document.body.classList.contains('js-enabled')"):
        # The page as the JavaScript-off browser rendered it, scripts removed, served at its own URL.
        html = SCRIPTS.sub("", page.content())
        target = checker.new_page()
        target.route(page.url, lambda route: route.fulfill(status=200, content_type="text/html", body=html))
        target.goto(page.url)
    results = AXE.run(target)
    if target is not page:
        target.close()
    assert results.violations_count == 0, results.generate_report()


def fill_complaint(page: Page, email: str) -> None:
    page.get_by_label("Make a complaint").check()
    page.get_by_label("A child or young person in care").check()
    page.get_by_label("Yes, please find me an advocate").check()
    page.get_by_label("Me", exact=True).check()
    page.get_by_label("What do you want to tell us?").fill(
        "I was not told my review meeting had moved. <b>Again</b>."
    )
    page.get_by_label("Your name", exact=True).fill("Jo")
    page.get_by_label("Email address", exact=True).fill(email)
    page.get_by_label("Email me to say you got my message").check()
    page.get_by_label("I have read how you will use my information").check()


def outbox(service: LocalService) -> list[dict[str, Any]]:
    with urllib.request.urlopen(f"{service.url}/_local/outbox", timeout=5) as response:
        emails: list[dict[str, Any]] = json.loads(response.read())
        return emails


def test_a_child_submits_a_complaint_and_gets_a_reference_and_an_email(
    service: LocalService, context: BrowserContext, checker: BrowserContext
) -> None:
    page = context.new_page()
    page.goto(service.url + "/")
    assert_accessible(page, checker)
    email = f"jo-{id(context)}@example.org"
    fill_complaint(page, email)
    token = page.locator("input[name=form_token]").input_value()
    form_values = {
        "form_token": token,
        "kind": "complaint",
        "role": "child-looked-after",
        "advocacy": "wants-one",
        "on_behalf_of": "myself",
        "what_happened": page.get_by_label("What do you want to tell us?").input_value(),
        "name": "Jo",
        "email": email,
        "preferred_contact": "email",
        "consent_email": "yes",
        "consent_privacy": "yes",
    }
    page.get_by_role("button", name="Send").click()
    page.wait_for_selector("#reference")
    reference = page.locator("#reference").inner_text().strip()
    assert REFERENCE.match(reference)
    assert "What happens next" in page.content()
    assert_accessible(page, checker)

    # The acknowledgement reaches the local outbox, once.
    deadline = time.monotonic() + 20
    while not any(e["to"] == email for e in outbox(service)):
        assert time.monotonic() < deadline, "no acknowledgement in the outbox"
        time.sleep(0.2)
    mine = [e for e in outbox(service) if e["to"] == email]
    assert len(mine) == 1 and reference in mine[0]["subject"]

    # Submitting the same form again (a resubmit or double click) gives the same reference.
    again = context.request.post(service.url + "/", form=form_values)
    assert reference in again.text()
    page.goto(service.url + "/_local/outbox.html")
    assert_accessible(page, checker)
    assert len([e for e in outbox(service) if e["to"] == email]) == 1


def test_bad_data_shows_a_linked_error_summary(
    service: LocalService, context: BrowserContext, checker: BrowserContext
) -> None:
    page = context.new_page()
    page.goto(service.url + "/")
    page.get_by_label("Email address", exact=True).fill("not-an-email")
    page.get_by_role("button", name="Send").click()
    summary = page.locator(".govuk-error-summary")
    summary.wait_for()
    text = summary.inner_text()
    assert "There is a problem" in text
    assert "Choose whether you want to make a complaint" in text
    assert "Enter an email address in the correct format" in text
    assert page.title().startswith("Error: ")
    assert page.get_by_label("Email address", exact=True).input_value() == "not-an-email"
    assert_accessible(page, checker)
    summary.get_by_role("link", name=re.compile("Tell us what you want to say")).click()
    # GOV.UK Frontend's JavaScript moves focus to the field; without it the link jumps to the field.
    focused = page.evaluate("document.activeElement && document.activeElement.id")
    assert focused == "what_happened" or page.url.endswith("#what_happened")
