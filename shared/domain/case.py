"""Registering a representation: the case, its first event and the notifications it owes, decided by
pure functions of the request, the policy and the time. Storage assigns nothing but the reference."""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from shared.domain.calendar import london_date
from shared.domain.notices import Purpose
from shared.domain.policy import CouncilPolicy, Step
from shared.domain.representation import AdvocacyWish, RepresentationRequest, single_mailbox
from shared.domain.stages import Actor, Status
from shared.domain.triage import is_late, suggest_procedure
from shared.domain.vocabulary import ROLE_WORDS, SUPPORT_WORDS, Channel, Kind, SupportNeed

REFERENCE_PREFIX = "CSC"


def format_reference(year: int, number: int) -> str:
    return f"{REFERENCE_PREFIX}-{year}-{number:05d}"


def financial_year(day: date) -> int:
    """The financial year (1 April - 31 March) by the year it starts: 2015 is 2015/16."""
    return day.year if day.month >= 4 else day.year - 1


class NotificationStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"  # the dead-letter state: inspect, then redrive


@dataclass(frozen=True)
class Notification:
    """An email owed, recorded with the case in the same write and sent later by the notifier.
    ``context`` holds only what the template shows."""

    notification_id: str
    case_id: str
    purpose: Purpose
    to: str
    template: str
    child_friendly: bool
    context: dict[str, Any]
    status: NotificationStatus = NotificationStatus.PENDING
    attempts: int = 0
    claim_token: str | None = None  # set while claimed for sending: only its holder records the outcome


@dataclass(frozen=True)
class Event:
    """One entry of the case's immutable chronology: who, when, what."""

    case_id: str
    sequence: int
    at: datetime
    actor: Actor
    action: str
    changes: dict[str, Any]
    by: str = Actor.PUBLIC.value  # the staff user who recorded it, or "public"


@dataclass(frozen=True)
class NewCase:
    case: dict[str, Any]
    event: Event
    notifications: tuple[Notification, ...] = field(default=())

    @property
    def case_id(self) -> str:
        return str(self.case["case_id"])

    @property
    def reference(self) -> str:
        return str(self.case["reference"])


def payload_fingerprint(request: RepresentationRequest) -> str:
    """A stable hash of what was asked, for "an identical payload within a window is the same request"."""
    return hashlib.sha256(request.model_dump_json().encode()).hexdigest()


def register(
    request: RepresentationRequest,
    *,
    case_id: str,
    reference: str,
    received_at: datetime,
    registered_at: datetime,
    policy: CouncilPolicy,
    channel: Channel = Channel.ONLINE_FORM,
    recorded_by: str | None = None,
) -> NewCase:
    """The new case, its first event and the notifications it owes. ``received_at`` is when the
    representation reached the council (deadlines count from it); ``registered_at`` is now, when it is
    registered and its acknowledgement is sent: later for one made by another channel (phone, letter, ...)
    that ``recorded_by``, a member of staff, registers afterwards."""
    received = london_date(received_at)
    calendar = policy.calendar()
    suggestion = suggest_procedure(request.kind, request.role, request.subject)
    procedure = suggestion.procedure
    complaint = request.kind is Kind.COMPLAINT
    acknowledgement_due = policy.acknowledgement_due(procedure, received)
    stage1_due = policy.due_date(procedure, Step.STAGE1, received) if procedure else None
    late = complaint and is_late(request.when_happened, received, policy.complaint_time_limit_months)
    wants_advocate = request.advocacy is AdvocacyWish.WANTS_ONE
    arrange_by = (
        calendar.add_working_days(received, policy.advocacy_arrange_working_days) if wants_advocate else None
    )
    case: dict[str, Any] = {
        "case_id": case_id,
        "reference": reference,
        "kind": request.kind.value,
        "status": Status.RECEIVED.value,
        "channel": channel.value,
        "received_at": received_at.isoformat(),
        "received_date": received.isoformat(),
        "deemed_received": calendar.deemed_receipt(received).isoformat(),
        "financial_year": financial_year(received),
        "acknowledgement_due": acknowledgement_due.isoformat(),
        "stage1_due": stage1_due.isoformat() if stage1_due else None,
        "suggested_procedure": procedure.value if procedure else None,
        "procedure_reason": suggestion.reason,
        "needs_sufficient_interest_decision": suggestion.needs_sufficient_interest_decision,
        "needs_child_wishes_check": suggestion.needs_child_wishes_check,
        "late": late,
        "by_a_child": request.by_a_child,
        "about_a_child": request.about_a_child,
        "service_area": request.service_area,
        "advocacy": {
            # An offer is recorded only when one was made (the form's counts; the API says so), with
            # when and how: the annual report's advocacy figures are built on it.
            "offered": request.advocacy_offered,
            "offered_on": received.isoformat() if request.advocacy_offered else None,
            "offered_how": _offered_how(channel) if request.advocacy_offered else None,
            "wish": request.advocacy.value if request.advocacy else None,
            "arrange_by": arrange_by.isoformat() if arrange_by else None,
            "advocate_name": request.advocate_name,
            "advocate_organisation": request.advocate_organisation,
            "advocate_email": request.advocate_email,
        },
        "complainant": {
            "role": request.role.value,
            "on_behalf_of": request.on_behalf_of.value if request.on_behalf_of else None,
            "child_name": request.child_name,
            "child_date_of_birth": _iso(request.child_date_of_birth),
            "child_view": request.child_view.value if request.child_view else None,
            "name": request.name,
            "email": request.email,
            "phone": request.phone,
            "address": request.address,
            "preferred_contact": request.preferred_contact.value if request.preferred_contact else None,
        },
        "details": {
            "subject": request.subject.value if request.subject else None,
            "what_happened": request.what_happened,
            "when_happened": _iso(request.when_happened),
            "raised_already": request.raised_already,
            "outcome_wanted": request.outcome_wanted,
            "support": [need.value for need in request.support],
            "interpreter_language": request.interpreter_language,
            "support_other": request.support_other,
            "team_or_worker": request.team_or_worker,
        },
    }
    area = policy.service_area(request.service_area) if request.service_area else None
    notifications = _notifications(
        request, case, area.name if area else None, policy, london_date(registered_at)
    )
    case["notifications"] = {n.notification_id: n.status.value for n in notifications}
    event = Event(
        case_id=case_id,
        sequence=1,
        at=received_at,
        actor=Actor.COMPLAINTS_OFFICER if recorded_by else Actor.PUBLIC,
        action="received",
        changes={"status": Status.RECEIVED.value, "channel": channel.value, "kind": request.kind.value},
        by=recorded_by or Actor.PUBLIC.value,
    )
    return NewCase(case=case, event=event, notifications=notifications)


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


