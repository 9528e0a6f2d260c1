"""Input edges ("Intake that holds"): deep JSON, strict booleans, invisible and control characters,
old dates, email addresses, encodings, body limits in any script, the honeypot, and security headers on
every answer. Through the real handlers on moto, as API Gateway proxy events."""

from __future__ import annotations

import base64
import json
import random
from typing import Any
from urllib.parse import quote, urlencode

import pytest

from functions.http import MAX_BODY_BYTES, MAX_FORM_BODY_BYTES, SECURITY_HEADERS
from infra.catalog import API_FUNCTIONS
from infra.local.emulator import LocalResources
from infra.local.gateway import Gateway, LambdaContext
from shared import wiring
from shared.domain.errors import Conflict
from shared.domain.representation import text_limits
from tests.conftest import as_json, complaint

JSON = {"Content-Type": "application/json"}
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
TOKEN = "0123456789abcdef0123456789abcdef"
#: A character outside the Basic Multilingual Plane: 4 bytes of UTF-8, 12 encoded.
WIDE = "\U0001f600"


@pytest.fixture
def gateway(aws: LocalResources) -> Gateway:
    return Gateway(API_FUNCTIONS)


def post(gateway: Gateway, body: bytes, headers: dict[str, str] | None = None) -> tuple[int, dict[str, Any]]:
    status, _, payload = gateway.dispatch("POST", "/representations", headers or JSON, body)
    return status, json.loads(payload)


def post_form(gateway: Gateway, body: bytes, headers: dict[str, str] | None = None) -> tuple[int, str]:
    status, _, payload = gateway.dispatch("POST", "/", headers or FORM, body)
    return status, payload.decode()


def cases() -> list[dict[str, Any]]:
    store = wiring.case_store()
    items = store.client.scan(TableName=store.table_name)["Items"]
    return [i for i in items if i.get("type", {}).get("S") == "case"]


def stored_nothing() -> bool:
    store = wiring.case_store()
    return store.client.scan(TableName=store.table_name)["Items"] == []


def messages(body: dict[str, Any]) -> dict[str, str]:
    return {e["field"]: e["message"] for e in body.get("errors", [])}


def event(body: str, headers: dict[str, str], b64: bool = False, method: str = "POST") -> dict[str, Any]:
    return {
        "httpMethod": method,
        "resource": "/representations",
        "path": "/representations",
        "headers": headers,
        "body": body,
        "isBase64Encoded": b64,
    }


def form_values(**overrides: str) -> dict[str, str]:
    """The form's first post (Start now), with anything else."""
    return {"page": "start", "website": "", **overrides}


def sealed(answers: dict[str, Any]) -> str:
    """Answers sealed as the form seals them between pages (every page done)."""
    from functions.form.state import seal
    from shared import config

    pages = ["who", "kind", "about", "for-child", "child", "what", "details", "help", "contact", "help-more"]
    return seal({"answers": answers, "done": pages, "token": TOKEN}, config.clock().now())


def as_form_answers(values: dict[str, Any]) -> dict[str, Any]:
    """A JSON request's answers as the form keeps them (yes/no for booleans, lists for checkboxes)."""
    answers: dict[str, Any] = {}
    for key, value in values.items():
        if isinstance(value, bool):
            answers[key] = "yes" if value else "no"
        elif isinstance(value, list | tuple):
            answers[key] = list(value)
        elif value is not None and key != "when_happened":
            answers[key] = str(value)
    return answers


# --- JSON nested deeply ------------------------------------------------------------------------------


@pytest.mark.parametrize("depth", [1_000, 50_000])
def test_json_nested_deeply_is_400_and_never_a_lambda_error(aws: LocalResources, depth: int) -> None:
    from functions.intake.handler import handler

    body = '{"what_happened": ' + "[" * depth + "]" * depth + "}"
    result = handler(event(body, JSON), LambdaContext(function_name="Intake"))  # raises if it escapes
    assert result["statusCode"] == 400
    assert "nested too deeply" in json.loads(result["body"])["message"]
    assert stored_nothing()


