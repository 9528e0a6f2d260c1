"""The OpenAPI 3.1 document of Heard's public API, generated from the same models the handlers use.
`make openapi` writes docs/openapi.json; a test fails when the committed document drifts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from functions.form.journey import PAGE_IDS
from functions.http import (
    MAX_BODY_BYTES,
    MAX_FORM_BODY_BYTES,
    MAX_INTEGER_DIGITS,
    MAX_JSON_DEPTH,
    MAX_STAFF_BODY_BYTES,
)
from functions.intake.handler import IDEMPOTENCY_KEY_MAX
from shared import names
from shared.config import policy
from shared.domain.representation import FREE_TEXT, FieldProblem, RepresentationRequest
from shared.intake import Receipt

DOCUMENT = Path(__file__).resolve().parents[1] / "docs" / "openapi.json"
REF = "#/components/schemas/{model}"


class Problem(BaseModel):
    """What went wrong, in words for people; ``errors`` names each field with a problem; an officer's
    refused step (403, 409) lists ``possible_actions``, what they may do now instead."""

    message: str
    errors: list[FieldProblem] | None = None
    possible_actions: list[str] | None = None


def _problem(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": REF.format(model="Problem")}}},
    }


def _html(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"text/html": {"schema": {"type": "string"}}}}


#: What the model's validators enforce, as JSON Schema patterns (ECMA-262).
ONE_LINE = "^[^\\x00-\\x1f\\x7f-\\x9f\\u2028\\u2029]*$"
MULTI_LINE = "^[^\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f-\\x9f]*$"
_HIDDEN = (  # format characters and blank-looking letters (shared.domain.representation.is_blank)
    "\\u00ad\\u034f\\u115f\\u1160\\u17b4\\u17b5\\u180e\\u200b-\\u200f\\u202a-\\u202e\\u2060-\\u2064"
    "\\u2066-\\u206f\\u2800\\u3164\\ufeff\\uffa0"
)
_INVISIBLE = "\\s" + _HIDDEN
VISIBLE = f"^[^\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f-\\x9f]*[^{_INVISIBLE}\\x00-\\x1f\\x7f-\\x9f][^\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f-\\x9f]*$"
VISIBLE_ONE_LINE = (
    f"^[^\\x00-\\x1f\\x7f-\\x9f\\u2028\\u2029]*[^{_INVISIBLE}\\x00-\\x1f\\x7f-\\x9f\\u2028\\u2029]"
    "[^\\x00-\\x1f\\x7f-\\x9f\\u2028\\u2029]*$"
)
SPECIAL_USE_DOMAINS = (
    "\\.("
    + "|".join(
        "".join(f"[{c}{c.upper()}]" for c in tld)
        for tld in ("arpa", "invalid", "local", "localhost", "onion", "test")
    )
    + ")$"
)
#: Blank on one line: spaces (no line breaks or tabs, which one-line fields refuse) and hidden characters.
BLANK = f"^[ \\u00a0\\u1680\\u2000-\\u200a\\u202f\\u205f\\u3000{_HIDDEN}]*$"
BLANK_IS_ABSENT = frozenset({"email", "advocate_email", "phone", "service_area", "interpreter_language"})
PHONE = "^ *\\+?[0-9(][0-9 ()-]{5,18}[0-9] *$"
DATE_FROM_1900 = "^(19[0-9][0-9]|[2-9][0-9][0-9][0-9])-[0-9]{2}-[0-9]{2}$"
IDEMPOTENCY_KEY = "^ *[!-~][ -~]*$"


def _string(schema: dict[str, Any]) -> dict[str, Any]:
    """The string branch of an optional field's schema (or the schema itself)."""
    for branch in schema.get("anyOf", [schema]):
        if branch.get("type") == "string":
            return dict(branch)
    raise ValueError(schema)


def _given(properties: dict[str, Any], field: str) -> dict[str, Any]:
    """The field present and not blank: its string form, with something visible in it."""
    string = _string(properties[field])
    if field not in ("email", "advocate_email", "phone"):  # their format or pattern refuses blanks
        string["pattern"] = VISIBLE if field in FREE_TEXT else VISIBLE_ONE_LINE
    return {"required": [field], "properties": {field: string}}


