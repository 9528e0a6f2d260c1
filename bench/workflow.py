"""200 open cases advanced through a month together, on the real workflow definition (moto's interpreter,
the real handlers, the local clock): every reminder, overdue alert and escalation sent exactly once.

The service runs in this process, as the scenario tests run it. 200 statutory complaints arrive on
Monday 1 March 2027 and are accepted and allocated; half are answered on Friday 12 March; the clock then
goes on to Thursday 1 April 2027, 12:00. Worked out by hand: each case gets reminders on Monday 8 and
Thursday 11 March; the unanswered ones an overdue alert on Tuesday 16 March (to the manager and the
team) and escalations on Tuesday 23 March and Thursday 1 April (Good Friday and Easter Monday between):
100 x 2 + 100 x (2 + 2 + 2) = 800 alert emails.

Reported as ratios within the run: the time to move the clock through the month against the time to
register the 200 cases through the officer API (the baseline), and the process's resident memory
growth over the month. Also the state transitions, counted from the execution history, of a stage 1
complaint answered on time (acknowledgement and stage 1, up to the stage 2 request window)."""

from __future__ import annotations

import json
import resource
import time
from collections import Counter
from datetime import UTC, datetime
from typing import Any

CASES = int(__import__("os").environ.get("HEARD_BENCH_CASES", "200"))
START = datetime(2027, 3, 1, 10, 0, tzinfo=UTC)
EXPECTED_ALERTS = 4 * CASES


def _rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize() / 2**20


def run() -> dict[str, Any]:
    from moto import mock_aws

    from infra.local.emulator import use_fake_credentials

    use_fake_credentials()
    with mock_aws():
        return _run()


def _run() -> dict[str, Any]:
    import boto3

    from infra.local.clock import LocalClock
    from infra.local.outbox import sent_emails
    from infra.local.service import LocalService

    service = LocalService.start(clock=LocalClock(START))
    token = service.staff.sign_in("complaints-officer")["id_token"] if service.staff else ""
    manager_token = service.staff.sign_in("service-manager")["id_token"] if service.staff else ""

    def call(
        method: str, path: str, body: Any, user_token: str | None = None, etag: str | None = None
    ) -> Any:
        headers = {"Content-Type": "application/json"}
        if user_token:
            headers["Authorization"] = user_token
        if etag:
            headers["If-Match"] = etag
        status, out, payload = service.gateway.dispatch(method, path, headers, json.dumps(body).encode())
        assert status in (200, 201), payload
        return json.loads(payload), dict(out)

    def act(reference: str, body: dict[str, Any], user_token: str = token) -> None:
        _, headers = call("GET", f"/cases/{reference}", None, token)
        call("POST", f"/cases/{reference}/actions", body, user_token, headers["ETag"])

    started = time.perf_counter()
    references = []
    for number in range(CASES):
        receipt, _ = call(
            "POST",
            "/representations",
            {
                "kind": "complaint",
                "role": "parent",
                "subject": "childrens-social-care",
                "on_behalf_of": "a-child",
                "email": f"parent{number}@example.org",
                "preferred_contact": "email",
                "what_happened": f"Case {number}: nobody returned my calls about my son's care plan.",
            },
        )
        reference = receipt["reference"]
        act(
            reference,
            {"action": "accept", "procedure": "statutory", "reason": "A parent of a child in need."},
        )
        act(reference, {"action": "allocate", "manager": "service-manager", "service_area": "social-work"})
        references.append(reference)
    service.settle()
    registered = time.perf_counter() - started
    before = len(sent_emails())
    rss_before = _rss_mb()

    started = time.perf_counter()
    steps = service.advance_to(datetime(2027, 3, 12, 12, 0, tzinfo=UTC))
    finding = {"point": "Calls not returned", "outcome": "upheld"}
    answered = references[: CASES // 2]
    for reference in answered:
        act(
            reference,
            {"action": "respond-stage1", "sent_on": "2027-03-12", "findings": [finding]},
            manager_token,
        )
    steps += service.advance_to(datetime(2027, 4, 1, 12, 0, tzinfo=UTC))
    month = time.perf_counter() - started
    rss_after = _rss_mb()

    alerts = [
        m
        for m in sent_emails()[before:]
        if m["subject"].split(":")[0] in ("Reminder", "Overdue", "Escalation")
    ]
    # The same email twice: the same address, subject and words (the 5- and 2-day reminders differ).
    per_email = Counter((m["to"], m["subject"], m["text"]) for m in alerts)
    kinds = Counter(m["subject"].split(":")[0] for m in alerts)

    sfn = boto3.client("stepfunctions")
    case_id = call("GET", f"/cases/{answered[0]}", None, token)[0]["case"]["case_id"]
    transitions = 0
    for page in sfn.get_paginator("list_executions").paginate(
        stateMachineArn=service.resources.state_machine_arn
    ):
        for run in page["executions"]:
            name = run["name"]
            if name.startswith(f"{case_id}-acknowledgement") or name.startswith(f"{case_id}-stage1-"):
                history = sfn.get_execution_history(executionArn=run["executionArn"], maxResults=1000)
                transitions += sum(1 for e in history["events"] if "stateEnteredEventDetails" in e)
    from infra.local.clock import executions

    statuses = Counter(e.status for e in executions())
    service.stop(within=1.0)
    return {
        "executions": dict(statuses),
        "cases": CASES,
        "alert_emails": len(alerts),
        "alert_emails_expected": EXPECTED_ALERTS,
        "by_kind": dict(kinds),
        "sent_twice": sum(1 for count in per_email.values() if count > 1),
        "clock_steps": steps,
        "register_seconds": round(registered, 1),
        "month_seconds": round(month, 1),
        "month_vs_register_ratio": round(month / registered, 2),
        "rss_growth_mb": round(rss_after - rss_before, 1),
        "stage1_on_time_transitions": transitions,
    }


if __name__ == "__main__":
    import logging

    logging.disable(logging.INFO)
    print(json.dumps(run(), indent=2))
