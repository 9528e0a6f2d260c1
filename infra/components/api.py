"""The REST API: every route from the catalog to its function, throttled, logged, validated, behind WAF."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import RemovalPolicy
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from infra import checkov_skips
from infra.catalog import API_FUNCTIONS
from infra.nag import PUBLIC_ROUTE

#: Public routes: steady requests per second and burst, across all callers (WAF limits each address).
RATE_LIMIT = 20
BURST_LIMIT = 40


class Api(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        functions: dict[str, lambda_.IFunction],
        staff_pool: cognito.IUserPool,
        key: kms.IKey,
    ) -> None:
        super().__init__(scope, construct_id)
        access_logs = logs.LogGroup(
            self,
            "AccessLogs",
            retention=logs.RetentionDays.SIX_MONTHS,
            encryption_key=key,  # callers' addresses: personal data
            removal_policy=RemovalPolicy.DESTROY,
        )
        self.rest_api = apigw.RestApi(
            self,
            "RestApi",
            description="Heard: the online form and the public intake API",
            endpoint_types=[apigw.EndpointType.REGIONAL],
            cloud_watch_role=True,
            cloud_watch_role_removal_policy=RemovalPolicy.DESTROY,
            binary_media_types=[],
            deploy_options=apigw.StageOptions(
                stage_name="live",
                throttling_rate_limit=RATE_LIMIT,
                throttling_burst_limit=BURST_LIMIT,
                logging_level=apigw.MethodLoggingLevel.ERROR,
                data_trace_enabled=False,  # request bodies carry personal data: never log them
                access_log_destination=apigw.LogGroupLogDestination(access_logs),
                access_log_format=apigw.AccessLogFormat.custom(
                    '{"requestId":"$context.requestId","ip":"$context.identity.sourceIp",'
                    '"method":"$context.httpMethod","resource":"$context.resourcePath",'
                    '"status":"$context.status","latency":"$context.responseLatency"}'
                ),
                tracing_enabled=True,  # X-Ray: where a slow or failed request spent its time
            ),
        )
        checkov_skips.skip(self.rest_api.deployment_stage, checkov_skips.API_STAGE)
        validator = self.rest_api.add_request_validator(
            "Validator", validate_request_body=True, validate_request_parameters=True
        )
        # Staff routes: the ID token of the staff pool in the Authorization header, or 401.
        self.authorizer = apigw.CognitoUserPoolsAuthorizer(
            self,
            "StaffAuthorizer",
            cognito_user_pools=[staff_pool],
            identity_source=apigw.IdentitySource.header("Authorization"),
        )
        # ``functions`` are what callers invoke (Functions.targets): a SnapStart function's live alias, so
        # the integration and API Gateway's invoke permissions name the alias, never $LATEST.
        for spec in API_FUNCTIONS:
            integration = apigw.LambdaIntegration(functions[spec.name], proxy=True)
            for route in spec.routes:
                resource = self.rest_api.root.resource_for_path(route.path)
                if route.authorized:
                    resource.add_method(
                        route.method,
                        integration,
                        request_validator=validator,
                        authorizer=self.authorizer,
                        authorization_type=apigw.AuthorizationType.COGNITO,
                    )
                    continue
                method = resource.add_method(route.method, integration, request_validator=validator)
                # Acknowledged on each public method only: a staff route without the authorizer fails synth.
                cdk.Validations.of(method).acknowledge(
                    *(cdk.Acknowledgment(id=rule, reason=reason) for rule, reason in PUBLIC_ROUTE.items())
                )
                checkov_skips.skip(method, checkov_skips.PUBLIC_ROUTE)
