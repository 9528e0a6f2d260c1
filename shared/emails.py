"""Emails from templates kept in the repository (shared/templates/email), plain text and HTML.

A template gets only the notification's ``context`` (what it needs to show) plus ``child``: the child-
friendly wording for children and young people."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment

from shared.domain.case import Notification
from shared.templating import environment, long_date

TEMPLATES = Path(__file__).parent / "templates" / "email"

#: Subjects may name only {reference}, {kind} and {acknowledgement_due}.
SUBJECTS: dict[str, tuple[str, str]] = {
    # template: (adult subject, child-friendly subject)
    "acknowledgement": ("We have received your {kind}: {reference}", "We got your message: {reference}"),
    "advocate_acknowledgement": ("Received: {kind} {reference} you are supporting", "Received: {reference}"),
    "team_alert": ("New {kind} {reference}: acknowledge by {acknowledgement_due}", ""),
    "compliment_thanks": (
        "Thank you for your compliment: {reference}",
        "Thank you for saying thank you: {reference}",
    ),
    "compliment_shared": ("A compliment for your team: {reference}", ""),
}


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
    adult, child = SUBJECTS[notification.template]
    # Subjects are built from Heard's own values only (reference, kind, date): never a submitter's words.
    subject = (child if notification.child_friendly and child else adult).format(
        reference=context["reference"],
        kind=context["kind"],
        acknowledgement_due=long_date(context.get("acknowledgement_due")),
    )
    env = _environment()
    return RenderedEmail(
        subject=subject,
        text=env.get_template(f"{notification.template}.txt").render(context),
        html=env.get_template(f"{notification.template}.html").render(context),
    )
