"""Cold start: a fresh interpreter importing the intake handler and serving one request, against a fresh
interpreter importing boto3 and creating a DynamoDB client. Both time themselves from their first
import to the end, so interpreter start-up (the same for both) is left out. The request is served by a
moto server in this process, reached over HTTP as a deployed function reaches DynamoDB.

With SnapStart, Lambda runs a function's init and its before-snapshot hooks once, when a version is
published, and a cold start restores that snapshot. A third interpreter splits the cold start there:
``before_snapshot_ms`` is the import and ``prepare_intake`` (the intake's hook), ``after_snapshot_ms``
the first request once they are done; ``after_snapshot_without_hook_ms`` is the first request after
the import alone (``import_ms``), as a restored function without the hook would serve it. The restore
itself cannot be measured here.

``python -m bench.cold_start`` measures the code in this checkout. Options (docs/performance.md):
``--tree NAME=DIR`` measures the handler of other copies of ``shared/`` and ``functions/`` in the same
rounds, each against the same baseline, with its per-round difference from the first tree; ``--floor``
adds what the request costs with no Heard code at all (boto3 and a client, a pydantic model,
email-validator, and the handler's own three DynamoDB calls replayed); ``--bytecode`` says whether
every interpreter finds compiled bytecode (``cached``), none (``none``), or what the environment
gives (``as-is``, the default: with ``PYTHONDONTWRITEBYTECODE`` set, Heard's own modules are compiled
in every run)."""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.common import ROOT, interleave, median_ms, moto_server

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

SPLIT_AT_SNAPSHOT = """
import json, sys, time
event, context = json.loads(sys.argv[1]), type("Context", (), json.loads(sys.argv[2]))()
context.get_remaining_time_in_millis = lambda: 30000
t = time.perf_counter()
from functions.intake.handler import handler
if sys.argv[3] == "prepare":
    from shared.wiring import prepare_intake
    prepare_intake()
before = time.perf_counter() - t
t = time.perf_counter()
result = handler(event, context)
after = time.perf_counter() - t
assert result["statusCode"] == 201, result
print(before, after)
"""

#: The DynamoDB calls one request makes, recorded from the handler (outside the timing).
RECORD_CALLS = """
import json, sys
event, context = json.loads(sys.argv[1]), type("Context", (), json.loads(sys.argv[2]))()
context.get_remaining_time_in_millis = lambda: 30000
from functions.intake.handler import handler
from shared import wiring
calls = []
wiring.case_store().client.meta.events.register(
    "before-parameter-build.dynamodb", lambda params, model, **_: calls.append([model.name, params])
)
assert handler(event, context)["statusCode"] == 201
print(json.dumps(calls))
"""

