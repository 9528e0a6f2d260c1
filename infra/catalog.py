"""Heard's functions and what triggers them: read by the CDK app and by the local service alike, so both
wire the same handler to the same route, stream or schedule. Imports nothing heavy."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from shared import names


@dataclass(frozen=True)
class Route:
    method: str
    path: str  # API Gateway resource path, e.g. "/representations"
    #: Only for staff: API Gateway's Cognito authorizer (the local gateway locally) refuses a request
    #: without a valid ID token of the staff pool with 401, before the handler runs.
    authorized: bool = False


@dataclass(frozen=True)
class StreamTrigger:
    """How a function reads the case table's stream: the event source mapping in AWS, the stream pump
    locally. ``filter`` is an event-filter pattern in EventBridge pattern syntax, as plain JSON."""

    batch_size: int
    retry_attempts: int
    max_record_age_seconds: int
    bisect_on_error: bool
    filter: Mapping[str, Any]


@dataclass(frozen=True)
class TableAccess:
    """DynamoDB actions a function may take on the case table (or one of its indexes), only on items whose
    partition key value matches one of ``leading_keys`` (IAM ``dynamodb:LeadingKeys``, ``*`` wildcards)."""

    actions: tuple[str, ...]
    leading_keys: tuple[str, ...]
    index: str | None = None  # None: the table itself


@dataclass(frozen=True)
class FunctionSpec:
    name: str  # logical name: construct id and local function name
    handler: str  # "package.module.attribute"
    description: str
    routes: tuple[Route, ...] = field(default=())
    stream: StreamTrigger | None = None  # triggered by the case table's stream
    schedule_minutes: int | None = None  # triggered every so many minutes
    table_access: tuple[TableAccess, ...] = field(default=())
    memory_mb: int = 512
    timeout_seconds: int = 15
    #: Lambda SnapStart on its published versions: callers invoke the ``live`` alias of the version the
    #: deployment published, restored from a snapshot taken after init (docs/decisions.md, "Lambda runtime").
    snap_start: bool = False
    #: Reads members of the staff user pool (their groups, service areas and address): the manager a
    #: case is allocated to, the mailbox an alert goes to.
    reads_staff: bool = False

    @property
    def reads_case_stream(self) -> bool:
        return self.stream is not None


#: Environment every function runs with, in AWS, locally and in the benchmarks. Heard uses no pydantic
#: plugins, and looking for them costs ~15 ms of every cold start.
RUNTIME_ENVIRONMENT: dict[str, str] = {"PYDANTIC_DISABLE_PLUGINS": "__all__"}

# Partition key patterns (IAM dynamodb:LeadingKeys) of the items each function touches.
CASES = names.case_pk("*")
COUNTERS = names.counter_pk("*")
INTAKE_IDEMPOTENCY = names.idempotency_pk(names.REGISTRATIONS)
NOTIFICATIONS_BY_STATUS = names.notification_status_pk(
    "*"
)  # partition values of the by-status-due index for notifications

#: What registering a representation does: takes the year's next number (an atomic ADD: UpdateItem),
#: writes the case, its first event, its notifications and its idempotency record in one transaction (IAM
#: authorises each item of TransactWriteItems as the action it performs: PutItem), and reads the record
#: first to answer a repeat (GetItem). It never reads a case.
_REGISTERS_REPRESENTATIONS = (
    TableAccess(("dynamodb:UpdateItem",), (COUNTERS,)),
    TableAccess(("dynamodb:PutItem",), (CASES,)),
    TableAccess(("dynamodb:GetItem", "dynamodb:PutItem"), (INTAKE_IDEMPOTENCY,)),
)


def _stream_of(item_type: str) -> StreamTrigger:
    """The case table's stream, filtered to one type of item: retried 8 times with bisection, and kept
    for a day (as long as DynamoDB keeps a stream)."""
    return StreamTrigger(
        batch_size=10,
        retry_attempts=8,
        max_record_age_seconds=24 * 60 * 60,
        bisect_on_error=True,
        filter={"dynamodb": {"NewImage": {names.TYPE_ATTRIBUTE: {"S": [item_type]}}}},
    )


INTAKE = FunctionSpec(
    name="Intake",
    handler="functions.intake.handler.handler",
    description="Public JSON API: health and new representations",
    routes=(Route("GET", "/health"), Route("POST", "/representations")),
    table_access=_REGISTERS_REPRESENTATIONS,
    snap_start=True,
)
FORM = FunctionSpec(
    name="Form",
    handler="functions.form.handler.handler",
    description="The online form, rendered on the server",
    routes=(
        Route("GET", "/"),
        Route("POST", "/"),
        Route("POST", "/extend"),
        Route("GET", "/confirmation"),
        Route("GET", "/help"),
        Route("GET", "/privacy"),
        Route("GET", "/accessibility"),
    ),
    table_access=_REGISTERS_REPRESENTATIONS,
    snap_start=True,
)
NOTIFIER = FunctionSpec(
    name="Notifier",
    handler="functions.notifier.handler.handler",
    description="Sends the notifications recorded with cases, from the table's stream",
    stream=_stream_of(names.NOTIFICATION_TYPE),
    # Claims and settles notifications (and the case's copy of their status); may read one notification.
    table_access=(TableAccess(("dynamodb:GetItem", "dynamodb:UpdateItem"), (CASES,)),),
    memory_mb=256,
)
SWEEPER = FunctionSpec(
    name="Sweeper",
    handler="functions.sweeper.handler.handler",
    description="Finds notifications whose sending lease expired and hands them back for delivery",
    schedule_minutes=5,
    table_access=(
        TableAccess(("dynamodb:Query",), (NOTIFICATIONS_BY_STATUS,), index=names.GSI_STATUS_DUE),
        TableAccess(("dynamodb:UpdateItem",), (CASES,)),
    ),
    memory_mb=256,
)
#: The scorecard bulletin: every half hour it checks (one read) whether the month or quarter last ended has
#: its bulletin, and records it once if not.
BULLETIN = FunctionSpec(
    name="Bulletin",
    handler="functions.bulletin.handler.handler",
    description="Emails the last period's complaints scorecard to the senior leadership list, once a period",
    schedule_minutes=30,
    table_access=(
        TableAccess(("dynamodb:Query",), (names.financial_year_pk("*"),), index=names.GSI_FINANCIAL_YEAR),
        TableAccess(("dynamodb:Query",), (names.activity_pk("*"),), index=names.GSI_ACTIVITY),
        TableAccess(("dynamodb:Query",), (names.open_pk(True),), index=names.GSI_OPEN_DUE),
        # reads the cases in batches; reads and writes the bulletin's record (and its notifications)
        TableAccess(("dynamodb:BatchGetItem", "dynamodb:GetItem", "dynamodb:PutItem"), (CASES,)),
    ),
    memory_mb=512,
    timeout_seconds=60,
)

#: What recording a case change does (the officer API and the workflow alike): the case updated under
#: its version, an event appended and notifications written, in one transaction; reading the case first.
_SAVES_CASES = TableAccess(("dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:PutItem"), (CASES,))

WORKFLOW = FunctionSpec(
    name="Workflow",
    handler="functions.workflow.handler.handler",
    description="The stage workflow: keeps one timer execution per running deadline (from the table's "
    "stream) and does what a timer does when it wakes (the state machine's task)",
    stream=_stream_of(names.CASE_TYPE),
    table_access=(_SAVES_CASES,),
    reads_staff=True,
    memory_mb=256,
    timeout_seconds=30,
)

ME = FunctionSpec(
    name="Me",
    handler="functions.me.handler.handler",
    description="Officer API: who the signed-in member of staff is (user name, roles, service areas)",
    routes=(Route("GET", "/me", authorized=True),),
    memory_mb=256,
    snap_start=True,
)

OFFICER = FunctionSpec(
    name="Officer",
    handler="functions.officer.handler.handler",
    description="Officer API: list and read cases and their chronology, act on them, keep the people register, "
    "publish the council's lists",
    routes=(
        Route("GET", "/cases", authorized=True),
        Route("POST", "/cases", authorized=True),
        Route("GET", "/cases/{reference}", authorized=True),
        Route("GET", "/cases/{reference}/events", authorized=True),
        Route("POST", "/cases/{reference}/export", authorized=True),
        Route("POST", "/cases/{reference}/actions", authorized=True),
        Route("GET", "/people", authorized=True),
        Route("PUT", "/people/{person_id}", authorized=True),
        Route("GET", "/lists", authorized=True),
        Route("POST", "/deadlines/recompute", authorized=True),
        Route("GET", "/reports/annual", authorized=True),
        Route("PUT", "/reports/context/{year}", authorized=True),
        Route("GET", "/reports/scorecard", authorized=True),
        Route("GET", "/reports/rag", authorized=True),
        Route("GET", "/reports/action-plans", authorized=True),
    ),
    # Finds a case by reference (that index holds keys only) and lists cases through the indexes that
    # carry summaries only; reads a case and its chronology, updates it under its version and appends
    # events and read records, all within the case's partition; keeps the people register's partition.
    table_access=(
        TableAccess(("dynamodb:Query",), (names.reference_pk("*"),), index=names.GSI_REFERENCE),
        TableAccess(("dynamodb:Query",), (names.status_pk("*"),), index=names.GSI_STATUS_DUE),
        TableAccess(("dynamodb:Query",), (names.area_pk("*"),), index=names.GSI_SERVICE_AREA),
        TableAccess(
            ("dynamodb:Query",), (names.open_pk(True), names.open_pk(False)), index=names.GSI_OPEN_DUE
        ),
        TableAccess(("dynamodb:Query",), (names.manager_pk("*"),), index=names.GSI_MANAGER),
        TableAccess(("dynamodb:Query",), (names.investigator_pk("*"),), index=names.GSI_INVESTIGATOR),
        TableAccess(
            ("dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem", "dynamodb:UpdateItem"), (CASES,)
        ),
        TableAccess(("dynamodb:Query", "dynamodb:PutItem"), (names.PEOPLE_PK,)),
        # reports: cases by financial year, activity and open actions (keys), then the cases in batches;
        # the context figures a complaints officer enters
        TableAccess(("dynamodb:Query",), (names.financial_year_pk("*"),), index=names.GSI_FINANCIAL_YEAR),
        TableAccess(
            ("dynamodb:Query",), (names.activity_pk("*"), names.actions_pk("*")), index=names.GSI_ACTIVITY
        ),
        TableAccess(("dynamodb:BatchGetItem",), (CASES,)),
        TableAccess(("dynamodb:GetItem", "dynamodb:PutItem"), (names.CONTEXT_PK,)),
        # registering a representation made by another channel, as intake does
        *_REGISTERS_REPRESENTATIONS,
    ),
    reads_staff=True,
    snap_start=True,
)

#: Staff sign-in, read by the CDK user pool and the local one alike.
STAFF_PASSWORD_MIN_LENGTH = 14
STAFF_TEMPORARY_PASSWORD_DAYS = 3
STAFF_TOKEN_MINUTES = 60  # ID and access tokens (Cognito's default; moto's tokens last as long)

FUNCTIONS: tuple[FunctionSpec, ...] = (INTAKE, FORM, NOTIFIER, SWEEPER, WORKFLOW, BULLETIN, ME, OFFICER)
#: The functions the stage workflow's state machine invokes, by the substitution its definition names.
WORKFLOW_TASKS: dict[str, FunctionSpec] = {"WorkflowFunctionArn": WORKFLOW}
API_FUNCTIONS: tuple[FunctionSpec, ...] = tuple(f for f in FUNCTIONS if f.routes)
#: The functions restored from a SnapStart snapshot: the ones a person waits for, behind the API.
SNAP_START_FUNCTIONS: tuple[FunctionSpec, ...] = tuple(f for f in FUNCTIONS if f.snap_start)
#: The alias of each SnapStart function's published version, which its callers invoke.
LIVE_ALIAS = "live"
