"""Typed domain errors. Handlers map each class to one HTTP status."""

from __future__ import annotations


class DomainError(Exception):
    """Base class: ``reason`` is a sentence fit to show a user."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class IllegalTransition(DomainError):
    """The requested action is not possible from the case's current state, or not by this actor.
    ``possible`` lists the actions the actor may take now, where the refusal knows them."""

    def __init__(self, reason: str, possible: tuple[str, ...] | None = None) -> None:
        super().__init__(reason)
        self.possible = possible


class NotPermitted(IllegalTransition):
    """The step is possible now, but not for this actor (the officer API answers 403)."""


class NotEligible(DomainError):
    """A triage decision breaks the eligibility rules."""


class NoExtension(DomainError):
    """An extended deadline was asked for a step that has no extended maximum."""


class PolicyError(DomainError):
    """The council policy file is missing, unreadable or invalid."""


class Conflict(DomainError):
    """The record changed since it was read (optimistic locking), or already exists."""


class NotFound(DomainError):
    """No such record."""


class KeyReused(DomainError):
    """The same idempotency key was sent with a different request (raised by the intake service)."""
