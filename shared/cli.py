"""The ``heard`` command line."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from datetime import date

from shared.domain.errors import DomainError
from shared.domain.policy import Step, load_policy
from shared.domain.vocabulary import Procedure
from shared.names import POLICY_FILE_ENV


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="heard", description="Heard: children's social care representations"
    )
    commands = parser.add_subparsers(dest="command", required=True)
    deadline = commands.add_parser("deadline", help="the due date of a procedure step, in working days")
    deadline.add_argument("--procedure", required=True, choices=[p.value for p in Procedure])
    deadline.add_argument(
        "--step", required=True, help="acknowledgement, stage1, stage2-request, stage2, ..."
    )
    deadline.add_argument("--from", dest="start", required=True, metavar="YYYY-MM-DD")
    deadline.add_argument("--extended", action="store_true", help="the extended maximum, where there is one")
    deadline.add_argument("--policy", default=None, help=f"council policy JSON (default: ${POLICY_FILE_ENV})")
    return parser


def _fail(message: str) -> int:
    print(f"heard: {message}", file=sys.stderr)
    return 2


def _deadline(args: argparse.Namespace) -> int:
    try:
        step = Step(args.step)
    except ValueError:
        return _fail(f"unknown step '{args.step}' (steps: {', '.join(s.value for s in Step)})")
    try:
        start = date.fromisoformat(args.start)
    except ValueError:
        return _fail(f"--from '{args.start}' is not a date in the form YYYY-MM-DD")
    procedure = Procedure(args.procedure)
    try:
        policy = load_policy(args.policy or os.environ.get(POLICY_FILE_ENV))
        timescale = policy.timescale(procedure, step)
        due = policy.due_date(procedure, step, start, extended=args.extended)
    except DomainError as exc:
        return _fail(exc.reason)
    calendar = policy.calendar()
    days = timescale.extended_max if args.extended else timescale.working_days
    deemed = calendar.deemed_receipt(start)
    note = f" (deemed {deemed.isoformat()})" if deemed != start else ""
    print(f"{procedure} {step}: {days} working days from {start.isoformat()}{note}")
    print(due.isoformat())
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "deadline":
        return _deadline(args)
    return _fail(f"unknown command {args.command}")  # pragma: no cover - argparse refuses first


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
