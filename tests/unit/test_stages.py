"""The procedure state machine against expectations written by hand from the law and guidance.

Nothing here is derived from ``shared.domain.stages.TRANSITIONS``: every row below was written from the
sources, so a wrong rule in the code fails a test instead of being restated by it.

Sources, abbreviated in the comments:
  CA89       Children Act 1989, s.26(3)-(3C) (who may complain) and s.26A (advocacy)
  Regs       Children Act 1989 Representations Procedure (England) Regulations 2006 (SI 2006/1738)
  GBfC       DfES, Getting the Best from Complaints (2006), the statutory guidance
  LGSCO      Local Government and Social Care Ombudsman, and its Complaint Handling Code
  Report     the reference council's annual report 2015/16 (how one council runs the procedures)
  Decisions  docs/decisions.md, where the law is silent and Heard decided
"""

from __future__ import annotations

import itertools
from typing import NamedTuple

import pytest

from shared.domain.errors import IllegalTransition
from shared.domain.stages import Action, Actor, Status, Track, allowed_actions, next_status, track_for
from shared.domain.vocabulary import Kind, Procedure

S, A, P = Status, Action, Actor
STAT, CORP, FEED = Track.STATUTORY, Track.CORPORATE, Track.FEEDBACK

# Who may act, by role (Actor docstring: staff roles are the officer API's Cognito groups).
OFFICER = frozenset({P.COMPLAINTS_OFFICER})
# Stage 1 is answered by the allocated manager, usually the manager of the service complained about
# (Report 3.5.1; GBfC local resolution), or by the complaints officer who manages the case (Regs reg 10).
STAGE1_RESPONDERS = frozenset({P.SERVICE_MANAGER, P.COMPLAINTS_OFFICER})
# The complainant (or their advocate: CA89 s.26A) acts; the complaints officer may record the complainant's
# own request made by phone or letter (Regs reg 16 allows oral representations; Decisions). No other staff.
COMPLAINANT = frozenset({P.PUBLIC, P.COMPLAINTS_OFFICER})
# A senior manager adjudicates stage 2 and signs the authority's response (GBfC stage 2 adjudication;
# Report 3.5.2: "reports are read by senior managers ... before a response is sent"), never the
# investigator, the service complained about or the complaints officer.
SENIOR = frozenset({P.SENIOR_LEADERSHIP})
# Timers close a case when the complainant's window ends; the complaints officer may do it by hand.
TIMER = frozenset({P.SYSTEM, P.COMPLAINTS_OFFICER})
# Every compliment is shared with the team and copied to managers (Report 3.4); either may record it.
RECORDERS = frozenset({P.COMPLAINTS_OFFICER, P.SERVICE_MANAGER})


class Step(NamedTuple):
    track: Track
    status: Status
    action: Action
    target: Status
    actors: frozenset[Actor]


def both(status: Status, action: Action, target: Status, actors: frozenset[Actor]) -> list[Step]:
    """A step that the statutory and the corporate procedures share."""
    return [Step(STAT, status, action, target, actors), Step(CORP, status, action, target, actors)]


