"""Every name Heard shares between its code, the CDK app and the local service, defined once.

Resource names are logical: CDK builds physical names from them, the local service creates resources
with them, and functions read the physical names from the environment variables named here.
"""

from __future__ import annotations

import hashlib
from typing import Final

SERVICE: Final = "heard"
REGION_DEFAULT: Final = "eu-west-2"

# Environment variables a function reads.
TABLE_ENV: Final = "HEARD_TABLE_NAME"
POLICY_FILE_ENV: Final = "HEARD_POLICY_FILE"
SENDER_ENV: Final = "HEARD_SENDER_ADDRESS"
CONFIG_SET_ENV: Final = "HEARD_SES_CONFIGURATION_SET"
STATE_MACHINE_ENV: Final = "HEARD_STAGE_TIMER_ARN"
STAFF_POOL_ID_ENV: Final = "HEARD_STAFF_POOL_ID"
#: The secret the online form seals its answers with between pages (any long random string).
FORM_KEY_ENV: Final = "HEARD_FORM_KEY"
#: Seconds the form keeps answers between pages (default 4 hours); a short value lets tests see the warning.
FORM_ANSWERS_TTL_ENV: Final = "HEARD_FORM_ANSWERS_TTL_SECONDS"

# Logical resource names (CDK construct ids, and the local service's physical names).
TABLE: Final = "heard-cases"
KMS_ALIAS: Final = "alias/heard-data"
NOTIFY_DLQ: Final = "heard-notifications-dlq"

# DynamoDB single-table design: see docs/data-model.md.
PK: Final = "PK"
SK: Final = "SK"
GSI_STATUS_DUE: Final = "by-status-due"
GSI_SERVICE_AREA: Final = "by-service-area"
GSI_FINANCIAL_YEAR: Final = "by-financial-year"
GSI_REFERENCE: Final = "by-reference"
GSI_OPEN_DUE: Final = "by-open-due"
GSI_MANAGER: Final = "by-manager"
GSI_INVESTIGATOR: Final = "by-investigator"
GSI_ACTIVITY: Final = "by-activity"
GSI_KEYS: Final = {
    GSI_STATUS_DUE: ("GSI1PK", "GSI1SK"),
    GSI_SERVICE_AREA: ("GSI2PK", "GSI2SK"),
    GSI_FINANCIAL_YEAR: ("GSI3PK", "GSI3SK"),
    GSI_REFERENCE: ("GSI4PK", "GSI4SK"),
    GSI_OPEN_DUE: ("GSI5PK", "GSI5SK"),
    GSI_MANAGER: ("GSI6PK", "GSI6SK"),
    GSI_INVESTIGATOR: ("GSI7PK", "GSI7SK"),
    GSI_ACTIVITY: ("GSI8PK", "GSI8SK"),
}
#: What a case list shows: no personal data (names, contact details, what was said stay on the case).
CASE_SUMMARY: Final = (
    "case_id",
    "reference",
    "kind",
    "status",
    "procedure",
    "suggested_procedure",
    "service_area",
    "allocated_manager",
    "received_date",
    "financial_year",
    "due",
    "by_a_child",
    "late",
)
#: What the case indexes carry: the summary, and the staff a complaint is about (to keep it from them).
CASE_INDEXED: Final = (*CASE_SUMMARY, "about_staff")
#: What the dead letters and the sweep read of a notification: never its address or content.
NOTIFICATION_STATE: Final = (
    "case_id",
    "notification_id",
    "purpose",
    "status",
    "attempts",
    "last_error",
    "created_at",
    "failed_at",
    "lease_until",
)
#: Each index's projected attributes besides the keys (an empty tuple: keys only).
GSI_PROJECTIONS: Final[dict[str, tuple[str, ...]]] = {
    GSI_STATUS_DUE: tuple(dict.fromkeys(CASE_INDEXED + NOTIFICATION_STATE)),
    GSI_SERVICE_AREA: CASE_INDEXED,
    GSI_FINANCIAL_YEAR: CASE_INDEXED,
    GSI_REFERENCE: (),
    GSI_OPEN_DUE: CASE_INDEXED,
    GSI_MANAGER: CASE_INDEXED,
    GSI_INVESTIGATOR: CASE_INDEXED,
    GSI_ACTIVITY: (),
}
TTL_ATTRIBUTE: Final = "expires_at"
TYPE_ATTRIBUTE: Final = "type"
# Values of TYPE_ATTRIBUTE: what an item is (the stream's filter and the notifier read it).
CASE_TYPE: Final = "case"
EVENT_TYPE: Final = "event"
NOTIFICATION_TYPE: Final = "notification"
VERSION_ATTRIBUTE: Final = "version"


def case_pk(case_id: str) -> str:
    return f"CASE#{case_id}"


CASE_SK: Final = "CASE"


EVENT_PREFIX: Final = "EVENT#"
READ_PREFIX: Final = "READ#"
READ_TYPE: Final = "read"


