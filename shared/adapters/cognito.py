"""Members of staff and their email addresses, from the staff user pool (Cognito)."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

from botocore.exceptions import ClientError

from shared import names
from shared.domain.case import mailbox
from shared.domain.staff import StaffMember
from shared.identity import areas_of, list_claim, roles_of

if TYPE_CHECKING:
    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient
    from mypy_boto3_cognito_idp.type_defs import AdminGetUserResponseTypeDef


class CognitoDirectory:
    """Implements :class:`shared.ports.StaffDirectory`: a user's ``email`` attribute, if it is one
    mailbox, and the user as a member of staff (their groups and service areas). Without a pool
    (``pool_id`` None) there is nobody: no address (the callers fall back to the policy's mailboxes) and
    no member (so no case can be allocated)."""

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
        user = self._user(username)
        return mailbox(_attributes(user).get("email")) if user else None

    def member(self, username: str) -> StaffMember | None:
        user = self._user(username)
        if user is None:
            return None
        groups = self.client.admin_list_groups_for_user(UserPoolId=str(self.pool_id), Username=username)
        return StaffMember(
            username=str(user.get("Username") or username),
            roles=roles_of(tuple(g["GroupName"] for g in groups.get("Groups", []))),
            service_areas=areas_of(list_claim(_attributes(user).get(names.SERVICE_AREAS_CLAIM))),
            enabled=bool(user.get("Enabled", True)),
        )

    def _user(self, username: str) -> AdminGetUserResponseTypeDef | None:
        if not self.pool_id:
            return None
        try:
            return self.client.admin_get_user(UserPoolId=self.pool_id, Username=username)
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "UserNotFoundException":
                return None
            raise


def _attributes(user: AdminGetUserResponseTypeDef) -> dict[str, str]:
    return {a["Name"]: a.get("Value", "") for a in user.get("UserAttributes", [])}
