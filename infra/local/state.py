"""Keeping the local store between runs (``HEARD_LOCAL_STATE=.heard-state make run``): the case table's
items as DynamoDB JSON in one file, written atomically at exit and every few seconds while the table
changes, and loaded back into freshly created resources at start. moto itself is never pickled.

Reference numbers are never issued twice for the same store: the counters are items like any other,
and a file not written by a clean exit (the process was killed between two saves, so numbers may have
been issued after the last save) has every counter moved on by :data:`UNCLEAN_COUNTER_GAP`."""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from infra.local.emulator import ACCOUNT_ID, MOTO_LOCK
from shared import names

FORMAT = 1
#: How far each counter moves on after an unclean stop: more numbers than the service can issue between
#: two saves. The gap is harmless (documented in docs/decisions.md); a repeated number is not.
UNCLEAN_COUNTER_GAP = 1000
SAVE_INTERVAL_SECONDS = 5.0
_BATCH = 25  # BatchWriteItem's maximum


def _client() -> Any:
    import boto3

    return boto3.client("dynamodb")


def _table(table_name: str) -> Any:
    from moto.dynamodb.models import dynamodb_backends

    region = os.environ.get("AWS_DEFAULT_REGION", names.REGION_DEFAULT)
    return dynamodb_backends[ACCOUNT_ID][region].get_table(table_name)


def _items(table_name: str) -> list[dict[str, Any]]:
    """Every item as DynamoDB JSON, copied from moto's table under the lock in one short hold (a
    paginated Scan held it for seconds a page, and stopped every request meanwhile)."""
    with MOTO_LOCK:
        table = _table(table_name)
        partitions = list(table.items.values())
        items = []
        for partition in partitions:
            for item in partition.values() if isinstance(partition, dict) else (partition,):
                items.append(item.to_json()["Attributes"])
        return json.loads(json.dumps(items))  # a deep copy: moto updates items in place


def _write(path: Path, document: dict[str, Any]) -> None:
    """Replace ``path`` atomically (a crash never leaves half a file), readable by its owner only: it
    holds names, contact details and what people said."""
    temporary = path.with_name(f".{path.name}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as file:
        json.dump(document, file)
    os.replace(temporary, path)


def save(path: Path, table_name: str, *, clean: bool, clock: datetime | None = None) -> int:
    """Write every item of the table to ``path``, with the local clock's time."""
    items = _items(table_name)
    _write(
        path,
        {
            "format": FORMAT,
            "table": table_name,
            "saved_at": datetime.now(UTC).isoformat(),
            "clean": clean,
            "clock": clock.isoformat() if clock else None,
            "items": items,
        },
    )
    return len(items)


def saved_clock(path: Path) -> datetime | None:
    """Where the local clock stood at the last save, if the file says (``make run`` goes on from it)."""
    if not path.exists():
        return None
    try:
        value = json.loads(path.read_text()).get("clock")
        return datetime.fromisoformat(value) if value else None
    except (ValueError, TypeError, AttributeError):
        return None


def load(path: Path, table_name: str) -> int:
    """Put the saved items into the (new, empty) table; returns how many. A missing file is an empty
    store. Counters move on by UNCLEAN_COUNTER_GAP if the file was not written by a clean exit."""
    if not path.exists():
        return 0
    try:
        document = json.loads(path.read_text())
        items: list[dict[str, Any]] = document["items"]
        if document.get("format") != FORMAT:
            raise ValueError(f"format {document.get('format')!r}, expected {FORMAT}")
    except (ValueError, KeyError, TypeError) as error:
        message = f"{path} is not a Heard local state file ({error}): move it away to start empty"
        raise SystemExit(message) from None
    if not document.get("clean"):
        for item in items:
            if item[names.SK]["S"] == names.COUNTER_SK:
                item["value"] = {"N": str(int(item["value"]["N"]) + UNCLEAN_COUNTER_GAP)}
    # From now on this process may issue numbers the file does not hold: until a save says otherwise,
    # the file is one an unclean stop would leave.
    _write(path, {**document, "items": items, "clean": False})
    client = _client()
    for start in range(0, len(items), _BATCH):
        pending = [{"PutRequest": {"Item": item}} for item in items[start : start + _BATCH]]
        while pending:
            result = client.batch_write_item(RequestItems={table_name: pending})
            pending = result.get("UnprocessedItems", {}).get(table_name, [])
    return len(items)


def _last_write(table_name: str) -> int:
    """The stream's next sequence number: it moves on with every write, and only then."""
    with MOTO_LOCK:
        shard = _table(table_name).stream_shard
        return int(shard.starting_sequence_number + len(shard.items)) if shard else 0


def keep_saving(
    path: Path, table_name: str, stop: threading.Event, clock: Callable[[], datetime] | None = None
) -> None:
    """Save every SAVE_INTERVAL_SECONDS while the table changes, until ``stop``; the final, clean save
    is the caller's, after the server has stopped taking requests."""
    saved_at = _last_write(table_name)
    while not stop.wait(SAVE_INTERVAL_SECONDS):
        current = _last_write(table_name)
        if current != saved_at:
            try:
                save(path, table_name, clean=False, clock=clock() if clock else None)
                saved_at = current
            except OSError as error:
                print(f"local state: could not save to {path}: {error.strerror}", flush=True)
