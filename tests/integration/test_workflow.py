"""The stage workflow on its real definition (infra/workflow/stage_timer.asl.json), executed by moto's
interpreter with the real handlers, on the local clock: scenarios driven through the officer API, as the
local service runs them, with the outbox read after each move of the clock.

Expected dates are worked out by hand from the calendar for spring 2027 (not from Heard's calendar):
Good Friday is 26 March and Easter Monday 29 March; British Summer Time starts on 28 March, so 09:00
in London is 09:00 UTC before it and 08:00 UTC after it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from infra.local.clock import LocalClock, executions
from infra.local.outbox import sent_emails
from infra.local.service import LocalService
from shared import cli, config, names, wiring
from shared.domain.clock import SystemClock
from shared.domain.vocabulary import DEFAULT_SERVICE_AREAS
from tests.conftest import CHILD_AGREES, as_json, complaint
from tests.integration.test_officer_authorization import ATTESTATION, Api, person

# Monday 1 March 2027, 10:00 in London (GMT).
START = datetime(2027, 3, 1, 10, 0, tzinfo=UTC)
OFFICER = "complaints-officer"
MANAGER = "service-manager"
MANAGER_MAILBOX = "service-manager@staff.heard.example"
TEAM_MAILBOX = "complaints-team@heard.example"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


HEAD_OF_SERVICE = "head.social-work@council.example"


@pytest.fixture
def policy_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The default policy, with a head of service for the first service area (for escalations)."""
    areas = [{"id": i, "name": n} for i, n in DEFAULT_SERVICE_AREAS]
    areas[0]["head_of_service_email"] = HEAD_OF_SERVICE
    path = tmp_path / "policy.json"
    path.write_text(json.dumps({"service_areas": areas}))
    monkeypatch.setenv(names.POLICY_FILE_ENV, str(path))
    return path


@pytest.fixture
def local(policy_file: Path) -> Iterator[tuple[LocalService, Api]]:
    from moto import mock_aws

    with mock_aws():
        service = LocalService.start(clock=LocalClock(START))
        try:
            yield service, Api(service)
            # No timer was lost: every execution ran to its end, was stopped, or still waits.
            ended = {e.name: e.status for e in executions()}
            assert not [name for name, status in ended.items() if status in ("FAILED", "TIMED_OUT")], ended
        finally:
            service.stop(within=1.0)
    config.use_clock(SystemClock())
    wiring.reset()


_COUNT = iter(range(1, 1_000_000))


def register(api: Api, **overrides: Any) -> str:
    """A new complaint from a parent (each different: an identical one would be the same request)."""
    what = f"Complaint {next(_COUNT)}: nobody returned my calls about my son's care plan."
    body = complaint(when_happened="2027-02-01", what_happened=what, **overrides)
    status, _, payload = api.service.gateway.dispatch(
        "POST", "/representations", {"Content-Type": "application/json"}, as_json(body)
    )
    assert status == 201, payload
    reference: str = json.loads(payload)["reference"]
    return reference


def accepted(api: Api, area: str, procedure: str = "statutory", **overrides: Any) -> str:
    reference = register(api, **overrides)
    reason = "A parent of a child in need: s.26(3)."
    api.act(reference, OFFICER, CHILD_AGREES)
    api.act(reference, OFFICER, {"action": "accept", "procedure": procedure, "reason": reason})
    api.act(reference, OFFICER, {"action": "allocate", "manager": MANAGER, "service_area": area})
    return reference


def alerts(reference: str) -> list[tuple[str, str]]:
    """The deadline alerts for ``reference`` in the outbox: (to, subject) in the order sent."""
    return [
        (m["to"], m["subject"].split(":")[0])
        for m in sent_emails()
        if reference in m["subject"] and m["subject"].split(":")[0] in ("Reminder", "Overdue", "Escalation")
    ]


def last_reminder() -> str:
    return [m for m in sent_emails() if m["subject"].startswith("Reminder")][-1]["subject"]


def letters(reference: str, subject_start: str) -> list[dict[str, Any]]:
    return [m for m in sent_emails() if m["subject"].startswith(subject_start) and reference in m["subject"]]


def area(service: LocalService) -> str:
    return config.policy().service_areas[0].id


