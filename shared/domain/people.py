"""The register of people the council appoints to a case: investigating officers, independent persons and
review panel members, each with the relationships they declare. Heard cannot know who manages whom, so
independence is judged on these declarations (and each appointment records the appointee's attestation).

The tests, with their sources (../notes/statutory-rules.md):

- an **independent person** is neither a member nor an officer of the authority, nor the spouse or civil
  partner of one (2006 Regs reg 2);
- the **investigating officer** is outside the line management of the service complained about (Getting
  the Best from Complaints, stage 2);
- a **review panel** is three independent people, one of whom chairs, never the stage 2 independent
  person (reg 19).
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Annotated, Self

from pydantic import BaseModel, ConfigDict, Field, StrictBool, model_validator

PersonId = Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{1,64}$")]


class PersonRole(StrEnum):
    INVESTIGATOR = "investigator"
    INDEPENDENT_PERSON = "independent-person"
    PANEL_MEMBER = "panel-member"


class Declarations(BaseModel):
    """What a person of the register declares (the body of ``PUT /people/{person_id}``). ``staff_user``
    links them to a staff account (an investigator who signs in to record their report)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: Annotated[str, Field(min_length=1, max_length=200)]
    roles: tuple[PersonRole, ...] = Field(min_length=1)
    council_officer: StrictBool
    council_member: StrictBool
    spouse_or_civil_partner_of_officer_or_member: StrictBool
    line_management_areas: tuple[Annotated[str, Field(pattern=r"^[a-z0-9-]{2,40}$")], ...] = ()
    external: StrictBool
    staff_user: Annotated[str, Field(min_length=1, max_length=128)] | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.external and (self.council_officer or self.council_member or self.line_management_areas):
            raise ValueError(
                "an external person cannot also be a council officer or member, nor in its line management"
            )
        if self.line_management_areas and not self.council_officer:
            raise ValueError("only a council officer belongs to a service area's line management")
        return self


class Person(Declarations):
    """One entry of the register: a person and what they declared."""

    person_id: PersonId

    def independence_refusal(self) -> str | None:
        """Why this person is not independent of the authority (reg 2), or None."""
        if self.council_member:
            return f"{self.name} is a member of the council"
        if self.council_officer:
            return f"{self.name} is an officer of the council"
        if self.spouse_or_civil_partner_of_officer_or_member:
            return f"{self.name} is the spouse or civil partner of a member or officer of the council"
        if self.staff_user is not None:
            return f"{self.name} has a council staff account, as an officer would"
        return None


#: What the aggregate is given to decide an appointment: the register's entries by id (the caller may
#: load only the ones a command names: its ``people_named()``).
PeopleRegister = Mapping[str, Person]


def _role(person: Person, role: PersonRole) -> str | None:
    if role not in person.roles:
        return f"{person.name} is not registered as a{'n' if role[0] == 'i' else ''} {role}"
    return None


def investigator_refusal(
    person: Person, service_area: str | None, about_staff: tuple[str, ...], responded_stage1: str | None
) -> str | None:
    """Why ``person`` may not investigate a complaint about ``service_area``, or None."""
    if (refused := _role(person, PersonRole.INVESTIGATOR)) is not None:
        return refused
    if service_area is None:
        return "the service area complained about is not recorded (allocate with it), so independence cannot be checked"
    if service_area in person.line_management_areas:
        return f"{person.name} is in the line management of the service complained about ({service_area})"
    if person.staff_user is not None and person.staff_user in about_staff:
        return f"the complaint is about {person.name}"
    if person.staff_user is not None and person.staff_user == responded_stage1:
        return f"{person.name} is the manager responsible for the stage 1 response"
    return None


def independent_person_refusal(person: Person) -> str | None:
    """Why ``person`` may not be the stage 2 independent person (reg 2), or None."""
    if (refused := _role(person, PersonRole.INDEPENDENT_PERSON)) is not None:
        return refused
    return person.independence_refusal()


def panel_member_refusal(person: Person, stage2_independent_person: str | None) -> str | None:
    """Why ``person`` may not sit on the review panel (reg 19), or None."""
    if (refused := _role(person, PersonRole.PANEL_MEMBER)) is not None:
        return refused
    if person.person_id == stage2_independent_person:
        return f"{person.name} was the stage 2 independent person and may not sit on the panel"
    if (refused := person.independence_refusal()) is not None:
        return f"{refused}: the panel is three independent people"
    return None
