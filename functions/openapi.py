"""The OpenAPI 3.1 document of Heard's public API, generated from the same models the handlers use.
`make openapi` writes docs/openapi.json; a test fails when the committed document drifts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from functions.http import MAX_BODY_BYTES
from shared.domain.representation import FieldProblem, RepresentationRequest
from shared.intake import Receipt

DOCUMENT = Path(__file__).resolve().parents[1] / "docs" / "openapi.json"
REF = "#/components/schemas/{model}"


class Problem(BaseModel):
    """What went wrong, in words for people; ``errors`` names each field with a problem."""

    message: str
    errors: list[FieldProblem] | None = None


def _problem(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": REF.format(model="Problem")}}},
    }


def _html(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"text/html": {"schema": {"type": "string"}}}}


def document() -> dict[str, Any]:
    _, schemas = models_json_schema(
        [(RepresentationRequest, "validation"), (Receipt, "serialization"), (Problem, "serialization")],
        ref_template=REF,
    )
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Heard public API",
            "version": "1.0.0",
            "description": (
                "Make a comment, compliment or complaint about a council's children's social care services. "
                f"Request bodies are limited to {MAX_BODY_BYTES // 1024} KB. Retries with the same "
                "Idempotency-Key (or an identical body within 24 hours) return the first answer."
            ),
        },
        "paths": {
            "/health": {
                "get": {
                    "operationId": "health",
                    "summary": "Is the service up?",
                    "responses": {
                        "200": {
                            "description": "The service is up",
                            "content": {
                                "application/json": {
                                    "schema": {"type": "object", "properties": {"status": {"const": "ok"}}}
                                }
                            },
                        }
                    },
                }
            },
            "/representations": {
                "post": {
                    "operationId": "createRepresentation",
                    "summary": "Make a comment, compliment or complaint",
                    "parameters": [
                        {
                            "name": "Idempotency-Key",
                            "in": "header",
                            "required": False,
                            "description": "Any unique string up to 128 characters; a retry with the same key returns the same reference.",
                            "schema": {"type": "string", "maxLength": 128},
                        }
                    ],
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {"$ref": REF.format(model="RepresentationRequest")}
                            }
                        },
                    },
                    "responses": {
                        "201": {
                            "description": "Recorded: the reference and when to expect an answer",
                            "content": {
                                "application/json": {"schema": {"$ref": REF.format(model="Receipt")}}
                            },
                        },
                        "400": _problem(
                            "The body is not JSON, or the Idempotency-Key header is not acceptable"
                        ),
                        "409": _problem("The same request is being processed: retry shortly"),
                        "413": _problem("The body is too large"),
                        "415": _problem("The body is not application/json"),
                        "422": _problem("Something in the representation needs changing: see errors"),
                        "503": _problem("Busy: retry after the Retry-After header's seconds"),
                    },
                }
            },
            "/": {
                "get": {
                    "operationId": "showForm",
                    "summary": "The online form (HTML, works without JavaScript)",
                    "responses": {"200": _html("The form")},
                },
                "post": {
                    "operationId": "submitForm",
                    "summary": "Submit the online form",
                    "requestBody": {
                        "required": True,
                        "content": {"application/x-www-form-urlencoded": {"schema": {"type": "object"}}},
                    },
                    "responses": {
                        "201": _html("The confirmation page with the reference"),
                        "400": _html("Not accepted"),
                        "409": _html("Being processed: try again"),
                        "413": _html("Too long"),
                        "415": _html("Not a form post"),
                        "422": _html("The form again, with an error summary"),
                    },
                },
            },
        },
        "components": {"schemas": schemas["$defs"]},
    }


def render() -> str:
    return json.dumps(document(), indent=2, sort_keys=True) + "\n"


if __name__ == "__main__":
    DOCUMENT.write_text(render(), encoding="utf-8")
