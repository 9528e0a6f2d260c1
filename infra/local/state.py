"""The local store, kept at acknowledgement (``make run``'s default; ``--in-memory`` for a throwaway run):
every write to the emulated DynamoDB is committed to an SQLite database before the AWS call that made it
returns, and on the disk itself before any answer is given. At start the file's items are put back into freshly
created resources (moto itself is never pickled), and the stream delivers them again as it did the
first time: pending notifications are sent, open cases' timers started.

How (docs/decisions.md, "Local service"):

- every write moto makes to an item is followed (:func:`infra.local.indexes.follow_writes`: each
  ``Table.put_item``, ``Table.delete_item`` and ``UpdateItem``, which every write API reaches) and its
  key noted;
- at the end of every AWS call, still inside the emulator's lock (so no other call can see the write
  first), the items now at the noted keys are written to the database in one transaction and committed
  (WAL mode): in the operating system's hands when the call returns, so a SIGKILL loses nothing. A
  write that failed half-way and was undone is kept as it was left: undone;
- before the local gateway gives any answer, the log is fsynced (:meth:`LocalStore.sync`), outside the
  emulator's lock, one fsync for every commit before it began: an answer, and whatever it shows, is on
  the disk itself, so not even a power cut takes back what was answered;
- if a commit or an fsync fails, the call (or the answer) fails: its caller is told nothing, as after a
  timeout. A failed commit's keys stay noted and every later call fails too until one commit takes them
  all; after a failed fsync (whose pages the kernel may have dropped) every call fails until a restart.
  Nothing is answered while a write before it is not kept;
- the database is held with an exclusive lock while the service runs: a second service on the same file
  would issue the same reference numbers, so it is refused.

Reference numbers are counters among the items: each is kept before the number is used, so none is ever
issued twice; a number taken by a request killed before it answered is a gap, never a repeat."""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from collections.abc import Callable
from contextlib import suppress
from datetime import datetime
from pathlib import Path
from typing import Any

from infra.local.emulator import ACCOUNT_ID, MOTO_LOCK
from shared import names

FORMAT = 2
#: The legacy JSON state file's format (issue 6), converted in place when found.
JSON_FORMAT = 1
#: How far each counter of a legacy JSON file not written by a clean exit moves on: that format was saved
#: every few seconds, so numbers may have been issued after its last save. A gap, never a repeat.
UNCLEAN_COUNTER_GAP = 1000
_SQLITE_HEADER = b"SQLite format 3\x00"
_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS items ("
    " table_name TEXT NOT NULL, key TEXT NOT NULL, item TEXT NOT NULL, PRIMARY KEY (table_name, key))",
)


class LoadStopped(Exception):
    """A stop was asked for while the kept items were being loaded: nothing was changed."""


class StoreFailure(RuntimeError):
    """A write could not be kept: the AWS call that made it fails, and so does every call after it
    until the store takes everything written so far."""


def _backend() -> Any:
    from moto.dynamodb.models import dynamodb_backends

    region = os.environ.get("AWS_DEFAULT_REGION", names.REGION_DEFAULT)
    return dynamodb_backends[ACCOUNT_ID][region]


def _key_text(hash_value: Any, range_value: Any) -> str:
    return json.dumps([hash_value.to_json(), range_value.to_json() if range_value is not None else None])


def _refuse(path: Path, why: str) -> SystemExit:
    return SystemExit(f"{path} is not a Heard local state file ({why}): move it away to start empty")


def _owner_only(path: Path) -> None:
    """Create ``path`` readable and writable by its owner only, or make it so: it holds names, contact
    details and what people said. SQLite gives its write-ahead log the database file's mode."""
    existed = path.exists()
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        os.fchmod(descriptor, 0o600)
    finally:
        os.close(descriptor)  # before SQLite opens it: closing a descriptor drops the process's locks
    if not existed:  # the new file's name on disk too
        directory = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)


