"""The procedure state machine: every legal transition, and every illegal one refused with a reason."""

from __future__ import annotations

import itertools

import pytest

from shared.domain.errors import IllegalTransition
from shared.domain.stages import (
    TERMINAL,
    TRANSITIONS,
    Action,
    Actor,
    Status,
    Track,
    next_status,
    track_for,
)
from shared.domain.vocabulary import Kind, Procedure

LEGAL = [
    (track, status, action, rule.target, actor)
    for track, table in TRANSITIONS.items()
    for (status, action), rule in table.items()
    for actor in sorted(rule.actors)
]
WRONG_ACTOR = [
    (track, status, action, actor)
    for track, table in TRANSITIONS.items()
    for (status, action), rule in table.items()
    for actor in Actor
    if actor not in rule.actors
]
ILLEGAL = [
    (track, status, action)
    for track, status, action in itertools.product(Track, Status, Action)
    if (status, action) not in TRANSITIONS[track]
]


@pytest.mark.parametrize(("track", "status", "action", "target", "actor"), LEGAL)
def test_every_legal_transition(
    track: Track, status: Status, action: Action, target: Status, actor: Actor
) -> None:
    assert next_status(track, status, action, actor) is target


@pytest.mark.parametrize(("track", "status", "action", "actor"), WRONG_ACTOR)
def test_legal_action_by_the_wrong_actor_is_refused(
    track: Track, status: Status, action: Action, actor: Actor
) -> None:
    with pytest.raises(IllegalTransition, match="may only be done by"):
        next_status(track, status, action, actor)


@pytest.mark.parametrize(("track", "status", "action"), ILLEGAL)
def test_every_illegal_transition_is_refused_with_a_reason(
    track: Track, status: Status, action: Action
) -> None:
    with pytest.raises(IllegalTransition) as refused:
        next_status(track, status, action, Actor.COMPLAINTS_OFFICER)
    assert len(refused.value.reason) > 20
    if status in TERMINAL:
        assert str(status) in refused.value.reason
    else:
        assert str(action) in refused.value.reason or "no stage 3" in refused.value.reason


def test_the_statutory_path_reaches_the_ombudsman_through_three_stages() -> None:
    path = [
        (Action.ACCEPT, Status.STAGE1),
        (Action.RESPOND_STAGE1, Status.STAGE1_RESPONDED),
        (Action.REQUEST_STAGE2, Status.STAGE2),
        (Action.RESPOND_STAGE2, Status.STAGE2_RESPONDED),
        (Action.REQUEST_STAGE3, Status.STAGE3_PANEL),
        (Action.PANEL_MET, Status.STAGE3_REPORT),
        (Action.PANEL_REPORTED, Status.STAGE3_RESPONSE),
        (Action.RESPOND_STAGE3, Status.STAGE3_RESPONDED),
        (Action.REFER_OMBUDSMAN, Status.OMBUDSMAN),
        (Action.OMBUDSMAN_DECIDED, Status.CLOSED),
    ]
    status = Status.RECEIVED
    for action, expected in path:
        status = next_status(Track.STATUTORY, status, action, Actor.COMPLAINTS_OFFICER)
        assert status is expected


def test_corporate_has_no_stage_3() -> None:
    with pytest.raises(IllegalTransition, match="corporate procedure has no stage 3"):
        next_status(Track.CORPORATE, Status.STAGE2_RESPONDED, Action.REQUEST_STAGE3, Actor.PUBLIC)
    assert (
        next_status(
            Track.CORPORATE, Status.STAGE2_RESPONDED, Action.REFER_OMBUDSMAN, Actor.COMPLAINTS_OFFICER
        )
        is Status.OMBUDSMAN
    )


def test_a_window_expiry_closes_the_case_only_from_a_window() -> None:
    assert (
        next_status(Track.STATUTORY, Status.STAGE1_RESPONDED, Action.WINDOW_EXPIRED, Actor.SYSTEM)
        is Status.CLOSED
    )
    with pytest.raises(IllegalTransition):
        next_status(Track.STATUTORY, Status.STAGE1, Action.WINDOW_EXPIRED, Actor.SYSTEM)


def test_the_complainant_asks_for_stage_2_but_cannot_answer_stage_1() -> None:
    assert (
        next_status(Track.STATUTORY, Status.STAGE1_RESPONDED, Action.REQUEST_STAGE2, Actor.PUBLIC)
        is Status.STAGE2
    )
    with pytest.raises(IllegalTransition, match="may only be done by"):
        next_status(Track.STATUTORY, Status.STAGE1, Action.RESPOND_STAGE1, Actor.PUBLIC)


def test_tracks_follow_kind_and_procedure() -> None:
    assert track_for(Kind.COMPLIMENT, Procedure.STATUTORY) is Track.FEEDBACK
    assert track_for(Kind.COMMENT, Procedure.CORPORATE) is Track.FEEDBACK
    assert track_for(Kind.COMPLAINT, Procedure.CORPORATE) is Track.CORPORATE
    assert track_for(Kind.COMPLAINT, Procedure.STATUTORY) is Track.STATUTORY
