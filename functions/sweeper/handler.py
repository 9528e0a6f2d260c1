"""The notification sweep, run on a schedule (every few minutes in AWS, the same handler locally): hands
back claims whose sender died between claiming and recording, which no stream delivery would touch."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.config import clock
from shared.notifier import Outcome, sweep_expired_leases
from shared.wiring import case_store

logger = Logger(service="heard-sweeper")


@logger.inject_lambda_context(log_event=False)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    released = sweep_expired_leases(case_store(), clock())
    for _case_id, notification_id, status in released:
        # Identifiers only. "lease-expired" lines raise the NotificationsStuck alarm.
        logger.warning(
            "notification",
            extra={
                "notification_id": notification_id,
                "outcome": Outcome.LEASE_EXPIRED.value,
                "now": status.value,
            },
        )
    return {"released": len(released)}