# --- Booleans, invisible and control characters, dates ------------------------------------------------


@pytest.mark.parametrize("value", ["yes", "true", 1, "1", "on"])
def test_booleans_are_json_booleans_only(gateway: Gateway, value: Any) -> None:
    status, body = post(gateway, as_json(complaint(advocacy_offered=value)))
    assert status == 422 and "advocacy_offered" in messages(body)
    status, body = post(gateway, as_json(complaint(raised_already=value)))
    assert status == 422 and "raised_already" in messages(body)
    assert stored_nothing()


@pytest.mark.parametrize("invisible", ["\u200b", "\u200c\u200d", "\u2060", "\ufeff", " \u200b\u3000\u00ad "])
def test_text_that_is_only_invisible_characters_is_empty(gateway: Gateway, invisible: str) -> None:
    status, body = post(gateway, as_json(complaint(what_happened=invisible)))
    assert status == 422 and messages(body)["what_happened"] == "Tell us what you want to say"
    status, body = post(gateway, as_json(complaint(email=invisible)))
    assert status == 422 and "Enter your email address" in messages(body)["email"]
    assert stored_nothing()
    status, _ = post(gateway, as_json(complaint(name=invisible)))
    assert status == 201
    (case,) = cases()
    assert "NULL" in case["complainant"]["M"]["name"], "an invisible name is no name"


SINGLE_LINE = ["child_name", "name", "advocate_name", "advocate_organisation", "team_or_worker", "phone"]
FREE_TEXT = ["what_happened", "outcome_wanted", "address", "support_other"]


@pytest.mark.parametrize("field", SINGLE_LINE + FREE_TEXT + ["email", "advocate_email", "service_area"])
@pytest.mark.parametrize("control", ["\x00", "\x07", "\x1b", "\x7f", "\x85"])
def test_control_characters_are_refused_in_every_field(gateway: Gateway, field: str, control: str) -> None:
    status, body = post(gateway, as_json(complaint(**{field: f"Sam{control}Jones"})))
    assert status == 422
    assert field in messages(body), body
    if field not in ("email", "advocate_email", "phone", "service_area"):
        assert "hidden character" in messages(body)[field]
    assert stored_nothing()


@pytest.mark.parametrize("field", SINGLE_LINE)
def test_one_line_fields_refuse_new_lines_and_tabs(gateway: Gateway, field: str) -> None:
    for separator in ("\n", "\r\n", "\t", "\u2028"):
        status, body = post(gateway, as_json(complaint(**{field: f"Sam{separator}Jones"})))
        assert status == 422 and "one line" in messages(body)[field]
    assert stored_nothing()


def test_free_text_keeps_new_lines_and_tabs(gateway: Gateway) -> None:
    status, _ = post(
        gateway,
        as_json(complaint(what_happened="First line\r\nSecond\tline\rThird", address="1 High St\nTown")),
    )
    assert status == 201
    (case,) = cases()
    assert case["details"]["M"]["what_happened"]["S"] == "First line\nSecond\tline\nThird"


@pytest.mark.parametrize(
    ("when", "words"),
    [
        ("1899-12-31", "1900 or later"),
        ("0001-01-01", "1900 or later"),
        (20261001, "Enter a real date"),
        ("2026-02-30", "Enter a real date"),
    ],
)
def test_a_date_before_1900_or_not_a_date_is_refused(gateway: Gateway, when: Any, words: str) -> None:
    status, body = post(gateway, as_json(complaint(when_happened=when)))
    assert status == 422 and words in messages(body)["when_happened"]
    assert stored_nothing()


