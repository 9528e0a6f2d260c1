"""Advocacy (Children Act 1989 s.26A): the offer of an advocate, the answer, and a change of advocate."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StrictBool, field_validator

from shared.domain.casefile import checks
from shared.domain.casefile.catalogue import ActionSpec, CaseCommand
from shared.domain.casefile.changes import Acting, Changes
from shared.domain.casefile.model import (
    Case,
    ChildViews,
    ChildWishes,
    Day,
    Label,
    OfferChannel,
    Part,
    Reason,
    Text,
)
from shared.domain.representation import single_mailbox
from shared.domain.stages import Actor, Status

ADVOCACY = frozenset({Part.ADVOCACY})
AdvocateName = Annotated[str, Field(min_length=1, max_length=200)]


def _offered(case: Case, actor: Actor, by: str | None) -> None:
    if not case.advocacy.offered:
        checks.refuse("no advocate has been offered yet: record the offer first (offer-advocacy)")


def _accepted(case: Case, actor: Actor, by: str | None) -> None:
    if case.advocacy.accepted is not True:
        checks.refuse("no advocate is recorded as accepted: record the answer first (record-advocacy)")


class OfferAdvocacy(CaseCommand):
    spec = ActionSpec("Offer an advocate", held_ok=True, export=ADVOCACY)
    action: Literal["offer-advocacy"]
    offered_on: Day
    how: OfferChannel

    def decide(self, acting: Acting) -> Changes:
        checks.not_future(self.offered_on, "the offer", acting.today)
        offer = {"offered": True, "offered_on": self.offered_on, "offered_how": self.how}
        return Changes(fields={"advocacy": acting.case.advocacy.model_copy(update=offer)})


class RecordAdvocacy(CaseCommand):
    """The answer to the offer; when accepted, who provides the advocate."""

    spec = ActionSpec("Record the answer to the offer", held_ok=True, checks=(_offered,), export=ADVOCACY)
    action: Literal["record-advocacy"]
    accepted: StrictBool
    provider: Label | None = None
    advocate_name: AdvocateName | None = None

    def decide(self, acting: Acting) -> Changes:
        if self.accepted and self.provider is None:
            checks.refuse("an accepted advocate needs who provides them (provider)")
        if not self.accepted and (self.provider or self.advocate_name):
            checks.refuse("a declined offer has no provider or advocate")
        advocate = {
            "accepted": self.accepted,
            "advocate_organisation": self.provider,
            "advocate_name": self.advocate_name,
        }
        return Changes(fields={"advocacy": acting.case.advocacy.model_copy(update=advocate)})


class ChangeAdvocacy(CaseCommand):
    """A new advocate (or advocacy service): the previous one's email no longer gets copies."""

    spec = ActionSpec(
        "Change the advocate",
        held_ok=True,
        checks=(_accepted,),
        export=frozenset({Part.ADVOCACY, Part.ACCOUNT}),
    )
    action: Literal["change-advocacy"]
    provider: Label
    advocate_name: AdvocateName | None = None
    advocate_email: Annotated[str, Field(max_length=254)] | None = None
    reason: Reason

    @field_validator("advocate_email")
    @classmethod
    def _one_mailbox(cls, value: str | None) -> str | None:
        return single_mailbox(value) if value is not None and value.strip() else None  # blank: none

    def decide(self, acting: Acting) -> Changes:
        changed = {
            "advocate_organisation": self.provider,
            "advocate_name": self.advocate_name,
            "advocate_email": self.advocate_email,
        }
        return Changes(fields={"advocacy": acting.case.advocacy.model_copy(update=changed)})


def _made_for_a_child(case: Case, actor: Actor, by: str | None) -> None:
    if not case.made_for_a_child:
        checks.refuse(
            "the complaint is not made for a child by someone else: there are no separate views to record"
        )


class RecordChildViews(CaseCommand):
    """The child's own wishes and views about a complaint made for them by an adult or an advocate, as the
    officer found them out (Getting the Best from Complaints: the child's view is put first)."""

    spec = ActionSpec(
        "Record the child's wishes and views",
        statuses=(Status.RECEIVED,),  # what acceptance weighs: a later change of heart is a withdrawal
        held_ok=True,
        checks=(_made_for_a_child,),
        export=frozenset({Part.CHILD, Part.ACCOUNT}),
    )
    action: Literal["record-child-views"]
    wishes: ChildWishes
    how: Literal["met-the-child", "phone", "through-advocate", "through-social-worker", "in-writing"]
    ascertained_on: Day | None = None  # None: today
    summary: Text

    def decide(self, acting: Acting) -> Changes:
        case = acting.case
        day = self.ascertained_on or acting.today
        checks.not_future(day, "finding out the child's views", acting.today)
        checks.not_before(day, case.received_date, "finding out the child's views", "the receipt")
        views = ChildViews(wishes=self.wishes, how=self.how, ascertained_on=day, summary=self.summary)
        return Changes(fields={"child_views": views})
