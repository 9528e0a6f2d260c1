"""The action catalogue: every change to a case is one action, described once by a row beside its
command model (the officer API's ``{"action": ...}`` body): who may take it, at which statuses, its
checks, the letters it owes, its label and what its event carries for a subject access export; its
``decide`` method says what it changes. :func:`~shared.domain.casefile.apply` reads the row, and so do
the officer API (which actions are possible now), the export and the console to come.

A command declares its row as ``spec = ActionSpec(...)``; defining the class registers it, and the
officer API's :data:`Command` union is every registered command an officer may send."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, ClassVar, Union

from pydantic import BaseModel, ConfigDict, Field

from shared.domain.casefile import checks
from shared.domain.casefile.changes import Acting, Changes
from shared.domain.casefile.model import Case, Part
from shared.domain.errors import IllegalTransition
from shared.domain.notices import Purpose
from shared.domain.stages import Action, Actor, Status, next_status

#: A check of the case before anything is decided: refuses (raises) or returns.
Check = Callable[[Case, Actor, "str | None"], None]

ACCOUNT = frozenset({Part.ACCOUNT})
#: An event that names third parties (staff, appointees, owners) and may carry an officer's words.
THIRD = frozenset({Part.THIRD_PARTIES, Part.ACCOUNT})


@dataclass(frozen=True)
class ActionSpec:
    """One action's row.

    - ``label``: what staff see (the console's button and form title).
    - ``who`` and ``statuses``: who may take it, and where (any status when empty).
    - ``moves``: the status change it makes instead, whose table (:mod:`shared.domain.stages`) says from
      which statuses, ended ones included, and who may.
    - ``complaints_only``: not for a comment or compliment; ``ended_ok``/``held_ok``: possible on an
      ended case, or on hold; ``checks``: what must be recorded first (each refuses with the reason).
    - ``letters``: what it may owe the complainant; ``export``: what its event may carry besides codes
      and dates (an officer's words go with the account); ``api``: offered by the officer API (the
      workflow's own rows are not)."""

    label: str
    who: frozenset[Actor] = checks.OFFICER
    moves: Action | None = None
    statuses: tuple[Status, ...] = ()
    complaints_only: bool = True
    ended_ok: bool = False
    held_ok: bool = False
    checks: tuple[Check, ...] = ()
    letters: tuple[Purpose, ...] = ()
    export: frozenset[Part] = ACCOUNT
    api: bool = True


class CaseCommand(BaseModel):
    """A command and its row. Subclasses set ``action`` (a ``Literal``), ``spec`` and :meth:`decide`."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    spec: ClassVar[ActionSpec]
    action: str

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        if "spec" not in cls.__dict__:
            return  # a base shared by several actions: each of them is registered
        (name,) = cls.model_fields["action"].annotation.__args__  # type: ignore[union-attr]
        if name in CATALOGUE:
            raise TypeError(f"two commands are named {name!r}")
        CATALOGUE[name] = cls

    def decide(self, acting: Acting) -> Changes:
        """What the action changes on ``acting.case``; refuses with :class:`IllegalTransition`."""
        raise NotImplementedError

    def people_named(self) -> tuple[str, ...]:
        """The register entries the decision needs (the caller loads only these)."""
        return ()

    def staff_named(self) -> tuple[str, ...]:
        """The members of staff the decision needs, by username (the caller looks up only these)."""
        return ()


#: Every action, by name, in the order defined.
CATALOGUE: dict[str, type[CaseCommand]] = {}


def authorise(case: Case, name: str, actor: Actor, by: str | None) -> None:
    """Whether ``actor`` (the staff user ``by``) may take the action ``name`` on ``case`` now, by its row:
    raises :class:`IllegalTransition` (or :class:`NotPermitted`) saying why not."""
    spec = CATALOGUE[name].spec
    checks.not_about_them(case, actor, by)
    if spec.complaints_only:
        checks.complaint(case, name)
    if not spec.ended_ok and spec.moves is None:  # the table says what an ended case may still do
        checks.not_ended(case, name)
    if not spec.held_ok:
        checks.not_held(case, name)
    if spec.moves is not None:
        next_status(case.track, case.status, spec.moves, actor)
    else:
        if spec.statuses:
            checks.at(case, name, spec.statuses)
        checks.by(name, actor, spec.who)
    for check in spec.checks:
        check(case, actor, by)


def possible_actions(case: Case, actor: Actor, by: str | None = None) -> tuple[str, ...]:
    """Every action ``actor`` (the staff user ``by``, where it matters) may take now."""
    possible = []
    for name, command in CATALOGUE.items():
        if not command.spec.api:
            continue
        try:
            authorise(case, name, actor, by)
        except IllegalTransition:
            continue
        possible.append(name)
    return tuple(possible)


def command_union() -> Any:
    """The officer API's body: one of the registered commands an officer may send, by ``action``."""
    offered = tuple(c for c in CATALOGUE.values() if c.spec.api)
    return Annotated[Union[offered], Field(discriminator="action")]  # noqa: UP007 (built at run time)
