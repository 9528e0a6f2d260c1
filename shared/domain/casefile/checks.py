"""Checks more than one action makes: each refuses with :class:`IllegalTransition` (or
:class:`NotPermitted` for who may act) and a reason in the procedure's own words."""

from __future__ import annotations

from datetime import date
from typing import NoReturn

from shared.domain.casefile.model import Attestation, Case, OmbudsmanEnquiry, OmbudsmanOutcome
from shared.domain.errors import IllegalTransition, NotPermitted
from shared.domain.people import PeopleRegister, Person
from shared.domain.stages import TERMINAL, Actor, Status
from shared.domain.vocabulary import Kind, Outcome

STAFF = frozenset(
    {Actor.COMPLAINTS_OFFICER, Actor.SERVICE_MANAGER, Actor.INVESTIGATOR, Actor.SENIOR_LEADERSHIP}
)
OFFICER = frozenset({Actor.COMPLAINTS_OFFICER})
MANAGERS = frozenset({Actor.COMPLAINTS_OFFICER, Actor.SERVICE_MANAGER})
SYSTEM = frozenset({Actor.SYSTEM})


def refuse(reason: str) -> NoReturn:
    raise IllegalTransition(reason)


def not_ended(case: Case, name: str) -> None:
    if case.status in TERMINAL:
        refuse(f"the case is {case.status}: '{name}' is no longer possible")


def not_held(case: Case, name: str) -> None:
    if case.hold is not None:
        refuse(
            f"the case has been on hold ({case.hold.matter}) since {case.hold.since}: resume it before '{name}'"
        )


def by(name: str, actor: Actor, allowed: frozenset[Actor]) -> None:
    if actor not in allowed:
        raise NotPermitted(f"'{name}' may only be done by: {', '.join(sorted(allowed))}")


def complaint(case: Case, name: str) -> None:
    if case.kind is not Kind.COMPLAINT:
        refuse(f"a {case.kind} is recorded, not accepted into a stage: '{name}' is for complaints")


def at(case: Case, name: str, statuses: tuple[Status, ...]) -> None:
    if case.status not in statuses:
        refuse(f"'{name}' is possible only at status {' or '.join(statuses)}, not '{case.status}'")


def not_about_them(case: Case, actor: Actor, user: str | None) -> None:
    """Nobody acts on a complaint about themselves."""
    if actor is not Actor.PUBLIC and user is not None and user in case.about_staff:
        raise NotPermitted("the complaint is about you: someone else must act on it")


def appointed_investigator(case: Case, actor: Actor, user: str | None) -> bool:
    return actor is Actor.INVESTIGATOR and user is not None and user == case.investigator_user


def not_future(day: date, what: str, today: date) -> None:
    if day > today:
        refuse(f"{what} ({day}) cannot be in the future")


def not_before(day: date, earliest: date, what: str, since: str) -> None:
    if day < earliest:
        refuse(f"{what} ({day}) cannot be before {since} ({earliest})")


def known(values: tuple[str, ...], listed: tuple[str, ...], what: str = "categories") -> None:
    unknown = [v for v in values if v not in listed]
    if unknown:
        refuse(f"unknown {what}: {', '.join(unknown)} (the council policy lists them)")


def person(people: PeopleRegister, person_id: str) -> Person:
    found = people.get(person_id)
    if found is None:
        refuse(f"{person_id} is not in the people register")
    return found


def attested(attestation: Attestation, who: Person, today: date) -> None:
    not_future(attestation.attested_on, "the attestation", today)
    if not (attestation.declarations_true and attestation.no_connection_with_the_case):
        refuse(
            f"{who.name} has not attested that their declarations are true and that they have no "
            "connection with the case"
        )


def open_enquiry(case: Case) -> OmbudsmanEnquiry | None:
    last = case.ombudsman[-1] if case.ombudsman else None
    return last if last is not None and last.open else None


def upheld(case: Case) -> bool:
    found = [f.outcome for stage in case.findings.values() for f in stage]
    decided = [e.decision for e in case.ombudsman]
    return any(outcome is not Outcome.NOT_UPHELD for outcome in found) or OmbudsmanOutcome.UPHELD in decided