# fmt: off
LEGAL: list[Step] = [
    # --- Intake, both complaint procedures -------------------------------------------------------------
    # The complaints manager registers, acknowledges and accepts into stage 1 (Regs reg 10; GBfC).
    *both(S.RECEIVED, A.ACCEPT, S.STAGE1, OFFICER),
    # Excluded matters go elsewhere: safeguarding, CP conference decisions, court reports (Regs reg 8; GBfC).
    *both(S.RECEIVED, A.ROUTE, S.ROUTED, OFFICER),
    # Not eligible (CA89 s.26(3)-(3C)), or late and the discretion not exercised (one-year limit, Regs).
    *both(S.RECEIVED, A.DECLINE, S.DECLINED, OFFICER),
    # --- Stage 1, local resolution (10 working days, up to 20: Regs; GBfC) ------------------------------
    *both(S.STAGE1, A.RESPOND_STAGE1, S.STAGE1_RESPONDED, STAGE1_RESPONDERS),
    # The response gives the right to go to stage 2: the complainant asks (GBfC; 20 working days, practice).
    *both(S.STAGE1_RESPONDED, A.REQUEST_STAGE2, S.STAGE2, COMPLAINANT),
    # No request within the window: the case closes (Decisions: later requests at discretion).
    *both(S.STAGE1_RESPONDED, A.WINDOW_EXPIRED, S.CLOSED, TIMER),
    # The complainant is satisfied with stage 1.
    *both(S.STAGE1_RESPONDED, A.CLOSE, S.CLOSED, OFFICER),
    # --- Stage 2, investigation with an independent person (25 working days, up to 65: Regs) -----------
    # Corporate stage 2 is a senior management review too (Report 3.5.2).
    *both(S.STAGE2, A.RESPOND_STAGE2, S.STAGE2_RESPONDED, SENIOR),
    *both(S.STAGE2_RESPONDED, A.WINDOW_EXPIRED, S.CLOSED, TIMER),
    *both(S.STAGE2_RESPONDED, A.CLOSE, S.CLOSED, OFFICER),
    # --- Stage 2 without a stage 1 response (Regs reg 17, as issue 8 lists the routes) ------------------
    # Stage 1 overran its (extended) deadline, or both sides agree to go straight to stage 2; the aggregate
    # checks which (tests/unit/test_casefile_escalation.py). The complainant asks, or the officer records it.
    *both(S.STAGE1, A.REQUEST_STAGE2, S.STAGE2, COMPLAINANT),
    # --- A late request after the window closed the case: the council's discretion (statutory-rules:
    # "later requests can be accepted at discretion"), so the complaints officer reopens it into the stage.
    *both(S.CLOSED, A.REQUEST_STAGE2, S.STAGE2, OFFICER),
    Step(STAT, S.CLOSED, A.REQUEST_STAGE3, S.STAGE3_PANEL, OFFICER),
    # --- Ombudsman: no row. The complainant goes to the LGSCO; the council does not refer, and the case's
    # stages are neither moved nor ended by it: statutory-rules.md, "Track it as a strand beside the
    # stages" (tests/unit/test_casefile_ombudsman.py).
    # --- Withdrawal: the complainant may withdraw at any point before the final answer (GBfC) ----------
    *both(S.RECEIVED, A.WITHDRAW, S.WITHDRAWN, COMPLAINANT),
    *both(S.STAGE1, A.WITHDRAW, S.WITHDRAWN, COMPLAINANT),
    *both(S.STAGE1_RESPONDED, A.WITHDRAW, S.WITHDRAWN, COMPLAINANT),
    *both(S.STAGE2, A.WITHDRAW, S.WITHDRAWN, COMPLAINANT),
    *both(S.STAGE2_RESPONDED, A.WITHDRAW, S.WITHDRAWN, COMPLAINANT),
    # --- Stage 3, statutory only: review panel (Regs regs 18-20; corporate has none, Report 3.5.3) ------
    # The complainant asks for a panel within 20 working days of the stage 2 response (Regs reg 18).
    Step(STAT, S.STAGE2_RESPONDED, A.REQUEST_STAGE3, S.STAGE3_PANEL, COMPLAINANT),
    # The panel is convened within 30 working days and meets (Regs reg 19); the complaints manager arranges.
    Step(STAT, S.STAGE3_PANEL, A.PANEL_MET, S.STAGE3_REPORT, OFFICER),
    # Its written report within 5 working days of the meeting (Regs reg 20).
    Step(STAT, S.STAGE3_REPORT, A.PANEL_REPORTED, S.STAGE3_RESPONSE, OFFICER),
    # The authority's response within 15 working days of the report (Regs reg 20): a senior manager
    # (the Director or a delegate: GBfC) decides what the authority will do.
    Step(STAT, S.STAGE3_RESPONSE, A.RESPOND_STAGE3, S.STAGE3_RESPONDED, SENIOR),
    Step(STAT, S.STAGE3_RESPONDED, A.CLOSE, S.CLOSED, OFFICER),
    Step(STAT, S.STAGE3_PANEL, A.WITHDRAW, S.WITHDRAWN, COMPLAINANT),
    Step(STAT, S.STAGE3_REPORT, A.WITHDRAW, S.WITHDRAWN, COMPLAINANT),
    Step(STAT, S.STAGE3_RESPONSE, A.WITHDRAW, S.WITHDRAWN, COMPLAINANT),
    # --- An excluded matter found while a stage runs is routed too, with the reason (statutory-rules:
    # "Record the reason and where it was routed"; issue 16: "Routing remains possible after acceptance").
    *both(S.STAGE1, A.ROUTE, S.ROUTED, OFFICER),
    *both(S.STAGE2, A.ROUTE, S.ROUTED, OFFICER),
    Step(STAT, S.STAGE3_PANEL, A.ROUTE, S.ROUTED, OFFICER),
    Step(STAT, S.STAGE3_REPORT, A.ROUTE, S.ROUTED, OFFICER),
    Step(STAT, S.STAGE3_RESPONSE, A.ROUTE, S.ROUTED, OFFICER),
    # --- Feedback: comments and compliments are recorded and shared, not investigated (Report 3.4) -----
    Step(FEED, S.RECEIVED, A.RECORD, S.CLOSED, RECORDERS),
    Step(FEED, S.RECEIVED, A.WITHDRAW, S.WITHDRAWN, COMPLAINANT),
]
# fmt: on

