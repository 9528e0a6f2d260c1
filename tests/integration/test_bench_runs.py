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
