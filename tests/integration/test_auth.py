"""Staff sign-in on the local gateway, in-process, with real tokens from the emulated Cognito: what API
Gateway's Cognito authorizer lets through to GET /me, what it refuses with 401, and the claims it hands on."""

from __future__ import annotations

import base64
import calendar
import json
import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import boto3
import pytest

from infra.catalog import API_FUNCTIONS
from infra.local.auth import (
    CLAIM_DATE_FORMAT,
    DEMO_PASSWORD,
    SECOND_SERVICE_MANAGER,
    LocalStaffPool,
    TokenVerifier,
    create_staff_pool,
    demo_users,
    fetch_jwks,
    render_claims,
    token_route,
)
from infra.local.emulator import ACCOUNT_ID, LocalResources
from infra.local.gateway import Gateway
from shared import config, names
from shared.domain.clock import ManualClock

AREAS = [area.id for area in config.policy().service_areas]


@pytest.fixture
def pool(aws: LocalResources) -> LocalStaffPool:
    return create_staff_pool(AREAS)


@pytest.fixture
def gateway(pool: LocalStaffPool) -> Gateway:
    gateway = Gateway(API_FUNCTIONS, TokenVerifier.for_pool(pool).claims)
    gateway.add_local_route("POST", "/_local/token", token_route(pool))
    return gateway


class Recorder:
    """Stands in for the Me function: records the events that reach it."""

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []

    def __call__(self, event: dict[str, Any], context: Any) -> dict[str, Any]:
        self.events.append(event)
        return {"statusCode": 200, "body": "{}"}


@pytest.fixture
def recorder(gateway: Gateway) -> Iterator[Recorder]:
    recorder = Recorder()
    gateway._handlers["Me"] = recorder
    yield recorder


def token(gateway: Gateway, username: str, kind: str = "id_token") -> str:
    status, _, body = gateway.dispatch(
        "POST", "/_local/token", {}, json.dumps({"username": username}).encode()
    )
    assert status == 200, body
    value: str = json.loads(body)[kind]
    return value


def get_me(gateway: Gateway, authorization: str | None) -> tuple[int, dict[str, str], Any]:
    headers = {} if authorization is None else {"Authorization": authorization}
    status, out, body = gateway.dispatch("GET", "/me", headers, b"")
    return status, dict(out), json.loads(body)


def assert_unauthorized(answer: tuple[int, dict[str, str], Any]) -> None:
    status, headers, body = answer
    assert (status, body) == (401, {"message": "Unauthorized"})
    assert headers["Content-Type"] == "application/json"
    assert headers["X-Frame-Options"] == "DENY"
    assert "Content-Security-Policy" in headers


def _segments(jwt: str) -> list[str]:
    return jwt.split(".")


def _payload(jwt: str) -> dict[str, Any]:
    segment = _segments(jwt)[1]
    decoded: dict[str, Any] = json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))
    return decoded


def _encode(part: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(part).encode()).rstrip(b"=").decode()


def _moto_pool(pool: LocalStaffPool) -> Any:
    from moto.cognitoidp.models import cognitoidp_backends

    return cognitoidp_backends[ACCOUNT_ID][pool.region].user_pools[pool.pool_id]


# --- Demo users and tokens ------------------------------------------------------------------------


def test_a_demo_user_per_role_and_a_second_service_manager_elsewhere(pool: LocalStaffPool) -> None:
    users = {user.username: user for user in pool.users}
    assert set(users) == {*names.STAFF_GROUPS, SECOND_SERVICE_MANAGER}
    for group in names.STAFF_GROUPS:
        assert users[group].groups == (group,)
    first, second = users[names.GROUP_SERVICE_MANAGER], users[SECOND_SERVICE_MANAGER]
    assert first.service_areas == (AREAS[0],)
    assert second.service_areas == (AREAS[1],)
    assert second.groups == (names.GROUP_SERVICE_MANAGER,)
    listed = boto3.client("cognito-idp").list_users_in_group(
        UserPoolId=pool.pool_id, GroupName=names.GROUP_SERVICE_MANAGER
    )
    assert sorted(u["Username"] for u in listed["Users"]) == ["service-manager", "service-manager-2"]


def test_demo_users_with_fewer_areas_than_two() -> None:
    users = {u.username: u for u in demo_users(["only"])}
    assert users[names.GROUP_SERVICE_MANAGER].service_areas == ("only",)
    assert users[SECOND_SERVICE_MANAGER].service_areas == ()


def test_the_pool_is_set_up_like_the_cdk_one(pool: LocalStaffPool) -> None:
    cognito = boto3.client("cognito-idp")
    described = cognito.describe_user_pool(UserPoolId=pool.pool_id)["UserPool"]
    assert described["Name"] == names.STAFF_POOL
    assert described["MfaConfiguration"] == "ON"
    assert described["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is True
    client = cognito.describe_user_pool_client(UserPoolId=pool.pool_id, ClientId=pool.client_id)[
        "UserPoolClient"
    ]
    assert client["ClientName"] == names.OFFICER_CLIENT
    assert "ClientSecret" not in client
    groups = cognito.list_groups(UserPoolId=pool.pool_id)["Groups"]
    assert sorted(g["GroupName"] for g in groups) == sorted(names.STAFF_GROUPS)


def test_the_demo_password_is_the_published_one(pool: LocalStaffPool) -> None:
    result = boto3.client("cognito-idp").admin_initiate_auth(
        UserPoolId=pool.pool_id,
        ClientId=pool.client_id,
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "admin", "PASSWORD": DEMO_PASSWORD},
    )
    assert "IdToken" in result["AuthenticationResult"]


