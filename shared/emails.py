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

#: Subjects may name only {reference}, {kind} and {acknowledgement_due}; the letters' only {reference};
#: the deadline alerts also {alarm} and {due}.
SUBJECTS: dict[str, tuple[str, str]] = {
    # template: (adult subject, child-friendly subject)
    "acknowledgement": ("We have received your {kind}: {reference}", "We got your message: {reference}"),
    "advocate_acknowledgement": ("Received: {kind} {reference} you are supporting", "Received: {reference}"),
    "team_alert": ("New {kind} {reference}", ""),
    "compliment_thanks": (
        "Thank you for your compliment: {reference}",
        "Thank you for saying thank you: {reference}",
    ),
    "compliment_shared": ("A compliment for your team: {reference}", ""),
    # The scorecard bulletin: {reference} is the period (2016-04, or 2015/16 Q4).
    "bulletin": ("Complaints scorecard: {reference}", ""),
    # The letters a case change owes the complainant (shared/letters.py). Short enough, with the copy's
    # prefix and a six-digit reference, to stay on one header line (never folded).
    "case_accepted": (
        "We are looking into your complaint: {reference}",
        "We are looking into it: {reference}",
    ),
    "deadline_extended": (
        "We need more time on your complaint: {reference}",
        "We need a bit more time: {reference}",
    ),
    "case_on_hold": (
        "Your complaint is on hold: {reference}",
        "Your complaint is on hold for now: {reference}",
    ),
    "case_resumed": (
        "Your complaint is going ahead again: {reference}",
        "We have started on your complaint again: {reference}",
    ),
    "stage1_outcome": ("Our stage 1 response to your complaint: {reference}", "What we found: {reference}"),
    "stage2_started": (
        "Stage 2 investigation of your complaint: {reference}",
        "Someone new will look into your complaint: {reference}",
    ),
    "stage2_outcome": (
        "Our stage 2 response to your complaint: {reference}",
        "What the investigation found: {reference}",
    ),
    "stage3_started": (
        "Stage 3: a review panel will meet: {reference}",
        "A panel will look at it again: {reference}",
    ),
    "stage3_outcome": (
        "Our response to the review panel: {reference}",
        "What we will do after the panel: {reference}",
    ),
    "case_closed": (
        "We have closed your complaint: {reference}",
        "We have closed your complaint: {reference}",
    ),
    # The stage workflow's alerts to staff (shared/workflow.py): what, which case, when due.
    "deadline_alert": ("{alarm}: {reference} due {due}", ""),
}
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
    adult, child = SUBJECTS[notification.template]
    # Subjects are built from Heard's own values only (reference, kind, date): never a submitter's words.
    subject = (child if notification.child_friendly and child else adult).format(
        reference=context["reference"],
        kind=context.get("kind", ""),
        acknowledgement_due=long_date(context.get("acknowledgement_due")),
        alarm=ALARM_WORDS.get(str(context.get("alarm")), ""),
        due=long_date(context.get("due")),
    )
    if context.get("advocate_copy"):
        subject = ADVOCATE_COPY_PREFIX + subject
    env = _environment()
    return RenderedEmail(
        subject=subject,
        text=env.get_template(f"{notification.template}.txt").render(context),
        html=env.get_template(f"{notification.template}.html").render(context),
    )
