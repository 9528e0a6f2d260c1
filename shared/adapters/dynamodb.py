"""The case table on DynamoDB: single-table design (docs/data-model.md)."""

from __future__ import annotations

from datetime import datetime
from functools import cached_property
from typing import TYPE_CHECKING, Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError

from shared import names
from shared.domain.case import NewCase, Notification, NotificationStatus, Purpose
from shared.domain.errors import Conflict

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()

CASE_TYPE = "case"
EVENT_TYPE = "event"
NOTIFICATION_TYPE = "notification"
STALE_CLAIM_SECONDS = 300
STALE_PENDING_SECONDS = 900
_STATUS_PK, _STATUS_SK = names.GSI_KEYS[names.GSI_STATUS_DUE]


def to_item(values: dict[str, Any]) -> dict[str, Any]:
    return {k: _serializer.serialize(v) for k, v in values.items()}


def from_item(item: dict[str, Any]) -> dict[str, Any]:
    return {k: _deserializer.deserialize(v) for k, v in item.items()}


def _key(pk: str, sk: str) -> dict[str, Any]:
    return {names.PK: {"S": pk}, names.SK: {"S": sk}}


def _gsi(index: str, pk: str, sk: str) -> dict[str, str]:
    pk_name, sk_name = names.GSI_KEYS[index]
    return {pk_name: pk, sk_name: sk}


