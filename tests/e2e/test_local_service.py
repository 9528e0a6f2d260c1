"""``make run``'s service as a user meets it: a separate process on a port, stopped by Ctrl-C."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def test_the_local_service_serves_health_and_stops_cleanly_on_ctrl_c() -> None:
    port = _free_port()
    env = {**os.environ, "PORT": str(port)}
    process = subprocess.Popen(
        [sys.executable, "-m", "infra.local"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2) as response:
                    assert response.status == 200
                    assert b'"ok"' in response.read()
                break
            except (urllib.error.URLError, ConnectionError):
                assert process.poll() is None, "the local service exited early"
                assert time.monotonic() < deadline, "the local service did not start within 60 s"
                time.sleep(0.3)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2) as response:
            assert response.headers["Content-Type"] == "application/json"
    finally:
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=30)
    assert process.returncode == 0, output
    assert f"http://127.0.0.1:{port}" in output
    assert "heard-cases" in output
    assert "Heard local service stopped." in output
    assert "Traceback" not in output
