"""Local reads stay flat as cases grow: the officer API's everyday requests on stores of 500, 5,000 and
50,000 items, as ratios against the same requests on the 500-item store, in one run; and a note's
median with 8 officers working at once against one officer alone.

Each store is a council's cases as Heard writes them: template complaints registered through the case
store and accepted and allocated through the officer handler (their events, notifications and read
records included), then copied under new case ids and references up to the store's size, written
through moto's ``PutItem``. The three stores are tables of one emulated DynamoDB, measured in
alternating rounds (bench/common.py). Requests go through the officer handler in-process on moto with a
real ID token's claims (bench/officer.py), as the local service's gateway calls it:

- ``get``: ``GET /cases/{reference}`` of a random case;
- ``overdue``: ``GET /cases?overdue=true&limit=10`` (every case is overdue: a full page at every size);
- ``mine``: ``GET /cases?mine=true&limit=10`` by the service manager (half the cases are theirs);
- ``note``: ``POST /cases/{reference}/actions`` with If-Match (the ETag of a ``GET`` made just before,
  untimed).

Officers are people: between two actions an officer reads the case and writes the next note. The
concurrency figure has each of 8 officers (threads) take a note on cases of their own with a think
time drawn from an exponential distribution of mean :data:`THINK_SECONDS`, against one officer doing the
same; with no think time at all the 8 share one interpreter's time, and that figure is reported too."""

from __future__ import annotations

import json
import logging
import random
import statistics
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from infra.local.auth import LocalStaffPool

from bench.common import benchmark_complaint, interleave

SIZES = (500, 5_000, 50_000)
REQUESTS_PER_ROUND = 20
TEMPLATES = 8  # about 39 items each with their events, notifications and reads: 312 of the 500
#: Every case's registration instant, and the clock the requests run at (every acknowledgement overdue).
SEEDED_AT = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)
NOW = SEEDED_AT + timedelta(days=40)
MANAGER = "service-manager"
OFFICER = "complaints-officer"
OFFICERS = 8
NOTES_PER_OFFICER = 6
OFFICER_ROUNDS = 3
THINK_SECONDS = 1.0
TEMPLATE_YEAR = 2099  # the templates' references, replaced in every copy
ACCEPT = {"action": "accept", "procedure": "statutory", "reason": "A parent of a child in need: s.26(3)(b)."}
NOTE = {"action": "note", "text": "Called the complainant back; a meeting is booked for Tuesday."}


def _claims(pool: LocalStaffPool, user: str) -> dict[str, str]:
    from infra.local.auth import TokenVerifier

    token = pool.sign_in(user)["id_token"]
    claims = TokenVerifier.for_pool(pool).claims({"Authorization": token})
    assert claims is not None, f"the demo user {user}'s token did not verify"
    return claims


class Officers:
    """The officer handler in-process, with each user's claims: the demo users of a staff pool created in
    the active moto mock, which the handler reads as its staff directory."""

    def __init__(self) -> None:
        import os

        from functions.officer.handler import handler
        from infra.local.auth import create_staff_pool
        from infra.local.gateway import LambdaContext
        from shared import names
        from shared.config import policy

        self.handler = handler
        self.context = LambdaContext(function_name="Officer")
        #: One request at a time, as a Lambda container (and the local gateway) serves them: Powertools'
        #: resolver keeps the current request on its module-level app.
        self.busy = threading.Lock()
        pool = create_staff_pool([area.id for area in policy().service_areas])
        os.environ[names.STAFF_POOL_ID_ENV] = pool.pool_id
        self.claims = {user: _claims(pool, user) for user in (OFFICER, MANAGER)}

    def call(
        self, user: str, method: str, route: str, path: str, query: str = "", body: Any = None, etag: str = ""
    ) -> dict[str, Any]:
        from infra.local.gateway import proxy_event

        headers = {"Content-Type": "application/json", **({"If-Match": etag} if etag else {})}
        reference = path.split("/")[2] if route.startswith("/cases/{reference}") else None
        event = proxy_event(
            method,
            route,
            path,
            query,
            headers,
            json.dumps(body).encode() if body is not None else b"",
            {"reference": reference} if reference else {},
            "127.0.0.1",
        )
        event["requestContext"]["authorizer"] = {"claims": self.claims[user]}
        with self.busy:
            answer: dict[str, Any] = self.handler(event, self.context)
        if answer["statusCode"] >= 300:
            raise RuntimeError(f"{method} {path}?{query}: {answer['statusCode']} {answer.get('body')}")
        return answer

    def get(self, reference: str, user: str = OFFICER) -> dict[str, Any]:
        return self.call(user, "GET", "/cases/{reference}", f"/cases/{reference}")

    def etag(self, reference: str, user: str = OFFICER) -> str:
        answer = self.get(reference, user)
        headers = answer.get("headers") or {
            name: values[-1] for name, values in answer["multiValueHeaders"].items()
        }
        return str(headers["ETag"])

    def note(self, reference: str, user: str = OFFICER) -> float:
        """A note with the ETag just read; returns the note's own time."""
        etag = self.etag(reference, user)
        start = time.perf_counter()
        self.call(
            user, "POST", "/cases/{reference}/actions", f"/cases/{reference}/actions", body=NOTE, etag=etag
        )
        return time.perf_counter() - start


