"""Staff sign-in on the local service: the staff user pool, its officer API client and its groups in the
emulated Cognito (moto), from the same names as ``infra/components/auth.py``; a demo user per role;
``POST /_local/token``; and the check API Gateway's Cognito authorizer makes on authorized routes.

The authorizer takes the ID token from the ``Authorization`` header (as it is, or after ``Bearer ``),
verifies its RS256 signature against the pool's JWKS, its issuer (the pool), audience (the officer API
client), ``token_use`` (``id``) and expiry, and hands the claims to the handler as API Gateway's REST
API does: every value a string, ``cognito:groups`` joined by commas, ``exp`` and ``iat`` as dates in
words. Expiry is checked against real time, never the movable local clock: moving the clock to test a
deadline must not sign anyone out (moto signs its tokens with real time too)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from joserfc import jwt
from joserfc.jwk import KeySet

from infra.catalog import STAFF_PASSWORD_MIN_LENGTH, STAFF_TEMPORARY_PASSWORD_DAYS
from infra.local.emulator import MOTO_LOCK
from shared import names

#: The demo users' password: local only, never a real account's. It meets the pool's policy.
DEMO_PASSWORD = "Heard-local-demo-2026!"  # noqa: S105 - a published local demo password
#: The second service manager, for another service area than the first.
SECOND_SERVICE_MANAGER = f"{names.GROUP_SERVICE_MANAGER}-2"
#: API Gateway's REST authorizer renders ``exp`` and ``iat`` like this (Java's Date.toString, UTC).
CLAIM_DATE_FORMAT = "%a %b %d %H:%M:%S UTC %Y"
_DATE_CLAIMS = frozenset({"exp", "iat"})


@dataclass(frozen=True)
class DemoUser:
    username: str
    groups: tuple[str, ...]
    service_areas: tuple[str, ...] = ()


def demo_users(service_areas: Sequence[str]) -> tuple[DemoUser, ...]:
    """One user per staff group, named after it, plus a second service manager. The service managers
    manage the first and the second of the council's service areas (:func:`shared.config.policy`)."""
    first, second = [*service_areas, "", ""][:2]
    users = []
    for group in names.STAFF_GROUPS:
        areas = (first,) if group == names.GROUP_SERVICE_MANAGER and first else ()
        users.append(DemoUser(group, (group,), areas))
    users.append(
        DemoUser(SECOND_SERVICE_MANAGER, (names.GROUP_SERVICE_MANAGER,), (second,) if second else ())
    )
    return tuple(users)


def demo_email(username: str) -> str:
    return f"{username}@staff.heard.example"


class UnknownUser(LookupError):
    """Not one of the local pool's demo users."""


@dataclass(frozen=True)
class LocalStaffPool:
    pool_id: str
    client_id: str
    region: str
    users: tuple[DemoUser, ...]

    @property
    def issuer(self) -> str:
        return f"https://cognito-idp.{self.region}.amazonaws.com/{self.pool_id}"

    def sign_in(self, username: str) -> dict[str, Any]:
        """Tokens for a demo user, from a real (emulated) Cognito InitiateAuth."""
        import boto3

        if username not in {user.username for user in self.users}:
            raise UnknownUser(username)
        result = boto3.client("cognito-idp", region_name=self.region).admin_initiate_auth(
            UserPoolId=self.pool_id,
            ClientId=self.client_id,
            AuthFlow="ADMIN_USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": username, "PASSWORD": DEMO_PASSWORD},
        )["AuthenticationResult"]
        return {
            "id_token": result["IdToken"],
            "access_token": result["AccessToken"],
            "expires_in": result["ExpiresIn"],
        }


def create_staff_pool(service_areas: Sequence[str], region: str = names.REGION_DEFAULT) -> LocalStaffPool:
    """Create the staff pool, its client, its groups and the demo users in the active moto mock, with
    the settings of the CDK pool that moto keeps (moto does not ask for MFA in ADMIN_USER_PASSWORD_AUTH,
    which is what lets the demo users sign in without an authenticator app)."""
    import boto3

    cognito = boto3.client("cognito-idp", region_name=region)
    pool_id = cognito.create_user_pool(
        PoolName=names.STAFF_POOL,
        Policies={
            "PasswordPolicy": {
                "MinimumLength": STAFF_PASSWORD_MIN_LENGTH,
                "RequireUppercase": True,
                "RequireLowercase": True,
                "RequireNumbers": True,
                "RequireSymbols": True,
                "TemporaryPasswordValidityDays": STAFF_TEMPORARY_PASSWORD_DAYS,
            }
        },
        AdminCreateUserConfig={"AllowAdminCreateUserOnly": True},
        Schema=[
            {
                "Name": names.SERVICE_AREAS_ATTRIBUTE,
                "AttributeDataType": "String",
                "Mutable": True,
                "StringAttributeConstraints": {"MinLength": "0", "MaxLength": "2048"},
            }
        ],
    )["UserPool"]["Id"]
    cognito.set_user_pool_mfa_config(
        UserPoolId=pool_id, SoftwareTokenMfaConfiguration={"Enabled": True}, MfaConfiguration="ON"
    )
    client_id = cognito.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName=names.OFFICER_CLIENT,
        GenerateSecret=False,
        ExplicitAuthFlows=[
            "ALLOW_USER_SRP_AUTH",
            "ALLOW_ADMIN_USER_PASSWORD_AUTH",
            "ALLOW_REFRESH_TOKEN_AUTH",
        ],
        ReadAttributes=[names.SERVICE_AREAS_CLAIM],
        WriteAttributes=[],  # users cannot change their own service areas
    )["UserPoolClient"]["ClientId"]
    for group in names.STAFF_GROUPS:
        cognito.create_group(UserPoolId=pool_id, GroupName=group)
    users = demo_users(service_areas)
    for user in users:
        # Each has a mailbox, where the workflow's reminders to them go (seen in the local outbox).
        attributes = [{"Name": "email", "Value": demo_email(user.username)}]
        if user.service_areas:
            attributes.append({"Name": names.SERVICE_AREAS_CLAIM, "Value": ",".join(user.service_areas)})
        cognito.admin_create_user(
            UserPoolId=pool_id,
            Username=user.username,
            UserAttributes=attributes,
            MessageAction="SUPPRESS",
        )
        cognito.admin_set_user_password(
            UserPoolId=pool_id, Username=user.username, Password=DEMO_PASSWORD, Permanent=True
        )
        for group in user.groups:
            cognito.admin_add_user_to_group(UserPoolId=pool_id, Username=user.username, GroupName=group)
    return LocalStaffPool(pool_id, client_id, region, users)


