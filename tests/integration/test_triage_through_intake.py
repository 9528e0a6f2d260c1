"""Triage through intake: POST /representations through the real handler (an API Gateway proxy event),
then the case item read back from the table.

Every expected value is written by hand from the rules and a calendar checked by hand, never from the
code's own functions:
  - statutory: acknowledgement 3 working days (council practice, default), stage 1 10 working days
    (2006 Regs, local resolution); corporate: acknowledgement 5 working days (LGSCO Complaint Handling
    Code), stage 1 10 working days (the reference council); one year to complain (2006 Regs), later
    complaints flagged for the council's discretion, never refused.
  - "Due within N working days of D" is the Nth working day strictly after D (2006 Regs reg 2: not a
    weekend, Christmas Day, Good Friday or an England and Wales bank holiday).

Calendar, checked by hand (England and Wales):
  Thu 2026-11-26 (received) -> Fri 27 (1), Mon 30 (2), Tue 1 Dec (3), Wed 2 (4), Thu 3 (5), Fri 4 (6),
    Mon 7 (7), Tue 8 (8), Wed 9 (9), Thu 10 (10). No bank holiday (St Andrew's Day is Scotland's only).
  Mon 2026-12-21 (received) -> Tue 22 (1), Wed 23 (2), Thu 24 (3); Fri 25 Christmas Day; Sat 26 Boxing
    Day, so Mon 28 is the substitute bank holiday; Tue 29 (4), Wed 30 (5), Thu 31 (6); Fri 2027-01-01
    New Year's Day; Mon 4 (7), Tue 5 (8), Wed 6 (9), Thu 7 (10).
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

import boto3
import pytest

from infra.catalog import API_FUNCTIONS
from infra.local.clock import LocalClock
from infra.local.emulator import LocalResources
from infra.local.gateway import Gateway
from shared.adapters.dynamodb import from_item
from shared.domain.stages import Track, track_for
from shared.domain.vocabulary import Kind, Procedure
from tests.conftest import as_json, complaint

THURSDAY = date(2026, 11, 26)  # the conftest clock's day
BEFORE_CHRISTMAS = datetime(2026, 12, 21, 10, 0, tzinfo=UTC)  # a Monday, GMT


@pytest.fixture
def gateway(aws: LocalResources) -> Gateway:
    return Gateway(API_FUNCTIONS)


def submit(
    gateway: Gateway, resources: LocalResources, body: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Post ``body`` and return the receipt and the case item it created."""
    status, _, payload = gateway.dispatch(
        "POST", "/representations", {"Content-Type": "application/json"}, as_json(body)
    )
    receipt = json.loads(payload)
    assert status == 201, receipt
    scanned = boto3.client("dynamodb").scan(TableName=resources.table_name)["Items"]
    (case,) = [
        item
        for item in map(from_item, scanned)
        if item.get("type") == "case" and item["reference"] == receipt["reference"]
    ]
    return receipt, case


def test_the_hand_checked_calendar_is_the_real_one() -> None:
    """The days of the week the expectations rely on (Python's proleptic Gregorian calendar)."""
    assert THURSDAY.strftime("%a") == "Thu"
    assert BEFORE_CHRISTMAS.date().strftime("%a") == "Mon"
    assert date(2026, 12, 25).strftime("%a") == "Fri" and date(2026, 12, 26).strftime("%a") == "Sat"
    assert date(2027, 1, 1).strftime("%a") == "Fri"


# --- No statutory standing: the corporate procedure --------------------------------------------------


@pytest.mark.parametrize(
    "who",
    [
        # A neighbour worried about a child: not a role of s.26(3)-(3C), and not "sufficient interest"
        # unless the council decides so (here the person did not claim it, and may still be found to).
        {"role": "other", "on_behalf_of": "a-child"},
        # An adult complaining about the children's social care they themselves got: no named role either.
        {"role": "other", "on_behalf_of": "myself"},
    ],
    ids=["neighbour-about-a-child", "adult-about-themselves"],
)
def test_no_statutory_standing_is_suggested_the_corporate_procedure(
    gateway: Gateway, aws: LocalResources, who: dict[str, str]
) -> None:
    receipt, case = submit(gateway, aws, complaint(**who))
    assert case["suggested_procedure"] == "corporate"
    # s.26(3)(e): "such other person as the authority consider has a sufficient interest" is anyone the Act
    # does not name, so the statutory procedure stays open to them, after a recorded decision only.
    assert case["needs_sufficient_interest_decision"] is True
    assert case["status"] == "received"  # suggested, not decided: an officer decides
    assert case["received_date"] == "2026-11-26"
    # LGSCO Complaint Handling Code: acknowledged within 5 working days. Thu 26 Nov -> Thu 3 Dec.
    assert case["acknowledgement_due"] == "2026-12-03"
    # The reference council's corporate stage 1: 10 working days. Thu 26 Nov -> Thu 10 Dec.
    assert case["stage1_due"] == "2026-12-10"
    assert (receipt["acknowledgement_due"], receipt["response_due"]) == ("2026-12-03", "2026-12-10")


