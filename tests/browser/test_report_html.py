"""The annual report's HTML in Chromium: the reference report's tables with this year and last, the
definition beside each figure, the SVG charts drawn, and a printable PDF. A screenshot is kept in
build/screenshots/."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser

from shared.domain.policy import CouncilPolicy
from shared.reporting.annual import annual_report
from shared.reporting.demo import build_demo
from shared.reporting.memory import InMemoryCases
from shared.reporting.render import to_html

pytestmark = pytest.mark.browser
SCREENSHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"


def test_the_demo_years_annual_report_in_chromium(chromium: Browser, tmp_path: Path) -> None:
    store = InMemoryCases()
    builder = build_demo(store)
    policy = CouncilPolicy()
    document = tmp_path / "annual-report-2015.html"
    document.write_text(to_html(annual_report(store, 2015, builder.report_date, policy)), encoding="utf-8")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page = chromium.new_page(viewport={"width": 1100, "height": 900})
    page.goto(document.as_uri())
    summary = page.locator("#summary + table")
    complaints = summary.locator("tr", has_text="Complaints received")
    assert complaints.locator("td").all_inner_texts()[:3] == ["133", "102", "+30%"]
    assert "Received in the financial year" in complaints.locator("td.def").inner_text()
    children = summary.locator("tr", has_text="Complaints from children and young people")
    assert children.locator("td").all_inner_texts()[:2] == ["17", "11"]
    stage1 = page.locator("tr", has_text="Stage 1: Q4 average working days")
    assert stage1.locator("td").all_inner_texts()[:2] == ["19.0", "39.0"]
    # One bar per category, drawn with a width; the longest is the largest category.
    charts = page.locator("svg.chart")
    assert charts.count() == 4
    complaint_bars = page.locator("svg[aria-label^='Complaints by category'] rect")
    assert complaint_bars.count() == len(policy.complaint_categories)
    widths = [box["width"] for box in (bar.bounding_box() for bar in complaint_bars.all()) if box]
    assert widths[0] == max(widths) and widths[0] > 200
    page.screenshot(path=str(SCREENSHOTS / "annual-report-2015.png"), full_page=True)
    pdf = page.pdf(format="A4")
    page.close()
    assert pdf.startswith(b"%PDF") and pdf.count(b"/Type /Page") >= 3
