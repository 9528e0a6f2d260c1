"""Function configuration: typed, validated once, lazily (importing a module never needs the environment)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache

from shared import names
from shared.domain.clock import Clock, SystemClock
from shared.domain.policy import CouncilPolicy, load_policy

_clock: Clock = SystemClock()


def clock() -> Clock:
    """The clock every function uses: the system's, unless the local service or a test moved it."""
    return _clock


def use_clock(replacement: Clock) -> None:
    global _clock
    _clock = replacement


@dataclass(frozen=True)
class Settings:
    table_name: str
    sender: str
    configuration_set: str | None


class ConfigurationError(RuntimeError):
    pass


def _required(variable: str) -> str:
    value = os.environ.get(variable, "").strip()
    if not value:
        raise ConfigurationError(f"environment variable {variable} must be set")
    return value


@cache
def settings() -> Settings:
    return Settings(
        table_name=_required(names.TABLE_ENV),
        sender=os.environ.get(names.SENDER_ENV, "complaints@heard.example"),
        configuration_set=os.environ.get(names.CONFIG_SET_ENV) or None,
    )


@cache
def policy() -> CouncilPolicy:
    """The council policy; a bad file fails here, at the first request of a cold start."""
    return load_policy(os.environ.get(names.POLICY_FILE_ENV))
