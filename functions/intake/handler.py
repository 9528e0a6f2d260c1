"""Public intake API: a thin handler that routes, parses, calls the domain and maps errors."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.utilities.typing import LambdaContext

app = APIGatewayRestResolver()


@app.get("/health")
def health() -> Response[dict[str, str]]:
    return Response(status_code=200, content_type="application/json", body={"status": "ok"})


def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
