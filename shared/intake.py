"""The intake application service: validate, register once, and answer with a receipt.
Used by the JSON API and the online form alike."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import BaseModel

from shared.domain.calendar import london_date
from shared.domain.case import format_reference, payload_fingerprint, register
from shared.domain.clock import Clock
from shared.domain.policy import CouncilPolicy
from shared.domain.representation import RepresentationRequest
from shared.domain.vocabulary import Channel
from shared.ports import CaseRepository, Idempotency


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
    idempotency: Idempotency
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
        same words sent online."""
        fingerprint = payload_fingerprint(request)
        if recorded_by is not None:
            extra = f"{channel}|{received_at.isoformat() if received_at else ''}|{recorded_by}"
            fingerprint = hashlib.sha256(f"{fingerprint}|{extra}".encode()).hexdigest()
        key = f"key:{idempotency_key}" if idempotency_key else f"payload:{fingerprint}"
        result = self.idempotency.once(
            key, fingerprint, lambda: self._create(request, channel, received_at, recorded_by)
        )
        return Receipt.model_validate(result)

    def _create(
        self,
        request: RepresentationRequest,
        channel: Channel,
        received_at: datetime | None = None,
        recorded_by: str | None = None,
    ) -> dict[str, Any]:
        now = received_at or self.clock.now()
        year = london_date(now).year
        new = register(
            request,
            case_id=self.new_id(),
            reference=format_reference(year, self.cases.next_reference_number(year)),
            received_at=now,
            policy=self.policy,
            channel=channel,
            recorded_by=recorded_by,
        )
        self.cases.create(new)
        case = new.case
        return Receipt(
            reference=new.reference,
            kind=case["kind"],
            status=case["status"],
            received_date=case["received_date"],
            acknowledgement_due=case["acknowledgement_due"],
            response_due=case["stage1_due"],
            advocacy_arrange_by=case["advocacy"]["arrange_by"],
        ).model_dump()
