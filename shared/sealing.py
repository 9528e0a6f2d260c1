"""Values a service hands to a browser and reads back: signed, encrypted and expiring (Fernet: AES-128-CBC
with HMAC-SHA256, and a timestamp), so the server keeps nothing between requests. The online form seals
its answers between pages; the officer console its session cookie. Each has its own key, from a secret in
the environment (resolved from Secrets Manager at deployment); the local service and tests make one per
process."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import secrets
import zlib
from datetime import datetime
from functools import cached_property
from typing import Any

from cryptography.fernet import Fernet, InvalidToken


class Expired(Exception):
    """The value was not made by this service, was changed, or is older than it may be."""


class Sealer:
    """Seals and opens JSON objects with the key in the environment variable ``key_env``."""

    def __init__(self, key_env: str) -> None:
        self.key_env = key_env

    @cached_property
    def _fernet(self) -> Fernet:
        """Fernet's key from the secret (any long random string): its SHA-256, as Fernet wants it."""
        secret = os.environ.get(self.key_env, "").strip()
        if not secret:
            secret = secrets.token_urlsafe(48)
            os.environ[self.key_env] = secret  # one key for the life of this process (local service, tests)
        return Fernet(base64.urlsafe_b64encode(hashlib.sha256(secret.encode()).digest()))

    def seal(self, value: dict[str, Any], now: datetime) -> str:
        packed = zlib.compress(json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode(), 9)
        return self._fernet.encrypt_at_time(packed, int(now.timestamp())).decode()

    def unseal(self, token: str, now: datetime, ttl_seconds: int) -> dict[str, Any]:
        try:
            packed = self._fernet.decrypt_at_time(token.encode(), ttl_seconds, int(now.timestamp()))
            value = json.loads(zlib.decompress(packed, bufsize=64 * 1024))
        except (InvalidToken, ValueError, zlib.error, UnicodeError) as error:
            raise Expired from error
        if not isinstance(value, dict):
            raise Expired
        return value
