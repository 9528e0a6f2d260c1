"""Helpers for benchmarks: ratios against a baseline measured in the same run, medians, environment."""

from __future__ import annotations

import os
import statistics
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def interleave(rounds: int, *measures: Callable[[], float]) -> list[list[float]]:
    """Run each measure once per round, alternating, so drift on a noisy machine hits all alike."""
    results: list[list[float]] = [[] for _ in measures]
    for _ in range(rounds):
        for index, measure in enumerate(measures):
            results[index].append(measure())
    return results


def fake_aws_environment(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        {
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": "eu-west-2",
            "AWS_REGION": "eu-west-2",
            "PYTHONPATH": str(ROOT),
            **extra,
        }
    )
    return env
