"""The officer API (staff only, behind the Cognito authorizer): read a case and its chronology, and act
on it. Powertools' REST resolver validates requests against the models and generates the OpenAPI
description. Thin: route, parse, authorise, call the aggregate, persist, map typed errors."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response, content_types
from aws_lambda_powertools.event_handler.middlewares import NextMiddleware
from aws_lambda_powertools.event_handler.openapi.exceptions import (
    RequestUnsupportedContentType,
    RequestValidationError,
)
from aws_lambda_powertools.event_handler.openapi.params import Body, Header, Path, Query
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from functions.http import (
    MAX_STAFF_BODY_BYTES,
    SECURITY_HEADERS,
    BadJson,
    UndecodableBody,
    parse_json,
    problem,
)
from functions.http import Request as ProxyRequest
from shared.app.casework import NotFound, PreconditionRequired, etag
from shared.app.lists import OutOfScope, case_query
from shared.config import clock, policy
from shared.domain.access import manages_people, possible_actions, works_on_cases
from shared.domain.calendar import london_date
from shared.domain.case import financial_year
from shared.domain.casefile import CATALOGUE, Case, Command
from shared.domain.errors import Conflict, IllegalTransition, KeyReused, NotPermitted
from shared.domain.export import Withholding, export
from shared.domain.people import Declarations, Person, PersonId
from shared.domain.representation import RepresentationRequest, describe_details, describe_errors
from shared.domain.stages import Actor, Status
from shared.domain.vocabulary import Channel, Kind, Outcome, Procedure
from shared.identity import Caller, Unauthenticated
from shared.intake import Receipt
from shared.ports import BadCursor, StaleVersion
from shared.reporting.annual import AnnualReport, annual_report
from shared.reporting.live import OpenAction, RagArea, Scorecard, open_actions, rag_report, scorecard
from shared.reporting.source import ContextFigures
from shared.wiring import case_store, casework, intake_service, report_source, timer_service

logger = Logger(service="heard-officer")
#: Bodies are parsed with the intake's strict JSON reader, so no body can raise anything but BadJson.
app = APIGatewayRestResolver(enable_validation=True, json_body_deserializer=parse_json)

Reference = Annotated[str, Path(pattern=r"^[A-Z]{2,5}-\d{4}-\d{5}$", description="The case's reference")]
LONDON = ZoneInfo("Europe/London")
#: A representation registered by its date is taken as received at midday in London that day.
RECEIVED_AT = time(12, 0)
#: Staff answers are never cached by browsers or proxies.
NO_STORE = {"Cache-Control": "no-store"}
#: The most field problems one answer lists (a body of thousands of bad items would otherwise answer
#: with thousands of them); ``message`` says how many there were.
MAX_PROBLEMS = 20
#: Methods whose body the officer API reads.
BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


class Forbidden(Exception):
    """The caller's role may not do this (the message says whose it is)."""


class InvalidRequest(Exception):
    """A request the schema allows that the rules do not (a check that needs today's date)."""


class UnknownQuery(Exception):
    """Query parameters the route does not take (they would otherwise be ignored without a word)."""

    def __init__(self, unknown: list[str], known: list[str]) -> None:
        super().__init__(", ".join(unknown))
        self.unknown, self.known = unknown, known


