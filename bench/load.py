"""A year of cases on the local service: ``make run``'s process (``python -m infra.local``) on a free
port, 1,000 submissions one after another over HTTP, and the notifications they owe delivered.

Reported as ratios within the run: the median latency of the last 50 submissions against the first 50
(the target is at most 2: a request must not cost more as the store grows), and the process's resident
memory growth from after a warm-up to after the last email (the target is under 200 MB).

Delivering a submission's two emails costs the emulated AWS about three times what taking the
submission does, so back-to-back submissions leave the stream pump ever further behind, and its work
competes with the requests for the interpreter. Both windows therefore start with the outbox caught
up, so that they compare the store's size and nothing else; the run also reports the unpaced median of
the last window, taken before that catch-up, to show what a sustained burst costs."""

from __future__ import annotations

import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from bench.common import ROOT

SUBMISSIONS = 1000
WINDOW = 50
WARM_UP = 20


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def _get(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=60) as response:
        return json.loads(response.read())


def _post(url: str, i: int) -> float:
    body = {
        "kind": "complaint",
        "role": "parent",
        "subject": "childrens-social-care",
        "on_behalf_of": "a-child",
        "name": "Bench Person",
        "email": f"person{i}@example.org",
        "preferred_contact": "email",
        "advocacy": "no",
        "what_happened": f"Load benchmark complaint number {i}: nobody called back about the care plan.",
    }
    request = urllib.request.Request(
        f"{url}/representations",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    start = time.perf_counter()
    with urllib.request.urlopen(request, timeout=60) as response:
        response.read()
        if response.status != 201:
            raise RuntimeError(f"submission {i}: {response.status}")
    return time.perf_counter() - start


def _caught_up(url: str, submitted: int, seconds: float = 900) -> int:
    """Wait until the outbox holds the emails owed so far (each complaint: an acknowledgement and the
    team's alert); returns how many it holds."""
    deadline = time.monotonic() + seconds
    # The count, not the outbox: reading 2,000 emails every half second would measure the reading.
    while (
        sent := _get(f"{url}/_local/outbox/count")["count"]
    ) < 2 * submitted and time.monotonic() < deadline:
        time.sleep(0.5)
    return sent


def run(submissions: int = SUBMISSIONS, window: int = WINDOW) -> dict[str, float]:
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    process = subprocess.Popen(
        [sys.executable, "-m", "infra.local", "--port", str(port), "--in-memory"],
        cwd=ROOT,
        env={**env, "TZ": "UTC"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                _get(f"{url}/health")
                break
            except (urllib.error.URLError, ConnectionError):
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("the local service did not start") from None
                time.sleep(0.3)
        for i in range(WARM_UP):
            _post(url, -1 - i)
        _caught_up(url, WARM_UP)
        memory_before = _rss_mb(process.pid)
        latencies: list[float] = []
        for i in range(submissions):
            if i == submissions - window:
                unpaced = statistics.median(latencies[-window:]) * 1000
                _caught_up(url, WARM_UP + i)
            latencies.append(_post(url, i))
        emails = _caught_up(url, WARM_UP + submissions)
        memory_after = _rss_mb(process.pid)
    finally:
        os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
    first = statistics.median(latencies[:window]) * 1000
    last = statistics.median(latencies[-window:]) * 1000
    return {
        "submissions": submissions,
        "first_median_ms": round(first, 1),
        "last_median_ms": round(last, 1),
        "latency_ratio": round(last / first, 2),
        "unpaced_median_ms_before_last_window": round(unpaced, 1),
        "rss_before_mb": round(memory_before, 1),
        "rss_after_mb": round(memory_after, 1),
        "rss_growth_mb": round(memory_after - memory_before, 1),
        "emails_sent": emails,
        "emails_expected": 2 * (WARM_UP + submissions),
    }


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
