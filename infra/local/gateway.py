"""A local stand-in for API Gateway: maps HTTP requests to REST API proxy events, calls the real
handlers in-process, and maps their responses back (moto cannot invoke AWS_PROXY integrations)."""

from __future__ import annotations

import base64
import importlib
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from infra.catalog import FunctionSpec

Handler = Callable[[dict[str, Any], Any], dict[str, Any]]
#: A local-only route: (method, path, query, body) -> (status, content type, body bytes).
LocalRoute = Callable[[str, str, dict[str, list[str]], bytes], tuple[int, str, bytes]]

_TEXT_TYPES = ("text/", "application/json", "application/x-www-form-urlencoded", "application/xml")


@dataclass
class LambdaContext:
    """What the Lambda runtime passes as ``context``."""

    function_name: str
    memory_limit_in_mb: int = 256
    function_version: str = "$LATEST"
    aws_request_id: str = ""
    log_group_name: str = "/aws/lambda/local"
    log_stream_name: str = "local"

    @property
    def invoked_function_arn(self) -> str:
        return f"arn:aws:lambda:eu-west-2:123456789012:function:{self.function_name}"

    def get_remaining_time_in_millis(self) -> int:
        return 30_000


def load_handler(dotted: str) -> Handler:
    module_name, attribute = dotted.rsplit(".", 1)
    handler: Handler = getattr(importlib.import_module(module_name), attribute)
    return handler


def _match(template: str, path: str) -> dict[str, str] | None:
    """Match an API Gateway resource path ("/cases/{id}") against a request path."""
    want, got = template.strip("/").split("/"), path.strip("/").split("/")
    if len(want) != len(got):
        return None
    params: dict[str, str] = {}
    for w, g in zip(want, got, strict=True):
        if w.startswith("{") and w.endswith("}"):
            if not g:
                return None
            params[w[1:-1].rstrip("+")] = g
        elif w != g:
            return None
    return params


def proxy_event(
    method: str,
    resource: str,
    path: str,
    query: str,
    headers: dict[str, str],
    body: bytes,
    params: dict[str, str],
    source_ip: str,
) -> dict[str, Any]:
    content_type = headers.get("content-type", headers.get("Content-Type", ""))
    is_text = not body or content_type.startswith(_TEXT_TYPES)
    multi_query = parse_qs(query, keep_blank_values=True) if query else {}
    return {
        "resource": resource,
        "path": path,
        "httpMethod": method,
        "headers": headers,
        "multiValueHeaders": {k: [v] for k, v in headers.items()},
        "queryStringParameters": {k: v[-1] for k, v in multi_query.items()} or None,
        "multiValueQueryStringParameters": multi_query or None,
        "pathParameters": params or None,
        "stageVariables": None,
        "requestContext": {
            "resourcePath": resource,
            "httpMethod": method,
            "path": f"/local{path}",
            "stage": "local",
            "requestId": str(uuid.uuid4()),
            "requestTimeEpoch": int(time.time() * 1000),
            "identity": {"sourceIp": source_ip, "userAgent": headers.get("User-Agent", "")},
        },
        "body": (body.decode("utf-8", errors="replace") if is_text else base64.b64encode(body).decode())
        or None,
        "isBase64Encoded": not is_text,
    }


