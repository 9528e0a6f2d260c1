"""Sending email through SES (v2), as a MIME message with plain-text and HTML parts."""

from __future__ import annotations

from email.message import EmailMessage
from functools import cached_property
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mypy_boto3_sesv2 import SESV2Client

#: One attempt per send, each bounded: the stream retries with backoff, and a send always ends well
#: within the notification's lease (shared.notifier.LEASE_SECONDS).
CONNECT_TIMEOUT_SECONDS = 2
READ_TIMEOUT_SECONDS = 5
WORST_CASE_SEND_SECONDS = CONNECT_TIMEOUT_SECONDS + READ_TIMEOUT_SECONDS


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

            self._client = boto3.client(
                "sesv2",
                config=Config(
                    retries={"mode": "standard", "max_attempts": 1},
                    connect_timeout=CONNECT_TIMEOUT_SECONDS,
                    read_timeout=READ_TIMEOUT_SECONDS,
                ),
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
