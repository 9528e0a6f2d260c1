"""Who is calling an officer route: a typed :class:`Caller` built from the claims that API Gateway's
Cognito authorizer (or the local gateway, which does the same) puts in the proxy event's
``requestContext.authorizer.claims``. Handlers check role and scope again from it: the authorizer only
proves that the token is one of the staff pool's.

API Gateway's REST authorizer hands every claim on as a string: ``cognito:groups`` becomes the groups
joined by commas (``"complaints-officer,admin"``) and ``exp``/``iat`` become dates in words. Other paths
render lists differently (an HTTP API writes ``"[a b]"``, a decoded token has a JSON list), so lists are
read from any of these, in any order."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from shared import names
from shared.domain.staff import StaffMember
from shared.domain.stages import Actor

#: The roles a staff user can hold: the staff groups, as the domain's actors.
STAFF_ROLES: frozenset[Actor] = frozenset(Actor(group) for group in names.STAFF_GROUPS)
_SEPARATORS = re.compile(r"[,\s]+")
_SERVICE_AREA = re.compile(r"^[a-z0-9-]{2,40}$")  # as CouncilPolicy's ServiceArea.id


class Unauthenticated(Exception):
    """The event carries no usable claims: the route was reached without the authorizer."""


def list_claim(value: Any) -> tuple[str, ...]:
    """A list-valued claim however it was rendered: a JSON list, ``"a,b"``, ``"[a, b]"``, ``"[a b]"``
    or ``'["a","b"]'``. Empty or missing: ``()``."""
    if value is None:
        return ()
    if isinstance(value, list | tuple | set | frozenset):
        return tuple(str(item).strip() for item in value if str(item).strip())
    text = str(value).strip()
    if text.startswith("["):
        try:
            parsed = json.loads(text)
        except ValueError:
            parsed = None
        if isinstance(parsed, list):
            return list_claim(parsed)
        text = text.removeprefix("[").removesuffix("]")
    return tuple(item for item in _SEPARATORS.split(text) if item)


def roles_of(groups: tuple[str, ...]) -> frozenset[Actor]:
    """The staff roles among a user's groups (others are ignored)."""
    known = {role.value: role for role in STAFF_ROLES}
    return frozenset(known[g] for g in groups if g in known)


def areas_of(values: tuple[str, ...]) -> frozenset[str]:
    """The service area ids among a ``custom:service_areas`` attribute's values (others are ignored)."""
    return frozenset(a for a in values if _SERVICE_AREA.match(a))


@dataclass(frozen=True)
class Caller(StaffMember):
    """A signed-in member of staff: ``username`` is the pool's user name, ``subject`` its stable id
    (``sub``); ``roles`` are the staff groups they belong to (others are ignored); ``service_areas`` the
    ids in their ``custom:service_areas`` attribute (only a service manager's scope depends on it)."""

    subject: str = field(kw_only=True)

    @classmethod
    def from_claims(cls, claims: Mapping[str, Any]) -> Caller:
        subject = str(claims.get("sub") or "").strip()
        # The ID token names the user in cognito:username, the access token in username.
        username = str(claims.get(names.USERNAME_CLAIM) or claims.get("username") or "").strip()
        if not subject or not username:
            raise Unauthenticated("the claims name no user")
        return cls(
            username=username,
            subject=subject,
            roles=roles_of(list_claim(claims.get(names.GROUPS_CLAIM))),
            service_areas=areas_of(list_claim(claims.get(names.SERVICE_AREAS_CLAIM))),
        )

    @classmethod
    def from_event(cls, event: Mapping[str, Any]) -> Caller:
        """The caller of a proxy event, or :class:`Unauthenticated` when it carries no claims."""
        context = event.get("requestContext") or {}
        authorizer = context.get("authorizer") if isinstance(context, Mapping) else None
        claims = authorizer.get("claims") if isinstance(authorizer, Mapping) else None
        if not isinstance(claims, Mapping):
            raise Unauthenticated("no authorizer claims")
        return cls.from_claims(claims)
