"""The officer API, warm: list (``GET /cases``), get (``GET /cases/{reference}``) and one action (a note,
``POST /cases/{reference}/actions`` with If-Match), each through the officer handler in-process on moto,
with the claims of a complaints officer's real ID token (from the emulated Cognito, verified as the
gateway's authorizer verifies them), against the same DynamoDB calls made directly with boto3.

"The same calls" is taken literally: once per run, outside any timing, each operation's requests go
through the handler on a seeded table while every DynamoDB call it makes is recorded (operation and
parameters, as handed to boto3). The baseline replays those calls with a plain boto3 client on a table
seeded identically (same case ids, references and versions, so every key and condition holds again):
for get the reference index's Query, the consistent GetItem and the read record's PutItem; for the
action the Query, the GetItem and the TransactWriteItems of the case's update and its event; for list
the index Query. Each side runs on a fresh table per round, and the rounds alternate (bench/common.py)."""

from __future__ import annotations

import copy
import json
import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from bench.common import benchmark_complaint, interleave, median_ms

REQUESTS_PER_ROUND = 30
#: Every seeded case's registration instant (fixed: both sides and every round seed the same table).
SEEDED_AT = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)
USER = "complaints-officer"
OPERATIONS = ("list", "get", "action")
NOTE = {"action": "note", "text": "Called the complainant back; a meeting is booked for Tuesday."}


#: One DynamoDB call: its operation's name and its parameters, as handed to boto3.
Call = tuple[str, dict[str, Any]]


def _case_id(i: int) -> str:
    return f"{i + 1:032x}"


def _fresh() -> Any:
    """A fresh moto, the table as CDK names it, and REQUESTS_PER_ROUND complaints registered in it
    (version 1 each), identical every time."""
    from moto import mock_aws

    from infra.local.emulator import create_resources
    from shared import names, wiring
    from shared.adapters.dynamodb import DynamoCaseStore
    from shared.domain.case import format_reference, register
    from shared.domain.policy import CouncilPolicy

    mock = mock_aws()
    mock.start()
    create_resources()
    wiring.reset()
    store = DynamoCaseStore(names.TABLE)
    policy = CouncilPolicy()
    for i in range(REQUESTS_PER_ROUND):
        request = benchmark_complaint(i, policy.service_areas[0].id)
        reference = format_reference(SEEDED_AT.year, i + 1)
        store.create(
            register(
                request,
                case_id=_case_id(i),
                reference=reference,
                received_at=SEEDED_AT,
                registered_at=SEEDED_AT,
                policy=policy,
            )
        )
    return mock


def staff_claims() -> dict[str, str]:
    """The claims of a complaints officer's ID token, from a real (emulated) Cognito sign-in, verified
    and rendered as API Gateway's Cognito authorizer hands them to the handler."""
    from moto import mock_aws

    from infra.local.auth import TokenVerifier, create_staff_pool
    from shared.config import policy

    with mock_aws():
        pool = create_staff_pool([area.id for area in policy().service_areas])
        token = pool.sign_in(USER)["id_token"]
        claims = TokenVerifier.for_pool(pool).claims({"Authorization": token})
    assert claims is not None, "the demo user's token did not verify"
    return claims


def _events(operation: str, claims: dict[str, str]) -> list[dict[str, Any]]:
    from infra.local.gateway import proxy_event
    from shared.domain.case import format_reference

    events = []
    for i in range(REQUESTS_PER_ROUND):
        reference = format_reference(SEEDED_AT.year, i + 1)
        if operation == "list":
            event = proxy_event("GET", "/cases", "/cases", "", {}, b"", {}, "127.0.0.1")
        elif operation == "get":
            path = f"/cases/{reference}"
            event = proxy_event(
                "GET", "/cases/{reference}", path, "", {}, b"", {"reference": reference}, "127.0.0.1"
            )
        else:
            path = f"/cases/{reference}/actions"
            headers = {"Content-Type": "application/json", "If-Match": f'"{_case_id(i)}.1"'}  # version 1
            event = proxy_event(
                "POST",
                "/cases/{reference}/actions",
                path,
                "",
                headers,
                json.dumps(NOTE).encode(),
                {"reference": reference},
                "127.0.0.1",
            )
        event["requestContext"]["authorizer"] = {"claims": claims}
        events.append(event)
    return events


