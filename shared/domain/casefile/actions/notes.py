"""Case notes: an officer's words appended to the chronology, never edited."""

from __future__ import annotations

from typing import Literal

from shared.domain.casefile import checks
from shared.domain.casefile.catalogue import ActionSpec, CaseCommand
from shared.domain.casefile.changes import Acting, Changes
from shared.domain.casefile.model import Case, Part, Text
from shared.domain.errors import NotPermitted
from shared.domain.stages import Actor


def _may_write_notes(case: Case, actor: Actor, by: str | None) -> None:
    if actor is Actor.INVESTIGATOR and not checks.appointed_investigator(case, actor, by):
        raise NotPermitted("an investigator may write notes only on the stage 2 case they are appointed to")


class Note(CaseCommand):
    """An officer's case note: appended to the chronology, never edited."""

    # Senior leadership reads, and makes the two decisions the regulations give a senior manager.
    spec = ActionSpec(
        "Add a note",
        who=checks.STAFF - {Actor.SENIOR_LEADERSHIP},
        complaints_only=False,
        held_ok=True,
        checks=(_may_write_notes,),
        export=frozenset({Part.NOTES}),
    )
    action: Literal["note"]
    text: Text

    def decide(self, acting: Acting) -> Changes:
        return Changes()
