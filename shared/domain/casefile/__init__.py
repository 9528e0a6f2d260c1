"""The case as one aggregate: a typed :class:`Case` (:mod:`.model`) and the single entry point
:func:`apply` (:mod:`.deciding`) that decides every change, for the officer API, the stage workflow and
the console alike. Each change is one action of the catalogue (:mod:`.catalogue`): its command model
and its row (who, when, checks, letters, label, export part) side by side, by the part of the procedure
they belong to (:mod:`.actions`); checks shared by several actions are in :mod:`.checks`. Rules and
their sources: ../notes/statutory-rules.md and docs/decisions.md."""

from __future__ import annotations

from typing import TYPE_CHECKING

from shared.domain.casefile import actions
from shared.domain.casefile.actions.advocacy import *  # noqa: F403
from shared.domain.casefile.actions.after import *  # noqa: F403
from shared.domain.casefile.actions.notes import *  # noqa: F403
from shared.domain.casefile.actions.stage1 import *  # noqa: F403
from shared.domain.casefile.actions.stage2 import *  # noqa: F403
from shared.domain.casefile.actions.stage3 import *  # noqa: F403
from shared.domain.casefile.actions.system import *  # noqa: F403
from shared.domain.casefile.actions.triage import *  # noqa: F403
from shared.domain.casefile.actions.working import *  # noqa: F403
from shared.domain.casefile.catalogue import CATALOGUE, ActionSpec, CaseCommand, command_union
from shared.domain.casefile.changes import Decision, NewEvent, OwedNotification
from shared.domain.casefile.deciding import apply
from shared.domain.casefile.model import *  # noqa: F403

if TYPE_CHECKING:
    Command = CaseCommand
else:
    #: The officer API's body: one action, named by ``action`` (a discriminated union of the catalogue's
    #: commands an officer may send).
    Command = command_union()


__all__ = [
    "CATALOGUE",
    "ActionSpec",
    "CaseCommand",
    "Command",
    "Decision",
    "NewEvent",
    "OwedNotification",
    "actions",
    "apply",
]
