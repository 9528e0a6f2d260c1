"""The annual report at scale (issue 10), as ratios against reading the same items in the same run.

1. **100,000 cases, in memory.** The demo's two years (about 390 cases of every shape) are copied under
   new ids until there are 100,000, into the in-memory repository (which keeps items as the table does
   and parses each read into a case, as the adapter does). The report for 2015 reads its four index
   partitions (received in 2015 and 2014, active in 2015 and 2014) and computes; the baseline reads the
   same four partitions through the same port and computes nothing. Target: at most 1.5x (goal 1.2x).
2. **2,000 cases on moto.** The same copies, written to the emulated table with their index and activity
   items; the report through the DynamoDB adapter, counting its calls: index queries a page at a time
   (Query with a Limit, following LastEvaluatedKey), cases in batches (BatchGetItem), never a Scan."""

from __future__ import annotations

import gc
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

from bench.common import interleave

YEAR = 2015
CASES = 100_000
MOTO_CASES = 2_000


def _templates() -> tuple[list[Any], Any]:
    from shared.domain.casefile import Case
    from shared.reporting.demo import build_demo
    from shared.reporting.memory import InMemoryCases

    demo = InMemoryCases()
    builder = build_demo(demo)
    return [Case.model_validate(item) for item in demo.items.values()], builder.report_date


def _copies(templates: list[Any], count: int) -> list[Any]:
    return [
        templates[i % len(templates)].model_copy(
            update={"case_id": f"bench-{i:06d}", "reference": f"CSC-{i:06d}"}
        )
        for i in range(count)
    ]


def _read_only(source: Any) -> Callable[[], float]:
    def measure() -> float:
        start = time.perf_counter()
        for year in (YEAR, YEAR - 1):
            for _ in source.received_in(year):
                pass
            for _ in source.active_in(year):
                pass
            source.context_figures(year)
        return time.perf_counter() - start

    return measure


def _reporting(source: Any, report_date: Any) -> Callable[[], float]:
    from shared.domain.policy import CouncilPolicy
    from shared.reporting.annual import annual_report

    policy = CouncilPolicy()

    def measure() -> float:
        start = time.perf_counter()
        annual_report(source, YEAR, report_date, policy)
        return time.perf_counter() - start

    return measure


def in_memory(count: int = CASES, rounds: int = 3) -> dict[str, Any]:
    from shared.reporting.memory import InMemoryCases

    templates, report_date = _templates()
    store = InMemoryCases()
    for case in _copies(templates, count):
        store.add(case)
    # The stored items stand for the table, not the process's working set: kept out of the collector's
    # sweeps (which otherwise walk millions of stored objects and charge it to whichever side allocates).
    gc.collect()
    gc.freeze()
    read, report = interleave(rounds, _read_only(store), _reporting(store, report_date))
    gc.unfreeze()
    best_read, best_report = min(read), min(report)
    return {
        "cases": count,
        "read_s": round(best_read, 3),
        "report_s": round(best_report, 3),
        "ratio": round(best_report / best_read, 3),
    }


def on_moto(count: int = MOTO_CASES) -> dict[str, Any]:
    from moto import mock_aws

    from infra.local.emulator import create_resources, use_fake_credentials
    from shared import names
    from shared.adapters.dynamodb import DynamoReportSource, case_index_keys, to_item

    use_fake_credentials()
    templates, report_date = _templates()
    with mock_aws():
        resources = create_resources()
        store = DynamoReportSource(resources.table_name)
        for case in _copies(templates, count):
            data = case.model_dump(mode="json")
            item = {
                names.PK: names.case_pk(case.case_id),
                names.SK: names.CASE_SK,
                names.TYPE_ATTRIBUTE: names.CASE_TYPE,
            }
            store.client.put_item(
                TableName=store.table_name, Item=to_item({**item, **case_index_keys(data), **data})
            )
            for put in store.activity_items(case):
                store.client.put_item(**put["Put"])
        calls: Counter[str] = Counter()
        store.client.meta.events.register(
            "before-call.dynamodb", lambda model, **_: calls.update([model.name])
        )
        read_s = _read_only(store)()
        read_calls = dict(calls)
        calls.clear()
        report_s = _reporting(store, report_date)()
    return {
        "cases": count,
        "read_s": round(read_s, 3),
        "report_s": round(report_s, 3),
        "ratio": round(report_s / read_s, 3),
        "calls_reading": read_calls,
        "calls_reporting": dict(calls),
    }


def run(count: int = CASES, moto_count: int = MOTO_CASES) -> dict[str, Any]:
    return {"in_memory": in_memory(count), "moto": on_moto(moto_count)}