class Gateway:
    """Routes requests to Lambda handlers by the catalog, or to local-only routes (``/_local/...``)."""

    def __init__(self, functions: tuple[FunctionSpec, ...]) -> None:
        self._routes: list[tuple[str, str, FunctionSpec]] = [
            (route.method, route.path, spec) for spec in functions for route in spec.routes
        ]
        self._handlers: dict[str, Handler] = {}
        self._local: dict[tuple[str, str], LocalRoute] = {}
        self._static: list[tuple[str, Callable[[str], tuple[int, str, bytes]]]] = []

    def add_local_route(self, method: str, path: str, route: LocalRoute) -> None:
        self._local[(method, path)] = route

    def add_static(self, prefix: str, serve: Callable[[str], tuple[int, str, bytes]]) -> None:
        self._static.append((prefix, serve))

    def handler_for(self, spec: FunctionSpec) -> Handler:
        if spec.name not in self._handlers:
            self._handlers[spec.name] = load_handler(spec.handler)
        return self._handlers[spec.name]

    def routes(self) -> list[str]:
        lines = [f"{m:6} {p:28} -> {s.name} ({s.handler})" for m, p, s in self._routes]
        lines += [f"{m:6} {p:28} -> local service" for (m, p) in self._local]
        lines += [f"GET    {p}*{' ' * max(0, 27 - len(p))} -> static assets" for p, _ in self._static]
        return lines

    def dispatch(
        self, method: str, raw_path: str, headers: dict[str, str], body: bytes, source_ip: str = "127.0.0.1"
    ) -> tuple[int, list[tuple[str, str]], bytes]:
        split = urlsplit(raw_path)
        path = split.path or "/"
        local = self._local.get((method, path))
        if local is not None:
            status, content_type, payload = local(method, path, parse_qs(split.query), body)
            return status, [("Content-Type", content_type)], payload
        for prefix, serve in self._static:
            if method in ("GET", "HEAD") and path.startswith(prefix):
                status, content_type, payload = serve(path[len(prefix) :])
                return (
                    status,
                    [("Content-Type", content_type), ("Cache-Control", "public, max-age=3600")],
                    payload,
                )
        allowed: list[str] = []
        for route_method, resource, spec in self._routes:
            params = _match(resource, path)
            if params is None:
                continue
            if route_method != method:
                allowed.append(route_method)
                continue
            event = proxy_event(method, resource, path, split.query, headers, body, params, source_ip)
            context = LambdaContext(function_name=spec.name, aws_request_id=str(uuid.uuid4()))
            return self._respond(self.handler_for(spec)(event, context))
        if allowed:
            return (
                405,
                [("Content-Type", "application/json"), ("Allow", ", ".join(allowed))],
                (b'{"message":"Method not allowed"}'),
            )
        # API Gateway's own answer for a missing resource.
        return 403, [("Content-Type", "application/json")], b'{"message":"Missing Authentication Token"}'

    @staticmethod
    def _respond(result: dict[str, Any]) -> tuple[int, list[tuple[str, str]], bytes]:
        headers: list[tuple[str, str]] = list((result.get("headers") or {}).items())
        for name, values in (result.get("multiValueHeaders") or {}).items():
            headers += [(name, value) for value in values if (name, value) not in headers]
        raw = result.get("body") or ""
        payload = base64.b64decode(raw) if result.get("isBase64Encoded") else raw.encode("utf-8")
        return int(result.get("statusCode", 502)), headers, payload


def http_handler(gateway: Gateway, max_body: int = 10 * 1024 * 1024) -> type[BaseHTTPRequestHandler]:
    class _Handler(BaseHTTPRequestHandler):
        server_version = "HeardLocal/1"
        protocol_version = "HTTP/1.1"

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            if length > max_body:  # API Gateway's own payload limit
                self._send(
                    HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
                    [("Content-Type", "application/json")],
                    b'{"message":"Request Too Long"}',
                )
                return
            body = self.rfile.read(length) if length else b""
            headers = {k: v for k, v in self.headers.items()}
            try:
                status, out_headers, payload = gateway.dispatch(
                    self.command, self.path, headers, body, self.client_address[0]
                )
            except Exception:  # an unhandled error in a handler: API Gateway answers 502
                self.log_error("handler failed for %s %s", self.command, urlsplit(self.path).path)
                status, out_headers, payload = (
                    502,
                    [("Content-Type", "application/json")],
                    (b'{"message":"Internal server error"}'),
                )
            self._send(status, out_headers, payload)

        def _send(self, status: int, headers: list[tuple[str, str]], payload: bytes) -> None:
            self.send_response(status)
            for name, value in headers:
                if name.lower() not in ("content-length", "connection"):
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(payload)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _serve

        def log_message(self, format: str, *args: Any) -> None:
            # Paths only, never query strings or bodies: they may carry personal data.
            print(
                f"{self.command} {urlsplit(self.path).path} -> {args[1] if len(args) > 1 else ''}", flush=True
            )

    return _Handler


def serve(gateway: Gateway, host: str, port: int) -> ThreadingHTTPServer:
    server = ThreadingHTTPServer((host, port), http_handler(gateway))
    server.daemon_threads = True
    return server
