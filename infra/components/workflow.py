"""The stage workflow: the state machine defined once in infra/workflow/stage_timer.asl.json (executed as
it is by moto's interpreter locally), with logging and X-Ray, a least-privilege role that may only invoke
the workflow's function, the function's stream trigger on the case table (case items only), and an
alarm on failed and timed-out executions."""

from __future__ import annotations

from aws_cdk import ArnFormat, Duration, RemovalPolicy, Stack
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sqs as sqs
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from infra.catalog import WORKFLOW, WORKFLOW_TASKS
from infra.components.functions import LOG_RETENTION, stream_source
from infra.local.emulator import STATE_MACHINE_DEFINITION
from shared import names


class StageWorkflow(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        functions: dict[str, lambda_.Function],
        table: dynamodb.ITable,
        dead_letters: sqs.IQueue,
        key: kms.IKey,
    ) -> None:
        super().__init__(scope, construct_id)
        stack = Stack.of(self)
        log_group = logs.LogGroup(
            self, "Logs", retention=LOG_RETENTION, encryption_key=key, removal_policy=RemovalPolicy.DESTROY
        )
        role = iam.Role(
            self,
            "Role",
            assumed_by=iam.ServicePrincipal("states.amazonaws.com"),
            description="Heard stage workflow: invokes the Workflow function only",
        )
        substitutions = {}
        for substitution, spec in WORKFLOW_TASKS.items():
            function = functions[spec.name]
            role.add_to_policy(
                iam.PolicyStatement(actions=["lambda:InvokeFunction"], resources=[function.function_arn])
            )
            substitutions[substitution] = function.function_arn
        self.state_machine = sfn.StateMachine(
            self,
            "StageTimer",
            state_machine_name=names.STATE_MACHINE,
            definition_body=sfn.DefinitionBody.from_file(str(STATE_MACHINE_DEFINITION)),
            definition_substitutions=substitutions,
            role=role,
            state_machine_type=sfn.StateMachineType.STANDARD,
            tracing_enabled=True,
            logs=sfn.LogOptions(destination=log_group, level=sfn.LogLevel.ALL, include_execution_data=False),
        )
        # The function names the machine by its ARN, built from its fixed name (no dependency cycle).
        machine_arn = stack.format_arn(
            service="states",
            resource="stateMachine",
            resource_name=names.STATE_MACHINE,
            arn_format=ArnFormat.COLON_RESOURCE_NAME,
        )
        execution_arns = stack.format_arn(
            service="states",
            resource="execution",
            resource_name=f"{names.STATE_MACHINE}:*",
            arn_format=ArnFormat.COLON_RESOURCE_NAME,
        )
        worker = functions[WORKFLOW.name]
        worker.add_environment(names.STATE_MACHINE_ENV, machine_arn)
        worker.add_to_role_policy(
            iam.PolicyStatement(actions=["states:StartExecution"], resources=[machine_arn])
        )
        worker.add_to_role_policy(
            iam.PolicyStatement(actions=["states:StopExecution"], resources=[execution_arns])
        )
        trigger = WORKFLOW.stream
        assert trigger is not None
        worker.add_event_source(stream_source(table, trigger, dead_letters))
        failed = cloudwatch.MathExpression(
            expression="failed + timedout",
            using_metrics={
                "failed": self.state_machine.metric_failed(period=Duration.minutes(5)),
                "timedout": self.state_machine.metric_timed_out(period=Duration.minutes(5)),
            },
            period=Duration.minutes(5),
        )
        self.alarm = failed.create_alarm(
            self,
            "ExecutionsFailed",
            threshold=1,
            evaluation_periods=1,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
            alarm_description="A stage timer execution failed or timed out: a deadline may go unwatched",
        )
