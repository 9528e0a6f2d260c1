"""The warm benchmarks still run (one small round): a benchmark that rots reports nothing. It asserts
what was measured exists, never how fast it was."""

from __future__ import annotations

import pytest

from bench import officer, warm


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
