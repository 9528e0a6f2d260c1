"""The warm benchmark still runs (one small round): a benchmark that rots reports nothing. It asserts
what was measured exists, never how fast it was."""

from __future__ import annotations

import pytest

from bench import warm


def test_the_warm_benchmark_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(warm, "REQUESTS_PER_ROUND", 2)
    result = warm.run(rounds=1)
    assert set(result) == {"direct_calls_ms", "handler_ms", "ratio"}
    assert result["handler_ms"] > 0 and result["direct_calls_ms"] > 0
