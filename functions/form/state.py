"""What the form remembers between pages, and the confirmation's address: sealed values that expire
(:mod:`shared.sealing`, with the form's own key, HEARD_FORM_KEY), so the server keeps no session."""

from __future__ import annotations

import os

from shared import names
from shared.sealing import Expired, Sealer

#: How long a person has between one page and the next before their answers expire.
ANSWERS_TTL_SECONDS = 4 * 60 * 60
#: Seconds before the answers expire when the page warns (with JavaScript); WCAG 2.2.1 asks for 20 at least.
WARNING_SECONDS = 2 * 60
#: How long the confirmation page can be opened again (reloaded, or reached with Back).
CONFIRMATION_TTL_SECONDS = 7 * 24 * 60 * 60


def answers_ttl_seconds() -> int:
    """The answers' lifetime: ANSWERS_TTL_SECONDS unless the environment sets another (at least 30 s)."""
    raw = os.environ.get(names.FORM_ANSWERS_TTL_ENV, "").strip()
    return max(30, int(raw)) if raw.isdigit() else ANSWERS_TTL_SECONDS


_SEALER = Sealer(names.FORM_KEY_ENV)
seal, unseal = _SEALER.seal, _SEALER.unseal
__all__ = ["Expired", "answers_ttl_seconds", "seal", "unseal"]
