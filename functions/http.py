"""A small router for API Gateway REST proxy events, shared by the API-facing handlers.

Powertools' resolver costs ~36 ms of every cold start (its package pulls in asyncio and every event
type); the public intake API must start fast (docs/performance.md), and routing a handful of fixed
paths needs none of that. Handlers stay thin: route, parse, call the domain, map typed errors."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

#: The largest request body Heard accepts (docs/decisions.md): ample for 5,000-character answers.
MAX_BODY_BYTES = 64 * 1024
#: The largest form post (URL-encoded) the online form accepts.
MAX_FORM_BODY_BYTES = 64 * 1024
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
        body = base64.b64decode(raw) if event.get("isBase64Encoded") else raw.encode("utf-8")
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


@dataclass(frozen=True)
class Response:
    status: int
    body: str
    content_type: str = "application/json"
    headers: Mapping[str, str] = field(default_factory=dict)

    def to_proxy(self) -> dict[str, Any]:
        return {
            "statusCode": self.status,
            "headers": {"Content-Type": self.content_type, **self.headers},
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
