"""The local store kept at acknowledgement (issue 17; infra/local/state.py), measured three ways:

- ``kills``: ``make run``'s process (``python -m infra.local``) with its store in a file, clients
  submitting representations through the public intake API and officers writing notes, all at once,
  SIGKILLed (the whole process group) in the middle of it; restarted on the same file, loaded again,
  killed again, ``runs`` times, then restarted once more. After every restart each write that had been
  answered 2xx is looked for through the officer API (the case with the text that was sent, the note in
  its chronology). Reported per run: writes answered, writes cut off by the kill (no answer), writes
  answered and then lost, and references issued twice (the target for both: 0).
- ``startup``: the same process started on a council's five years of cases (:func:`five_years`), the
  time from the process's start to ``GET /health`` answering, against the same start with
  ``--in-memory`` (an empty store), in alternating rounds.
- ``write_cost``: the write path in-process on moto, through the local gateway, with the store attached
  (every write committed before its call returns, the log fsynced before the answer) and detached (the
  in-memory path as it was), on one service in alternating rounds: a ``POST /representations``, an
  officer's note, and one small ``PutItem`` answered as the gateway answers.

``python -m bench.durable`` runs all three; ``python -m bench.durable kills`` (or ``startup``,
``write_cost``) one; ``python -m bench.durable five-years FILE`` writes the five years' store alone, and
``python -m bench.durable start-stop FILE`` (or ``--in-memory``) starts the service on it in-process and
stops it, a whole process to time from outside."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Callable
from contextlib import redirect_stdout
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.client import HTTPException
from pathlib import Path
from typing import Any

from bench.common import ROOT, interleave
from bench.load import _free_port, _rss_mb

#: The local clock of the killed runs: fixed, so that every run registers cases on the same day.
CLOCK_START = "2026-11-26T10:00:00Z"
OFFICER = "complaints-officer"


def _environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_") and k != "HEARD_LOCAL_STATE"}
    return {**env, "TZ": "UTC", "PYTHONPATH": str(ROOT)}


def _serve(port: int, *arguments: str, log: Any = subprocess.DEVNULL) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "infra.local", "--port", str(port), *arguments],
        cwd=ROOT,
        env=_environment(),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def _up(url: str, process: subprocess.Popen[bytes], seconds: float = 180) -> float:
    """Wait until ``GET /health`` answers 200; returns when (time.monotonic())."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=5) as response:
                if response.status == 200:
                    return time.monotonic()
        except (OSError, HTTPException):
            if process.poll() is not None:
                raise RuntimeError(f"the local service exited ({process.returncode})") from None
            if time.monotonic() > deadline:
                raise RuntimeError(f"the local service did not answer within {seconds} s") from None
        time.sleep(0.05)