EXPECTED = {(step.track, step.status, step.action): step for step in LEGAL}


def test_the_table_has_no_duplicate_rows() -> None:
    assert len(EXPECTED) == len(LEGAL) == 52


@pytest.mark.parametrize("step", LEGAL, ids=lambda s: f"{s.track}:{s.status}:{s.action}")
def test_a_legal_step_reaches_its_target_for_each_permitted_actor(step: Step) -> None:
    for actor in step.actors:
        assert next_status(step.track, step.status, step.action, actor) is step.target, actor


@pytest.mark.parametrize("step", LEGAL, ids=lambda s: f"{s.track}:{s.status}:{s.action}")
def test_a_legal_step_by_anyone_else_is_refused_naming_who_may(step: Step) -> None:
    for actor in set(Actor) - step.actors:
        with pytest.raises(IllegalTransition, match="may only be done by") as refused:
            next_status(step.track, step.status, step.action, actor)
        for permitted in step.actors:
            assert str(permitted) in refused.value.reason


def test_nothing_outside_the_hand_written_table_is_possible() -> None:
    """Every (track, status, action) the expectations do not list is refused, whoever asks: one extra
    rule in the code (stage 3 from stage 1, a corporate panel...) fails here."""
    unexpected = []
    for track, status, action, actor in itertools.product(Track, Status, Action, Actor):
        if (track, status, action) in EXPECTED:
            continue
        try:
            target = next_status(track, status, action, actor)
        except IllegalTransition:
            continue
        unexpected.append(f"{track}: {status} --{action} by {actor}--> {target}")
    assert unexpected == []


@pytest.mark.parametrize("track", list(Track))
def test_the_possible_actions_at_each_status_are_those_expected(track: Track) -> None:
    for status in Status:
        expected = {step.action for step in LEGAL if step.track is track and step.status is status}
        assert set(allowed_actions(track, status)) == expected, status


# --- Who may act: the separations the guidance insists on ---------------------------------------------