# --- Email addresses --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "address",
    [
        "a,b@example.org",
        "a;b@example.org",
        "a@example.org,b@example.org",
        "a@example.org; b@example.org",
        "a@b.c:25",
        "undisclosed:;",
        '"Team": a@example.org, b@example.org;',
        "Jo <jo@example.org>",
        "jo@example.org\r\nBcc: everyone@example.org",
        "jo\x00@example.org",
        '"jo smith"@example.org',
        "jo@[192.0.2.1]",
        "jö@example.org",
    ],
)
def test_only_one_deliverable_mailbox_is_accepted(gateway: Gateway, address: str) -> None:
    status, body = post(gateway, as_json(complaint(email=address)))
    assert status == 422 and "email" in messages(body)
    status, body = post(gateway, as_json(complaint(advocacy="has-one", advocate_email=address)))
    assert status == 422 and "advocate_email" in messages(body)
    assert stored_nothing()


def test_an_international_domain_is_stored_in_its_ascii_form(gateway: Gateway) -> None:
    status, _ = post(gateway, as_json(complaint(email="jo@bücher.example")))
    assert status == 201
    (case,) = cases()
    assert case["complainant"]["M"]["email"]["S"] == "jo@xn--bcher-kva.example"


# --- Encodings ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "content_type", ["Application/JSON; charset=UTF-8", "APPLICATION/JSON", "application/json"]
)
def test_invalid_utf8_is_400_whatever_the_case_of_the_content_type(
    aws: LocalResources, content_type: str
) -> None:
    from functions.intake.handler import handler

    raw = b'{"kind": "comment", "what_happened": "caf\xe9", "role": "parent"}'
    result = handler(
        event(base64.b64encode(raw).decode(), {"Content-Type": content_type}, b64=True),
        LambdaContext(function_name="Intake"),
    )
    assert result["statusCode"] == 400 and "UTF-8" in json.loads(result["body"])["message"]
    # A text body carrying an undecodable byte (a lone surrogate) is refused the same way.
    result = handler(event('{"what_happened": "\udce9"}', {"Content-Type": content_type}), LambdaContext("I"))
    assert result["statusCode"] == 400
    assert stored_nothing()


def test_invalid_utf8_through_the_gateway_is_400(gateway: Gateway) -> None:
    raw = as_json(complaint()).replace(b"Nobody", b"Nob\xffdy")
    status, body = post(gateway, raw, {"Content-Type": "Application/JSON; charset=UTF-8"})
    assert status == 400 and "UTF-8" in body["message"]
    assert stored_nothing()


@pytest.mark.parametrize(
    ("encoding", "content_type"),
    [
        ("utf-16", "application/json"),  # Python writes a byte order mark
        ("utf-16-le", "application/json; charset=utf-16"),
        ("utf-16-be", "Application/Json; Charset=UTF-16BE"),
        ("utf-32", "application/json"),
    ],
)
def test_utf16_and_utf32_get_415_saying_to_send_utf8(
    gateway: Gateway, encoding: str, content_type: str
) -> None:
    raw = json.dumps(complaint()).encode(encoding)
    status, body = post(gateway, raw, {"Content-Type": content_type})
    assert status == 415 and "UTF-8" in body["message"]
    assert stored_nothing()


def test_a_utf8_byte_order_mark_is_accepted(gateway: Gateway) -> None:
    status, _ = post(gateway, b"\xef\xbb\xbf" + as_json(complaint()))
    assert status == 201


def test_the_form_refuses_invalid_utf8_and_utf16(gateway: Gateway) -> None:
    status, page = post_form(gateway, urlencode(form_values()).encode() + b"&name=J%FF")
    assert status == 400 and "could not read" in page
    status, page = post_form(
        gateway,
        urlencode(form_values()).encode("utf-16"),
        {"Content-Type": "Application/X-WWW-Form-Urlencoded"},
    )
    assert status == 415
    status, page = post_form(
        gateway,
        urlencode(form_values()).encode(),
        {"Content-Type": "application/x-www-form-urlencoded; charset=utf-16"},
    )
    assert status == 415
    assert cases() == []


# --- Size: limits in characters, bodies in bytes ------------------------------------------------------


