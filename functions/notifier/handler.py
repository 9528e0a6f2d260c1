"""Sends the notifications recorded with cases: reads the case table's stream, reports failed records
so the event source retries them (partial batch responses)."""

from __future__ import annotations

from typing import Any, cast

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared import names
from shared.domain.case import NotificationStatus
from shared.notifier import Outcome
from shared.wiring import notification_sender

logger = Logger(service="heard-notifier")
processor = BatchProcessor(event_type=EventType.DynamoDBStreams)


def record_handler(record: DynamoDBRecord) -> None:
    image = (record.raw_event.get("dynamodb") or {}).get("NewImage") or {}
    if image.get(names.TYPE_ATTRIBUTE, {}).get("S") != names.NOTIFICATION_TYPE:
        return
    if image.get("status", {}).get("S") != NotificationStatus.PENDING.value:
        return
    case_id, notification_id = image["case_id"]["S"], image["notification_id"]["S"]
    outcome = notification_sender().deliver(case_id, notification_id)
    # Identifiers only: addresses and content never reach the logs.
    log = logger.error if outcome is Outcome.DEAD_LETTERED else logger.info
    log("notification", extra={"notification_id": notification_id, "outcome": outcome.value})


def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    response = process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
    return cast(dict[str, Any], response)
