"""The ``heard`` command line."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING

from shared.domain.errors import DomainError
from shared.domain.policy import Step, load_policy
from shared.domain.vocabulary import Procedure
from shared.names import POLICY_FILE_ENV, TABLE_ENV

if TYPE_CHECKING:
    from shared.reporting.source import ReportSource


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
    notifications = commands.add_parser(
        "notifications", help=f"the notification dead letters in the case table (${TABLE_ENV})"
    )
    which = notifications.add_subparsers(dest="action", required=True)
    which.add_parser("dead-letters", help="list notifications that failed or were never sent (JSON lines)")
    redrive = which.add_parser("redrive", help="send dead-lettered notifications again")
    redrive.add_argument("--all", action="store_true", help="every dead letter")
    redrive.add_argument("--case", dest="case_id", help="with --notification: just this one")
    redrive.add_argument("--notification", dest="notification_id")
    deadlines = commands.add_parser(
        "deadlines", help=f"the open cases' deadlines in the case table (${TABLE_ENV})"
    )
    deadlines.add_subparsers(dest="action", required=True).add_parser(
        "recompute",
        help="move every open deadline to the calendar as it is now (after the policy's bank holidays change)",
    )
    report = commands.add_parser("report", help=f"reports from the case table (${TABLE_ENV})")
    reports = report.add_subparsers(dest="report", required=True)
    annual = reports.add_parser("annual", help="the annual report on representations (docs/reporting.md)")
    annual.add_argument(
        "--year", type=int, required=True, help="the financial year's first year: 2015 is 2015/16"
    )
    annual.add_argument("--format", choices=("json", "html", "csv"), default="json")
    annual.add_argument(
        "--as-at", dest="as_at", metavar="YYYY-MM-DD", help="the report date (default: today)"
    )
    annual.add_argument("--demo", action="store_true", help="from the demo years, built in memory (no table)")
    annual.add_argument("--policy", default=None, help=f"council policy JSON (default: ${POLICY_FILE_ENV})")
    reports.add_parser(
        "bulletin", help="email the last period's scorecard to the senior leadership list (once a period)"
    )
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


def _notifications(args: argparse.Namespace) -> int:
    import json

    from shared.config import ConfigurationError, clock
    from shared.notifier import redrive_dead_letters
    from shared.wiring import case_store

    try:
        store = case_store()
        letters = store.dead_letters(clock().now())
    except ConfigurationError as exc:
        return _fail(str(exc))
    if args.action == "dead-letters":
        for letter in letters:
            print(json.dumps(letter, default=str))
        return 0
    if args.all == bool(args.case_id or args.notification_id) or bool(args.case_id) != bool(
        args.notification_id
    ):
        return _fail("redrive needs --all, or both --case and --notification")
    if args.all:
        redriven, found = redrive_dead_letters(store, clock())
    else:
        redriven, found = int(store.redrive(args.case_id, args.notification_id, clock().now())), 1
    print(f"redriven: {redriven} of {found}")
    return 0 if redriven == found else 1


def _recompute() -> int:
    from shared.config import ConfigurationError
    from shared.wiring import timer_service

    try:
        result = timer_service().recompute()
    except ConfigurationError as exc:
        return _fail(str(exc))
    print(f"deadlines recomputed: {result['moved']} of {result['checked']} open cases moved")
    return 0


def _report(args: argparse.Namespace) -> int:
    from shared.config import ConfigurationError, clock

    if args.report == "bulletin":
        from shared.wiring import bulletin_service

        try:
            period = bulletin_service().send()
        except ConfigurationError as exc:
            return _fail(str(exc))
        print(
            f"bulletin for {period} recorded"
            if period
            else "no bulletin: already sent, or nobody to send it to"
        )
        return 0
    from shared.domain.calendar import london_date
    from shared.reporting.annual import annual_report
    from shared.reporting.render import to_csv, to_html

    if not 2000 <= args.year <= 2100:
        return _fail(f"--year {args.year} is not a financial year (2015 is 2015/16)")
    try:
        policy = load_policy(args.policy or os.environ.get(POLICY_FILE_ENV))
        as_at = date.fromisoformat(args.as_at) if args.as_at else None
    except DomainError as exc:
        return _fail(exc.reason)
    except ValueError:
        return _fail(f"--as-at '{args.as_at}' is not a date in the form YYYY-MM-DD")
    if args.demo:
        from shared.reporting.demo import build_demo
        from shared.reporting.memory import InMemoryCases

        memory = InMemoryCases()
        source: ReportSource = memory
        report_date = as_at or build_demo(memory, policy, until=as_at).report_date
    else:
        from shared.wiring import report_source

        try:
            source = report_source()
            report_date = as_at or london_date(clock().now())
        except ConfigurationError as exc:
            return _fail(str(exc))
    report = annual_report(source, args.year, report_date, policy)
    if args.format == "html":
        sys.stdout.write(to_html(report))
    elif args.format == "csv":
        sys.stdout.write(to_csv(report))
    else:
        sys.stdout.write(report.model_dump_json(indent=2) + "\n")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "deadline":
        return _deadline(args)
    if args.command == "notifications":
        return _notifications(args)
    if args.command == "report":
        return _report(args)
    if args.command == "deadlines":
        return _recompute()
    return _fail(f"unknown command {args.command}")  # pragma: no cover - argparse refuses first


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
