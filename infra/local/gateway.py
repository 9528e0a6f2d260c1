"""A local stand-in for API Gateway: maps HTTP requests to REST API proxy events, calls the real
handlers in-process, and maps their responses back (moto cannot invoke AWS_PROXY integrations)."""

from __future__ import annotations

import base64
import contextlib
import importlib
import io
import json
import socket
import sys
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, BinaryIO
from urllib.parse import parse_qs, urlsplit

from functions.http import SECURITY_HEADERS
from infra.catalog import FunctionSpec

Handler = Callable[[dict[str, Any], Any], dict[str, Any]]
#: A local-only route: (method, path, query, body) -> (status, content type, body bytes).
LocalRoute = Callable[[str, str, dict[str, list[str]], bytes], tuple[int, str, bytes]]
#: The Cognito authorizer of authorized routes: request headers -> the token's claims, or None (401).
Authorizer = Callable[[Mapping[str, str]], dict[str, str] | None]

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


def _is_utf8(body: bytes) -> bool:
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


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
    content_type = next((v for k, v in headers.items() if k.lower() == "content-type"), "").lower()
    is_text = not body or (content_type.startswith(_TEXT_TYPES) and _is_utf8(body))
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
        # Bytes that are not UTF-8 travel base64-encoded, so the handler sees them as they were sent
        # (and refuses them) rather than a text with replacement characters.
        "body": (body.decode("utf-8") if is_text else base64.b64encode(body).decode()) or None,
        "isBase64Encoded": not is_text,
    }


def split_target(target: str) -> tuple[str, str]:
    """A request target's path and query string, never raising: "//x/y" is a path, as API Gateway
    sees it (``urlsplit`` would take "x" for a host, and raises on "//[x")."""
    if not target.startswith("/"):  # absolute form, "http://host/path?query", or garbage
        try:
            split = urlsplit(target)
        except ValueError:
            return target, ""
        if not split.scheme or not split.netloc:
            return target, ""
        target = (split.path or "/") + (f"?{split.query}" if split.query else "")
    path, _, query = target.partition("#")[0].partition("?")
    return path or "/", query


class Gateway:
    """Routes requests to Lambda handlers by the catalog, or to local-only routes (``/_local/...``).
    Every answer it gives carries :data:`SECURITY_HEADERS` (a handler's own values win). Authorized
    routes need what ``authorizer`` accepts (none: nothing is) and get its claims, as API Gateway's
    Cognito authorizer gives them, in ``requestContext.authorizer.claims``."""

    def __init__(self, functions: tuple[FunctionSpec, ...], authorizer: Authorizer | None = None) -> None:
        self._routes: list[tuple[str, str, FunctionSpec]] = [
            (route.method, route.path, spec) for spec in functions for route in spec.routes
        ]
        self._authorized = {(r.method, r.path) for spec in functions for r in spec.routes if r.authorized}
        self.authorizer = authorizer
        self._handlers: dict[str, Handler] = {}
        #: One request at a time per function, as one Lambda container serves them: a handler's module
        #: state (Powertools' resolver keeps the current event and route on the app) is not per thread.
        self._busy = {spec.name: threading.Lock() for spec in functions}
        self._local: dict[tuple[str, str], LocalRoute] = {}
        self._static: list[tuple[str, Callable[[str], tuple[int, str, bytes]]]] = []
        #: Called before every answer: the kept store puts on disk whatever the answer may show.
        self.before_answer: Callable[[], None] | None = None

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
        status, out_headers, payload = self._dispatch(method, raw_path, headers, body, source_ip)
        if self.before_answer is not None:
            self.before_answer()
        return status, with_security_headers(out_headers), payload

    def _dispatch(
        self, method: str, raw_path: str, headers: dict[str, str], body: bytes, source_ip: str
    ) -> tuple[int, list[tuple[str, str]], bytes]:
        path, query = split_target(raw_path)
        allowed: list[str] = []
        local = self._local.get((method, path))
        if local is not None:
            status, content_type, payload = local(method, path, parse_qs(query), body)
            return status, [("Content-Type", content_type)], payload
        allowed += [m for (m, p) in self._local if p == path]
        for prefix, serve in self._static:
            if not path.startswith(prefix):
                continue
            if method in STATIC_METHODS:
                status, content_type, payload = serve(path[len(prefix) :])
                return (
                    status,
                    [("Content-Type", content_type), ("Cache-Control", "public, max-age=3600")],
                    payload,
                )
            allowed += STATIC_METHODS
        for route_method, resource, spec in self._routes:
            params = _match(resource, path)
            if params is None:
                continue
            if route_method != method:
                allowed.append(route_method)
                continue
            event = proxy_event(method, resource, path, query, headers, body, params, source_ip)
            if (method, resource) in self._authorized:
                claims = self.authorizer(headers) if self.authorizer is not None else None
                if claims is None:  # before any handler runs, as API Gateway does
                    return error_answer(401, "Unauthorized", [("x-amzn-ErrorType", "UnauthorizedException")])
                event["requestContext"]["authorizer"] = {"claims": claims}
            context = LambdaContext(function_name=spec.name, aws_request_id=str(uuid.uuid4()))
            with self._busy[spec.name]:
                result = self.handler_for(spec)(event, context)
            return self._respond(result)
        if allowed:
            return error_answer(405, "Method Not Allowed", [("Allow", ", ".join(dict.fromkeys(allowed)))])
        # API Gateway's own answer for a missing resource (whatever the method).
        return error_answer(403, "Missing Authentication Token")

    @staticmethod
    def _respond(result: dict[str, Any]) -> tuple[int, list[tuple[str, str]], bytes]:
        headers: list[tuple[str, str]] = list((result.get("headers") or {}).items())
        for name, values in (result.get("multiValueHeaders") or {}).items():
            headers += [(name, value) for value in values if (name, value) not in headers]
        raw = result.get("body") or ""
        payload = base64.b64decode(raw) if result.get("isBase64Encoded") else raw.encode("utf-8")
        return int(result.get("statusCode", 502)), headers, payload


