"""The stage workflow's executions on Step Functions."""

from __future__ import annotations

import json
from functools import cached_property
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

if TYPE_CHECKING:
    from mypy_boto3_stepfunctions import SFNClient


class StepFunctionsWorkflow:
    """Implements :class:`shared.ports.Workflow` on one state machine."""

    def __init__(self, state_machine_arn: str, client: SFNClient | None = None) -> None:
        self.state_machine_arn = state_machine_arn
        self._client = client

    @cached_property
    def client(self) -> SFNClient:
        if self._client is None:
            import boto3

            self._client = boto3.client("stepfunctions")
        return self._client

    def execution_arn(self, name: str) -> str:
        return f"{self.state_machine_arn.replace(':stateMachine:', ':execution:', 1)}:{name}"

    def start(self, name: str, payload: dict[str, Any]) -> None:
        """Start ``name``; an execution of that name that exists already (with the same input and
        running, or ended, or started with another input by an earlier delivery) means it is done."""
        try:
            self.client.start_execution(
                stateMachineArn=self.state_machine_arn, name=name, input=json.dumps(payload)
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "ExecutionAlreadyExists":
                raise

    def stop(self, name: str) -> None:
        try:
            self.client.stop_execution(
                executionArn=self.execution_arn(name), cause="its timer stopped or moved"
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "ExecutionDoesNotExist":
                raise