class UnreadableBody(Exception):
    """A body no route could read: ``status`` 413 (too large), 415 (not JSON, or not UTF-8) or 400."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


class CaseView(BaseModel):
    case: Case
    possible_actions: list[str]


class EventView(BaseModel):
    sequence: int
    at: str
    actor: str
    by: str
    action: str
    changes: dict[str, Any] | str  # "[withheld]" in an export


class EventsPage(BaseModel):
    events: list[EventView]
    next_after: int | None = Field(description="Ask with after=this for the next page; null at the end")


class CaseSummary(BaseModel):
    """What a list shows of a case: no personal data."""

    case_id: str
    reference: str
    kind: Kind
    status: Status
    procedure: Procedure | None = None
    suggested_procedure: Procedure | None = None
    service_area: str | None = None
    allocated_manager: str | None = None
    received_date: date
    financial_year: int
    due: date | None = None
    by_a_child: bool | None = None
    late: bool | None = None


class CaseList(BaseModel):
    cases: list[CaseSummary]
    next: str | None = Field(description="The cursor of the next page; null at the end")


class ExportDocument(BaseModel):
    reference: str
    exported_at: datetime
    exported_by: str
    withheld: list[Withholding]
    case: dict[str, Any]
    events: list[EventView]


class PeopleList(BaseModel):
    people: list[Person]


class PersonView(BaseModel):
    person: Person


def _json(status: int, body: Any, headers: dict[str, str] | None = None) -> Response[Any]:
    return Response(
        status_code=status,
        content_type=content_types.APPLICATION_JSON,
        body=body,
        headers={**SECURITY_HEADERS, **NO_STORE, **(headers or {})},
    )


def _caller() -> Caller:
    caller = Caller.from_event(app.current_event.raw_event)
    if not works_on_cases(caller):
        raise Forbidden("Your role does not work on cases (admins manage policy and users)")
    return caller


def _view(case: Case, caller: Caller) -> dict[str, Any]:
    return {"case": case.model_dump(mode="json"), "possible_actions": list(possible_actions(caller, case))}


@app.get("/cases")
def list_cases(
    status: Annotated[Status | None, Query()] = None,
    service_area: Annotated[str | None, Query(pattern=r"^[a-z0-9-]{2,40}$")] = None,
    manager: Annotated[str | None, Query(min_length=1, max_length=128)] = None,
    mine: Annotated[bool, Query(description="Only the cases allocated to me")] = False,
    kind: Annotated[Kind | None, Query()] = None,
    procedure: Annotated[Procedure | None, Query()] = None,
    closed: Annotated[bool, Query(description="Closed cases instead of open ones")] = False,
    overdue: Annotated[bool, Query(description="Due before today")] = False,
    due_before: Annotated[IsoDate | None, Query(description="Due on or before this date")] = None,
    received_from: Annotated[IsoDate | None, Query()] = None,
    received_to: Annotated[IsoDate | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    cursor: Annotated[str | None, Query(max_length=2000, description="From the previous page")] = None,
) -> Response[CaseList]:
    """Case summaries (no personal data), the soonest due first where the index sorts by due date."""
    caller = _caller()
    if overdue:
        yesterday = london_date(clock().now()) - timedelta(days=1)
        due_before = min(due_before, yesterday) if due_before else yesterday
    query = case_query(
        caller,
        mine=mine,
        service_area=service_area,
        manager=manager,
        open_only=not closed,
        status=status.value if status else None,
        kind=kind.value if kind else None,
        procedure=procedure.value if procedure else None,
        due_before=due_before,
        received_from=received_from,
        received_to=received_to,
    )
    cases, following = case_store().list_cases(query, limit, cursor)
    return _json(200, {"cases": cases, "next": following})


#: The channels a member of staff records: every one but the online form (which records itself).
OtherChannel = StrEnum(  # type: ignore[misc]
    "OtherChannel", {c.name: c.value for c in Channel if c is not Channel.ONLINE_FORM}
)
#: The earliest date Heard's calendar counts working days from.
EARLIEST = date(2000, 1, 1)


def _iso_date(value: Any) -> Any:
    """A date only as ``YYYY-MM-DD`` text, never a number taken for a Unix time."""
    if isinstance(value, str) and ISO_DATE.match(value):
        return value
    if isinstance(value, date):
        return value
    raise ValueError("write the date as YYYY-MM-DD (text, not a number)")


ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
IsoDate = Annotated[date, BeforeValidator(_iso_date)]


class Registration(BaseModel):
    """A representation made by another channel, recorded by a complaints officer with the date it was
    really received (deadlines count from it)."""

    model_config = ConfigDict(extra="forbid")

    channel: OtherChannel
    received_on: Annotated[
        IsoDate, Field(ge=EARLIEST, json_schema_extra={"pattern": r"^[2-9]\d{3}-\d{2}-\d{2}$"})
    ]
    representation: RepresentationRequest


@app.post("/cases", status_code=201)
def register_case(
    registration: Annotated[Registration, Body(description="The channel, the date received, what was said")],
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key", max_length=128)] = None,
) -> Response[Receipt]:
    caller = _caller()
    if Actor.COMPLAINTS_OFFICER not in caller.roles:
        raise Forbidden("Complaints officers register representations made by other channels")
    today = london_date(clock().now())
    if registration.received_on > today:
        raise InvalidRequest(f"received_on: a representation cannot be received after today ({today})")
    service = intake_service()
    request = service.parse(registration.representation.model_dump(mode="json"))  # the policy's checks too
    received_at = datetime.combine(registration.received_on, RECEIVED_AT, tzinfo=LONDON)
    channel = Channel(registration.channel.value)
    receipt = service.submit(
        request, idempotency_key, channel, received_at=received_at, recorded_by=caller.username
    )
    logger.info("case registered", extra={"reference": receipt.reference, "channel": channel.value})
    return _json(201, receipt.model_dump(), {"Location": f"/cases/{receipt.reference}"})


@app.get("/cases/<reference>")
def get_case(reference: Reference) -> Response[CaseView]:
    caller, store = _caller(), case_store()
    case = casework().visible(caller, reference)
    store.record_read(case.case_id, caller.username, "case", clock().now())
    return _json(200, _view(case, caller), {"ETag": etag(case)})


@app.get("/cases/<reference>/events")
def get_events(
    reference: Reference,
    after: Annotated[int, Query(ge=0, description="Events after this sequence number")] = 0,
    limit: Annotated[int, Query(ge=1, le=100)] = 100,
) -> Response[EventsPage]:
    caller, store = _caller(), case_store()
    case = casework().visible(caller, reference)
    store.record_read(case.case_id, caller.username, "events", clock().now())
    events = store.events(case.case_id, after, limit)
    following = events[-1]["sequence"] if len(events) == limit else None
    return _json(200, {"events": events, "next_after": following})


class ExportRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    withhold: list[Withholding] = Field(default_factory=list, description="Each part withheld, and why")


@app.post("/cases/<reference>/export")
def export_case(
    reference: Reference,
    request: Annotated[
        ExportRequest | None, Body(description="What the officer withholds, if anything")
    ] = None,
) -> Response[ExportDocument]:
    """The case and its whole chronology as JSON for a subject access request, less what the officer
    withholds; the export, what was withheld and why are recorded."""
    caller, store = _caller(), case_store()
    if Actor.COMPLAINTS_OFFICER not in caller.roles:
        raise Forbidden("Complaints officers answer subject access requests")
    case = casework().visible(caller, reference)
    events: list[dict[str, Any]] = []
    while page := store.events(case.case_id, events[-1]["sequence"] if events else 0, 100):
        events += page
    chosen = request.withhold if request else []
    withhold = tuple({w.part: w for w in chosen}.values())  # one reason a part: the last
    now = clock().now()
    document = export(case, events, withhold, caller.username, now)
    store.record_read(case.case_id, caller.username, "export", now, withheld=document["withheld"])
    return _json(200, document)


@app.post("/cases/<reference>/actions")
def act(
    reference: Reference,
    command: Annotated[Command, Body(description="One action, named by `action`, with its fields")],
    if_match: Annotated[str | None, Header(alias="If-Match", description="The case's ETag")] = None,
) -> Response[CaseView]:
    """Take one action on the case (a refusal says why, and what the caller may do now)."""
    caller = _caller()
    case = casework().act(caller, reference, command, if_match)
    logger.info("case action", extra={"reference": reference, "action": command.action})
    return _json(200, _view(case, caller), {"ETag": etag(case)})


class Recomputed(BaseModel):
    checked: int = Field(description="Open cases looked at")
    moved: int = Field(description="Cases whose deadlines moved (their timers restart with the new dates)")


@app.post("/deadlines/recompute")
def recompute_deadlines() -> Response[Recomputed]:
    """Move every open deadline to the calendar as it is now, after the bank holidays in the council
    policy changed (an administrator's step; `heard deadlines recompute` does the same)."""
    caller = Caller.from_event(app.current_event.raw_event)  # admins manage policy, not cases
    if Actor.ADMIN not in caller.roles:
        raise Forbidden("Only an administrator recomputes the deadlines")
    result = timer_service().recompute()
    logger.info("deadlines recomputed", extra=result)
    return _json(200, result)


@app.get("/people")
def list_people() -> Response[PeopleList]:
    """The register of investigators, independent persons and panel members, with what they declared:
    for staff who work on cases, and the admins who keep it."""
    caller = Caller.from_event(app.current_event.raw_event)
    if not (works_on_cases(caller) or manages_people(caller)):
        raise Forbidden("Your role does not use the register")
    people = case_store().people()
    return _json(200, {"people": [p.model_dump(mode="json") for p in sorted(people.values(), key=_by_id)]})


@app.put("/people/<person_id>")
def put_person(
    person_id: Annotated[PersonId, Path()],
    declarations: Annotated[Declarations, Body(description="What the person declares")],
) -> Response[PersonView]:
    """Register a person, or replace their declarations (appointments keep the entry as it was)."""
    caller = Caller.from_event(app.current_event.raw_event)
    if not manages_people(caller):
        raise Forbidden("Complaints officers and admins keep the register")
    person = Person(person_id=person_id, **declarations.model_dump())
    case_store().put_person(person, caller.username, clock().now())
    return _json(200, {"person": person.model_dump(mode="json")})


class ListedArea(BaseModel):
    id: str = Field(description="What an action or a representation names it by (service_area)")
    name: str
    teams: list[str]


class Lists(BaseModel):
    """The lists an officer's requests are checked against, from the council policy (a council's policy
    file replaces the defaults): a value outside them is refused, naming it."""

    complaint_categories: list[str] = Field(description="`allocate` and `record`: a complaint's categories")
    compliment_categories: list[str] = Field(description="`allocate` and `record`: a compliment's categories")
    resolutions: list[str] = Field(
        description="`respond-stage1`, `respond-stage2`, `respond-stage3`: resolutions; "
        "`ombudsman-decision`: remedies"
    )
    outcomes: list[Outcome] = Field(description="Each finding's outcome on a complaint point")
    service_areas: list[ListedArea] = Field(
        description="`allocate`'s service_area, a representation's service_area, a service manager's areas"
    )
    channels: list[OtherChannel] = Field(description="`POST /cases`: how a representation was made")
    interpreter_languages: list[str] = Field(description="A representation's interpreter_language")


@app.get("/lists")
def get_lists() -> Response[Lists]:
    """The council's lists that actions and registrations are checked against, for any member of staff."""
    Caller.from_event(app.current_event.raw_event)
    council = policy()
    lists = Lists(
        complaint_categories=list(council.complaint_categories),
        compliment_categories=list(council.compliment_categories),
        resolutions=list(council.resolutions),
        outcomes=list(Outcome),
        service_areas=[ListedArea(id=a.id, name=a.name, teams=list(a.teams)) for a in council.service_areas],
        channels=list(OtherChannel),
        interpreter_languages=list(council.interpreter_languages),
    )
    return _json(200, lists.model_dump(mode="json"))


# --- reports (docs/reporting.md) ------------------------------------------------------------------

FinancialYear = Annotated[
    int, Query(ge=2000, le=2100, description="The financial year's first year: 2015 is 2015/16")
]


def _reader() -> Caller:
    """Complaints officers and senior leadership read the council-wide reports."""
    caller = _caller()
    if not caller.has_any(Actor.COMPLAINTS_OFFICER, Actor.SENIOR_LEADERSHIP):
        raise Forbidden("Complaints officers and senior leadership read the annual report")
    return caller


def _report_scope(caller: Caller) -> frozenset[str] | None:
    """The service areas a live view shows: every one for complaints officers and senior leadership, a
    service manager's own (none: nothing); others may not read them."""
    if caller.has_any(Actor.COMPLAINTS_OFFICER, Actor.SENIOR_LEADERSHIP):
        return None
    if Actor.SERVICE_MANAGER in caller.roles:
        return caller.service_areas
    raise Forbidden("Complaints officers, senior leadership and service managers read the live views")


def _today() -> date:
    return london_date(clock().now())


@app.get("/reports/annual")
def get_annual_report(year: FinancialYear) -> Response[AnnualReport]:
    """The annual report on representations for a financial year, with the previous year beside it."""
    _reader()
    return _json(200, annual_report(report_source(), year, _today(), policy()).model_dump(mode="json"))


@app.put("/reports/context/<year>")
def put_context(
    year: Annotated[int, Path(ge=2000, le=2100)],
    figures: Annotated[ContextFigures, Body(description="Referrals and children receiving services")],
) -> Response[ContextFigures]:
    """The context figures of a financial year, which Heard cannot know, shown in the annual report."""
    caller = _caller()
    if Actor.COMPLAINTS_OFFICER not in caller.roles:
        raise Forbidden("Complaints officers enter the context figures")
    report_source().put_context_figures(year, figures)
    logger.info("context figures entered", extra={"year": year, "by": caller.username})
    return _json(200, figures.model_dump(mode="json"))


@app.get("/reports/scorecard")
def get_scorecard(
    year: Annotated[int | None, Query(ge=2000, le=2100, description="Default: this financial year")] = None,
    period: Annotated[Literal["monthly", "quarterly"], Query()] = "quarterly",
) -> Response[Scorecard]:
    """Complaints received and answered (on time, average working days) by period and service area, and
    the open and overdue cases now. A service manager sees their own areas."""
    areas, today, source = _report_scope(_caller()), _today(), report_source()
    year = year if year is not None else financial_year(today)
    card = scorecard(
        source.received_in(year),
        source.active_in(year),
        source.open_cases(),
        year,
        period,
        today,
        policy(),
        areas,
    )
    return _json(200, card.model_dump(mode="json"))


class RagReport(BaseModel):
    as_at: date
    amber_working_days: int
    areas: list[RagArea]


@app.get("/reports/rag")
def get_rag() -> Response[RagReport]:
    """Open cases per service area: red when overdue, amber when due within the policy's working days,
    green otherwise. A service manager sees their own areas."""
    areas, today = _report_scope(_caller()), _today()
    found = rag_report(report_source().open_cases(), today, policy(), areas)
    body = RagReport(as_at=today, amber_working_days=policy().rag_amber_working_days, areas=found)
    return _json(200, body.model_dump(mode="json"))


class ActionPlansView(BaseModel):
    as_at: date
    actions: list[OpenAction]


@app.get("/reports/action-plans")
def get_action_plans() -> Response[ActionPlansView]:
    """The open actions of action plans with owner and due date, the soonest first; overdue ones red."""
    areas, today = _report_scope(_caller()), _today()
    actions = open_actions(report_source().with_open_actions(), today, areas)
    return _json(200, ActionPlansView(as_at=today, actions=actions).model_dump(mode="json"))


def _by_id(person: Person) -> str:
    return person.person_id


@app.exception_handler(BadCursor)
def _bad_cursor(error: BadCursor) -> Response[Any]:
    return _json(400, {"message": error.reason})


@app.exception_handler(Unauthenticated)
def _unauthenticated(error: Unauthenticated) -> Response[Any]:
    return _json(401, {"message": "Unauthorized"})


@app.exception_handler(Forbidden)
def _forbidden(error: Forbidden) -> Response[Any]:
    return _json(403, {"message": str(error)})


@app.exception_handler(OutOfScope)
def _out_of_scope(error: OutOfScope) -> Response[Any]:
    message = "List the cases of one of your service areas (service_area=...) or your own (mine=true)"
    return _json(403, {"message": message})


@app.exception_handler(NotFound)
def _not_found(error: NotFound) -> Response[Any]:
    return _json(404, {"message": "No such case"})


@app.exception_handler(PreconditionRequired)
def _precondition_required(error: PreconditionRequired) -> Response[Any]:
    return _json(428, {"message": "Send the case's ETag in an If-Match header: read the case first"})


@app.exception_handler(StaleVersion)
def _stale(error: StaleVersion) -> Response[Any]:
    return _json(412, {"message": error.reason})


@app.exception_handler(NotPermitted)
def _not_permitted(error: NotPermitted) -> Response[Any]:
    return _json(403, _refusal(error))


@app.exception_handler(IllegalTransition)
def _illegal(error: IllegalTransition) -> Response[Any]:
    return _json(409, _refusal(error))


def _refusal(error: IllegalTransition) -> dict[str, Any]:
    """Why not, and (for a console to offer) the actions the caller may take now, in the role acted in."""
    body: dict[str, Any] = {"message": error.reason}
    if error.possible is not None:
        body["possible_actions"] = list(error.possible)
    return body


@app.exception_handler(InvalidRequest)
def _invalid_request(error: InvalidRequest) -> Response[Any]:
    return _json(422, {"message": str(error)})


@app.exception_handler(UnicodeDecodeError)
def _not_utf8(error: UnicodeDecodeError) -> Response[Any]:
    return _json(400, {"message": "The request body is not valid UTF-8"})


@app.exception_handler(KeyReused)
def _key_reused(error: KeyReused) -> Response[Any]:
    return _json(422, {"message": error.reason})


@app.exception_handler(Conflict)
def _in_progress(error: Conflict) -> Response[Any]:
    return _json(409, {"message": error.reason}, {"Retry-After": "2"})


@app.exception_handler(ValidationError)
def _invalid_representation(error: ValidationError) -> Response[Any]:
    problems = [p.model_dump() for p in describe_errors(error)]
    return _json(422, {"message": "There is a problem with the representation", "errors": problems})


@app.exception_handler(RequestValidationError)
def _invalid(error: RequestValidationError) -> Response[Any]:
    if any(e.get("type") == "json_invalid" for e in error.errors()):
        return _json(400, {"message": "The request body is not valid JSON"})
    problems = described(error.errors())
    message = "There is a problem with the request"
    if len(problems) > MAX_PROBLEMS:
        message += f" ({len(problems):,} problems: the first {MAX_PROBLEMS} are listed)"
    return _json(422, {"message": message, "errors": problems[:MAX_PROBLEMS]})


def described(errors: Any) -> list[dict[str, str]]:
    """Each of the resolver's validation errors as the field it is about and a sentence: a
    representation's (``POST /cases``) in the intake's own words, an action named by ``action``, a
    validator's reason without pydantic's "Value error, "."""
    problems: list[dict[str, str]] = []
    representation: list[dict[str, Any]] = []
    for e in errors:
        where = tuple(e.get("loc") or ())[1:]  # after "body", "query", "path" or "header"
        if where[:1] and where[0] in CATALOGUE:  # an action's own field: named without the action
            where = where[1:]
        if where[:1] == ("representation",) and len(where) > 1:
            representation.append({**e, "loc": where[1:]})
            continue
        if where[:1] == ("representation",):  # the representation as a whole (its cross-field rules)
            representation.append({**e, "loc": ()})
            continue
        problems.append(_problem_of(e, where))
    problems += [
        {"field": f"representation.{p.field}" if p.field else "representation", "message": p.message}
        for p in describe_details(representation)
    ]
    return problems


def _problem_of(e: dict[str, Any], where: tuple[Any, ...]) -> dict[str, str]:
    field = ".".join(str(part) for part in where) or "body"
    kind, ctx = e.get("type"), e.get("ctx") or {}
    if kind == "union_tag_not_found":
        return {"field": "action", "message": 'Name the action: send {"action": "..."} with its fields'}
    if kind == "union_tag_invalid":
        expected = ctx.get("expected_tags", "")
        return {
            "field": "action",
            "message": f"There is no action {ctx.get('tag')!r}: the actions are {expected}",
        }
    message = str(e.get("msg", "is not valid"))
    if kind in ("model_attributes_type", "dict_type", "model_type") and not where:
        message = "Send a JSON object"
    elif kind == "value_error" and ctx.get("error") is not None:
        reason = str(ctx["error"])
        message = reason[:1].upper() + reason[1:]
    elif kind == "missing":
        message = f"Required: send {where[-1] if where else 'the body'}"
    return {"field": field, "message": message}


@app.exception_handler(RequestUnsupportedContentType)
def _unsupported(error: RequestUnsupportedContentType) -> Response[Any]:
    return _json(415, {"message": UNSUPPORTED})


@app.exception_handler(BadJson)
def _bad_json(error: BadJson) -> Response[Any]:
    return _json(400, {"message": error.message})


@app.exception_handler(UnknownQuery)
def _unknown_query(error: UnknownQuery) -> Response[Any]:
    takes = f"it takes {', '.join(error.known)}" if error.known else "it takes none"
    named = ", ".join(error.unknown)
    problems = [{"field": name, "message": "Not a query parameter of this route"} for name in error.unknown]
    message = f"Unknown query parameter{'s' if len(error.unknown) > 1 else ''} {named}: {takes}"
    return _json(400, {"message": message, "errors": problems})


def _known_query(app: APIGatewayRestResolver, next_middleware: NextMiddleware) -> Response[Any]:
    """Refuses query parameters the route does not declare, which would otherwise be ignored: a typo
    (``?overdeu=true``) would answer as if it had not been asked."""
    route = app.context.get("_route")
    known = {param.alias for param in route.dependant.query_params} if route is not None else set()
    event = app.current_event
    sent = set(event.query_string_parameters or {}) | set(event.multi_value_query_string_parameters or {})
    unknown = sorted(sent - known)
    if unknown:
        raise UnknownQuery(unknown, sorted(known))
    return next_middleware(app)


app.use(middlewares=[_known_query])

UNSUPPORTED = "Send the body as JSON, with the header Content-Type: application/json"


def _readable(event: dict[str, Any]) -> dict[str, Any]:
    """The event as the resolver should read it, or :class:`UnreadableBody`: a body is UTF-8 JSON of at
    most :data:`MAX_STAFF_BODY_BYTES` that :func:`~functions.http.parse_json` reads (whatever its
    nesting or numbers), declared ``application/json`` (in any case, as media types are). The resolver
    then gets it as text with that one Content-Type, so it never parses a form or a multipart body
    instead, nor refuses ``Application/JSON``."""
    if str(event.get("httpMethod", "")).upper() not in BODY_METHODS or not event.get("body"):
        return event
    request = ProxyRequest.from_event(event)
    if request.media_type != content_types.APPLICATION_JSON:
        raise UnreadableBody(415, UNSUPPORTED)
    if len(request.body) > MAX_STAFF_BODY_BYTES:
        raise UnreadableBody(413, f"The request is too large: send at most {MAX_STAFF_BODY_BYTES:,} bytes")
    try:
        text = request.text()
        parse_json(text)
    except UndecodableBody as refused:
        raise UnreadableBody(refused.status, refused.message) from None
    except BadJson as refused:
        raise UnreadableBody(400, refused.message) from None
    plain = {k: v for k, v in (event.get("headers") or {}).items() if k.lower() != "content-type"}
    multi = {k: v for k, v in (event.get("multiValueHeaders") or {}).items() if k.lower() != "content-type"}
    return {
        **event,
        "headers": {**plain, "Content-Type": content_types.APPLICATION_JSON},
        "multiValueHeaders": {**multi, "Content-Type": [content_types.APPLICATION_JSON]},
        "body": text,
        "isBase64Encoded": False,
    }


@logger.inject_lambda_context(log_event=False)  # the event holds the caller's token and case data
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    try:
        event = _readable(event)
    except UnreadableBody as refused:
        return problem(refused.status, refused.message, headers=NO_STORE).to_proxy()
    return app.resolve(event, context)