def _call(
    url: str, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], Any]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(
        f"{url}{path}",
        data=data,
        method=method,
        headers={**({"Content-Type": "application/json"} if data else {}), **(headers or {})},
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, dict(response.headers), json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode("utf-8", "replace")


def _token(url: str) -> str:
    status, _, answer = _call(url, "POST", "/_local/token", {"username": OFFICER})
    if status != 200:
        raise RuntimeError(f"no token: {status}")
    return str(answer["id_token"])


def _representation(text: str) -> dict[str, Any]:
    return {
        "kind": "complaint",
        "role": "parent",
        "subject": "childrens-social-care",
        "on_behalf_of": "a-child",
        "name": "Kill Run",
        "email": "kill.run@example.org",
        "preferred_contact": "email",
        "advocacy": "no",
        "what_happened": text,
    }


# --- kills ----------------------------------------------------------------------------------------


@dataclass
class _Run:
    """What one run's clients were told."""

    cases: list[tuple[str, str]] = field(default_factory=list)  # (reference, what_happened) answered 201
    notes: list[tuple[str, str]] = field(default_factory=list)  # (reference, text) answered 200
    cut_off: int = 0  # sent, and no answer came: the kill
    #: Answered, but not 2xx, by status: a note's 412 is another write to the case between the
    #: officer's read and the note (If-Match), refused as it should be.
    refused: Counter[int] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _cut_off(error: BaseException) -> bool:
    """A request the kill ended (False: one that never reached the service, which had gone)."""
    reason = getattr(error, "reason", error)
    return not isinstance(reason, ConnectionRefusedError)


def _submitting(url: str, run: int, client: int, record: _Run, stop: threading.Event) -> None:
    number = 0
    while not stop.is_set():
        number += 1
        text = f"Kill run {run}, client {client}, representation {number}: nobody called back."
        try:
            status, _, answer = _call(url, "POST", "/representations", _representation(text))
        except (OSError, HTTPException) as error:
            with record.lock:
                record.cut_off += _cut_off(error)
            continue
        with record.lock:
            if status == 201:
                record.cases.append((answer["reference"], text))
            else:
                record.refused[status] += 1


def _noting(url: str, run: int, officer: int, record: _Run, stop: threading.Event) -> None:
    try:
        authorization = {"Authorization": _token(url)}
    except (OSError, HTTPException, RuntimeError):
        return
    number = 0
    while not stop.is_set():
        with record.lock:
            cases = [reference for reference, _ in record.cases]
        if not cases:
            time.sleep(0.05)
            continue
        number += 1
        reference = cases[(number * 7 + officer) % len(cases)]
        text = f"Kill run {run}, officer {officer}, note {number}: called the family back."
        try:
            status, headers, _ = _call(url, "GET", f"/cases/{reference}", headers=authorization)
            if status != 200:
                continue
            status, _, _ = _call(
                url,
                "POST",
                f"/cases/{reference}/actions",
                {"action": "note", "text": text},
                {**authorization, "If-Match": headers["ETag"]},
            )
        except (OSError, HTTPException) as error:
            with record.lock:
                record.cut_off += _cut_off(error)
            continue
        with record.lock:
            if status == 200:
                record.notes.append((reference, text))
            else:
                record.refused[status] += 1


def _missing(url: str, runs: list[_Run]) -> dict[int, list[str]]:
    """The answered writes the running service does not hold, by the run that was answered: each case
    with its text, each note in its case's chronology."""
    authorization = {"Authorization": _token(url)}
    missing: dict[int, list[str]] = {}
    for run, record in enumerate(runs):
        for reference, text in record.cases:
            status, _, answer = _call(url, "GET", f"/cases/{reference}", headers=authorization)
            if status != 200 or text not in json.dumps(answer):
                missing.setdefault(run, []).append(f"case {reference} ({status})")
        by_case: dict[str, list[str]] = {}
        for reference, text in record.notes:
            by_case.setdefault(reference, []).append(text)
        for reference, texts in by_case.items():
            status, _, answer = _call(url, "GET", f"/cases/{reference}/events", headers=authorization)
            chronology = json.dumps(answer) if status == 200 else ""
            missing.setdefault(run, []).extend(
                f"note on {reference}" for text in texts if text not in chronology
            )
    return {run: lost for run, lost in missing.items() if lost}


def kills(
    state: Path,
    runs: int = 5,
    clients: int = 6,
    officers: int = 2,
    kill_after: tuple[float, float] = (2.0, 5.0),
    seed: int = 17,
    log: Path | None = None,
) -> dict[str, Any]:
    """``runs`` SIGKILLs mid-load of a service kept in ``state``, each followed by a restart that looks
    for every write answered so far (see the module's docstring). A run's ``lost`` counts its answered
    writes missing after the restart that follows it; ``missing_at_the_end``, every run's after the last
    restart."""
    rng = random.Random(seed)
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    records: list[_Run] = []
    results: list[dict[str, Any]] = []
    missing: dict[int, list[str]] = {}
    output: Any = log.open("ab") if log else subprocess.DEVNULL
    try:
        for run in range(runs + 1):
            started = time.monotonic()
            process = _serve(port, "--state", str(state), "--clock-start", CLOCK_START, log=output)
            try:
                up = _up(url, process)
                missing = _missing(url, records)
                if results:
                    lost = missing.get(run - 1, [])
                    results[-1].update({"lost": len(lost), "lost_writes": lost[:10]})
                if run == runs:
                    break
                record, stop = _Run(), threading.Event()
                workers = [
                    threading.Thread(target=_submitting, args=(url, run, c, record, stop))
                    for c in range(clients)
                ] + [
                    threading.Thread(target=_noting, args=(url, run, o, record, stop))
                    for o in range(officers)
                ]
                for worker in workers:
                    worker.start()
                loaded = time.monotonic()
                time.sleep(rng.uniform(*kill_after))
                os.killpg(process.pid, signal.SIGKILL)
                killed_after = time.monotonic() - loaded
                process.wait()
                stop.set()
                for worker in workers:
                    worker.join()
            finally:
                if process.poll() is None:
                    os.killpg(process.pid, signal.SIGTERM)
                    try:
                        process.wait(timeout=10)
                    except subprocess.TimeoutExpired:
                        os.killpg(process.pid, signal.SIGKILL)
                        process.wait()
            results.append(
                {
                    "run": run + 1,
                    "start_seconds": round(up - started, 2),
                    "killed_after_seconds": round(killed_after, 2),
                    "representations_answered_201": len(record.cases),
                    "notes_answered_200": len(record.notes),
                    "cut_off_by_the_kill": record.cut_off,
                    "answered_not_2xx": dict(record.refused),
                }
            )
            records.append(record)
    finally:
        if log:
            output.close()
    references = Counter(reference for record in records for reference, _ in record.cases)
    return {
        "runs": results,
        "acknowledged": sum(len(record.cases) + len(record.notes) for record in records),
        "lost": sum(run["lost"] for run in results),
        "references_repeated": sum(1 for count in references.values() if count > 1),
        "cut_off": sum(run["cut_off_by_the_kill"] for run in results),
        "final_restart_seconds": round(up - started, 2),
        "missing_at_the_end": sum(len(lost) for lost in missing.values()),
    }


# --- start-up on five years -----------------------------------------------------------------------

#: Five years of a council's cases: the demo's two years (392 cases, built through the domain) copied
#: to this many, each chronology made up to EVENTS_PER_CASE events with officers' notes.
CASES = 1000
EVENTS_PER_CASE = 30


def _demo_items() -> tuple[list[dict[str, Any]], datetime]:
    """Every item of the two demo years (shared/reporting/demo.py), and their report date."""
    from datetime import time as day_time

    from moto import mock_aws

    from infra.local.emulator import create_resources, use_fake_credentials
    from infra.local.state import _backend
    from shared.adapters.dynamodb import DynamoReportSource
    from shared.domain.calendar import LONDON
    from shared.reporting.demo import build_demo

    use_fake_credentials()
    with mock_aws():
        resources = create_resources()
        builder = build_demo(DynamoReportSource(resources.table_name))
        table = _backend().get_table(resources.table_name)
        items = json.loads(json.dumps([item.to_json()["Attributes"] for item in table.all_items()]))
    return items, datetime.combine(builder.report_date, day_time(12, 0), tzinfo=LONDON)


def five_years(path: Path, cases: int = CASES, events_per_case: int = EVENTS_PER_CASE) -> dict[str, int]:
    """Write a store of ``cases`` cases to ``path``: the demo's, copied under new case ids and reference
    numbers (each year's counter moved on to its last), each chronology made up to ``events_per_case``
    events with notes (and the case's last event moved on to match)."""
    from infra.local.state import LocalStore
    from shared import names

    items, report_date = _demo_items()
    by_case: dict[str, list[dict[str, Any]]] = {}
    others: list[dict[str, Any]] = []
    for item in items:
        key = item[names.PK]["S"]
        (by_case.setdefault(key, []) if key.startswith("CASE#") else others).append(item)
    templates = [by_case[key] for key in sorted(by_case)]
    numbers: Counter[str] = Counter()
    kept: list[dict[str, Any]] = [item for item in others if item[names.SK]["S"] != names.COUNTER_SK]
    events = 0
    for n in range(cases):
        template = templates[n % len(templates)]
        case = next(item for item in template if item.get("type", {}).get("S") == "case")
        old_id, old_reference = case["case_id"]["S"], case["reference"]["S"]
        prefix = old_reference.rsplit("-", 1)[0]
        numbers[prefix] += 1
        new_id, new_reference = f"five-{n + 1:05d}", f"{prefix}-{numbers[prefix]:05d}"
        copied = [
            json.loads(json.dumps(item).replace(old_id, new_id).replace(old_reference, new_reference))
            for item in template
        ]
        chronology = [item for item in copied if item.get("type", {}).get("S") == "event"]
        last = max(int(item["sequence"]["N"]) for item in chronology)
        for extra in range(events_per_case - len(chronology)):
            sequence = last + extra + 1
            note = {
                **chronology[-1],
                names.SK: {"S": f"EVENT#{sequence:06d}"},
                "sequence": {"N": str(sequence)},
                "actor": {"S": "complaints-officer"},
                "by": {"S": "demo.officer"},
                "action": {"S": "note"},
                "changes": {"M": {"text": {"S": f"Note {sequence}: called the family back."}}},
            }
            copied.append(note)
        events += max(events_per_case, len(chronology))
        for item in copied:
            if item.get("type", {}).get("S") == "case":
                item["last_event"] = {"N": str(max(last, last + events_per_case - len(chronology)))}
        kept += copied
    for prefix, last_number in numbers.items():  # CSC-2014 -> COUNTER#2014
        year = prefix.rsplit("-", 1)[1]
        kept.append(
            {
                names.PK: {"S": names.counter_pk(int(year))},
                names.SK: {"S": names.COUNTER_SK},
                "value": {"N": str(last_number)},
            }
        )
    path.unlink(missing_ok=True)
    store = LocalStore.open(path)
    try:
        store.replace_items(names.TABLE, kept)
    finally:
        store.close(report_date)
    return {"cases": cases, "events": events, "items": len(kept), "bytes": path.stat().st_size}


def _start_once(port: int, arguments: list[str]) -> tuple[float, float, float]:
    """Seconds from the process's start to /health, the first submission's time, and the resident
    memory (MB) after it."""
    url = f"http://127.0.0.1:{port}"
    started = time.monotonic()
    process = _serve(port, *arguments)
    try:
        up = _up(url, process) - started
        before = time.perf_counter()
        status, _, _ = _call(url, "POST", "/representations", _representation("The first after a start."))
        if status != 201:
            raise RuntimeError(f"the first submission after a start: {status}")
        first = time.perf_counter() - before
        memory = _rss_mb(process.pid)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)
    return up, first, memory


