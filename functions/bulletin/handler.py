"""The scorecard bulletin, run on a schedule (daily in AWS, the same handler locally): after each month
or quarter ends, its scorecard goes to the senior leadership list once (shared/reporting/bulletin.py)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.wiring import bulletin_service

logger = Logger(service="heard-bulletin")


@logger.inject_lambda_context(log_event=False)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    period = bulletin_service().send()
    logger.info("bulletin", extra={"period": period, "sent": period is not None})
    return {"sent": period}
