"""The procedures as an explicit state machine: states, actions, the legal transitions and who may
trigger each. Anything not in the table is refused with a reason.

Statutory: acknowledgement -> stage 1 -> stage 2 -> stage 3 (panel convened, panel report, authority's
response). Corporate: acknowledgement -> stage 1 -> stage 2. Comments and compliments are recorded and
closed. The Ombudsman is not a stage: the complainant's complaint to the LGSCO is a strand beside the
stages that never moves or ends them (statutory-rules.md, "Track it as a strand beside the stages"), kept
on the case by :mod:`shared.domain.casefile`, like holds, appointments and other steps that do not move
the status.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from shared.domain.errors import IllegalTransition, NotPermitted
from shared.domain.vocabulary import Kind, Procedure


class Status(StrEnum):
    RECEIVED = "received"  # registered, awaiting acknowledgement and triage
    STAGE1 = "stage1"
    STAGE1_RESPONDED = "stage1-responded"  # complainant's window to ask for stage 2
    STAGE2 = "stage2"
    STAGE2_RESPONDED = "stage2-responded"  # complainant's window to ask for stage 3 (statutory)
    STAGE3_PANEL = "stage3-panel"  # review panel to be convened
    STAGE3_REPORT = "stage3-report"  # panel met, its written report awaited
    STAGE3_RESPONSE = "stage3-response"  # the authority's response to the panel awaited
    STAGE3_RESPONDED = "stage3-responded"
    ROUTED = "routed"  # excluded matter sent to another procedure
    DECLINED = "declined"  # not eligible, or late without discretion
    WITHDRAWN = "withdrawn"
    CLOSED = "closed"


TERMINAL: frozenset[Status] = frozenset({Status.ROUTED, Status.DECLINED, Status.WITHDRAWN, Status.CLOSED})


class Action(StrEnum):
    ACCEPT = "accept"  # acknowledged and accepted into stage 1 of the procedure the officer chose
    ROUTE = "route"
    DECLINE = "decline"
    RECORD = "record"  # a comment or compliment is recorded (and shared)
    RESPOND_STAGE1 = "respond-stage1"
    REQUEST_STAGE2 = "request-stage2"
    RESPOND_STAGE2 = "respond-stage2"
    REQUEST_STAGE3 = "request-stage3"
    PANEL_MET = "panel-met"
    PANEL_REPORTED = "panel-reported"
    RESPOND_STAGE3 = "respond-stage3"
    WINDOW_EXPIRED = "window-expired"
    CLOSE = "close"
    WITHDRAW = "withdraw"


class Actor(StrEnum):
    """Who acts. Staff roles match the Cognito groups the officer API will use."""

    PUBLIC = "public"  # the complainant or their advocate
    COMPLAINTS_OFFICER = "complaints-officer"
    SERVICE_MANAGER = "service-manager"
    INVESTIGATOR = "investigator"
    SENIOR_LEADERSHIP = "senior-leadership"
    ADMIN = "admin"
    SYSTEM = "system"  # timers


class Track(StrEnum):
    STATUTORY = "statutory"
    CORPORATE = "corporate"
    FEEDBACK = "feedback"  # comments and compliments


def track_for(kind: Kind, procedure: Procedure) -> Track:
    if kind is not Kind.COMPLAINT:
        return Track.FEEDBACK
    return Track(procedure.value)


@dataclass(frozen=True)
class Rule:
    target: Status
    actors: frozenset[Actor]


_OFFICER = frozenset({Actor.COMPLAINTS_OFFICER})
_MANAGERS = frozenset({Actor.COMPLAINTS_OFFICER, Actor.SERVICE_MANAGER})
# A senior manager adjudicates stage 2 and makes the authority's response to a review panel (Getting the
# Best from Complaints; 2006 Regs reg 20): not the investigator, the service or the complaints officer.
_SENIOR = frozenset({Actor.SENIOR_LEADERSHIP})
_COMPLAINANT = frozenset({Actor.PUBLIC, Actor.COMPLAINTS_OFFICER})
_TIMER = frozenset({Actor.SYSTEM, Actor.COMPLAINTS_OFFICER})

_OPEN_COMPLAINT = (Status.RECEIVED, Status.STAGE1, Status.STAGE2)
_STAGE3_OPEN = (Status.STAGE3_PANEL, Status.STAGE3_REPORT, Status.STAGE3_RESPONSE)


def _complaint_rules(stage3: bool) -> dict[tuple[Status, Action], Rule]:
    rules: dict[tuple[Status, Action], Rule] = {
        (Status.RECEIVED, Action.ACCEPT): Rule(Status.STAGE1, _OFFICER),
        (Status.RECEIVED, Action.ROUTE): Rule(Status.ROUTED, _OFFICER),
        (Status.RECEIVED, Action.DECLINE): Rule(Status.DECLINED, _OFFICER),
        (Status.STAGE1, Action.RESPOND_STAGE1): Rule(Status.STAGE1_RESPONDED, _MANAGERS),
        (Status.STAGE1_RESPONDED, Action.REQUEST_STAGE2): Rule(Status.STAGE2, _COMPLAINANT),
        (Status.STAGE1_RESPONDED, Action.WINDOW_EXPIRED): Rule(Status.CLOSED, _TIMER),
        (Status.STAGE1_RESPONDED, Action.CLOSE): Rule(Status.CLOSED, _OFFICER),
        (Status.STAGE2, Action.RESPOND_STAGE2): Rule(Status.STAGE2_RESPONDED, _SENIOR),
        (Status.STAGE2_RESPONDED, Action.WINDOW_EXPIRED): Rule(Status.CLOSED, _TIMER),
        (Status.STAGE2_RESPONDED, Action.CLOSE): Rule(Status.CLOSED, _OFFICER),
        # Stage 2 without a stage 1 response: stage 1 overran its (extended) deadline, or both sides agree
        # to go straight to stage 2 (2006 Regs reg 17). The aggregate checks which route applies.
        (Status.STAGE1, Action.REQUEST_STAGE2): Rule(Status.STAGE2, _COMPLAINANT),
        # A late request after the window closed the case, accepted at the council's discretion.
        (Status.CLOSED, Action.REQUEST_STAGE2): Rule(Status.STAGE2, _OFFICER),
    }
    for status in (*_OPEN_COMPLAINT, Status.STAGE1_RESPONDED, Status.STAGE2_RESPONDED):
        rules[(status, Action.WITHDRAW)] = Rule(Status.WITHDRAWN, _COMPLAINANT)
    # An excluded matter found while a stage runs is still routed to where it belongs, with the reason
    # (statutory-rules: "Record the reason and where it was routed").
    for status in (Status.STAGE1, Status.STAGE2):
        rules[(status, Action.ROUTE)] = Rule(Status.ROUTED, _OFFICER)
    if stage3:
        rules |= {
            (Status.STAGE2_RESPONDED, Action.REQUEST_STAGE3): Rule(Status.STAGE3_PANEL, _COMPLAINANT),
            (Status.STAGE3_PANEL, Action.PANEL_MET): Rule(Status.STAGE3_REPORT, _OFFICER),
            (Status.STAGE3_REPORT, Action.PANEL_REPORTED): Rule(Status.STAGE3_RESPONSE, _OFFICER),
            (Status.STAGE3_RESPONSE, Action.RESPOND_STAGE3): Rule(Status.STAGE3_RESPONDED, _SENIOR),
            (Status.STAGE3_RESPONDED, Action.CLOSE): Rule(Status.CLOSED, _OFFICER),
            (Status.CLOSED, Action.REQUEST_STAGE3): Rule(Status.STAGE3_PANEL, _OFFICER),
        }
        for status in _STAGE3_OPEN:
            rules[(status, Action.WITHDRAW)] = Rule(Status.WITHDRAWN, _COMPLAINANT)
            rules[(status, Action.ROUTE)] = Rule(Status.ROUTED, _OFFICER)
    return rules


TRANSITIONS: dict[Track, dict[tuple[Status, Action], Rule]] = {
    Track.STATUTORY: _complaint_rules(stage3=True),
    Track.CORPORATE: _complaint_rules(stage3=False),
    Track.FEEDBACK: {
        (Status.RECEIVED, Action.RECORD): Rule(Status.CLOSED, _MANAGERS),
        (Status.RECEIVED, Action.WITHDRAW): Rule(Status.WITHDRAWN, _COMPLAINANT),
    },
}


def allowed_actions(track: Track, status: Status) -> tuple[Action, ...]:
    return tuple(action for (state, action) in TRANSITIONS[track] if state is status)


def next_status(track: Track, status: Status, action: Action, actor: Actor) -> Status:
    """The state after ``action``, or :class:`IllegalTransition` saying why not."""
    rule = TRANSITIONS[track].get((status, action))
    if rule is None:
        if track is Track.CORPORATE and action in {
            Action.REQUEST_STAGE3,
            Action.PANEL_MET,
            Action.PANEL_REPORTED,
            Action.RESPOND_STAGE3,
        }:
            raise IllegalTransition("the corporate procedure has no stage 3: the next step is the Ombudsman")
        if status in TERMINAL:
            raise IllegalTransition(f"the case is {status}: '{action}' is no longer possible")
        allowed = ", ".join(allowed_actions(track, status)) or "none"
        raise IllegalTransition(
            f"'{action}' is not possible for a {track} case at status '{status}' (possible: {allowed})"
        )
    if actor not in rule.actors:
        who = ", ".join(sorted(rule.actors))
        raise NotPermitted(f"'{action}' at status '{status}' may only be done by: {who}")
    return rule.target
