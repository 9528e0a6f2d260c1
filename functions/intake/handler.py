"""Public intake API (JSON): a thin handler that routes, parses, calls the domain and maps errors."""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import ValidationError

from functions.http import MAX_BODY_BYTES, ProblemResponse, body_bytes, header, problem
from shared.adapters.idempotency import KeyReused
from shared.domain.errors import Conflict
from shared.domain.representation import describe_errors
from shared.domain.vocabulary import Channel
from shared.intake import Busy
from shared.wiring import idempotency, intake_service

logger = Logger(service="heard-intake")
app = APIGatewayRestResolver()
IDEMPOTENCY_KEY_MAX = 128


@app.get("/health")
def health() -> Response[dict[str, str]]:
    return Response(status_code=200, content_type="application/json", body={"status": "ok"})


@app.post("/representations")
def create_representation() -> Response[Any]:
    event = app.current_event
    content_type = header(event, "content-type")
    if content_type.split(";")[0].strip().lower() != "application/json":
        return problem(415, "Send the representation as JSON with the header Content-Type: application/json")
    raw = body_bytes(event)
    if len(raw) > MAX_BODY_BYTES:
        return problem(413, f"The request is too large: send at most {MAX_BODY_BYTES // 1024} KB")
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return problem(400, "The request body is not valid JSON")
    if not isinstance(data, dict):
        return problem(422, "The request body must be a JSON object")
    key = header(event, "idempotency-key") or None
    if key is not None and (len(key) > IDEMPOTENCY_KEY_MAX or not key.isprintable()):
        return problem(
            400, f"The Idempotency-Key header must be at most {IDEMPOTENCY_KEY_MAX} printable characters"
        )
    service = intake_service()
    request = service.parse(data)
    receipt = service.submit(request, key, Channel.ONLINE_FORM)
    logger.info("representation received", extra={"reference": receipt.reference, "kind": receipt.kind})
    return Response(status_code=201, content_type="application/json", body=receipt.model_dump())


@app.exception_handler(ValidationError)
def invalid(error: ValidationError) -> Response[Any]:
    problems = [p.model_dump() for p in describe_errors(error)]
    return problem(422, "There is a problem with the representation", errors=problems)


@app.exception_handler(KeyReused)
def key_reused(error: KeyReused) -> ProblemResponse:
    return problem(422, error.reason)


@app.exception_handler(Busy)
def busy(error: Busy) -> ProblemResponse:
    return problem(503, error.reason, headers={"Retry-After": "5"})


@app.exception_handler(Conflict)
def conflict(error: Conflict) -> ProblemResponse:
    return problem(409, error.reason, headers={"Retry-After": "2"})


@logger.inject_lambda_context(log_event=False)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    idempotency().register_lambda_context(context)
    return app.resolve(event, context)