# fmt: off
WRONG_ACTOR = [
    # Only a senior manager adjudicates stage 2 (GBfC): not the investigating officer who reported,
    (STAT, S.STAGE2, A.RESPOND_STAGE2, P.INVESTIGATOR),
    # nor the manager of the service complained about (independence: Report 3.5.2),
    (STAT, S.STAGE2, A.RESPOND_STAGE2, P.SERVICE_MANAGER),
    # nor the complaints officer who runs the procedure (Regs reg 10 role is to manage, not decide),
    (STAT, S.STAGE2, A.RESPOND_STAGE2, P.COMPLAINTS_OFFICER),
    (CORP, S.STAGE2, A.RESPOND_STAGE2, P.INVESTIGATOR),
    # The authority's response to the panel is a senior manager's (Regs reg 20; GBfC).
    (STAT, S.STAGE3_RESPONSE, A.RESPOND_STAGE3, P.COMPLAINTS_OFFICER),
    (STAT, S.STAGE3_RESPONSE, A.RESPOND_STAGE3, P.INVESTIGATOR),
    (STAT, S.STAGE3_RESPONSE, A.RESPOND_STAGE3, P.PUBLIC),
    # Stage 2 and stage 3 are the complainant's to ask for (GBfC; Regs reg 18), not staff's,
    (STAT, S.STAGE1_RESPONDED, A.REQUEST_STAGE2, P.SERVICE_MANAGER),
    (STAT, S.STAGE1_RESPONDED, A.REQUEST_STAGE2, P.SENIOR_LEADERSHIP),
    (STAT, S.STAGE1_RESPONDED, A.REQUEST_STAGE2, P.INVESTIGATOR),
    (STAT, S.STAGE2_RESPONDED, A.REQUEST_STAGE3, P.SERVICE_MANAGER),
    (STAT, S.STAGE2_RESPONDED, A.REQUEST_STAGE3, P.SENIOR_LEADERSHIP),
    # and never a timer's.
    (STAT, S.STAGE2_RESPONDED, A.REQUEST_STAGE3, P.SYSTEM),
    # The complainant does not answer their own complaint.
    (STAT, S.STAGE1, A.RESPOND_STAGE1, P.PUBLIC),
    (STAT, S.STAGE2, A.RESPOND_STAGE2, P.PUBLIC),
    # The investigator has no stage 1 role (appointed at stage 2: GBfC).
    (STAT, S.STAGE1, A.RESPOND_STAGE1, P.INVESTIGATOR),
    # Acceptance, routing and declining are the complaints manager's decisions (Regs reg 10; CA89 s.26).
    (STAT, S.RECEIVED, A.ACCEPT, P.PUBLIC),
    (STAT, S.RECEIVED, A.DECLINE, P.SERVICE_MANAGER),
    (STAT, S.RECEIVED, A.ROUTE, P.SYSTEM),
    # Only the complainant (or the officer for them) withdraws: a service cannot withdraw a complaint.
    (STAT, S.STAGE1, A.WITHDRAW, P.SERVICE_MANAGER),
    (FEED, S.RECEIVED, A.WITHDRAW, P.SERVICE_MANAGER),
    # A timer does not close a case that is not waiting on the complainant.
    (STAT, S.STAGE1_RESPONDED, A.CLOSE, P.SYSTEM),
    # Accepting a late request after the window closed is the council's discretion, not the complainant's
    # own step (statutory-rules: "later requests can be accepted at discretion").
    (STAT, S.CLOSED, A.REQUEST_STAGE2, P.PUBLIC),
    (STAT, S.CLOSED, A.REQUEST_STAGE3, P.PUBLIC),
    # Stage 1 overran: the complainant (or the officer for them) asks, not the service that overran.
    (STAT, S.STAGE1, A.REQUEST_STAGE2, P.SERVICE_MANAGER),
]
# fmt: on


@pytest.mark.parametrize(("track", "status", "action", "actor"), WRONG_ACTOR)
def test_the_wrong_actor_is_refused(track: Track, status: Status, action: Action, actor: Actor) -> None:
    with pytest.raises(IllegalTransition, match=f"'{action}' at status '{status}' may only be done by"):
        next_status(track, status, action, actor)


def test_only_a_senior_manager_adjudicates_stage_2_and_answers_the_panel() -> None:
    assert next_status(STAT, S.STAGE2, A.RESPOND_STAGE2, P.SENIOR_LEADERSHIP) is S.STAGE2_RESPONDED
    assert next_status(STAT, S.STAGE3_RESPONSE, A.RESPOND_STAGE3, P.SENIOR_LEADERSHIP) is S.STAGE3_RESPONDED
    with pytest.raises(IllegalTransition, match=r"may only be done by: senior-leadership$"):
        next_status(STAT, S.STAGE2, A.RESPOND_STAGE2, P.INVESTIGATOR)


# --- Illegal steps, and the reason given -------------------------------------------------------------

