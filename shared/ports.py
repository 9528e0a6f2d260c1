"""Ports: what the application needs from the outside world. Adapters in :mod:`shared.adapters`
implement them on AWS; tests may pass fakes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, Protocol

from shared.domain.case import NewCase, Notification


class CaseRepository(Protocol):
    def current_counter(self, year: int) -> int:
        """The last reference number issued in ``year`` (0 if none)."""
        ...

    def create(self, new: NewCase, *, counter_year: int, counter_was: int) -> None:
        """Write the case, its first event, its notifications and the counter in one transaction.
        Raises :class:`~shared.domain.errors.Conflict` if the counter moved (retry with a new number)."""
        ...


class Idempotency(Protocol):
    def once(self, key: str, fingerprint: str, work: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        """Run ``work`` once per key within the window; a repeat returns the first result. The same key
        with a different fingerprint is refused."""
        ...


class NotificationRepository(Protocol):
    def claim(
        self, case_id: str, notification_id: str, now: datetime, max_attempts: int
    ) -> Notification | None:
        """Take a pending (or failed, retryable) notification for sending; None if it is not claimable."""
        ...

    def mark_sent(self, notification: Notification, message_id: str, now: datetime) -> None: ...

    def mark_failed(self, notification: Notification, error: str, now: datetime) -> None:
        """Record a failed attempt (the claim counted it in ``notification.attempts``)."""
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