class LocalStore:
    """One state file, open for this process alone. Its connection is used under its own lock."""

    def __init__(self, path: Path, connection: sqlite3.Connection) -> None:
        self.path = path
        self._connection = connection
        self._lock = threading.Lock()
        #: (table name, hash, range) -> the moto table, for every key written since the last commit.
        self._pending: dict[tuple[str, Any, Any], Any] = {}
        self._clock: Callable[[], datetime] | None = None
        #: The write-ahead log, to fsync; commits made, and commits known to be on the disk.
        self._log = os.open(f"{path}-wal", os.O_RDONLY)
        self._committed = 0
        self._synced = 0
        self._syncing = threading.Lock()
        self._broken: str | None = None

    # --- opening ------------------------------------------------------------------------------------

    @classmethod
    def open(cls, path: Path) -> LocalStore:
        """Open (or create) the store at ``path``; a legacy JSON state file there is converted first.
        Exits with a message if the file is something else, or in use by another service."""
        path = Path(path)
        if path.is_file() and path.stat().st_size:
            with path.open("rb") as file:
                head = file.read(len(_SQLITE_HEADER))
            if head.lstrip()[:1] == b"{":
                _convert_json(path)
            elif head != _SQLITE_HEADER:
                raise _refuse(path, "neither an SQLite database nor a JSON state file")
        try:
            _owner_only(path)
        except OSError as error:
            raise SystemExit(f"{path}: {error.strerror}") from None
        connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=0)
        try:
            # Exclusive: held from the first write to the close (the WAL index then lives in memory, so
            # there is no -shm file).
            connection.execute("PRAGMA locking_mode=EXCLUSIVE")
            mode = connection.execute("PRAGMA journal_mode=WAL").fetchone()[0]
            if mode != "wal":  # a file system without the locks and shared writes WAL needs
                connection.close()
                raise SystemExit(f"{path}: SQLite cannot keep a write-ahead log there (journal mode {mode})")
            # Each commit written to the log, not fsynced: sync() fsyncs the log before an answer.
            connection.execute("PRAGMA synchronous=NORMAL")
            connection.execute("BEGIN IMMEDIATE")  # takes the exclusive lock now
            tables = {name for (name,) in connection.execute("SELECT name FROM sqlite_master")}
            if tables and not {"meta", "items"} <= tables:  # another program's database
                raise sqlite3.DatabaseError(f"it holds {', '.join(sorted(tables))}")
            for statement in _SCHEMA:
                connection.execute(statement)
            found = connection.execute("SELECT value FROM meta WHERE name = 'format'").fetchone()
            if found is None:
                if tables:
                    raise sqlite3.DatabaseError("no format")
                connection.execute("INSERT INTO meta VALUES ('format', ?)", (str(FORMAT),))
            elif found[0] != str(FORMAT):
                raise sqlite3.DatabaseError(f"format {found[0]}, expected {FORMAT}")
            connection.execute("COMMIT")
        except sqlite3.OperationalError as error:
            connection.close()
            if "locked" in str(error):
                raise SystemExit(f"{path} is in use by another Heard local service: stop it first") from None
            raise _refuse(path, str(error)) from None
        except sqlite3.DatabaseError as error:
            connection.close()
            raise _refuse(path, str(error)) from None
        try:
            return cls(path, connection)
        except OSError as error:  # its log (made as it opened) is not there to fsync
            connection.close()
            raise SystemExit(f"{path}-wal: {error.strerror}") from None

    # --- reading ------------------------------------------------------------------------------------

    def clock(self) -> datetime | None:
        """Where the local clock stood at the last write (``make run`` goes on from it)."""
        with self._lock:
            found = self._connection.execute("SELECT value FROM meta WHERE name = 'clock'").fetchone()
        try:
            return datetime.fromisoformat(found[0]) if found else None
        except ValueError:
            return None

    def items(self, table_name: str) -> list[dict[str, Any]]:
        """Every kept item of the table, as DynamoDB JSON."""
        with self._lock:
            rows = self._connection.execute(
                "SELECT item FROM items WHERE table_name = ?", (table_name,)
            ).fetchall()
        return [json.loads(item) for (item,) in rows]

    def load_into(
        self,
        table_name: str,
        streamed: Callable[[dict[str, Any]], bool] | None = None,
        stopped: Callable[[], bool] | None = None,
    ) -> int:
        """Put the kept items into the (new, empty) table; returns how many. Through moto's own write,
        so the stream has each item as an INSERT, as when it was first written; or only the items whose
        record ``streamed`` accepts (a stream consumer's filter would): the others' records would only
        be counted and trimmed by the pump, and making them cost as much as the items (a record holds a
        copy of its item). Not followed: the file holds them already. Raises :class:`LoadStopped` as
        soon as ``stopped()`` says a stop was asked for (the file is only read)."""
        items = self.items(table_name)
        backend = _backend()
        with MOTO_LOCK:
            table = backend.get_table(table_name)
            shard = table.stream_shard
            try:
                for number, item in enumerate(items):
                    if stopped is not None and number % 500 == 0 and stopped():
                        raise LoadStopped
                    record = {"eventName": "INSERT", "dynamodb": {"NewImage": item}}
                    table.stream_shard = shard if streamed is None or streamed(record) else None
                    backend.put_item(table_name, item)
            finally:
                table.stream_shard = shard
        return len(items)

    # --- keeping ------------------------------------------------------------------------------------

    def attach(self, clock: Callable[[], datetime] | None = None) -> None:
        """From now on, keep every write to the emulated DynamoDB before its call returns, with the local
        clock's time (``clock``). One store is attached at a time: this one replaces any other."""
        global _attached
        _install()
        self._clock = clock
        with MOTO_LOCK:
            _attached = self

    def detach(self) -> None:
        global _attached
        with MOTO_LOCK:
            if _attached is self:
                _attached = None

    def note(self, table: Any, key: tuple[Any, Any]) -> None:
        self._pending[(table.name, *key)] = table

    def flush(self) -> None:
        """Commit the items now at every noted key (call with the emulator's lock held)."""
        if self._broken:
            raise StoreFailure(self._broken)
        if not self._pending:
            return
        kept: list[tuple[str, str, str]] = []
        gone: list[tuple[str, str]] = []
        for (table_name, hash_value, range_value), table in self._pending.items():
            item = table.get_item(hash_value, range_value)
            key = _key_text(hash_value, range_value)
            if item is None:
                gone.append((table_name, key))
            else:
                kept.append((table_name, key, json.dumps(item.to_json()["Attributes"])))
        clock = self._clock() if self._clock else None
        try:
            self._commit(kept, gone, clock)
        except (sqlite3.Error, OSError) as error:
            raise StoreFailure(f"the local store {self.path} could not keep a write: {error}") from error
        self._pending.clear()

    def _commit(
        self, kept: list[tuple[str, str, str]], gone: list[tuple[str, str]], clock: datetime | None
    ) -> None:
        with self._lock:
            connection = self._connection
            try:
                connection.execute("BEGIN IMMEDIATE")
                connection.executemany("INSERT OR REPLACE INTO items VALUES (?, ?, ?)", kept)
                connection.executemany("DELETE FROM items WHERE table_name = ? AND key = ?", gone)
                if clock is not None:
                    connection.execute(
                        "INSERT OR REPLACE INTO meta VALUES ('clock', ?)", (clock.isoformat(),)
                    )
                connection.execute("COMMIT")
            except BaseException:
                with suppress(sqlite3.Error):
                    connection.execute("ROLLBACK")
                raise
            self._committed += 1

    def sync(self) -> None:
        """Put every commit made so far on the disk itself (an fsync of the log), unless it is already:
        the local gateway calls it before each answer. Outside the emulator's lock; one fsync at a time,
        and one serves every commit made before it began, so callers arriving together share it."""
        if self._synced >= self._committed:
            return
        with self._syncing:
            target = self._committed  # each of these commits has written its pages to the log
            if self._synced >= target:
                return
            try:
                os.fsync(self._log)
            except OSError as error:
                self._broken = f"the local store {self.path} could not put its log on disk: {error}"
                raise StoreFailure(self._broken) from error
            self._synced = target

    def save_clock(self, instant: datetime) -> None:
        """Keep where the local clock stands now (a move of the clock is answered only once kept)."""
        self._commit([], [], instant)

    def replace_items(self, table_name: str, items: list[dict[str, Any]]) -> None:
        """Make the kept items of ``table_name`` exactly ``items`` (DynamoDB JSON), in one commit."""
        with self._lock:
            connection = self._connection
            connection.execute("BEGIN IMMEDIATE")
            try:
                connection.execute("DELETE FROM items WHERE table_name = ?", (table_name,))
                connection.executemany(
                    "INSERT INTO items VALUES (?, ?, ?)",
                    [(table_name, _item_key(item), json.dumps(item)) for item in items],
                )
                connection.execute("COMMIT")
            except BaseException:
                connection.execute("ROLLBACK")
                raise

    def count(self) -> int:
        with self._lock:
            return int(self._connection.execute("SELECT count(*) FROM items").fetchone()[0])

    def close(self, clock: datetime | None = None) -> int:
        """Keep anything still noted and the clock, fold the write-ahead log into the database, and let
        the file go, even when the store has failed (then raising its failure); returns how many items
        it holds."""
        failure: StoreFailure | None = None
        with MOTO_LOCK:
            try:
                self.flush()
            except StoreFailure as error:
                failure = error
            finally:
                self.detach()
        try:
            if failure is None:
                if clock is not None:
                    self.save_clock(clock)
                self.sync()
            count = self.count()
        finally:
            with self._lock:
                with suppress(sqlite3.Error):  # fsyncs the log, folds it in and fsyncs the database
                    self._connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                self._connection.close()
            os.close(self._log)
        if failure is not None:
            raise failure
        return count