def notification_status_key(status: NotificationStatus, at: str, notification_id: str) -> dict[str, str]:
    return _gsi(names.GSI_STATUS_DUE, f"NOTIFY#{status.value}", f"{at}#{notification_id}")


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

    def current_counter(self, year: int) -> int:
        item = self.client.get_item(
            TableName=self.table_name,
            Key=_key(names.counter_pk(year), names.COUNTER_SK),
            ConsistentRead=True,
            ProjectionExpression="#v",
            ExpressionAttributeNames={"#v": "value"},
        ).get("Item")
        return int(item["value"]["N"]) if item else 0

    def case_item(self, new: NewCase) -> dict[str, Any]:
        case = new.case
        due = case["stage1_due"] or case["acknowledgement_due"]
        return {
            names.PK: names.case_pk(new.case_id),
            names.SK: names.CASE_SK,
            "type": CASE_TYPE,
            names.VERSION_ATTRIBUTE: 1,
            **_gsi(names.GSI_STATUS_DUE, f"STATUS#{case['status']}", f"{due}#{new.case_id}"),
            **_gsi(
                names.GSI_SERVICE_AREA,
                f"AREA#{case['service_area'] or 'unknown'}",
                f"{case['received_at']}#{new.case_id}",
            ),
            **_gsi(
                names.GSI_FINANCIAL_YEAR,
                f"FY#{case['financial_year']}",
                f"{case['received_at']}#{new.case_id}",
            ),
            **case,
        }

    def create(self, new: NewCase, *, counter_year: int, counter_was: int) -> None:
        counter_condition = (
            {
                "ConditionExpression": "attribute_not_exists(#pk)",
                "ExpressionAttributeNames": {"#pk": names.PK, "#v": "value"},
            }
            if counter_was == 0
            else {"ConditionExpression": "#v = :was", "ExpressionAttributeNames": {"#v": "value"}}
        )
        values = {":next": {"N": str(counter_was + 1)}}
        if counter_was:
            values[":was"] = {"N": str(counter_was)}
        event = new.event
        items: list[dict[str, Any]] = [
            {
                "Update": {
                    "TableName": self.table_name,
                    "Key": _key(names.counter_pk(counter_year), names.COUNTER_SK),
                    "UpdateExpression": "SET #v = :next",
                    "ExpressionAttributeValues": values,
                    **counter_condition,
                }
            },
            {
                "Put": {
                    "TableName": self.table_name,
                    "Item": to_item(self.case_item(new)),
                    "ConditionExpression": "attribute_not_exists(#pk)",
                    "ExpressionAttributeNames": {"#pk": names.PK},
                }
            },
            {
                "Put": {
                    "TableName": self.table_name,
                    "Item": to_item(
                        {
                            names.PK: names.case_pk(event.case_id),
                            names.SK: names.event_sk(event.at.isoformat(), event.sequence),
                            "type": EVENT_TYPE,
                            "at": event.at.isoformat(),
                            "sequence": event.sequence,
                            "actor": event.actor.value,
                            "action": event.action,
                            "changes": event.changes,
                        }
                    ),
                    "ConditionExpression": "attribute_not_exists(#pk)",
                    "ExpressionAttributeNames": {"#pk": names.PK},
                }
            },
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
        try:
            self.client.transact_write_items(TransactItems=items)  # type: ignore[arg-type]
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "TransactionCanceledException":
                raise
            reasons = [r.get("Code") for r in exc.response.get("CancellationReasons", [])]
            if reasons and reasons[0] == "ConditionalCheckFailed":
                raise Conflict("the reference number was taken by another request") from exc
            raise Conflict("the case could not be written: it already exists or changed") from exc

    # --- notifications -----------------------------------------------------------------------------

    @staticmethod
    def _notification_item(notification: Notification, created: str) -> dict[str, Any]:
        return {
            names.PK: names.case_pk(notification.case_id),
            names.SK: names.notification_sk(notification.notification_id),
            "type": NOTIFICATION_TYPE,
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
        )

    def claim(
        self, case_id: str, notification_id: str, now: datetime, max_attempts: int
    ) -> Notification | None:
        stale = datetime.fromtimestamp(now.timestamp() - STALE_CLAIM_SECONDS, tz=now.tzinfo).isoformat()
        names_, values = _status_change(NotificationStatus.SENDING, now.isoformat(), notification_id)
        try:
            result = self.client.update_item(
                TableName=self.table_name,
                Key=_key(names.case_pk(case_id), names.notification_sk(notification_id)),
                UpdateExpression="SET #s = :s, #g = :g, #gs = :gs, claimed_at = :now, attempts = attempts + :one",
                ConditionExpression=(
                    "attribute_exists(#pk) AND attempts < :max AND "
                    "(#s = :pending OR #s = :failed OR (#s = :s AND claimed_at < :stale))"
                ),
                ExpressionAttributeNames={**names_, "#pk": names.PK},
                ExpressionAttributeValues={
                    **values,
                    ":pending": {"S": NotificationStatus.PENDING.value},
                    ":failed": {"S": NotificationStatus.FAILED.value},
                    ":now": {"S": now.isoformat()},
                    ":stale": {"S": stale},
                    ":one": {"N": "1"},
                    ":max": {"N": str(max_attempts)},
                },
                ReturnValues="ALL_NEW",
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return None
            raise
        return self.notification_from_item(from_item(result["Attributes"]))

    def mark_sent(self, notification: Notification, message_id: str, now: datetime) -> None:
        self._settle(
            notification,
            NotificationStatus.SENT,
            now,
            "sent_at = :now, message_id = :m REMOVE last_error",
            {":m": {"S": message_id}},
        )

    def mark_failed(self, notification: Notification, error: str, now: datetime) -> None:
        self._settle(
            notification,
            NotificationStatus.FAILED,
            now,
            "failed_at = :now, last_error = :e",
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
        """The notification's new status, and the same on its case, in one transaction."""
        names_, values = _status_change(status, now.isoformat(), notification.notification_id)
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
                        "ExpressionAttributeNames": names_,
                        "ExpressionAttributeValues": {
                            **values,
                            **more_values,
                            ":now": {"S": now.isoformat()},
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

    def _by_status(self, status: NotificationStatus, before: str | None = None) -> list[dict[str, Any]]:
        condition = "#g = :g" + (" AND #gs < :before" if before else "")
        values: dict[str, Any] = {":g": {"S": f"NOTIFY#{status.value}"}}
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
        """Failed notifications, and pending ones nobody picked up within STALE_PENDING_SECONDS (their
        stream batch was given up): read through the status index, never a scan."""
        stale = datetime.fromtimestamp(now.timestamp() - STALE_PENDING_SECONDS, tz=now.tzinfo).isoformat()
        items = self._by_status(NotificationStatus.FAILED) + self._by_status(
            NotificationStatus.PENDING, before=stale
        )
        fields = (
            "case_id",
            "notification_id",
            "purpose",
            "status",
            "attempts",
            "last_error",
            "created_at",
            "failed_at",
        )
        return [{k: item.get(k) for k in fields} for item in items]

    def redrive(self, case_id: str, notification_id: str, now: datetime) -> bool:
        names_, values = _status_change(NotificationStatus.PENDING, now.isoformat(), notification_id)
        try:
            self.client.update_item(
                TableName=self.table_name,
                Key=_key(names.case_pk(case_id), names.notification_sk(notification_id)),
                UpdateExpression="SET #s = :s, #g = :g, #gs = :gs, attempts = :zero, redriven_at = :now",
                ConditionExpression="#s = :failed OR #s = :s",
                ExpressionAttributeNames=names_,
                ExpressionAttributeValues={
                    **values,
                    ":failed": {"S": NotificationStatus.FAILED.value},
                    ":zero": {"N": "0"},
                    ":now": {"S": now.isoformat()},
                },
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return False
            raise
        return True
