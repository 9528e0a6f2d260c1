"""Notifications are recorded with the case and sent from the stream: never lost, never duplicated,
even when SES fails. Faults are injected at the mailer port; everything else is real (moto)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from infra.catalog import API_FUNCTIONS, NOTIFIER
from infra.local.emulator import LocalResources
from infra.local.gateway import Gateway, LambdaContext, load_handler
from infra.local.outbox import sent_emails
from infra.local.streams import StreamPump
from shared import wiring
from shared.notifier import MAX_ATTEMPTS
from tests.conftest import as_json, complaint


class FlakyMailer:
    """Fails the first ``failures`` sends the way SES does when throttled, then delegates."""

    def __init__(self, real: Any, failures: int) -> None:
        self.real, self.failures, self.calls = real, failures, 0

    def send(self, to: str, subject: str, text: str, html: str) -> str:
        self.calls += 1
        if self.calls <= self.failures:
            raise ClientError({"Error": {"Code": "Throttling", "Message": "Rate exceeded"}}, "SendEmail")
        result: str = self.real.send(to, subject, text, html)
        return result


@pytest.fixture
def submit(aws: LocalResources) -> Any:
    gateway = Gateway(API_FUNCTIONS)

    def _submit(body: dict[str, Any]) -> dict[str, Any]:
        status, _, payload = gateway.dispatch(
            "POST", "/representations", {"Content-Type": "application/json"}, as_json(body)
        )
        assert status == 201, payload
        result: dict[str, Any] = json.loads(payload)
        return result

    return _submit


def pump(aws: LocalResources, max_retries: int = 3) -> StreamPump:
    assert NOTIFIER.stream is not None
    return StreamPump(
        aws.table_name,
        load_handler(NOTIFIER.handler),
        aws.dead_letter_queue_url,
        trigger=replace(NOTIFIER.stream, retry_attempts=max_retries),
        sleep=lambda _: None,
    )


def case_notifications(reference: str) -> dict[str, str]:
    store = wiring.case_store()
    items = store.client.scan(TableName=store.table_name)["Items"]
    case = next(i for i in items if i.get("reference", {}).get("S") == reference)
    return {k: v["S"] for k, v in case["notifications"]["M"].items()}


def test_acknowledgement_and_team_alert_are_sent_once(aws: LocalResources, submit: Any) -> None:
    receipt = submit(complaint())
    stream = pump(aws)
    stream.drain()
    stream.drain()
    emails = sent_emails()
    assert sorted(e["to"] for e in emails) == ["complaints-team@heard.example", "sam@example.org"]
    ack = next(e for e in emails if e["to"] == "sam@example.org")
    assert receipt["reference"] in ack["subject"]
    assert "Thursday 10 December 2026" in ack["text"]
    assert "care plan" not in ack["text"], "the acknowledgement must not repeat what was said"
    alert = next(e for e in emails if e["to"] == "complaints-team@heard.example")
    assert "Sam" not in alert["text"] and "sam@example.org" not in alert["text"]
    assert set(case_notifications(receipt["reference"]).values()) == {"sent"}


def test_no_email_unless_email_is_chosen_but_the_team_is_always_told(
    aws: LocalResources, submit: Any
) -> None:
    submit(complaint(preferred_contact="phone", phone="07700 900982"))
    pump(aws).drain()
    assert [e["to"] for e in sent_emails()] == ["complaints-team@heard.example"]


def test_a_redelivered_stream_record_never_sends_twice(aws: LocalResources, submit: Any) -> None:
    submit(complaint())
    streams = boto3.client("dynamodbstreams")
    arn = boto3.client("dynamodb").describe_table(TableName=aws.table_name)["Table"]["LatestStreamArn"]
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")[
        "ShardIterator"
    ]
    records = streams.get_records(ShardIterator=iterator)["Records"]
    handler = load_handler(NOTIFIER.handler)
    for _ in range(3):
        result = handler({"Records": records}, LambdaContext(function_name="Notifier"))
        assert result["batchItemFailures"] == []
    assert len(sent_emails()) == 2


def test_ses_failures_are_retried_then_sent_exactly_once(aws: LocalResources, submit: Any) -> None:
    receipt = submit(complaint())
    sender = wiring.notification_sender()
    flaky = FlakyMailer(sender.mailer, failures=2)
    sender.mailer = flaky
    pump(aws).drain()
    assert flaky.calls == 4  # two failures, then one send for each of the two notifications
    assert len(sent_emails()) == 2
    assert set(case_notifications(receipt["reference"]).values()) == {"sent"}


def test_ses_down_dead_letters_then_a_redrive_sends_exactly_once(
    aws: LocalResources, submit: Any, clock: Any
) -> None:
    receipt = submit(complaint())
    sender = wiring.notification_sender()
    real = sender.mailer
    sender.mailer = FlakyMailer(real, failures=10_000)
    stream = pump(aws, max_retries=MAX_ATTEMPTS)
    stream.drain()
    assert sent_emails() == []
    failed = wiring.case_store().dead_letters(clock.now())
    assert sorted(f["purpose"] for f in failed) == ["acknowledgement", "team-alert"]
    assert all(f["attempts"] == MAX_ATTEMPTS for f in failed)
    assert all("sam@" not in (f["last_error"] or "") for f in failed)
    assert set(case_notifications(receipt["reference"]).values()) == {"failed"}

    sender.mailer = real  # SES recovers
    store = wiring.case_store()
    assert all(store.redrive(f["case_id"], f["notification_id"], clock.now()) for f in failed)
    stream.drain()
    stream.drain()
    assert not store.redrive(failed[0]["case_id"], failed[0]["notification_id"], clock.now()), (
        "a sent one stays sent"
    )
    assert len(sent_emails()) == 2
    assert store.dead_letters(clock.now()) == []
    assert set(case_notifications(receipt["reference"]).values()) == {"sent"}


def test_a_child_gets_a_child_friendly_email(aws: LocalResources, submit: Any) -> None:
    submit(complaint(role="child-looked-after", on_behalf_of="myself", name="Jo", advocacy="wants-one"))
    pump(aws).drain()
    ack = next(e for e in sent_emails() if e["to"] == "sam@example.org")
    assert ack["text"].startswith("Hi Jo,")
    assert "Childline" in ack["text"] and "<strong>" in ack["html"]
    # The child asked for an advocate: told so, with the service, how to reach it and by when.
    assert "You asked for an advocate" in ack["text"] and "just tell us" not in ack["text"].lower()
    assert "Example Advocacy Service" in ack["text"] and "Monday 30 November 2026" in ack["text"]
    alert = next(e for e in sent_emails() if e["to"] == "complaints-team@heard.example")
    assert "arrange one with Example Advocacy Service by Monday 30 November 2026" in alert["text"]


def test_a_compliment_is_thanked_and_shared_with_the_manager(aws: LocalResources, submit: Any) -> None:
    submit(
        complaint(
            kind="compliment",
            what_happened="Priya <b>listened</b> to us and made things better.",
            service_area="fostering",
            team_or_worker="Priya, fostering team",
            outcome_wanted=None,
        )
    )
    pump(aws).drain()
    emails = {e["subject"].split(":")[0]: e for e in sent_emails()}
    assert "Thank you for your compliment" in emails
    assert emails["Thank you for your compliment"]["text"].startswith("Dear Sam,")
    shared = emails["A compliment for your team"]
    # Staff emails carry no words the public typed: a link to read them in Heard instead.
    for part in (shared["text"], shared["html"]):
        assert "Priya" not in part and "listened" not in part and "sam@example.org" not in part
    assert "https://heard.example/cases/CSC-2026-00001" in shared["text"]
    alert = next(e for e in sent_emails() if e["to"] == "complaints-team@heard.example")
    assert "acknowledge by" not in alert["text"].lower() and "Suggested procedure" not in alert["text"]


def test_an_advocate_gets_a_copy(aws: LocalResources, submit: Any) -> None:
    submit(complaint(advocacy="has-one", advocate_name="Lee", advocate_email="lee@advocacy.example"))
    pump(aws).drain()
    to = sorted(e["to"] for e in sent_emails())
    assert "lee@advocacy.example" in to


def test_when_the_event_source_gives_up_the_batch_reaches_the_dead_letter_queue(
    aws: LocalResources, submit: Any, clock: Any
) -> None:
    submit(complaint())
    sender = wiring.notification_sender()
    sender.mailer = FlakyMailer(sender.mailer, failures=10_000)
    pump(aws, max_retries=1).drain()
    messages = boto3.client("sqs").receive_message(QueueUrl=aws.dead_letter_queue_url, MaxNumberOfMessages=10)
    # Every record failed, so the function errored and the batch was bisected: the two notification
    # records were given up one by one, and each is described on the on-failure destination.
    bodies = [json.loads(m["Body"]) for m in messages["Messages"]]
    assert all(b["source"] == "dynamodb-stream" for b in bodies)
    assert sum(b["batchSize"] for b in bodies) == 2
    assert all("sam@" not in m["Body"] for m in messages["Messages"])
    letters = wiring.case_store().dead_letters(clock.now())
    assert sorted(f["purpose"] for f in letters) == ["acknowledgement", "team-alert"]
    assert all(f["attempts"] < MAX_ATTEMPTS for f in letters)


def test_a_notification_nobody_picked_up_joins_the_dead_letters_and_is_redriven(
    aws: LocalResources, submit: Any, clock: Any
) -> None:
    submit(complaint())  # and the stream is never delivered, as when a batch is given up
    store = wiring.case_store()
    assert store.dead_letters(clock.now()) == [], "pending notifications are not dead until stale"
    clock.advance(timedelta(minutes=20))
    stuck = store.dead_letters(clock.now())
    assert sorted((f["purpose"], f["status"]) for f in stuck) == [
        ("acknowledgement", "pending"),
        ("team-alert", "pending"),
    ]
    stream = pump(aws)
    for f in stuck:
        assert store.redrive(f["case_id"], f["notification_id"], clock.now())
    stream.drain()
    assert sorted(e["to"] for e in sent_emails()) == ["complaints-team@heard.example", "sam@example.org"]


def test_the_cli_lists_and_redrives_dead_letters(
    aws: LocalResources, submit: Any, clock: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    from shared.cli import main

    submit(complaint())
    clock.advance(timedelta(minutes=20))  # never delivered: the two notifications are dead letters now
    capsys.readouterr()
    assert main(["notifications", "dead-letters"]) == 0
    listed = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert sorted(item["purpose"] for item in listed) == ["acknowledgement", "team-alert"]
    assert "sam@" not in json.dumps(listed)
    assert main(["notifications", "redrive"]) != 0
    assert "needs --all" in capsys.readouterr().err
    assert main(["notifications", "redrive", "--all"]) == 0
    assert "redriven: 2 of 2" in capsys.readouterr().out
    pump(aws).drain()
    assert len(sent_emails()) == 2