def startup(rounds: int = 3, cases: int = CASES, events_per_case: int = EVENTS_PER_CASE) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="heard-five-years-") as directory:
        built = Path(directory) / "five-years.db"
        began = time.monotonic()
        shape: dict[str, float] = {**five_years(built, cases, events_per_case)}
        shape["built_seconds"] = round(time.monotonic() - began, 1)
        port = _free_port()
        kept: list[tuple[float, float, float]] = []
        empty: list[tuple[float, float, float]] = []
        for round_number in range(rounds):
            copy = Path(directory) / f"round-{round_number}.db"
            shutil.copyfile(built, copy)  # a start changes its store (notifications sent, reads recorded)
            os.chmod(copy, 0o600)
            kept.append(_start_once(port, ["--state", str(copy)]))
            empty.append(_start_once(port, ["--in-memory"]))
    kept_up, empty_up = statistics.median(k[0] for k in kept), statistics.median(e[0] for e in empty)
    return {
        "store": shape,
        "start_to_health_seconds": {"kept": round(kept_up, 2), "in_memory": round(empty_up, 2)},
        "ratio": round(kept_up / empty_up, 2),
        "each_kept_start_seconds": [round(k[0], 2) for k in kept],
        "each_in_memory_start_seconds": [round(e[0], 2) for e in empty],
        "first_submission_ms": {
            "kept": round(statistics.median(k[1] for k in kept) * 1000, 1),
            "in_memory": round(statistics.median(e[1] for e in empty) * 1000, 1),
        },
        "rss_mb": {
            "kept": round(statistics.median(k[2] for k in kept), 1),
            "in_memory": round(statistics.median(e[2] for e in empty), 1),
        },
    }


