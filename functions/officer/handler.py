"""The officer API (staff only, behind the Cognito authorizer): read a case and its chronology, and act
on it. Powertools' REST resolver validates requests against the models and generates the OpenAPI
description. Thin: route, parse, authorise, call the aggregate, persist, map typed errors."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response, content_types
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.event_handler.openapi.params import Body, Header, Path, Query
from aws_lambda_powertools.utilities.typing import LambdaContext

from functions.http import SECURITY_HEADERS
from shared.adapters.dynamodb import DynamoCaseStore
from shared.config import clock, policy
from shared.domain.access import acting_as, may_see, works_on_cases
from shared.domain.casefile import Case, Command, apply
from shared.domain.errors import IllegalTransition
from shared.identity import Caller, Unauthenticated
from shared.ports import StaleVersion
from shared.wiring import case_store

logger = Logger(service="heard-officer")
app = APIGatewayRestResolver(enable_validation=True)

Reference = Annotated[str, Path(pattern=r"^[A-Z]{2,5}-\d{4}-\d{5}$", description="The case's reference")]
#: Staff answers are never cached by browsers or proxies.
NO_STORE = {"Cache-Control": "no-store"}


class NotFound(Exception):
    """No such case, or not one the caller may see (never reveal which)."""


class Forbidden(Exception):
    """The caller's role does not work on cases."""


class PreconditionRequired(Exception):
    """A change came without If-Match."""


def etag(case: Case) -> str:
    return f'"{case.case_id}.{case.version}"'


def _json(status: int, body: Any, headers: dict[str, str] | None = None) -> Response[Any]:
    return Response(
        status_code=status,
        content_type=content_types.APPLICATION_JSON,
        body=body,
        headers={**SECURITY_HEADERS, **NO_STORE, **(headers or {})},
    )


def _caller() -> Caller:
    caller = Caller.from_event(app.current_event.raw_event)
    if not works_on_cases(caller):
        raise Forbidden
    return caller


def _visible(store: DynamoCaseStore, reference: str, caller: Caller) -> Case:
    case_id = store.find(reference)
    case = store.load(case_id) if case_id else None
    if case is None or not may_see(caller, case):
        raise NotFound
    return case


def _view(case: Case, caller: Caller) -> dict[str, Any]:
    roles = [role for role in caller.roles]
    possible = sorted({a for role in roles for a in case.possible_actions(role)})
    return {"case": case.model_dump(mode="json"), "possible_actions": possible}


@app.get("/cases/<reference>")
def get_case(reference: Reference) -> Response[Any]:
    caller, store = _caller(), case_store()
    case = _visible(store, reference, caller)
    store.record_read(case.case_id, caller.username, "case", clock().now())
    return _json(200, _view(case, caller), {"ETag": etag(case)})


@app.get("/cases/<reference>/events")
def get_events(
    reference: Reference,
    after: Annotated[int, Query(ge=0, description="Events after this sequence number")] = 0,
    limit: Annotated[int, Query(ge=1, le=100)] = 100,
) -> Response[Any]:
    caller, store = _caller(), case_store()
    case = _visible(store, reference, caller)
    store.record_read(case.case_id, caller.username, "events", clock().now())
    events = store.events(case.case_id, after, limit)
    following = events[-1]["sequence"] if len(events) == limit else None
    return _json(200, {"events": events, "next_after": following})


@app.post("/cases/<reference>/actions")
def act(
    reference: Reference,
    command: Annotated[Command, Body(description="One action, named by `action`, with its fields")],
    if_match: Annotated[str | None, Header(alias="If-Match", description="The case's ETag")] = None,
) -> Response[Any]:
    caller, store = _caller(), case_store()
    case = _visible(store, reference, caller)
    if not if_match:
        raise PreconditionRequired
    if if_match.strip() != etag(case):
        raise StaleVersion(f"case {reference} has changed since you read it: reload it and try again")
    actor = acting_as(caller, case, command.action)
    decision = apply(case, command, actor, caller.username, clock().now(), policy())
    store.save(decision, expected_version=case.version)
    logger.info("case action", extra={"reference": reference, "action": command.action, "actor": actor.value})
    return _json(200, _view(decision.case, caller), {"ETag": etag(decision.case)})


@app.exception_handler(Unauthenticated)
def _unauthenticated(error: Unauthenticated) -> Response[Any]:
    return _json(401, {"message": "Unauthorized"})


@app.exception_handler(Forbidden)
def _forbidden(error: Forbidden) -> Response[Any]:
    return _json(403, {"message": "Your role does not work on cases"})


@app.exception_handler(NotFound)
def _not_found(error: NotFound) -> Response[Any]:
    return _json(404, {"message": "No such case"})


@app.exception_handler(PreconditionRequired)
def _precondition_required(error: PreconditionRequired) -> Response[Any]:
    return _json(428, {"message": "Send the case's ETag in an If-Match header: read the case first"})


@app.exception_handler(StaleVersion)
def _stale(error: StaleVersion) -> Response[Any]:
    return _json(412, {"message": error.reason})


@app.exception_handler(IllegalTransition)
def _illegal(error: IllegalTransition) -> Response[Any]:
    return _json(409, {"message": error.reason})


@app.exception_handler(RequestValidationError)
def _invalid(error: RequestValidationError) -> Response[Any]:
    problems = [
        {"field": ".".join(str(part) for part in e["loc"][1:]) or "body", "message": e["msg"]}
        for e in error.errors()
    ]
    return _json(422, {"message": "There is a problem with the request", "errors": problems})


@logger.inject_lambda_context(log_event=False)  # the event holds the caller's token and case data
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