def test_answered_on_time_reminders_before_the_due_date_only_and_the_window_then_closes_the_case(
    local: tuple[LocalService, Api],
) -> None:
    service, api = local
    reference = accepted(api, area(service))
    # Stage 1 is due Monday 15 March (10 working days from Monday 1 March): reminders on Monday 8
    # (5 working days before) and Thursday 11 March (2 before), at 09:00.
    service.advance_to(at("2027-03-08T08:59:00"))
    assert alerts(reference) == []
    service.advance_to(at("2027-03-08T09:00:00"))
    assert alerts(reference) == [(MANAGER_MAILBOX, "Reminder")]
    service.advance_to(at("2027-03-12T10:00:00"))
    assert alerts(reference) == [(MANAGER_MAILBOX, "Reminder")] * 2
    reminder = [m for m in sent_emails() if m["subject"].startswith("Reminder")][-1]
    assert "Monday 15 March 2027" in reminder["subject"] and "in 2 working days" in reminder["text"]
    assert f"https://heard.example/cases/{reference}" in reminder["text"]
    finding = {"point": "Calls not returned", "outcome": "upheld"}
    api.act(reference, MANAGER, {"action": "respond-stage1", "sent_on": "2027-03-12", "findings": [finding]})
    service.settle()
    # Stage 1 on time, up to the start of the stage 2 request window: the acknowledgement's execution
    # and stage 1's, counted from the execution history (issue 9: at most 30 state transitions).
    runs = history(service, reference)
    # Named by the case version that set each: 1 registered, 2 the child's views recorded, 3 accepted
    # (stage 1 set), 4 allocated, 5 and 6 the reminders recorded, 7 answered (the window set).
    assert [name for name, _ in runs] == ["acknowledgement-r0", "stage1-r3", "stage2-request-r7"]
    assert sum(len(entered) for _, entered in runs[:2]) <= 30
    # Answered: nothing more for stage 1. The window to ask for stage 2 (20 working days from Friday
    # 12 March, without Good Friday and Easter Monday: Tuesday 13 April) closes the case at 09:00 on
    # Wednesday 14 April (08:00 UTC in summer time).
    service.advance_to(at("2027-04-14T07:59:00"))
    assert alerts(reference) == [(MANAGER_MAILBOX, "Reminder")] * 2
    assert letters(reference, "We have closed") == []
    service.advance_to(at("2027-04-14T08:00:00"))
    closed = letters(reference, "We have closed")
    assert len(closed) == 1 and "Tuesday 13 April 2027" in closed[0]["text"]
    status, _, body = api.call("GET", f"/cases/{reference}", OFFICER)
    assert status == 200 and body["case"]["status"] == "closed"
    service.advance_to(at("2027-06-30T12:00:00"))
    assert alerts(reference) == [(MANAGER_MAILBOX, "Reminder")] * 2
    assert len(letters(reference, "We have closed")) == 1


def respond_stage1(api: Api, reference: str, on: str) -> None:
    finding = {"point": "Calls not returned", "outcome": "upheld"}
    api.act(reference, MANAGER, {"action": "respond-stage1", "sent_on": on, "findings": [finding]})


def test_unanswered_stage1_goes_overdue_and_is_escalated_every_five_working_days_until_answered(
    local: tuple[LocalService, Api],
) -> None:
    service, api = local
    reference = accepted(api, area(service))
    service.advance_to(at("2027-03-16T08:59:00"))
    assert alerts(reference) == [(MANAGER_MAILBOX, "Reminder")] * 2
    # Due Monday 15 March: overdue at 09:00 on Tuesday 16 March, to the manager and the team.
    service.advance_to(at("2027-03-16T09:00:00"))
    assert alerts(reference)[2:] == [(MANAGER_MAILBOX, "Overdue"), (TEAM_MAILBOX, "Overdue")]
    overdue = next(m for m in sent_emails() if m["subject"].startswith("Overdue"))
    assert "1 working day overdue" in overdue["text"]
    # Then to the head of service every 5 working days: Tuesday 23 March; Thursday 1 April (Good Friday
    # and Easter Monday are not working days; 08:00 UTC in summer time); Thursday 8 April.
    service.advance_to(at("2027-03-23T08:59:00"))
    assert len(alerts(reference)) == 4
    service.advance_to(at("2027-03-23T09:00:00"))
    assert alerts(reference)[4:] == [(HEAD_OF_SERVICE, "Escalation")]
    service.advance_to(at("2027-04-01T07:59:00"))
    assert len(alerts(reference)) == 5
    service.advance_to(at("2027-04-01T08:00:00"))
    assert alerts(reference)[5:] == [(HEAD_OF_SERVICE, "Escalation")]
    service.advance_to(at("2027-04-08T08:00:00"))
    assert alerts(reference)[6:] == [(HEAD_OF_SERVICE, "Escalation")]
    third = [m for m in sent_emails() if m["subject"].startswith("Escalation")][-1]
    assert "Escalation 3" in third["text"] and "Monday 15 March 2027" in third["text"]
    respond_stage1(api, reference, "2027-04-08")
    service.advance_to(at("2027-04-30T12:00:00"))
    assert len(alerts(reference)) == 7


