"""The DynamoDB report source on moto: the same report as the in-memory repository for the same cases,
read through the financial-year, activity and open-case indexes a page at a time, never with a scan."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date
from typing import Any

import pytest

from infra.local.emulator import LocalResources
from shared.adapters.dynamodb import DynamoReportSource
from shared.domain.policy import CouncilPolicy
from shared.reporting.annual import annual_report
from shared.reporting.demo import build_demo
from shared.reporting.memory import InMemoryCases
from shared.reporting.source import ContextFigures

UNTIL = date(2014, 6, 30)  # the demo's first quarter: enough cases for several pages, quick on moto


def test_the_adapter_reads_the_same_report_through_indexes_in_pages(aws: LocalResources) -> None:
    store = DynamoReportSource(aws.table_name)
    build_demo(store, until=UNTIL)
    memory = InMemoryCases()
    build_demo(memory, until=UNTIL)
    calls: Counter[str] = Counter()

    def count(model: Any, params: dict[str, Any], **_: Any) -> None:
        calls[model.name] += 1

    store.client.meta.events.register("before-call.dynamodb", count)
    on_moto = annual_report(store, 2014, UNTIL, CouncilPolicy())
    assert on_moto == annual_report(memory, 2014, UNTIL, CouncilPolicy())
    assert on_moto.current.received.complaints > 0 and on_moto.current.stage1_timeliness.responses > 0
    assert calls["Scan"] == 0 and calls["Query"] >= 4 and calls["BatchGetItem"] >= 2

    for index_read in (store.received_in, store.active_in):
        whole = [case.case_id for case in index_read(2014)]
        assert len(whole) == len(set(whole))  # each case once
    received = sorted(c.case_id for c in memory.received_in(2014))
    paged = list(store._cases_through("by-financial-year", "FY#2014", page_size=7))
    assert len(received) > 7 and sorted(c.case_id for c in paged) == received
    assert {c.case_id for c in store.open_cases()} == {c.case_id for c in memory.open_cases()}


def test_context_figures_are_kept_per_year(aws: LocalResources) -> None:
    store = DynamoReportSource(aws.table_name)
    assert store.context_figures(2015) is None
    store.put_context_figures(2015, ContextFigures(referrals=7987, children_receiving_services=3645))
    store.put_context_figures(2015, ContextFigures(referrals=7990))
    assert store.context_figures(2015) == ContextFigures(referrals=7990)
    assert store.context_figures(2014) is None


def test_heard_report_annual_reads_the_table(aws: LocalResources, capsys: pytest.CaptureFixture[str]) -> None:
    from shared.cli import main

    DynamoReportSource(aws.table_name).put_context_figures(2015, ContextFigures(referrals=7987))
    assert main(["report", "annual", "--year", "2015", "--as-at", "2016-05-01"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["report_date"] == "2016-05-01" and report["current"]["received"]["complaints"] == 0
    assert report["current"]["context"] == {"referrals": 7987, "children_receiving_services": None}
