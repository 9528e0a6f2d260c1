"""The action catalogue: every command has its row, every row is complete, and what the row says is what
the officer API offers. The expectations come from the procedure itself (the stages' table, the letters
templates on disk), never from the catalogue's own lists."""

from __future__ import annotations

import typing
from pathlib import Path

from pydantic import TypeAdapter

from shared.domain.casefile import CATALOGUE, ActionSpec, CaseCommand, Command
from shared.domain.notices import Purpose
from shared.domain.stages import TRANSITIONS, Action, Actor

TEMPLATES = Path(__file__).parents[2] / "shared" / "templates" / "email"


def _commands_in_the_officer_api() -> set[type[CaseCommand]]:
    (union, _) = typing.get_args(Command)
    return set(typing.get_args(union))


def _all_commands() -> set[type[CaseCommand]]:
    found: set[type[CaseCommand]] = set()
    pending = list(CaseCommand.__subclasses__())
    while pending:
        command = pending.pop()
        found.add(command)
        pending += command.__subclasses__()
    return found


def test_every_command_defined_has_its_row_and_its_decision() -> None:
    for command in _all_commands():
        if command.__subclasses__():  # a base several actions share: each of them has the row
            assert "spec" not in command.__dict__, command.__name__
            continue
        assert isinstance(command.__dict__.get("spec"), ActionSpec), f"{command.__name__} has no row"
        assert command.decide is not CaseCommand.decide, f"{command.__name__} decides nothing"
        (name,) = typing.get_args(command.model_fields["action"].annotation)
        assert CATALOGUE[name] is command
        assert command.spec.label.strip(), f"{command.__name__} has no label"


def test_the_officer_api_offers_exactly_the_rows_an_officer_may_send() -> None:
    offered = _commands_in_the_officer_api()
    assert offered == {c for c in CATALOGUE.values() if c.spec.api}
    system_only = {c for c in CATALOGUE.values() if not c.spec.api}
    assert system_only and all(c.spec.who == frozenset({Actor.SYSTEM}) for c in system_only)
    adapter: TypeAdapter[CaseCommand] = TypeAdapter(Command)
    for command in offered:
        (name,) = typing.get_args(command.model_fields["action"].annotation)
        schema = adapter.json_schema()
        assert name in str(schema), name


def test_every_status_change_of_the_procedures_table_is_one_action() -> None:
    moved = {c.spec.moves for c in CATALOGUE.values() if c.spec.moves is not None}
    in_the_table = {action for rules in TRANSITIONS.values() for (_, action) in rules}
    assert moved == in_the_table == set(Action)


def test_every_letter_an_action_owes_has_both_templates_and_a_subject() -> None:
    owed = {purpose for command in CATALOGUE.values() for purpose in command.spec.letters}
    assert owed, "the actions owe letters"
    for purpose in owed:
        assert isinstance(purpose, Purpose)
        text = TEMPLATES / f"{purpose.template}.txt"
        assert text.read_text().startswith('{% set subject = "'), purpose
        assert (TEMPLATES / f"{purpose.template}.html").exists(), purpose


def test_every_template_on_disk_is_a_purpose() -> None:
    on_disk = {p.stem for p in TEMPLATES.glob("[!_]*.txt")}
    assert on_disk == {purpose.template for purpose in Purpose}