# --- HTTP: request framing, deadlines and the server ------------------------------------------------

#: API Gateway's own payload limit.
MAX_PAYLOAD_BYTES = 10 * 1024 * 1024
#: Seconds a client has to send a request's head, and then its body (``--request-timeout``).
DEFAULT_REQUEST_TIMEOUT = 10.0
STATIC_METHODS = ["GET", "HEAD"]
#: Methods whose requests carry a body: without Content-Length (or chunked) it cannot be framed.
BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
_MAX_LINE = 65536
_MAX_CHUNK_SIZE_LINE = 64
_MAX_TRAILERS = 100
_HEX = frozenset(b"0123456789abcdefABCDEF")


class HttpError(Exception):
    """An answer the gateway gives itself, before or instead of a handler."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(status, message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class Framing:
    """How a request's body is delimited: ``length`` bytes, or chunks."""

    length: int = 0
    chunked: bool = False


def framing(method: str, content_lengths: list[str], transfer_encodings: list[str], max_body: int) -> Framing:
    """The body framing of a request from its Content-Length and Transfer-Encoding header values, or
    the :class:`HttpError` a gateway answers (RFC 9112, section 6)."""
    if transfer_encodings:
        if content_lengths:  # both at once is how requests are smuggled past proxies
            raise HttpError(400, "Content-Length and Transfer-Encoding together")
        codings = [c.strip().lower() for value in transfer_encodings for c in value.split(",")]
        if codings != ["chunked"]:
            raise HttpError(501, "Transfer-Encoding not supported")
        return Framing(chunked=True)
    if not content_lengths:
        if method in BODY_METHODS:
            raise HttpError(411, "Length Required")
        return Framing()
    values = {v.strip() for value in content_lengths for v in value.split(",")}
    value = values.pop() if len(values) == 1 else ""
    if not (value.isascii() and value.isdigit()):
        raise HttpError(400, "Invalid Content-Length")
    if len(value) > len(str(max_body)) or int(value) > max_body:
        raise HttpError(413, "Request Too Long")
    return Framing(length=int(value))


def read_chunked(stream: BinaryIO | io.BufferedIOBase, max_body: int) -> bytes:
    """Decode a chunked body (extensions and trailers are read and dropped), leaving the stream at the
    next request."""
    body = bytearray()
    while True:
        line = stream.readline(_MAX_CHUNK_SIZE_LINE + 1)
        size_text = line.split(b";", 1)[0].strip()
        if not line.endswith(b"\n") or not size_text or len(size_text) > 16 or not _HEX.issuperset(size_text):
            raise HttpError(400, "Malformed chunked body")
        size = int(size_text, 16)
        if size == 0:
            break
        if len(body) + size > max_body:
            raise HttpError(413, "Request Too Long")
        chunk = stream.read(size)
        if len(chunk) != size or stream.read(2) != b"\r\n":
            raise HttpError(400, "Malformed chunked body")
        body += chunk
    for _ in range(_MAX_TRAILERS):
        line = stream.readline(_MAX_LINE + 1)
        if line in (b"\r\n", b"\n"):
            return bytes(body)
        if not line.endswith(b"\n"):
            break
    raise HttpError(400, "Malformed chunked body")


