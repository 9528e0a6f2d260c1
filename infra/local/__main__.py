"""``make run``: Heard on http://127.0.0.1:3000 with an embedded AWS. Ctrl-C stops it."""

from __future__ import annotations

import argparse
import os
import signal
import sys
from pathlib import Path
from types import FrameType

ROOT = Path(__file__).resolve().parents[2]


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.local", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "3000")))
    args = parser.parse_args()

    from infra.local.emulator import use_fake_credentials

    use_fake_credentials()
    from moto import mock_aws

    from infra.local.service import LocalService

    with mock_aws():
        service = LocalService.start(args.host, args.port)

        def _stop(signum: int, frame: FrameType | None) -> None:
            raise KeyboardInterrupt

        signal.signal(signal.SIGTERM, _stop)
        service.start_pump()
        print(service.describe(), flush=True)
        try:
            service.server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not break the shutdown
            service.stop()
            print("Heard local service stopped.", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