def test_the_body_limits_fit_the_longest_answers_in_four_byte_characters() -> None:
    longest = 12 * sum(text_limits().values())
    assert longest <= MAX_BODY_BYTES and longest <= MAX_FORM_BODY_BYTES
    assert longest + 4096 >= MAX_BODY_BYTES, "no more than the answers and their structure need"


def maximal(wide: str = WIDE) -> dict[str, Any]:
    """Every text answer at its limit, in the widest characters its field allows."""
    limits = text_limits()
    return complaint(
        name=wide * limits["name"],
        child_name=wide * limits["child_name"],
        email=("x" * 64) + "@" + ".".join(["a" * 63, "b" * 63, "c" * 57]) + ".org",
        phone="+44 (0)121 496-0000",
        address=wide * limits["address"],
        advocacy="has-one",
        advocate_name=wide * limits["advocate_name"],
        advocate_organisation=wide * limits["advocate_organisation"],
        advocate_email=("y" * 64) + "@" + ".".join(["a" * 63, "b" * 63, "c" * 57]) + ".org",
        service_area="residential-care",
        team_or_worker=wide * limits["team_or_worker"],
        what_happened=wide * limits["what_happened"],
        outcome_wanted=wide * limits["outcome_wanted"],
        support=["other"],
        support_other=wide * limits["support_other"],
    )


def test_a_maximal_payload_in_four_byte_characters_is_accepted_as_json(gateway: Gateway) -> None:
    body = json.dumps(maximal(), ensure_ascii=True).encode()  # every character as \uXXXX\uXXXX
    assert 128 * 1024 < len(body) <= MAX_BODY_BYTES
    status, receipt = post(gateway, body)
    assert status == 201, receipt


def test_the_longest_page_with_every_other_answer_at_its_limit_is_accepted_by_the_form(
    gateway: Gateway,
) -> None:
    """The longest page (what happened, and what should happen, at 5,000 four-byte characters each),
    posted with every other answer at its limit sealed with it (in characters that do not compress),
    fits the form's limit."""
    varied = random.Random(7)
    answers = {
        k: "".join(chr(varied.randrange(0x20000, 0x2A6D6)) for _ in v)
        if k.endswith(("name", "address", "other", "organisation", "worker"))
        else v
        for k, v in as_form_answers(maximal()).items()
    }
    page = {"what_happened": answers.pop("what_happened"), "outcome_wanted": answers.pop("outcome_wanted")}
    body = urlencode({"page": "what", "state": sealed(answers), "js": "on", **page}).encode()
    assert 120 * 1024 < len(body) <= MAX_FORM_BODY_BYTES
    status, html = post_form(gateway, body)
    assert status == 200 and "Check your answers" in html, html[:2000]
    state = html.split('name="state" value="', 2)[1].split('"', 1)[0]
    status, _ = post_form(
        gateway, urlencode({"page": "check", "state": state, "goto": "send", "js": "on"}).encode()
    )
    assert status == 303


def test_arabic_within_every_field_limit_is_accepted_by_the_form(gateway: Gateway) -> None:
    answers = as_form_answers(maximal("\u0639"))
    body = urlencode({"page": "check", "state": sealed(answers), "goto": "send"}).encode()
    status, _ = post_form(gateway, body)
    assert status == 303
    assert len(cases()) == 1


def test_a_form_post_over_the_size_limit_is_refused_and_nothing_is_stored(gateway: Gateway) -> None:
    typed = "I want to tell you about my placement. " + WIDE * 20_000
    body = urlencode(form_values(what_happened=typed, name="Jo Bloggs")).encode()
    assert len(body) > MAX_FORM_BODY_BYTES
    status, page = post_form(gateway, body)
    assert status == 413 and "too large" in page
    assert cases() == []


def test_a_json_post_over_the_size_limit_is_413_naming_the_limit(gateway: Gateway) -> None:
    status, body = post(gateway, as_json(complaint(outcome_wanted="y" * MAX_BODY_BYTES)))
    assert status == 413 and f"{MAX_BODY_BYTES:,} bytes" in body["message"]
    assert stored_nothing()


