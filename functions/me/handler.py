"""``GET /me`` (officer API): who the signed-in member of staff is, as the handlers will see them. The
first route behind the Cognito authorizer; it proves the path from token to :class:`Caller`."""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from functions.http import Request, Response, Router, json_response, problem
from shared.identity import Caller, Unauthenticated

logger = Logger(service="heard-me")
router = Router()
#: The caller of the request being handled (one per thread locally, one per container in AWS).
_event: ContextVar[dict[str, Any]] = ContextVar("event")
#: Staff answers are never cached by browsers or proxies.
NO_STORE = {"Cache-Control": "no-store"}


@router.route("GET", "/me")
def me(request: Request) -> Response:
    caller = Caller.from_event(_event.get())
    body = {
        "username": caller.username,
        "roles": sorted(role.value for role in caller.roles),
        "service_areas": sorted(caller.service_areas),
    }
    return json_response(200, body, NO_STORE)


@router.error(Unauthenticated)
def unauthenticated(error: Unauthenticated) -> Response:
    # Only reachable without the authorizer (a misconfigured route): refuse as it would.
    return problem(401, "Unauthorized", headers=NO_STORE)


@logger.inject_lambda_context(log_event=False)  # the event holds the caller's token and claims
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    token = _event.set(event)
    try:
        return router.resolve(event)
    finally:
        _event.reset(token)
