"""The case table on DynamoDB: single-table design (docs/data-model.md)."""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from functools import cached_property
from typing import TYPE_CHECKING, Any, cast

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError

from shared import names
from shared.domain.case import NewCase, Notification, NotificationStatus
from shared.domain.errors import Conflict
from shared.domain.notices import Purpose
from shared.domain.stages import TERMINAL
from shared.ports import BadCursor, CaseQuery, IdempotencyRecord, KeyTaken, LeaseHeld, StaleVersion

if TYPE_CHECKING:  # the officer's aggregate: the public functions never load it (cold start)
    from mypy_boto3_dynamodb import DynamoDBClient

    from shared.domain.casefile import Case, Decision
    from shared.domain.people import Person
    from shared.reporting.source import ContextFigures

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()

STALE_PENDING_SECONDS = 900
_STATUS_PK, _STATUS_SK = names.GSI_KEYS[names.GSI_STATUS_DUE]


def to_item(values: dict[str, Any]) -> dict[str, Any]:
    return {k: _serializer.serialize(v) for k, v in values.items()}


def from_item(item: dict[str, Any]) -> dict[str, Any]:
    return {k: _deserializer.deserialize(v) for k, v in item.items()}


def _instant(timestamp: float, like: datetime) -> str:
    """An ISO instant in ``like``'s time zone, so that it compares as text with ``like.isoformat()``."""
    return datetime.fromtimestamp(timestamp, tz=like.tzinfo).isoformat()


_CLOSED_STATUSES = frozenset(status.value for status in TERMINAL)
#: Where a case with nothing due sorts in the due-date indexes: after every date, so never before one.
NOT_DUE = "~"
#: The index keys a case may stop having (no manager, no investigator): removed when absent.
_OPTIONAL_INDEX_KEYS = (*names.GSI_KEYS[names.GSI_MANAGER], *names.GSI_KEYS[names.GSI_INVESTIGATOR])


def case_index_keys(case: Mapping[str, Any]) -> dict[str, str | None]:
    """The case item's index keys, from its data: status and next due date, service area, financial
    year, reference."""
    case_id = str(case["case_id"])
    running = [str(d["due"]) for d in (case.get("deadlines") or {}).values()]
    if running:
        due: str | None = min(running)
    elif str(case["status"]) == "received":  # registered, not yet triaged: its acknowledgement runs
        due = str(case.get("stage1_due") or case["acknowledgement_due"])
    else:
        due = None  # nothing runs (on hold, paused, answered, ended): never due, never overdue
    order = due or NOT_DUE
    manager = case.get("allocated_manager")
    investigator = ((case.get("stage2") or {}).get("investigator") or {}).get("person", {}).get("staff_user")
    is_open = str(case["status"]) not in _CLOSED_STATUSES
    return {
        "due": due,
        **_gsi(names.GSI_OPEN_DUE, names.open_pk(is_open), names.index_sk(order, case_id)),
        **(
            _gsi(names.GSI_MANAGER, names.manager_pk(str(manager)), names.index_sk(order, case_id))
            if manager
            else {}
        ),
        **(
            _gsi(
                names.GSI_INVESTIGATOR,
                names.investigator_pk(str(investigator)),
                names.index_sk(order, case_id),
            )
            if investigator
            else {}
        ),
        **_gsi(names.GSI_STATUS_DUE, names.status_pk(str(case["status"])), names.index_sk(order, case_id)),
        **_gsi(
            names.GSI_SERVICE_AREA,
            names.area_pk(case.get("service_area")),
            names.index_sk(str(case["received_at"]), case_id),
        ),
        **_gsi(
            names.GSI_FINANCIAL_YEAR,
            names.financial_year_pk(int(case["financial_year"])),
            names.index_sk(str(case["received_at"]), case_id),
        ),
        **_gsi(names.GSI_REFERENCE, names.reference_pk(str(case["reference"])), names.CASE_SK),
    }


def _index_for(query: CaseQuery) -> tuple[str, str, str | None]:
    """The index, partition and exclusive upper bound of the sort key that serve ``query`` best: a
    manager's cases, a status, a service area, else the open (or closed) cases; by due date where the
    index sorts by it."""
    due_bound = (query.due_before + timedelta(days=1)).isoformat() if query.due_before else None
    if query.investigator is not None:
        return names.GSI_INVESTIGATOR, names.investigator_pk(query.investigator), due_bound
    if query.manager is not None:
        return names.GSI_MANAGER, names.manager_pk(query.manager), due_bound
    if query.status is not None:
        return names.GSI_STATUS_DUE, names.status_pk(query.status), due_bound
    if query.service_area is not None:
        return names.GSI_SERVICE_AREA, names.area_pk(query.service_area), None
    return names.GSI_OPEN_DUE, names.open_pk(query.open_only), due_bound


