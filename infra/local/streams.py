"""A local stand-in for the Lambda event source mapping on the case table's stream (moto stores the
stream but cannot invoke Lambda without Docker), configured from the same :class:`StreamTrigger` the
CDK app reads: batch size, retries (with bisection of a crashed batch), the event filter, the maximum
record age, and the on-failure destination (an SQS queue).

It reads moto's stream shard directly, under the emulator's lock, with its own cursor: moto's
GetRecords makes a new shard iterator on every call and keeps them all, which grows without end while
idle. Records stay in the shard until delivered, or until older than the maximum age (24 hours, as
DynamoDB keeps a stream), when they go to the on-failure destination as Lambda's would. If the table's stream is ever replaced under it, the pump says
so and follows the new one from its start (delivery is idempotent, so a record seen twice is harmless)."""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from infra.catalog import NOTIFIER, StreamTrigger
from infra.local.emulator import ACCOUNT_ID, MOTO_LOCK
from infra.local.gateway import Handler, LambdaContext

READ_LIMIT = 1000  # records read from the shard at a time (GetRecords' own maximum)


def matches(pattern: Mapping[str, Any], value: Any) -> bool:
    """An event-filter pattern (EventBridge syntax: nested objects, lists of allowed values) against a
    record, as Lambda filters stream records before they reach the function."""
    if not isinstance(value, Mapping):
        return False
    for name, expected in pattern.items():
        if name not in value:
            return False
        if isinstance(expected, Mapping):
            if not matches(expected, value[name]):
                return False
        elif value[name] not in expected:
            return False
    return True


@dataclass(frozen=True)
class Consumer:
    """One event source mapping: a function, its trigger and its handler."""

    name: str
    trigger: StreamTrigger
    handler: Handler


class StreamLost(RuntimeError):
    """The table's stream shard the pump was following is gone."""