# --- the write path's cost ------------------------------------------------------------------------

REQUESTS_PER_ROUND = 20


def write_cost(rounds: int = 9, requests: int | None = None) -> dict[str, Any]:
    from moto import mock_aws

    from infra.local.clock import LocalClock
    from infra.local.emulator import use_fake_credentials
    from infra.local.service import LocalService
    from shared import config, wiring
    from shared.domain.clock import SystemClock

    use_fake_credentials()
    per_round = requests or REQUESTS_PER_ROUND
    clock = LocalClock(datetime(2026, 11, 26, 10, tzinfo=UTC))
    with (
        tempfile.TemporaryDirectory(prefix="heard-write-cost-") as directory,
        mock_aws(),
        redirect_stdout(sys.stderr),  # what the service says: the figures alone on stdout
    ):
        service = LocalService.start(clock=clock, state_file=Path(directory) / "state.db")
        store = service.store
        assert store is not None
        dispatch = service.gateway.dispatch
        count = iter(range(10**9))

        def submit() -> str:
            body = json.dumps(_representation(f"Write cost {next(count)}: nobody called back.")).encode()
            status, _, payload = dispatch(
                "POST", "/representations", {"Content-Type": "application/json"}, body
            )
            if status != 201:
                raise RuntimeError(f"submission: {status} {payload[:200]!r}")
            return str(json.loads(payload)["reference"])

        _, _, token = dispatch("POST", "/_local/token", {}, json.dumps({"username": OFFICER}).encode())
        authorization = {"Authorization": json.loads(token)["id_token"]}
        references = [submit() for _ in range(10)]  # warm, and cases to write notes on
        rng = random.Random(17)

        def note() -> float:
            reference = rng.choice(references)
            _, headers, _ = dispatch("GET", f"/cases/{reference}", authorization, b"")
            body = json.dumps({"action": "note", "text": f"Note {next(count)}: called back."}).encode()
            etag = dict(headers)["ETag"]
            begin = time.perf_counter()
            status, _, payload = dispatch(
                "POST",
                f"/cases/{reference}/actions",
                {**authorization, "If-Match": etag, "Content-Type": "application/json"},
                body,
            )
            took = time.perf_counter() - begin
            if status != 200:
                raise RuntimeError(f"note: {status} {payload[:200]!r}")
            return took

        import boto3

        dynamodb = boto3.client("dynamodb")

        answered = service.gateway.before_answer
        assert answered is not None

        def put() -> float:
            """One PutItem, answered as the gateway answers (the store's fsync first, when kept)."""
            item = {"PK": {"S": f"BENCH#{next(count)}"}, "SK": {"S": "X"}, "n": {"N": "1"}}
            begin = time.perf_counter()
            dynamodb.put_item(TableName=service.resources.table_name, Item=item)
            answered()
            return time.perf_counter() - begin

        def timed(call: Callable[[], Any]) -> float:
            begin = time.perf_counter()
            call()
            return time.perf_counter() - begin

        measures = {"submission": lambda: timed(submit), "note": note, "put_item": put}

        def side(kept: bool, measure: Callable[[], float]) -> Callable[[], float]:
            def run() -> float:
                if kept:
                    store.attach(clock.now)
                else:
                    store.detach()
                return statistics.median(measure() for _ in range(per_round))

            return run

        results: dict[str, Any] = {}
        for name, measure in measures.items():
            in_memory, kept = interleave(rounds, side(False, measure), side(True, measure))
            memory_ms, kept_ms = statistics.median(in_memory) * 1000, statistics.median(kept) * 1000
            results[name] = {
                "in_memory_ms": round(memory_ms, 2),
                "kept_ms": round(kept_ms, 2),
                "ratio": round(kept_ms / memory_ms, 2),
            }

        # What the disk charges for one fsync of the log now: the ratios move with it.
        def commit_and_sync() -> None:
            store.save_clock(clock.now())
            store.sync()

        syncs = [timed(commit_and_sync) for _ in range(rounds * per_round)]
        results["one_commit_ms"] = round(statistics.median(syncs) * 1000, 2)
        store.attach(clock.now)
        service.stop(within=1.0)
    config.use_clock(SystemClock())
    wiring.reset()
    return results


