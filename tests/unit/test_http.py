"""The handlers' small router: routing, method errors, bodies, and typed errors to status codes."""

from __future__ import annotations

import base64
import json

import pytest

from functions.http import Request, Response, Router, json_response, problem


class Refused(Exception):
    pass


def _router() -> Router:
    router = Router()

    @router.route("POST", "/echo")
    def echo(request: Request) -> Response:
        return json_response(
            200, {"body": request.body.decode(), "type": request.media_type, "key": request.header("X-Key")}
        )

    @router.route("GET", "/refuse")
    def refuse(request: Request) -> Response:
        raise Refused("no")

    @router.route("GET", "/crash")
    def crash(request: Request) -> Response:
        raise RuntimeError("boom")

    @router.error(Refused)
    def refused(error: Refused) -> Response:
        return problem(409, f"refused: {error}")

    return router


def _event(
    method: str, path: str, body: str = "", headers: dict[str, str] | None = None, b64: bool = False
) -> dict[str, object]:
    return {
        "httpMethod": method,
        "resource": path,
        "path": path,
        "headers": headers or {},
        "body": base64.b64encode(body.encode()).decode() if b64 else body,
        "isBase64Encoded": b64,
    }


def test_routes_with_case_insensitive_headers_and_base64_bodies() -> None:
    result = _router().resolve(
        _event(
            "POST",
            "/echo",
            "héllo",
            {"Content-Type": "Application/JSON; charset=utf-8", "x-key": " k "},
            b64=True,
        )
    )
    assert result["statusCode"] == 200
    assert json.loads(result["body"]) == {"body": "héllo", "type": "application/json", "key": "k"}


def test_unknown_paths_and_methods() -> None:
    assert _router().resolve(_event("GET", "/nowhere"))["statusCode"] == 404
    wrong = _router().resolve(_event("GET", "/echo"))
    assert wrong["statusCode"] == 405 and wrong["headers"]["Allow"] == "POST"


def test_typed_errors_map_to_statuses_and_others_propagate() -> None:
    refused = _router().resolve(_event("GET", "/refuse"))
    assert refused["statusCode"] == 409 and json.loads(refused["body"]) == {"message": "refused: no"}
    with pytest.raises(RuntimeError):
        _router().resolve(_event("GET", "/crash"))


def test_every_answer_carries_the_security_headers_even_errors_and_unknown_routes() -> None:
    from functions.http import SECURITY_HEADERS

    router = _router()
    for result in (
        router.resolve(_event("POST", "/echo", "x")),
        router.resolve(_event("GET", "/nowhere")),
        router.resolve(_event("GET", "/echo")),
        router.resolve(_event("GET", "/refuse")),
    ):
        for name, value in SECURITY_HEADERS.items():
            assert result["headers"][name] == value


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        (b"caf\xe9", "Application/JSON; charset=UTF-8", 400),
        ("{}".encode("utf-16"), "application/json", 415),
        ("{}".encode("utf-16-le"), "application/json", 415),
        (b"{}", "application/json; charset=utf-16", 415),
        (b"{}", "application/json; charset=iso-8859-1", 415),
    ],
)
def test_bodies_that_are_not_utf8_are_refused(body: bytes, content_type: str, status: int) -> None:
    from functions.http import UndecodableBody

    request = Request("POST", "/", {"content-type": content_type}, body)
    with pytest.raises(UndecodableBody) as refused:
        request.text()
    assert refused.value.status == status and "UTF-8" in refused.value.message


def test_utf8_with_or_without_a_byte_order_mark_is_text() -> None:
    assert (
        Request("POST", "/", {"content-type": "application/json; charset=utf-8"}, b"\xef\xbb\xbf{}").text()
        == "{}"
    )
    assert Request("POST", "/", {}, "é".encode()).text() == "é"