def _item_key(item: dict[str, Any]) -> str:
    """The key text of an item given as DynamoDB JSON, for Heard's table (PK and SK)."""
    return json.dumps([item[names.PK], item[names.SK]])


#: The store that keeps this process's writes, if any.
_attached: LocalStore | None = None
_installed = False


def _noted(table: Any, key: tuple[Any, Any]) -> None:
    store = _attached
    if store is not None:
        store.note(table, key)


def _install() -> None:
    """Follow every write moto makes, and commit at the end of every AWS call (idempotent)."""
    global _installed
    if _installed:
        return
    from moto.core.botocore_stubber import BotocoreStubber

    from infra.local import indexes

    indexes.follow_writes(_noted)
    process = BotocoreStubber.process_request

    def process_request(self: BotocoreStubber, request: Any) -> Any:
        with MOTO_LOCK:
            try:
                return process(self, request)
            finally:
                store = _attached
                if store is not None:
                    store.flush()

    BotocoreStubber.process_request = process_request  # type: ignore[method-assign]
    _installed = True


def save(path: Path, table_name: str, *, clock: datetime | None = None) -> int:
    """Write every item of the table now (in this process's emulated AWS) to a store at ``path``, which
    then holds exactly them, and close it; returns how many (``make demo``)."""
    with MOTO_LOCK:
        items = []
        for partition in _backend().get_table(table_name).items.values():
            for item in partition.values() if isinstance(partition, dict) else (partition,):
                items.append(item.to_json()["Attributes"])
        items = json.loads(json.dumps(items))  # a copy: moto updates items in place
    store = LocalStore.open(path)
    try:
        store.replace_items(table_name, items)
    finally:
        store.close(clock)
    return len(items)


