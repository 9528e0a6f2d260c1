"""Sending email through SES (v2), as a MIME message with plain-text and HTML parts."""

from __future__ import annotations

from email.message import EmailMessage
from functools import cached_property
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mypy_boto3_sesv2 import SESV2Client


class SesMailer:
    def __init__(
        self, sender: str, configuration_set: str | None = None, client: SESV2Client | None = None
    ) -> None:
        self.sender = sender
        self.configuration_set = configuration_set
        self._client = client

    @cached_property
    def client(self) -> SESV2Client:
        if self._client is None:
            import boto3
            from botocore.config import Config

            # Transient errors are retried here with exponential backoff and jitter; the stream retries after.
            self._client = boto3.client(
                "sesv2", config=Config(retries={"mode": "standard", "max_attempts": 3})
            )
        return self._client

    def send(self, to: str, subject: str, text: str, html: str) -> str:
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = to
        message["Subject"] = subject
        message.set_content(text)
        message.add_alternative(html, subtype="html")
        extra = {"ConfigurationSetName": self.configuration_set} if self.configuration_set else {}
        response = self.client.send_email(
            FromEmailAddress=self.sender,
            Destination={"ToAddresses": [to]},
            Content={"Raw": {"Data": message.as_bytes()}},
            **extra,  # type: ignore[arg-type]
        )
        return response["MessageId"]
