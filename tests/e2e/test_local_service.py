"""``make run``'s service as a user meets it: a separate process on a port, stopped by Ctrl-C (SIGINT) or
SIGTERM within 5 seconds, whatever its clients are doing."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager, suppress
from pathlib import Path

import pytest

from shared import names
from tests.conftest import START

ROOT = Path(__file__).resolve().parents[2]
STOP_WITHIN = 5.0
COMPLIMENT = json.dumps({"kind": "compliment", "role": "parent", "what_happened": "Thank you!"}).encode()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@contextmanager
def local_service(
    port: int, *, before: str = "", state: Path | None = None
) -> Iterator[subprocess.Popen[str]]:
    """``python -m infra.local --port PORT`` in its own process group, killed with the group whatever
    happens (a service that does not stop must not outlive the test). Its clock starts at the suite's
    START and moves only when told, whatever the date. Its store is in memory, or kept in ``state``.
    ``before``: Python code to run first in the same process."""
    start = f"{before}\nfrom infra.local.__main__ import main\nraise SystemExit(main())"
    clock = START.strftime("%Y-%m-%dT%H:%M:%SZ")
    kept = ["--in-memory"] if state is None else ["--state", str(state)]
    process = subprocess.Popen(
        [sys.executable, "-c", start, "--port", str(port), "--clock-start", clock, *kept],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                connection.request("GET", "/health")
                response = connection.getresponse()
                assert (response.status, response.read()) == (200, b'{"status":"ok"}')
                connection.close()
                break
            except OSError:
                assert process.poll() is None, "the local service exited early"
                assert time.monotonic() < deadline, "the local service did not start within 60 s"
                time.sleep(0.3)
        yield process
    finally:
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.communicate()


def stop(process: subprocess.Popen[str], signum: int) -> tuple[float, str]:
    """Send ``signum``; the seconds until the process exited (assert within 5 s) and its output."""
    started = time.monotonic()
    process.send_signal(signum)
    try:
        output, _ = process.communicate(timeout=STOP_WITHIN)
    except subprocess.TimeoutExpired:
        pytest.fail(f"the local service did not exit within {STOP_WITHIN} s of signal {signum}")
    return time.monotonic() - started, output


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_the_local_service_serves_health_and_stops_cleanly(signum: int) -> None:
    port = _free_port()
    with local_service(port) as process:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        connection.request("GET", "/health")
        response = connection.getresponse()
        assert response.headers["Content-Type"] == "application/json"
        response.read()
        connection.close()
        _, output = stop(process, signum)
    assert process.returncode == 0, output
    assert f"http://127.0.0.1:{port}" in output
    assert "heard-cases" in output
    assert "Heard local service stopped." in output
    assert "Traceback" not in output


def test_ctrl_c_stops_it_with_clients_connected_and_a_request_in_progress() -> None:
    port = _free_port()
    with local_service(port) as process, ExitStack() as clients:
        # An idle keep-alive connection, after a request.
        keep_alive = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        keep_alive.request("GET", "/health")
        keep_alive.getresponse().read()
        clients.callback(keep_alive.close)
        # A connection that never sends anything, and one whose body stops half-way.
        for raw in (b"", b"POST /representations HTTP/1.1\r\nContent-Length: 1000\r\n\r\n{"):
            sock = clients.enter_context(socket.create_connection(("127.0.0.1", port)))
            sock.sendall(raw)
        # A submission under way when the signal comes.
        busy = clients.enter_context(socket.create_connection(("127.0.0.1", port)))
        busy.sendall(
            b"POST /representations HTTP/1.1\r\nContent-Type: application/json\r\n"
            b"Idempotency-Key: stop-1\r\nContent-Length: %d\r\n\r\n%s" % (len(COMPLIMENT), COMPLIMENT)
        )
        elapsed, output = stop(process, signal.SIGINT)
    assert process.returncode == 0, output
    assert elapsed < STOP_WITHIN
    assert "Heard local service stopped." in output
    assert "Traceback" not in output


HANG = """
import threading
from infra.local.service import LocalService

