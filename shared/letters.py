"""The letters a case change owes the complainant, addressed for the reliable notification path.

:func:`~shared.domain.casefile.apply` decides *what* is owed (an :class:`OwedNotification`: a template,
the child-friendly flag and a context of codes and dates). This module decides *to whom*, as a pure
function of the decided case: the persistence layer writes the result in the same transaction as the
case and its event, and the notifier sends it from the stream like every other notification."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from pydantic_core import to_jsonable_python

from shared.domain.case import Notification, greeting_name, mailbox
from shared.domain.casefile import Case, Decision, OwedNotification
from shared.domain.representation import AdvocacyWish
from shared.domain.vocabulary import ContactPreference

#: The suffix of the advocate's copy's notification id.
ADVOCATE_SUFFIX = "advocate"


def notifications_for(
    owed: Sequence[OwedNotification], case: Case, sequence: int
) -> tuple[Notification, ...]:
    """The notifications that carry ``owed`` (a :class:`Decision`'s letters) for ``case``, the decided
    case, whose event ``sequence`` owed them.

    - To the complainant, by email, when they chose email as the way to be contacted and gave an
      address (one mailbox). Anyone else gets nothing from here yet: a letter by post (or a call) is a
      later capability, and until then the officer sends it by hand.
    - A copy to the advocate, in the adult wording, when the complainant said they have one, gave the
      advocate's email, and has not declined advocacy since. The copy greets nobody by name.

    Ids are ``{case_id}-e{sequence:06d}-{purpose}`` (``-advocate`` for the copy): the same decision
    always gives the same ids, so a retried save cannot owe a letter twice. Contexts are JSON-ready
    (dates as ISO strings, codes as strings) and hold no free text from the case: a first-name greeting
    (:func:`greeting_name`) is the only thing a submitter typed that a letter shows."""
    if sequence < 1:
        raise ValueError(f"an event's sequence number starts at 1, not {sequence}")
    purposes = [letter.purpose for letter in owed]
    if len(set(purposes)) != len(purposes):
        raise ValueError(f"one event owes each letter once: {', '.join(purposes)}")
    complainant = _complainant_address(case)
    advocate = _advocate_address(case)
    out: list[Notification] = []
    for letter in owed:
        base = f"{case.case_id}-e{sequence:06d}-{letter.purpose.value}"
        context: dict[str, Any] = to_jsonable_python(letter.context)
        if complainant is not None:
            named = {**context, "name": greeting_name(case.complainant.name), "advocate_copy": False}
            out.append(_notification(base, case, letter, complainant, letter.child_friendly, named))
        if advocate is not None:
            copy = {**context, "name": None, "advocate_copy": True}
            out.append(_notification(f"{base}-{ADVOCATE_SUFFIX}", case, letter, advocate, False, copy))
    return tuple(out)


def letters_of(decision: Decision) -> tuple[Notification, ...]:
    """:func:`notifications_for` a whole decision: its letters, its case, its (last) event's sequence."""
    if not decision.notifications:
        return ()
    return notifications_for(decision.notifications, decision.case, decision.events[-1].sequence)


def by_hand(decision: Decision) -> Decision:
    """The decision with its event recording the letters owed to a complainant who cannot be emailed
    (they chose post or phone, or gave no address): an officer sends those by hand until letters by post
    are Heard's own. Nothing owed is ever dropped without trace."""
    if not decision.notifications or _complainant_address(decision.case) is not None:
        return decision
    *earlier, last = decision.events
    owed = [notice.purpose.value for notice in decision.notifications]
    recorded = replace(last, changes={**last.changes, "letters_by_hand": owed})
    return replace(decision, events=(*earlier, recorded))


def _notification(
    notification_id: str,
    case: Case,
    letter: OwedNotification,
    to: str,
    child_friendly: bool,
    context: dict[str, Any],
) -> Notification:
    return Notification(
        notification_id=notification_id,
        case_id=case.case_id,
        purpose=letter.purpose,
        to=to,
        template=letter.template,
        child_friendly=child_friendly,
        context=context,
    )


def _complainant_address(case: Case) -> str | None:
    if case.complainant.preferred_contact != ContactPreference.EMAIL:
        return None
    return mailbox(case.complainant.email)


def _advocate_address(case: Case) -> str | None:
    advocacy = case.advocacy
    if advocacy.wish != AdvocacyWish.HAS_ONE or advocacy.accepted is False:
        return None
    return mailbox(advocacy.advocate_email)
