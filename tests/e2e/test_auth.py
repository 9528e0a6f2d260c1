"""Staff sign-in over HTTP, as ``make run`` serves it: the demo users are printed, ``POST /_local/token``
gives a real token, and ``GET /me`` answers with it and refuses without it."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from infra.local.auth import DEMO_PASSWORD, SECOND_SERVICE_MANAGER
from infra.local.service import LocalService
from shared import names
from shared.config import policy
from tests.conftest import start_service


@pytest.fixture(scope="module")
def service() -> Iterator[LocalService]:
    from moto import mock_aws

    with mock_aws():
        local = start_service()
        local.serve_in_background()
        yield local
        local.stop()


def call(
    service: LocalService,
    method: str,
    path: str,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, dict[str, str], Any]:
    request = urllib.request.Request(f"{service.url}{path}", data=body, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), json.loads(error.read() or b"{}")


def sign_in(service: LocalService, username: str) -> dict[str, Any]:
    status, _, tokens = call(
        service,
        "POST",
        "/_local/token",
        json.dumps({"username": username}).encode(),
        {"Content-Type": "application/json"},
    )
    assert status == 200, tokens
    return tokens


def test_the_demo_users_are_printed(service: LocalService) -> None:
    text = service.describe()
    assert DEMO_PASSWORD in text
    for username in (*names.STAFF_GROUPS, SECOND_SERVICE_MANAGER):
        assert f"  {username} " in text
    first, second = (area.id for area in policy().service_areas[:2])
    assert f"service areas: {first}" in text
    assert f"service areas: {second}" in text
    assert "GET    /me" in text
    assert "POST   /_local/token" in text


@pytest.mark.parametrize("username", ["complaints-officer", SECOND_SERVICE_MANAGER])
def test_a_token_then_get_me(service: LocalService, username: str) -> None:
    tokens = sign_in(service, username)
    assert set(tokens) >= {"id_token", "access_token"}
    status, headers, me = call(service, "GET", "/me", headers={"Authorization": tokens["id_token"]})
    assert status == 200
    assert me["username"] == username
    assert me["roles"] == [names.GROUP_SERVICE_MANAGER if username == SECOND_SERVICE_MANAGER else username]
    assert me["service_areas"] == (
        [policy().service_areas[1].id] if username == SECOND_SERVICE_MANAGER else []
    )
    assert headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("authorization", [None, "Bearer nonsense"])
def test_get_me_without_a_valid_token_is_401_json(service: LocalService, authorization: str | None) -> None:
    status, headers, body = call(
        service, "GET", "/me", headers={"Authorization": authorization} if authorization else {}
    )
    assert (status, body) == (401, {"message": "Unauthorized"})
    assert headers["Content-Type"] == "application/json"
    assert headers["X-Frame-Options"] == "DENY"


def test_the_access_token_is_not_accepted(service: LocalService) -> None:
    tokens = sign_in(service, "admin")
    assert call(service, "GET", "/me", headers={"Authorization": tokens["access_token"]})[0] == 401


def test_local_token_for_an_unknown_user_is_404_and_a_bad_body_400(service: LocalService) -> None:
    assert call(service, "POST", "/_local/token", b'{"username": "mallory"}')[0] == 404
    assert call(service, "POST", "/_local/token", b"username=admin")[0] == 400