# fmt: off
ILLEGAL = [
    # Stage 3 only after a stage 2 adjudication (Regs reg 18): not straight from stage 1,
    (STAT, S.STAGE1, A.REQUEST_STAGE3, "'request-stage3' is not possible for a statutory case at status 'stage1'"),
    (STAT, S.STAGE1_RESPONDED, A.REQUEST_STAGE3, "not possible for a statutory case at status 'stage1-responded'"),
    # nor while stage 2 is still being investigated.
    (STAT, S.STAGE2, A.REQUEST_STAGE3, "not possible for a statutory case at status 'stage2'"),
    # Stage 2 not before stage 1 starts (GBfC; while it runs, only by the routes of Regs reg 17).
    (STAT, S.RECEIVED, A.REQUEST_STAGE2, "not possible for a statutory case at status 'received'"),
    # A stage cannot be answered before it starts.
    (STAT, S.RECEIVED, A.RESPOND_STAGE1, "not possible for a statutory case at status 'received'"),
    (STAT, S.STAGE1, A.RESPOND_STAGE2, "not possible for a statutory case at status 'stage1'"),
    # The panel meets, then reports, then the authority responds, in that order (Regs regs 19-20).
    (STAT, S.STAGE3_PANEL, A.PANEL_REPORTED, "not possible for a statutory case at status 'stage3-panel'"),
    (STAT, S.STAGE3_PANEL, A.RESPOND_STAGE3, "not possible for a statutory case at status 'stage3-panel'"),
    (STAT, S.STAGE3_REPORT, A.RESPOND_STAGE3, "not possible for a statutory case at status 'stage3-report'"),
    # A window expires only while the complainant has one (stage 1 or 2 responded).
    (STAT, S.STAGE1, A.WINDOW_EXPIRED, "not possible for a statutory case at status 'stage1'"),
    (STAT, S.STAGE3_RESPONSE, A.WINDOW_EXPIRED, "not possible for a statutory case at status 'stage3-response'"),
    # A case is accepted once.
    (STAT, S.STAGE1, A.ACCEPT, "not possible for a statutory case at status 'stage1'"),
    # Comments and compliments are not investigated (Report 3.4): no stages on the feedback track,
    (FEED, S.RECEIVED, A.ACCEPT, "not possible for a feedback case at status 'received'"),
    (FEED, S.RECEIVED, A.REQUEST_STAGE2, "not possible for a feedback case at status 'received'"),
    # and a complaint is not "recorded" as feedback.
    (STAT, S.RECEIVED, A.RECORD, "not possible for a statutory case at status 'received'"),
    (CORP, S.RECEIVED, A.RECORD, "not possible for a corporate case at status 'received'"),
    # The corporate procedure has two stages; then the Ombudsman (Report 3.5.3, 3.6).
    (CORP, S.STAGE2_RESPONDED, A.REQUEST_STAGE3, "corporate procedure has no stage 3"),
    (CORP, S.STAGE3_PANEL, A.PANEL_MET, "corporate procedure has no stage 3"),
    (CORP, S.STAGE3_REPORT, A.PANEL_REPORTED, "corporate procedure has no stage 3"),
    (CORP, S.STAGE3_RESPONSE, A.RESPOND_STAGE3, "corporate procedure has no stage 3"),
    # Ends are ends in the state machine: a closed, withdrawn, routed or declined case takes no step of
    # the procedure (a late request after the window closed it is the one way back: rows above; reopening
    # with a reason is the aggregate's, not a transition).
    (STAT, S.CLOSED, A.RESPOND_STAGE2, "the case is closed: 'respond-stage2' is no longer possible"),
    (STAT, S.CLOSED, A.PANEL_MET, "the case is closed: 'panel-met' is no longer possible"),
    (STAT, S.WITHDRAWN, A.ACCEPT, "the case is withdrawn: 'accept' is no longer possible"),
    (CORP, S.ROUTED, A.ACCEPT, "the case is routed: 'accept' is no longer possible"),
    (STAT, S.DECLINED, A.REQUEST_STAGE2, "the case is declined: 'request-stage2' is no longer possible"),
    (STAT, S.WITHDRAWN, A.REQUEST_STAGE3, "the case is withdrawn: 'request-stage3' is no longer possible"),
    (FEED, S.CLOSED, A.WITHDRAW, "the case is closed: 'withdraw' is no longer possible"),
    # The corporate procedure has no stage 3, even by a late request (Report 3.5.3).
    (CORP, S.CLOSED, A.REQUEST_STAGE3, "corporate procedure has no stage 3"),
    # After the last stage's answer there is no further stage to ask for: the next step is the LGSCO.
    (STAT, S.STAGE3_RESPONDED, A.REQUEST_STAGE3, "not possible for a statutory case at status 'stage3-responded'"),
]
# fmt: on


