"""The online form: short question pages served and answered on the server (it works with JavaScript off).

Stateless: the answers so far travel with each page, signed and encrypted, and expire
(functions/form/state.py). Every page posts to ``/`` with its id; the answers are checked page by page
by the JSON API's model, all of a page's problems at once. Sending is post/redirect/get: a 303 to a
confirmation page addressed by a signed, expiring token, which can be reloaded safely."""

from __future__ import annotations

import json
import uuid
from typing import Any
from urllib.parse import parse_qs

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import ValidationError

from functions.form import journey, state, views
from functions.form.journey import LIST_FIELDS, Page
from functions.http import MAX_FORM_BODY_BYTES, Request, Response, Router, UndecodableBody
from shared.config import clock, policy
from shared.domain.errors import Conflict, KeyReused
from shared.domain.representation import AdvocacyWish, describe_errors, text_limits
from shared.domain.vocabulary import Channel
from shared.wiring import intake_service, prepare_intake

logger = Logger(service="heard-form")
router = Router()

HTML = "text/html; charset=utf-8"
#: The longest page has about 15 fields; a post with many more is not from the form.
MAX_FIELDS = 200
TEXT_LIMIT = text_limits()["what_happened"]
START, CHECK, SEND, BACK = "start", "check", "send", "back"
#: The pages a post may name (the OpenAPI document's enum).
_POSTABLE = frozenset((START, BACK, CHECK, *journey.PAGE_IDS))

_UNREADABLE = (
    "The form was sent with characters we could not read. Go back, check your answers and send it again."
)
#: Shown when a page is sent after the answers expired: what was typed on that page is kept.
_EXPIRED_KEPT = (
    "You took a long break, so to keep them safe we deleted your earlier answers. We kept what you "
    "typed on the last page. Please answer the questions again."
)


def _page(
    status: int, html: str, headers: dict[str, str] | None = None, *, revisitable: bool = False
) -> Response:
    """A page of the form. A question page may be kept by the browser (not shared caches), so that Back
    shows it again instead of asking to send the form again; anything else is never stored."""
    cache = "private, no-cache" if revisitable else "no-store"
    return Response(status, html, content_type=HTML, headers={"Cache-Control": cache, **(headers or {})})


def _rejected(status: int, message: str, title: str = "We could not send your form") -> Response:
    return _page(status, views.rejected_page(council=policy().council_name, message=message, title=title))


def _information(template: str) -> Response:
    return Response(200, views.information_page(template, policy=policy()), content_type=HTML)


@router.route("GET", "/")
def start(request: Request) -> Response:
    return _information("start.html")


@router.route("GET", "/help")
def help_page(request: Request) -> Response:
    return _information("help.html")


@router.route("GET", "/privacy")
def privacy(request: Request) -> Response:
    return _information("privacy.html")


@router.route("GET", "/accessibility")
def accessibility(request: Request) -> Response:
    return _information("accessibility.html")


class Journey:
    """One person's answers, the pages they apply to, and how each page is shown."""

    def __init__(self, carried: dict[str, Any], javascript: bool) -> None:
        answers = carried.get("answers")
        done = carried.get("done")
        self.answers: dict[str, str | list[str]] = answers if isinstance(answers, dict) else {}
        self.done: list[str] = [d for d in done if isinstance(d, str)] if isinstance(done, list) else []
        token = carried.get("token")
        self.token = token if isinstance(token, str) and len(token) == 32 else uuid.uuid4().hex
        self.javascript = javascript
        self.notice: str | None = None

    def pages(self) -> list[Page]:
        return journey.pages(self.answers, policy(), TEXT_LIMIT, self.javascript)

    def sealed(self) -> str:
        return state.seal({"answers": self.answers, "done": self.done, "token": self.token}, clock().now())

    def lifetime(self) -> dict[str, Any]:
        """When the answers sealed now expire, for the page to say so (and its script to warn)."""
        return views.lifetime(clock().now(), state.answers_ttl_seconds())

    def show(self, page_id: str, errors: dict[str, str] | None = None) -> Response:
        """The page asked for; Check your answers; or, for a page these answers do not ask, the next one."""
        found = self.pages()
        ids = [p.id for p in found]
        if page_id not in ids:
            return self.show_check() if page_id == CHECK else self.show(self.next_page())
        index = ids.index(page_id)
        html = views.question_page(
            policy=policy(),
            page=found[index],
            state=self.sealed(),
            back=ids[index - 1] if index else None,
            values=self.answers,
            errors=errors or {},
            javascript=self.javascript,
            lifetime=self.lifetime(),
            notice=self.notice,
        )
        return _page(422 if errors else 200, html, revisitable=True)

    def show_check(self) -> Response:
        found = self.pages()
        html = views.check_page(
            policy=policy(),
            found=found,
            state=self.sealed(),
            values=self.answers,
            javascript=self.javascript,
            lifetime=self.lifetime(),
        )
        return _page(200, html, revisitable=True)

    def next_page(self) -> str:
        return next((p.id for p in self.pages() if p.id not in self.done), CHECK)

    def answer(self, page_id: str, posted: dict[str, list[str]]) -> Response:
        found = self.pages()
        page = next((p for p in found if p.id == page_id), None)
        if page is None:  # an old page, no longer asked for these answers
            return self.show(self.next_page())
        for question in page.all_questions(with_reveals=self.javascript):
            for name in question.fields:
                values = [v for v in posted.get(name, []) if v]
                self.answers[name] = values if name in LIST_FIELDS else (posted.get(name) or [""])[-1]
        errors = journey.check_page(page, self.answers, self.pages(), self.javascript, intake_service().parse)
        if errors:
            return self.show(page.id, errors)
        if page.id not in self.done:
            self.done.append(page.id)
        return self.show(self.next_page())

    def send(self) -> Response:
        found = self.pages()
        service = intake_service()
        try:
            representation = service.parse(journey.to_request(self.answers, found, self.javascript))
        except ValidationError as error:  # not expected: every page was checked; show the first problem
            fields = {p.field for p in describe_errors(error)}
            for page in found:
                if fields & {q.name for q in page.all_questions(with_reveals=self.javascript)}:
                    self.done = [d for d in self.done if d != page.id]
                    problems = journey.check_page(page, self.answers, found, self.javascript, service.parse)
                    return self.show(page.id, problems)
            raise
        try:
            try:
                receipt = service.submit(representation, f"form:{self.token}", Channel.ONLINE_FORM)
            except KeyReused:
                # Sent, then changed and sent again: a new representation, still protected against an
                # identical resubmission by its content.
                receipt = service.submit(representation, None, Channel.ONLINE_FORM)
        except Conflict as error:
            return _rejected(409, error.reason)
        logger.info("representation received", extra={"reference": receipt.reference, "kind": receipt.kind})
        shown = {
            **receipt.model_dump(),
            "emailed": representation.wants_email,
            "advocate_wanted": representation.advocacy is AdvocacyWish.WANTS_ONE,
        }
        token = state.seal(shown, clock().now())
        return _page(303, "", headers={"Location": f"/confirmation?c={token}"})


