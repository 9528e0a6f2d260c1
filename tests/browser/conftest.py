"""One Chromium (Debian's, driven by Playwright) for the whole session and a local service per module;
axe-core once per distinct page and error state; screenshots of each step when asked for."""

from __future__ import annotations

import json
import os
import re
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from infra.local.service import ASSETS, LocalService
from tests import real_clock
from tests.conftest import start_service

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
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}
#: `make screenshots` sets this: every step of every journey is saved there at 375 and 1280 px.
SCREENSHOTS = os.environ.get("HEARD_SCREENSHOTS")
SCRIPTS = re.compile(r"<script\b.*?</script>", re.DOTALL | re.IGNORECASE)
AXE = Axe()


@pytest.fixture(scope="session")
def chromium() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        # The browser keeps the real wall clock (tests/real_clock.py); the service follows the test's.
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=ARGS, env=real_clock.environment()
        )
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def service() -> Iterator[LocalService]:
    """The local service on moto, for one module: a moto mock open longer would be shared by every later
    test on the same worker (nested mocks share one state)."""
    from moto import mock_aws

    assert (ASSETS / "govuk-frontend.min.css").is_file(), "run `make assets` (make test does)"
    with mock_aws():
        local = start_service(pump_backoff=0.05)
        local.serve_in_background()
        yield local
        local.stop()


class Checker:
    """axe-core on each distinct page and error state, once a session. A page rendered with JavaScript
    off is checked as rendered (scripts removed) in a JavaScript-on page, since axe-core runs on script
    timers that a JavaScript-off page never runs."""

    def __init__(self, context: BrowserContext) -> None:
        self.context = context
        self.seen: set[str] = set()

    def check(self, page: Page) -> None:
        title = page.title()
        key = re.sub(r"\s+", " ", title)
        if key in self.seen:
            return
        self.seen.add(key)
        target = page
        if not page.evaluate("document.body.classList.contains('js-enabled')"):
            html = SCRIPTS.sub("", page.content())
            target = self.context.new_page()
            target.route(
                page.url, lambda route: route.fulfill(status=200, content_type="text/html", body=html)
            )
            target.goto(page.url)
        results = AXE.run(target)
        if target is not page:
            target.close()
        assert results.violations_count == 0, f"{title}: {results.generate_report()}"


@pytest.fixture(scope="session")
def axe(chromium: Browser) -> Iterator[Checker]:
    context = chromium.new_context(viewport=PHONE)
    yield Checker(context)
    context.close()


class Steps:
    """Screenshots of a journey's steps at phone and desktop widths (only under `make screenshots`)."""

    def __init__(self, journey: str) -> None:
        self.journey, self.count = journey, 0

    def __call__(self, page: Page, name: str) -> None:
        if not SCREENSHOTS:
            return
        self.count += 1
        folder = Path(SCREENSHOTS) / self.journey
        folder.mkdir(parents=True, exist_ok=True)
        for label, size in (("375", PHONE), ("1280", DESKTOP)):
            page.set_viewport_size(size)
            page.screenshot(path=str(folder / f"{self.count:02d}-{name}-{label}.png"), full_page=True)
        page.set_viewport_size(PHONE)


def outbox(service: LocalService) -> list[dict[str, Any]]:
    with urllib.request.urlopen(f"{service.url}/_local/outbox", timeout=5) as response:
        emails: list[dict[str, Any]] = json.loads(response.read())
        return emails


def emails_about(
    service: LocalService, reference: str, count: int, timeout: float = 20
) -> list[dict[str, Any]]:
    """The emails whose subject names ``reference``, once ``count`` of them have been sent."""
    deadline = time.monotonic() + timeout
    while True:
        found = [e for e in outbox(service) if reference in e["subject"]]
        if len(found) >= count:
            return found
        assert time.monotonic() < deadline, f"{len(found)} of {count} emails about {reference}: {found}"
        time.sleep(0.2)
