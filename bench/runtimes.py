"""Cold start on each Python the Lambda runtime could be (docs/decisions.md, "Lambda runtime").

For every Python version with an interpreter on this machine, the deployment bundle is built as
``LocalBundler`` builds it (``build_bundle``: the project's code, the runtime dependencies from
requirements.lock as manylinux wheels for that version, and bytecode compiled by that version) into a
scratch directory. Then, as ``bench.cold_start`` does, a fresh interpreter of that version imports the
intake handler from the bundle alone (``-I -S``: no site-packages, no environment) and serves one
``POST /representations`` against a moto server in this process; and a fresh interpreter of the same
version imports boto3 from the same bundle and creates a DynamoDB client (the baseline). Both time
themselves from their first import to the end.

Lambda's code directory is read-only, so nothing is cached between cold starts: every run here is ``-B``
(writes no bytecode). Two bundles per version:

- ``bundle``: as ``build_bundle`` makes it.
- ``no-bytecode``: the same without its bytecode: what a runtime gets from a bundle whose bytecode is for
  another Python (pip compiles with the Python running it) or checks its source's date (CDK zips every
  file with one fixed date): it compiles every module at every cold start.

Each case is reported against its own version's baseline and against Python 3.11's (the bundle as built
for 3.11: the interpreter the project is tested on), round by round: min, median and max. Every version,
bundle and side alternates round by round. ``python -m bench.runtimes`` prints JSON.
"""

from __future__ import annotations

import json
import logging
import shutil
import statistics
import subprocess
import tempfile
from pathlib import Path

from bench.cold_start import CONTEXT, _event
from bench.common import interleave, moto_server

VERSIONS = ("3.11", "3.12", "3.13", "3.14")
VARIANTS = ("bundle", "no-bytecode")

#: Run as ``python -I -S -B -c CODE BUNDLE ...``: the bundle is the only place anything is imported from.
_PATH = "import sys; sys.path.insert(0, sys.argv[1])\n"
BASELINE = (
    _PATH
    + """
import time
t = time.perf_counter()
import boto3
boto3.client("dynamodb")
print(time.perf_counter() - t)
"""
)
CANDIDATE = (
    _PATH
    + """
import json, time
event, context = json.loads(sys.argv[2]), type("Context", (), json.loads(sys.argv[3]))()
context.get_remaining_time_in_millis = lambda: 30000
t = time.perf_counter()
from functions.intake.handler import handler
result = handler(event, context)
elapsed = time.perf_counter() - t
assert result["statusCode"] == 201, result
print(elapsed)
"""
)


def build(version: str, interpreter: Path, root: Path) -> dict[str, Path]:
    """The bundle for ``version`` as deployed, and a copy without its bytecode."""
    from infra.components.functions import build_bundle

    bundle = root / f"python{version}" / "bundle"
    bundle.mkdir(parents=True)
    build_bundle(bundle, version, interpreter)
    bare = root / f"python{version}" / "no-bytecode"
    shutil.copytree(bundle, bare, ignore=shutil.ignore_patterns("__pycache__"))
    return {"bundle": bundle, "no-bytecode": bare}


def _spread(numerators: list[float], denominators: list[float]) -> dict[str, float]:
    ratios = [n / d for n, d in zip(numerators, denominators, strict=True)]
    return {
        "min": round(min(ratios), 2),
        "median": round(statistics.median(ratios), 2),
        "max": round(max(ratios), 2),
    }


def _summary(
    baseline: list[float], candidate: list[float], reference: list[float] | None
) -> dict[str, object]:
    summary: dict[str, object] = {
        "baseline_ms": round(statistics.median(baseline) * 1000, 1),
        "intake_ms": round(statistics.median(candidate) * 1000, 1),
        "ratio": _spread(candidate, baseline),
    }
    if reference is not None:
        summary["ratio_to_python3.11_baseline"] = _spread(candidate, reference)
    return summary


def run(rounds: int = 7, versions: tuple[str, ...] = VERSIONS) -> dict[str, object]:
    from infra.components.functions import local_python

    interpreters = {version: local_python(version) for version in versions}
    present = {version: path for version, path in interpreters.items() if path is not None}
    server, env = moto_server()
    env.pop("PYTHONPATH", None)

    def timed(interpreter: Path, bundle: Path, code: str, *args: str) -> float:
        out = subprocess.run(
            [str(interpreter), "-I", "-S", "-B", "-c", code, str(bundle), *args],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if out.returncode != 0:
            raise RuntimeError(f"{interpreter} on {bundle} failed:\n{out.stderr}")
        return float(out.stdout.strip().splitlines()[-1])

    try:
        with tempfile.TemporaryDirectory(prefix="heard-runtimes-") as scratch:
            bundles = {version: build(version, path, Path(scratch)) for version, path in present.items()}
            cases = [(version, variant) for version in present for variant in VARIANTS]
            measures = []
            for version, variant in cases:
                interpreter, bundle = present[version], bundles[version][variant]
                measures.append(lambda i=interpreter, b=bundle: timed(i, b, BASELINE))
                measures.append(lambda i=interpreter, b=bundle: timed(i, b, CANDIDATE, _event(), CONTEXT))
            samples = interleave(rounds, *measures)
    finally:
        server.stop()
    results: dict[str, object] = {
        "rounds": rounds,
        "interpreters": {version: str(path) if path else "absent" for version, path in interpreters.items()},
    }
    by_case = {case: (samples[2 * i], samples[2 * i + 1]) for i, case in enumerate(cases)}
    reference = by_case[("3.11", "bundle")][0] if ("3.11", "bundle") in by_case else None
    for (version, variant), (baseline, candidate) in by_case.items():
        results[f"python{version} {variant}"] = _summary(baseline, candidate, reference)
    return results


if __name__ == "__main__":
    logging.disable(logging.INFO)
    print(json.dumps(run(), indent=2))
