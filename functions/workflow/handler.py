"""The stage workflow's function, triggered two ways:

- by the case table's stream (case items only): keeps one workflow execution per running timer
  (:meth:`~shared.workflow.TimerService.reconcile`), reporting failed records for a retry;
- by the state machine's task, with ``{"case_id", "timer", "revision", "since", "wake_at"}``: does what
  the timer does now and returns the execution's next state (:meth:`~shared.workflow.TimerService.wake`).
"""

from __future__ import annotations

from typing import Any, cast

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared import names
from shared.adapters.dynamodb import from_item
from shared.domain.casefile import Case
from shared.wiring import timer_service

logger = Logger(service="heard-workflow")
processor = BatchProcessor(event_type=EventType.DynamoDBStreams)


def _case(image: dict[str, Any] | None) -> Case | None:
    if not image or image.get(names.TYPE_ATTRIBUTE, {}).get("S") != names.CASE_TYPE:
        return None
    return Case.model_validate(from_item(image))


def record_handler(record: DynamoDBRecord) -> None:
    change = record.raw_event.get("dynamodb") or {}
    before, after = _case(change.get("OldImage")), _case(change.get("NewImage"))
    if before is None and after is None:
        return
    stopped, started = timer_service().reconcile(before, after)
    if stopped or started:
        # Identifiers only: no personal data reaches the logs.
        case_id = (after or before).case_id  # type: ignore[union-attr]
        logger.info("timers", extra={"case_id": case_id, "stopped": stopped, "started": started})


def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    if "Records" in event:
        response = process_partial_response(
            event=event, record_handler=record_handler, processor=processor, context=context
        )
        return cast(dict[str, Any], response)
    following = timer_service().wake(event)
    logger.info(
        "timer woke",
        extra={"case_id": event.get("case_id"), "timer": event.get("timer"), "next": following["wake_at"]},
    )
    return following
