"""The emails moto's SES accepted, as the local service's outbox (``GET /_local/outbox``)."""

from __future__ import annotations

import email
import email.policy
import html
from email.message import Message
from typing import Any

from infra.local.emulator import ACCOUNT_ID, MOTO_LOCK
from shared import names


def _part(message: Message, subtype: str) -> str:
    for part in message.walk():
        if part.get_content_type() == f"text/{subtype}":
            payload = part.get_payload(decode=True)
            if isinstance(payload, bytes):
                return payload.decode(part.get_content_charset() or "utf-8")
    return ""


def sent_count() -> int:
    """How many emails SES accepted, without reading them (cheap to ask often)."""
    from moto.ses.models import ses_backends

    with MOTO_LOCK:
        return len(ses_backends[ACCOUNT_ID][names.REGION_DEFAULT].sent_messages)


def sent_emails() -> list[dict[str, Any]]:
    from moto.ses.models import ses_backends

    with MOTO_LOCK:
        sent_messages = list(ses_backends[ACCOUNT_ID][names.REGION_DEFAULT].sent_messages)
    out: list[dict[str, Any]] = []
    for sent in sent_messages:
        raw = getattr(sent, "raw_data", None)
        if raw is None:
            continue
        message = email.message_from_string(raw, policy=email.policy.default)
        out.append(
            {
                "id": sent.id,
                "from": message["From"],
                "to": message["To"],
                "subject": message["Subject"],
                "text": _part(message, "plain"),
                "html": _part(message, "html"),
            }
        )
    return out


def outbox_page(messages: list[dict[str, Any]]) -> str:
    rows = "".join(
        f"<article class='govuk-!-margin-bottom-6'><h2 class='govuk-heading-m'>{html.escape(m['subject'] or '')}</h2>"
        f"<p class='govuk-body'>To: {html.escape(m['to'] or '')}</p>"
        f"<pre class='govuk-body' style='white-space: pre-wrap'>{html.escape(m['text'])}</pre></article>"
        for m in reversed(messages)
    )
    empty = "<p class='govuk-body'>No emails have been sent yet.</p>"
    return (
        "<!DOCTYPE html><html lang='en' class='govuk-template'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        "<title>Local outbox - Heard</title><link rel='stylesheet' href='/assets/govuk-frontend.min.css'></head>"
        "<body class='govuk-template__body'><div class='govuk-width-container'>"
        "<main class='govuk-main-wrapper' id='main-content'>"
        f"<h1 class='govuk-heading-l'>Local outbox ({len(messages)})</h1>{rows or empty}</main></div></body></html>"
    )
