"""Staff sign-in: the Cognito user pool of the council's staff, the officer API's app client and the
staff groups (roles). Nobody signs themselves up; an administrator creates each account. MFA (an
authenticator app) is required, passwords are long, and the pool is on the Plus plan, whose threat
protection blocks risky sign-ins and compromised passwords. A user's service areas live in the custom
attribute ``service_areas``, which the app client cannot write: only an administrator can, through
AdminUpdateUserAttributes (IAM)."""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from infra.catalog import STAFF_PASSWORD_MIN_LENGTH, STAFF_TEMPORARY_PASSWORD_DAYS, STAFF_TOKEN_MINUTES
from shared import names

#: What each group may do (the officer API checks it again from the token's claims).
GROUP_DESCRIPTIONS: dict[str, str] = {
    names.GROUP_COMPLAINTS_OFFICER: "Complaints officers: every case, every action",
    names.GROUP_SERVICE_MANAGER: "Service managers: cases of their own service areas (custom:service_areas)",
    names.GROUP_INVESTIGATOR: "Investigators: the stage 2 cases they are appointed to",
    names.GROUP_SENIOR_LEADERSHIP: (
        "Senior leadership: reads and reports, the stage 2 adjudication and the stage 3 response"
    ),
    names.GROUP_ADMIN: "Administrators: council policy and staff users",
}
#: Upper bound of the service areas attribute: ids of at most 40 characters, comma-separated.
SERVICE_AREAS_MAX_LENGTH = 2048
#: How long a sign-in lasts before the officer must sign in again (refresh tokens end then).
SESSION_HOURS = 12


class StaffAuth(Construct):
    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        self.user_pool = cognito.UserPool(
            self,
            "StaffPool",
            self_sign_up_enabled=False,
            sign_in_aliases=cognito.SignInAliases(username=True, email=True),
            sign_in_case_sensitive=False,
            standard_attributes=cognito.StandardAttributes(
                email=cognito.StandardAttribute(required=True, mutable=True),
                fullname=cognito.StandardAttribute(required=False, mutable=True),
            ),
            custom_attributes={
                names.SERVICE_AREAS_ATTRIBUTE: cognito.StringAttribute(
                    min_len=0, max_len=SERVICE_AREAS_MAX_LENGTH, mutable=True
                )
            },
            auto_verify=cognito.AutoVerifiedAttrs(email=True),
            account_recovery=cognito.AccountRecovery.EMAIL_ONLY,
            mfa=cognito.Mfa.REQUIRED,
            mfa_second_factor=cognito.MfaSecondFactor(otp=True, sms=False),
            password_policy=cognito.PasswordPolicy(
                min_length=STAFF_PASSWORD_MIN_LENGTH,
                require_lowercase=True,
                require_uppercase=True,
                require_digits=True,
                require_symbols=True,
                temp_password_validity=Duration.days(STAFF_TEMPORARY_PASSWORD_DAYS),
            ),
            feature_plan=cognito.FeaturePlan.PLUS,
            standard_threat_protection_mode=cognito.StandardThreatProtectionMode.FULL_FUNCTION,
            deletion_protection=True,
            removal_policy=RemovalPolicy.RETAIN,  # staff accounts outlive a deployment, as the cases do
        )
        self.client = self.user_pool.add_client(
            "OfficerApiClient",
            user_pool_client_name=names.OFFICER_CLIENT,
            generate_secret=False,  # a browser console and scripts: nowhere to keep a secret
            # SRP for people; ADMIN_USER_PASSWORD_AUTH (IAM-signed, still challenged for MFA) for operators'
            # and smoke tests' scripts, and the flow the local service signs its demo users in with.
            auth_flows=cognito.AuthFlow(user_srp=True, admin_user_password=True),
            disable_o_auth=True,  # no hosted UI yet: the officer console will add its own
            prevent_user_existence_errors=True,
            enable_token_revocation=True,
            id_token_validity=Duration.minutes(STAFF_TOKEN_MINUTES),
            access_token_validity=Duration.minutes(STAFF_TOKEN_MINUTES),
            refresh_token_validity=Duration.hours(SESSION_HOURS),
            read_attributes=cognito.ClientAttributes()
            .with_standard_attributes(email=True, email_verified=True, fullname=True)
            .with_custom_attributes(names.SERVICE_AREAS_ATTRIBUTE),
            # Users may change their own name only: never their service areas (nor their email, the
            # account's recovery address).
            write_attributes=cognito.ClientAttributes().with_standard_attributes(fullname=True),
        )
        for precedence, group in enumerate(names.STAFF_GROUPS):
            cognito.CfnUserPoolGroup(
                self,
                f"Group{''.join(part.title() for part in group.split('-'))}",
                user_pool_id=self.user_pool.user_pool_id,
                group_name=group,
                description=GROUP_DESCRIPTIONS[group],
                precedence=precedence,
            )

    def grant_staff_reads(self, function: lambda_.Function) -> None:
        """Let ``function`` read members of the pool (a user's attributes and groups), by the pool's id
        in its environment: the staff directory (shared.adapters.cognito)."""
        function.add_environment(names.STAFF_POOL_ID_ENV, self.user_pool.user_pool_id)
        function.add_to_role_policy(
            iam.PolicyStatement(
                actions=["cognito-idp:AdminGetUser", "cognito-idp:AdminListGroupsForUser"],
                resources=[self.user_pool.user_pool_arn],
            )
        )