#: How an offer made through a channel is recorded (an online offer, whoever's website made it).
_OFFER_CHANNELS = {Channel.PHONE: "phone", Channel.EMAIL: "email", Channel.LETTER: "letter"}


def _offered_how(channel: Channel) -> str:
    if channel is Channel.IN_PERSON:
        return "in-person"
    return _OFFER_CHANNELS.get(channel, "online-form")


def support_words(needs: tuple[SupportNeed, ...], language: str | None) -> list[str]:
    """The closed list in words, the interpreter's language with it ("other" only says there is more)."""
    words = []
    for need in needs:
        if need is SupportNeed.INTERPRETER:
            words.append(f"An interpreter ({language or 'language not given'})")
        elif need is SupportNeed.OTHER:
            words.append("Something else (read it in Heard)")
        else:
            words.append(SUPPORT_WORDS[need])
    return words


#: The longest first name a greeting shows.
GREETING_MAX = 30
_NAME_PUNCTUATION = frozenset("'\u2019-")  # apostrophes (straight and curly) and the hyphen


def greeting_name(name: str | None) -> str | None:
    """The first name to greet someone by, or None to greet without one. Emails go to addresses nobody
    verified, so a submitter's words never arrive whole: whitespace is normalised, only the first word is
    kept, capped at 30 characters, and it must look like a name (letters, marks, apostrophes, hyphens), so
    no link, address or sentence can ride in it."""
    words = (name or "").split()
    if not words:
        return None
    first = words[0].rstrip(",.;:!?")[:GREETING_MAX]  # "Jo," greets Jo
    looks_like_a_name = all(
        c.isalpha() or c in _NAME_PUNCTUATION or unicodedata.category(c) in ("Mn", "Mc") for c in first
    )
    return first if looks_like_a_name and any(c.isalpha() for c in first) else None


def mailbox(address: str | None) -> str | None:
    """The address if it is one mailbox SES can deliver to, else None (nothing is owed to it). The models
    already refuse anything else: this keeps a submission from ever adding a recipient."""
    if not address:
        return None
    try:
        return single_mailbox(address)
    except ValueError:
        return None


def promised(due: str | None, registered: date, policy: CouncilPolicy) -> str | None:
    """The date an acknowledgement may promise for ``due`` (ISO) when sent on ``registered``: ``due``
    itself, or the next working day once ``due`` has passed (a representation registered after it was
    received, by phone or letter), so that no acknowledgement promises a date already gone."""
    if due is None or date.fromisoformat(due) >= registered:
        return due
    return policy.calendar().add_working_days(registered, 1).isoformat()


