"""A notification claimed for sending can never get stuck: the claim carries a token and a lease shorter
than the Notifier's timeout; an expired lease is taken again by the next delivery; the sweep hands back
expired claims no delivery will touch; stuck claims show among the dead letters and can be redriven.
Faults are injected at the mailer port (the sender is killed between the claim and the mark)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta
from typing import Any

import boto3
import pytest

from infra.catalog import INTAKE, NOTIFIER, SWEEPER
from infra.local.emulator import LocalResources
from infra.local.gateway import Gateway, LambdaContext, load_handler
from infra.local.outbox import sent_emails
from infra.local.streams import StreamPump
from shared import names, wiring
from shared.adapters.ses import WORST_CASE_SEND_SECONDS
from shared.notifier import LEASE_SECONDS, MAX_ATTEMPTS, Outcome
from shared.ports import LeaseHeld
from tests.conftest import as_json, complaint


class Killed(BaseException):
    """The Lambda runtime ending the sender (a timeout, an out-of-memory): no handler of ours runs."""


class KillingMailer:
    def __init__(self, real: Any, kills: int = 1) -> None:
        self.real, self.kills, self.sent = real, kills, 0

    def send(self, to: str, subject: str, text: str, html: str) -> str:
        if self.kills:
            self.kills -= 1
            raise Killed
        self.sent += 1
        result: str = self.real.send(to, subject, text, html)
        return result


@pytest.fixture
def acknowledgement(aws: LocalResources) -> tuple[str, str]:
    """Submit a complaint; returns (case id, notification id) of the acknowledgement to the complainant."""
    status, _, payload = Gateway((INTAKE,)).dispatch(
        "POST", "/representations", {"Content-Type": "application/json"}, as_json(complaint())
    )
    assert status == 201, payload
    items = boto3.client("dynamodb").scan(TableName=aws.table_name)["Items"]
    (ack,) = [i for i in items if i.get("purpose", {}).get("S") == "acknowledgement"]
    return ack["case_id"]["S"], ack["notification_id"]["S"]


def _item(aws: LocalResources, case_id: str, notification_id: str) -> dict[str, Any]:
    key = {names.PK: {"S": names.case_pk(case_id)}, names.SK: {"S": names.notification_sk(notification_id)}}
    item: dict[str, Any] = boto3.client("dynamodb").get_item(TableName=aws.table_name, Key=key)["Item"]
    return item


def _kill_during_send(case_id: str, notification_id: str) -> None:
    sender = wiring.notification_sender()
    real = sender.mailer
    sender.mailer = KillingMailer(real)
    with pytest.raises(Killed):
        sender.deliver(case_id, notification_id)
    sender.mailer = real


def _to_complainant() -> list[dict[str, Any]]:
    return [e for e in sent_emails() if e["to"] == "sam@example.org"]


def test_the_lease_ends_before_the_function_is_killed_and_after_any_send_could() -> None:
    assert WORST_CASE_SEND_SECONDS < LEASE_SECONDS < NOTIFIER.timeout_seconds


def test_a_killed_sender_s_claim_is_retaken_by_the_next_delivery_once_its_lease_ends(
    aws: LocalResources, acknowledgement: tuple[str, str], clock: Any
) -> None:
    case_id, notification_id = acknowledgement
    _kill_during_send(case_id, notification_id)
    claimed = _item(aws, case_id, notification_id)
    assert claimed["status"]["S"] == "sending" and claimed["claim_token"]["S"]

    sender = wiring.notification_sender()
    with pytest.raises(LeaseHeld):  # the stream's retry while the lease runs: try again later
        sender.deliver(case_id, notification_id)
    assert _to_complainant() == []

    clock.advance(timedelta(seconds=LEASE_SECONDS + 1))
    assert sender.deliver(case_id, notification_id) is Outcome.SENT
    assert sender.deliver(case_id, notification_id) is Outcome.SKIPPED
    assert len(_to_complainant()) == 1
    done = _item(aws, case_id, notification_id)
    assert done["status"]["S"] == "sent" and done["attempts"]["N"] == "2" and "lease_until" not in done


def test_a_stale_sender_cannot_record_over_the_one_that_took_over(
    aws: LocalResources, acknowledgement: tuple[str, str], clock: Any
) -> None:
    case_id, notification_id = acknowledgement
    store, now = wiring.case_store(), clock.now()
    first = store.claim(case_id, notification_id, now, MAX_ATTEMPTS, LEASE_SECONDS)
    assert first is not None
    later = now + timedelta(seconds=LEASE_SECONDS + 1)
    second = store.claim(case_id, notification_id, later, MAX_ATTEMPTS, LEASE_SECONDS)
    assert second is not None and second.claim_token != first.claim_token
    with pytest.raises(LeaseHeld):
        store.mark_failed(first, "Throttling", later)
    store.mark_sent(second, "message-2", later)
    item = _item(aws, case_id, notification_id)
    assert item["status"]["S"] == "sent" and item["message_id"]["S"] == "message-2"


def test_the_sweep_hands_back_an_expired_claim_that_no_delivery_will_touch(
    aws: LocalResources, acknowledgement: tuple[str, str], clock: Any, caplog: pytest.LogCaptureFixture
) -> None:
    case_id, notification_id = acknowledgement
    assert NOTIFIER.stream is not None
    pump = StreamPump(
        aws.table_name,
        load_handler(NOTIFIER.handler),
        aws.dead_letter_queue_url,
        trigger=replace(NOTIFIER.stream, retry_attempts=0),
        sleep=lambda _: None,
    )
    _kill_during_send(case_id, notification_id)
    pump.drain()  # the stream delivered everything else; the killed claim's record was consumed
    store = wiring.case_store()
    assert [d["notification_id"] for d in store.dead_letters(clock.now())] == []

    clock.advance(timedelta(seconds=LEASE_SECONDS + 1))
    stuck = store.dead_letters(clock.now())
    assert [(d["notification_id"], d["status"]) for d in stuck] == [(notification_id, "sending")]
    json.dumps(stuck)  # what /_local/dead-letters serves

    # The log records themselves (a logger built by an earlier test holds that test's sys.stdout).
    caplog.clear()
    sweeper = load_handler(SWEEPER.handler)
    assert sweeper({}, LambdaContext(function_name=SWEEPER.name)) == {"released": 1}
    logged = [vars(record) for record in caplog.records if record.name == "heard-sweeper"]
    assert [(e["notification_id"], e["outcome"]) for e in logged] == [(notification_id, "lease-expired")]
    assert "sam@" not in repr(logged)
    assert sweeper({}, LambdaContext(function_name=SWEEPER.name)) == {"released": 0}

    pump.drain()
    assert len(_to_complainant()) == 1
    assert store.dead_letters(clock.now()) == []


def test_an_expired_claim_out_of_attempts_becomes_a_dead_letter_and_can_be_redriven(
    aws: LocalResources, acknowledgement: tuple[str, str], clock: Any
) -> None:
    case_id, notification_id = acknowledgement
    sender = wiring.notification_sender()
    for _ in range(MAX_ATTEMPTS):  # killed on every attempt, each retaken after its lease
        _kill_during_send(case_id, notification_id)
        clock.advance(timedelta(seconds=LEASE_SECONDS + 1))
    assert sender.deliver(case_id, notification_id) is Outcome.SKIPPED, "no attempts left to retake it"
    load_handler(SWEEPER.handler)({}, LambdaContext(function_name=SWEEPER.name))
    item = _item(aws, case_id, notification_id)
    assert item["status"]["S"] == "failed" and item["last_error"]["S"].startswith("LeaseExpired")

    store = wiring.case_store()
    assert store.redrive(case_id, notification_id, clock.now())
    assert sender.deliver(case_id, notification_id) is Outcome.SENT
    assert len(_to_complainant()) == 1