def _rules(properties: dict[str, Any]) -> list[dict[str, Any]]:
    """What a complaint must answer (what it is about, and how to contact), and what each way of contact
    needs, as if/then rules."""
    given = {"not": {"type": "null"}}
    rules: list[dict[str, Any]] = [
        {
            "if": {"required": ["kind"], "properties": {"kind": {"const": "complaint"}}},
            "then": {
                "required": ["subject", "preferred_contact"],
                "properties": {"subject": given, "preferred_contact": given},
            },
        }
    ]
    for contact, field in {"email": "email", "phone": "phone", "post": "address"}.items():
        rules.append(
            {
                "if": {
                    "required": ["preferred_contact"],
                    "properties": {"preferred_contact": {"const": contact}},
                },
                "then": _given(properties, field),
            }
        )
    rules.append(
        {
            "if": {
                "required": ["preferred_contact"],
                "properties": {"preferred_contact": {"const": "advocate"}},
            },
            "then": {"anyOf": [_given(properties, "advocate_name"), _given(properties, "advocate_email")]},
        }
    )
    return rules


def _constrained(request: dict[str, Any]) -> dict[str, Any]:
    """The request model's schema with what its validators enforce stated: characters, formats, the
    council's service areas, the date's range, and what a complaint must give for its contact."""
    properties = request["properties"]
    for name, schema in properties.items():
        branches = schema.get("anyOf", [schema])
        if not any(branch.get("type") == "string" for branch in branches):
            continue
        string = _string(schema)
        string["pattern"] = MULTI_LINE if name in FREE_TEXT else ONE_LINE
        if name == "what_happened":
            string["pattern"] = VISIBLE
            string["description"] = "Blank once invisible characters are removed counts as empty."
        elif name in ("email", "advocate_email"):
            string["format"] = "email"
            # Special-use domains (RFC 6761), which no mail reaches, as email-validator refuses them.
            string["not"] = {"pattern": SPECIAL_USE_DOMAINS}
            string["description"] = (
                "One mailbox: no display name, list, group, quoted or non-ASCII local part, IP literal or "
                "port. An international domain is stored in its ASCII (punycode) form."
            )
        elif name == "phone":
            string.update(pattern=PHONE)
        elif name == "service_area":
            string = {"type": "string", "enum": [area.id for area in policy().service_areas]}
            string["description"] = "One of the council's service areas (its policy file may replace these)."
        elif name == "interpreter_language":
            string = {"type": "string", "enum": list(policy().interpreter_languages)}
            string["description"] = (
                "One of the council's interpreter languages (its policy file may replace these)."
            )
        elif name in ("when_happened", "child_date_of_birth"):
            string.update(pattern=DATE_FROM_1900, description="From 1900-01-01 to today (Europe/London).")
        if name in FREE_TEXT:
            string["description"] = (
                string.get("description", "") + " New lines and tabs are kept; other control characters "
                "are refused."
            ).strip()
        if "anyOf" in schema:
            schema["anyOf"] = [string if b.get("type") == "string" else b for b in schema["anyOf"]]
            if name in BLANK_IS_ABSENT:  # blank is "not given" (their patterns and formats refuse it)
                schema["anyOf"].insert(1, {"type": "string", "pattern": BLANK})
        else:
            properties[name] = {**schema, **string}
    request["allOf"] = _rules(properties)
    request["description"] = (
        f"{request.get('description', '')} A complaint must say what it is about (subject) and how to "
        "contact (preferred_contact); whichever contact is chosen must be given. Nothing that changes the procedure has a default: absent is "
        "not answered. Whoever gives an email address and chooses email is acknowledged by email. Set "
        "advocacy_offered only when an advocate was offered to the person. Booleans are JSON booleans only. "
        "Text that is blank (once invisible characters are removed) counts as absent."
    ).strip()
    return request


