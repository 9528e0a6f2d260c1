"""``make run``: Heard on http://127.0.0.1:3000 with an embedded AWS. Ctrl-C (or SIGTERM) stops it
within 5 seconds, whatever its clients are doing. A bad council policy file ($HEARD_POLICY_FILE) stops
it before it starts, with a message on stderr naming the field."""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from datetime import datetime
from pathlib import Path
from types import FrameType

ROOT = Path(__file__).resolve().parents[2]
#: Seconds from Ctrl-C or SIGTERM to the process's end, at the latest.
STOP_WITHIN = 4.5
STOPPED = "Heard local service stopped."


def _exit_by(seconds: float) -> None:
    """End the process in ``seconds`` if the orderly stop has not ended it by then: a handler stuck in
    a request, a thread that will not join, or an exit handler that blocks must not keep it alive. Runs
    on a daemon thread, so it covers interpreter shutdown too (which joins non-daemon threads)."""

    def force() -> None:
        sys.stdout.write(f"{STOPPED} (forced after {seconds:g} s)\n")
        sys.stdout.flush()
        os._exit(1)

    timer = threading.Timer(seconds, force)
    timer.daemon = True
    timer.start()


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
    stop = threading.Event()

    def _request_stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGINT, _request_stop)
    signal.signal(signal.SIGTERM, _request_stop)

    from infra.local.emulator import use_fake_credentials

    use_fake_credentials()
    from moto import mock_aws

    from infra.local.clock import LocalClock
    from infra.local.service import LocalService

    with mock_aws():
        state_file = os.environ.get("HEARD_LOCAL_STATE", "").strip()
        service = LocalService.start(
            args.host,
            args.port,
            request_timeout=args.request_timeout,
            state_file=Path(state_file) if state_file else None,
            clock=LocalClock(args.clock_start) if args.clock_start else None,
        )
        # Said before serving: the port is bound already (connections wait for the server), and a client
        # that has been answered has always been told where everything is.
        if not stop.is_set():
            print(service.describe(), flush=True)
        service.serve_in_background()
        while not stop.wait(0.25):
            pass
        _exit_by(STOP_WITHIN)
        service.stop()
    print(STOPPED, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
