"""The letters a case change owes, from the real aggregate to moto's SES: :func:`apply` decides them,
:func:`letters_of` addresses them, and the real :class:`NotificationSender` renders and sends them with
the real SES mailer, from an in-memory repository and, in the round trip, from the store the officer
API's save writes them to (with the case, in one transaction)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from typing import Any

from pydantic import TypeAdapter

from infra.local.clock import LocalClock
from infra.local.emulator import LocalResources
from infra.local.outbox import sent_emails
from shared import wiring
from shared.domain.case import NewCase, Notification, NotificationStatus, register
from shared.domain.casefile import Case, Command, Decision, apply
from shared.domain.policy import CouncilPolicy
from shared.domain.representation import RepresentationRequest
from shared.domain.stages import Actor
from shared.letters import letters_of
from shared.notifier import NotificationSender, Outcome
from tests.conftest import START, complaint

POLICY = CouncilPolicy()
COMMAND: TypeAdapter[Any] = TypeAdapter(Command)
ACCEPT = {"action": "accept", "procedure": "statutory", "reason": "A looked-after child: s.26(3)(a)."}
RESPOND = {
    "action": "respond-stage1",
    "sent_on": "2026-12-09",
    "findings": [
        {"point": "Calls not returned", "outcome": "upheld"},
        {"point": "Care plan late", "outcome": "not-upheld"},
    ],
    "remedies_pence": 5000,
}


class Letters:
    """The sending half of the notification repository, in memory: the letters as written with the case."""

    def __init__(self, letters: tuple[Notification, ...]) -> None:
        self.pending = {n.notification_id: n for n in letters}
        self.sent: dict[str, str] = {}

    def claim(
        self, case_id: str, notification_id: str, now: datetime, max_attempts: int, lease_seconds: int
    ) -> Notification | None:
        letter = self.pending.pop(notification_id, None)
        if letter is None:
            return None
        return replace(letter, status=NotificationStatus.SENDING, attempts=1, claim_token="token")

    def mark_sent(self, notification: Notification, message_id: str, now: datetime) -> None:
        self.sent[notification.notification_id] = message_id

    def mark_failed(self, notification: Notification, error: str, now: datetime) -> None:
        raise AssertionError(f"{notification.notification_id} failed: {error}")

    def expired_leases(self, now: datetime) -> list[dict[str, Any]]:
        raise NotImplementedError

    def release_expired(
        self, case_id: str, notification_id: str, attempts: int, now: datetime, max_attempts: int
    ) -> NotificationStatus | None:
        raise NotImplementedError

    def dead_letters(self, now: datetime) -> list[dict[str, Any]]:
        raise NotImplementedError

    def redrive(self, case_id: str, notification_id: str, now: datetime) -> bool:
        raise NotImplementedError


def registered(**overrides: Any) -> NewCase:
    body = complaint(
        **{
            "role": "child-looked-after",
            "on_behalf_of": "myself",
            "name": "Jo Bloggs",
            "advocacy_offered": True,  # the form offers every child an advocate (s.26A)
            **overrides,
        }
    )
    request = RepresentationRequest.model_validate(body, context={"today": START.date()})
    return register(
        request,
        case_id="c1",
        reference="CSC-2026-00001",
        received_at=START,
        registered_at=START,
        policy=POLICY,
    )


def decide(case: Case, body: dict[str, Any], actor: Actor, on: date) -> Decision:
    now = datetime.combine(on, START.timetz())
    return apply(case, COMMAND.validate_python(body), actor, f"user-{actor}", now, POLICY)


def accepted_then_answered(new: NewCase) -> tuple[Decision, Decision]:
    accepted = decide(Case.model_validate(new.case), ACCEPT, Actor.COMPLAINTS_OFFICER, START.date())
    answered = decide(accepted.case, RESPOND, Actor.SERVICE_MANAGER, date(2026, 12, 9))
    return accepted, answered


def send(letters: tuple[Notification, ...], clock: LocalClock) -> Letters:
    store = Letters(letters)
    sender = NotificationSender(store=store, mailer=wiring.notification_sender().mailer, clock=clock)
    for letter in letters:
        assert sender.deliver(letter.case_id, letter.notification_id) is Outcome.SENT
        assert sender.deliver(letter.case_id, letter.notification_id) is Outcome.SKIPPED, "sent once"
    return store


def test_acceptance_and_the_stage1_outcome_reach_the_child_and_a_copy_reaches_the_advocate(
    aws: LocalResources, clock: LocalClock
) -> None:
    new = registered(advocacy="has-one", advocate_name="Lee Advocate", advocate_email="lee@advocacy.example")
    accepted, answered = accepted_then_answered(new)
    letters = letters_of(accepted) + letters_of(answered)
    assert [(n.notification_id, n.to) for n in letters] == [
        ("c1-e000002-case-accepted", "sam@example.org"),
        ("c1-e000002-case-accepted-advocate", "lee@advocacy.example"),
        ("c1-e000003-stage1-outcome", "sam@example.org"),
        ("c1-e000003-stage1-outcome-advocate", "lee@advocacy.example"),
    ]
    store = send(letters, clock)
    assert set(store.sent) == {n.notification_id for n in letters}

    emails = sent_emails()
    assert sorted(e["to"] for e in emails) == sorted(n.to for n in letters)
    by_subject = {e["subject"]: e for e in emails}
    assert sorted(by_subject) == [
        "Copy: Our stage 1 response to your complaint: CSC-2026-00001",
        "Copy: We are looking into your complaint: CSC-2026-00001",
        "We are looking into it: CSC-2026-00001",
        "What we found: CSC-2026-00001",
    ]
    acceptance = by_subject["We are looking into it: CSC-2026-00001"]
    assert acceptance["to"] == "sam@example.org"
    assert acceptance["text"].startswith("Hi Jo,")  # the child-friendly wording, first name only
    assert "Thursday 10 December 2026" in acceptance["text"] and "advocate" in acceptance["text"]

    outcome = by_subject["What we found: CSC-2026-00001"]
    assert outcome["to"] == "sam@example.org"
    # One point upheld and one not: partly upheld, in words; the response sent Wed 9 Dec 2026; the
    # stage 2 request window 20 working days on, over Christmas and New Year: Mon 11 Jan 2027.
    assert "this is called partly upheld" in outcome["text"]
    assert "Wednesday 9 December 2026" in outcome["text"]
    assert "Please tell us by Monday 11 January 2027." in outcome["text"]
    assert "<strong>Monday 11 January 2027</strong>" in outcome["html"]

    copy = by_subject["Copy: Our stage 1 response to your complaint: CSC-2026-00001"]
    assert copy["to"] == "lee@advocacy.example"
    assert copy["text"].startswith("Hello,\n\nYou are named as the advocate")
    assert "your complaint is partly upheld." in copy["text"]  # the adult wording
    assert "Please ask by Monday 11 January 2027." in copy["text"]

    for email in emails:
        for said in ("Bloggs", "Lee Advocate", "care plan", "Calls not returned", "Care plan late"):
            assert said not in email["text"] and said not in email["html"] and said not in email["subject"]
        assert "Jo" not in email["subject"]


def test_nobody_is_emailed_who_chose_another_way_to_be_contacted(
    aws: LocalResources, clock: LocalClock
) -> None:
    new = registered(preferred_contact="post", address="1 High Street, Example City")
    accepted, answered = accepted_then_answered(new)
    assert accepted.notifications and answered.notifications, "the letters are owed all the same"
    assert letters_of(accepted) + letters_of(answered) == ()
    assert sent_emails() == []


def test_letters_saved_with_the_change_are_sent_from_the_store(
    aws: LocalResources, clock: LocalClock
) -> None:
    new = registered(advocacy="has-one", advocate_name="Lee", advocate_email="lee@advocacy.example")
    store = wiring.case_store()
    store.create(new)
    accepted, _ = accepted_then_answered(new)
    letters = letters_of(accepted)
    store.save(accepted, 1, letters)
    sender = wiring.notification_sender()
    for letter in letters:
        assert sender.deliver("c1", letter.notification_id) is Outcome.SENT
    assert sorted(e["subject"] for e in sent_emails()) == [
        "Copy: We are looking into your complaint: CSC-2026-00001",
        "We are looking into it: CSC-2026-00001",
    ]
    stored = store.load("c1")
    assert stored is not None and {stored.notifications[n.notification_id] for n in letters} == {"sent"}
