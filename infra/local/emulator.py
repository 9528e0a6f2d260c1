"""An embedded AWS (moto, in-process) with every resource Heard's code needs, created from the same
names the CDK app uses (:mod:`shared.names`). Used by ``make run`` and by the tests."""

from __future__ import annotations

import io
import json
import os
import threading
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shared import names

FAKE_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": names.REGION_DEFAULT,
    "AWS_REGION": names.REGION_DEFAULT,
    # botocore 1.44: without this the Streams client misses moto (see docs/decisions.md).
    "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled",
}


#: moto's account: resources live in its backends under this id.
ACCOUNT_ID = "123456789012"


#: The stage workflow's definition: deployed by CDK and executed as it is by moto's interpreter.
STATE_MACHINE_DEFINITION = Path(__file__).resolve().parents[1] / "workflow" / "stage_timer.asl.json"


@dataclass(frozen=True)
class LocalResources:
    table_name: str
    sender: str
    dead_letter_queue_url: str
    state_machine_arn: str

    def environment(self) -> dict[str, str]:
        return {
            names.TABLE_ENV: self.table_name,
            names.SENDER_ENV: self.sender,
            names.STATE_MACHINE_ENV: self.state_machine_arn,
        }


def use_fake_credentials() -> None:
    """Point boto3 at moto only: never at a real account, whatever the shell has; and run with the
    functions' runtime environment."""
    from infra.catalog import RUNTIME_ENVIRONMENT

    for variable in ("AWS_PROFILE", "AWS_ENDPOINT_URL"):
        os.environ.pop(variable, None)
    os.environ.update(FAKE_CREDENTIALS)
    os.environ.update(RUNTIME_ENVIRONMENT)


#: Held for every call into moto: its in-process backends are not thread-safe. Code that reads moto's
#: models directly (the stream pump) holds it too. Never hold it while waiting for something else.
MOTO_LOCK = threading.RLock()
_prepared = False


class _Untracked(list[Any]):
    """A stand-in for a moto model class's ``instances_tracked`` that keeps nothing."""

    def append(self, instance: Any) -> None:
        pass


def prepare_moto() -> None:
    """Make moto fit to run for a long time under concurrent use (idempotent):

    - each emulated AWS call is atomic, as the real services are: calls from different threads still
      interleave between calls, so races between requests remain real;
    - a transaction costs what it writes (:mod:`infra.local.transactions`), and a query what it
      returns (:mod:`infra.local.indexes`), and an update expression's check what it is long
      (:mod:`infra.local.expressions`), and an item's size check what the item holds
      (:mod:`infra.local.items`);
    - moto's registry of every model instance ever made (for its own ``/moto-api/data.json``) keeps no
      DynamoDB items or stream records: every write, copy and stream image stayed alive in it, about
      0.3 MB a submission."""
    global _prepared
    if _prepared:
        return
    from moto.core.botocore_stubber import BotocoreStubber
    from moto.dynamodb.models.dynamo_type import Item
    from moto.dynamodb.models.table import StreamRecord

    from infra.local import expressions, indexes, items, transactions

    transactions.install()
    indexes.install()
    expressions.install()
    items.install()
    for model in (Item, StreamRecord):
        model.instances_tracked = _Untracked()  # type: ignore[attr-defined]
    process = BotocoreStubber.process_request

    def process_request(self: BotocoreStubber, request: Any) -> Any:
        with MOTO_LOCK:
            return process(self, request)

    BotocoreStubber.process_request = process_request  # type: ignore[method-assign]
    _run_lambda_in_process()
    _prepared = True


def _run_lambda_in_process() -> None:
    """moto runs a Lambda function in Docker (there is none here): run the catalog's handler for it in
    this process instead, as the state machine's tasks need. A raised exception is the function's error,
    named after its class, as Lambda reports it to Step Functions."""
    from moto.awslambda.models import LambdaFunction

    from infra.catalog import FUNCTIONS
    from infra.local.gateway import LambdaContext, load_handler

    specs = {spec.name: spec for spec in FUNCTIONS}

    def invoke(self: Any, event: Any = None) -> tuple[str, bool, str]:
        spec = specs[self.function_name]
        payload = json.loads(event) if isinstance(event, (str, bytes)) else (event or {})
        try:
            result = load_handler(spec.handler)(payload, LambdaContext(function_name=spec.name))
        except Exception as exc:  # the function's error, as Lambda returns it
            return json.dumps({"errorType": type(exc).__name__, "errorMessage": str(exc)}), True, ""
        return json.dumps(result), False, ""

    LambdaFunction._invoke_lambda = invoke  # type: ignore[method-assign]


