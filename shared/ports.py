"""Ports: what the application needs from the outside world. Adapters in :mod:`shared.adapters`
implement them on AWS; tests may pass fakes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

from shared.domain.case import NewCase, Notification, NotificationStatus
from shared.domain.errors import DomainError
from shared.domain.staff import StaffMember


class LeaseHeld(DomainError):
    """A notification is being sent under another sender's lease, or was taken over after this
    sender's lease expired: deliver it later, or not at all."""


@dataclass(frozen=True)
class CaseQuery:
    """What a case list asks for; every field narrows it (None: any)."""

    open_only: bool = True
    status: str | None = None
    service_area: str | None = None
    manager: str | None = None
    investigator: str | None = None  # appointed to investigate
    kind: str | None = None
    procedure: str | None = None
    due_before: date | None = None  # due on or before
    received_from: date | None = None
    received_to: date | None = None
    hidden_from: str | None = None  # a staff user: leave out the complaints about them


class BadCursor(DomainError):
    """A list cursor that this list did not issue."""


class StaleVersion(DomainError):
    """The case changed since the version the caller read: reload it and try again."""


@dataclass(frozen=True)
class IdempotencyRecord:
    """What registering a request leaves behind, written with its case: the request's ``fingerprint`` and
    the ``answer`` it was given, kept for ``key`` within ``scope`` (the door it came through) until
    ``expires_at``. ``recorded_at`` is when it was written."""

    scope: str
    key: str
    fingerprint: str
    answer: dict[str, Any]
    recorded_at: datetime
    expires_at: datetime

    def live(self, now: datetime) -> bool:
        return now < self.expires_at


class KeyTaken(DomainError):
    """Another request with the same key was registered first: ``record`` is its idempotency record."""

    def __init__(self, record: IdempotencyRecord) -> None:
        super().__init__("this request was registered already")
        self.record = record


class CaseRepository(Protocol):
    def next_reference_number(self, year: int) -> int:
        """Take the next reference number of ``year`` atomically (1 for the first). Never returns the
        same number twice; a number whose case is then not written is a gap in the sequence."""
        ...

    def recall(self, scope: str, key: str) -> IdempotencyRecord | None:
        """The idempotency record kept for ``key`` in ``scope`` (live or expired), read consistently;
        None if there is none."""
        ...

    def create(self, new: NewCase, once: IdempotencyRecord | None = None) -> None:
        """Write the case, its first event, its notifications and ``once`` (when given) in one
        transaction. Raises :class:`KeyTaken` with the record found if ``once``'s key holds a record
        still live at ``once.recorded_at``, and :class:`~shared.domain.errors.Conflict` if the case
        exists or the write collided with another one."""
        ...


class NotificationRepository(Protocol):
    def claim(
        self, case_id: str, notification_id: str, now: datetime, max_attempts: int, lease_seconds: int
    ) -> Notification | None:
        """Take a pending, retryable failed, or expired-lease notification for sending, under a new
        ``claim_token`` and a lease of ``lease_seconds``; None if there is nothing to send (sent, or out
        of attempts). Raises :class:`LeaseHeld` while another sender's lease runs."""
        ...

    def mark_sent(self, notification: Notification, message_id: str, now: datetime) -> None:
        """Record the send, if the claim is still ours (else :class:`LeaseHeld`)."""
        ...

    def mark_failed(self, notification: Notification, error: str, now: datetime) -> None:
        """Record a failed attempt (the claim counted it in ``notification.attempts``), if the claim is
        still ours (else :class:`LeaseHeld`)."""
        ...

    def expired_leases(self, now: datetime) -> list[dict[str, Any]]:
        """Notifications whose sending lease ended before ``now`` (their sender died)."""
        ...

    def release_expired(
        self, case_id: str, notification_id: str, attempts: int, now: datetime, max_attempts: int
    ) -> NotificationStatus | None:
        """Hand an expired claim back for delivery (or to the dead letters when out of attempts)."""
        ...

    def dead_letters(self, now: datetime) -> list[dict[str, Any]]:
        """The dead-letter store: notifications that failed, or were never picked up, awaiting a redrive."""
        ...

    def redrive(self, case_id: str, notification_id: str, now: datetime) -> bool:
        """Put a dead-lettered notification back to pending, which sends it again."""
        ...


class Mailer(Protocol):
    def send(self, to: str, subject: str, text: str, html: str) -> str:
        """Send one email; returns the provider's message id."""
        ...


class ExecutionExists(DomainError):
    """A workflow execution of that name exists already (running or ended): starting it again is done."""


class Workflow(Protocol):
    """The stage workflow's executions (Step Functions in AWS)."""

    def start(self, name: str, payload: dict[str, Any]) -> None:
        """Start the execution ``name`` (a repeat of the same name is harmless)."""

    def stop(self, name: str) -> None:
        """Stop the execution ``name`` if it runs (an unknown or ended one is not an error)."""


class StaffDirectory(Protocol):
    def email_of(self, username: str) -> str | None:
        """The staff user's email address, or None if unknown or without one."""

    def member(self, username: str) -> StaffMember | None:
        """The staff user with their roles and service areas, or None if there is no such user."""