def _use_table(table_name: str) -> None:
    import os

    from shared import names, wiring

    os.environ[names.TABLE_ENV] = table_name
    wiring.reset()


def _templates(officers: Officers) -> None:
    """Register TEMPLATES complaints, accept every one and allocate every other one to MANAGER."""
    import os

    from shared import config, names
    from shared.adapters.dynamodb import DynamoCaseStore
    from shared.domain.case import format_reference, register

    store = DynamoCaseStore(os.environ[names.TABLE_ENV])
    policy = config.policy()
    for i in range(TEMPLATES):
        request = benchmark_complaint(i, policy.service_areas[0].id)
        reference = format_reference(TEMPLATE_YEAR, i + 1)
        store.create(
            register(
                request,
                case_id=f"{0xBE0000 + i:032x}",
                reference=reference,
                received_at=SEEDED_AT,
                registered_at=SEEDED_AT,
                policy=policy,
            )
        )
        path = f"/cases/{reference}/actions"
        for action in (ACCEPT, {"action": "allocate", "manager": MANAGER})[: 1 + (i % 2 == 0)]:
            etag = officers.etag(reference)
            officers.call(OFFICER, "POST", "/cases/{reference}/actions", path, body=action, etag=etag)


def _seed(officers: Officers, table_name: str, size: int) -> list[str]:
    """A table of ``size`` items (to within one case's); returns the references of its cases."""
    import boto3
    from moto.dynamodb.models import dynamodb_backends

    from infra.local.emulator import ACCOUNT_ID, table_definition
    from shared import names
    from shared.domain.case import format_reference

    boto3.client("dynamodb").create_table(**table_definition(table_name))
    _use_table(table_name)
    _templates(officers)
    backend = dynamodb_backends[ACCOUNT_ID][names.REGION_DEFAULT]
    table = backend.get_table(table_name)
    by_case: dict[int, list[str]] = {}
    for partition in list(table.items.values()):
        for item in list(partition.values()):
            document = json.dumps(item.to_json()["Attributes"])
            for i in range(TEMPLATES):
                if f"{0xBE0000 + i:032x}" in document:
                    by_case.setdefault(i, []).append(document)
                    break
    per_case = sum(len(documents) for documents in by_case.values()) / TEMPLATES
    references = [format_reference(TEMPLATE_YEAR, i + 1) for i in range(TEMPLATES)]
    copies = max(0, round((size - len(table.all_items())) / per_case))
    for n in range(copies):
        template = n % TEMPLATES
        reference = format_reference(2026, n + 1)
        for document in by_case[template]:
            copied = document.replace(f"{0xBE0000 + template:032x}", f"{n + 1:032x}").replace(
                references[template], reference
            )
            backend.put_item(table_name, json.loads(copied))
        references.append(reference)
    if table.stream_shard is not None:
        table.stream_shard.items.clear()  # no pump runs here: nothing reads them
    return references


def _requests(
    officers: Officers, references: list[str], rng: random.Random
) -> dict[str, Callable[[], float]]:
    def timed(call: Callable[[], Any]) -> float:
        start = time.perf_counter()
        call()
        return time.perf_counter() - start

    def overdue() -> None:
        answer = officers.call(OFFICER, "GET", "/cases", "/cases", "overdue=true&limit=10")
        assert len(json.loads(answer["body"])["cases"]) == 10, "a full page of overdue cases"

    def mine() -> None:
        answer = officers.call(MANAGER, "GET", "/cases", "/cases", "mine=true&limit=10")
        assert len(json.loads(answer["body"])["cases"]) == 10, "a full page of the manager's own cases"

    return {
        "get": lambda: timed(lambda: officers.get(rng.choice(references))),
        "overdue": lambda: timed(overdue),
        "mine": lambda: timed(mine),
        "note": lambda: officers.note(rng.choice(references)),
    }