LocalService.stop = lambda self: threading.Event().wait()  # a stop that never returns
threading.Thread(target=threading.Event().wait, name="not-a-daemon").start()  # blocks interpreter exit
"""


def test_ctrl_c_ends_the_process_even_when_the_orderly_stop_hangs() -> None:
    port = _free_port()
    with local_service(port, before=HANG) as process:
        elapsed, output = stop(process, signal.SIGINT)
    assert process.returncode == 1, output
    assert elapsed < STOP_WITHIN
    assert "Heard local service stopped. (forced after" in output
    assert "Traceback" not in output


def test_a_policy_file_outside_the_statute_stops_it_before_it_starts_naming_the_field(tmp_path: Path) -> None:
    """``HEARD_POLICY_FILE`` giving the complainant 1 working day to ask for stage 2 (20 is the floor:
    docs/decisions.md, "Council policy"): the service exits non-zero before serving, and says on stderr
    which field is wrong and why, with no traceback."""
    bad = tmp_path / "policy.json"
    bad.write_text(json.dumps({"statutory": {"stage2_request": {"working_days": 1}}}))
    env = {k: v for k, v in os.environ.items() if not k.startswith("HEARD_")}
    env[names.POLICY_FILE_ENV] = str(bad)
    port = _free_port()
    clock = START.strftime("%Y-%m-%dT%H:%M:%SZ")
    run = subprocess.run(
        [sys.executable, "-m", "infra.local", "--port", str(port), "--clock-start", clock, "--in-memory"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert run.returncode == 2, run.stdout + run.stderr
    assert run.stderr.startswith(
        f"Heard local service not started: policy file {bad}: statutory.stage2_request.working_days: 1 is "
        "shorter than the 20 working days the complainant has to ask for stage 2"
    ), run.stderr
    assert "Traceback" not in run.stdout + run.stderr
    assert f"http://127.0.0.1:{port}" not in run.stdout  # it never said it was serving


def _signal_storm(process: subprocess.Popen[str], seconds: float) -> None:
    """SIGTERM to the process group (as a shell's kill -TERM -PGID, or a terminal's Ctrl-C, sends it),
    then to the process itself at once (as make passes the group's signal on to its child), then as
    fast as they can be sent for ``seconds``: each handler may now run inside the one before."""
    os.killpg(process.pid, signal.SIGTERM)
    process.send_signal(signal.SIGTERM)
    until = time.monotonic() + seconds
    while time.monotonic() < until:
        with suppress(ProcessLookupError):
            os.kill(process.pid, signal.SIGTERM)


def _exit_within(process: subprocess.Popen[str], started: float, seconds: float) -> str:
    """The process's output once it has exited, which must be within ``seconds`` of ``started``."""
    try:
        output, _ = process.communicate(timeout=max(0.1, started + seconds - time.monotonic()))
    except subprocess.TimeoutExpired:
        pytest.fail(f"the local service did not exit within {seconds} s of the first SIGTERM")
    return output


@pytest.mark.parametrize("storm", [0.0, 1.0], ids=["twice", "a-second-of-them"])
def test_sigterm_twice_and_to_the_group_stops_it_cleanly_within_5_seconds(storm: float) -> None:
    """The signal handler once took the stop event's lock, and a second SIGTERM whose handler ran inside
    the first's waited on it forever: the forced exit was never armed (issue 17)."""
    port = _free_port()
    with local_service(port) as process:
        started = time.monotonic()
        _signal_storm(process, storm)
        output = _exit_within(process, started, STOP_WITHIN)
    assert process.returncode == 0, output
    assert "Heard local service stopped." in output and "forced" not in output, output
    assert "Traceback" not in output


def test_sigterms_during_a_hung_stop_still_end_it_at_4_5_seconds() -> None:
    port = _free_port()
    with local_service(port, before=HANG) as process:
        started = time.monotonic()
        _signal_storm(process, 1.0)
        output = _exit_within(process, started, STOP_WITHIN)
    assert process.returncode == 1, output
    assert "Heard local service stopped. (forced after 4.5 s)" in output
    assert "Traceback" not in output


SLOW_START = """
import time
from infra.local.service import LocalService

started = LocalService.start.__func__
LocalService.start = classmethod(lambda cls, *a, **k: (time.sleep(60), started(cls, *a, **k))[1])
"""

#: A load of the kept store that takes as long as it is let (five years of cases take seconds).
SLOW_LOAD = """
import time
from infra.local import state

def load_into(self, table_name, streamed=None, stopped=None):
    print("loading", flush=True)
    while not stopped():
        time.sleep(0.05)
    raise state.LoadStopped

state.LocalStore.load_into = load_into
"""


@contextmanager
def starting(port: int, before: str, *arguments: str) -> Iterator[subprocess.Popen[str]]:
    """The service's process started with ``before`` run first, killed with its group at the end."""
    start = f"{before}\nfrom infra.local.__main__ import main\nraise SystemExit(main())"
    process = subprocess.Popen(
        [sys.executable, "-c", start, "--port", str(port), *arguments],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        yield process
    finally:
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.communicate()


def test_sigterm_while_it_is_still_starting_ends_it_within_5_seconds() -> None:
    """A stop asked for before the service serves ends it too, whatever holds up the start."""
    with starting(_free_port(), SLOW_START, "--in-memory") as process:
        time.sleep(3)  # imported and into the (slow) start
        assert process.poll() is None
        started = time.monotonic()
        _signal_storm(process, 0.0)
        output = _exit_within(process, started, STOP_WITHIN)
    assert process.returncode == 1, output
    assert "Heard local service stopped. (forced after 4.5 s)" in output


def test_sigterm_while_the_kept_store_loads_stops_it_cleanly(tmp_path: Path) -> None:
    with starting(_free_port(), SLOW_LOAD, "--state", str(tmp_path / "state.db")) as process:
        assert process.stdout is not None
        assert process.stdout.readline() == "loading\n"
        started = time.monotonic()
        _signal_storm(process, 0.0)
        output = _exit_within(process, started, STOP_WITHIN)
    assert process.returncode == 0, output
    assert "Heard local service stopped." in output and "forced" not in output, output
    assert "Traceback" not in output