def test_an_unacknowledged_complaint_reminds_and_then_chases_the_team(
    local: tuple[LocalService, Api],
) -> None:
    service, api = local
    reference = register(api)
    # Acknowledgement due Thursday 4 March (3 working days from Monday 1 March): a reminder 2 working
    # days before (Tuesday 2 March; 5 before was before it arrived), overdue on Friday 5 March.
    service.advance_to(at("2027-03-05T09:00:00"))
    assert alerts(reference) == [(TEAM_MAILBOX, "Reminder"), (TEAM_MAILBOX, "Overdue")]
    reason = "A parent of a child in need: s.26(3)."
    api.act(reference, OFFICER, CHILD_AGREES)
    api.act(reference, OFFICER, {"action": "accept", "procedure": "statutory", "reason": reason})
    service.advance_to(at("2027-03-12T09:00:00"))  # no escalation of the acknowledgement once accepted
    assert [a for a in alerts(reference) if a[1] != "Reminder"] == [(TEAM_MAILBOX, "Overdue")]


def test_an_extension_before_a_reminder_and_after_one_moves_the_reminders_and_tells_the_complainant(
    local: tuple[LocalService, Api],
) -> None:
    service, api = local
    early = accepted(api, area(service))
    late = accepted(api, area(service))
    extend = {"action": "extend", "reason": "The social worker is away until the end of the month."}
    service.advance_to(at("2027-03-04T12:00:00"))
    api.act(early, OFFICER, extend)  # before any reminder
    service.advance_to(at("2027-03-09T12:00:00"))
    assert alerts(late) == [(MANAGER_MAILBOX, "Reminder")]  # Monday 8 March
    api.act(late, OFFICER, extend)  # after the first reminder
    # Extended to 20 working days: due Wednesday 31 March (Good Friday and Easter Monday, inside the
    # period, do not count); reminders on Monday 22 and Thursday 25 March, none on Thursday 11 March.
    service.advance_to(at("2027-03-22T08:59:00"))
    assert alerts(early) == [] and len(alerts(late)) == 1
    service.advance_to(at("2027-03-31T12:00:00"))
    assert alerts(early) == [(MANAGER_MAILBOX, "Reminder")] * 2
    assert alerts(late) == [(MANAGER_MAILBOX, "Reminder")] * 3
    new_date = [m for m in sent_emails() if m["subject"].startswith("Reminder") and early in m["subject"]]
    assert all("Wednesday 31 March 2027" in m["subject"] for m in new_date)
    for reference in (early, late):
        told = letters(reference, "We need more time")
        assert len(told) == 1 and "Wednesday 31 March 2027" in told[0]["text"]
    # A second extension is beyond the statutory maximum: refused, and nothing changes.
    status, headers, _ = api.call("GET", f"/cases/{early}", OFFICER)
    status, _, refused = api.call(
        "POST", f"/cases/{early}/actions", OFFICER, extend, {"If-Match": headers["ETag"]}
    )
    assert status == 409 and "extend" in json.dumps(refused)
    service.advance_to(at("2027-04-01T08:00:00"))
    assert alerts(early)[-2:] == [(MANAGER_MAILBOX, "Overdue"), (TEAM_MAILBOX, "Overdue")]


def test_a_pause_for_an_advocate_stops_the_reminders_and_resuming_moves_the_due_date(
    local: tuple[LocalService, Api],
) -> None:
    service, api = local
    reference = accepted(api, area(service), advocacy="wants-one")  # asked for on the form (s.26A)
    service.advance_to(at("2027-03-03T12:00:00"))
    api.act(
        reference, OFFICER, {"action": "pause-stage1", "reason": "The child asked for an advocate first."}
    )
    service.advance_to(at("2027-03-10T12:00:00"))
    assert alerts(reference) == []  # no reminder on Monday 8 March while paused
    api.act(
        reference, OFFICER, {"action": "resume", "reason": "The advocate from the local service is in place."}
    )
    # 8 working days were left on Wednesday 3 March (4 March to 15 March): due Monday 22 March.
    service.advance_to(at("2027-03-19T12:00:00"))
    assert alerts(reference) == [(MANAGER_MAILBOX, "Reminder")] * 2  # Monday 15 and Thursday 18 March
    status, _, body = api.call("GET", f"/cases/{reference}", OFFICER)
    assert status == 200 and body["case"]["deadlines"]["stage1"]["due"] == "2027-03-22"
    sent = [
        m["subject"]
        for m in sent_emails()
        if reference in m["subject"] and m["subject"].startswith("Reminder")
    ]
    assert all("Monday 22 March 2027" in subject for subject in sent)
    assert len(letters(reference, "Your complaint is going ahead again")) == 1


