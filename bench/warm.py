"""Warm: one intake request through the handler in-process on moto, against the same request's essential
DynamoDB calls made directly through the same adapter on the same moto: the idempotency record's look-up,
the reference counter's atomic ADD, and the one transaction (case, event, notifications, the record). Each side runs
on a fresh table per round, so moto's per-table costs are alike; rounds alternate."""

from __future__ import annotations

import json
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from bench.common import interleave, median_ms

REQUESTS_PER_ROUND = 30


def _body(i: int) -> dict[str, Any]:
    return {
        "kind": "complaint",
        "role": "parent",
        "subject": "childrens-social-care",
        "preferred_contact": "email",
        "email": "bench@example.org",
        "what_happened": f"Benchmark complaint {i} {uuid.uuid4()}",
    }


def _fresh() -> Any:
    from moto import mock_aws

    from infra.local.emulator import create_resources
    from shared import wiring

    mock = mock_aws()
    mock.start()
    create_resources()
    wiring.reset()
    return mock


def _through_handler() -> float:
    from functions.intake.handler import handler
    from infra.local.gateway import LambdaContext, proxy_event

    mock = _fresh()
    events = [
        proxy_event(
            "POST",
            "/representations",
            "/representations",
            "",
            {"Content-Type": "application/json"},
            json.dumps(_body(i)).encode(),
            {},
            "127.0.0.1",
        )
        for i in range(REQUESTS_PER_ROUND)
    ]
    context = LambdaContext(function_name="Intake")
    handler(proxy_event("GET", "/health", "/health", "", {}, b"", {}, "127.0.0.1"), context)  # warm
    start = time.perf_counter()
    for event in events:
        assert handler(event, context)["statusCode"] == 201
    elapsed = (time.perf_counter() - start) / REQUESTS_PER_ROUND
    mock.stop()
    return elapsed


def _direct_calls() -> float:
    import boto3

    from shared import names
    from shared.adapters.dynamodb import DynamoCaseStore
    from shared.domain.case import format_reference, register
    from shared.domain.policy import CouncilPolicy
    from shared.domain.representation import RepresentationRequest
    from shared.ports import IdempotencyRecord

    mock = _fresh()
    client = boto3.client("dynamodb")
    store = DynamoCaseStore(names.TABLE, client)
    policy = CouncilPolicy()
    now = datetime.now(UTC)
    prepared: list[tuple[str, Any]] = []
    for i in range(REQUESTS_PER_ROUND):
        request = RepresentationRequest.model_validate(_body(i))
        new = register(
            request,
            case_id=uuid.uuid4().hex,
            reference=format_reference(2026, i + 1),
            received_at=now,
            registered_at=now,
            policy=policy,
        )
        prepared.append((uuid.uuid4().hex, new))
    start = time.perf_counter()
    for key, new in prepared:
        store.recall("public-api", key)
        store.next_reference_number(2026)
        store.create(
            new,
            IdempotencyRecord(
                "public-api", key, key, {"reference": new.reference}, now, now + timedelta(hours=24)
            ),
        )
    elapsed = (time.perf_counter() - start) / REQUESTS_PER_ROUND
    mock.stop()
    return elapsed


def run(rounds: int = 7) -> dict[str, float]:
    from infra.local.emulator import use_fake_credentials
    from shared import config
    from shared.domain.clock import SystemClock

    use_fake_credentials()
    config.use_clock(SystemClock())
    baseline, candidate = interleave(rounds, _direct_calls, _through_handler)
    result = {"direct_calls_ms": median_ms(baseline), "handler_ms": median_ms(candidate)}
    result["ratio"] = result["handler_ms"] / result["direct_calls_ms"]
    return result


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
