"""The composition root: builds the application services from settings and adapters, once per process."""

from __future__ import annotations

from functools import cache

from shared.adapters.dynamodb import DynamoCaseStore
from shared.adapters.idempotency import PowertoolsIdempotency
from shared.adapters.ses import SesMailer
from shared.config import clock, policy, settings
from shared.intake import IntakeService
from shared.notifier import NotificationSender


@cache
def case_store() -> DynamoCaseStore:
    return DynamoCaseStore(settings().table_name)


@cache
def idempotency() -> PowertoolsIdempotency:
    return PowertoolsIdempotency(settings().table_name, client=case_store().client)


@cache
def intake_service() -> IntakeService:
    return IntakeService(cases=case_store(), idempotency=idempotency(), clock=clock(), policy=policy())


@cache
def notification_sender() -> NotificationSender:
    config = settings()
    return NotificationSender(
        store=case_store(), mailer=SesMailer(config.sender, config.configuration_set), clock=clock()
    )


def reset() -> None:
    """Forget built services (tests and the local service, after changing settings or the clock)."""
    settings.cache_clear()
    policy.cache_clear()
    case_store.cache_clear()
    idempotency.cache_clear()
    intake_service.cache_clear()
    notification_sender.cache_clear()