def test_corporate_dates_over_christmas_skip_the_bank_holidays(
    gateway: Gateway, aws: LocalResources, clock: LocalClock
) -> None:
    clock.set(BEFORE_CHRISTMAS)
    _, case = submit(
        gateway, aws, complaint(role="other", on_behalf_of="a-child", when_happened="2026-12-01")
    )
    assert case["suggested_procedure"] == "corporate"
    assert case["received_date"] == "2026-12-21"
    # 5 working days: 22, 23, 24, (25, 26-27 weekend, 28 substitute Boxing Day) 29, 30.
    assert case["acknowledgement_due"] == "2026-12-30"
    # 10 working days: ... 30, 31, (1 Jan, 2-3 weekend) 4, 5, 6, 7.
    assert case["stage1_due"] == "2027-01-07"


def test_a_person_claiming_sufficient_interest_waits_for_the_councils_decision(
    gateway: Gateway, aws: LocalResources
) -> None:
    # s.26(3)(e): statutory only if the council decides the person has sufficient interest; recorded.
    _, case = submit(gateway, aws, complaint(role="other-person-with-sufficient-interest"))
    assert case["suggested_procedure"] == "statutory"
    assert case["needs_sufficient_interest_decision"] is True


# --- A child: the statutory procedure -----------------------------------------------------------------


def test_a_child_is_suggested_the_statutory_procedure_with_its_timescales(
    gateway: Gateway, aws: LocalResources
) -> None:
    receipt, case = submit(
        gateway,
        aws,
        complaint(
            role="child-looked-after", on_behalf_of="myself", what_happened="I am not allowed to see my mum."
        ),
    )
    assert case["suggested_procedure"] == "statutory"  # s.26(3)(a): a looked-after child, as of right
    assert case["needs_sufficient_interest_decision"] is False
    # Acknowledgement in 3 working days: Thu 26 Nov -> Tue 1 Dec.
    assert case["acknowledgement_due"] == "2026-12-01"
    # Stage 1 in 10 working days: Thu 26 Nov -> Thu 10 Dec.
    assert case["stage1_due"] == "2026-12-10"
    assert (receipt["acknowledgement_due"], receipt["response_due"]) == ("2026-12-01", "2026-12-10")
    # s.26A: every child complainant must be offered an advocate; nobody did through the API, so the
    # case says so (the team alert asks the officer to offer one).
    assert case["by_a_child"] is True
    assert case["advocacy"]["offered"] is False
    assert case["late"] is False


def test_a_childs_statutory_dates_over_christmas(
    gateway: Gateway, aws: LocalResources, clock: LocalClock
) -> None:
    clock.set(BEFORE_CHRISTMAS)
    _, case = submit(gateway, aws, complaint(role="child-in-need", on_behalf_of="myself"))
    assert case["suggested_procedure"] == "statutory"
    assert case["acknowledgement_due"] == "2026-12-24"  # 22, 23, 24
    assert case["stage1_due"] == "2027-01-07"  # 22, 23, 24, 29, 30, 31, 4, 5, 6, 7


# --- Late complaints: flagged, not refused -------------------------------------------------------------


@pytest.mark.parametrize(
    ("when_happened", "late"),
    [
        ("2024-06-01", True),  # two and a half years before
        ("2025-11-01", True),  # a year and 25 days before
        ("2025-11-25", True),  # a year and a day before receipt on 2026-11-26
        ("2025-12-01", False),  # 360 days before: in time
        ("2026-11-26", False),  # the same day
    ],
)
def test_a_complaint_more_than_a_year_after_the_events_is_flagged_late(
    gateway: Gateway, aws: LocalResources, when_happened: str, late: bool
) -> None:
    receipt, case = submit(gateway, aws, complaint(when_happened=when_happened))
    assert case["late"] is late
    # Late complaints may still be considered at the council's discretion: registered as usual.
    assert case["status"] == "received"
    assert receipt["response_due"] == "2026-12-10"


def test_a_complaint_without_a_date_is_not_flagged_late(gateway: Gateway, aws: LocalResources) -> None:
    _, case = submit(gateway, aws, complaint(when_happened=None))
    assert case["late"] is False


# --- Comments: the feedback track ---------------------------------------------------------------------


def test_a_comment_is_feedback_with_no_stage_1_due_date(gateway: Gateway, aws: LocalResources) -> None:
    body = {
        "kind": "comment",
        "role": "parent",
        "what_happened": "The new waiting room is much better, but the sign outside is hard to read.",
        "when_happened": "2020-01-01",  # long ago: a comment is never "late"
    }
    receipt, case = submit(gateway, aws, body)
    assert case["kind"] == "comment"
    assert case["suggested_procedure"] is None, "neither statutory nor corporate"
    assert track_for(Kind(case["kind"]), Procedure.CORPORATE) is Track.FEEDBACK
    assert case["stage1_due"] is None
    # No statutory acknowledgement clock: the council's reply time (5 working days: Thu 26 Nov -> 3 Dec).
    assert case["acknowledgement_due"] == "2026-12-03"
    assert receipt["response_due"] is None
    assert case["late"] is False
    assert case["status"] == "received"