# --- The honeypot -----------------------------------------------------------------------------------


@pytest.mark.parametrize("order", [("http://spam.example", ""), ("", "http://spam.example")])
def test_the_honeypot_sent_twice_with_one_value_empty_is_still_caught(
    gateway: Gateway, order: tuple[str, str]
) -> None:
    body = "page=start" + "".join(f"&website={quote(v)}" for v in order)
    status, page = post_form(gateway, body.encode())
    assert status == 400 and "CSC-" not in page
    assert cases() == []


# --- Security headers on every answer ----------------------------------------------------------------


def assert_secure(headers: list[tuple[str, str]]) -> None:
    named = dict(headers)
    for name, value in SECURITY_HEADERS.items():
        assert named.get(name) == value, name
    assert "frame-ancestors 'none'" in named["Content-Security-Policy"]


def test_every_answer_of_both_handlers_carries_the_security_headers(
    gateway: Gateway, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: dict[str, set[int]] = {"json": set(), "form": set()}

    def check(kind: str, method: str, path: str, headers: dict[str, str], body: bytes) -> None:
        status, answer_headers, _ = gateway.dispatch(method, path, headers, body)
        assert_secure(answer_headers)
        seen[kind].add(status)

    check("json", "GET", "/health", {}, b"")
    check("json", "POST", "/representations", JSON, as_json(complaint()))
    check("json", "POST", "/representations", JSON, b"{nope")
    check("json", "POST", "/representations", JSON, b"x" * (MAX_BODY_BYTES + 1))
    check("json", "POST", "/representations", {"Content-Type": "text/plain"}, b"{}")
    check("json", "POST", "/representations", JSON, b"{}")
    check("json", "POST", "/representations", JSON, json.dumps(complaint()).encode("utf-16"))
    check("form", "GET", "/", {}, b"")
    for path in ("/help", "/privacy", "/accessibility", "/confirmation?c=nope"):
        check("form", "GET", path, {}, b"")
    check("form", "POST", "/", FORM, urlencode(form_values()).encode())
    check("form", "POST", "/", FORM, urlencode(form_values(website="x")).encode())
    check("form", "POST", "/", FORM, urlencode({"page": "who", "state": sealed({})}).encode())
    check("form", "POST", "/", FORM, urlencode(form_values(what_happened=WIDE * 40_000)).encode())
    check("form", "POST", "/", {"Content-Type": "text/plain"}, b"x")
    answers = as_form_answers(complaint(what_happened="Another one."))
    check(
        "form",
        "POST",
        "/",
        FORM,
        urlencode({"page": "check", "state": sealed(answers), "goto": "send"}).encode(),
    )

    def busy(*_: Any, **__: Any) -> Any:
        raise Conflict("the same request is already being processed: try again in a moment")

    monkeypatch.setattr(type(wiring.intake_service()), "submit", busy)
    check("json", "POST", "/representations", JSON, as_json(complaint(what_happened="Another one.")))
    answers = as_form_answers(complaint(what_happened="And another."))
    check(
        "form",
        "POST",
        "/",
        FORM,
        urlencode({"page": "check", "state": sealed(answers), "goto": "send"}).encode(),
    )
    assert seen["json"] == {200, 201, 400, 409, 413, 415, 422}
    assert seen["form"] == {200, 303, 400, 404, 409, 413, 415, 422}


@pytest.mark.parametrize(("method", "path"), [("GET", "/representations"), ("PUT", "/")])
def test_router_answers_for_wrong_methods_and_paths_carry_them_too(
    aws: LocalResources, method: str, path: str
) -> None:
    from functions.form.handler import handler as form
    from functions.intake.handler import handler as intake

    for handler in (intake, form):
        for route in (path, "/nowhere"):
            result = handler(
                event("", {}, method=method) | {"resource": route, "path": route}, LambdaContext("x")
            )
            assert result["statusCode"] in (404, 405)
            for name, value in SECURITY_HEADERS.items():
                assert result["headers"][name] == value