def with_security_headers(headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """``headers`` plus each of :data:`SECURITY_HEADERS` it lacks (compared without case)."""
    present = {name.lower() for name, _ in headers}
    return headers + [(n, v) for n, v in SECURITY_HEADERS.items() if n.lower() not in present]


def error_answer(
    status: int, message: str, extra: list[tuple[str, str]] | None = None
) -> tuple[int, list[tuple[str, str]], bytes]:
    payload = json.dumps({"message": message}, separators=(",", ":")).encode()
    return status, with_security_headers([("Content-Type", "application/json"), *(extra or [])]), payload


class _DeadlineReader(io.RawIOBase):
    """Reads a socket until a deadline: the whole head, or the whole body, must arrive in time (a
    per-read timeout would let a client hold a thread by sending one byte at a time)."""

    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock
        self.deadline = 0.0
        self.received = 0

    def start(self, seconds: float) -> None:
        self.deadline = time.monotonic() + seconds
        self.received = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("request timeout")
        self._sock.settimeout(remaining)
        count = self._sock.recv_into(buffer)
        self.received += count
        return count


def _say(line: str) -> None:
    """One write per line: lines from concurrent requests never interleave."""
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def _safe_method(command: str) -> str:
    return command if command and len(command) <= 16 and command.isalpha() and command.isupper() else "-"


class GatewayRequestHandler(BaseHTTPRequestHandler):
    """HTTP/1.1 in front of :class:`Gateway`: frames bodies (Content-Length or chunked), enforces the
    request timeout and payload limit, and answers every error itself in JSON, as API Gateway does.
    Logs the method, path and status only: never query strings, headers or bodies (personal data)."""

    server_version = "HeardLocal/1"
    protocol_version = "HTTP/1.1"
    gateway: Gateway
    max_body: int = MAX_PAYLOAD_BYTES
    server: GatewayServer
    _reader: _DeadlineReader
    _in_body = False

    def setup(self) -> None:
        super().setup()
        self._reader = _DeadlineReader(self.connection)
        self.rfile = io.BufferedReader(self._reader, _MAX_LINE)

    @property
    def _timeout(self) -> float:
        return float(getattr(self.server, "request_timeout", DEFAULT_REQUEST_TIMEOUT))

    def handle(self) -> None:
        self.close_connection = True
        try:
            self.handle_one_request()
            while not self.close_connection and not getattr(self.server, "closing", False):
                self.handle_one_request()
        except OSError:  # the client went away, or the server is stopping: nothing to answer
            self.close_connection = True

    def handle_one_request(self) -> None:
        self.command, self.path, self.requestline = "", "", ""
        self.request_version = "HTTP/1.0"  # until parsed: answers have a status line and headers
        self._in_body = False
        self._reader.start(self._timeout)
        try:
            self.raw_requestline = self.rfile.readline(_MAX_LINE + 1)
            if not self.raw_requestline:
                self.close_connection = True
                return
            if len(self.raw_requestline) > _MAX_LINE:
                self.send_error(414)
                return
            if not self.parse_request():  # answered already, through send_error
                return
            self._serve()
            self.wfile.flush()
        except TimeoutError:
            self.close_connection = True
            if self._in_body or self._reader.received:  # some of a request came, not all of it
                self._send(*error_answer(408, "Request Timeout"))

    def handle_expect_100(self) -> bool:
        """Refuse a body that would be refused anyway before the client sends it."""
        try:
            self._framing()
        except HttpError as error:
            self._refuse(error)
            return False
        return super().handle_expect_100()

    def _framing(self) -> Framing:
        return framing(
            self.command,
            self.headers.get_all("Content-Length") or [],
            self.headers.get_all("Transfer-Encoding") or [],
            self.max_body,
        )

    def _refuse(self, error: HttpError) -> None:
        self.close_connection = True  # the body, if any, was not read: the connection cannot go on
        self._send(*error_answer(error.status, error.message))

    def _serve(self) -> None:
        try:
            if self.headers.defects:  # a header line without a colon, and the like
                raise HttpError(400, "Malformed request header")
            frame = self._framing()
            self._in_body = True
            self._reader.start(self._timeout)
            if frame.chunked:
                body = read_chunked(self.rfile, self.max_body)
            else:
                body = self.rfile.read(frame.length) if frame.length else b""
                if len(body) < frame.length:
                    raise HttpError(400, "Incomplete body")
        except HttpError as error:
            self._refuse(error)
            return
        headers = {k: v for k, v in self.headers.items() if k.lower() != "transfer-encoding"}
        if frame.chunked:  # the handler sees the body as API Gateway passes it on: whole
            headers["Content-Length"] = str(len(body))
        command = self.command
        self.server.begin_request()
        try:
            try:
                status, out_headers, payload = self.gateway.dispatch(
                    command, self.path, headers, body, self.client_address[0]
                )
            except Exception as error:  # an unhandled error in a handler: API Gateway answers 502
                self._log(f"handler failed: {type(error).__name__}")
                status, out_headers, payload = error_answer(502, "Internal server error")
            self._send(status, out_headers, payload)
        finally:
            self.server.end_request()

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """Errors found by the standard library's parser (malformed request line or headers): JSON,
        never Python's HTML error page, and never echoing what the client sent."""
        self.close_connection = True
        try:
            phrase = HTTPStatus(code).phrase
        except ValueError:
            phrase = "Error"
        self._send(*error_answer(code, phrase))

    def _send(self, status: int, headers: list[tuple[str, str]], payload: bytes) -> None:
        self.connection.settimeout(self._timeout)
        if self.request_version == "HTTP/0.9":
            self.request_version = "HTTP/1.0"  # answer with a status line and headers, always
        self.send_response(status)
        for name, value in with_security_headers(headers):
            if name.lower() not in ("content-length", "connection"):
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)
        self.wfile.flush()

    def _log(self, outcome: str) -> None:
        path = split_target(self.path)[0] if self.path.startswith("/") else "-"
        _say(f"{_safe_method(self.command)} {path[:200]} -> {outcome}")

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        self._log(str(int(code)) if isinstance(code, HTTPStatus) else str(code))

    def log_message(self, format: str, *args: Any) -> None:
        self._log(format.split("%", 1)[0].strip() or "error")  # never the arguments: they echo the client


