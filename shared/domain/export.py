"""A requester's data, for a subject access request: the case and its chronology as JSON, less what an
officer withholds, with what was withheld and why. A parent has no automatic right to a child's data,
nor anyone to third parties' data: the officer decides, and the export says so."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from shared.domain.casefile import Case


class Part(StrEnum):
    """What an officer may withhold from an export."""

    CONTACT_DETAILS = "contact-details"  # the complainant's name, email, phone and address
    CHILD = "child"  # the child's name, and the record of who acts for them
    ACCOUNT = "account"  # what was said, and officers' words about it: points, findings, reasons
    ADVOCACY = "advocacy"  # the advocate's name, organisation and contact
    THIRD_PARTIES = "third-parties"  # staff complained about, managers, investigators, independent
    # persons, panel members and attendees, action owners, who a compliment is about
    NOTES = "notes"  # officers' case notes in the chronology


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
#: What each action's event may carry besides codes and dates. Any action not named here may carry an
#: officer's words (a reason), so it goes with the account; the first event carries none.
_THIRD = frozenset({Part.THIRD_PARTIES, Part.ACCOUNT})
_EVENT_PARTS: dict[str, frozenset[Part]] = {
    "received": frozenset(),
    "note": frozenset({Part.NOTES}),
    "offer-advocacy": frozenset({Part.ADVOCACY}),
    "record-advocacy": frozenset({Part.ADVOCACY}),
    "change-advocacy": frozenset({Part.ADVOCACY, Part.ACCOUNT}),
    "panel-met": frozenset({Part.THIRD_PARTIES, Part.ADVOCACY}),
    **dict.fromkeys(
        (
            "allocate",
            "about-staff",
            "appoint-investigator",
            "appoint-independent-person",
            "convene-panel",
            "record-investigation-report",
            "add-action",
            "update-action",
            "record",
            "share-compliment",
        ),
        _THIRD,
    ),
}
_ACCOUNT_ONLY = frozenset({Part.ACCOUNT})
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
        {**event, "changes": WITHHELD} if parts & _EVENT_PARTS.get(event["action"], _ACCOUNT_ONLY) else event
        for event in events
    ]
    return {
        "reference": case.reference,
        "exported_at": now.isoformat(),
        "exported_by": by,
        "withheld": [w.model_dump(mode="json") for w in withhold],
        "case": data,
        "events": chronology,
    }