def _form_post() -> dict[str, Any]:
    """A page of the online form: which page, the answers so far (sealed by the service: opaque, signed,
    encrypted and expiring), and that page's own fields, checked by the JSON API's model."""
    return {
        "type": "object",
        "required": ["page"],
        "properties": {
            "page": {"enum": ["start", "back", "check", *PAGE_IDS], "description": "The page posted."},
            "state": {
                "type": "string",
                "description": "The answers so far, as the previous page gave them. A value the service did not "
                "make, that was changed, or older than the answers' lifetime (4 hours) is not used: the page is "
                "answered as the first of a new set of answers, keeping what it sent, with a notice that the "
                "earlier answers were deleted.",
            },
            "goto": {"type": "string", "description": "A page to show instead (Back, Change), or send."},
            "js": {
                "type": "string",
                "description": "on when JavaScript runs (follow-up questions then show in place).",
            },
            "website": {"type": "string", "maxLength": 0, "description": "The honeypot: leave empty."},
        },
        "additionalProperties": True,  # the page's own fields (the JSON API's, as text) and a button's name
        "description": (
            f"At most {MAX_FORM_BODY_BYTES:,} bytes URL-encoded (every answer at its limit in four-byte "
            "characters, and the sealed answers so far)."
        ),
    }


#: GET /me (functions/me/handler.py).
ME_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["username", "roles", "service_areas"],
    "additionalProperties": False,
    "properties": {
        "username": {"type": "string"},
        "roles": {"type": "array", "items": {"enum": list(names.STAFF_GROUPS)}, "uniqueItems": True},
        "service_areas": {"type": "array", "items": {"type": "string"}, "uniqueItems": True},
    },
}


#: The officer API's answers besides success, and which operations give them.
_OFFICER_PROBLEMS = {
    "400": (
        "The body is not JSON Heard can read (says why: not UTF-8, nested more than "
        f"{MAX_JSON_DEPTH} deep, a number of more than {MAX_INTEGER_DIGITS:,} digits, NaN), a query "
        "parameter the route does not take (named), or a cursor this list did not give"
    ),
    "401": "No token, or not a valid, unexpired ID token of the staff pool",
    "403": "Your role may not do this (admins manage policy and users; some steps are one role's)",
    "404": "No such case, or not one you may see",
    "409": "Not possible now: says why, and what is possible (or the same registration is in progress)",
    "412": "The case changed since you read it (stale If-Match): reload it",
    "413": f"The body is larger than {MAX_STAFF_BODY_BYTES:,} bytes",
    "415": "The body is not declared application/json, or not UTF-8",
    "422": "The request breaks the schema or the rules: each field with its problem",
    "428": "A change needs the case's ETag in If-Match",
}


def _problem_codes(method: str, path: str, has_body: bool) -> set[str]:
    codes = {"400", "401", "403", "422"}  # 400: every route refuses query parameters it does not take
    if "{reference}" in path:
        codes.add("404")
    if has_body or method in ("post", "put"):  # a body sent is read, whatever the route does with it
        codes |= {"413", "415"}
    if (method, path) == ("post", "/cases/{reference}/actions"):
        codes |= {"409", "412", "428"}
    if (method, path) == ("post", "/cases"):  # the same registration still in progress
        codes.add("409")
    return codes


def _officer() -> tuple[dict[str, Any], dict[str, Any]]:
    """The officer API's paths and schemas, as Powertools' resolver generates them from its routes and
    models, with the staff token and the answers the handler's error mapping gives."""
    from functions.officer.handler import app

    spec = json.loads(app.get_openapi_json_schema(title="officer", version="1"))
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            operation["security"] = [{"staffIdToken": []}]
            codes = _problem_codes(method, path, "requestBody" in operation)
            operation["responses"].update({code: _problem(_OFFICER_PROBLEMS[code]) for code in sorted(codes)})
    etag = {
        "ETag": {"description": "The case's version: send it back in If-Match", "schema": {"type": "string"}}
    }
    for path, method in (("/cases/{reference}", "get"), ("/cases/{reference}/actions", "post")):
        spec["paths"][path][method]["responses"]["200"]["headers"] = etag
    spec["paths"]["/cases"]["post"]["responses"]["201"]["headers"] = {
        "Location": {"description": "The new case's address", "schema": {"type": "string"}}
    }
    schemas = {
        name: schema
        for name, schema in spec["components"]["schemas"].items()
        if name not in ("HTTPValidationError", "ValidationError", "ResponseValidationError")
    }
    return spec["paths"], schemas