class GatewayServer(ThreadingHTTPServer):
    """A thread per connection, a listen backlog that holds a burst of clients (socketserver's default
    of 5 reset most of 100 concurrent connections), and a close that ends open connections."""

    request_queue_size = 1024  # the kernel caps it at net.core.somaxconn
    daemon_threads = True
    block_on_close = False
    #: Seconds ``server_close`` lets requests being handled finish before closing their connections.
    grace = 2.0

    def __init__(
        self,
        address: tuple[str, int],
        handler: type[BaseHTTPRequestHandler],
        *,
        request_timeout: float = DEFAULT_REQUEST_TIMEOUT,
    ) -> None:
        self.request_timeout = request_timeout
        self.closing = False
        self._connections: set[socket.socket] = set()
        self._busy = 0
        self._idle = threading.Condition()
        super().__init__(address, handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._idle:
            self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._idle:
            self._connections.discard(request)
        super().shutdown_request(request)

    def begin_request(self) -> None:
        with self._idle:
            self._busy += 1

    def end_request(self) -> None:
        with self._idle:
            self._busy -= 1
            self._idle.notify_all()

    def server_close(self) -> None:
        """Stop listening, let requests in progress finish (for ``grace`` seconds at most), then end
        every connection: keep-alive and half-sent requests must not keep the service alive."""
        self.closing = True
        super().server_close()
        with self._idle:
            self._idle.wait_for(lambda: self._busy == 0, timeout=self.grace)
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """One line, no traceback (socketserver prints one for any error in a connection's thread)."""
        _say(f"connection error: {type(sys.exc_info()[1]).__name__}")


def http_handler(gateway: Gateway, max_body: int = MAX_PAYLOAD_BYTES) -> type[GatewayRequestHandler]:
    return type("LocalGatewayHandler", (GatewayRequestHandler,), {"gateway": gateway, "max_body": max_body})


def serve(
    gateway: Gateway,
    host: str,
    port: int,
    *,
    request_timeout: float = DEFAULT_REQUEST_TIMEOUT,
    max_body: int = MAX_PAYLOAD_BYTES,
) -> GatewayServer:
    """Bind (port 0: any free port); the caller runs ``serve_forever``."""
    return GatewayServer((host, port), http_handler(gateway, max_body), request_timeout=request_timeout)
