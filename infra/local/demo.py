"""``make demo``: the two demo years (2014/15 and 2015/16, shared/reporting/demo.py) built once on an
emulated table, through the same aggregate and adapter as real use, and saved as a local store that
``HEARD_LOCAL_STATE=<file> make run`` loads, so that every report and view has something to show."""

from __future__ import annotations

import argparse
import logging
import sys
from datetime import datetime, time
from pathlib import Path

DEFAULT_STATE = Path(".heard-state-demo")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.local.demo", description=__doc__)
    parser.add_argument(
        "--state", type=Path, default=DEFAULT_STATE, help=f"the file to write ({DEFAULT_STATE})"
    )
    parser.add_argument("--force", action="store_true", help="build again over an existing file")
    args = parser.parse_args(argv)
    if args.state.exists() and not args.force:
        print(f"{args.state} exists: the demo is built (--force to build it again)")
        return 0
    logging.disable(logging.INFO)
    from infra.local.emulator import create_resources, use_fake_credentials

    use_fake_credentials()
    from moto import mock_aws

    from infra.local import state
    from shared.adapters.dynamodb import DynamoReportSource
    from shared.domain.calendar import LONDON
    from shared.reporting.demo import build_demo

    with mock_aws():
        resources = create_resources()
        builder = build_demo(DynamoReportSource(resources.table_name))
        # make run's local clock goes on from the report date, so the live views are as at that day.
        at = datetime.combine(builder.report_date, time(12, 0), tzinfo=LONDON)
        saved = state.save(args.state, resources.table_name, clock=at)
    print(f"{args.state}: {len(builder.cases)} demo cases ({saved} items), report date {builder.report_date}")
    print(f"HEARD_LOCAL_STATE={args.state} make run")
    return 0


if __name__ == "__main__":
    sys.exit(main())