def test_local_token_returns_real_id_and_access_tokens(gateway: Gateway, pool: LocalStaffPool) -> None:
    status, headers, body = gateway.dispatch(
        "POST", "/_local/token", {}, b'{"username": "complaints-officer"}'
    )
    assert status == 200
    assert dict(headers)["Content-Type"] == "application/json"
    tokens = json.loads(body)
    id_claims, access_claims = _payload(tokens["id_token"]), _payload(tokens["access_token"])
    assert id_claims["token_use"] == "id"
    assert id_claims["aud"] == pool.client_id
    assert id_claims["iss"] == pool.issuer
    assert id_claims[names.USERNAME_CLAIM] == "complaints-officer"
    assert id_claims[names.GROUPS_CLAIM] == ["complaints-officer"]
    assert access_claims["token_use"] == "access"
    assert access_claims["client_id"] == pool.client_id


@pytest.mark.parametrize(
    "body",
    [b"", b"{", b"[]", b'"complaints-officer"', b"{}", b'{"username": ""}', b'{"username": 7}', b"\xff\xfe"],
)
def test_local_token_refuses_a_bad_body_with_400(gateway: Gateway, body: bytes) -> None:
    status, _, payload = gateway.dispatch("POST", "/_local/token", {}, body)
    assert status == 400
    assert "username" in json.loads(payload)["message"]


@pytest.mark.parametrize("username", ["nobody", "Admin", "complaints_officer"])
def test_local_token_answers_404_for_an_unknown_user(gateway: Gateway, username: str) -> None:
    status, _, payload = gateway.dispatch(
        "POST", "/_local/token", {}, json.dumps({"username": username}).encode()
    )
    assert status == 404
    assert "complaints-officer" in json.loads(payload)["message"]  # the demo users are listed


# --- GET /me through the authorizer ---------------------------------------------------------------


@pytest.mark.parametrize("username", [*names.STAFF_GROUPS, SECOND_SERVICE_MANAGER])
def test_get_me_with_a_real_token_is_the_caller(
    gateway: Gateway, pool: LocalStaffPool, username: str
) -> None:
    status, headers, body = get_me(gateway, token(gateway, username))
    user = next(u for u in pool.users if u.username == username)
    assert status == 200
    assert body == {
        "username": username,
        "roles": list(user.groups),
        "service_areas": list(user.service_areas),
    }
    assert headers["Cache-Control"] == "no-store"
    assert headers["X-Content-Type-Options"] == "nosniff"


def test_a_bearer_prefix_is_accepted(gateway: Gateway) -> None:
    assert get_me(gateway, f"Bearer {token(gateway, 'admin')}")[0] == 200


def test_the_handler_gets_the_claims_as_api_gateway_renders_them(
    gateway: Gateway, pool: LocalStaffPool, recorder: Recorder
) -> None:
    cognito = boto3.client("cognito-idp")
    cognito.admin_add_user_to_group(
        UserPoolId=pool.pool_id, Username="service-manager", GroupName="investigator"
    )
    before = int(time.time())
    assert get_me(gateway, token(gateway, "service-manager"))[0] == 200
    (event,) = recorder.events
    claims = event["requestContext"]["authorizer"]["claims"]
    assert all(isinstance(value, str) for value in claims.values())
    assert sorted(claims[names.GROUPS_CLAIM].split(",")) == ["investigator", "service-manager"]
    assert claims[names.SERVICE_AREAS_CLAIM] == AREAS[0]
    assert claims[names.USERNAME_CLAIM] == "service-manager"
    assert (claims["aud"], claims["iss"], claims["token_use"]) == (pool.client_id, pool.issuer, "id")
    expires = calendar.timegm(time.strptime(claims["exp"], CLAIM_DATE_FORMAT))
    assert before + 3590 <= expires <= time.time() + 3610  # an hour from now, in words
    assert claims["auth_time"].isdigit()
    assert "Authorization" in event["headers"]  # API Gateway passes the header on too


def test_render_claims_as_strings() -> None:
    rendered = render_claims(
        {
            "exp": 0,
            "iat": 86400,
            "auth_time": 5,
            "email_verified": True,
            "cognito:groups": ["a", "b"],
            "x": {"y": 1},
        }
    )
    assert rendered == {
        "exp": "Thu Jan 01 00:00:00 UTC 1970",
        "iat": "Fri Jan 02 00:00:00 UTC 1970",
        "auth_time": "5",
        "email_verified": "true",
        "cognito:groups": "a,b",
        "x": '{"y":1}',
    }


