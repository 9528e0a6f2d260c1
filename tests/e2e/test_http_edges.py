"""The local gateway at the socket level: what it answers to bursts of clients, malformed, slow, chunked
and oversized requests, and methods no route has, as API Gateway would (JSON, with security headers,
no traceback in the log)."""

from __future__ import annotations

import http.client
import json
import socket
import threading
import time
from collections.abc import Iterator

import pytest

from functions.http import SECURITY_HEADERS
from infra.local.service import LocalService
from tests.conftest import start_service

TIMEOUT = 0.5  # the gateway's request timeout in these tests (10 s by default)
COMPLIMENT = json.dumps({"kind": "compliment", "role": "parent", "what_happened": "Thank you!"}).encode()


@pytest.fixture(scope="module")
def service() -> Iterator[LocalService]:
    from moto import mock_aws

    with mock_aws():
        local = start_service(pump_backoff=0.05, request_timeout=TIMEOUT)
        local.serve_in_background()
        yield local
        local.stop()


@pytest.fixture
def address(service: LocalService) -> tuple[str, int]:
    host, port = service.server.server_address[:2]
    return str(host), int(port)


def exchange(address: tuple[str, int], raw: bytes, *, wait: float = 5.0) -> bytes:
    """Send raw bytes and read until the server closes the connection (or ``wait`` runs out)."""
    with socket.create_connection(address, timeout=wait) as sock:
        sock.sendall(raw)
        received = b""
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            try:
                data = sock.recv(65536)
            except TimeoutError:
                break
            except ConnectionResetError:
                break
            if not data:
                break
            received += data
        return received


def parse(raw: bytes) -> tuple[int, dict[str, list[str]], bytes]:
    """The first response in ``raw``: status, headers (lower-case names, every value), body."""
    head, _, rest = raw.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    assert lines[0].startswith("HTTP/1."), raw[:200]
    headers: dict[str, list[str]] = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers.setdefault(name.strip().lower(), []).append(value.strip())
    length = int(headers.get("content-length", ["0"])[0])
    return int(lines[0].split()[1]), headers, rest[:length]


def assert_gateway_error(raw: bytes, status: int) -> dict[str, list[str]]:
    got, headers, body = parse(raw)
    assert got == status, raw[:300]
    assert headers["content-type"] == ["application/json"]
    assert "message" in json.loads(body)
    for name, value in SECURITY_HEADERS.items():
        assert headers[name.lower()] == [value]
    return headers


def test_a_hundred_concurrent_clients_all_get_answers(address: tuple[str, int]) -> None:
    clients = 100
    start = threading.Barrier(clients)
    outcomes: list[object] = []

    def client() -> None:
        start.wait()
        try:
            connection = http.client.HTTPConnection(*address, timeout=10)
            connection.request("GET", "/health")
            response = connection.getresponse()
            response.read()
            outcomes.append(response.status)
            connection.close()
        except Exception as error:  # counted, not raised: the assertion shows them all
            outcomes.append(type(error).__name__)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert outcomes == [200] * clients


@pytest.mark.parametrize("length", ["abc", "-1", "1.5", "99999999999999999999999999"])
def test_a_malformed_or_negative_content_length_is_a_400_without_a_traceback(
    address: tuple[str, int], length: str, capsys: pytest.CaptureFixture[str]
) -> None:
    started = time.monotonic()
    raw = exchange(
        address, f"POST /representations HTTP/1.1\r\nContent-Length: {length}\r\n\r\n{{}}".encode()
    )
    expected = 413 if length.startswith("9") else 400
    headers = assert_gateway_error(raw, expected)
    assert headers["connection"] == ["close"]
    assert time.monotonic() - started < 3
    assert "Traceback" not in "".join(capsys.readouterr())


def test_a_half_sent_body_is_a_408_after_the_timeout(address: tuple[str, int]) -> None:
    started = time.monotonic()
    raw = exchange(address, b"POST /representations HTTP/1.1\r\nContent-Length: 100\r\n\r\n{")
    assert_gateway_error(raw, 408)
    assert TIMEOUT <= time.monotonic() - started < 3


def test_a_dribbled_body_is_a_408_too(address: tuple[str, int]) -> None:
    """The timeout is a deadline for the whole body, not a limit on each pause."""
    with socket.create_connection(address, timeout=5) as sock:
        sock.sendall(b"POST /representations HTTP/1.1\r\nContent-Length: 100\r\n\r\n")
        started = time.monotonic()
        sock.settimeout(TIMEOUT / 5)
        raw = b""
        while not raw and time.monotonic() - started < 5:
            try:
                sock.sendall(b"x")
                raw = sock.recv(65536)
            except TimeoutError:
                continue
            except OSError:
                break
        elapsed = time.monotonic() - started
        sock.settimeout(2)
        while chunk := sock.recv(65536):
            raw += chunk
        assert_gateway_error(raw, 408)
        assert elapsed < TIMEOUT * 3


def test_a_request_head_that_never_ends_is_a_408(address: tuple[str, int]) -> None:
    raw = exchange(address, b"GET /health HTTP/1.1\r\nHost: x\r\n")
    assert_gateway_error(raw, 408)