def fetch_jwks(issuer: str) -> dict[str, Any]:
    """The pool's public keys from ``<issuer>/.well-known/jwks.json``, as an authorizer fetches them.
    Inside moto's mock, ``requests`` is answered by moto in-process (``urllib`` would not be)."""
    import requests

    with MOTO_LOCK:
        response = requests.get(f"{issuer}/.well-known/jwks.json", timeout=5)
    response.raise_for_status()
    keys: dict[str, Any] = response.json()
    return keys


def render_claims(claims: Mapping[str, Any]) -> dict[str, str]:
    """Claims as API Gateway's REST Cognito authorizer passes them on: strings only."""
    rendered: dict[str, str] = {}
    for name, value in claims.items():
        if isinstance(value, bool):
            rendered[name] = "true" if value else "false"
        elif name in _DATE_CLAIMS and isinstance(value, int | float):
            rendered[name] = time.strftime(CLAIM_DATE_FORMAT, time.gmtime(value))
        elif isinstance(value, list | tuple):
            rendered[name] = ",".join(str(item) for item in value)
        elif isinstance(value, dict):
            rendered[name] = json.dumps(value, separators=(",", ":"))
        else:
            rendered[name] = str(value)
    return rendered


class TokenVerifier:
    """What API Gateway's Cognito authorizer checks, for one pool and one app client. ``now`` is real
    time (seconds since the epoch), never the local service's movable clock."""

    def __init__(
        self,
        issuer: str,
        client_id: str,
        jwks: Mapping[str, Any],
        *,
        now: Callable[[], float] = time.time,
    ) -> None:
        self._keys = KeySet.import_key_set(dict(jwks))  # type: ignore[arg-type]
        self._registry = jwt.JWTClaimsRegistry(
            now=lambda: int(now()),
            iss={"essential": True, "value": issuer},
            aud={"essential": True, "value": client_id},
            token_use={"essential": True, "value": "id"},
            sub={"essential": True},
            exp={"essential": True},
        )

    @classmethod
    def for_pool(cls, pool: LocalStaffPool) -> TokenVerifier:
        return cls(pool.issuer, pool.client_id, fetch_jwks(pool.issuer))

    def claims(self, headers: Mapping[str, str]) -> dict[str, str] | None:
        """The rendered claims of the request's valid ID token, or None (the gateway answers 401)."""
        value = next((v for k, v in headers.items() if k.lower() == "authorization"), "").strip()
        if value[:7].lower() == "bearer ":
            value = value[7:].strip()
        if not value:
            return None
        try:
            token = jwt.decode(value, self._keys, algorithms=["RS256"])
            self._registry.validate(token.claims)
        except Exception:  # whatever a client sends that does not verify is a 401, never a 502
            return None
        return render_claims(token.claims)


def token_route(
    pool: LocalStaffPool,
) -> Callable[[str, str, dict[str, list[str]], bytes], tuple[int, str, bytes]]:
    """``POST /_local/token`` with ``{"username": "<demo user>"}``: the user's ID and access tokens."""

    def answer(status: int, body: Mapping[str, Any]) -> tuple[int, str, bytes]:
        return status, "application/json", json.dumps(body, indent=2).encode()

    def route(method: str, path: str, query: dict[str, list[str]], body: bytes) -> tuple[int, str, bytes]:
        try:
            data = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError):
            data = None
        username = data.get("username") if isinstance(data, dict) else None
        if not isinstance(username, str) or not username:
            return answer(400, {"message": 'Send JSON: {"username": "<demo user>"}'})
        try:
            return answer(200, pool.sign_in(username))
        except UnknownUser:
            users = ", ".join(user.username for user in pool.users)
            return answer(404, {"message": f"No such demo user; the demo users are: {users}"})

    return route
