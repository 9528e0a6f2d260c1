"""The people register's independence tests, written from the sources (../notes/statutory-rules.md):
reg 2 of the 2006 Regs (an independent person is neither a member nor an officer of the authority, nor the
spouse or civil partner of one), Getting the Best from Complaints (the investigating officer is outside
the line management of the service complained about) and reg 19 (the panel: three independent people,
never the stage 2 independent person)."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from shared.domain.people import (
    Person,
    independent_person_refusal,
    investigator_refusal,
    panel_member_refusal,
)


def person(**overrides: Any) -> Person:
    fields: dict[str, Any] = {
        "person_id": "p1",
        "name": "Pat Reed",
        "roles": ["investigator", "independent-person", "panel-member"],
        "council_officer": False,
        "council_member": False,
        "spouse_or_civil_partner_of_officer_or_member": False,
        "line_management_areas": [],
        "external": True,
        "staff_user": None,
    }
    return Person.model_validate({**fields, **overrides})


OFFICER = {"external": False, "council_officer": True}


@pytest.mark.parametrize(
    ("declared", "reason"),
    [
        ({"external": False, "council_member": True}, "is a member of the council"),
        (OFFICER, "is an officer of the council"),
        (
            {"external": False, "spouse_or_civil_partner_of_officer_or_member": True},
            "spouse or civil partner of a member or officer",
        ),
        # A staff account in the council's pool makes them an officer in all but declaration.
        ({"staff_user": "pat"}, "has a council staff account"),
    ],
)
def test_an_independent_person_is_none_of_the_relationships_reg_2_names(
    declared: dict[str, Any], reason: str
) -> None:
    refused = independent_person_refusal(person(**declared))
    assert refused is not None and reason in refused


def test_an_external_person_with_no_tie_to_the_council_is_independent() -> None:
    assert independent_person_refusal(person()) is None


def test_an_appointee_must_be_registered_for_the_role() -> None:
    assert independent_person_refusal(person(roles=["investigator"])) == (
        "Pat Reed is not registered as an independent-person"
    )
    refused = investigator_refusal(person(roles=["panel-member"]), "fostering", (), None)
    assert refused == "Pat Reed is not registered as an investigator"


def test_an_investigator_may_be_an_officer_but_not_of_the_service_line_complained_about() -> None:
    fostering_manager = person(**OFFICER, line_management_areas=["fostering"], staff_user="pat")
    assert investigator_refusal(fostering_manager, "adoption", (), None) is None
    refused = investigator_refusal(fostering_manager, "fostering", (), None)
    assert refused is not None and "line management of the service complained about (fostering)" in refused
    # Without the service area, independence cannot be judged.
    unknown = investigator_refusal(fostering_manager, None, (), None)
    assert unknown is not None and "not recorded" in unknown


def test_an_investigator_is_neither_the_person_complained_about_nor_the_stage1_responder() -> None:
    officer = person(**OFFICER, staff_user="pat")
    about = investigator_refusal(officer, "adoption", ("sam", "pat"), None)
    assert about == "the complaint is about Pat Reed"
    responder = investigator_refusal(officer, "adoption", (), "pat")
    assert responder is not None and "stage 1 response" in responder


def test_a_panel_member_is_independent_and_never_the_stage2_independent_person() -> None:
    assert panel_member_refusal(person(person_id="ip"), None) is None
    same = panel_member_refusal(person(person_id="ip"), "ip")
    assert same is not None and "stage 2 independent person" in same
    officer = panel_member_refusal(person(**OFFICER), None)
    assert officer is not None and "officer of the council" in officer
    assert panel_member_refusal(person(roles=["investigator"]), None) is not None


@pytest.mark.parametrize(
    "declared",
    [
        {"external": True, "council_officer": True},  # external and an officer at once
        {"external": True, "line_management_areas": ["fostering"]},
        {
            "external": False,
            "line_management_areas": ["fostering"],
        },  # line management without being an officer
        {"roles": []},
        {"line_management_areas": ["Not An Id"]},
    ],
)
def test_contradictory_declarations_are_refused_at_registration(declared: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        person(**declared)
