"""Staff email addresses from the staff user pool (Cognito)."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

from botocore.exceptions import ClientError

from shared.domain.case import mailbox

if TYPE_CHECKING:
    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient


class CognitoDirectory:
    """Implements :class:`shared.ports.StaffDirectory`: a user's ``email`` attribute, if it is one
    mailbox. Without a pool (``pool_id`` None) nobody has an address and the callers fall back to the
    policy's mailboxes."""

    def __init__(self, pool_id: str | None, client: CognitoIdentityProviderClient | None = None) -> None:
        self.pool_id = pool_id
        self._client = client

    @cached_property
    def client(self) -> CognitoIdentityProviderClient:
        if self._client is None:
            import boto3

            self._client = boto3.client("cognito-idp")
        return self._client

    def email_of(self, username: str) -> str | None:
        if not self.pool_id:
            return None
        try:
            user = self.client.admin_get_user(UserPoolId=self.pool_id, Username=username)
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "UserNotFoundException":
                return None
            raise
        attributes = {a["Name"]: a.get("Value", "") for a in user.get("UserAttributes", [])}
        return mailbox(attributes.get("email"))
