"""Two demo years of anonymised cases (2014/15 and 2015/16) whose annual report matches the reference
council's, built by driving the domain as an officer would (register, accept, allocate, respond, ...)
with a clock that starts on 1 April 2014 and only moves forward.

The scenario, as the issue gives it (tests/integration/test_demo_report.py checks the report against it):

- 2014/15: 102 complaints (11 by children and young people, all with an advocate), 66 compliments,
  9 comments; 13 stage 2 investigations started (11 from the year's complaints and 2 from complaints
  received in March 2014, entered when Heard went live); every stage 1 answered in 39 working days;
  1 Ombudsman decision, upheld.
- 2015/16: 133 complaints (17 by children and young people: 10 themselves, 7 through an advocate, all
  17 with an advocate), 68 compliments, 12 comments; 118 answered at stage 1 and not taken further, 7 to
  stage 2, 5 routed elsewhere, 3 declined; stage 1 answered in 30 working days in Q1 to Q3 and 19 in Q4;
  7 stage 2 investigations, all by external investigators (4 resolved, 2 ongoing, 1 with its stage 3
  window open at the report date); every stage 2 answered in 148 working days; 3 review panels on
  complaints of 2014/15, each agreeing with the stage 2 findings; 2 Ombudsman decisions, both upheld,
  with remedies of 5,200 and 1,500 pounds; the reference report's categories.

No email is sent: the notifications a real case owes are left out of the demo's writes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any, Protocol

from pydantic import TypeAdapter

from shared.domain.calendar import LONDON
from shared.domain.case import NewCase, financial_year, format_reference, register
from shared.domain.casefile import Case, Command, Decision, apply
from shared.domain.people import Person
from shared.domain.policy import CouncilPolicy
from shared.domain.representation import RepresentationRequest
from shared.domain.staff import StaffMember
from shared.domain.stages import Actor
from shared.domain.vocabulary import Channel
from shared.reporting.source import ContextFigures

START = date(2014, 4, 1)
OFFICER = "demo.officer"
COMMAND: TypeAdapter[Command] = TypeAdapter(Command)
CONTEXT = {
    2014: ContextFigures(referrals=8226, children_receiving_services=3879),
    2015: ContextFigures(referrals=7987, children_receiving_services=3645),
}


class DemoStore(Protocol):
    def next_reference_number(self, year: int) -> int: ...
    def create(self, new: NewCase) -> None: ...
    def load(self, case_id: str) -> Case | None: ...
    def save(self, decision: Decision, expected_version: int) -> None: ...
    def put_context_figures(self, year: int, figures: ContextFigures) -> None: ...


def _person(person_id: str, name: str, roles: list[str]) -> Person:
    return Person.model_validate(
        {
            "person_id": person_id,
            "name": name,
            "roles": roles,
            "council_officer": False,
            "council_member": False,
            "spouse_or_civil_partner_of_officer_or_member": False,
            "external": True,
        }
    )


PEOPLE = {
    p.person_id: p
    for p in (
        _person("inv-a", "Investigator A", ["investigator"]),
        _person("inv-b", "Investigator B", ["investigator"]),
        _person("ip-a", "Independent Person A", ["independent-person"]),
        _person("pm-a", "Panel Member A", ["panel-member"]),
        _person("pm-b", "Panel Member B", ["panel-member"]),
        _person("pm-c", "Panel Member C", ["panel-member"]),
    )
}
AREAS = ("social-work", "fostering", "residential-care", "family-support", "disabled-children", "adoption")
MANAGERS = {area: f"manager.{area}" for area in AREAS}
#: The demo council's staff: its complaints officer and a service manager for each area.
STAFF = {
    OFFICER: StaffMember(OFFICER, frozenset({Actor.COMPLAINTS_OFFICER}), frozenset()),
    **{
        name: StaffMember(name, frozenset({Actor.SERVICE_MANAGER}), frozenset({a}))
        for a, name in MANAGERS.items()
    },
}
CHANNELS = (
    Channel.ONLINE_FORM,
    Channel.PHONE,
    Channel.ONLINE_FORM,
    Channel.EMAIL,
    Channel.ONLINE_FORM,
    Channel.LETTER,
    Channel.PHONE,
    Channel.IN_PERSON,
    Channel.ONLINE_FORM,
    Channel.COUNCILLOR,
)
SOS, PC, SC, CP, SOE, DOP = (
    "Standards of service",
    "Poor communication",
    "Staff conduct",
    "Child protection issues",
    "Standard of environment",
    "Damage to property",
)
#: 2015/16 complaint categories (reference report, section 4.1): six complaints have two, twenty none.
COMPLAINT_CATEGORIES_2015 = (
    [(SOS, PC)] * 6
    + [(SOS,)] * 72
    + [(PC,)] * 28
    + [(SC,)] * 4
    + [(CP,)] * 1
    + [(SOE,)] * 1
    + [(DOP,)] * 1
    + [()] * 20
)
COMPLAINT_CATEGORIES_2014 = [(SOS,)] * 60 + [(PC,)] * 25 + [(SC,)] * 5 + [()] * 12
COMPLIMENT_CATEGORIES_2015 = (
    ["Standards of service"] * 18
    + ["Standard of practice (social worker)"] * 38
    + ["Good partnership working"] * 5
    + ["Good communication"] * 2
    + ["Good child focus"] * 5
)
COMPLIMENT_CATEGORIES_2014 = (
    ["Standards of service"] * 20
    + ["Standard of practice (social worker)"] * 34
    + ["Good partnership working"] * 6
    + ["Good communication"] * 4
    + ["Good child focus"] * 2
)
#: Service improvements from upheld stage 2 complaints (reference report, section 4.4).
IMPROVEMENTS = (
    "Re-emphasise to social workers keeping data safe and records stored as data protection requires",
    "Improve the quality of social workers' assessment and analysis",
    "Reduce drift and delay in care planning; keep assessments up to date",
    "Assess children with a disability as children in need",
    "Review the CAF process and its robustness",
    "Reduce the time taken to respond to complaints",
    "Support front line managers to respond to complaints at stage 1",
    "Reinforce the need to return calls within corporate timescales",
)
STAGE1_TARGET = {2014: 39, 2015: 30}  # working days; 2015/16 Q4 onwards: 19
STAGE2_DAYS = 148


Step = tuple[date, Callable[[], None]]


@dataclass
class _Case:
    """One demo case: its id, and its steps (date, what is done), in order."""

    number: int
    steps: list[Step] = field(default_factory=list)


class DemoBuilder:
    def __init__(self, store: DemoStore, policy: CouncilPolicy | None = None) -> None:
        self.store = store
        self.policy = policy or CouncilPolicy()
        self.calendar = self.policy.calendar()
        self.cases: list[_Case] = []
        self.today = START
        self.ids: dict[int, str] = {}
        #: The date the report is run: 5 working days after the last stage 2 answer of 2015/16.
        self.report_date = START

    # --- dates ----------------------------------------------------------------------------------

    def add(self, day: date, working_days: int) -> date:
        return self.calendar.add_working_days(day, working_days)

    @staticmethod
    def target(day: date) -> int:
        """The working days a stage 1 answered on ``day`` takes in the scenario."""
        if day < date(2015, 4, 1):
            return STAGE1_TARGET[2014]
        return STAGE1_TARGET[2015] if day < date(2016, 1, 1) else 19

    def stage1_answer(self, received: date) -> date | None:
        """The answer date that keeps the scenario's averages, if a complaint received then has one."""
        deemed = self.calendar.deemed_receipt(received)
        for days in (39, 30, 19):
            sent = self.add(deemed, days)
            if self.target(sent) == days:
                return sent
        return None

    def spread(self, year: int, count: int, *, complaints: bool) -> list[date]:
        """``count`` received dates spread over financial ``year`` (for complaints, only dates whose
        stage 1 answer keeps the averages)."""
        first, last = date(year, 4, 1), date(year + 1, 3, 31)
        span = (last - first).days
        days = []
        for i in range(count):
            day = date.fromordinal(first.toordinal() + span * i // count + 1)
            while complaints and self.stage1_answer(day) is None:
                day = date.fromordinal(day.toordinal() + 1)
            days.append(day)
        return days

    # --- actions ----------------------------------------------------------------------------------

    def _act(self, number: int, body: dict[str, Any], actor: Actor = Actor.COMPLAINTS_OFFICER) -> None:
        case = self.store.load(self.ids[number])
        assert case is not None
        now = datetime.combine(self.today, time(12, 0), tzinfo=LONDON)
        decision = apply(
            case, COMMAND.validate_python(body), actor, OFFICER, now, self.policy, people=PEOPLE, staff=STAFF
        )
        self.store.save(decision, case.version)

    def _register(self, number: int, received: date, request: dict[str, Any], channel: Channel) -> None:
        year = financial_year(received)
        reference = format_reference(year, self.store.next_reference_number(year))
        new = register(
            RepresentationRequest.model_validate(request),
            case_id=f"demo-{number:05d}",
            reference=reference,
            received_at=datetime.combine(received, time(12, 0), tzinfo=LONDON),
            registered_at=datetime.combine(self.today, time(12, 0), tzinfo=LONDON),
            policy=self.policy,
            channel=channel,
            recorded_by=None if channel is Channel.ONLINE_FORM else OFFICER,
        )
        self.store.create(NewCase(case=new.case, event=new.event))  # the demo sends no email
        self.ids[number] = new.case_id

    def hear_the_child(self, case: _Case, on: date) -> None:
        """What the council records before accepting a complaint about a child (when the step runs): the
        offer of an advocate to a child who complains, the child's own views of a complaint someone else
        makes for them."""
        case.steps.append((on, lambda: self._hear(case.number, on)))

    def _hear(self, number: int, on: date) -> None:
        stored = self.store.load(self.ids[number])
        assert stored is not None
        if stored.by_a_child and not stored.advocacy.offered:
            self._act(number, {"action": "offer-advocacy", "offered_on": on.isoformat(), "how": "letter"})
        if stored.made_for_a_child:
            views = {
                "action": "record-child-views",
                "wishes": "agrees",
                "how": "through-social-worker",
                "ascertained_on": on.isoformat(),
                "summary": "The child agrees with the complaint made for them.",
            }
            self._act(number, views)

    def new_case(self) -> _Case:
        case = _Case(number=len(self.cases) + 1)
        self.cases.append(case)
        return case

    def step(
        self, case: _Case, day: date, body: dict[str, Any], actor: Actor = Actor.COMPLAINTS_OFFICER
    ) -> None:
        case.steps.append((day, lambda: self._act(case.number, body, actor)))

    # --- the scenario -----------------------------------------------------------------------------

    def representation(
        self, received: date, kind: str, categories: tuple[str, ...], index: int, *, on: date | None = None
    ) -> _Case:
        """A compliment or comment received, then recorded with its categories."""
        case = self.new_case()
        area = AREAS[index % len(AREAS)]
        request = {
            "kind": kind,
            "role": "parent",
            "what_happened": f"Demo {kind} {case.number}",
            "service_area": area,
            "team_or_worker": "the team",
        }
        channel = CHANNELS[index % len(CHANNELS)]
        number = case.number
        case.steps.append((on or received, lambda: self._register(number, received, request, channel)))
        about = ("the team",) if kind == "compliment" else ()
        self.step(
            case,
            self.add(received, 2),
            {"action": "record", "categories": list(categories), "about": list(about)},
        )
        return case

    def complaint(
        self,
        received: date,
        index: int,
        categories: tuple[str, ...],
        *,
        child: str | None = None,
        fate: str = "resolved",
        on: date | None = None,
    ) -> tuple[_Case, date | None]:
        """A complaint to its stage 1 answer (or routed, or declined); returns it and the answer date.
        ``child``: "self" (made by a child, who takes up the advocate offered) or "advocate"."""
        case = self.new_case()
        area = AREAS[index % len(AREAS)]
        request: dict[str, Any] = {
            "kind": "complaint",
            "role": "parent",
            "subject": "childrens-social-care",
            "on_behalf_of": "a-child",
            "what_happened": f"Demo complaint {case.number}",
            "service_area": area,
            "preferred_contact": "post",
            "address": "1 Demo Street",
        }
        if child == "self":
            request |= {"role": "child-looked-after", "advocacy": "wants-one", "advocacy_offered": True}
        elif child == "advocate":
            request |= {
                "role": "advocate",
                "on_behalf_of": "a-child",
                "advocacy": "has-one",
                "advocate_name": "Demo Advocate",
                "advocate_organisation": "Barnardo's",
                "advocacy_offered": True,
            }
        procedure = "corporate" if index % 10 == 9 and fate == "resolved" else "statutory"
        channel = CHANNELS[index % len(CHANNELS)]
        number = case.number
        case.steps.append((on or received, lambda: self._register(number, received, request, channel)))
        triage = max(on or received, self.add(received, 1))
        points = ["The first point", "The second point"][: 1 + index % 2]
        self.step(
            case,
            triage,
            {
                "action": "allocate",
                "manager": MANAGERS[area],
                "categories": list(categories),
                "complaint_points": points,
                "service_area": area,
            },
        )
        if fate == "routed":
            self.step(
                case,
                triage,
                {
                    "action": "route",
                    "matter": "safeguarding-concern",
                    "reason": "A safeguarding concern, referred on",
                },
            )
            return case, None
        if fate == "declined":
            self.step(
                case, triage, {"action": "decline", "reason": "Not about the council's services to a child"}
            )
            return case, None
        self.hear_the_child(case, triage)
        self.step(
            case,
            triage,
            {"action": "accept", "procedure": procedure, "reason": "Accepted as the procedure applies"},
        )
        if child == "self":
            self.step(case, triage, {"action": "record-advocacy", "accepted": True, "provider": "Barnardo's"})
        sent = self.stage1_answer(received)
        assert sent is not None
        outcomes = ("upheld", "partially-upheld", "not-upheld")
        findings = [{"point": p, "outcome": outcomes[(index + i) % 3]} for i, p in enumerate(points)]
        resolutions = ["Full explanation of why decisions were made"] + (
            ["Apology"] if index % 3 != 2 else []
        )
        self.step(
            case,
            sent,
            {
                "action": "respond-stage1",
                "sent_on": sent.isoformat(),
                "findings": findings,
                "resolutions": resolutions,
            },
        )
        if fate == "resolved":
            self.step(case, self.add(sent, 21), {"action": "window-expired"}, Actor.SYSTEM)
        return case, sent

    def stage2(
        self,
        case: _Case,
        requested: date,
        *,
        answered: bool = True,
        after: str = "close",
        upheld: bool = True,
    ) -> date | None:
        """Stage 2 from ``requested``: appointments, report and the adjudication 148 working days later.
        ``after``: "close" (the window expires), "open" (still open at the report date) or "stage3"."""
        attest = {
            "attested_on": requested.isoformat(),
            "declarations_true": True,
            "no_connection_with_the_case": True,
        }
        self.step(case, requested, {"action": "request-stage2", "requested_on": requested.isoformat()})
        self.step(
            case,
            requested,
            {
                "action": "appoint-investigator",
                "person_id": "inv-a" if case.number % 2 else "inv-b",
                "attestation": attest,
            },
        )
        self.step(
            case,
            requested,
            {"action": "appoint-independent-person", "person_id": "ip-a", "attestation": attest},
        )
        if not answered:
            return None
        sent = self.add(requested, STAGE2_DAYS)
        findings = [{"point": "The first point", "outcome": "upheld" if upheld else "not-upheld"}]
        self.step(
            case,
            self.add(requested, STAGE2_DAYS - 5),
            {
                "action": "record-investigation-report",
                "submitted_on": self.add(requested, STAGE2_DAYS - 5).isoformat(),
                "findings": findings,
            },
        )
        self.step(
            case,
            sent,
            {
                "action": "respond-stage2",
                "sent_on": sent.isoformat(),
                "findings": findings,
                "resolutions": ["Apology"],
            },
            Actor.SENIOR_LEADERSHIP,
        )
        if after == "close":
            self.step(case, self.add(sent, 21), {"action": "window-expired"}, Actor.SYSTEM)
        elif after == "stage3":
            return self.stage3(case, self.add(sent, 5), findings)
        return sent

    def stage3(self, case: _Case, requested: date, findings: list[dict[str, str]]) -> date:
        """A review panel agreeing with the stage 2 findings; returns the date of the authority's answer."""
        attest = {
            "attested_on": requested.isoformat(),
            "declarations_true": True,
            "no_connection_with_the_case": True,
        }
        meets = self.add(requested, 20)
        self.step(case, requested, {"action": "request-stage3", "requested_on": requested.isoformat()})
        self.step(
            case,
            self.add(requested, 5),
            {
                "action": "convene-panel",
                "chair": "pm-a",
                "meeting_on": meets.isoformat(),
                "members": [{"person_id": p, "attestation": attest} for p in ("pm-a", "pm-b", "pm-c")],
            },
        )
        self.step(case, meets, {"action": "panel-met", "met_on": meets.isoformat()})
        reported = self.add(meets, 4)
        self.step(
            case,
            reported,
            {
                "action": "panel-reported",
                "reported_on": reported.isoformat(),
                "findings": findings,
                "sent_to_complainant": True,
                "sent_to_independent_person": True,
            },
        )
        answered = self.add(reported, 10)
        self.step(
            case,
            answered,
            {
                "action": "respond-stage3",
                "sent_on": answered.isoformat(),
                "independent_person_view_considered": True,
                "ombudsman_details_given": True,
            },
            Actor.SENIOR_LEADERSHIP,
        )
        self.step(case, self.add(answered, 21), {"action": "close", "reason": "The procedure is complete"})
        return answered

    def ombudsman(self, case: _Case, after: date, remedy_pence: int) -> date:
        """A complaint to the Ombudsman a week after ``after``, upheld 30 working days later."""
        received, decided = self.add(after, 5), self.add(after, 35)
        self.step(case, received, {"action": "ombudsman-enquiry", "received_on": received.isoformat()})
        self.step(
            case,
            decided,
            {
                "action": "ombudsman-decision",
                "decided_on": decided.isoformat(),
                "outcome": "upheld",
                "remedy_pence": remedy_pence,
                "remedies": ["Financial remedy"] if remedy_pence else [],
            },
        )
        return decided

    def actions(self, case: _Case, added: date, items: tuple[str, ...], done: int) -> None:
        for i, description in enumerate(items):
            due = self.add(added, 40 + 10 * i)
            self.step(
                case,
                added,
                {
                    "action": "add-action",
                    "description": description,
                    "owner": "head.of.service",
                    "due_on": due.isoformat(),
                },
            )
            if i < done:
                self.step(
                    case,
                    self.add(added, 30),
                    {"action": "update-action", "item_id": f"A{i + 1}", "status": "done"},
                )

    def year_2014(self) -> None:
        # Two complaints received in March 2014, entered when Heard went live, go to stage 2 in 2014/15.
        for i, received in enumerate((date(2014, 3, 3), date(2014, 3, 10))):
            case, sent = self.complaint(received, i, (SOS,), fate="stage2", on=START)
            assert sent is not None
            self.stage2(case, self.add(sent, 3))
        children = ["self"] * 6 + ["advocate"] * 5
        stage2_from = {5, 10, 15, 20, 25, 30, 40, 50, 60, 65, 70}  # 11 of the year's complaints
        for i, received in enumerate(self.spread(2014, 102, complaints=True)):
            child = children[i // 9] if i % 9 == 0 and i // 9 < len(children) else None
            fate = "stage2" if i in stage2_from else "resolved"
            case, sent = self.complaint(received, i, COMPLAINT_CATEGORIES_2014[i], child=child, fate=fate)
            if fate != "stage2":
                continue
            assert sent is not None
            requested = self.add(sent, 3)
            if i == 10:  # answered in 2014/15, then the year's Ombudsman decision
                answered = self.stage2(case, requested)
                assert answered is not None
                self.ombudsman(case, answered, 0)
            elif i in (60, 65, 70):  # answered in 2015/16, then a review panel; two go to the Ombudsman
                panel_answered = self.stage2(case, requested, after="stage3", upheld=False)
                assert panel_answered is not None
                if i != 65:
                    self.ombudsman(case, panel_answered, 520_000 if i == 60 else 150_000)
            else:
                self.stage2(case, requested)
        for i, received in enumerate(self.spread(2014, 66, complaints=False)):
            self.representation(received, "compliment", (COMPLIMENT_CATEGORIES_2014[i],), i)
        for i, received in enumerate(self.spread(2014, 9, complaints=False)):
            self.representation(received, "comment", (), i)

    def year_2015(self) -> None:
        children = ["self"] * 10 + ["advocate"] * 7
        fates = dict.fromkeys((3, 8, 12, 16, 47, 70, 85), "stage2")
        fates |= dict.fromkeys((20, 45, 65, 95, 115), "routed") | dict.fromkeys((30, 60, 100), "declined")
        stage2_cases = []
        for i, received in enumerate(self.spread(2015, 133, complaints=True)):
            child = children[i // 7] if i % 7 == 0 and i // 7 < len(children) else None
            fate = fates.get(i, "resolved")
            case, sent = self.complaint(received, i, COMPLAINT_CATEGORIES_2015[i], child=child, fate=fate)
            if fate == "stage2":
                assert sent is not None
                stage2_cases.append((case, sent))
        # Four answered and resolved, with action plans; one answered a few days before the report date,
        # its stage 3 window open; two still being investigated.
        for n, (case, sent) in enumerate(stage2_cases):
            if n < 4:
                answered = self.stage2(case, self.add(sent, 3))
                assert answered is not None
                self.actions(
                    case, self.add(answered, 2), IMPROVEMENTS[2 * n : 2 * n + 2], done=1 if n < 2 else 0
                )
            elif n == 4:
                answered = self.stage2(case, self.add(sent, 3), after="open")
                assert answered is not None
                self.report_date = self.add(answered, 5)
            else:
                self.stage2(case, self.add(sent, 3), answered=False)
        for i, received in enumerate(self.spread(2015, 68, complaints=False)):
            self.representation(received, "compliment", (COMPLIMENT_CATEGORIES_2015[i],), i)
        for i, received in enumerate(self.spread(2015, 12, complaints=False)):
            self.representation(received, "comment", (), i)

    def build(self, until: date | None = None) -> None:
        """Both years, every step in date order up to ``until`` (the report date by default); the clock
        never goes back."""
        self.year_2014()
        self.year_2015()
        until = until or self.report_date
        ordered = sorted(
            ((day, case.number, n, run) for case in self.cases for n, (day, run) in enumerate(case.steps)),
            key=lambda step: step[:3],
        )
        for day, _, _, run in ordered:
            if day > until:
                break
            assert day >= self.today, "the demo's clock only moves forward"
            self.today = day
            run()
        for year, figures in CONTEXT.items():
            self.store.put_context_figures(year, figures)


def build_demo(
    store: DemoStore, policy: CouncilPolicy | None = None, until: date | None = None
) -> DemoBuilder:
    builder = DemoBuilder(store, policy)
    builder.build(until)
    return builder
