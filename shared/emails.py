"""Emails from templates kept in the repository (shared/templates/email), plain text and HTML.

A template gets only the notification's ``context`` (what it needs to show) plus ``child``: the child-
friendly wording for children (not for a care leaver, who is an adult)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment

from shared.domain.case import Notification
from shared.templating import environment, long_date

TEMPLATES = Path(__file__).parent / "templates" / "email"

# Each template carries its subject as a format string (``{% set subject = "..." %}`` on its first line,
# the child-friendly one chosen with ``if child``), filled by :func:`render` with Heard's own values only
# (reference, kind, dates, the alarm's word): never a submitter's words.
#: The alerts' subject words, by the context's ``alarm``.
ALARM_WORDS = {"reminder": "Reminder", "overdue": "Overdue", "escalation": "Escalation: overdue"}

#: Put before the subject of the copy of a letter sent to the complainant's advocate (the copy's first
#: line says whose copy it is).
ADVOCATE_COPY_PREFIX = "Copy: "


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str


@cache
def _environment() -> Environment:
    return environment(TEMPLATES)


def render(notification: Notification) -> RenderedEmail:
    context: dict[str, Any] = {**notification.context, "child": notification.child_friendly}
    env = _environment()
    text = env.get_template(f"{notification.template}.txt").make_module(context)
    subject = str(vars(text)["subject"]).format(  # the template's own `{% set subject %}`
        reference=context["reference"],
        kind=context.get("kind", ""),
        acknowledgement_due=long_date(context.get("acknowledgement_due")),
        alarm=ALARM_WORDS.get(str(context.get("alarm")), ""),
        due=long_date(context.get("due")),
    )
    if context.get("advocate_copy"):
        subject = ADVOCATE_COPY_PREFIX + subject
    return RenderedEmail(
        subject=subject,
        text=str(text),
        html=env.get_template(f"{notification.template}.html").render(context),
    )
