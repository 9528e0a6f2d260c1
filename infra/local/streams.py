"""A local stand-in for the Lambda event source mapping on the case table's stream (moto stores the
stream but cannot invoke Lambda without Docker): batches, partial batch failures with retries and
exponential backoff, then the on-failure destination (an SQS queue), as configured in infra/."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from typing import Any

from infra.local.gateway import Handler, LambdaContext

BATCH_SIZE = 10
MAX_RETRIES = 3


class StreamPump:
    def __init__(
        self,
        table_name: str,
        handler: Handler,
        dead_letter_queue_url: str,
        *,
        batch_size: int = BATCH_SIZE,
        max_retries: int = MAX_RETRIES,
        backoff_seconds: float = 0.5,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        import boto3

        self._streams = boto3.client("dynamodbstreams")
        self._sqs = boto3.client("sqs")
        self._arn: str = boto3.client("dynamodb").describe_table(TableName=table_name)["Table"][
            "LatestStreamArn"
        ]
        self._handler = handler
        self._dlq = dead_letter_queue_url
        self._batch_size = batch_size
        self._max_retries = max_retries
        self._backoff = backoff_seconds
        self._sleep = sleep
        self._pending: dict[str, list[dict[str, Any]]] = {}  # shard -> records read, not yet processed
        self._iterators: dict[str, str] = {}
        self._lock = threading.Lock()
        self.invocations = 0

    def _read(self) -> None:
        shards = self._streams.describe_stream(StreamArn=self._arn)["StreamDescription"]["Shards"]
        for shard in shards:
            shard_id = shard["ShardId"]
            if shard_id not in self._iterators:
                self._iterators[shard_id] = self._streams.get_shard_iterator(
                    StreamArn=self._arn, ShardId=shard_id, ShardIteratorType="TRIM_HORIZON"
                )["ShardIterator"]
            page = self._streams.get_records(ShardIterator=self._iterators[shard_id])
            self._iterators[shard_id] = page["NextShardIterator"]
            records = [{**r, "eventSourceARN": self._arn} for r in page["Records"]]
            self._pending.setdefault(shard_id, []).extend(records)

    def poll_once(self) -> int:
        """Read new records and deliver them; returns how many records were consumed."""
        with self._lock:
            self._read()
            consumed = 0
            for records in self._pending.values():
                while records:
                    batch = records[: self._batch_size]
                    done = self._deliver(batch)
                    del records[:done]
                    consumed += done
            return consumed

    def drain(self, max_rounds: int = 50) -> None:
        """Deliver until the stream is quiet (records the handler writes are delivered too)."""
        for _ in range(max_rounds):
            if not self.poll_once():
                return

    def _deliver(self, batch: list[dict[str, Any]]) -> int:
        """Invoke with retries from the first failed record; returns how many records are finished."""
        for attempt in range(self._max_retries + 1):
            self.invocations += 1
            try:
                result = self._handler({"Records": batch}, LambdaContext(function_name="Notifier"))
                failures = [f["itemIdentifier"] for f in (result or {}).get("batchItemFailures", [])]
            except Exception:  # a crashed invocation fails the whole batch
                failures = [batch[0]["dynamodb"]["SequenceNumber"]]
            if not failures:
                return len(batch)
            first = min(i for i, r in enumerate(batch) if r["dynamodb"]["SequenceNumber"] in set(failures))
            if first > 0:
                return first  # the records before the failure are done; retry from it next
            if attempt < self._max_retries:
                self._sleep(self._backoff * 2**attempt)
        self._sqs.send_message(
            QueueUrl=self._dlq,
            MessageBody=json.dumps(
                {
                    "source": "dynamodb-stream",
                    "streamArn": self._arn,
                    "startSequenceNumber": batch[0]["dynamodb"]["SequenceNumber"],
                    "endSequenceNumber": batch[-1]["dynamodb"]["SequenceNumber"],
                    "batchSize": len(batch),
                }
            ),
        )
        return len(batch)

    def run(self, stop: threading.Event, interval: float = 0.3) -> None:
        while not stop.is_set():
            try:
                self.poll_once()
            except Exception as exc:  # keep the local service alive; report the type only
                print(f"stream pump: {type(exc).__name__}", flush=True)
            stop.wait(interval)