def _encode_cursor(key: dict[str, Any], index: str) -> str:
    raw = json.dumps({"index": index, "key": key}, separators=(",", ":"), sort_keys=True)
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode_cursor(cursor: str, index: str, partition: str, below: str | None) -> dict[str, Any]:
    """The start key of the next page, if ``cursor`` is one this list issued: the same index and
    partition, within the query's sort bound, string keys of exactly the index's and the table's key
    attributes (DynamoDB refuses a start key outside the query, as a server error would surface)."""
    try:
        decoded = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        key = decoded["key"]
        expected = {names.PK, names.SK, *names.GSI_KEYS[index]}
        if decoded["index"] != index or set(key) != expected:
            raise ValueError("another list's cursor")
        pk_name, sk_name = names.GSI_KEYS[index]
        if key[pk_name].get("S") != partition or (below is not None and str(key[sk_name].get("S")) >= below):
            raise ValueError("another query's cursor")
        if not all(isinstance(v, dict) and set(v) == {"S"} and isinstance(v["S"], str) for v in key.values()):
            raise ValueError("not a key")
    except (ValueError, KeyError, TypeError) as error:
        raise BadCursor("the cursor is not one this list gave: start again without it") from error
    return dict(key)


def _json_ready(value: Any) -> Any:
    """DynamoDB's numbers arrive as Decimal: integers as int, others as float (JSON has no Decimal)."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: _json_ready(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_ready(v) for v in value]
    return value


def _key(pk: str, sk: str) -> dict[str, Any]:
    return {names.PK: {"S": pk}, names.SK: {"S": sk}}


def _idempotency_key(scope: str, key: str) -> dict[str, Any]:
    return _key(names.idempotency_pk(names.REGISTRATIONS), names.idempotency_sk(scope, key))


def _epoch(instant: datetime) -> int:
    """Whole seconds since the epoch, as DynamoDB's TTL reads them."""
    return int(instant.timestamp())


def _idempotency_record(scope: str, key: str, item: dict[str, Any]) -> IdempotencyRecord:
    values = from_item(item)
    return IdempotencyRecord(
        scope=scope,
        key=key,
        fingerprint=str(values["fingerprint"]),
        answer=dict(values["answer"]),
        recorded_at=datetime.fromisoformat(str(values["recorded_at"])),
        expires_at=datetime.fromtimestamp(int(values[names.TTL_ATTRIBUTE]), tz=UTC),
    )


def _gsi(index: str, pk: str, sk: str) -> dict[str, str]:
    pk_name, sk_name = names.GSI_KEYS[index]
    return {pk_name: pk, sk_name: sk}


def notification_status_key(status: NotificationStatus, at: str, notification_id: str) -> dict[str, str]:
    return _gsi(
        names.GSI_STATUS_DUE,
        names.notification_status_pk(status.value),
        names.index_sk(at, notification_id),
    )


def _status_change(
    status: NotificationStatus, at: str, notification_id: str
) -> tuple[dict[str, str], dict[str, Any]]:
    """Names and values for "SET #s = :s, #g = :g, #gs = :gs": a notification's status and its index keys."""
    keys = notification_status_key(status, at, notification_id)
    return (
        {"#s": "status", "#g": _STATUS_PK, "#gs": _STATUS_SK},
        {":s": {"S": status.value}, ":g": {"S": keys[_STATUS_PK]}, ":gs": {"S": keys[_STATUS_SK]}},
    )


