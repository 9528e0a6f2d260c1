"""A small router for API Gateway REST proxy events, shared by the API-facing handlers.

Powertools' resolver costs ~36 ms of every cold start (its package pulls in asyncio and every event
type); the public intake API must start fast (docs/performance.md), and routing a handful of fixed
paths needs none of that. Handlers stay thin: route, parse, call the domain, map typed errors."""

from __future__ import annotations

import base64
import json
import math
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from shared.domain.representation import text_limits

#: The most bytes one character can take once encoded: a character outside the Basic Multilingual Plane
#: is 4 bytes of UTF-8, so 12 bytes percent-encoded (%F0%9F%98%80) or as a JSON surrogate pair
#: (\uD83D\uDE00).
BYTES_PER_CHARACTER = 12
#: Room for everything but the answers: field names, choices, dates, booleans, the form's token and
#: punctuation (about 700 bytes for either encoding).
STRUCTURE_BYTES = 2048


def _longest_body() -> int:
    """Bytes for the longest legal answers in the widest characters, rounded up to a whole KiB. Field
    limits are in characters; body limits are in bytes and follow them, so no legal answer in any script
    is ever refused for its encoded size."""
    raw = BYTES_PER_CHARACTER * sum(text_limits().values()) + STRUCTURE_BYTES
    return -(-raw // 1024) * 1024


#: The largest JSON request body Heard accepts (413 beyond; the WAF's size rule uses the same figure).
MAX_BODY_BYTES = _longest_body()
#: The largest form post (URL-encoded) the online form accepts: a page's answers (the same reasoning and
#: figure) and every answer so far, sealed (functions/form/state.py): UTF-8 (at most 4 bytes a character),
#: compressed (never larger, bar a few bytes), encrypted and signed (under 100 bytes) and base64 (4/3).
MAX_FORM_BODY_BYTES = _longest_body() + -(-(4 * sum(text_limits().values()) * 4 // 3 + 4096) // 1024) * 1024
#: The largest body a staff route takes (413 beyond). A registration holds a representation, which
#: MAX_BODY_BYTES fits at every field's limit; an action's lists (findings, panel members, remedies) have
#: no fixed length, so the limit is well above any real action, and below bodies that would take seconds
#: to parse and validate.
MAX_STAFF_BODY_BYTES = 1024 * 1024
#: The charsets a body may declare: UTF-8 and its subset ASCII.
UTF8_CHARSETS = frozenset({"utf-8", "utf8", "us-ascii", "ascii"})
_WIDE_BOMS = (b"\xff\xfe", b"\xfe\xff")  # UTF-16 (and UTF-32 little-endian) byte order marks
_UTF32_BE_BOM = b"\x00\x00\xfe\xff"
#: Security headers for every response Heard gives (pages, JSON, errors and assets): no framing, no
#: sniffing, scripts and styles from our origin only.
SECURITY_HEADERS: Mapping[str, str] = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self' 'sha256-GUQ5ad8JK5KmEWmROf3LZd9ge94daqNvd8xy9YS1iDw='; "
        "img-src 'self' data:; style-src 'self'; frame-ancestors 'none'; form-action 'self'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}

E = TypeVar("E", bound=Exception)

#: How deeply a JSON body may nest arrays and objects. Heard's deepest request is about 5 levels (an
#: action's findings, each an object in a list); JSON nested more deeply is refused before any model
#: sees it, and long before the interpreter's recursion limit.
MAX_JSON_DEPTH = 32
#: The most digits a JSON integer may have: Python's own limit on converting text to an int
#: (``sys.get_int_max_str_digits()``, 4,300), which every number Heard takes is far below.
MAX_INTEGER_DIGITS = sys.get_int_max_str_digits() or 4300


class BadJson(ValueError):
    """A body that is not JSON Heard can read, with the reason in words (``message``): not JSON at all,
    nested too deeply, a number too long or too large, or NaN and Infinity (which JSON does not have)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _integer(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INTEGER_DIGITS:
        raise BadJson(
            f"The request body is not valid JSON: a number has more than {MAX_INTEGER_DIGITS:,} digits"
        )
    return int(text)


def _real(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise BadJson(f"The request body is not valid JSON: the number {text[:20]} is too large")
    return value


def _constant(name: str) -> Any:
    raise BadJson(f"The request body is not valid JSON: {name} is not a JSON value")


def _depth(value: Any) -> int:
    """How deeply ``value`` nests arrays and objects (walked without recursion)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, level)
        if deepest > MAX_JSON_DEPTH:
            break
        stack.extend((child, level + 1) for child in children)
    return deepest


def parse_json(text: str) -> Any:
    """The JSON document ``text``, or :class:`BadJson` saying what is wrong with it. Never raises
    anything else, whatever it is sent: not RecursionError for arrays nested a thousand deep, nor
    ValueError for a 5,000-digit number (Python's ``json`` raises both)."""
    try:
        value = json.loads(text, parse_int=_integer, parse_float=_real, parse_constant=_constant)
    except BadJson:
        raise
    except RecursionError:  # nested deeper than the interpreter's stack: never valid for this API
        raise BadJson("The request body is not valid JSON: it is nested too deeply") from None
    except ValueError as error:
        where = (
            f" (line {error.lineno}, column {error.colno})" if isinstance(error, json.JSONDecodeError) else ""
        )
        raise BadJson(f"The request body is not valid JSON{where}") from None
    if _depth(value) > MAX_JSON_DEPTH:
        raise BadJson(
            f"The request body is not valid JSON for Heard: it is nested too deeply (more than {MAX_JSON_DEPTH} levels)"
        )
    return value


class UndecodableBody(Exception):
    """The body is not UTF-8 text: ``status`` is 415 for another encoding (UTF-16, a declared charset),
    400 for bytes that are not valid UTF-8."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: Mapping[str, str]  # names in lower case
    body: bytes
    query: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_event(cls, event: Mapping[str, Any]) -> Request:
        raw = event.get("body") or ""
        # A text body may hold lone surrogates (an undecodable byte): keep them, so text() refuses it.
        body = base64.b64decode(raw) if event.get("isBase64Encoded") else raw.encode("utf-8", "surrogatepass")
        headers = {k.lower(): v for k, v in (event.get("headers") or {}).items()}
        return cls(
            method=str(event.get("httpMethod", "GET")).upper(),
            path=str(event.get("resource") or event.get("path") or "/"),
            headers=headers,
            body=body,
            query=dict(event.get("queryStringParameters") or {}),
        )

    def header(self, name: str) -> str:
        return (self.headers.get(name.lower()) or "").strip()

    @property
    def media_type(self) -> str:
        return self.header("content-type").split(";")[0].strip().lower()

    @property
    def charset(self) -> str | None:
        """The Content-Type's charset parameter, in lower case, if any."""
        for parameter in self.header("content-type").split(";")[1:]:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "charset":
                return value.strip().strip('"').lower()
        return None

    def text(self) -> str:
        """The body as UTF-8 text (a UTF-8 byte order mark is dropped), or UndecodableBody."""
        body = self.body
        charset = self.charset
        # UTF-16 and UTF-32 show as a byte order mark or as NUL bytes among the first characters (RFC 4627's
        # detection; a gateway that replaced the mark leaves the NULs), and JSON or a form never has a NUL.
        wide = body.startswith(_WIDE_BOMS) or body.startswith(_UTF32_BE_BOM) or b"\x00" in body[:8]
        if wide or (charset is not None and charset not in UTF8_CHARSETS):
            raise UndecodableBody(415, "Send the body as UTF-8 text (for example, charset=utf-8), not UTF-16")
        try:
            return body.removeprefix(b"\xef\xbb\xbf").decode("utf-8")
        except UnicodeDecodeError:
            raise UndecodableBody(400, "The request body is not valid UTF-8 text") from None


@dataclass(frozen=True)
class Response:
    status: int
    body: str
    content_type: str = "application/json"
    headers: Mapping[str, str] = field(default_factory=dict)

    def to_proxy(self) -> dict[str, Any]:
        """The proxy answer, always with the security headers: no route can forget them."""
        return {
            "statusCode": self.status,
            "headers": {**SECURITY_HEADERS, "Content-Type": self.content_type, **self.headers},
            "body": self.body,
            "isBase64Encoded": False,
        }


def json_response(status: int, body: Any, headers: Mapping[str, str] | None = None) -> Response:
    return Response(status, json.dumps(body, separators=(",", ":")), headers=headers or {})


def problem(
    status: int,
    message: str,
    *,
    errors: list[dict[str, str]] | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response:
    body: dict[str, Any] = {"message": message}
    if errors is not None:
        body["errors"] = errors
    return json_response(status, body, headers)


Route = Callable[[Request], Response]


class Router:
    def __init__(self) -> None:
        self._routes: dict[tuple[str, str], Route] = {}
        self._errors: list[tuple[type[Exception], Callable[[Any], Response]]] = []

    def route(self, method: str, path: str) -> Callable[[Route], Route]:
        def register(function: Route) -> Route:
            self._routes[(method.upper(), path)] = function
            return function

        return register

    def error(self, kind: type[E]) -> Callable[[Callable[[E], Response]], Callable[[E], Response]]:
        """Map a typed error to a response; the first registered match wins."""

        def register(function: Callable[[E], Response]) -> Callable[[E], Response]:
            self._errors.append((kind, function))
            return function

        return register

    def resolve(self, event: Mapping[str, Any]) -> dict[str, Any]:
        request = Request.from_event(event)
        route = self._routes.get((request.method, request.path))
        if route is None:
            allowed = sorted(m for (m, p) in self._routes if p == request.path)
            if allowed:
                return problem(405, "Method not allowed", headers={"Allow": ", ".join(allowed)}).to_proxy()
            return problem(404, "Not found").to_proxy()
        try:
            return route(request).to_proxy()
        except Exception as error:
            for kind, handle in self._errors:
                if isinstance(error, kind):
                    return handle(error).to_proxy()
            raise
