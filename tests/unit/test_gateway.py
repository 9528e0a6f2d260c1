"""The local gateway's pure parts: request framing, chunked bodies, routing answers, security headers."""

from __future__ import annotations

import io

import pytest

from functions.http import SECURITY_HEADERS
from infra.catalog import API_FUNCTIONS
from infra.local.gateway import (
    Framing,
    Gateway,
    GatewayServer,
    HttpError,
    framing,
    read_chunked,
    split_target,
    with_security_headers,
)

MAX = 1000


def status_of(method: str, lengths: list[str], encodings: list[str] | None = None) -> int:
    with pytest.raises(HttpError) as raised:
        framing(method, lengths, encodings or [], MAX)
    return raised.value.status


@pytest.mark.parametrize("value", ["abc", "-1", "+5", "5.0", "0x10", "", "1 2", "٣", "5, 6"])
def test_a_malformed_or_negative_content_length_is_a_400(value: str) -> None:
    assert status_of("POST", [value]) == 400


def test_conflicting_content_lengths_are_a_400_and_repeated_equal_ones_are_one() -> None:
    assert status_of("POST", ["5", "6"]) == 400
    assert framing("POST", ["5", "5"], [], MAX) == Framing(length=5)
    assert framing("POST", ["5, 5"], [], MAX) == Framing(length=5)


def test_a_body_over_the_limit_is_a_413_however_many_digits_it_has() -> None:
    assert framing("POST", [str(MAX)], [], MAX) == Framing(length=MAX)
    assert status_of("POST", [str(MAX + 1)]) == 413
    assert status_of("POST", ["9" * 5000]) == 413  # int() of 5,000 digits would raise ValueError


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH"])
def test_a_method_with_a_body_needs_a_length(method: str) -> None:
    assert status_of(method, []) == 411


@pytest.mark.parametrize("method", ["GET", "HEAD", "DELETE", "OPTIONS", "TRACE"])
def test_other_methods_without_a_length_have_no_body(method: str) -> None:
    assert framing(method, [], [], MAX) == Framing(length=0)


def test_transfer_encoding() -> None:
    assert framing("POST", [], ["chunked"], MAX) == Framing(chunked=True)
    assert framing("POST", [], [" Chunked "], MAX) == Framing(chunked=True)
    assert status_of("POST", [], ["gzip, chunked"]) == 501
    assert status_of("POST", [], ["gzip"]) == 501
    # Both framings at once is how requests are smuggled past a proxy: refused.
    assert status_of("POST", ["5"], ["chunked"]) == 400


def test_a_chunked_body_is_decoded_with_extensions_and_trailers() -> None:
    raw = b"4;ext=1\r\nWiki\r\n5\r\npedia\r\nE\r\n in\r\n\r\nchunks.\r\n0\r\nExpires: never\r\n\r\nNEXT"
    stream = io.BytesIO(raw)
    assert read_chunked(stream, MAX) == b"Wikipedia in\r\n\r\nchunks."
    assert stream.read() == b"NEXT"  # the next request on the connection is left alone


@pytest.mark.parametrize(
    "raw",
    [
        b"zz\r\nhello\r\n0\r\n\r\n",  # not hexadecimal
        b"-5\r\nhello\r\n0\r\n\r\n",
        b"\r\nhello\r\n0\r\n\r\n",  # no size
        b"5\r\nhelloXX0\r\n\r\n",  # no CRLF after the data
        b"5\r\nhel",  # cut short
        b"5\r\nhello\r\n",  # no last chunk
        b"1" * 100 + b"\r\n",  # an absurd size line
    ],
)
def test_a_malformed_chunked_body_is_a_400(raw: bytes) -> None:
    with pytest.raises(HttpError) as raised:
        read_chunked(io.BytesIO(raw), MAX)
    assert raised.value.status == 400


def test_a_chunked_body_over_the_limit_is_a_413() -> None:
    chunk = b"1f4\r\n" + b"x" * 500 + b"\r\n"
    with pytest.raises(HttpError) as raised:
        read_chunked(io.BytesIO(chunk * 3 + b"0\r\n\r\n"), MAX)
    assert raised.value.status == 413


def test_security_headers_are_added_once() -> None:
    mine = [("Content-Type", "text/html"), ("content-security-policy", "default-src 'none'")]
    headers = with_security_headers(mine)
    names = [name.lower() for name, _ in headers]
    for name in SECURITY_HEADERS:
        assert names.count(name.lower()) == 1
    assert ("content-security-policy", "default-src 'none'") in headers  # the response's own wins


@pytest.fixture
def gateway() -> Gateway:
    gateway = Gateway(API_FUNCTIONS)
    gateway.add_static("/assets/", lambda relative: (200, "text/css", b"body{}"))
    gateway.add_local_route("GET", "/_local/outbox", lambda *_: (200, "application/json", b"[]"))
    return gateway


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("TRACE", "/health", "GET"),
        ("CONNECT", "/health", "GET"),
        ("PUT", "/representations", "POST"),
        ("BREW", "/", "GET, POST"),
        ("TRACE", "/_local/outbox", "GET"),
        ("DELETE", "/assets/govuk.css", "GET, HEAD"),
    ],
)
def test_a_method_no_route_has_is_a_405_naming_the_allowed_ones(
    gateway: Gateway, method: str, path: str, allow: str
) -> None:
    status, headers, payload = gateway.dispatch(method, path, {}, b"")
    named = dict(headers)
    assert (status, named["Allow"], named["Content-Type"]) == (405, allow, "application/json")
    assert payload == b'{"message":"Method Not Allowed"}'
    assert "frame-ancestors 'none'" in named["Content-Security-Policy"]


@pytest.mark.parametrize("method", ["GET", "TRACE"])
def test_an_unknown_path_is_api_gateways_403(gateway: Gateway, method: str) -> None:
    status, headers, payload = gateway.dispatch(method, "/nowhere?x=1", {}, b"")
    assert (status, payload) == (403, b'{"message":"Missing Authentication Token"}')
    assert dict(headers)["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("path", ["/assets/govuk.css", "/_local/outbox"])
def test_static_assets_and_local_routes_carry_the_security_headers(gateway: Gateway, path: str) -> None:
    status, headers, _ = gateway.dispatch("GET", path, {}, b"")
    assert status == 200
    for name, value in SECURITY_HEADERS.items():
        assert (name, value) in headers


def test_the_listen_backlog_holds_a_burst_of_clients() -> None:
    assert GatewayServer.request_queue_size >= 128


@pytest.mark.parametrize("target", ["//[x", "//host/health", "/nowhere#frag", "http://[x"])
def test_odd_request_targets_are_paths_like_any_other(gateway: Gateway, target: str) -> None:
    status, _, payload = gateway.dispatch("GET", target, {}, b"")
    assert (status, payload) == (403, b'{"message":"Missing Authentication Token"}')


def test_a_request_target_splits_into_path_and_query_without_raising() -> None:
    assert split_target("/representations?a=1&b=2#x") == ("/representations", "a=1&b=2")
    assert split_target("http://localhost:3000/health?x=1") == ("/health", "x=1")
    assert split_target("//[x?y") == ("//[x", "y")
    assert split_target("*") == ("*", "")
