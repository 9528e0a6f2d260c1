"""The benchmarks still run (one small round): a benchmark that rots reports nothing. It asserts
what was measured exists, never how fast it was."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from bench import officer, warm
from bench.common import ROOT
from tests import real_clock


def test_the_warm_benchmark_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(warm, "REQUESTS_PER_ROUND", 2)
    result = warm.run(rounds=1)
    assert set(result) == {"direct_calls_ms", "handler_ms", "ratio"}
    assert result["handler_ms"] > 0 and result["direct_calls_ms"] > 0


def test_the_officer_benchmark_runs_and_replays_the_handlers_own_calls(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(officer, "REQUESTS_PER_ROUND", 2)
    result = officer.run(rounds=1)
    assert set(result) == {"list", "get", "action"}
    # The baseline is the handler's own DynamoDB calls, and they are the ones the issue names.
    assert result["list"]["calls"] == ["Query"]
    assert result["get"]["calls"] == ["Query", "GetItem", "PutItem"]
    assert result["action"]["calls"] == ["Query", "GetItem", "TransactWriteItems"]
    for measured in result.values():
        assert measured["handler_ms"] > 0 and measured["direct_calls_ms"] > 0


def test_the_reports_benchmark_runs_and_the_adapter_reads_through_indexes() -> None:
    from bench import reports

    result = reports.run(count=500, moto_count=250)
    assert result["in_memory"]["cases"] == 500 and result["in_memory"]["ratio"] > 0
    moto = result["moto"]
    # Index queries a page (of up to 100 keys) at a time, cases in batches, never a scan.
    assert "Scan" not in moto["calls_reporting"] and "Scan" not in moto["calls_reading"]
    assert moto["calls_reporting"]["Query"] > 4 and moto["calls_reporting"]["BatchGetItem"] > 4
    assert moto["calls_reporting"]["Query"] == moto["calls_reading"]["Query"]


def test_the_scale_benchmark_runs_on_stores_of_the_sizes_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    from bench import scale

    monkeypatch.setattr(scale, "REQUESTS_PER_ROUND", 1)
    monkeypatch.setattr(scale, "NOTES_PER_OFFICER", 1)
    monkeypatch.setattr(scale, "OFFICER_ROUNDS", 1)
    monkeypatch.setattr(scale, "THINK_SECONDS", 0.01)
    result = scale.run(rounds=1, sizes=(400, 800))
    # Each store holds what was asked, to within one case's items (about 39).
    assert all(abs(result["items_seeded"][size] - size) < 60 for size in (400, 800)), result["items_seeded"]
    assert set(result["ratio"]) == {f"{op} at 800" for op in ("get", "overdue", "mine", "note")}
    assert result["officers"]["one_officer_note_ms"] > 0 and result["officers"]["ratio"] > 0


def test_the_kept_stores_write_cost_benchmark_runs() -> None:
    """Its SIGKILL runs are tests/e2e/test_durable_store.py; its start on five years is not run here
    (building the store takes a minute or two)."""
    from bench import durable

    result = durable.write_cost(rounds=1, requests=2)
    assert set(result) == {"submission", "note", "put_item", "one_commit_ms"}
    assert result.pop("one_commit_ms") > 0
    assert all(r["in_memory_ms"] > 0 and r["kept_ms"] > 0 and r["ratio"] > 0 for r in result.values())


def test_the_cold_start_benchmark_runs_and_splits_the_cold_start_at_the_snapshot() -> None:
    """Run as its own process, as `make bench` runs it: it sets this process's environment while a moto
    server thread runs, which under `make test-dates`' libfaketime (getenv from every thread) crashed the
    worker; the benchmark needs the real clock anyway (tests/real_clock.py)."""
    run = subprocess.run(
        [sys.executable, "-m", "bench.cold_start", "--rounds", "1", "--floor"],
        cwd=ROOT,
        env=real_clock.environment(),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    result = json.loads(run.stdout)
    assert set(result) == {
        "baseline_ms",
        "bytecode",
        "intake_ms",
        "ratio",
        "import_ms",
        "before_snapshot_ms",
        "after_snapshot_ms",
        "after_snapshot_without_hook_ms",
        "floor_ms",
        "floor_ratio",
    }
    measured = ("baseline_ms", "intake_ms", "before_snapshot_ms", "after_snapshot_ms", "floor_ms")
    assert result["after_snapshot_without_hook_ms"] > 0 and result["import_ms"] > 0
    assert all(result[k] > 0 for k in measured)
