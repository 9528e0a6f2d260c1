"""An embedded AWS (moto, in-process) with every resource Heard's code needs, created from the same
names the CDK app uses (:mod:`shared.names`). Used by ``make run`` and by the tests."""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
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


@dataclass(frozen=True)
class LocalResources:
    table_name: str
    sender: str
    dead_letter_queue_url: str

    def environment(self) -> dict[str, str]:
        return {names.TABLE_ENV: self.table_name, names.SENDER_ENV: self.sender}


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
    - a transaction costs what it writes (:mod:`infra.local.transactions`);
    - moto's registry of every model instance ever made (for its own ``/moto-api/data.json``) keeps no
      DynamoDB items or stream records: every write, copy and stream image stayed alive in it, about
      0.3 MB a submission."""
    global _prepared
    if _prepared:
        return
    from moto.core.botocore_stubber import BotocoreStubber
    from moto.dynamodb.models.dynamo_type import Item
    from moto.dynamodb.models.table import StreamRecord

    from infra.local import transactions

    transactions.install()
    for model in (Item, StreamRecord):
        model.instances_tracked = _Untracked()  # type: ignore[attr-defined]
    process = BotocoreStubber.process_request

    def process_request(self: BotocoreStubber, request: Any) -> Any:
        with MOTO_LOCK:
            return process(self, request)

    BotocoreStubber.process_request = process_request  # type: ignore[method-assign]
    _prepared = True


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
    resources = LocalResources(table_name=table_name, sender=sender, dead_letter_queue_url=queue_url)
    os.environ.update(resources.environment())
    return resources