def _projection(attributes: tuple[str, ...]) -> dict[str, Any]:
    if not attributes:
        return {"ProjectionType": "KEYS_ONLY"}
    return {"ProjectionType": "INCLUDE", "NonKeyAttributes": list(attributes)}


def table_definition(table_name: str) -> dict[str, Any]:
    """The CreateTable request for the case table, from the same names as infra/components/data.py."""
    key_attributes = {names.PK, names.SK} | {key for pair in names.GSI_KEYS.values() for key in pair}
    return {
        "TableName": table_name,
        "BillingMode": "PAY_PER_REQUEST",
        "KeySchema": [
            {"AttributeName": names.PK, "KeyType": "HASH"},
            {"AttributeName": names.SK, "KeyType": "RANGE"},
        ],
        "AttributeDefinitions": [{"AttributeName": a, "AttributeType": "S"} for a in sorted(key_attributes)],
        "GlobalSecondaryIndexes": [
            {
                "IndexName": index,
                "KeySchema": [
                    {"AttributeName": pk, "KeyType": "HASH"},
                    {"AttributeName": sk, "KeyType": "RANGE"},
                ],
                "Projection": _projection(names.GSI_PROJECTIONS[index]),
            }
            for index, (pk, sk) in names.GSI_KEYS.items()
        ],
        "StreamSpecification": {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    }


def create_resources(
    table_name: str = names.TABLE, sender: str = "complaints@heard.example"
) -> LocalResources:
    """Create Heard's resources in the active moto mock and export their names to the environment."""
    import boto3

    prepare_moto()
    dynamodb = boto3.client("dynamodb")
    dynamodb.create_table(**table_definition(table_name))
    dynamodb.update_time_to_live(
        TableName=table_name, TimeToLiveSpecification={"Enabled": True, "AttributeName": names.TTL_ATTRIBUTE}
    )
    ses = boto3.client("ses")
    ses.verify_email_identity(EmailAddress=sender)
    queue_url = boto3.client("sqs").create_queue(QueueName=names.NOTIFY_DLQ)["QueueUrl"]
    resources = LocalResources(
        table_name=table_name,
        sender=sender,
        dead_letter_queue_url=queue_url,
        state_machine_arn=create_workflow(),
    )
    os.environ.update(resources.environment())
    return resources


def create_workflow() -> str:
    """The stage workflow's state machine from its definition file, with each task's function created
    (in-process: :func:`_run_lambda_in_process`), executed by moto's interpreter. Returns its ARN."""
    import boto3
    from moto.core.config import default_user_config

    from infra.catalog import WORKFLOW_TASKS

    default_user_config["stepfunctions"] = {"execute_state_machine": True}  # restored when the mock ends
    role = boto3.client("iam").create_role(
        RoleName="heard-local-workflow", AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17"})
    )["Role"]["Arn"]
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as archive:
        archive.writestr("README.txt", "Run in-process by infra.local.emulator")
    lambda_client = boto3.client("lambda")
    definition = STATE_MACHINE_DEFINITION.read_text(encoding="utf-8")
    for substitution, spec in WORKFLOW_TASKS.items():
        arn = lambda_client.create_function(
            FunctionName=spec.name,
            Runtime="python3.12",
            Role=role,
            Handler=spec.handler,
            Code={"ZipFile": code.getvalue()},
        )["FunctionArn"]
        definition = definition.replace("${" + substitution + "}", arn)
    return boto3.client("stepfunctions").create_state_machine(
        name=names.STATE_MACHINE, definition=definition, roleArn=role
    )["stateMachineArn"]
