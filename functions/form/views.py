"""The form's pages, rendered on the server with autoescaping: what people type is always shown as text."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment

from shared.intake import Receipt
from shared.templating import environment

TEMPLATES = Path(__file__).parent / "templates"

#: "Who are you?" in plain words, mapped to the statutory roles (an officer confirms the role).
ROLES: list[tuple[str, str, str | None]] = [
    ("child-in-need", "A child or young person who gets help from children's services", None),
    ("child-looked-after", "A child or young person in care", None),
    ("care-leaver", "A young person who has left care", None),
    ("parent", "A parent", None),
    ("person-with-parental-responsibility", "Someone with parental responsibility for the child", None),
    ("local-authority-foster-carer", "A foster carer", None),
    ("special-guardian", "A special guardian", None),
    ("adoptive-parent", "An adoptive parent", None),
    ("prospective-adopter", "Someone hoping to adopt", None),
    ("advocate", "An advocate helping a child or young person", None),
    (
        "other-person-with-sufficient-interest",
        "Someone else who cares about the child",
        "For example, a grandparent",
    ),
    ("other", "None of these", None),
]
KIND_NAMES = {"complaint": "complaint", "compliment": "thank you", "comment": "comment"}
#: Where an error summary link should land for fields that are not a single input.
ANCHORS = {"when_happened": "when_happened-day"}


@cache
def _environment() -> Environment:
    return environment(TEMPLATES)


def render(template: str, **context: Any) -> str:
    return _environment().get_template(template).render(**context)


def form_page(
    *, council: str, service_areas: Any, form_token: str, values: dict[str, str], errors: dict[str, str]
) -> str:
    return render(
        "form.html",
        council=council,
        service_areas=service_areas,
        roles=ROLES,
        form_token=form_token,
        values=values,
        errors=errors,
        anchors=ANCHORS,
    )


def confirmation_page(*, council: str, receipt: Receipt, emailed: bool, advocate_wanted: bool) -> str:
    return render(
        "confirmation.html",
        council=council,
        receipt=receipt,
        kind_name=KIND_NAMES.get(receipt.kind, receipt.kind),
        emailed=emailed,
        advocate_wanted=advocate_wanted,
        errors={},
    )


def rejected_page(*, council: str, message: str) -> str:
    return render("rejected.html", council=council, message=message, errors={})
