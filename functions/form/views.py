"""The form's pages, rendered on the server with autoescaping: what people type is always shown as text."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment

from functions.form.journey import DATE_PARTS, Answers, Page, Question, is_asked
from shared.domain.policy import CouncilPolicy
from shared.templating import environment

TEMPLATES = Path(__file__).parent / "templates"
KIND_NAMES = {"complaint": "complaint", "compliment": "thank you", "comment": "comment"}


@cache
def _environment() -> Environment:
    return environment(TEMPLATES)


def render(template: str, **context: Any) -> str:
    context.setdefault("errors", {})
    return _environment().get_template(template).render(**context)


LONDON = ZoneInfo("Europe/London")


def lifetime(now: datetime, ttl_seconds: int) -> dict[str, Any]:
    """When answers sealed at ``now`` expire: the instant, how long from now, and London's clock time in
    words a child reads ("4:35pm", with "tomorrow" when it is another day there)."""
    expires = now + timedelta(seconds=ttl_seconds)
    local, today = expires.astimezone(LONDON), now.astimezone(LONDON).date()
    clock_time = f"{local.hour % 12 or 12}:{local.minute:02d}{'am' if local.hour < 12 else 'pm'}"
    if local.date() != today:
        clock_time += " tomorrow"
    hours, rest = divmod(ttl_seconds, 3600)
    span = (
        f"{hours} hour{'s' if hours != 1 else ''}"
        if hours and not rest
        else f"{max(1, ttl_seconds // 60)} minutes"
    )
    return {"expires_at": expires.isoformat(), "seconds_left": ttl_seconds, "until": clock_time, "span": span}


def anchor(question: Question) -> str:
    """Where an error summary link lands: the question's first box."""
    return f"{question.name}-day" if question.widget == "date" else question.name


def question_page(
    *,
    policy: CouncilPolicy,
    page: Page,
    state: str,
    back: str | None,
    values: Answers,
    errors: dict[str, str],
    javascript: bool,
    lifetime: dict[str, Any],
    notice: str | None = None,
) -> str:
    anchors = {q.name: anchor(q) for q in page.all_questions(with_reveals=True)}
    return render(
        "question.html",
        council=policy.council_name,
        policy=policy,
        page=page,
        state=state,
        back=back,
        values=values,
        errors=errors,
        anchors=anchors,
        javascript=javascript,
        lifetime=lifetime,
        notice=notice,
    )


def shown(question: Question, values: Answers) -> str | None:
    """An answer as the person chose or typed it, or None when not answered."""
    if question.widget == "date":
        day, month, year = (str(values.get(f"{question.name}-{p}", "")).strip() for p in DATE_PARTS)
        if not year:
            return None
        try:
            when = date(int(year), int(month), int(day))
        except ValueError:
            return f"{day} {month} {year}"
        return f"{when.day} {when:%B %Y}"
    value = values.get(question.name)
    if not value:
        return None
    words = {option: label for option, label, _ in question.options}
    if isinstance(value, list):
        return "\n".join(words.get(v, v) for v in value)
    return words.get(value, value)


def check_page(
    *,
    policy: CouncilPolicy,
    found: list[Page],
    state: str,
    values: Answers,
    javascript: bool,
    lifetime: dict[str, Any],
) -> str:
    rows = []
    for page in found:
        for question in page.all_questions(with_reveals=javascript):
            if not is_asked(question, page, values):
                continue
            answer = shown(question, values)
            if answer is None and not question.optional:
                continue
            rows.append((question, answer or "Not answered", page.followup_of or page.id))
    return render(
        "check.html",
        council=policy.council_name,
        policy=policy,
        rows=rows,
        state=state,
        back=found[-1].id,
        lifetime=lifetime,
    )


def confirmation_page(*, policy: CouncilPolicy, receipt: dict[str, Any]) -> str:
    return render(
        "confirmation.html",
        council=policy.council_name,
        policy=policy,
        receipt=receipt,
        kind_name=KIND_NAMES.get(receipt["kind"], receipt["kind"]),
    )


def information_page(template: str, *, policy: CouncilPolicy) -> str:
    """The start page and the pages every page links to (help, privacy, accessibility)."""
    return render(template, council=policy.council_name, policy=policy)


def rejected_page(*, council: str, message: str, title: str = "We could not send your form") -> str:
    return render("rejected.html", council=council, message=message, title=title)