def _convert_json(path: Path) -> None:
    """Replace a legacy JSON state file (issue 6) by a store holding the same items and clock. If it was
    not written by a clean exit, every counter moves on by :data:`UNCLEAN_COUNTER_GAP`."""
    try:
        document = json.loads(path.read_text())
        items: list[dict[str, Any]] = document["items"]
        table_name: str = document["table"]
        if document.get("format") != JSON_FORMAT:
            raise ValueError(f"format {document.get('format')!r}, expected {JSON_FORMAT}")
        clock = datetime.fromisoformat(document["clock"]) if document.get("clock") else None
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise _refuse(path, str(error)) from None
    if not document.get("clean"):
        for item in items:
            if item[names.SK]["S"] == names.COUNTER_SK:
                item["value"] = {"N": str(int(item["value"]["N"]) + UNCLEAN_COUNTER_GAP)}
    converted = path.with_name(f".{path.name}.converting")
    for leftover in (converted, converted.with_name(converted.name + "-wal")):
        leftover.unlink(missing_ok=True)
    store = LocalStore.open(converted)
    try:
        store.replace_items(table_name, items)
    finally:
        store.close(clock)
    os.replace(converted, path)
    print(f"Local state: {path} converted from JSON to SQLite ({len(items)} items)", flush=True)