def event_sk(sequence: int) -> str:
    """Events sort by their sequence number, never by wall-clock time."""
    return f"{EVENT_PREFIX}{sequence:06d}"


def read_sk(at_iso: str, read_id: str) -> str:
    """A staff read of a case (the audit of who read which case, and when)."""
    return f"{READ_PREFIX}{at_iso}#{read_id}"


def reference_pk(reference: str) -> str:
    return f"REF#{reference}"


def notification_sk(notification_id: str) -> str:
    return f"NOTIFY#{notification_id}"


def counter_pk(year: int | str) -> str:
    return f"COUNTER#{year}"


COUNTER_SK: Final = "COUNTER"


def idempotency_pk(key: str) -> str:
    return f"IDEMPOTENCY#{key}"


#: The partition of every idempotency record of a request that registers a representation.
REGISTRATIONS: Final = "intake"


def idempotency_sk(scope: str, key: str) -> str:
    """An idempotency record's sort key: the door the request came through, and a hash of its key (keys
    are chosen by clients: never stored as sent)."""
    return f"{scope}#{hashlib.sha256(key.encode()).hexdigest()}"


# Index keys (docs/data-model.md): partitions by what is looked up, sort keys "<ordering value>#<id>".


def status_pk(status: str) -> str:
    """by-status-due partition of cases in ``status``."""
    return f"STATUS#{status}"


def notification_status_pk(status: str) -> str:
    """by-status-due partition of notifications in ``status``."""
    return f"NOTIFY#{status}"


def area_pk(service_area: str | None) -> str:
    return f"AREA#{service_area or 'unknown'}"


def financial_year_pk(year: int | str) -> str:
    return f"FY#{year}"


def index_sk(ordering: str, item_id: str) -> str:
    return f"{ordering}#{item_id}"


# Staff sign-in (Cognito): the user pool, the officer API's app client, the groups (roles) and the
# attribute holding a user's service areas. CDK, the local service and the handlers read them here.
STAFF_POOL: Final = "heard-staff"
#: The stage workflow (infra/workflow/stage_timer.asl.json): one execution per running timer.
STATE_MACHINE: Final = "heard-stage-timer"
OFFICER_CLIENT: Final = "heard-officer-api"
GROUP_COMPLAINTS_OFFICER: Final = "complaints-officer"
GROUP_SERVICE_MANAGER: Final = "service-manager"
GROUP_INVESTIGATOR: Final = "investigator"
GROUP_SENIOR_LEADERSHIP: Final = "senior-leadership"
GROUP_ADMIN: Final = "admin"
STAFF_GROUPS: Final = (
    GROUP_COMPLAINTS_OFFICER,
    GROUP_SERVICE_MANAGER,
    GROUP_INVESTIGATOR,
    GROUP_SENIOR_LEADERSHIP,
    GROUP_ADMIN,
)
#: The custom attribute's name in the pool's schema; tokens and claims carry it as ``custom:<name>``.
SERVICE_AREAS_ATTRIBUTE: Final = "service_areas"
SERVICE_AREAS_CLAIM: Final = f"custom:{SERVICE_AREAS_ATTRIBUTE}"
GROUPS_CLAIM: Final = "cognito:groups"
USERNAME_CLAIM: Final = "cognito:username"


def open_pk(is_open: bool) -> str:
    """by-open-due partition: the cases still open, or those closed."""
    return "OPEN#yes" if is_open else "OPEN#no"


def manager_pk(username: str) -> str:
    """by-manager partition: the cases allocated to a member of staff."""
    return f"MANAGER#{username}"


def investigator_pk(username: str) -> str:
    """by-investigator partition: the cases a member of staff is appointed to investigate."""
    return f"INVESTIGATOR#{username}"


def activity_pk(year: int | str) -> str:
    """by-activity partition: what happened on cases in a financial year (stages started and answered,
    Ombudsman decisions, actions added), whatever year the cases were received in."""
    return f"ACT#{year}"


ACTIVITY_PREFIX: Final = "ACTIVITY#"
ACTIVITY_TYPE: Final = "activity"


def activity_sk(what: str) -> str:
    """An activity item beside its case: ``what`` is e.g. ``stage1-sent``."""
    return f"{ACTIVITY_PREFIX}{what}"


def actions_pk(status: str) -> str:
    """by-activity partition of action plans' actions by status (open, done), sorted by due date."""
    return f"ACTIONS#{status}"


def action_sk(item_id: str) -> str:
    """An action of the case's plan, beside the case (for the actions index)."""
    return f"ACTION#{item_id}"


#: The context figures an officer enters for a financial year (referrals, children receiving services).
CONTEXT_PK: Final = "CONTEXT"


def context_sk(year: int) -> str:
    return f"FY#{year}"


#: The register of investigators, independent persons and panel members: one small partition.
PEOPLE_PK: Final = "PEOPLE"
PERSON_TYPE: Final = "person"


def person_sk(person_id: str) -> str:
    return f"PERSON#{person_id}"
