"""The online form: served and answered on the server (works with JavaScript off). A form post is
validated by the same model as the JSON API; the hidden per-form token makes a double submit idempotent."""

from __future__ import annotations

import re
import uuid
from typing import Any
from urllib.parse import parse_qs

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import ValidationError

from functions.form.views import confirmation_page, form_page, rejected_page
from functions.http import MAX_FORM_BODY_BYTES, Request, Response, Router, UndecodableBody
from shared.config import policy
from shared.domain.errors import Conflict, KeyReused
from shared.domain.representation import (
    AdvocacyWish,
    RepresentationRequest,
    describe_errors,
    label,
    text_limits,
)
from shared.domain.vocabulary import Channel
from shared.wiring import idempotency, intake_service

logger = Logger(service="heard-form")
router = Router()

HTML = "text/html; charset=utf-8"
TOKEN = re.compile(r"^[0-9a-f]{32}$")
FIELDS = set(RepresentationRequest.model_fields)
CHECKBOXES = {"consent_privacy", "consent_email"}
DATE_PARTS = ("when_happened-day", "when_happened-month", "when_happened-year")
#: The form has about 25 fields; a post with many more is not from it.
MAX_FIELDS = 200
#: What a form post over the size limit keeps of the boxes that are not the model's text fields.
OTHER_LIMITS = {"form_token": 32, **dict.fromkeys(DATE_PARTS, 4)}


def _page(status: int, html: str) -> Response:
    return Response(status, html, content_type=HTML, headers={"Cache-Control": "no-store"})


def _form(
    values: dict[str, str], errors: dict[str, str], token: str | None = None, status: int = 200
) -> Response:
    council = policy()
    return _page(
        status,
        form_page(
            council=council.council_name,
            service_areas=council.service_areas,
            form_token=token or uuid.uuid4().hex,
            values=values,
            errors=errors,
        ),
    )


@router.route("GET", "/")
def show_form(request: Request) -> Response:
    return _form(values={"preferred_contact": "email"}, errors={})


def to_request_data(values: dict[str, str]) -> dict[str, Any]:
    """Form fields as the model's input: checkboxes to booleans, the three date boxes to one date."""
    data: dict[str, Any] = {k: v for k, v in values.items() if k in FIELDS and k not in CHECKBOXES}
    for box in CHECKBOXES:  # ticked is "yes", unticked is absent; anything else is refused as not a boolean
        value = values.get(box, "")
        data[box] = {"yes": True, "": False}.get(value, value)
    day, month, year = (values.get(p, "").strip() for p in DATE_PARTS)
    if day or month or year:
        data["when_happened"] = f"{year.zfill(4)}-{month.zfill(2)}-{day.zfill(2)}"
    return data


_UNREADABLE = (
    "The form was sent with characters we could not read. Go back, check your answers and send it again."
)


def _too_large(values: dict[str, str], token: str) -> Response:
    """A post over the size limit: the form again with what was typed, cut to the limits, never lost."""
    limits = {**text_limits(), **OTHER_LIMITS}
    kept = {k: v[: limits[k]] if k in limits else v for k, v in values.items() if len(k) <= 40}
    errors = {
        field: (
            f"{label(field)} was too long, so we kept the first {limits[field]:,} characters. "
            "Check it, then send the form again"
        )
        for field in RepresentationRequest.model_fields
        if field in limits and len(values.get(field, "")) > limits[field]
    }
    if not errors:
        errors = {"what_happened": "The form was too large to send. Check your answers, then send it again"}
    return _form(kept, errors, token if TOKEN.match(token) else None, status=413)


@router.route("POST", "/")
def submit_form(request: Request) -> Response:
    council = policy().council_name
    if request.media_type != "application/x-www-form-urlencoded":
        return _page(
            415, rejected_page(council=council, message="The form was sent in a way we do not understand.")
        )
    try:
        fields = parse_qs(request.text(), keep_blank_values=True, errors="strict", max_num_fields=MAX_FIELDS)
    except UndecodableBody as error:
        return _page(error.status, rejected_page(council=council, message=_UNREADABLE))
    except ValueError:  # percent-encoded bytes that are not UTF-8 (UnicodeDecodeError), or too many fields
        return _page(400, rejected_page(council=council, message=_UNREADABLE))
    if any(fields.get("website", [])):  # the honeypot, however often sent: people never see it, bots fill it
        logger.warning("honeypot filled: form ignored")
        return _page(400, rejected_page(council=council, message="Please try again."))
    values = {k: v[-1] for k, v in fields.items()}
    token = values.get("form_token", "")
    if len(request.body) > MAX_FORM_BODY_BYTES:
        return _too_large(values, token)
    service = intake_service()
    try:
        representation = service.parse(to_request_data(values))
    except ValidationError as error:
        problems = {p.field: p.message for p in describe_errors(error)}
        return _form(values, problems, token if TOKEN.match(token) else None, status=422)
    try:
        try:
            receipt = service.submit(
                representation, f"form:{token}" if TOKEN.match(token) else None, Channel.ONLINE_FORM
            )
        except KeyReused:
            # The same page sent again with different answers (edited after going back): a new
            # representation, still protected against an identical resubmission by its content.
            receipt = service.submit(representation, None, Channel.ONLINE_FORM)
    except Conflict as error:
        return _page(409, rejected_page(council=council, message=error.reason))
    logger.info("representation received", extra={"reference": receipt.reference, "kind": receipt.kind})
    return _page(
        201,
        confirmation_page(
            council=council,
            receipt=receipt,
            emailed=bool(representation.email and representation.consent_email),
            advocate_wanted=representation.advocacy is AdvocacyWish.WANTS_ONE,
        ),
    )


@logger.inject_lambda_context(log_event=False)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    idempotency().register_lambda_context(context)
    return router.resolve(event)
