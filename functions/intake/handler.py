"""Public intake API (JSON): a thin handler that routes, parses, calls the domain and maps errors."""

from __future__ import annotations

import re
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import ValidationError

from functions.http import (
    MAX_BODY_BYTES,
    BadJson,
    Request,
    Response,
    Router,
    UndecodableBody,
    json_response,
    parse_json,
    problem,
)
from shared.domain.errors import Conflict, KeyReused
from shared.domain.representation import describe_errors
from shared.domain.vocabulary import Channel
from shared.wiring import intake_service, prepare_intake

logger = Logger(service="heard-intake")
router = Router()
IDEMPOTENCY_KEY_MAX = 128
#: Printable ASCII, as the OpenAPI document states.
IDEMPOTENCY_KEY = re.compile(rf"^(?=.{{1,{IDEMPOTENCY_KEY_MAX}}}$) *[\x21-\x7e][\x20-\x7e]*$")


@router.route("GET", "/health")
def health(request: Request) -> Response:
    return json_response(200, {"status": "ok"})


@router.route("POST", "/representations")
def create_representation(request: Request) -> Response:
    if request.media_type != "application/json":
        return problem(415, "Send the representation as JSON with the header Content-Type: application/json")
    if len(request.body) > MAX_BODY_BYTES:
        return problem(413, f"The request is too large: send at most {MAX_BODY_BYTES:,} bytes")
    try:
        data = parse_json(request.text())
    except BadJson as error:
        return problem(400, error.message)
    if not isinstance(data, dict):
        return problem(422, "The request body must be a JSON object")
    sent = request.headers.get("idempotency-key")  # when sent, even empty, it must be a usable key
    key = sent.strip() if sent is not None else None
    if sent is not None and not IDEMPOTENCY_KEY.match(sent):
        return problem(
            400,
            f"The Idempotency-Key header must be at most {IDEMPOTENCY_KEY_MAX} printable characters "
            "(letters, digits, punctuation and spaces)",
        )
    service = intake_service()
    receipt = service.submit(service.parse(data), key, Channel.PUBLIC_API)
    logger.info("representation received", extra={"reference": receipt.reference, "kind": receipt.kind})
    return json_response(201, receipt.model_dump())


@router.error(UndecodableBody)
def undecodable(error: UndecodableBody) -> Response:
    return problem(error.status, error.message)


@router.error(ValidationError)
def invalid(error: ValidationError) -> Response:
    problems = [p.model_dump() for p in describe_errors(error)]
    return problem(422, "There is a problem with the representation", errors=problems)


@router.error(KeyReused)
def key_reused(error: KeyReused) -> Response:
    return problem(422, error.reason)


@router.error(Conflict)
def conflict(error: Conflict) -> Response:
    return problem(409, error.reason, headers={"Retry-After": "2"})


@logger.inject_lambda_context(log_event=False)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return router.resolve(event)


try:  # Lambda's Python runtimes include the Snapshot Restore for Python library; nothing else does
    from snapshot_restore_py import register_before_snapshot  # type: ignore[import-not-found]
except ImportError:
    pass
else:  # with SnapStart, the first request's one-time work happens before the snapshot (never otherwise)
    register_before_snapshot(prepare_intake)