class DynamoCaseStore:
    """Implements CaseRepository and NotificationRepository."""

    def __init__(self, table_name: str, client: DynamoDBClient | None = None) -> None:
        self.table_name = table_name
        self._client = client

    @cached_property
    def client(self) -> DynamoDBClient:
        if self._client is None:
            import boto3

            self._client = boto3.client("dynamodb")
        return self._client

    # --- cases -------------------------------------------------------------------------------------

    def next_reference_number(self, year: int) -> int:
        """Take the next number of ``year`` with one atomic ADD: concurrent callers never get the same
        number and never wait for each other. A number taken by a write that then fails is a gap."""
        result = self.client.update_item(
            TableName=self.table_name,
            Key=_key(names.counter_pk(year), names.COUNTER_SK),
            UpdateExpression="ADD #v :one",
            ExpressionAttributeNames={"#v": "value"},
            ExpressionAttributeValues={":one": {"N": "1"}},
            ReturnValues="UPDATED_NEW",
        )
        return int(result["Attributes"]["value"]["N"])

    def case_item(self, new: NewCase) -> dict[str, Any]:
        return {
            names.PK: names.case_pk(new.case_id),
            names.SK: names.CASE_SK,
            names.TYPE_ATTRIBUTE: names.CASE_TYPE,
            names.VERSION_ATTRIBUTE: 1,
            **case_index_keys(new.case),
            **new.case,
        }

    def recall(self, scope: str, key: str) -> IdempotencyRecord | None:
        item = self.client.get_item(
            TableName=self.table_name, Key=_idempotency_key(scope, key), ConsistentRead=True
        ).get("Item")
        return _idempotency_record(scope, key, item) if item else None

    def create(self, new: NewCase, once: IdempotencyRecord | None = None) -> None:
        """The case's transaction; with ``once``, its idempotency record too, put only where no record
        of the key is live (a lost race comes back as :class:`KeyTaken` with the winner's record)."""
        event = new.event
        items: list[dict[str, Any]] = [
            {
                "Put": {
                    "TableName": self.table_name,
                    "Item": to_item(self.case_item(new)),
                    "ConditionExpression": "attribute_not_exists(#pk)",
                    "ExpressionAttributeNames": {"#pk": names.PK},
                }
            },
            self._put_event(
                event.case_id,
                event.sequence,
                event.at,
                event.actor.value,
                event.by,
                event.action,
                event.changes,
            ),
        ]
        created = event.at.isoformat()
        for notification in new.notifications:
            items.append(
                {
                    "Put": {
                        "TableName": self.table_name,
                        "Item": to_item(self._notification_item(notification, created)),
                    }
                }
            )
        if once is not None:
            items.append(self._put_idempotency_record(once))
        try:
            self.client.transact_write_items(TransactItems=items)  # type: ignore[arg-type]
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "TransactionCanceledException":
                raise
            reasons: list[dict[str, Any]] = exc.response.get("CancellationReasons") or []  # type: ignore[assignment]
            if once is not None and len(reasons) == len(items):  # the record is the last item
                record = reasons[-1]
                if record.get("Code") == "ConditionalCheckFailed" and record.get("Item"):
                    raise KeyTaken(_idempotency_record(once.scope, once.key, record["Item"])) from exc
                if record.get("Code") in ("ConditionalCheckFailed", "TransactionConflict"):
                    raise Conflict(
                        "the same request is already being processed: try again in a moment"
                    ) from exc
            raise Conflict(f"case {new.reference} could not be written: it already exists") from exc

    def _put_idempotency_record(self, once: IdempotencyRecord) -> dict[str, Any]:
        """A transaction item keeping ``once``: where there is no record of its key, or only an expired
        one (DynamoDB's TTL deletes expired records late, or never locally)."""
        item = {
            **_idempotency_key(once.scope, once.key),
            "fingerprint": {"S": once.fingerprint},
            "answer": {"M": to_item(once.answer)},
            "recorded_at": {"S": once.recorded_at.isoformat()},
            names.TTL_ATTRIBUTE: {"N": str(_epoch(once.expires_at))},
        }
        return {
            "Put": {
                "TableName": self.table_name,
                "Item": item,
                "ConditionExpression": "attribute_not_exists(#pk) OR #expires <= :now",
                "ExpressionAttributeNames": {"#pk": names.PK, "#expires": names.TTL_ATTRIBUTE},
                "ExpressionAttributeValues": {":now": {"N": str(_epoch(once.recorded_at))}},
                "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
            }
        }

    def _put_event(
        self,
        case_id: str,
        sequence: int,
        at: datetime,
        actor: str,
        by: str,
        action: str,
        changes: dict[str, Any],
    ) -> dict[str, Any]:
        """A transaction item appending one event to the chronology: written once, never replaced."""
        item = {
            names.PK: names.case_pk(case_id),
            names.SK: names.event_sk(sequence),
            names.TYPE_ATTRIBUTE: names.EVENT_TYPE,
            "sequence": sequence,
            "at": at.isoformat(),
            "actor": actor,
            "by": by,
            "action": action,
            "changes": changes,
        }
        return {
            "Put": {
                "TableName": self.table_name,
                "Item": to_item(item),
                "ConditionExpression": "attribute_not_exists(#pk)",
                "ExpressionAttributeNames": {"#pk": names.PK},
            }
        }

    # --- the officer API ---------------------------------------------------------------------------

    def find(self, reference: str) -> str | None:
        """The case id of ``reference`` (through the reference index, which holds keys only)."""
        pk_name, _ = names.GSI_KEYS[names.GSI_REFERENCE]
        page = self.client.query(
            TableName=self.table_name,
            IndexName=names.GSI_REFERENCE,
            KeyConditionExpression="#r = :r",
            ExpressionAttributeNames={"#r": pk_name},
            ExpressionAttributeValues={":r": {"S": names.reference_pk(reference)}},
            Limit=1,
        )
        for item in page["Items"]:
            return item[names.PK]["S"].removeprefix(names.case_pk(""))
        return None

    def load(self, case_id: str) -> Case | None:
        item = self.client.get_item(
            TableName=self.table_name,
            Key=_key(names.case_pk(case_id), names.CASE_SK),
            ConsistentRead=True,
        ).get("Item")
        from shared.domain.casefile import Case

        return Case.model_validate(from_item(item)) if item else None

    def save(
        self, decision: Decision, expected_version: int, notifications: tuple[Notification, ...] = ()
    ) -> None:
        """The case's new state, conditional on its version, with its new events and the notifications
        it owes, in one transaction. Raises :class:`StaleVersion` if the case changed since
        ``expected_version`` was read. Of the case's notification map, only the new entries are set:
        the rest is the notifier's."""
        case = decision.case
        data = {
            **case.model_dump(mode="json", exclude={"notifications"}),
            **case_index_keys(case.model_dump(mode="json")),
        }
        attribute_names = {f"#a{i}": name for i, name in enumerate(data)}
        attribute_values = {f":v{i}": _serializer.serialize(value) for i, value in enumerate(data.values())}
        assignments = [f"#a{i} = :v{i}" for i in range(len(data))]
        for i, notification in enumerate(notifications):
            attribute_names[f"#n{i}"] = notification.notification_id
            attribute_values[f":n{i}"] = {"S": notification.status.value}
            assignments.append(f"notifications.#n{i} = :n{i}")
        absent = [key for key in _OPTIONAL_INDEX_KEYS if key not in data]
        attribute_names |= {f"#r{i}": key for i, key in enumerate(absent)}
        removals = f" REMOVE {', '.join(f'#r{i}' for i in range(len(absent)))}" if absent else ""
        created = decision.events[-1].at.isoformat() if decision.events else case.received_at.isoformat()
        items: list[dict[str, Any]] = [
            {
                "Update": {
                    "TableName": self.table_name,
                    "Key": _key(names.case_pk(case.case_id), names.CASE_SK),
                    "UpdateExpression": f"SET {', '.join(assignments)}" + removals,
                    "ConditionExpression": "#version = :expected",
                    "ExpressionAttributeNames": {**attribute_names, "#version": names.VERSION_ATTRIBUTE},
                    "ExpressionAttributeValues": {
                        **attribute_values,
                        ":expected": {"N": str(expected_version)},
                    },
                }
            },
            *(
                self._put_event(case.case_id, e.sequence, e.at, e.actor.value, e.by, e.action, e.changes)
                for e in decision.events
            ),
            *(
                {
                    "Put": {
                        "TableName": self.table_name,
                        "Item": to_item(self._notification_item(notification, created)),
                        "ConditionExpression": "attribute_not_exists(#pk)",
                        "ExpressionAttributeNames": {"#pk": names.PK},
                    }
                }
                for notification in notifications
            ),
            *self._activity_puts(decision),
        ]
        try:
            self.client.transact_write_items(TransactItems=items)  # type: ignore[arg-type]
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "TransactionCanceledException":
                raise
            raise StaleVersion(
                f"case {case.reference} changed since version {expected_version}: reload it and try again"
            ) from exc

    def _activity_puts(self, decision: Decision) -> list[dict[str, Any]]:
        """The case's activity items (one per dated activity, keyed by what happened, so a repeat
        replaces it) when the decision changed what they are made from."""
        if not any(field in event.changes for event in decision.events for field in _ACTIVITY_FIELDS):
            return []
        return self.activity_items(decision.case)

    def activity_items(self, case: Case) -> list[dict[str, Any]]:
        """Puts of the case's activity items: one per dated activity (in the year's partition) and one per
        action of its plan (in its status's partition, by due date)."""
        from shared.domain.case import financial_year
        from shared.reporting.source import activity_dates

        case_id = case.case_id
        return [
            {
                "Put": {
                    "TableName": self.table_name,
                    "Item": to_item(
                        {
                            names.PK: names.case_pk(case_id),
                            names.SK: names.activity_sk(what),
                            names.TYPE_ATTRIBUTE: names.ACTIVITY_TYPE,
                            "on": day.isoformat(),
                            **_gsi(
                                names.GSI_ACTIVITY,
                                names.activity_pk(financial_year(day)),
                                names.index_sk(day.isoformat(), f"{case_id}#{what}"),
                            ),
                        }
                    ),
                }
            }
            for what, day in activity_dates(case).items()
        ] + [
            {
                "Put": {
                    "TableName": self.table_name,
                    "Item": to_item(
                        {
                            names.PK: names.case_pk(case_id),
                            names.SK: names.action_sk(item.item_id),
                            names.TYPE_ATTRIBUTE: names.ACTIVITY_TYPE,
                            **_gsi(
                                names.GSI_ACTIVITY,
                                names.actions_pk(item.status),
                                names.index_sk(item.due_on.isoformat(), f"{case_id}#{item.item_id}"),
                            ),
                        }
                    ),
                }
            }
            for item in case.action_plan
        ]

    def events(self, case_id: str, after: int = 0, limit: int = 100) -> list[dict[str, Any]]:
        """The chronology in order, from the event after sequence ``after``, at most ``limit``."""
        page = self.client.query(
            TableName=self.table_name,
            KeyConditionExpression="#pk = :pk AND #sk BETWEEN :from AND :to",
            ExpressionAttributeNames={"#pk": names.PK, "#sk": names.SK},
            ExpressionAttributeValues={
                ":pk": {"S": names.case_pk(case_id)},
                ":from": {"S": names.event_sk(after + 1)},
                ":to": {"S": names.event_sk(999_999)},
            },
            Limit=limit,
        )
        fields = ("sequence", "at", "actor", "by", "action", "changes")
        return [{k: _json_ready(from_item(item).get(k)) for k in fields} for item in page["Items"]]

    def list_cases(
        self, query: CaseQuery, limit: int = 50, cursor: str | None = None
    ) -> tuple[list[dict[str, Any]], str | None]:
        """A page of case summaries (no personal data: the indexes carry none) and the cursor of the
        next page, read through the index that fits the query best, never a scan. DynamoDB counts
        ``limit`` before the other filters, so a page may be short while a cursor follows."""
        index, partition, sort = _index_for(query)
        pk_name, sk_name = names.GSI_KEYS[index]
        condition = "#ipk = :ipk"
        attribute_names = {"#ipk": pk_name}
        values: dict[str, Any] = {":ipk": {"S": partition}}
        if sort is not None:
            condition += " AND #isk < :isk"
            attribute_names["#isk"] = sk_name
            values[":isk"] = {"S": sort}
        filters = []
        for name, value in (
            ("status", query.status),
            ("service_area", query.service_area),
            ("allocated_manager", query.manager),
            ("kind", query.kind),
        ):
            if value is not None:
                filters.append(f"#{name} = :{name}")
                attribute_names[f"#{name}"] = name
                values[f":{name}"] = {"S": value}
        if query.procedure is not None:
            filters.append(
                "(#procedure = :procedure OR (attribute_not_exists(#procedure) OR #procedure = :null) AND #suggested = :procedure)"
            )
            attribute_names |= {"#procedure": "procedure", "#suggested": "suggested_procedure"}
            values |= {":procedure": {"S": query.procedure}, ":null": {"NULL": True}}
        if query.open_only and index != names.GSI_OPEN_DUE:
            filters.append(
                "NOT #st IN (" + ", ".join(f":closed{i}" for i in range(len(_CLOSED_STATUSES))) + ")"
            )
            attribute_names["#st"] = "status"
            values |= {f":closed{i}": {"S": s} for i, s in enumerate(sorted(_CLOSED_STATUSES))}
        if query.due_before is not None and index in (names.GSI_SERVICE_AREA, names.GSI_FINANCIAL_YEAR):
            filters.append("#due <= :due")
            attribute_names["#due"] = "due"
            values[":due"] = {"S": query.due_before.isoformat()}
        for name, bound, operator in (
            ("received_from", query.received_from, ">="),
            ("received_to", query.received_to, "<="),
        ):
            if bound is not None:
                filters.append(f"#received {operator} :{name}")
                attribute_names["#received"] = "received_date"
                values[f":{name}"] = {"S": bound.isoformat()}
        kwargs: dict[str, Any] = {
            "TableName": self.table_name,
            "IndexName": index,
            "KeyConditionExpression": condition,
            "ExpressionAttributeNames": attribute_names,
            "ExpressionAttributeValues": values,
            "Limit": limit,
        }
        if filters:
            kwargs["FilterExpression"] = " AND ".join(filters)
        if cursor:
            kwargs["ExclusiveStartKey"] = _decode_cursor(cursor, index, partition, sort)
        page = self.client.query(**kwargs)
        found = [from_item(item) for item in page["Items"]]
        summaries = [
            {k: _json_ready(v) for k, v in item.items() if k in names.CASE_SUMMARY}
            for item in found
            if query.hidden_from is None or query.hidden_from not in (item.get("about_staff") or ())
        ]
        following = page.get("LastEvaluatedKey")
        return summaries, _encode_cursor(following, index) if following else None

    def put_person(self, person: Person, by: str, now: datetime) -> None:
        """Register a person, or replace their declarations (who changed them, and when, is kept)."""
        self.client.put_item(
            TableName=self.table_name,
            Item=to_item(
                {
                    names.PK: names.PEOPLE_PK,
                    names.SK: names.person_sk(person.person_id),
                    names.TYPE_ATTRIBUTE: names.PERSON_TYPE,
                    "declared_by": by,
                    "declared_at": now.isoformat(),
                    **person.model_dump(mode="json"),
                }
            ),
        )

    def people(self, person_ids: tuple[str, ...] | None = None) -> dict[str, Person]:
        """The register (one partition, read with one query), or just the entries named."""
        from shared.domain.people import Person

        kwargs: dict[str, Any] = {
            "TableName": self.table_name,
            "KeyConditionExpression": "#pk = :pk",
            "ExpressionAttributeNames": {"#pk": names.PK},
            "ExpressionAttributeValues": {":pk": {"S": names.PEOPLE_PK}},
        }
        found: dict[str, Person] = {}
        while True:
            page = self.client.query(**kwargs)
            for item in page["Items"]:
                data = from_item(item)
                if person_ids is None or data["person_id"] in person_ids:
                    fields = {k: v for k, v in data.items() if k in Person.model_fields}
                    found[data["person_id"]] = Person.model_validate(fields)
            if "LastEvaluatedKey" not in page:
                return found
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def record_read(self, case_id: str, by: str, what: str, now: datetime, **details: Any) -> None:
        """Who read which case, and when: an audit item beside the case, outside its chronology (a read
        changes nothing, so it takes no version)."""
        self.client.put_item(
            TableName=self.table_name,
            Item=to_item(
                {
                    names.PK: names.case_pk(case_id),
                    names.SK: names.read_sk(now.isoformat(), uuid.uuid4().hex),
                    names.TYPE_ATTRIBUTE: names.READ_TYPE,
                    "by": by,
                    "what": what,
                    "at": now.isoformat(),
                    **details,
                }
            ),
        )

    # --- notifications -----------------------------------------------------------------------------

    @staticmethod
    def _notification_item(notification: Notification, created: str) -> dict[str, Any]:
        return {
            names.PK: names.case_pk(notification.case_id),
            names.SK: names.notification_sk(notification.notification_id),
            names.TYPE_ATTRIBUTE: names.NOTIFICATION_TYPE,
            "notification_id": notification.notification_id,
            "case_id": notification.case_id,
            "purpose": notification.purpose.value,
            "to": notification.to,
            "template": notification.template,
            "child_friendly": notification.child_friendly,
            "context": notification.context,
            "status": notification.status.value,
            "attempts": 0,
            "created_at": created,
            **notification_status_key(notification.status, created, notification.notification_id),
        }

    @staticmethod
    def notification_from_item(item: dict[str, Any]) -> Notification:
        return Notification(
            notification_id=item["notification_id"],
            case_id=item["case_id"],
            purpose=Purpose(item["purpose"]),
            to=item["to"],
            template=item["template"],
            child_friendly=bool(item["child_friendly"]),
            context=item["context"],
            status=NotificationStatus(item["status"]),
            attempts=int(item.get("attempts", 0)),
            claim_token=item.get("claim_token"),
        )

    def claim(
        self, case_id: str, notification_id: str, now: datetime, max_attempts: int, lease_seconds: int
    ) -> Notification | None:
        """Take the notification for sending under a fresh token and a lease until ``now`` plus
        ``lease_seconds``: if it is pending, failed with attempts left, or its previous lease expired.
        Raises :class:`LeaseHeld` while another sender's lease runs."""
        token = uuid.uuid4().hex
        lease_until = _instant(now.timestamp() + lease_seconds, now)
        # The status index sorts a claim by its lease's end, so the sweep finds expired ones by range.
        names_, values = _status_change(NotificationStatus.SENDING, lease_until, notification_id)
        try:
            result = self.client.update_item(
                TableName=self.table_name,
                Key=_key(names.case_pk(case_id), names.notification_sk(notification_id)),
                UpdateExpression=(
                    "SET #s = :s, #g = :g, #gs = :gs, claimed_at = :now, claim_token = :token, "
                    "lease_until = :lease, attempts = attempts + :one"
                ),
                ConditionExpression=(
                    "attribute_exists(#pk) AND attempts < :max AND "
                    "(#s = :pending OR #s = :failed OR (#s = :s AND lease_until < :now))"
                ),
                ExpressionAttributeNames={**names_, "#pk": names.PK},
                ExpressionAttributeValues={
                    **values,
                    ":pending": {"S": NotificationStatus.PENDING.value},
                    ":failed": {"S": NotificationStatus.FAILED.value},
                    ":now": {"S": now.isoformat()},
                    ":token": {"S": token},
                    ":lease": {"S": lease_until},
                    ":one": {"N": "1"},
                    ":max": {"N": str(max_attempts)},
                },
                ReturnValues="ALL_NEW",
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            # With ReturnValuesOnConditionCheckFailure, the item as it was comes back with the error.
            old = from_item(cast(dict[str, Any], exc.response.get("Item") or {}))
            if (
                old.get("status") == NotificationStatus.SENDING.value
                and old.get("lease_until", "") >= now.isoformat()
            ):
                raise LeaseHeld(f"notification {notification_id} is being sent under another lease") from exc
            return None
        return self.notification_from_item(from_item(result["Attributes"]))

    def mark_sent(self, notification: Notification, message_id: str, now: datetime) -> None:
        self._settle(
            notification,
            NotificationStatus.SENT,
            now,
            "sent_at = :now, message_id = :m REMOVE lease_until, last_error",
            {":m": {"S": message_id}},
        )

    def mark_failed(self, notification: Notification, error: str, now: datetime) -> None:
        self._settle(
            notification,
            NotificationStatus.FAILED,
            now,
            "failed_at = :now, last_error = :e REMOVE lease_until",
            {":e": {"S": error[:200]}},
        )

    def _settle(
        self,
        notification: Notification,
        status: NotificationStatus,
        now: datetime,
        more: str,
        more_values: dict[str, Any],
    ) -> None:
        """The notification's new status, and the same on its case, in one transaction, if the claim is
        still this sender's (its token). Otherwise :class:`LeaseHeld`: the lease expired and another
        sender took the notification over, and this outcome is not recorded."""
        names_, values = _status_change(status, now.isoformat(), notification.notification_id)
        try:
            self.client.transact_write_items(
                TransactItems=[
                    {
                        "Update": {
                            "TableName": self.table_name,
                            "Key": _key(
                                names.case_pk(notification.case_id),
                                names.notification_sk(notification.notification_id),
                            ),
                            "UpdateExpression": f"SET #s = :s, #g = :g, #gs = :gs, {more}",
                            "ConditionExpression": "claim_token = :token",
                            "ExpressionAttributeNames": names_,
                            "ExpressionAttributeValues": {
                                **values,
                                **more_values,
                                ":now": {"S": now.isoformat()},
                                ":token": {"S": notification.claim_token},
                            },
                        }
                    },
                    {
                        "Update": {
                            "TableName": self.table_name,
                            "Key": _key(names.case_pk(notification.case_id), names.CASE_SK),
                            "UpdateExpression": "SET notifications.#n = :s",
                            "ExpressionAttributeNames": {"#n": notification.notification_id},
                            "ExpressionAttributeValues": {":s": {"S": status.value}},
                        }
                    },
                ]
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "TransactionCanceledException":
                raise
            raise LeaseHeld(f"notification {notification.notification_id} was taken over") from exc

    def _by_status(self, status: NotificationStatus, before: str | None = None) -> list[dict[str, Any]]:
        condition = "#g = :g" + (" AND #gs < :before" if before else "")
        values: dict[str, Any] = {":g": {"S": names.notification_status_pk(status.value)}}
        if before:
            values[":before"] = {"S": before}
        kwargs: dict[str, Any] = {
            "TableName": self.table_name,
            "IndexName": names.GSI_STATUS_DUE,
            "KeyConditionExpression": condition,
            "ExpressionAttributeNames": {"#g": _STATUS_PK, **({"#gs": _STATUS_SK} if before else {})},
            "ExpressionAttributeValues": values,
        }
        items: list[dict[str, Any]] = []
        while True:
            page = self.client.query(**kwargs)
            items += [from_item(i) for i in page["Items"]]
            if "LastEvaluatedKey" not in page:
                return items
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def dead_letters(self, now: datetime) -> list[dict[str, Any]]:
        """Failed notifications; pending ones nobody picked up within STALE_PENDING_SECONDS (their stream
        batch was given up); and claims whose lease expired (the sender died between claim and mark).
        Read through the status index, never a scan."""
        stale = _instant(now.timestamp() - STALE_PENDING_SECONDS, now)
        items = (
            self._by_status(NotificationStatus.FAILED)
            + self._by_status(NotificationStatus.PENDING, before=stale)
            + self.expired_leases(now)
        )
        return [_dead_letter(item) for item in items]

    def expired_leases(self, now: datetime) -> list[dict[str, Any]]:
        """Notifications claimed for sending whose lease ended before ``now``."""
        return self._by_status(NotificationStatus.SENDING, before=now.isoformat())

    def release_expired(
        self, case_id: str, notification_id: str, attempts: int, now: datetime, max_attempts: int
    ) -> NotificationStatus | None:
        """Hand an expired claim back: pending (the stream delivers it again) while attempts are left,
        else failed (a dead letter). None if it changed meanwhile (sent, or taken again)."""
        status = NotificationStatus.PENDING if attempts < max_attempts else NotificationStatus.FAILED
        released = self._move(
            case_id,
            notification_id,
            status,
            now,
            "last_error = :e, released_at = :now",
            "#s = :sending AND lease_until < :now AND attempts = :attempts",
            {
                ":attempts": {"N": str(attempts)},
                ":e": {"S": "LeaseExpired: the sender stopped between claiming and recording"},
            },
        )
        return status if released else None

    def redrive(self, case_id: str, notification_id: str, now: datetime) -> bool:
        """Put a dead letter (failed, stale pending, or an expired claim) back to pending, attempts reset."""
        return self._move(
            case_id,
            notification_id,
            NotificationStatus.PENDING,
            now,
            "attempts = :zero, redriven_at = :now",
            "#s = :failed OR #s = :s OR (#s = :sending AND lease_until < :now)",
            {":failed": {"S": NotificationStatus.FAILED.value}, ":zero": {"N": "0"}},
        )

    def _move(
        self,
        case_id: str,
        notification_id: str,
        status: NotificationStatus,
        now: datetime,
        more: str,
        condition: str,
        more_values: dict[str, Any],
    ) -> bool:
        """Set a notification's status (and its index keys) if ``condition`` holds, ending any lease;
        False if it does not. ``:s`` is the new status, ``:sending`` and ``:now`` are bound."""
        names_, values = _status_change(status, now.isoformat(), notification_id)
        try:
            self.client.update_item(
                TableName=self.table_name,
                Key=_key(names.case_pk(case_id), names.notification_sk(notification_id)),
                UpdateExpression=f"SET #s = :s, #g = :g, #gs = :gs, {more} REMOVE lease_until",
                ConditionExpression=condition,
                ExpressionAttributeNames=names_,
                ExpressionAttributeValues={
                    **values,
                    **more_values,
                    ":sending": {"S": NotificationStatus.SENDING.value},
                    ":now": {"S": now.isoformat()},
                },
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return False
            raise
        return True


_DEAD_LETTER_FIELDS = (
    "case_id",
    "notification_id",
    "purpose",
    "status",
    "last_error",
    "created_at",
    "failed_at",
    "lease_until",
)


def _dead_letter(item: dict[str, Any]) -> dict[str, Any]:
    """What an operator sees of a dead letter: identifiers, state and error, never the address or text.
    JSON-ready (DynamoDB numbers arrive as Decimal)."""
    return {**{k: item.get(k) for k in _DEAD_LETTER_FIELDS}, "attempts": int(item.get("attempts", 0))}


# --- reports (shared.reporting.source.ReportSource) ---------------------------------------------------

#: The case fields whose change moves the case's activity dates (shared.reporting.source.activity_dates).
_ACTIVITY_FIELDS = ("stage_dates", "ombudsman", "action_plan")
_BATCH_GET = 100  # BatchGetItem's maximum


class DynamoReportSource(DynamoCaseStore):
    """The case store as the reports read it: through the financial-year, activity and open-cases
    indexes, a page at a time, then the cases themselves in batches (the indexes carry no personal data
    and not the whole case)."""

    def received_in(self, year: int) -> Iterator[Case]:
        return self._cases_through(names.GSI_FINANCIAL_YEAR, names.financial_year_pk(year))

    def active_in(self, year: int) -> Iterator[Case]:
        return self._cases_through(names.GSI_ACTIVITY, names.activity_pk(year))

    def open_cases(self) -> Iterator[Case]:
        return self._cases_through(names.GSI_OPEN_DUE, names.open_pk(True))

    def with_open_actions(self) -> Iterator[Case]:
        return self._cases_through(names.GSI_ACTIVITY, names.actions_pk("open"))

    def context_figures(self, year: int) -> ContextFigures | None:
        from shared.reporting.source import ContextFigures

        item = self.client.get_item(
            TableName=self.table_name, Key=_key(names.CONTEXT_PK, names.context_sk(year))
        ).get("Item")
        if not item:
            return None
        data = from_item(item)
        return ContextFigures.model_validate(
            {k: _json_ready(data.get(k)) for k in ContextFigures.model_fields}
        )

    def put_context_figures(self, year: int, figures: ContextFigures) -> None:
        self.client.put_item(
            TableName=self.table_name,
            Item=to_item(
                {names.PK: names.CONTEXT_PK, names.SK: names.context_sk(year), **figures.model_dump()}
            ),
        )

    def bulletin_recorded(self, bulletin_id: str) -> bool:
        """Whether the bulletin's record exists (one read of its key)."""
        answer = self.client.get_item(
            TableName=self.table_name,
            Key=_key(names.case_pk(bulletin_id), names.CASE_SK),
            ProjectionExpression="#pk",
            ExpressionAttributeNames={"#pk": names.PK},
        )
        return "Item" in answer

    def record_bulletin(
        self, bulletin_id: str, notifications: tuple[Notification, ...], now: datetime
    ) -> bool:
        """The bulletin's record (where the notifier keeps its notifications' status, as on a case) and its
        notifications, in one transaction, once: False if the bulletin was already recorded."""
        created = now.isoformat()
        record = {
            names.PK: names.case_pk(bulletin_id),
            names.SK: names.CASE_SK,
            names.TYPE_ATTRIBUTE: "bulletin",
            "created_at": created,
            "notifications": {n.notification_id: n.status.value for n in notifications},
        }
        items: list[dict[str, Any]] = [
            {
                "Put": {
                    "TableName": self.table_name,
                    "Item": to_item(record),
                    "ConditionExpression": "attribute_not_exists(#pk)",
                    "ExpressionAttributeNames": {"#pk": names.PK},
                }
            },
            *(
                {"Put": {"TableName": self.table_name, "Item": to_item(self._notification_item(n, created))}}
                for n in notifications
            ),
        ]
        try:
            self.client.transact_write_items(TransactItems=items)  # type: ignore[arg-type]
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "TransactionCanceledException":
                raise
            return False
        return True

    def _cases_through(self, index: str, partition: str, page_size: int = _BATCH_GET) -> Iterator[Case]:
        """Each case in ``partition`` of ``index`` once, in the index's order: a query page of keys, then
        the cases of that page in one batch."""
        from shared.domain.casefile import Case

        pk_name, _ = names.GSI_KEYS[index]
        kwargs: dict[str, Any] = {
            "TableName": self.table_name,
            "IndexName": index,
            "KeyConditionExpression": "#ipk = :ipk",
            "ExpressionAttributeNames": {"#ipk": pk_name, "#pk": names.PK},
            "ExpressionAttributeValues": {":ipk": {"S": partition}},
            "ProjectionExpression": "#pk",
            "Limit": page_size,
        }
        seen: set[str] = set()
        while True:
            page = self.client.query(**kwargs)
            wanted = list(dict.fromkeys(item[names.PK]["S"] for item in page["Items"]))
            wanted = [pk for pk in wanted if pk not in seen]
            seen.update(wanted)
            found = {
                item[names.PK]["S"]: item
                for item in self._batch_get([_key(pk, names.CASE_SK) for pk in wanted])
            }
            for pk in wanted:
                if pk in found:
                    yield Case.model_validate(from_item(found[pk]))
            if "LastEvaluatedKey" not in page:
                return
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def _batch_get(self, keys: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The items of ``keys`` (at most 100), asking again for any DynamoDB left unprocessed."""
        items: list[dict[str, Any]] = []
        request: dict[str, Any] = {self.table_name: {"Keys": keys}} if keys else {}
        while request:
            answer = self.client.batch_get_item(RequestItems=request)
            items += answer["Responses"].get(self.table_name, [])
            request = dict(answer.get("UnprocessedKeys") or {})
        return items
