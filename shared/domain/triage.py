"""Triage: which procedure applies, whether the complaint is in time, and excluded matters.

The domain *suggests*; a complaints officer *decides*, and decisions that need reasons carry them.
"""

from __future__ import annotations

import calendar as _calendar
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from shared.domain.errors import NotEligible
from shared.domain.vocabulary import STATUTORY_ROLES, ComplainantRole, Kind, Procedure, Subject


@dataclass(frozen=True)
class Suggestion:
    procedure: Procedure | None  # None: a comment or compliment, which follows no complaints procedure
    reason: str
    needs_sufficient_interest_decision: bool = False
    needs_child_wishes_check: bool = False


def suggest_procedure(kind: Kind, role: ComplainantRole, subject: Subject | None) -> Suggestion:
    """The procedure the role *and* the subject point to (s.26(3)-(3C): an eligible person, about the
    council's children's social care functions towards the child); an officer decides."""
    if kind is not Kind.COMPLAINT:
        return Suggestion(None, "comments and compliments are recorded and answered, not investigated")
    if subject is not Subject.CHILDRENS_SOCIAL_CARE:
        return Suggestion(Procedure.CORPORATE, "the complaint is not about children's social care")
    if role in STATUTORY_ROLES:
        return Suggestion(
            Procedure.STATUTORY, f"a {role} complaining about children's social care (s.26(3) to (3C))"
        )
    if role is ComplainantRole.ADVOCATE:
        return Suggestion(
            Procedure.STATUTORY,
            "an advocate acting for a child: check the child's wishes, and that the child is eligible",
            needs_child_wishes_check=True,
        )
    if role is ComplainantRole.SUFFICIENT_INTEREST:
        return Suggestion(
            Procedure.STATUTORY,
            "statutory if the council decides the person has sufficient interest in the child's welfare",
            needs_sufficient_interest_decision=True,
        )
    # s.26(3)(e): "such other person as the authority consider has a sufficient interest in the child's
    # welfare" is anyone the Act does not name, whether or not they said so: the corporate procedure,
    # unless the council records that decision first.
    return Suggestion(
        Procedure.CORPORATE,
        "the person is not in a role the Children Act names: the corporate procedure, or the statutory one "
        "if the council decides they have sufficient interest in the child's welfare (s.26(3)(e))",
        needs_sufficient_interest_decision=True,
    )


@dataclass(frozen=True)
class SufficientInterestDecision:
    """The council's decision on "any other person with sufficient interest" (s.26(3)(e)): its reasons
    recorded, and the person told (Heard writes to them: the decision owes the letter)."""

    accepted: bool
    reasons: str
    complainant_told: bool = False
    child_told: bool | None = None  # None: not appropriate to tell the child

    def __post_init__(self) -> None:
        if len(self.reasons.strip()) < 10:
            raise NotEligible("a sufficient-interest decision must record its reasons")
        if not self.accepted and not self.complainant_told:
            raise NotEligible("a refused sufficient-interest decision must be told to the complainant")


def add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, _calendar.monthrange(year, month)[1]))


def is_late(grounds_arose: date | None, received: date, limit_months: int = 12) -> bool:
    """After the one-year limit from when the grounds arose. Unknown dates are not late."""
    return grounds_arose is not None and received > add_months(grounds_arose, limit_months)


@dataclass(frozen=True)
class LateComplaintDecision:
    """Discretion to consider a late complaint: it was not reasonable to complain sooner, and it is still
    possible to consider it fairly. Both answers and the reasons are recorded."""

    not_reasonable_to_expect_sooner: bool
    still_fair_to_consider: bool
    reasons: str

    def __post_init__(self) -> None:
        if len(self.reasons.strip()) < 10:
            raise NotEligible("a decision on a late complaint must record its reasons")

    @property
    def accepted(self) -> bool:
        return self.not_reasonable_to_expect_sooner and self.still_fair_to_consider


class ExcludedMatter(StrEnum):
    COURT_PROCEEDINGS = "would-prejudice-court-proceedings"
    CRIMINAL_INVESTIGATION = "would-prejudice-criminal-investigation"
    DISCIPLINARY = "would-prejudice-disciplinary-proceedings"
    CHILD_PROTECTION_CONFERENCE = "child-protection-conference-decision"
    SAFEGUARDING = "safeguarding-concern"
    COURT_REPORT = "court-report"
    ANOTHER_BODY = "another-body"  # another organisation's service (a school, the NHS, the police)


@dataclass(frozen=True)
class Routing:
    destination: str
    immediate: bool
    note: str


ROUTES: dict[ExcludedMatter, Routing] = {
    ExcludedMatter.COURT_PROCEEDINGS: Routing(
        "legal services", False, "deferred until the proceedings end; the complainant is told why"
    ),
    ExcludedMatter.CRIMINAL_INVESTIGATION: Routing(
        "the police investigation", False, "deferred until the investigation ends"
    ),
    ExcludedMatter.DISCIPLINARY: Routing("human resources", False, "deferred until the proceedings end"),
    ExcludedMatter.CHILD_PROTECTION_CONFERENCE: Routing(
        "the child protection conference complaints procedure", False, "the conference chair responds"
    ),
    ExcludedMatter.SAFEGUARDING: Routing(
        "safeguarding procedures (front door / MASH)", True, "referred at once; not delayed by the complaint"
    ),
    ExcludedMatter.COURT_REPORT: Routing(
        "the court", False, "reports to a court are challenged in the proceedings"
    ),
    ExcludedMatter.ANOTHER_BODY: Routing(
        "the organisation responsible", False, "the reason names it and how to complain to it"
    ),
}


def route(matter: ExcludedMatter) -> Routing:
    return ROUTES[matter]


#: Matters regulation 8 defers: the complaint waits on hold and resumes afterwards; it is not routed away.
DEFERRED: frozenset[ExcludedMatter] = frozenset(
    {ExcludedMatter.COURT_PROCEEDINGS, ExcludedMatter.CRIMINAL_INVESTIGATION, ExcludedMatter.DISCIPLINARY}
)


class DeferredMatter(StrEnum):
    """Why a complaint waits (reg 8: it would prejudice these proceedings)."""

    COURT_PROCEEDINGS = "court-proceedings"
    CRIMINAL_INVESTIGATION = "criminal-investigation"
    DISCIPLINARY = "disciplinary-proceedings"


class HoldMatter(StrEnum):
    """Why a case's clocks are stopped: a matter reg 8 defers, or stage 1 paused while an advocate is
    appointed (s.26A; statutory-rules "Stage 1 may be extended (or paused)")."""

    COURT_PROCEEDINGS = "court-proceedings"
    CRIMINAL_INVESTIGATION = "criminal-investigation"
    DISCIPLINARY = "disciplinary-proceedings"
    ADVOCATE_APPOINTMENT = "advocate-appointment"
