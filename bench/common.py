"""Helpers for benchmarks: ratios against a baseline measured in the same run, medians, environment."""

from __future__ import annotations

import logging
import os
import statistics
from collections.abc import Callable
from pathlib import Path
from typing import Any

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


def moto_server() -> tuple[Any, dict[str, str]]:
    """A moto server in this process with Heard's resources, and the environment a fresh interpreter
    needs to reach it as a deployed function reaches AWS. The caller stops the server."""
    from moto.server import ThreadedMotoServer

    from infra.catalog import RUNTIME_ENVIRONMENT
    from infra.local.emulator import create_resources, use_fake_credentials

    use_fake_credentials()
    server = ThreadedMotoServer(port=0, verbose=False)
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    os.environ["AWS_ENDPOINT_URL"] = endpoint
    resources = create_resources()
    del os.environ["AWS_ENDPOINT_URL"]
    return server, fake_aws_environment(
        AWS_ENDPOINT_URL=endpoint, **RUNTIME_ENVIRONMENT, **resources.environment()
    )


def benchmark_complaint(i: int, service_area: str) -> Any:
    """The benchmarks' seeded complaint number ``i``, as a validated request."""
    from shared.domain.representation import RepresentationRequest

    return RepresentationRequest.model_validate(
        {
            "kind": "complaint",
            "role": "parent",
            "subject": "childrens-social-care",
            "preferred_contact": "email",
            "email": "bench@example.org",
            "service_area": service_area,
            "what_happened": f"Benchmark complaint {i}: nobody returned my calls for three weeks.",
        }
    )
