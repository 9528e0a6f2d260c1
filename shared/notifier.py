"""Delivering recorded notifications: claim, render, send, mark. A notification is claimed before it
is sent, so a redelivered stream record never sends twice; a failure is recorded and retried, and after
the last attempt the notification waits in the dead-letter state for a redrive."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from shared.domain.case import NotificationStatus
from shared.domain.clock import Clock
from shared.emails import render
from shared.ports import Mailer, NotificationRepository

MAX_ATTEMPTS = 5
#: How long a claim holds a notification. Shorter than the Notifier function's timeout, so that the claim
#: of a sender that was killed is free again soon after; longer than the mailer's worst case for one
#: send (:data:`shared.adapters.ses.WORST_CASE_SEND_SECONDS`), so a live sender never outlives its lease.
LEASE_SECONDS = 10


class DeliveryFailed(Exception):
    """Sending failed and will be retried (the stream record is reported as a batch item failure)."""


class Outcome(StrEnum):
    SENT = "sent"
    SKIPPED = "skipped"  # already sent, or dead-lettered
    DEAD_LETTERED = "dead-lettered"
    LEASE_EXPIRED = "lease-expired"  # found by the sweep: its sender died between claim and mark


@dataclass
class NotificationSender:
    store: NotificationRepository
    mailer: Mailer
    clock: Clock
    max_attempts: int = MAX_ATTEMPTS
    lease_seconds: int = LEASE_SECONDS

    def deliver(self, case_id: str, notification_id: str) -> Outcome:
        """Claim, send, record. Raises :class:`DeliveryFailed` (retry later) when sending failed, and
        :class:`~shared.ports.LeaseHeld` while another sender holds the notification."""
        notification = self.store.claim(
            case_id, notification_id, self.clock.now(), self.max_attempts, self.lease_seconds
        )
        if notification is None:
            return Outcome.SKIPPED
        email = render(notification)
        try:
            message_id = self.mailer.send(notification.to, email.subject, email.text, email.html)
        except Exception as exc:
            # Only the error's type and code are kept: never the address or the message.
            code = getattr(exc, "response", {}).get("Error", {}).get("Code", "")
            self.store.mark_failed(notification, f"{type(exc).__name__} {code}".strip(), self.clock.now())
            if notification.attempts >= self.max_attempts:  # the claim counted this attempt
                return Outcome.DEAD_LETTERED
            raise DeliveryFailed(f"attempt {notification.attempts} of {self.max_attempts} failed") from exc
        self.store.mark_sent(notification, message_id, self.clock.now())
        return Outcome.SENT


def redrive_dead_letters(store: NotificationRepository, clock: Clock) -> tuple[int, int]:
    """Put every dead letter back to pending; returns (redriven, found)."""
    now = clock.now()
    letters = store.dead_letters(now)
    redriven = sum(store.redrive(letter["case_id"], letter["notification_id"], now) for letter in letters)
    return redriven, len(letters)


def sweep_expired_leases(
    store: NotificationRepository, clock: Clock, max_attempts: int = MAX_ATTEMPTS
) -> list[tuple[str, str, NotificationStatus]]:
    """Find claims whose lease expired with no delivery to retake them, and hand each back: to pending
    (the stream delivers it again) or, out of attempts, to the dead letters. Returns (case, notification,
    new status) for each one released."""
    now = clock.now()
    released = []
    for item in store.expired_leases(now):
        status = store.release_expired(
            item["case_id"], item["notification_id"], int(item["attempts"]), now, max_attempts
        )
        if status is not None:
            released.append((item["case_id"], item["notification_id"], status))
    return released