def test_an_idle_connection_is_closed_after_the_timeout(address: tuple[str, int]) -> None:
    started = time.monotonic()
    assert exchange(address, b"") == b""
    assert time.monotonic() - started < 3


def test_a_post_without_a_length_is_a_411(address: tuple[str, int]) -> None:
    raw = exchange(address, b"POST /representations HTTP/1.1\r\nContent-Type: application/json\r\n\r\n{}")
    assert_gateway_error(raw, 411)


def test_a_chunked_body_is_decoded_and_served(address: tuple[str, int]) -> None:
    head = (
        b"POST /representations HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Idempotency-Key: chunked-1\r\nTransfer-Encoding: chunked\r\n\r\n"
    )
    chunks = b"".join(b"%x\r\n%s\r\n" % (len(part), part) for part in (COMPLIMENT[:10], COMPLIMENT[10:]))
    health = b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    raw = exchange(address, head + chunks + b"0\r\n\r\n" + health)
    status, _, body = parse(raw)
    assert status == 201, raw[:500]
    assert json.loads(body)["kind"] == "compliment"
    # The next request on the connection is a request of its own, answered after the first.
    second = raw.split(b"\r\n\r\n", 1)[1][len(body) :]
    assert parse(second)[0] == 200


def test_an_unsupported_transfer_encoding_is_a_501(address: tuple[str, int]) -> None:
    raw = exchange(address, b"POST /representations HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n")
    assert_gateway_error(raw, 501)


def test_a_body_over_api_gateways_limit_is_a_413_before_it_is_sent(address: tuple[str, int]) -> None:
    raw = exchange(
        address,
        b"POST /representations HTTP/1.1\r\nContent-Length: 10485761\r\nExpect: 100-continue\r\n\r\n",
    )
    assert_gateway_error(raw, 413)  # and no "100 Continue" first


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [("TRACE", "/health", "GET"), ("CONNECT", "/health", "GET"), ("BREW", "/", "GET, POST")],
)
def test_a_method_no_route_has_is_a_405_with_allow(
    address: tuple[str, int], method: str, path: str, allow: str
) -> None:
    raw = exchange(address, f"{method} {path} HTTP/1.1\r\nConnection: close\r\n\r\n".encode())
    assert assert_gateway_error(raw, 405)["allow"] == [allow]


def test_an_unknown_path_is_a_403_and_a_malformed_request_line_a_400(address: tuple[str, int]) -> None:
    raw = exchange(address, b"GET /nowhere HTTP/1.1\r\nConnection: close\r\n\r\n")
    assert_gateway_error(raw, 403)
    assert_gateway_error(exchange(address, b"GET //[x HTTP/1.1\r\nConnection: close\r\n\r\n"), 403)
    assert_gateway_error(exchange(address, b"GARBAGE\r\n\r\n"), 400)
    assert_gateway_error(exchange(address, b"GET / HTTP/9.9\r\n\r\n"), 505)


@pytest.mark.parametrize("path", ["/", "/health", "/_local/outbox", "/assets/govuk-frontend.min.css"])
def test_every_answer_has_the_security_headers_once(address: tuple[str, int], path: str) -> None:
    raw = exchange(address, f"GET {path} HTTP/1.1\r\nConnection: close\r\n\r\n".encode())
    _, headers, _ = parse(raw)
    for name, value in SECURITY_HEADERS.items():
        assert headers[name.lower()] == [value], path


def test_keep_alive_serves_one_request_after_another(address: tuple[str, int]) -> None:
    connection = http.client.HTTPConnection(*address, timeout=5)
    for _ in range(3):
        connection.request("GET", "/health")
        response = connection.getresponse()
        assert response.status == 200
        response.read()
    connection.close()


def test_the_log_keeps_paths_only(address: tuple[str, int], capsys: pytest.CaptureFixture[str]) -> None:
    exchange(address, b"GET /nowhere?email=sam@example.org HTTP/1.1\r\nConnection: close\r\n\r\n")
    exchange(address, b"GET /?name=Sam%20Jones HTTP/9.9\r\n\r\n")
    exchange(address, b"POST /representations?x=sam@example.org HTTP/1.1\r\nContent-Length: -1\r\n\r\n")
    time.sleep(0.1)
    out = "".join(capsys.readouterr())
    assert "/nowhere -> 403" in out
    assert "sam@" not in out and "Sam" not in out
    assert "Traceback" not in out


@pytest.mark.parametrize("content_type", ["application/json", "Application/JSON; charset=UTF-8"])
def test_a_body_that_is_not_utf8_reaches_the_handler_as_sent_and_is_a_400(
    address: tuple[str, int], content_type: str
) -> None:
    body = b'{"kind": "compliment", "role": "parent", "what_happened": "caf\xe9"}'
    raw = exchange(
        address,
        b"POST /representations HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
        + f"Content-Type: {content_type}\r\nContent-Length: {len(body)}\r\n\r\n".encode()
        + body,
    )
    status, _, payload = parse(raw)
    assert status == 400 and b"UTF-8" in payload, payload


def test_a_header_line_without_a_colon_is_a_400(address: tuple[str, int]) -> None:
    raw = exchange(address, b"GET /health HTTP/1.1\r\nHost: x\r\nNo colon here\r\nConnection: close\r\n\r\n")
    assert_gateway_error(raw, 400)