def _notifications(
    request: RepresentationRequest,
    case: dict[str, Any],
    area_name: str | None,
    policy: CouncilPolicy,
    registered: date,
) -> tuple[Notification, ...]:
    """What is owed, and to whom. A submission may send only to the two addresses typed into it (the
    complainant's and the advocate's), each one mailbox; staff addresses come from the council policy.
    What the complainant and the advocate are told never promises a date before ``registered``, the day
    it is sent: staff are told the real due dates."""
    case_id, reference = case["case_id"], case["reference"]
    child = request.child_wording  # a care leaver, an adult, gets the adult wording
    complaint = request.kind is Kind.COMPLAINT
    advocacy = case["advocacy"]
    common = {
        "reference": reference,
        "kind": request.kind.value,
        "council": policy.council_name,
        "acknowledgement_due": case["acknowledgement_due"],
        "stage1_due": case["stage1_due"],
    }
    # Whoever asked for an advocate is told so in every message, with the service and how to reach it.
    advocate_offer = {
        "advocate_wanted": advocacy["wish"] == AdvocacyWish.WANTS_ONE.value,
        "advocacy_service": policy.advocacy_service_name,
        "advocacy_contact": policy.advocacy_service_contact,
        "advocacy_arrange_by": advocacy["arrange_by"],
    }
    # The dates as the complainant is told them: a date already past is never promised (a registration
    # made after the representation was received); the stage 1 date is the real one, said to have passed.
    stage1_due = case["stage1_due"]
    told = {
        **common,
        "received_date": case["received_date"],
        "contact_by": promised(case["acknowledgement_due"], registered, policy),
        "acknowledgement_passed": date.fromisoformat(case["acknowledgement_due"]) < registered,
        "stage1_passed": stage1_due is not None and date.fromisoformat(stage1_due) < registered,
    }
    arrange_by = promised(advocacy["arrange_by"], registered, policy)
    owed: list[tuple[Purpose, str, str, bool, dict[str, Any]]] = []
    complainant, advocate = mailbox(request.email), mailbox(request.advocate_email)
    # Replying is the council's public task: whoever gives an address and chooses email is acknowledged.
    if complainant and request.wants_email:
        greeting = {
            **told,
            **advocate_offer,
            "advocacy_arrange_by": arrange_by,
            "name": greeting_name(request.name),
        }
        if request.kind is Kind.COMPLIMENT:
            owed.append((Purpose.COMPLIMENT_THANKS, complainant, "compliment_thanks", child, greeting))
        else:
            owed.append((Purpose.ACKNOWLEDGEMENT, complainant, "acknowledgement", child, greeting))
    if advocate and request.advocacy is AdvocacyWish.HAS_ONE and request.kind is not Kind.COMPLIMENT:
        owed.append((Purpose.ADVOCATE_COPY, advocate, "advocate_acknowledgement", False, told))
    # Staff emails carry Heard's own values and closed lists, never words the public typed.
    staff = {
        **common,
        "case_url": policy.case_url(reference),
        "service_area": area_name,
        "role": ROLE_WORDS[request.role],
        "by_a_child": case["by_a_child"],
        "adult": not request.child_wording,  # a care leaver is one, though offered an advocate
        "for_a_child": request.for_a_child,
        "support": support_words(request.support, request.interpreter_language),
    }
    owed.append(
        (
            Purpose.TEAM_ALERT,
            policy.team_mailbox,
            "team_alert",
            False,
            {
                **staff,
                **advocate_offer,
                "complaint": complaint,
                "procedure": case["suggested_procedure"],
                "advocacy_offered": advocacy["offered"],
                "late": case["late"],
                "needs_sufficient_interest_decision": case["needs_sufficient_interest_decision"],
                "needs_child_wishes_check": case["needs_child_wishes_check"],
            },
        )
    )
    if request.kind is Kind.COMPLIMENT:
        area = policy.service_area(request.service_area) if request.service_area else None
        manager = area.manager_email if area and area.manager_email else policy.team_mailbox
        owed.append((Purpose.COMPLIMENT_SHARED, manager, "compliment_shared", False, staff))
    return tuple(
        Notification(
            notification_id=f"{case_id}-{index}-{purpose.value}",
            case_id=case_id,
            purpose=purpose,
            to=to,
            template=template,
            child_friendly=child_friendly,
            context=context,
        )
        for index, (purpose, to, template, child_friendly, context) in enumerate(owed, start=1)
    )