class StreamPump:
    def __init__(
        self,
        table_name: str,
        handler: Handler,
        dead_letter_queue_url: str,
        *,
        trigger: StreamTrigger | None = NOTIFIER.stream,
        more: Sequence[Consumer] = (),
        backoff_seconds: float = 0.5,
        sleep: Callable[[float], None] = time.sleep,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        import boto3

        if trigger is None:
            raise ValueError("the stream pump needs a StreamTrigger")
        self._sqs = boto3.client("sqs")
        self._table_name = table_name
        self._region = boto3.session.Session().region_name or os.environ["AWS_DEFAULT_REGION"]
        self._dlq = dead_letter_queue_url
        #: Each reads the same records, as two event source mappings on one stream do (in order here).
        self.consumers = (Consumer(NOTIFIER.name, trigger, handler), *more)
        self._backoff = backoff_seconds
        self._sleep = sleep
        self._now = now
        self._lock = threading.Lock()
        with MOTO_LOCK:
            self._shard = self._current_shard()
            self._arn = f"{self._shard.table.table_arn}/stream/{self._shard.table.latest_stream_label}"
            self._next = self._shard.starting_sequence_number  # TRIM_HORIZON
        self.invocations = 0
        self.streams_lost = 0

    def _current_shard(self) -> Any:
        from moto.dynamodb.models import dynamodb_backends

        table = dynamodb_backends[ACCOUNT_ID][self._region].get_table(self._table_name)
        if table.stream_shard is None:
            raise StreamLost(f"table {self._table_name} has no stream")
        return table.stream_shard

    def _read(self) -> tuple[list[dict[str, Any]], int]:
        """New records from the shard that a consumer's filter wants (as Lambda receives them), and how
        many were read in all. A record no filter wants is only counted: copying every case item's old
        and new images cost the clock's month more than delivering the notifications did."""
        from moto.dynamodb.models.utilities import dynamo_json_dump

        with MOTO_LOCK:
            shard = self._current_shard()
            if shard is not self._shard:
                self.streams_lost += 1
                print("stream pump: the table's stream was replaced; following the new one", flush=True)
                self._shard, self._next = shard, shard.starting_sequence_number
            if self._next < shard.starting_sequence_number:
                self._next = shard.starting_sequence_number
            raw = shard.items[self._next - shard.starting_sequence_number :][:READ_LIMIT]
            records = []
            for item in raw:
                stored = item.to_json()
                if not any(matches(consumer.trigger.filter, stored) for consumer in self.consumers):
                    continue
                record = json.loads(dynamo_json_dump(stored))
                created = stored["dynamodb"]["ApproximateCreationDateTime"]  # naive UTC
                record["dynamodb"]["ApproximateCreationDateTime"] = created.replace(tzinfo=UTC).timestamp()
                record["eventSourceARN"] = self._arn
                records.append(record)
            self._next += len(raw)
            return records, len(raw)

    @staticmethod
    def _trim(shard: Any, count: int) -> None:
        """Remove the first ``count`` records; sequence numbers of the rest do not change."""
        if count > 0:
            del shard.items[:count]
            shard.starting_sequence_number += count

    def _delivered(self) -> None:
        """Trim everything before the cursor: every record up to it is delivered or dead-lettered."""
        with MOTO_LOCK:
            if self._current_shard() is self._shard:
                self._trim(self._shard, self._next - self._shard.starting_sequence_number)

    def poll_once(self) -> int:
        """Read new records and deliver them; returns how many records were consumed."""
        with self._lock:
            records, read = self._read()
            for consumer in self.consumers:
                trigger = consumer.trigger
                wanted = [r for r in records if matches(trigger.filter, r)]
                oldest = self._now().timestamp() - trigger.max_record_age_seconds
                fresh = [r for r in wanted if r["dynamodb"]["ApproximateCreationDateTime"] >= oldest]
                if len(fresh) < len(wanted):
                    self._dead_letter(wanted[: len(wanted) - len(fresh)], "RecordAgeExceeded")
                for start in range(0, len(fresh), trigger.batch_size):
                    self._deliver(consumer, fresh[start : start + trigger.batch_size])
            self._delivered()
            return read

    def drain(self, max_rounds: int = 50) -> int:
        """Deliver until the stream is quiet (records the handler writes are delivered too); returns how
        many records were consumed."""
        total = 0
        for _ in range(max_rounds):
            consumed = self.poll_once()
            total += consumed
            if not consumed:
                break
        return total

    def _invoke(self, consumer: Consumer, batch: list[dict[str, Any]]) -> tuple[set[str], bool]:
        """One invocation: the sequence numbers of the failed records (all of them if it crashed), and
        whether it crashed."""
        self.invocations += 1
        try:
            result = consumer.handler({"Records": batch}, LambdaContext(function_name=consumer.name))
        except Exception:
            return {r["dynamodb"]["SequenceNumber"] for r in batch}, True
        return {f["itemIdentifier"] for f in (result or {}).get("batchItemFailures", [])}, False

    def _deliver(
        self, consumer: Consumer, batch: list[dict[str, Any]], retries_left: int | None = None
    ) -> None:
        """Invoke, retrying from the first failed record (partial batch response) with exponential
        backoff; a crashed invocation's batch is split in two (bisect on function error). When retries run
        out, the batch's description goes to the on-failure destination."""
        retries = consumer.trigger.retry_attempts if retries_left is None else retries_left
        attempt = 0
        while batch:
            failed, crashed = self._invoke(consumer, batch)
            if not failed:
                return
            first = min(i for i, r in enumerate(batch) if r["dynamodb"]["SequenceNumber"] in failed)
            if crashed and len(batch) > 1 and consumer.trigger.bisect_on_error:
                half = len(batch) // 2
                self._deliver(consumer, batch[:half], retries)
                self._deliver(consumer, batch[half:], retries)
                return
            batch = batch[first:]
            if attempt >= retries:
                self._dead_letter(batch, "RetryAttemptsExhausted")
                return
            self._sleep(self._backoff * 2**attempt)
            attempt += 1

    def _dead_letter(self, batch: list[dict[str, Any]], condition: str) -> None:
        self._sqs.send_message(
            QueueUrl=self._dlq,
            MessageBody=json.dumps(
                {
                    "source": "dynamodb-stream",
                    "condition": condition,
                    "streamArn": self._arn,
                    "startSequenceNumber": batch[0]["dynamodb"]["SequenceNumber"],
                    "endSequenceNumber": batch[-1]["dynamodb"]["SequenceNumber"],
                    "batchSize": len(batch),
                }
            ),
        )

    def run(self, stop: threading.Event, interval: float = 0.3) -> None:
        while not stop.is_set():
            try:
                self.poll_once()
            except Exception as exc:  # keep the local service alive; report the type only
                print(f"stream pump: {type(exc).__name__}", flush=True)
            stop.wait(interval)
