"""What the form remembers between pages, and the confirmation's address: signed, encrypted values that
expire, so the server keeps no session (Fernet: AES-128-CBC with HMAC-SHA256, and a timestamp).

The key comes from a secret in the environment (HEARD_FORM_KEY, resolved from Secrets Manager at
deployment); the local service and tests make one per process."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import secrets
import zlib
from datetime import datetime
from functools import cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken

from shared import names

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


class Expired(Exception):
    """The value was not made by this service, was changed, or is older than it may be."""


@cache
def _fernet() -> Fernet:
    """Fernet's key from the secret (any long random string): its SHA-256, as Fernet wants it."""
    secret = os.environ.get(names.FORM_KEY_ENV, "").strip()
    if not secret:
        secret = secrets.token_urlsafe(48)
        os.environ[names.FORM_KEY_ENV] = secret  # one key for the life of this process (local service, tests)
    return Fernet(base64.urlsafe_b64encode(hashlib.sha256(secret.encode()).digest()))


def seal(value: dict[str, Any], now: datetime) -> str:
    packed = zlib.compress(json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode(), 9)
    return _fernet().encrypt_at_time(packed, int(now.timestamp())).decode()


def unseal(token: str, now: datetime, ttl_seconds: int) -> dict[str, Any]:
    try:
        packed = _fernet().decrypt_at_time(token.encode(), ttl_seconds, int(now.timestamp()))
        value = json.loads(zlib.decompress(packed, bufsize=64 * 1024))
    except (InvalidToken, ValueError, zlib.error, UnicodeError) as error:
        raise Expired from error
    if not isinstance(value, dict):
        raise Expired
    return value
