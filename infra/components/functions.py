"""Heard's Lambda functions, from the catalog: one asset with the project's code and its runtime
dependencies, an inline least-privilege role (only the table actions and partition keys the catalog names)
and a log group with retention per function; scheduled functions get their EventBridge rule."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsii
from aws_cdk import BundlingOptions, DockerImage, Duration, ILocalBundling, RemovalPolicy
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as sources
from aws_cdk import aws_logs as logs
from aws_cdk import aws_scheduler as scheduler
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infra.catalog import FUNCTIONS, RUNTIME_ENVIRONMENT, FunctionSpec, StreamTrigger, TableAccess

ROOT = Path(__file__).resolve().parents[2]
RUNTIME = lambda_.Runtime.PYTHON_3_14
RUNTIME_VERSION = "3.14"
LOG_RETENTION = logs.RetentionDays.SIX_MONTHS
#: Runtime dependencies bundled with the code (boto3 is bundled too: the runtime's copy lags).
REQUIREMENTS = (
    "boto3>=1.40",
    "aws-lambda-powertools>=3.20",
    "pydantic>=2.10",
    "holidays>=0.60",
    "jinja2>=3.1",
    "email-validator>=2.2",
    "tzdata",
)


@jsii.implements(ILocalBundling)
class LocalBundler:
    """Bundles without Docker: the project's packages plus manylinux wheels for the Lambda runtime."""

    def try_bundle(self, output_dir: str, *args: Any, **kwargs: Any) -> bool:
        out = Path(output_dir)
        for package in ("shared", "functions"):
            shutil.copytree(
                ROOT / package, out / package, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "static")
            )
        subprocess.run(  # noqa: S603 - fixed arguments
            [
                sys.executable,
                "-m",
                "pip",
                "install",
                "--quiet",
                "--target",
                str(out),
                "--platform",
                "manylinux2014_x86_64",
                "--only-binary=:all:",
                "--python-version",
                RUNTIME_VERSION,
                "--implementation",
                "cp",
                *REQUIREMENTS,
            ],
            check=True,
        )
        return True


def table_statement(access: TableAccess, table: dynamodb.ITable) -> iam.PolicyStatement:
    """The catalog's table access as IAM: the actions, on the table or one index, only for items whose
    partition key matches (``ForAllValues:StringLike`` on ``dynamodb:LeadingKeys``)."""
    resource = table.table_arn if access.index is None else f"{table.table_arn}/index/{access.index}"
    return iam.PolicyStatement(
        actions=list(access.actions),
        resources=[resource],
        conditions={"ForAllValues:StringLike": {"dynamodb:LeadingKeys": list(access.leading_keys)}},
    )


def stream_source(
    table: dynamodb.ITable, trigger: StreamTrigger, dead_letters: sqs.IQueue
) -> sources.DynamoEventSource:
    """The catalog's stream trigger as an event source mapping on the case table (partial batch
    responses on; what fails every retry goes to ``dead_letters``)."""
    return sources.DynamoEventSource(
        table,
        starting_position=lambda_.StartingPosition.TRIM_HORIZON,
        batch_size=trigger.batch_size,
        retry_attempts=trigger.retry_attempts,
        bisect_batch_on_error=trigger.bisect_on_error,
        max_record_age=Duration.seconds(trigger.max_record_age_seconds),
        report_batch_item_failures=True,
        on_failure=sources.SqsDlq(dead_letters),
        filters=[lambda_.FilterCriteria.filter(json.loads(json.dumps(trigger.filter)))],
    )


class Functions(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        environment: dict[str, str],
        table: dynamodb.ITable,
        key: kms.IKey,
    ) -> None:
        super().__init__(scope, construct_id)
        code = lambda_.Code.from_asset(
            str(ROOT),
            bundling=BundlingOptions(
                image=DockerImage.from_registry("public.ecr.aws/sam/build-python3.14"), local=LocalBundler()
            ),
            exclude=["*", "!shared/**", "!functions/**"],
        )
        self.by_name: dict[str, lambda_.Function] = {}
        for spec in FUNCTIONS:
            function = self._function(spec, code, environment)
            for access in spec.table_access:
                function.add_to_role_policy(table_statement(access, table))
            if spec.table_access:
                key.grant_encrypt_decrypt(function)  # the table is encrypted with the stack's own key
            if spec.schedule_minutes is not None:
                self._schedule(spec, function)
            self.by_name[spec.name] = function

    def _schedule(self, spec: FunctionSpec, function: lambda_.Function) -> None:
        """EventBridge Scheduler runs the function every ``schedule_minutes`` (locally, the local
        scheduler on the local clock), with a role that may invoke only it."""
        role = iam.Role(
            self,
            f"{spec.name}ScheduleRole",
            assumed_by=iam.ServicePrincipal("scheduler.amazonaws.com"),
            description=f"EventBridge Scheduler: runs the Heard {spec.name} function",
        )
        # The function itself, not its versions (grant_invoke would add "<arn>:*").
        role.add_to_policy(
            iam.PolicyStatement(actions=["lambda:InvokeFunction"], resources=[function.function_arn])
        )
        scheduler.CfnSchedule(
            self,
            f"{spec.name}Schedule",
            description=f"Runs the {spec.name} function every {spec.schedule_minutes} minutes",
            schedule_expression=f"rate({spec.schedule_minutes} minutes)",
            flexible_time_window=scheduler.CfnSchedule.FlexibleTimeWindowProperty(mode="OFF"),
            target=scheduler.CfnSchedule.TargetProperty(
                arn=function.function_arn,
                role_arn=role.role_arn,
                retry_policy=scheduler.CfnSchedule.RetryPolicyProperty(maximum_retry_attempts=0),
            ),
        )

    def _function(
        self, spec: FunctionSpec, code: lambda_.Code, environment: dict[str, str]
    ) -> lambda_.Function:
        log_group = logs.LogGroup(
            self, f"{spec.name}Logs", retention=LOG_RETENTION, removal_policy=RemovalPolicy.DESTROY
        )
        role = iam.Role(
            self,
            f"{spec.name}Role",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description=f"Heard {spec.name} function",
        )
        log_group.grant_write(role)
        return lambda_.Function(
            self,
            spec.name,
            description=spec.description,
            runtime=RUNTIME,
            architecture=lambda_.Architecture.X86_64,
            handler=spec.handler,
            code=code,
            memory_size=spec.memory_mb,
            timeout=Duration.seconds(spec.timeout_seconds),
            role=role,
            log_group=log_group,
            environment={
                **RUNTIME_ENVIRONMENT,
                **environment,
                "POWERTOOLS_SERVICE_NAME": f"heard-{spec.name.lower()}",
                "POWERTOOLS_LOG_LEVEL": "INFO",
            },
        )
