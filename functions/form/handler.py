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
from functions.http import MAX_FORM_BODY_BYTES, SECURITY_HEADERS, Request, Response, Router
from shared.adapters.idempotency import KeyReused
from shared.config import policy
from shared.domain.errors import Conflict
from shared.domain.representation import AdvocacyWish, RepresentationRequest, describe_errors
from shared.domain.vocabulary import Channel
from shared.wiring import idempotency, intake_service

logger = Logger(service="heard-form")
router = Router()

HTML = "text/html; charset=utf-8"
TOKEN = re.compile(r"^[0-9a-f]{32}$")
FIELDS = set(RepresentationRequest.model_fields)
CHECKBOXES = {"consent_privacy", "consent_email"}
DATE_PARTS = ("when_happened-day", "when_happened-month", "when_happened-year")


def _page(status: int, html: str) -> Response:
    return Response(
        status, html, content_type=HTML, headers={**SECURITY_HEADERS, "Cache-Control": "no-store"}
    )


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
    for box in CHECKBOXES:
        data[box] = values.get(box) == "yes"
    day, month, year = (values.get(p, "").strip() for p in DATE_PARTS)
    if day or month or year:
        data["when_happened"] = f"{year.zfill(4)}-{month.zfill(2)}-{day.zfill(2)}"
    return data


@router.route("POST", "/")
def submit_form(request: Request) -> Response:
    council = policy().council_name
    if request.media_type != "application/x-www-form-urlencoded":
        return _page(
            415, rejected_page(council=council, message="The form was sent in a way we do not understand.")
        )
    raw = request.body
    if len(raw) > MAX_FORM_BODY_BYTES:
        return _page(
            413, rejected_page(council=council, message="What you wrote is too long. Please make it shorter.")
        )
    values = {
        k: v[-1] for k, v in parse_qs(raw.decode("utf-8", errors="replace"), keep_blank_values=True).items()
    }
    token = values.get("form_token", "")
    if values.get("website"):  # the honeypot: people never see it, bots fill it
        logger.warning("honeypot filled: form ignored")
        return _page(400, rejected_page(council=council, message="Please try again."))
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
