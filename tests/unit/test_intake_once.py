"""Registering once (shared/intake.py), on a repository kept in memory that keeps the port's contract:
a record is written with its case, and a write under a key whose record is live raises KeyTaken."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from shared.domain.case import NewCase
from shared.domain.clock import ManualClock
from shared.domain.errors import KeyReused
from shared.domain.policy import CouncilPolicy
from shared.domain.vocabulary import Channel
from shared.intake import IDEMPOTENCY_WINDOW, IntakeService
from shared.ports import IdempotencyRecord, KeyTaken

START = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)


class Cases:
    """A CaseRepository in memory. ``meanwhile`` runs between a look-up and the next write, as another
    attempt would."""

    def __init__(self) -> None:
        self.numbers = 0
        self.cases: list[NewCase] = []
        self.records: dict[tuple[str, str], IdempotencyRecord] = {}
        self.meanwhile: list[Any] = []

    def next_reference_number(self, year: int) -> int:
        self.numbers += 1
        return self.numbers

    def recall(self, scope: str, key: str) -> IdempotencyRecord | None:
        return self.records.get((scope, key))

    def create(self, new: NewCase, once: IdempotencyRecord | None = None) -> None:
        while self.meanwhile:
            self.meanwhile.pop(0)()
        if once is not None:
            held = self.records.get((once.scope, once.key))
            if held is not None and held.live(once.recorded_at):
                raise KeyTaken(held)
            self.records[(once.scope, once.key)] = once
        self.cases.append(new)


def body(**overrides: Any) -> dict[str, Any]:
    return {
        "kind": "complaint",
        "role": "parent",
        "subject": "childrens-social-care",
        "preferred_contact": "email",
        "email": "sam@example.org",
        "what_happened": "Nobody returned my calls.",
        **overrides,
    }


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def cases() -> Cases:
    return Cases()


@pytest.fixture
def service(cases: Cases, clock: ManualClock) -> IntakeService:
    return IntakeService(cases=cases, clock=clock, policy=CouncilPolicy())


def test_a_repeat_within_the_window_gets_the_first_receipt_and_takes_no_number(
    service: IntakeService, cases: Cases, clock: ManualClock
) -> None:
    first = service.submit(service.parse(body()), "k1", Channel.PUBLIC_API)
    clock.advance(IDEMPOTENCY_WINDOW - timedelta(seconds=1))
    again = service.submit(service.parse(body()), "k1", Channel.PUBLIC_API)
    assert again == first
    assert (len(cases.cases), cases.numbers) == (1, 1)


def test_the_record_keeps_the_answer_and_the_window(service: IntakeService, cases: Cases) -> None:
    receipt = service.submit(service.parse(body()), "k1", Channel.PUBLIC_API)
    (record,) = cases.records.values()
    assert (record.scope, record.key) == ("public-api", "key:k1")
    assert record.answer == receipt.model_dump()
    assert (record.recorded_at, record.expires_at) == (START, START + timedelta(hours=24))


def test_the_same_key_with_another_request_is_refused_and_nothing_is_written(
    service: IntakeService, cases: Cases
) -> None:
    service.submit(service.parse(body()), "k1", Channel.PUBLIC_API)
    with pytest.raises(KeyReused):
        service.submit(service.parse(body(what_happened="Other words.")), "k1", Channel.PUBLIC_API)
    assert (len(cases.cases), cases.numbers) == (1, 1)


def test_once_the_window_ends_the_key_makes_a_new_case(
    service: IntakeService, cases: Cases, clock: ManualClock
) -> None:
    first = service.submit(service.parse(body()), "k1", Channel.PUBLIC_API)
    clock.advance(IDEMPOTENCY_WINDOW)
    second = service.submit(service.parse(body(what_happened="Other words.")), "k1", Channel.PUBLIC_API)
    assert second.reference != first.reference
    assert cases.records[("public-api", "key:k1")].answer == second.model_dump()


def test_without_a_key_identical_content_is_the_same_request(service: IntakeService, cases: Cases) -> None:
    first = service.submit(service.parse(body()), None, Channel.PUBLIC_API)
    assert service.submit(service.parse(body()), None, Channel.PUBLIC_API) == first
    other = service.submit(service.parse(body(what_happened="Other words.")), None, Channel.PUBLIC_API)
    assert other.reference != first.reference
    assert len(cases.cases) == 2


def test_each_door_keeps_its_own_keys(service: IntakeService, cases: Cases) -> None:
    """A client of the JSON API cannot answer for, or block, a key the form or staff use."""
    api = service.submit(service.parse(body()), "form:t1", Channel.PUBLIC_API)
    form = service.submit(service.parse(body()), "form:t1", Channel.ONLINE_FORM)
    staff = service.submit(
        service.parse(body()), "form:t1", Channel.PHONE, received_at=START, recorded_by="o1"
    )
    assert len({api.reference, form.reference, staff.reference}) == 3


def test_staff_share_one_scope_whatever_the_channel(service: IntakeService) -> None:
    service.submit(service.parse(body()), "k1", Channel.PHONE, received_at=START, recorded_by="o1")
    with pytest.raises(KeyReused):  # the same key for a letter is another request
        service.submit(service.parse(body()), "k1", Channel.LETTER, received_at=START, recorded_by="o1")


def test_an_attempt_that_loses_the_race_gets_the_winners_receipt(
    service: IntakeService, cases: Cases
) -> None:
    winner: list[Any] = []
    cases.meanwhile.append(
        lambda: winner.append(service.submit(service.parse(body()), "k1", Channel.PUBLIC_API))
    )
    loser = service.submit(service.parse(body()), "k1", Channel.PUBLIC_API)
    assert [loser] == winner
    assert len(cases.cases) == 1
    assert cases.numbers == 2, "the loser's number is a gap"


def test_an_attempt_that_loses_the_race_to_another_request_is_refused(
    service: IntakeService, cases: Cases
) -> None:
    cases.meanwhile.append(lambda: service.submit(service.parse(body()), "k1", Channel.PUBLIC_API))
    with pytest.raises(KeyReused):
        service.submit(service.parse(body(what_happened="Other words.")), "k1", Channel.PUBLIC_API)
    assert len(cases.cases) == 1
