"""Cold start: a fresh interpreter importing the intake handler and serving one request, against a fresh
interpreter importing boto3 and creating a DynamoDB client. Both time themselves from their first
import to the end, so interpreter start-up (the same for both) is left out. The request is served by a
moto server in this process, reached over HTTP as a deployed function reaches DynamoDB."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import uuid

from bench.common import fake_aws_environment, interleave, median_ms

BASELINE = """
import time
t = time.perf_counter()
import boto3
boto3.client("dynamodb")
print(time.perf_counter() - t)
"""

CANDIDATE = """
import json, sys, time
event, context = json.loads(sys.argv[1]), type("Context", (), json.loads(sys.argv[2]))()
context.get_remaining_time_in_millis = lambda: 30000
t = time.perf_counter()
from functions.intake.handler import handler
result = handler(event, context)
elapsed = time.perf_counter() - t
assert result["statusCode"] == 201, result
print(elapsed)
"""


CONTEXT = json.dumps(
    {
        "function_name": "Intake",
        "memory_limit_in_mb": 512,
        "invoked_function_arn": "arn:aws:lambda:eu-west-2:123456789012:function:Intake",
        "aws_request_id": "bench",
    }
)


def _event() -> str:
    from infra.local.gateway import proxy_event

    headers = {"Content-Type": "application/json"}
    body = _body().encode()
    return json.dumps(
        proxy_event("POST", "/representations", "/representations", "", headers, body, {}, "127.0.0.1")
    )


def _body() -> str:
    return json.dumps(
        {
            "kind": "complaint",
            "role": "parent",
            "subject": "childrens-social-care",
            "preferred_contact": "email",
            "email": "bench@example.org",
            "what_happened": f"Benchmark complaint {uuid.uuid4()}",
        }
    )


def run(rounds: int = 9) -> dict[str, float]:
    from moto.server import ThreadedMotoServer

    from infra.catalog import RUNTIME_ENVIRONMENT
    from infra.local.emulator import create_resources, use_fake_credentials

    use_fake_credentials()
    server = ThreadedMotoServer(port=0, verbose=False)
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    import os

    os.environ["AWS_ENDPOINT_URL"] = endpoint
    resources = create_resources()
    del os.environ["AWS_ENDPOINT_URL"]
    env = fake_aws_environment(AWS_ENDPOINT_URL=endpoint, **RUNTIME_ENVIRONMENT, **resources.environment())

    def timed(code: str, *args: str) -> float:
        out = subprocess.run(
            [sys.executable, "-c", code, *args], env=env, capture_output=True, text=True, check=True
        )
        return float(out.stdout.strip().splitlines()[-1])

    try:
        baseline, candidate = interleave(
            rounds, lambda: timed(BASELINE), lambda: timed(CANDIDATE, _event(), CONTEXT)
        )
    finally:
        server.stop()
    result = {"baseline_ms": median_ms(baseline), "intake_ms": median_ms(candidate)}
    result["ratio"] = result["intake_ms"] / result["baseline_ms"]
    return result


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