def _officer_rules(schemas: dict[str, Any]) -> dict[str, Any]:
    """What the officer models' validators enforce, stated in the schema: an advocate's email is one
    mailbox as the representation's emails are; a register entry's declarations agree (an external
    person is no council officer or member and in no line management; only an officer is in one)."""
    email = schemas["RepresentationRequest"]["properties"]["advocate_email"]
    schemas["ChangeAdvocacy"]["properties"]["advocate_email"] = email
    nobody = {"maxItems": 0}
    schemas["Person"]["allOf"] = schemas["Declarations"]["allOf"] = [
        {
            "if": {"properties": {"external": {"const": True}}, "required": ["external"]},
            "then": {
                "properties": {
                    "council_officer": {"const": False},
                    "council_member": {"const": False},
                    "line_management_areas": nobody,
                }
            },
        },
        {
            "if": {"properties": {"council_officer": {"const": False}}, "required": ["council_officer"]},
            "then": {"properties": {"line_management_areas": nobody}},
        },
    ]
    return schemas


def document() -> dict[str, Any]:
    _, schemas = models_json_schema(
        [(RepresentationRequest, "validation"), (Receipt, "serialization"), (Problem, "serialization")],
        ref_template=REF,
    )
    schemas["$defs"]["RepresentationRequest"] = _constrained(schemas["$defs"]["RepresentationRequest"])
    officer_paths, officer_schemas = _officer()
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Heard public API",
            "version": "1.0.0",
            "description": (
                "Make a comment, compliment or complaint about a council's children's social care services. "
                f"JSON request bodies are limited to {MAX_BODY_BYTES:,} bytes and form posts to "
                f"{MAX_FORM_BODY_BYTES:,} bytes, enough for every answer at its limit in four-byte "
                "characters; bodies must be UTF-8. Retries with the same "
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
                            "description": (
                                f"Any unique string of 1 to {IDEMPOTENCY_KEY_MAX} printable ASCII characters; "
                                "a retry with the same key returns the same reference."
                            ),
                            "schema": {
                                "type": "string",
                                "minLength": 1,
                                "maxLength": IDEMPOTENCY_KEY_MAX,
                                "pattern": IDEMPOTENCY_KEY,
                            },
                        }
                    ],
                    "requestBody": {
                        "required": True,
                        "description": f"At most {MAX_BODY_BYTES:,} bytes of UTF-8 JSON.",
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
                            "The body is not UTF-8 JSON (or is nested too deeply), or the Idempotency-Key "
                            "header is not acceptable"
                        ),
                        "409": _problem(
                            "The same request (Idempotency-Key) is still being processed: retry after the "
                            "Retry-After header's seconds"
                        ),
                        "413": _problem("The body is too large"),
                        "415": _problem("The body is not application/json, or not UTF-8"),
                        "422": _problem("Something in the representation needs changing: see errors"),
                    },
                }
            },
            "/": {
                "get": {
                    "operationId": "showForm",
                    "summary": "The online form's start page (HTML, works without JavaScript)",
                    "responses": {"200": _html("The start page: safety first, then Start now")},
                },
                "post": {
                    "operationId": "submitForm",
                    "summary": "Answer a page of the online form, or send it from Check your answers",
                    "requestBody": {
                        "required": True,
                        "content": {"application/x-www-form-urlencoded": {"schema": _form_post()}},
                    },
                    "responses": {
                        "200": _html("The next page (a question, or Check your answers)"),
                        "303": {
                            "description": "Sent: see the confirmation page (post/redirect/get)",
                            "headers": {
                                "Location": {
                                    "description": "/confirmation?c= a signed, expiring token",
                                    "schema": {"type": "string"},
                                }
                            },
                        },
                        "400": _html(
                            "Not accepted (no page of the form named, the honeypot was filled, or the body is not UTF-8)"
                        ),
                        "409": _html("Being processed: try again"),
                        "413": _html("Too large"),
                        "415": _html("Not a form post, or not UTF-8"),
                        "422": _html("The same page again, with an error summary of every problem on it"),
                    },
                },
            },
            "/extend": {
                "post": {
                    "operationId": "extendForm",
                    "summary": "More time on a page of the online form, without a new page (its timeout warning)",
                    "description": (
                        "The page's sealed answers (its hidden state field), sealed again now: their lifetime "
                        "starts again. Only a page's own unexpired state is accepted; the reply is readable "
                        "only by that page (no CORS)."
                    ),
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/x-www-form-urlencoded": {
                                "schema": {
                                    "type": "object",
                                    "required": ["state"],
                                    "properties": {"state": {"type": "string", "minLength": 1}},
                                }
                            }
                        },
                    },
                    "responses": {
                        "200": {
                            "description": "Extended: the new state and when it expires",
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "object",
                                        "required": ["state", "expires_at", "seconds_left", "until", "span"],
                                        "properties": {
                                            "state": {"type": "string"},
                                            "expires_at": {"type": "string", "format": "date-time"},
                                            "seconds_left": {"type": "integer"},
                                            "until": {
                                                "type": "string",
                                                "description": "London time, e.g. 4:35pm",
                                            },
                                            "span": {"type": "string", "description": "e.g. 4 hours"},
                                        },
                                    }
                                }
                            },
                        },
                        "400": _problem("The body could not be read, or it has no state"),
                        "410": _problem("The answers have already expired, or were changed"),
                        "413": _problem("Too large"),
                        "415": _problem("Not a form post"),
                    },
                }
            },
            "/confirmation": {
                "get": {
                    "operationId": "showConfirmation",
                    "summary": "The confirmation page of a sent form (safe to reload)",
                    "parameters": [
                        {
                            "name": "c",
                            "in": "query",
                            "required": True,
                            "description": "The token the form's 303 gave: signed, encrypted, valid 7 days",
                            "schema": {"type": "string"},
                        }
                    ],
                    "responses": {
                        "200": _html("The reference and what happens next"),
                        "404": _html("Expired, or not a token the form gave"),
                    },
                }
            },
            **{
                path: {
                    "get": {
                        "operationId": operation,
                        "summary": summary,
                        "responses": {"200": _html(summary)},
                    }
                }
                for path, operation, summary in (
                    ("/help", "showHelp", "Get help and support: safety, advocacy and who else can help"),
                    ("/privacy", "showPrivacy", "The privacy notice"),
                    ("/accessibility", "showAccessibility", "The accessibility statement"),
                )
            },
            **officer_paths,
            "/me": {
                "get": {
                    "operationId": "me",
                    "summary": "Staff: who the signed-in member of staff is",
                    "security": [{"staffIdToken": []}],
                    "responses": {
                        "200": {
                            "description": "The caller's user name, roles (staff groups) and service areas",
                            "content": {"application/json": {"schema": {"$ref": REF.format(model="Me")}}},
                        },
                        "401": _problem("No token, or not a valid, unexpired ID token of the staff pool"),
                    },
                }
            },
        },
        "components": {
            # The public models as constrained above win over Powertools' plain rendering of the same ones
            # (the officer's registration embeds the representation, checked by the same rules).
            "schemas": _officer_rules({**officer_schemas, **schemas["$defs"], "Me": ME_SCHEMA}),
            "securitySchemes": {
                "staffIdToken": {
                    "type": "apiKey",
                    "in": "header",
                    "name": "Authorization",
                    "description": "The ID token of a staff user pool sign-in (Cognito), as it is",
                }
            },
        },
    }


def render() -> str:
    return json.dumps(document(), indent=2, sort_keys=True) + "\n"


if __name__ == "__main__":
    DOCUMENT.write_text(render(), encoding="utf-8")