def _record(client: Any) -> list[Call]:
    """Every DynamoDB call ``client`` makes from now on: its operation and parameters."""
    calls: list[Call] = []

    def remember(params: dict[str, Any], model: Any, **_: Any) -> None:
        calls.append((model.name, copy.deepcopy(params)))

    client.meta.events.register("provide-client-params.dynamodb", remember)
    return calls


def _warm_handler(claims: dict[str, str]) -> tuple[Callable[..., Any], Any]:
    """The officer handler and a context, after one list request (which builds the store's client)."""
    from functions.officer.handler import handler
    from infra.local.gateway import LambdaContext

    context = LambdaContext(function_name="Officer")
    assert handler(_events("list", claims)[0], context)["statusCode"] == 200
    return handler, context


def recorded_calls(claims: dict[str, str]) -> dict[str, list[Call]]:
    """Each operation's DynamoDB calls through the handler, request by request in order, on a seeded
    table (outside any timing)."""
    from shared.wiring import case_store

    recorded: dict[str, list[Call]] = {}
    for operation in OPERATIONS:
        mock = _fresh()
        handler, context = _warm_handler(claims)
        calls = _record(case_store().client)
        for event in _events(operation, claims):
            answer = handler(event, context)
            assert answer["statusCode"] == 200, answer
        recorded[operation] = calls
        mock.stop()
    return recorded


def _through_handler(operation: str, claims: dict[str, str]) -> Callable[[], float]:
    def measure() -> float:
        mock = _fresh()
        handler, context = _warm_handler(claims)
        events = _events(operation, claims)
        start = time.perf_counter()
        for event in events:
            assert handler(event, context)["statusCode"] == 200
        elapsed = (time.perf_counter() - start) / REQUESTS_PER_ROUND
        mock.stop()
        return elapsed

    return measure


def _direct_calls(calls: list[Call], warm_up: Call) -> Callable[[], float]:
    """The recorded calls replayed with a plain client, after the same warm-up call the handler's
    client had (the list request's Query)."""

    def measure() -> float:
        import boto3
        from botocore import xform_name

        mock = _fresh()
        client = boto3.client("dynamodb")
        getattr(client, xform_name(warm_up[0]))(**warm_up[1])
        bound = [(getattr(client, xform_name(name)), params) for name, params in calls]
        start = time.perf_counter()
        for call, params in bound:
            call(**params)
        elapsed = (time.perf_counter() - start) / REQUESTS_PER_ROUND
        mock.stop()
        return elapsed

    return measure


def run(rounds: int = 7) -> dict[str, Any]:
    from infra.local.emulator import use_fake_credentials
    from shared import config
    from shared.domain.clock import SystemClock

    use_fake_credentials()
    config.use_clock(SystemClock())
    claims = staff_claims()
    recorded = recorded_calls(claims)
    measures: list[Callable[[], float]] = []
    for operation in OPERATIONS:
        measures += [
            _direct_calls(recorded[operation], recorded["list"][0]),
            _through_handler(operation, claims),
        ]
    samples = interleave(rounds, *measures)
    result: dict[str, Any] = {}
    for index, operation in enumerate(OPERATIONS):
        direct, handler = median_ms(samples[2 * index]), median_ms(samples[2 * index + 1])
        per_request = [
            name for name, _ in recorded[operation][: len(recorded[operation]) // REQUESTS_PER_ROUND]
        ]
        result[operation] = {
            "calls": per_request,
            "direct_calls_ms": direct,
            "handler_ms": handler,
            "ratio": handler / direct,
        }
    return result


if __name__ == "__main__":
    logging.disable(logging.INFO)
    print(json.dumps(run(), indent=2))