def test_a_closed_window_then_a_late_request_accepted_under_discretion_starts_stage2(
    local: tuple[LocalService, Api],
) -> None:
    service, api = local
    reference = accepted(api, area(service))
    respond_stage1(api, reference, "2027-03-01")
    service.advance_to(at("2027-04-15T10:00:00"))  # the window (to Wednesday 31 March) has closed
    assert len(letters(reference, "We have closed")) == 1
    late = {
        "action": "request-stage2",
        "requested_on": "2027-04-15",
        "late_reason": "The complainant was in hospital for the whole of the window.",
    }
    api.act(reference, OFFICER, late)
    # Stage 2: 25 working days from Thursday 15 April, without the May bank holiday (3 May): due
    # Friday 21 May; reminders on Friday 14 and Wednesday 19 May.
    service.advance_to(at("2027-05-14T07:59:00"))
    assert alerts(reference) == []
    service.advance_to(at("2027-05-19T08:00:00"))
    assert alerts(reference) == [(MANAGER_MAILBOX, "Reminder")] * 2
    assert all(
        "Friday 21 May 2027" in m["subject"] for m in sent_emails() if m["subject"].startswith("Reminder")
    )


def test_a_bank_holiday_announced_while_a_case_is_open_moves_its_deadline_and_its_reminders(
    local: tuple[LocalService, Api], policy_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    service, api = local
    reference = accepted(api, area(service))
    service.advance_to(at("2027-03-02T12:00:00"))
    # A one-off bank holiday on Wednesday 10 March is announced: the policy gets it, an administrator
    # recomputes. Stage 1 is then due Tuesday 16 March: reminders on Monday 8 and Friday 12 March (not
    # Thursday 11), overdue on Wednesday 17 March (not Tuesday 16).
    document = json.loads(policy_file.read_text())
    policy_file.write_text(json.dumps({**document, "extra_bank_holidays": ["2027-03-10"]}))
    wiring.reset()
    refused = api.call("POST", "/deadlines/recompute", OFFICER)
    assert refused[0] == 403
    status, _, result = api.call("POST", "/deadlines/recompute", "admin")
    assert status == 200 and result == {"checked": 1, "moved": 1}
    service.advance_to(at("2027-03-11T12:00:00"))
    assert alerts(reference) == [(MANAGER_MAILBOX, "Reminder")]
    service.advance_to(at("2027-03-16T12:00:00"))
    assert alerts(reference) == [(MANAGER_MAILBOX, "Reminder")] * 2
    assert all(
        "Tuesday 16 March 2027" in m["subject"] for m in sent_emails() if m["subject"].startswith("Reminder")
    )
    service.advance_to(at("2027-03-17T09:00:00"))
    assert alerts(reference)[2:] == [(MANAGER_MAILBOX, "Overdue"), (TEAM_MAILBOX, "Overdue")]
    # Done once: nothing moves again (the command line does the same as the route).
    capsys.readouterr()  # the functions' logs so far
    assert cli.main(["deadlines", "recompute"]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "deadlines recomputed: 0 of 1 open cases moved"


def history(service: LocalService, reference: str) -> list[tuple[str, list[str]]]:
    """Each workflow execution of ``reference``'s case (name, the states it entered), oldest first."""
    import boto3

    sfn = boto3.client("stepfunctions")
    _, _, body = Api(service).call("GET", f"/cases/{reference}", OFFICER)
    case_id = body["case"]["case_id"]
    runs = sfn.list_executions(stateMachineArn=service.resources.state_machine_arn, maxResults=1000)[
        "executions"
    ]
    out = []
    for run in sorted(runs, key=lambda r: r["startDate"]):
        if not run["name"].startswith(case_id):
            continue
        events = sfn.get_execution_history(executionArn=run["executionArn"], maxResults=1000)["events"]
        entered = [e["stateEnteredEventDetails"]["name"] for e in events if "stateEnteredEventDetails" in e]
        out.append((run["name"].removeprefix(case_id + "-"), entered))
    return out


def test_statutory_stages_1_to_3_with_the_panel_timings_and_the_state_transitions_counted(
    local: tuple[LocalService, Api],
) -> None:
    service, api = local
    reference = accepted(api, area(service))
    respond_stage1(api, reference, "2027-03-01")
    service.advance_to(at("2027-03-08T12:00:00"))
    api.act(reference, OFFICER, {"action": "request-stage2", "requested_on": "2027-03-08"})
    for who, role in (("inv-ext", "investigator"), ("ip-1", "independent-person")):
        declared = {k: v for k, v in person(who, roles=[role]).items() if k != "person_id"}
        assert api.call("PUT", f"/people/{who}", OFFICER, declared)[0] == 200
    for action, who in (("appoint-investigator", "inv-ext"), ("appoint-independent-person", "ip-1")):
        api.act(reference, OFFICER, {"action": action, "person_id": who, "attestation": ATTESTATION})
    finding = {"point": "Calls not returned", "outcome": "upheld"}
    report = {"action": "record-investigation-report", "submitted_on": "2027-03-08", "findings": [finding]}
    api.act(reference, OFFICER, report)
    # Stage 2: 25 working days from Monday 8 March: due Wednesday 14 April; reminders on Wednesday 7
    # and Monday 12 April.
    service.advance_to(at("2027-04-12T12:00:00"))
    assert alerts(reference) == [(MANAGER_MAILBOX, "Reminder")] * 2
    assert "Wednesday 14 April 2027" in last_reminder()
    service.advance_to(at("2027-04-13T12:00:00"))
    api.act(
        reference,
        "senior-leadership",
        {"action": "respond-stage2", "sent_on": "2027-04-13", "findings": [finding]},
    )
    service.advance_to(at("2027-04-15T12:00:00"))
    api.act(reference, OFFICER, {"action": "request-stage3", "requested_on": "2027-04-15"})
    members = []
    for who in ("panel-1", "panel-2", "panel-3"):
        declared = {k: v for k, v in person(who, roles=["panel-member"]).items() if k != "person_id"}
        assert api.call("PUT", f"/people/{who}", OFFICER, declared)[0] == 200
        members.append({"person_id": who, "attestation": ATTESTATION})
    convene = {"action": "convene-panel", "members": members, "chair": "panel-1", "meeting_on": "2027-05-24"}
    api.act(reference, OFFICER, convene)
    # The panel within 30 working days of Thursday 15 April (without 3 May): Friday 28 May; reminders
    # on Friday 21 and Wednesday 26 May.
    service.advance_to(at("2027-05-24T12:00:00"))
    assert len(alerts(reference)) == 3
    met = {"action": "panel-met", "met_on": "2027-05-24"}
    api.act(reference, OFFICER, met)
    # Its report within 5 working days of Monday 24 May (without 31 May): Tuesday 1 June; the 5-day
    # reminder fell on the meeting's own morning, before it was recorded: only Thursday 27 May's.
    service.advance_to(at("2027-05-28T12:00:00"))
    assert len(alerts(reference)) == 4
    assert "Tuesday 1 June 2027" in last_reminder()
    reported = {
        "action": "panel-reported",
        "reported_on": "2027-05-28",
        "findings": [finding],
        "sent_to_complainant": True,
        "sent_to_independent_person": True,
    }
    api.act(reference, OFFICER, reported)
    # The council's response within 15 working days of Friday 28 May: Monday 21 June; reminders on
    # Monday 14 and Thursday 17 June.
    service.advance_to(at("2027-06-18T12:00:00"))
    assert len(alerts(reference)) == 6
    assert "Monday 21 June 2027" in last_reminder()
    respond = {
        "action": "respond-stage3",
        "sent_on": "2027-06-18",
        "independent_person_view_considered": True,
        "ombudsman_details_given": True,
    }
    api.act(reference, "senior-leadership", respond)
    service.advance_to(at("2027-08-31T12:00:00"))
    assert len(alerts(reference)) == 6
    names_run = [name.rsplit("-r", 1)[0] for name, _ in history(service, reference)]
    assert names_run == [
        "acknowledgement",
        "stage1",
        "stage2-request",
        "stage2",
        "stage3-request",
        "stage3-panel",
        "stage3-report",
        "stage3-response",
    ]
    entered = dict(history(service, reference))
    assert any("Stage 3: the panel's report" in states for states in entered.values())


def test_corporate_two_stages_and_no_third(local: tuple[LocalService, Api]) -> None:
    service, api = local
    reference = accepted(api, area(service), procedure="corporate")
    service.advance_to(at("2027-03-03T12:00:00"))
    respond_stage1(api, reference, "2027-03-03")
    service.advance_to(at("2027-03-08T12:00:00"))
    api.act(reference, OFFICER, {"action": "request-stage2", "requested_on": "2027-03-08"})
    # Corporate stage 2: 20 working days from Monday 8 March: due Wednesday 7 April; reminders on
    # Wednesday 31 March and Monday 5 April (Good Friday and Easter Monday between).
    service.advance_to(at("2027-03-31T07:59:00"))
    assert alerts(reference) == []
    service.advance_to(at("2027-04-06T12:00:00"))
    assert alerts(reference) == [(MANAGER_MAILBOX, "Reminder")] * 2
    finding = {"point": "Calls not returned", "outcome": "not-upheld"}
    api.act(
        reference,
        "senior-leadership",
        {"action": "respond-stage2", "sent_on": "2027-04-06", "findings": [finding]},
    )
    service.advance_to(at("2027-06-30T12:00:00"))
    assert len(alerts(reference)) == 2 and letters(reference, "We have closed") == []
    states = {state for _, entered in history(service, reference) for state in entered}
    assert {"Corporate stage 1", "Corporate stage 2"} <= states
    assert not any(state.startswith("Statutory") for state in states)


def test_action_plan_reminders_and_overdue_go_to_the_actions_owner_until_it_is_done(
    local: tuple[LocalService, Api],
) -> None:
    service, api = local
    reference = accepted(api, area(service))
    respond_stage1(api, reference, "2027-03-01")  # upheld
    add = {
        "action": "add-action",
        "description": "Review the care plan.",
        "owner": "investigator",
        "due_on": "2027-03-19",
    }
    api.act(reference, OFFICER, add)
    # Due Friday 19 March: reminders on Friday 12 and Wednesday 17 March, overdue on Monday 22 March,
    # each to the owner only; done on Monday 22 March, nothing after.
    owner = "investigator@staff.heard.example"
    service.advance_to(at("2027-03-22T09:00:00"))
    assert alerts(reference) == [(owner, "Reminder"), (owner, "Reminder"), (owner, "Overdue")]
    reminder = next(m for m in sent_emails() if m["to"] == owner)
    assert "action plan action A1" in reminder["text"] and "Review the care plan" not in reminder["text"]
    api.act(reference, MANAGER, {"action": "update-action", "item_id": "A1", "status": "done"})
    service.advance_to(at("2027-04-30T12:00:00"))
    assert [a for a in alerts(reference) if a[0] == owner] == [
        (owner, "Reminder"),
        (owner, "Reminder"),
        (owner, "Overdue"),
    ]


def test_a_failed_wake_is_retried_after_its_back_off_on_the_local_clock(
    local: tuple[LocalService, Api], monkeypatch: pytest.MonkeyPatch
) -> None:
    from shared.workflow import TimerService

    service, api = local
    reference = accepted(api, area(service))
    real_wake = TimerService.wake
    failures = []

    def flaky(self: TimerService, payload: dict[str, Any]) -> dict[str, Any]:
        if payload["timer"] == "stage1" and not failures:
            failures.append(payload["wake_at"])
            raise ConnectionError("DynamoDB did not answer")
        return real_wake(self, payload)

    monkeypatch.setattr(TimerService, "wake", flaky)
    # The first reminder's wake (Monday 8 March, 09:00) fails; the state machine retries it after 30
    # seconds of the local clock (its Retry on any error), and not before.
    service.advance_to(at("2027-03-08T09:00:29"))
    assert failures == ["2027-03-08T09:00:00Z"] and alerts(reference) == []
    service.advance_to(at("2027-03-08T09:00:30"))
    assert alerts(reference) == [(MANAGER_MAILBOX, "Reminder")]


def test_a_kept_local_state_keeps_the_clock_and_restarts_the_open_cases_timers(
    policy_file: Path, tmp_path: Path
) -> None:
    from moto import mock_aws

    kept = tmp_path / "heard-state.json"
    with mock_aws():
        service = LocalService.start(clock=LocalClock(START), state_file=kept)
        reference = accepted(Api(service), area(service))
        service.advance_to(at("2027-03-05T12:00:00"))
        service.stop(within=1.0)  # saves the store and the clock
    with mock_aws():  # a new process: its emulated AWS starts empty
        service = LocalService.start(clock=LocalClock(START), state_file=kept)
        try:
            assert service.clock.now() == at("2027-03-05T12:00:00")
            service.advance_to(at("2027-03-08T09:00:00"))
            assert alerts(reference) == [(MANAGER_MAILBOX, "Reminder")]
        finally:
            service.stop(within=1.0)
    config.use_clock(SystemClock())
    wiring.reset()


def test_a_timer_that_runs_again_gets_a_new_execution(local: tuple[LocalService, Api]) -> None:
    """A complaint held and resumed before triage, and an action reopened, run their timers again under a
    new name (a stopped execution's name is spent, in AWS for 90 days)."""
    service, api = local
    waiting = register(api)
    hold = {"action": "hold", "matter": "court-proceedings", "reason": "Care proceedings are running."}
    service.advance_to(at("2027-03-02T12:00:00"))
    api.act(waiting, OFFICER, hold)
    api.act(waiting, OFFICER, {"action": "resume", "reason": "The proceedings have ended."})
    answered = accepted(api, area(service))
    respond_stage1(api, answered, "2027-03-02")  # upheld
    owner = "investigator@staff.heard.example"
    add = {
        "action": "add-action",
        "description": "Review the plan.",
        "owner": "investigator",
        "due_on": "2027-03-19",
    }
    api.act(answered, OFFICER, add)
    service.advance_to(at("2027-03-10T12:00:00"))
    api.act(answered, MANAGER, {"action": "update-action", "item_id": "A1", "status": "done"})
    service.advance_to(at("2027-03-11T12:00:00"))
    api.act(answered, MANAGER, {"action": "update-action", "item_id": "A1", "status": "open"})
    # The acknowledgement (due Thursday 4 March) is overdue on Friday 5 March; the reopened action (due
    # Friday 19 March) is reminded on Friday 12 and Wednesday 17 March, overdue on Monday 22 March.
    service.advance_to(at("2027-03-22T09:00:00"))
    assert (TEAM_MAILBOX, "Overdue") in alerts(waiting)
    assert alerts(answered) == [(owner, "Reminder"), (owner, "Reminder"), (owner, "Overdue")]


def test_a_reminder_due_the_moment_a_deadline_moves_is_sent(local: tuple[LocalService, Api]) -> None:
    service, api = local
    reference = accepted(api, area(service))
    # Extended at exactly 09:00 on Monday 22 March to Wednesday 31 March, whose 5-day reminder is then.
    service.advance_to(at("2027-03-22T09:00:00"))
    api.act(
        reference,
        OFFICER,
        {"action": "extend", "reason": "The social worker is away until the end of the month."},
    )
    service.advance_to(at("2027-03-22T09:30:00"))
    assert alerts(reference)[-1] == (MANAGER_MAILBOX, "Reminder")
    assert "Wednesday 31 March 2027" in last_reminder()


def test_an_action_due_on_a_saturday_is_overdue_on_the_monday_after(local: tuple[LocalService, Api]) -> None:
    service, api = local
    reference = accepted(api, area(service))
    respond_stage1(api, reference, "2027-03-01")
    add = {
        "action": "add-action",
        "description": "Write to the family.",
        "owner": "investigator",
        "due_on": "2027-03-20",
    }
    api.act(reference, OFFICER, add)
    service.advance_to(at("2027-03-22T09:00:00"))
    assert alerts(reference)[-1] == ("investigator@staff.heard.example", "Overdue")


def test_an_execution_near_a_year_old_hands_over_to_a_continuation(local: tuple[LocalService, Api]) -> None:
    """A Standard execution lasts at most a year: a wake whose next alarm falls more than 300 days after
    its execution started starts a continuation and ends its own."""
    import boto3

    from shared.wiring import timer_service

    service, api = local
    reference = accepted(api, area(service))
    _, _, body = api.call("GET", f"/cases/{reference}", OFFICER)
    case_id, revision = body["case"]["case_id"], body["case"]["deadlines"]["stage1"]["revision"]
    payload = {
        "case_id": case_id,
        "timer": "stage1",
        "procedure": "statutory",
        "revision": revision,
        "since": "2026-05-01T09:00:00Z",  # more than 300 days before the next alarm (8 March 2027)
        "wake_at": "2027-03-01T10:00:00Z",
    }
    assert timer_service().wake(payload)["wake_at"] is None
    sfn = boto3.client("stepfunctions")
    runs = sfn.list_executions(stateMachineArn=service.resources.state_machine_arn)["executions"]
    continued = [r for r in runs if r["name"] == f"{case_id}-stage1-r{revision}-c1"]
    assert len(continued) == 1 and continued[0]["status"] == "RUNNING"
    service.advance_to(at("2027-03-08T09:00:00"))  # the continuation keeps the reminders going
    assert alerts(reference) == [(MANAGER_MAILBOX, "Reminder")]


def stage1_alerts(reference: str) -> list[tuple[str, str]]:
    """The stage 1 alerts for ``reference`` (due Monday 15 March 2027), leaving out the acknowledgement's
    (due Thursday 4 March)."""
    return [
        (m["to"], m["subject"].split(":")[0])
        for m in sent_emails()
        if reference in m["subject"]
        and "15 March 2027" in m["subject"]
        and m["subject"].split(":")[0] in ("Reminder", "Overdue", "Escalation")
    ]


def alert_times(api: Api, reference: str) -> list[tuple[str, list[str]]]:
    """When the case's stage 1 alerts were recorded (the ``deadline-alert`` events): (at, alarms)."""
    status, _, body = api.call("GET", f"/cases/{reference}/events", OFFICER)
    assert status == 200
    return [
        (e["at"], [a["alarm"] for a in e["changes"]["alerts"]])
        for e in body["events"]
        if e["action"] == "deadline-alert" and e["changes"]["timer"] == "stage1"
    ]


def test_a_stage_accepted_after_its_overdue_day_is_told_at_the_next_0900_london_on_a_working_day(
    local: tuple[LocalService, Api],
) -> None:
    """README: every alert goes at 09:00 London on a working day. Both complaints arrive on Monday 1 March
    2027: stage 1 is due Monday 15 March, overdue on Tuesday 16 March, escalated on Tuesday 23 March,
    Thursday 1 April (Good Friday 26 March and Easter Monday 29 March are not working days) and Thursday
    8 April. Summer time starts on Sunday 28 March: 09:00 London is 09:00 UTC before it, 08:00 UTC after."""
    service, api = local
    weekday, weekend = register(api, on_behalf_of="myself"), register(api, on_behalf_of="myself")
    reason = "A parent of a child in need: s.26(3)."
    # Accepted on Wednesday 24 March at 14:00, when the overdue alert and escalation 1 are both past.
    service.advance_to(at("2027-03-24T14:00:00"))
    api.act(weekday, OFFICER, {"action": "accept", "procedure": "statutory", "reason": reason})
    api.act(weekday, OFFICER, {"action": "allocate", "manager": MANAGER, "service_area": area(service)})
    service.settle()
    assert stage1_alerts(weekday) == []  # not at the moment of acceptance
    service.advance_to(at("2027-03-25T08:59:59"))
    assert stage1_alerts(weekday) == []
    # Thursday 25 March at 09:00 (GMT): the overdue alert, alone: escalation 1 (Tuesday 23 March) fell
    # before the stage was accepted, and no escalation goes with the overdue alert.
    service.advance_to(at("2027-03-25T09:00:00"))
    assert stage1_alerts(weekday) == [(MANAGER_MAILBOX, "Overdue"), (TEAM_MAILBOX, "Overdue")]
    overdue = next(m for m in sent_emails() if m["subject"] == f"Overdue: {weekday} due Monday 15 March 2027")
    assert "8 working days overdue" in overdue["text"]  # 16, 17, 18, 19, 22, 23, 24 and 25 March
    # Accepted on Saturday 27 March at 12:00: the next working day is Tuesday 30 March (after Easter
    # Monday), 09:00 London = 08:00 UTC in summer time.
    service.advance_to(at("2027-03-27T12:00:00"))
    api.act(weekend, OFFICER, {"action": "accept", "procedure": "statutory", "reason": reason})
    api.act(weekend, OFFICER, {"action": "allocate", "manager": MANAGER, "service_area": area(service)})
    service.settle()
    assert stage1_alerts(weekend) == []
    service.advance_to(at("2027-03-30T07:59:59"))
    assert stage1_alerts(weekend) == []
    service.advance_to(at("2027-03-30T08:00:00"))
    assert stage1_alerts(weekend) == [(MANAGER_MAILBOX, "Overdue"), (TEAM_MAILBOX, "Overdue")]
    # Then both are escalated on the schedule's days: Thursday 1 April (escalation 2) and 8 April (3).
    service.advance_to(at("2027-04-01T07:59:59"))
    assert len(stage1_alerts(weekday)) == len(stage1_alerts(weekend)) == 2
    service.advance_to(at("2027-04-01T08:00:00"))
    for reference in (weekday, weekend):
        assert stage1_alerts(reference)[2:] == [(HEAD_OF_SERVICE, "Escalation")]
    service.advance_to(at("2027-04-08T08:00:00"))
    escalations = [
        m["text"].split(":")[0]
        for m in sent_emails()
        if m["subject"].startswith("Escalation") and "15 March 2027" in m["subject"]
    ]
    assert escalations == ["Escalation 2", "Escalation 2", "Escalation 3", "Escalation 3"]
    # Every one of them recorded at 09:00 London on a working day.
    assert alert_times(api, weekday) == [
        ("2027-03-25T09:00:00+00:00", ["overdue"]),
        ("2027-04-01T08:00:00+00:00", ["escalation"]),
        ("2027-04-08T08:00:00+00:00", ["escalation"]),
    ]
    assert alert_times(api, weekend) == [
        ("2027-03-30T08:00:00+00:00", ["overdue"]),
        ("2027-04-01T08:00:00+00:00", ["escalation"]),
        ("2027-04-08T08:00:00+00:00", ["escalation"]),
    ]


def test_the_workflows_own_records_never_make_an_officers_if_match_fail(
    local: tuple[LocalService, Api],
) -> None:
    """Issue 17: a reminder changes nothing an officer decides on, so the ETag they read before it still
    holds; a change made by another person since still refuses their action (412)."""
    service, api = local
    reference = accepted(api, area(service))
    status, headers, before = api.call("GET", f"/cases/{reference}", OFFICER)
    assert status == 200
    read = headers["ETag"]
    service.advance_to(at("2027-03-08T09:00:00"))  # the first reminder (5 working days before 15 March)
    assert alerts(reference) == [(MANAGER_MAILBOX, "Reminder")]
    _, headers, after = api.call("GET", f"/cases/{reference}", OFFICER)
    assert after["case"]["version"] > before["case"]["version"], "the reminder was recorded on the case"
    assert headers["ETag"] == read, "and did not change what the officer read"
    note = {"action": "note", "text": "Rang the parent back."}
    status, _, answer = api.call("POST", f"/cases/{reference}/actions", OFFICER, note, {"If-Match": read})
    assert status == 200, answer
    _, _, events = api.call("GET", f"/cases/{reference}/events", OFFICER)
    assert [e["action"] for e in events["events"]][-2:] == ["deadline-alert", "note"]
    status, _, answer = api.call("POST", f"/cases/{reference}/actions", MANAGER, note, {"If-Match": read})
    assert status == 412 and "changed since you read it" in answer["message"], answer