def _round(table_name: str, request: Callable[[], float]) -> Callable[[], float]:
    def measure() -> float:
        _use_table(table_name)
        request()  # the first request after switching tables builds the store's client
        return statistics.median(request() for _ in range(REQUESTS_PER_ROUND))

    return measure


def _officers_at_once(officers: Officers, cases: list[str], count: int, think: float) -> list[float]:
    """The notes of ``count`` officers working at once, each on cases of their own (``cases`` split
    between them), each thinking between two notes."""
    notes: list[float] = []
    failures: list[BaseException] = []
    lock = threading.Lock()

    def officer(mine: list[str], seed: int) -> None:
        pause = random.Random(seed)
        try:
            for reference in mine:
                if think:
                    time.sleep(pause.expovariate(1 / think))
                took = officers.note(reference)
                with lock:
                    notes.append(took)
        except BaseException as failure:  # reported below: a benchmark of failed notes measures nothing
            failures.append(failure)

    threads = [threading.Thread(target=officer, args=(cases[i::count], i)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise RuntimeError(f"{len(failures)} officers failed: {failures[0]}")
    return notes


def _officers(officers: Officers, references: list[str], think: float, rounds: int) -> dict[str, float]:
    """Median note of one officer and of OFFICERS at once, in alternating rounds, on fresh cases."""
    rng = random.Random(int(think * 1000))
    alone: list[float] = []
    together: list[float] = []
    for _ in range(rounds):
        alone += _officers_at_once(officers, rng.sample(references, NOTES_PER_OFFICER), 1, think)
        cases = rng.sample(references, OFFICERS * NOTES_PER_OFFICER)
        together += _officers_at_once(officers, cases, OFFICERS, think)
    one, many = statistics.median(alone) * 1000, statistics.median(together) * 1000
    return {
        "one_officer_note_ms": round(one, 2),
        f"{OFFICERS}_officers_note_ms": round(many, 2),
        "ratio": round(many / one, 2),
    }


def run(rounds: int = 7, sizes: tuple[int, ...] = SIZES) -> dict[str, Any]:
    from moto import mock_aws

    from infra.local.emulator import create_resources, use_fake_credentials
    from shared import config
    from shared.domain.clock import ManualClock

    use_fake_credentials()
    config.use_clock(ManualClock(NOW))
    with mock_aws():
        create_resources()
        officers = Officers()
        references = {size: _seed(officers, f"heard-scale-{size}", size) for size in sizes}
        seeded = {size: len(_table_items(f"heard-scale-{size}")) for size in sizes}
        rng = random.Random(15)
        measures, labels = [], []
        for size in sizes:
            for operation, request in _requests(officers, references[size], rng).items():
                measures.append(_round(f"heard-scale-{size}", request))
                labels.append((operation, size))
        samples = interleave(rounds, *measures)
        medians = {label: statistics.median(s) * 1000 for label, s in zip(labels, samples, strict=True)}
        base = sizes[0]
        result: dict[str, Any] = {
            "items_seeded": seeded,
            "items_at_the_end": {size: len(_table_items(f"heard-scale-{size}")) for size in sizes},
            "median_ms": {f"{op} at {size}": round(ms, 2) for (op, size), ms in medians.items()},
            "ratio": {
                f"{op} at {size}": round(ms / medians[(op, base)], 2)
                for (op, size), ms in medians.items()
                if size != base
            },
        }
        middle = sizes[len(sizes) // 2]
        _use_table(f"heard-scale-{middle}")
        result["officers"] = {
            "store_items": middle,
            "think_seconds_mean": THINK_SECONDS,
            **_officers(officers, references[middle], THINK_SECONDS, OFFICER_ROUNDS),
            "without_think_time": _officers(officers, references[middle], 0, OFFICER_ROUNDS),
        }
    return result


def _table_items(table_name: str) -> list[Any]:
    from moto.dynamodb.models import dynamodb_backends

    from infra.local.emulator import ACCOUNT_ID
    from shared import names

    return dynamodb_backends[ACCOUNT_ID][names.REGION_DEFAULT].get_table(table_name).all_items()


if __name__ == "__main__":
    logging.disable(logging.INFO)
    print(json.dumps(run(), indent=2))