@pytest.mark.parametrize(("track", "status", "action", "reason"), ILLEGAL)
def test_an_illegal_step_is_refused_with_its_reason(
    track: Track, status: Status, action: Action, reason: str
) -> None:
    for actor in Actor:  # illegal whoever asks
        with pytest.raises(IllegalTransition) as refused:
            next_status(track, status, action, actor)
        assert reason in refused.value.reason


def test_a_refusal_says_what_is_possible_instead() -> None:
    with pytest.raises(IllegalTransition) as refused:
        next_status(STAT, S.STAGE1, A.REQUEST_STAGE3, P.PUBLIC)
    possible = refused.value.reason.split("(possible: ", 1)[1].rstrip(")").split(", ")
    assert sorted(possible) == ["request-stage2", "respond-stage1", "route", "withdraw"]


# --- Whole paths, as a complainant lives them --------------------------------------------------------


def walk(track: Track, path: list[tuple[Action, Actor, Status]]) -> None:
    status = S.RECEIVED
    for action, actor, expected in path:
        status = next_status(track, status, action, actor)
        assert status is expected, (action, actor)


def test_the_statutory_procedure_has_three_stages() -> None:
    walk(
        STAT,
        [
            (A.ACCEPT, P.COMPLAINTS_OFFICER, S.STAGE1),
            (A.RESPOND_STAGE1, P.SERVICE_MANAGER, S.STAGE1_RESPONDED),
            (A.REQUEST_STAGE2, P.PUBLIC, S.STAGE2),
            (A.RESPOND_STAGE2, P.SENIOR_LEADERSHIP, S.STAGE2_RESPONDED),
            (A.REQUEST_STAGE3, P.PUBLIC, S.STAGE3_PANEL),
            (A.PANEL_MET, P.COMPLAINTS_OFFICER, S.STAGE3_REPORT),
            (A.PANEL_REPORTED, P.COMPLAINTS_OFFICER, S.STAGE3_RESPONSE),
            (A.RESPOND_STAGE3, P.SENIOR_LEADERSHIP, S.STAGE3_RESPONDED),
            (A.CLOSE, P.COMPLAINTS_OFFICER, S.CLOSED),
        ],
    )


def test_the_corporate_procedure_has_two_stages() -> None:
    walk(
        CORP,
        [
            (A.ACCEPT, P.COMPLAINTS_OFFICER, S.STAGE1),
            (A.RESPOND_STAGE1, P.SERVICE_MANAGER, S.STAGE1_RESPONDED),
            (A.REQUEST_STAGE2, P.PUBLIC, S.STAGE2),
            (A.RESPOND_STAGE2, P.SENIOR_LEADERSHIP, S.STAGE2_RESPONDED),
            (A.CLOSE, P.COMPLAINTS_OFFICER, S.CLOSED),
        ],
    )


def test_the_ombudsman_is_not_a_status_nor_a_transition() -> None:
    """The LGSCO is the complainant's route, tracked as a strand beside the stages without ending them
    (statutory-rules.md, "Track it as a strand beside the stages"): no status or action of the table."""
    assert not [s for s in Status if "ombudsman" in s.value]
    assert not [a for a in Action if "ombudsman" in a.value]


def test_a_compliment_is_recorded_and_closed() -> None:
    walk(FEED, [(A.RECORD, P.SERVICE_MANAGER, S.CLOSED)])


def test_tracks_follow_kind_and_procedure() -> None:
    # Comments and compliments are feedback whatever procedure was suggested (Report 3.4).
    assert track_for(Kind.COMPLIMENT, Procedure.STATUTORY) is Track.FEEDBACK
    assert track_for(Kind.COMMENT, Procedure.CORPORATE) is Track.FEEDBACK
    assert track_for(Kind.COMPLAINT, Procedure.CORPORATE) is Track.CORPORATE
    assert track_for(Kind.COMPLAINT, Procedure.STATUTORY) is Track.STATUTORY
