"""The caller of an officer route, from the authorizer's claims in every encoding they arrive in."""

from __future__ import annotations

from typing import Any

import pytest

from shared import names
from shared.domain.stages import Actor
from shared.identity import STAFF_ROLES, Caller, Unauthenticated, list_claim


def claims(**extra: Any) -> dict[str, Any]:
    return {"sub": "5b1c-42", names.USERNAME_CLAIM: "service-manager", "token_use": "id", **extra}


def test_the_staff_groups_are_the_domains_staff_actors() -> None:
    assert {role.value for role in STAFF_ROLES} == set(names.STAFF_GROUPS)
    assert set(Actor) - STAFF_ROLES == {Actor.PUBLIC, Actor.SYSTEM}


@pytest.mark.parametrize(
    "rendered",
    [
        "service-manager,investigator",  # API Gateway REST (Cognito authorizer)
        "investigator,service-manager",  # in either order: Cognito's order is not stable
        "[service-manager investigator]",  # API Gateway HTTP API (JWT authorizer)
        "[service-manager, investigator]",
        '["investigator", "service-manager"]',
        ["service-manager", "investigator"],  # a decoded token
        " service-manager , investigator ",
    ],
)
def test_groups_are_read_from_every_encoding(rendered: Any) -> None:
    caller = Caller.from_claims(claims(**{names.GROUPS_CLAIM: rendered}))
    assert caller.roles == {Actor.SERVICE_MANAGER, Actor.INVESTIGATOR}


def test_one_group_alone_is_a_plain_string() -> None:
    assert Caller.from_claims(claims(**{names.GROUPS_CLAIM: "admin"})).roles == {Actor.ADMIN}


def test_unknown_groups_and_non_staff_actors_give_no_role() -> None:
    caller = Caller.from_claims(claims(**{names.GROUPS_CLAIM: "public,system,admins,Admin"}))
    assert caller.roles == frozenset()
    assert not caller.has_any(*STAFF_ROLES)


def test_no_groups_claim_means_no_role() -> None:
    assert Caller.from_claims(claims()).roles == frozenset()


def test_service_areas_come_from_the_custom_attribute() -> None:
    caller = Caller.from_claims(
        claims(
            **{names.SERVICE_AREAS_CLAIM: "children-in-care,fostering", names.GROUPS_CLAIM: "service-manager"}
        )
    )
    assert caller.service_areas == {"children-in-care", "fostering"}
    assert caller.covers_area("fostering")
    assert not caller.covers_area("adoption")
    assert not caller.covers_area(None)
    assert caller.has_any(Actor.SERVICE_MANAGER, Actor.ADMIN)
    assert not caller.has_any(Actor.ADMIN)


def test_malformed_service_areas_are_dropped() -> None:
    caller = Caller.from_claims(claims(**{names.SERVICE_AREAS_CLAIM: "fostering,Bad Area!,x"}))
    assert caller.service_areas == {"fostering"}


def test_the_access_token_names_the_user_in_username() -> None:
    caller = Caller.from_claims({"sub": "abc", "username": "admin", "token_use": "access"})
    assert (caller.username, caller.subject) == ("admin", "abc")


@pytest.mark.parametrize("missing", ["sub", names.USERNAME_CLAIM])
def test_claims_without_a_user_are_refused(missing: str) -> None:
    incomplete = claims()
    del incomplete[missing]
    with pytest.raises(Unauthenticated):
        Caller.from_claims(incomplete)


@pytest.mark.parametrize(
    "event",
    [
        {},
        {"requestContext": {}},
        {"requestContext": {"authorizer": None}},
        {"requestContext": {"authorizer": {"claims": "sub=x"}}},
    ],
)
def test_an_event_without_claims_is_unauthenticated(event: dict[str, Any]) -> None:
    with pytest.raises(Unauthenticated):
        Caller.from_event(event)


def test_the_caller_of_a_proxy_event() -> None:
    event = {
        "requestContext": {"authorizer": {"claims": claims(**{names.GROUPS_CLAIM: "complaints-officer"})}}
    }
    assert Caller.from_event(event) == Caller(
        "service-manager", frozenset({Actor.COMPLAINTS_OFFICER}), frozenset(), subject="5b1c-42"
    )


def test_list_claim_edges() -> None:
    assert list_claim(None) == ()
    assert list_claim("") == ()
    assert list_claim("[]") == ()
    assert list_claim("[a") == ("a",)