@pytest.mark.parametrize(
    "authorization", [None, "", "Bearer", "Bearer ", "not-a-jwt", "a.b.c", "Basic YWRtaW46eA=="]
)
def test_no_token_or_garbage_is_401_before_the_handler(
    gateway: Gateway, recorder: Recorder, authorization: str | None
) -> None:
    assert_unauthorized(get_me(gateway, authorization))
    assert recorder.events == []


def test_a_tampered_token_is_401(gateway: Gateway, recorder: Recorder) -> None:
    header, payload, signature = _segments(token(gateway, "investigator"))
    claims = _payload(token(gateway, "investigator"))
    claims[names.GROUPS_CLAIM] = ["admin"]
    assert_unauthorized(get_me(gateway, f"{header}.{_encode(claims)}.{signature}"))
    assert_unauthorized(get_me(gateway, f"{header}.{payload}.{signature[:-4]}AAAA"))
    assert_unauthorized(get_me(gateway, f"{_encode({'alg': 'none', 'typ': 'JWT'})}.{_encode(claims)}."))
    assert recorder.events == []


def test_an_expired_token_is_401(gateway: Gateway, pool: LocalStaffPool, recorder: Recorder) -> None:
    signed, _ = _moto_pool(pool).create_jwt(pool.client_id, "admin", "id", expires_in=-5)
    assert _payload(signed)["exp"] < time.time()
    assert_unauthorized(get_me(gateway, signed))
    fresh, _ = _moto_pool(pool).create_jwt(pool.client_id, "admin", "id", expires_in=60)
    assert get_me(gateway, fresh)[0] == 200  # the same token, made unexpired: the expiry is what refused it
    assert len(recorder.events) == 1


def test_expiry_is_checked_against_real_time_not_the_local_clock(
    gateway: Gateway, pool: LocalStaffPool
) -> None:
    valid = token(gateway, "admin")
    config.use_clock(ManualClock(config.clock().now() + timedelta(days=400)))  # the local clock moves on
    assert get_me(gateway, valid)[0] == 200
    later = TokenVerifier(
        pool.issuer, pool.client_id, fetch_jwks(pool.issuer), now=lambda: time.time() + 3601
    )
    assert later.claims({"Authorization": valid}) is None  # an hour of real time later it has expired
    assert TokenVerifier(pool.issuer, pool.client_id, fetch_jwks(pool.issuer)).claims(
        {"Authorization": valid}
    )


def test_a_token_for_another_app_client_is_401(gateway: Gateway, pool: LocalStaffPool) -> None:
    other = boto3.client("cognito-idp").create_user_pool_client(
        UserPoolId=pool.pool_id, ClientName="other", GenerateSecret=False
    )["UserPoolClient"]["ClientId"]
    other_pool = LocalStaffPool(pool.pool_id, other, pool.region, pool.users)
    foreign = other_pool.sign_in("admin")["id_token"]
    assert _payload(foreign)["aud"] == other
    assert_unauthorized(get_me(gateway, foreign))


def test_a_token_from_another_pool_is_401_though_moto_signs_it_with_the_same_key(
    gateway: Gateway, pool: LocalStaffPool
) -> None:
    other = create_staff_pool(AREAS)
    foreign = other.sign_in("admin")["id_token"]
    assert _segments(foreign)[0] == _segments(token(gateway, "admin"))[0]  # same key id, same key
    assert_unauthorized(get_me(gateway, foreign))
    # Only the issuer differs: with the other pool's client id the audience alone would not have refused it.
    same_client, _ = _moto_pool(other).create_jwt(pool.client_id, "admin", "id")
    assert_unauthorized(get_me(gateway, same_client))


def test_an_access_token_is_401(gateway: Gateway, pool: LocalStaffPool) -> None:
    """API Gateway's Cognito authorizer without scopes takes ID tokens only (token_use: id)."""
    assert_unauthorized(get_me(gateway, token(gateway, "admin", "access_token")))
    # Even one that names the client as its audience: token_use alone refuses it.
    access, _ = _moto_pool(pool).create_jwt(
        pool.client_id, "admin", "access", extra_data={"aud": pool.client_id}
    )
    assert_unauthorized(get_me(gateway, access))


def test_without_an_authorizer_an_authorized_route_is_always_401() -> None:
    gateway = Gateway(API_FUNCTIONS)
    assert_unauthorized(get_me(gateway, "anything"))


def test_public_routes_need_no_token(gateway: Gateway) -> None:
    status, _, _ = gateway.dispatch("GET", "/health", {}, b"")
    assert status == 200


def test_the_me_handler_itself_refuses_an_event_without_claims() -> None:
    from functions.me.handler import handler
    from infra.local.gateway import LambdaContext

    event = {"httpMethod": "GET", "resource": "/me", "path": "/me", "headers": {}, "requestContext": {}}
    answer = handler(event, LambdaContext(function_name="Me"))
    assert answer["statusCode"] == 401
    assert json.loads(answer["body"]) == {"message": "Unauthorized"}
