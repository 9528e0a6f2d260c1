"""The composition root: builds the application services from settings and adapters, once per process."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from shared.adapters.dynamodb import DynamoCaseStore
from shared.config import clock, policy, settings

if TYPE_CHECKING:  # imported where built, so a function loads only what it uses (cold start)
    from shared.adapters.cognito import CognitoDirectory
    from shared.adapters.dynamodb import DynamoReportSource
    from shared.app.casework import Casework
    from shared.intake import IntakeService
    from shared.notifier import NotificationSender
    from shared.reporting.bulletin import BulletinService
    from shared.workflow import TimerService


@cache
def case_store() -> DynamoCaseStore:
    return DynamoCaseStore(settings().table_name)


@cache
def staff_directory() -> CognitoDirectory:
    """Members of staff, from the staff user pool named in the environment (none without it)."""
    import os

    from shared import names
    from shared.adapters.cognito import CognitoDirectory

    return CognitoDirectory(os.environ.get(names.STAFF_POOL_ID_ENV) or None)


@cache
def casework() -> Casework:
    """The one path that records a change to a case (the officer API, the workflow, the console)."""
    from shared.app.casework import Casework

    return Casework(case_store(), clock(), policy(), staff_directory())


@cache
def report_source() -> DynamoReportSource:
    """The case table as the reports read it (shared.reporting.source.ReportSource)."""
    from shared.adapters.dynamodb import DynamoReportSource

    return DynamoReportSource(settings().table_name)


@cache
def bulletin_service() -> BulletinService:
    from shared.reporting.bulletin import BulletinService

    source = report_source()
    return BulletinService(source=source, store=source, clock=clock(), policy=policy())


@cache
def intake_service() -> IntakeService:
    from shared.intake import IntakeService

    return IntakeService(cases=case_store(), clock=clock(), policy=policy())


def prepare_intake() -> None:
    """Build now what registering's first request would build once: the DynamoDB client, the council
    policy (a bad policy file fails here) and the email validator. Run before a SnapStart snapshot
    (functions/intake/handler.py), so a function restored from it starts with them. It calls no AWS
    API, so the snapshot holds no connection."""
    from shared.domain.representation import load_email_validator

    intake_service()
    case_store().client  # noqa: B018 - creating the client is the point
    load_email_validator()


@cache
def notification_sender() -> NotificationSender:
    from shared.adapters.ses import SesMailer
    from shared.notifier import NotificationSender

    config = settings()
    return NotificationSender(
        store=case_store(), mailer=SesMailer(config.sender, config.configuration_set), clock=clock()
    )


@cache
def timer_service() -> TimerService:
    import os

    from shared import names
    from shared.adapters.stepfunctions import StepFunctionsWorkflow
    from shared.workflow import TimerService

    return TimerService(
        store=case_store(),
        casework=casework(),
        workflow=StepFunctionsWorkflow(os.environ.get(names.STATE_MACHINE_ENV, "")),
        directory=staff_directory(),
        clock=clock(),
        policy=policy(),
    )


def reset() -> None:
    """Forget built services (tests and the local service, after changing settings or the clock)."""
    settings.cache_clear()
    policy.cache_clear()
    case_store.cache_clear()
    staff_directory.cache_clear()
    casework.cache_clear()
    report_source.cache_clear()
    bulletin_service.cache_clear()
    intake_service.cache_clear()
    notification_sender.cache_clear()
    timer_service.cache_clear()
