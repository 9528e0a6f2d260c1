"""A requester's data, for a subject access request: the case and its chronology as JSON, less what an
officer withholds, with what was withheld and why. A parent has no automatic right to a child's data,
nor anyone to third parties' data: the officer decides, and the export says so."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from shared.domain.casefile import CATALOGUE, Case, Part

_CASE_FIELDS: dict[Part, tuple[str, ...]] = {
    # what was said, and everything officers wrote about it
    Part.ACCOUNT: (
        "details",
        "complaint_points",
        "findings",
        "responses",
        "sufficient_interest",
        "late_discretion",
        "hold",
        "procedure_reason",
    ),
    Part.ADVOCACY: ("advocacy",),
    Part.THIRD_PARTIES: (
        "about_staff",
        "stage2",
        "stage3",
        "allocated_manager",
        "action_plan",
        "compliment_about",
        "compliment_shared",
    ),
}
_COMPLAINANT_FIELDS: dict[Part, tuple[str, ...]] = {
    Part.CONTACT_DETAILS: ("name", "email", "phone", "address"),
    Part.CHILD: ("child_name", "child_date_of_birth", "child_view", "on_behalf_of"),
}
#: The first event (the representation as received) carries codes only.
_RECEIVED = "received"
WITHHELD = "[withheld]"


class Withholding(BaseModel):
    """A part withheld from the requester, and why (recorded with the export)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    part: Part
    reason: Annotated[str, Field(min_length=10, max_length=2000)]


def export(
    case: Case,
    events: list[dict[str, Any]],
    withhold: tuple[Withholding, ...],
    by: str,
    now: datetime,
) -> dict[str, Any]:
    """The export document, saying what was withheld and why."""
    parts = {w.part for w in withhold}
    data = case.model_dump(mode="json")
    for part in parts:
        for name in _CASE_FIELDS.get(part, ()):
            data[name] = WITHHELD
        for name in _COMPLAINANT_FIELDS.get(part, ()):
            data["complainant"][name] = WITHHELD
    chronology = [
        {**event, "changes": WITHHELD} if parts & _carries(event["action"]) else event for event in events
    ]
    return {
        "reference": case.reference,
        "exported_at": now.isoformat(),
        "exported_by": by,
        "withheld": [w.model_dump(mode="json") for w in withhold],
        "case": data,
        "events": chronology,
    }


def _carries(action: str) -> frozenset[Part]:
    """What an action's event may carry besides codes and dates (its row's ``export``)."""
    if action == _RECEIVED:
        return frozenset()
    command = CATALOGUE.get(action)
    return command.spec.export if command else frozenset({Part.ACCOUNT})