def start_stop(state: str) -> dict[str, float]:
    """Start the local service in this process on the store at ``state`` (``--in-memory``: none) and
    stop it again: a whole process, to time from outside with any timer."""
    from moto import mock_aws

    from infra.local.emulator import use_fake_credentials
    from infra.local.service import LocalService

    use_fake_credentials()
    began = time.monotonic()
    with mock_aws(), redirect_stdout(sys.stderr):
        service = LocalService.start(state_file=None if state == "--in-memory" else Path(state))
        started = time.monotonic() - began
        service.stop(within=1.0)
    return {"started_seconds": round(started, 2)}


def _kills_in_a_temporary_directory() -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="heard-kills-") as directory:
        return kills(Path(directory) / "state.db")


def run() -> dict[str, Any]:
    return {"write_cost": write_cost(), "startup": startup(), "kills": _kills_in_a_temporary_directory()}


if __name__ == "__main__":
    import logging

    logging.disable(logging.INFO)
    parts: dict[str, Callable[..., Any]] = {
        "write_cost": write_cost,
        "startup": startup,
        "kills": _kills_in_a_temporary_directory,
        "five-years": lambda path: five_years(Path(path)),  # the store alone, into FILE
        "start-stop": start_stop,  # FILE or --in-memory
    }
    if len(sys.argv) > 1 and sys.argv[1] in ("five-years", "start-stop"):
        print(json.dumps(parts[sys.argv[1]](*sys.argv[2:]), indent=2))
    else:
        chosen = sys.argv[1:] or ["write_cost", "startup", "kills"]
        print(json.dumps({name: parts[name]() for name in chosen}, indent=2))
