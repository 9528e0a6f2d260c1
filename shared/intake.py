"""The intake application service: validate, register once, and answer with a receipt.
Used by the JSON API, the online form and the officer API alike.

Once: a request's idempotency record is written in its case's transaction, so a case and the record of
the request that made it exist together or not at all. A repeat within the window is answered from the
record without taking a number; two attempts racing past that check both try to write, and the loser
is answered with the winner's receipt (docs/decisions.md, "Idempotency")."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel

from shared.domain.calendar import london_date
from shared.domain.case import NewCase, format_reference, payload_fingerprint, register
from shared.domain.clock import Clock
from shared.domain.errors import KeyReused
from shared.domain.policy import CouncilPolicy
from shared.domain.representation import RepresentationRequest
from shared.domain.vocabulary import Channel
from shared.ports import CaseRepository, IdempotencyRecord, KeyTaken

#: How long a request's key (or identical content) stays the same request.
IDEMPOTENCY_WINDOW = timedelta(hours=24)
#: The idempotency scope of representations recorded by staff: one for all channels, as one officer API.
STAFF_SCOPE = "staff"


class Receipt(BaseModel):
    """What the person who made the representation is told."""

    reference: str
    kind: str
    status: str
    received_date: str
    acknowledgement_due: str
    response_due: str | None = None
    #: Asked for an advocate: the council arranges one by this date (its policy).
    advocacy_arrange_by: str | None = None


@dataclass
class IntakeService:
    cases: CaseRepository
    clock: Clock
    policy: CouncilPolicy
    new_id: Callable[[], str] = lambda: uuid.uuid4().hex

    def validation_context(self) -> dict[str, Any]:
        return {
            "today": london_date(self.clock.now()),
            "service_areas": {area.id for area in self.policy.service_areas},
            "interpreter_languages": set(self.policy.interpreter_languages),
        }

    def parse(self, data: Any) -> RepresentationRequest:
        """Validate a JSON object or form fields (raises pydantic's ValidationError)."""
        return RepresentationRequest.model_validate(data, context=self.validation_context())

    def submit(
        self,
        request: RepresentationRequest,
        idempotency_key: str | None,
        channel: Channel = Channel.ONLINE_FORM,
        *,
        received_at: datetime | None = None,
        recorded_by: str | None = None,
    ) -> Receipt:
        """Register once. A representation made by another channel is recorded by a member of staff
        (``recorded_by``) with the instant it was really received; it is a different request from the
        same words sent online. A key already used for another request raises KeyReused; an attempt
        colliding with another attempt's write raises Conflict."""
        fingerprint = payload_fingerprint(request)
        if recorded_by is not None:
            extra = f"{channel}|{received_at.isoformat() if received_at else ''}|{recorded_by}"
            fingerprint = hashlib.sha256(f"{fingerprint}|{extra}".encode()).hexdigest()
        key = f"key:{idempotency_key}" if idempotency_key else f"payload:{fingerprint}"
        scope = STAFF_SCOPE if recorded_by is not None else str(channel)
        now = self.clock.now()
        earlier = self.cases.recall(scope, key)
        if earlier is not None and earlier.live(now):
            return _answer(earlier, fingerprint)
        new, receipt = self._register(request, channel, now, received_at, recorded_by)
        once = IdempotencyRecord(
            scope=scope,
            key=key,
            fingerprint=fingerprint,
            answer=receipt.model_dump(),
            recorded_at=now,
            expires_at=now + IDEMPOTENCY_WINDOW,
        )
        try:
            self.cases.create(new, once)
        except KeyTaken as lost:  # another attempt with this key was registered since we looked
            return _answer(lost.record, fingerprint)
        return receipt

    def _register(
        self,
        request: RepresentationRequest,
        channel: Channel,
        now: datetime,
        received_at: datetime | None = None,
        recorded_by: str | None = None,
    ) -> tuple[NewCase, Receipt]:
        received = received_at or now
        year = london_date(received).year
        new = register(
            request,
            case_id=self.new_id(),
            reference=format_reference(year, self.cases.next_reference_number(year)),
            received_at=received,
            registered_at=now,
            policy=self.policy,
            channel=channel,
            recorded_by=recorded_by,
        )
        case = new.case
        receipt = Receipt(
            reference=new.reference,
            kind=case["kind"],
            status=case["status"],
            received_date=case["received_date"],
            acknowledgement_due=case["acknowledgement_due"],
            response_due=case["stage1_due"],
            advocacy_arrange_by=case["advocacy"]["arrange_by"],
        )
        return new, receipt


def _answer(record: IdempotencyRecord, fingerprint: str) -> Receipt:
    """The first answer to a repeated request, or KeyReused if the key came with another request."""
    if record.fingerprint != fingerprint:
        raise KeyReused("this Idempotency-Key was already used for a different request")
    return Receipt.model_validate(record.answer)
