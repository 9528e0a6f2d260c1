"""Swagger UI on the local service, in a real browser under Heard's own Content Security Policy: the
officer and public operations of the one OpenAPI document are all there to try."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import Browser

from infra.local.service import SWAGGER, LocalService

pytestmark = pytest.mark.browser


def test_swagger_ui_shows_every_operation_of_the_document(service: LocalService, chromium: Browser) -> None:
    assert (SWAGGER / "swagger-ui-bundle.js").is_file(), "make builds build/swagger (make test does)"
    status, _, payload = service.gateway.dispatch("GET", "/_local/openapi.json", {}, b"")
    assert status == 200
    document = json.loads(payload)
    operations = {(method.upper(), path) for path, ops in document["paths"].items() for method in ops}
    assert ("POST", "/cases/{reference}/actions") in operations and ("POST", "/representations") in operations
    context = chromium.new_context()
    try:
        page = context.new_page()
        refused: list[str] = []
        page.on(
            "console",
            lambda message: (
                refused.append(message.text) if "Content Security Policy" in message.text else None
            ),
        )
        page.goto(f"{service.url}/_local/api-docs")
        page.wait_for_selector(".opblock", timeout=20_000)
        shown = {
            (
                block.locator(".opblock-summary-method").inner_text().strip(),
                block.locator(".opblock-summary-path").get_attribute("data-path"),
            )
            for block in page.locator(".opblock").all()
        }
    finally:
        context.close()
    assert shown == operations
    assert refused == []
