"""The online form through the real Form handler: form posts validated by the JSON API's model."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

import pytest

from infra.catalog import API_FUNCTIONS
from infra.local.emulator import LocalResources
from infra.local.gateway import Gateway
from shared import wiring

FORM = {"Content-Type": "application/x-www-form-urlencoded"}


@pytest.fixture
def gateway(aws: LocalResources) -> Gateway:
    return Gateway(API_FUNCTIONS)


def get_form(gateway: Gateway) -> tuple[str, str]:
    status, headers, payload = gateway.dispatch("GET", "/", {}, b"")
    assert status == 200
    assert dict(headers)["Content-Type"].startswith("text/html")
    page = payload.decode()
    token = re.search(r'name="form_token" value="([0-9a-f]{32})"', page)
    assert token, "the form carries a per-form token"
    return page, token.group(1)


def filled(token: str, **overrides: str) -> dict[str, str]:
    values = {
        "form_token": token,
        "website": "",
        "kind": "complaint",
        "role": "child-looked-after",
        "advocacy": "wants-one",
        "on_behalf_of": "myself",
        "what_happened": "My social worker keeps changing and nobody tells me why.",
        "when_happened-day": "3",
        "when_happened-month": "11",
        "when_happened-year": "2026",
        "name": "Jo",
        "email": "jo@example.org",
        "preferred_contact": "email",
        "consent_email": "yes",
        "consent_privacy": "yes",
    }
    values.update(overrides)
    return values


def post(gateway: Gateway, values: dict[str, str]) -> tuple[int, str]:
    status, _, payload = gateway.dispatch("POST", "/", FORM, urlencode(values).encode())
    return status, payload.decode()


def cases() -> list[dict[str, Any]]:
    store = wiring.case_store()
    items = store.client.scan(TableName=store.table_name)["Items"]
    return [i for i in items if i.get("type", {}).get("S") == "case"]


def test_the_form_offers_an_advocate_prominently(gateway: Gateway) -> None:
    page, _ = get_form(gateway)
    assert page.index("advocate") < page.index('name="kind"'), "the advocate offer comes before the questions"
    assert "Yes, please find me an advocate" in page
    assert 'href="/assets/govuk-frontend.min.css"' in page


def test_a_good_form_post_confirms_with_a_reference_and_dates(gateway: Gateway) -> None:
    _, token = get_form(gateway)
    status, page = post(gateway, filled(token))
    assert status == 201
    assert 'id="reference">CSC-2026-00001<' in page
    assert "Tuesday 1 December 2026" in page  # acknowledgement due: 3 working days from Thu 26 Nov
    assert "Thursday 10 December 2026" in page  # stage 1 response due
    assert "You asked for an advocate" in page
    (case,) = cases()
    assert case["details"]["M"]["when_happened"]["S"] == "2026-11-03"
    assert case["advocacy"]["M"]["wish"]["S"] == "wants-one"


def test_a_double_submit_is_one_case(gateway: Gateway) -> None:
    _, token = get_form(gateway)
    first = post(gateway, filled(token))
    second = post(gateway, filled(token))
    assert re.findall(r"CSC-\d{4}-\d{5}", first[1]) == re.findall(r"CSC-\d{4}-\d{5}", second[1])
    assert len(cases()) == 1


def test_errors_are_summarised_linked_and_what_was_typed_is_kept(gateway: Gateway) -> None:
    _, token = get_form(gateway)
    status, page = post(
        gateway,
        filled(
            token,
            email="jo@",
            what_happened="",
            consent_privacy="",
            name="<b>Jo</b>",
            **{"when_happened-month": "13"},
        ),
    )
    assert status == 422
    assert "<title>Error: " in page
    summary = page[page.index("govuk-error-summary") : page.index("</ul>")]
    assert 'href="#email"' in summary and 'href="#what_happened"' in summary
    assert 'href="#when_happened-day"' in summary and 'href="#consent_privacy"' in summary
    assert "Enter an email address in the correct format" in summary
    assert 'value="&lt;b&gt;Jo&lt;/b&gt;"' in page, "what was typed is kept, as text"
    assert 'value="jo@"' in page
    assert f'value="{token}"' in page, "the same token, so the corrected post is still one submission"
    assert cases() == []


def test_the_honeypot_stores_nothing(gateway: Gateway) -> None:
    _, token = get_form(gateway)
    status, page = post(gateway, filled(token, website="http://spam.example"))
    assert status == 400
    assert "CSC-" not in page
    assert cases() == []


def test_the_wrong_content_type_is_refused(gateway: Gateway) -> None:
    status, _, _ = gateway.dispatch("POST", "/", {"Content-Type": "application/json"}, b"{}")
    assert status == 415
    assert cases() == []


def test_security_headers(gateway: Gateway) -> None:
    _, headers, _ = gateway.dispatch("GET", "/", {}, b"")
    named = dict(headers)
    assert "frame-ancestors 'none'" in named["Content-Security-Policy"]
    assert named["X-Content-Type-Options"] == "nosniff"


def test_the_same_page_sent_with_different_answers_is_a_new_representation(gateway: Gateway) -> None:
    _, token = get_form(gateway)
    first = post(gateway, filled(token))
    edited = post(gateway, filled(token, what_happened="Actually it was my foster placement that changed."))
    assert edited[0] == 201
    references = {re.findall(r"CSC-\d{4}-\d{5}", page)[0] for _, page in (first, edited)}
    assert len(references) == 2
    assert len(cases()) == 2