#: The libraries' share alone: no Heard module is imported. The recorded calls are replayed with a
#: fresh case id and idempotency key, so every condition holds as it did for the handler.
FLOOR = """
import json, sys, time, uuid
calls = json.loads(sys.argv[1])
case_id = calls[-1][1]["TransactItems"][0]["Put"]["Item"]["case_id"]["S"]
record = calls[0][1]["Key"]["SK"]["S"]
text = json.dumps(calls).replace(case_id, uuid.uuid4().hex).replace(record, "floor#" + uuid.uuid4().hex)
calls = json.loads(text)
t = time.perf_counter()
import boto3
client = boto3.client("dynamodb")
from pydantic import BaseModel
class Model(BaseModel):
    value: int
Model(value=1)
import email_validator
methods = {"GetItem": "get_item", "UpdateItem": "update_item", "TransactWriteItems": "transact_write_items"}
for name, params in calls:
    getattr(client, methods[name])(**params)
print(time.perf_counter() - t)
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


def run(
    rounds: int = 9,
    trees: dict[str, Path] | None = None,
    floor: bool = False,
    bytecode: str = "as-is",
) -> dict[str, Any]:

    server, env = moto_server()
    scratch = tempfile.TemporaryDirectory(prefix="heard-bytecode-")
    if bytecode != "as-is":  # a private bytecode cache: empty and never written ("none"), or warmed below
        env.update(PYTHONPYCACHEPREFIX=scratch.name, PYTHONDONTWRITEBYTECODE="1")
    code_trees = trees or {"intake": ROOT}

    def timed(code: str, *args: str, tree: Path = ROOT, write: bool = False) -> list[float]:
        # The tree goes first on the path, and is the working directory: ``-c`` puts that first too.
        run_env = {**env, "PYTHONPATH": str(tree), **({"PYTHONDONTWRITEBYTECODE": ""} if write else {})}
        out = subprocess.run(
            [sys.executable, "-c", code, *args],
            env=run_env,
            cwd=tree,
            capture_output=True,
            text=True,
            check=True,
        )
        return [float(figure) for figure in out.stdout.strip().splitlines()[-1].split()]

    def recorded_calls() -> str:
        out = subprocess.run(
            [sys.executable, "-c", RECORD_CALLS, _event(), CONTEXT],
            env={**env, "PYTHONPATH": str(ROOT)},
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
        return out.stdout.strip().splitlines()[-1]

    first_requests: dict[str, list[float]] = {"prepare": [], "lazy": []}

    def split_at_snapshot(hook: str) -> Callable[[], float]:
        def measure() -> float:
            before, after = timed(SPLIT_AT_SNAPSHOT, _event(), CONTEXT, hook)
            first_requests[hook].append(after)
            return before

        return measure

    def candidate(tree: Path) -> Callable[[], float]:
        return lambda: timed(CANDIDATE, _event(), CONTEXT, tree=tree)[0]

    measures: list[Callable[[], float]] = [lambda: timed(BASELINE)[0]]
    measures += [candidate(tree) for tree in code_trees.values()]
    if trees is None:
        measures += [split_at_snapshot("prepare"), split_at_snapshot("lazy")]
    if floor:
        calls = recorded_calls()
        measures.append(lambda: timed(FLOOR, calls)[0])
    try:
        if bytecode == "cached":  # one untimed round that writes the bytecode every measure needs
            timed(BASELINE, write=True)
            for tree in code_trees.values():
                timed(CANDIDATE, _event(), CONTEXT, tree=tree, write=True)
            if trees is None:
                timed(SPLIT_AT_SNAPSHOT, _event(), CONTEXT, "prepare", write=True)
            if floor:
                timed(FLOOR, calls, write=True)
        samples = interleave(rounds, *measures)
    finally:
        server.stop()
        scratch.cleanup()
    baseline, rest = samples[0], samples[1:]
    result: dict[str, Any] = {"baseline_ms": median_ms(baseline), "bytecode": bytecode}
    per_tree = dict(zip(code_trees, rest, strict=False))
    if trees is None:
        result["intake_ms"] = median_ms(per_tree["intake"])
        result["ratio"] = result["intake_ms"] / result["baseline_ms"]
        result["import_ms"] = median_ms(rest[2])
        result["before_snapshot_ms"] = median_ms(rest[1])
        result["after_snapshot_ms"] = median_ms(first_requests["prepare"])
        result["after_snapshot_without_hook_ms"] = median_ms(first_requests["lazy"])
    else:
        first = next(iter(per_tree.values()))
        result["trees"] = {
            name: {
                "ms": median_ms(times),
                "ratio": median_ms(times) / result["baseline_ms"],
                "ms_vs_first": statistics.median(b - a for a, b in zip(first, times, strict=True)) * 1000,
            }
            for name, times in per_tree.items()
        }
    if floor:
        result["floor_ms"] = median_ms(rest[-1])
        result["floor_ratio"] = result["floor_ms"] / result["baseline_ms"]
    return result


def _tree(option: str) -> tuple[str, Path]:
    name, _, path = option.partition("=")
    if not path:
        raise argparse.ArgumentTypeError(f"--tree takes NAME=DIR, not {option!r}")
    tree = Path(path).resolve()
    if not (tree / "functions" / "intake" / "handler.py").is_file():
        raise argparse.ArgumentTypeError(f"{tree} has no functions/intake/handler.py")
    return name, tree


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        prog="python -m bench.cold_start", description=(__doc__ or "").split("\n\n")[0]
    )
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--tree", type=_tree, action="append", metavar="NAME=DIR")
    parser.add_argument("--floor", action="store_true")
    parser.add_argument("--bytecode", choices=("as-is", "cached", "none"), default="as-is")
    options = parser.parse_args()
    trees = dict(options.tree) if options.tree else None
    print(json.dumps(run(options.rounds, trees, options.floor, options.bytecode), indent=2))
