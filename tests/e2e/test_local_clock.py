"""The local clock on ``make run``'s service, over HTTP as a script would use it: move the clock, then
read the outbox. A complaint left unanswered brings its reminders, the overdue alert and an escalation
at the right working-day times; bad clock requests are 400s.

Dates are worked out by hand for March 2030 (no bank holiday; summer time starts on 31 March)."""

from __future__ import annotations

import http.client
import json
import signal
from typing import Any

from tests.conftest import CHILD_AGREES, complaint
from tests.e2e.test_local_service import _free_port, local_service, stop

MANAGER = "service-manager@staff.heard.example"
TEAM = "complaints-team@heard.example"


def call(
    port: int, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None
) -> tuple[int, Any, dict[str, str]]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    payload = None if body is None else json.dumps(body).encode()
    connection.request(method, path, payload, {"Content-Type": "application/json", **(headers or {})})
    response = connection.getresponse()
    raw = response.read()
    connection.close()
    return response.status, json.loads(raw) if raw else None, dict(response.getheaders())


def alerts(port: int, reference: str) -> list[tuple[str, str]]:
    _, sent, _ = call(port, "GET", "/_local/outbox")
    return [
        (m["to"], m["subject"].split(":")[0])
        for m in sent
        if reference in m["subject"] and m["subject"].split(":")[0] in ("Reminder", "Overdue", "Escalation")
    ]


def test_an_unanswered_complaint_is_chased_as_the_local_clock_moves() -> None:
    port = _free_port()
    with local_service(port) as process:
        status, body, _ = call(port, "POST", "/_local/clock", {"set": "2030-03-04T10:00:00Z"})
        assert status == 200 and body["now"].startswith("2030-03-04T10:00")
        assert call(port, "GET", "/_local/clock")[1]["now"].startswith("2030-03-04T10:00")
        for bad in ({"advance_days": -1}, {"set": "2020-01-01T00:00:00Z"}, {}, {"advance_weeks": 1}, [1]):
            status, problem, _ = call(port, "POST", "/_local/clock", bad)
            assert status == 400 and problem["detail"], bad
        what = "Nobody returned my calls about my son's care plan (clock test)."
        status, receipt, _ = call(
            port, "POST", "/representations", complaint(when_happened="2030-02-01", what_happened=what)
        )
        assert status == 201
        reference = receipt["reference"]
        token = call(port, "POST", "/_local/token", {"username": "complaints-officer"})[1]["id_token"]
        for action in (
            CHILD_AGREES,
            {"action": "accept", "procedure": "statutory", "reason": "A parent of a child in need: s.26(3)."},
            {"action": "allocate", "manager": "service-manager", "service_area": "social-work"},
        ):
            etag = call(port, "GET", f"/cases/{reference}", headers={"Authorization": token})[2]["ETag"]
            status, answer, _ = call(
                port,
                "POST",
                f"/cases/{reference}/actions",
                action,
                {"Authorization": token, "If-Match": etag},
            )
            assert status == 200, answer
        # Stage 1 due Monday 18 March 2030: reminders Monday 11 and Thursday 14 March at 09:00.
        status, moved, _ = call(port, "POST", "/_local/clock", {"advance_working_days": 5})
        assert status == 200 and moved["now"].startswith("2030-03-11T10:0")  # real time goes on too
        assert moved["emails_sent"] >= 1 and alerts(port, reference) == [(MANAGER, "Reminder")]
        call(port, "POST", "/_local/clock", {"set": "2030-03-19T08:59:59Z"})
        assert alerts(port, reference) == [(MANAGER, "Reminder")] * 2
        call(port, "POST", "/_local/clock", {"set": "2030-03-19T09:00:00Z"})
        assert alerts(port, reference)[2:] == [(MANAGER, "Overdue"), (TEAM, "Overdue")]
        # Escalated 5 working days later (Tuesday 26 March), to the team: the default policy names no
        # head of service.
        call(port, "POST", "/_local/clock", {"advance_days": 7})
        assert alerts(port, reference)[4:] == [(TEAM, "Escalation")]
        _, output = stop(process, signal.SIGINT)
        assert "Traceback" not in output
