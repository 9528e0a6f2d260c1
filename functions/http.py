"""Small HTTP helpers shared by the API-facing handlers."""

from __future__ import annotations

import base64
from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEvent

#: The largest request body Heard accepts (docs/decisions.md): ample for 5,000-character answers.
MAX_BODY_BYTES = 64 * 1024

ProblemResponse = Response[dict[str, Any]]


def header(event: APIGatewayProxyEvent, name: str) -> str:
    value = event.headers.get(name)
    if value is None:
        wanted = name.lower()
        value = next((v for k, v in event.headers.items() if k.lower() == wanted), None)
    return (value or "").strip()


def body_bytes(event: APIGatewayProxyEvent) -> bytes:
    body = event.body or ""
    return base64.b64decode(body) if event.is_base64_encoded else body.encode("utf-8")


def problem(
    status: int,
    message: str,
    *,
    errors: list[dict[str, str]] | None = None,
    headers: dict[str, str] | None = None,
) -> ProblemResponse:
    body: dict[str, Any] = {"message": message}
    if errors is not None:
        body["errors"] = errors
    return Response(status_code=status, content_type="application/json", body=body, headers=headers)