@router.route("GET", "/confirmation")
def confirmation(request: Request) -> Response:
    try:
        receipt = state.unseal(request.query.get("c", ""), clock().now(), state.CONFIRMATION_TTL_SECONDS)
    except state.Expired:
        return _rejected(
            404,
            "This page has expired, or its address is not one we gave. Your reference number is in the "
            "email we sent, if you gave an email address.",
            title="This page is not available",
        )
    return _page(200, views.confirmation_page(policy=policy(), receipt=receipt))


@router.route("POST", "/")
def submit_form(request: Request) -> Response:
    if request.media_type != "application/x-www-form-urlencoded":
        return _rejected(415, "The form was sent in a way we do not understand.")
    if len(request.body) > MAX_FORM_BODY_BYTES:
        return _rejected(413, "The form was too large to send. Go back, shorten your answers and try again.")
    try:
        fields = parse_qs(request.text(), keep_blank_values=True, errors="strict", max_num_fields=MAX_FIELDS)
    except UndecodableBody as error:
        return _rejected(error.status, _UNREADABLE)
    except ValueError:  # percent-encoded bytes that are not UTF-8 (UnicodeDecodeError), or too many fields
        return _rejected(400, _UNREADABLE)
    if any(fields.get("website", [])):  # the honeypot, however often sent: people never see it, bots fill it
        logger.warning("honeypot filled: form ignored")
        return _rejected(400, "Please try again.")
    last = {k: v[-1] for k, v in fields.items()}
    javascript = last.get("js") == "on"
    page_id, goto = last.get("page", ""), last.get("goto", "")
    if page_id not in _POSTABLE:  # not sent from one of the form's pages: nothing to keep
        return _rejected(400, "The form was not sent from one of its pages. Please start again.")
    if page_id == START:
        return Journey({}, javascript).show("who")
    try:
        carried = state.unseal(last.get("state", ""), clock().now(), state.answers_ttl_seconds())
    except state.Expired:
        # Not dropped: a new set of answers, starting with what this page sent (nothing to send yet).
        fresh = Journey({}, javascript)
        fresh.notice = _EXPIRED_KEPT
        if page_id in (CHECK, BACK) or goto:
            return fresh.show(fresh.next_page())
        return fresh.answer(page_id, fields)
    person = Journey(carried, javascript)
    if page_id == CHECK and goto == SEND:
        return person.send()
    if goto:  # Back, or Change from Check your answers
        return person.show(goto)
    if page_id == BACK:
        return person.show(person.next_page())
    return person.answer(page_id, fields)


@router.route("POST", "/extend")
def extend(request: Request) -> Response:
    """More time, without a new page (the warning's button): the same answers sealed again now, so their
    lifetime starts again. Only a page's own sealed answers can be extended, and what comes back is only
    readable by that page, so the sealed answers are this post's CSRF token as they are the form's."""
    if request.media_type != "application/x-www-form-urlencoded":
        return _json(415, {"message": "Send the form's state as application/x-www-form-urlencoded."})
    if len(request.body) > MAX_FORM_BODY_BYTES:
        return _json(413, {"message": "The state is too large."})
    try:
        fields = parse_qs(request.text(), keep_blank_values=True, errors="strict", max_num_fields=4)
    except (UndecodableBody, ValueError):
        return _json(400, {"message": "The state could not be read."})
    sealed = (fields.get("state") or [""])[-1]
    if not sealed:
        return _json(400, {"message": "No state was sent: send the page's state field."})
    try:
        carried = state.unseal(sealed, clock().now(), state.answers_ttl_seconds())
    except state.Expired:
        return _json(410, {"message": "These answers have expired."})
    person = Journey(carried, False)
    return _json(200, {"state": person.sealed(), **person.lifetime()})


def _json(status: int, body: dict[str, Any]) -> Response:
    return Response(
        status, json.dumps(body), content_type="application/json", headers={"Cache-Control": "no-store"}
    )


@logger.inject_lambda_context(log_event=False)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return router.resolve(event)


try:  # as the intake does (functions/intake/handler.py): the form registers representations the same way
    from snapshot_restore_py import register_before_snapshot  # type: ignore[import-not-found]
except ImportError:
    pass
else:  # with SnapStart, the first send's one-time work happens before the snapshot (never otherwise)
    register_before_snapshot(prepare_intake)
