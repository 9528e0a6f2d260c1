"""``make run``: Heard on http://127.0.0.1:3000 with an embedded AWS. Ctrl-C (or SIGTERM) stops it
within 5 seconds, whatever its clients are doing. A bad council policy file ($HEARD_POLICY_FILE) stops
it before it starts, with a message on stderr naming the field."""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
import time
from contextlib import suppress
from datetime import datetime
from pathlib import Path
from types import FrameType

ROOT = Path(__file__).resolve().parents[2]
#: Seconds from the first Ctrl-C or SIGTERM to the process's end, at the latest.
STOP_WITHIN = 4.5
#: Should even the forced exit not run (its thread starved, its message blocked on a full pipe), the
#: kernel ends the process this long after the first signal: SIGALRM, at its default action.
KERNEL_STOP_WITHIN = 4.8
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
STOPPED = "Heard local service stopped."
#: Where ``make run`` keeps its store unless told otherwise: under the checkout, ignored by git.
DEFAULT_STATE = ROOT / ".heard-state.db"


def _force(seconds: float) -> None:
    """End the process now, saying so: a handler stuck in a request, a thread that will not join, or an
    exit handler that blocks must not keep it alive. Written straight to the file descriptor:
    ``sys.stdout``'s buffer has a lock that a stuck thread may hold."""
    with suppress(OSError):
        os.write(sys.stdout.fileno(), f"{STOPPED} (forced after {seconds:g} s)\n".encode())
    os._exit(1)


def _do_nothing(signum: int, frame: FrameType | None) -> None:
    """The Python-level handler of the stop signals. It must take no lock, so it does nothing at all:
    it runs in the main thread between two bytecodes, even inside code that holds a lock, and a second
    SIGTERM whose handler called ``Event.set()`` inside the first's ``set()`` waited forever on the
    event's own lock (issue 17). Its being installed is what matters: CPython's C-level handler then
    writes the signal's number to the wake-up pipe (:func:`watch_stop_signals`)."""


def watch_stop_signals(within: float = STOP_WITHIN) -> threading.Event:
    """Install the stop signals' handling; returns the event set when a stop is asked for.

    Ctrl-C and SIGTERM may come many times and fast: make passes the process group's signal on, so one
    stop brings two or more. The moment the first comes, whatever the main thread is doing (a lock, a
    join, a long load), CPython's C-level handler writes its number to a pipe (``signal.set_wakeup_fd``).
    A daemon thread reading the pipe then arms the end first: the kernel's (:data:`KERNEL_STOP_WITHIN`)
    and its own forced exit at ``within`` seconds; only then does it ask the main thread to stop, which
    carries out the orderly stop. Later signals change nothing. Runs on a daemon thread, so it covers
    interpreter shutdown too (which joins non-daemon threads). Call it from the main thread."""
    stop = threading.Event()
    read_end, write_end = os.pipe()
    os.set_blocking(write_end, False)
    signal.signal(signal.SIGALRM, signal.SIG_DFL)
    # The pipe first: a signal between the two steps is then written down, never lost.
    signal.set_wakeup_fd(write_end, warn_on_full_buffer=False)
    for signum in STOP_SIGNALS:
        signal.signal(signum, _do_nothing)

    def watch() -> None:
        while not any(number in STOP_SIGNALS for number in os.read(read_end, 64)):
            pass
        signal.setitimer(signal.ITIMER_REAL, KERNEL_STOP_WITHIN - STOP_WITHIN + within)
        forced_at = time.monotonic() + within
        stop.set()
        while (left := forced_at - time.monotonic()) > 0:
            time.sleep(left)
        _force(within)

    threading.Thread(target=watch, name="heard-stop-signals", daemon=True).start()
    return stop


def _instant(text: str) -> datetime:
    instant = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if instant.tzinfo is None:
        raise argparse.ArgumentTypeError("give the instant with its offset, such as 2027-03-01T09:00:00Z")
    return instant


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.local", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "3000")))
    parser.add_argument(
        "--request-timeout",
        type=float,
        default=float(os.environ.get("HEARD_REQUEST_TIMEOUT", "10")),
        help="seconds a client has to send a request's head, and then its body (default 10)",
    )
    parser.add_argument(
        "--clock-start",
        type=_instant,
        default=None,
        metavar="INSTANT",
        help="start the local clock at INSTANT (such as 2027-03-01T09:00:00Z) and move it only through "
        "POST /_local/clock, for tests and demonstrations; by default it follows real time",
    )
    kept = parser.add_mutually_exclusive_group()
    kept.add_argument(
        "--state",
        type=Path,
        default=Path(os.environ.get("HEARD_LOCAL_STATE", "").strip() or DEFAULT_STATE),
        metavar="FILE",
        help="keep the store in FILE, every write on disk before it is answered (default: "
        "HEARD_LOCAL_STATE, or .heard-state.db in the checkout; readable by its owner only)",
    )
    kept.add_argument(
        "--in-memory",
        action="store_true",
        help="a throwaway run: the store in memory only, lost at exit",
    )
    args = parser.parse_args()

    from shared import config
    from shared.domain.errors import PolicyError

    try:
        config.policy()  # read once here, so a bad policy file stops the service before anything starts
    except PolicyError as refused:
        print(f"Heard local service not started: {refused.reason}", file=sys.stderr)
        return 2

    # Signals only ask for the stop, which the main thread then carries out: raising from a signal
    # handler can interrupt the stop itself (a join, a lock, moto's teardown) half-way.
    stop = watch_stop_signals()

    from infra.local.emulator import use_fake_credentials

    use_fake_credentials()
    from moto import mock_aws

    from infra.local.clock import LocalClock
    from infra.local.service import LocalService
    from infra.local.state import LoadStopped

    with mock_aws():
        try:
            service = LocalService.start(
                args.host,
                args.port,
                request_timeout=args.request_timeout,
                state_file=None if args.in_memory else args.state,
                clock=LocalClock(args.clock_start) if args.clock_start else None,
                stopped=stop.is_set,
            )
        except LoadStopped:  # asked to stop while the kept store was loading: nothing to stop yet
            service = None
        if service is not None:
            # Said before serving: the port is bound already (connections wait for the server), and a
            # client that has been answered has always been told where everything is.
            if not stop.is_set():
                print(service.describe(), flush=True)
            service.serve_in_background()
            while not stop.wait(0.25):
                pass
            service.stop()
    print(STOPPED, flush=True)
    # Stopped: a signal still on its way (make passes the group's on) must not end the interpreter's
    # shutdown by the default action, which Python restores for its own handlers as it finalizes.
    for signum in STOP_SIGNALS:
        signal.signal(signum, signal.SIG_IGN)
    return 0


if __name__ == "__main__":
    sys.exit(main())
