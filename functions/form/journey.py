"""The form's question pages: which apply to whom, what each asks, and how an answer is checked.

Pure: no HTTP, no storage. A child gets five or six short questions, an adult a few more; everyone
ends at "Check your answers". Answers are kept as the form sends them (strings, lists for checkboxes)
and become the JSON API's request only at the end, so the form and the API share one model."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from shared.domain.policy import CouncilPolicy
from shared.domain.representation import AdvocacyWish, OnBehalfOf, describe_errors, is_blank
from shared.domain.vocabulary import (
    CHILD_ROLES,
    SUPPORT_WORDS,
    ChildView,
    ComplainantRole,
    ContactPreference,
    Kind,
    Subject,
    SupportNeed,
)

Answers = Mapping[str, str | list[str]]
Option = tuple[str, str, str | None]  # value, label, hint


@dataclass(frozen=True)
class Question:
    name: str
    widget: str  # radios, checkboxes, input, textarea, date, select
    label: str
    hint: str | None = None
    options: tuple[Option, ...] = ()
    optional: bool = False
    missing: str = ""  # the error when a required question is not answered
    #: Follow-up questions shown under an option (GOV.UK conditional reveal with JavaScript; a page of
    #: their own without it).
    reveals: Mapping[str, tuple[Question, ...]] = field(default_factory=dict)
    input_type: str = "text"
    autocomplete: str | None = None
    width: str | None = None
    maxlength: int | None = None
    rows: int = 5

    @property
    def legend(self) -> str:
        return f"{self.label} (optional)" if self.optional else self.label

    @property
    def fields(self) -> tuple[str, ...]:
        """The names the question posts (a date posts three boxes)."""
        if self.widget == "date":
            return tuple(f"{self.name}-{part}" for part in DATE_PARTS)
        return (self.name,)


#: Every question page the form may post, named once (the OpenAPI document's enum reads it).
PAGE_IDS = (
    "who",
    "kind",
    "about",
    "for-child",
    "child",
    "what",
    "details",
    "help",
    "contact",
    "help-more",
    "contact-more",
)


@dataclass(frozen=True)
class Page:
    id: str
    title: str
    questions: tuple[Question, ...]
    intro: str | None = None  # a template partial shown above the questions
    followup_of: str | None = None  # the page whose revealed questions this asks without JavaScript

    def __post_init__(self) -> None:
        if self.id not in PAGE_IDS:  # the OpenAPI document lists the pages a post may name
            raise ValueError(f"page '{self.id}' is not in PAGE_IDS")

    def all_questions(self, with_reveals: bool) -> tuple[Question, ...]:
        found: list[Question] = []
        for question in self.questions:
            found.append(question)
            if with_reveals:
                for revealed in question.reveals.values():
                    found.extend(revealed)
        return tuple(found)


DATE_PARTS = ("day", "month", "year")
LIST_FIELDS = frozenset({"support"})
YES_NO: tuple[Option, ...] = (("yes", "Yes", None), ("no", "No", None))

#: "Who are you?" in the words people use, each a role of the statute (s.26(3) to (3C)) or beyond it.
ROLES: tuple[Option, ...] = (
    ("child-looked-after", "I am a child or young person in care", None),
    ("child-in-need", "I am a child or young person who gets help from children's social care", None),
    ("care-leaver", "I am a young person who has left care", None),
    (
        "child-subject-to-special-guardianship-order",
        "I am a child or young person living with a special guardian",
        None,
    ),
    ("adopted-child", "I am a child or young person who was adopted", None),
    ("parent", "A parent", None),
    ("person-with-parental-responsibility", "Someone else with parental responsibility for a child", None),
    ("local-authority-foster-carer", "A foster carer", None),
    ("special-guardian", "A special guardian", "A court has made you a child's special guardian"),
    (
        "person-seeking-special-guardianship-support-assessment",
        "Someone who has asked for an assessment for special guardianship support",
        None,
    ),
    ("prospective-adopter", "Someone hoping to adopt", None),
    ("adoptive-parent", "An adoptive parent", None),
    ("adopted-person", "An adult who was adopted", None),
    ("birth-parent", "A birth parent of a child who was adopted", None),
    (
        "guardian-in-adoption",
        "A guardian of a child who was adopted or may be adopted",
        "Appointed to bring the child up in place of a parent who has died, not a special guardian",
    ),
    ("person-receiving-adoption-support", "Someone getting adoption support", None),
    ("advocate", "An advocate for a child or young person", None),
    (
        "other-person-with-sufficient-interest",
        "Someone else who cares about a child",
        "For example, a grandparent. We will decide if the children's complaints procedure set by law is "
        "open to you, and tell you",
    ),
    ("other", "None of these", None),
)
KIND_WORDS = {
    Kind.COMPLAINT.value: "Make a complaint",
    Kind.COMPLIMENT.value: "Say thank you",
    Kind.COMMENT.value: "Tell us an idea or a comment",
}


def _get(answers: Answers, name: str) -> str:
    value = answers.get(name, "")
    return value if isinstance(value, str) else ""


def is_child(answers: Answers) -> bool:
    return _get(answers, "role") in {role.value for role in CHILD_ROLES}


def for_a_child(answers: Answers) -> bool:
    return _get(answers, "role") == ComplainantRole.ADVOCATE.value or (
        not is_child(answers) and _get(answers, "on_behalf_of") == OnBehalfOf.A_CHILD.value
    )


def _who() -> Page:
    role = Question(
        "role",
        "radios",
        "Who are you?",
        hint="Choose the one that fits you best. We will ask the right questions for you.",
        options=ROLES,
        missing="Choose who you are",
    )
    return Page("who", "Who are you?", (role,))


def _kind() -> Page:
    kind = Question(
        "kind",
        "radios",
        "What would you like to do?",
        options=(
            (
                "complaint",
                KIND_WORDS["complaint"],
                "Something has gone wrong, or you are unhappy with how you were treated",
            ),
            ("compliment", KIND_WORDS["compliment"], "Tell us about someone or something that helped"),
            ("comment", KIND_WORDS["comment"], None),
        ),
        missing="Choose whether you want to make a complaint, say thank you, or tell us an idea or a comment",
    )
    return Page("kind", "What would you like to do?", (kind,))


def _about(child: bool) -> Page:
    subject = Question(
        "subject",
        "radios",
        "What is your complaint about?",
        options=(
            (
                Subject.CHILDRENS_SOCIAL_CARE.value,
                "The help I get from children's social care"
                if child
                else "The help a child or family gets from children's social care",
                "For example, a social worker, a care placement, a plan, a meeting or a decision",
            ),
            (
                Subject.SOMETHING_ELSE.value,
                "Something else the council does",
                "For example, schools, housing or bins",
            ),
        ),
        missing="Choose what your complaint is about",
    )
    raised = Question(
        "raised_already",
        "radios",
        "Have you already told your worker or their team about it?"
        if child
        else "Have you already told the worker or team about it?",
        options=YES_NO,
        missing="Choose whether you have already told the worker or team about it",
    )
    return Page("about", "About your complaint", (subject, raised))


def _for_child() -> Page:
    on_behalf_of = Question(
        "on_behalf_of",
        "radios",
        "Are you telling us this for a child or young person?",
        options=(
            (OnBehalfOf.A_CHILD.value, "Yes, for a child or young person", None),
            (OnBehalfOf.MYSELF.value, "No, for myself", None),
        ),
        missing="Choose whether you are telling us this for a child or young person",
    )
    return Page("for-child", "Are you telling us this for a child or young person?", (on_behalf_of,))


def _child() -> Page:
    return Page(
        "child",
        "About the child or young person",
        (
            Question("child_name", "input", "Their name", optional=True, autocomplete="off"),
            Question(
                "child_date_of_birth",
                "date",
                "Their date of birth, if you know it",
                hint="For example, 27 3 2012",
                optional=True,
            ),
            Question(
                "child_view",
                "radios",
                "Do they know you are telling us, and do they agree?",
                options=(
                    (ChildView.KNOWS_AND_AGREES.value, "They know and they agree", None),
                    (ChildView.KNOWS_AND_DOES_NOT_AGREE.value, "They know but they do not agree", None),
                    (ChildView.DOES_NOT_KNOW.value, "They do not know", None),
                    (ChildView.NOT_SURE.value, "I am not sure", None),
                ),
                missing="Choose whether the child knows about this and agrees with it",
            ),
        ),
    )


def _what(kind: str, child: bool, limit: int) -> Page:
    if kind == Kind.COMPLIMENT.value:
        label, hint = "What would you like to say thank you for?", "Tell us who helped and what they did."
    elif kind == Kind.COMMENT.value:
        label, hint = "What is your idea or comment?", None
    else:
        label = "What happened?"
        hint = (
            "Tell us in your own words. Do not worry about spelling."
            if child
            else ("Tell us what happened, who was involved and where.")
        )
    questions = [
        Question(
            "what_happened",
            "textarea",
            label,
            hint=hint,
            maxlength=limit,
            rows=8,
            missing="Tell us what you want to say",
        )
    ]
    if kind == Kind.COMPLAINT.value:
        questions.append(
            Question(
                "outcome_wanted",
                "textarea",
                "What would you like to happen?",
                hint="If you are not sure, you can say so.",
                maxlength=limit,
                rows=4,
                missing="Tell us what you would like to happen",
            )
        )
    title = questions[0].label if len(questions) == 1 else "Tell us about it"
    return Page("what", title, tuple(questions))


def _details(kind: str, policy: CouncilPolicy) -> Page:
    areas: tuple[Option, ...] = tuple((area.id, area.name, None) for area in policy.service_areas)
    questions = []
    if kind != Kind.COMPLIMENT.value:
        questions.append(
            Question(
                "when_happened",
                "date",
                "When did it happen?",
                hint="For example, 27 3 2026. Leave it blank if you are not sure.",
                optional=True,
            )
        )
    questions += [
        Question("service_area", "select", "Which service is it about?", options=areas, optional=True),
        Question(
            "team_or_worker",
            "input",
            "Who would you like to thank?"
            if kind == Kind.COMPLIMENT.value
            else "The name of the team or worker",
            hint="A name or a team, if you know it.",
            optional=True,
        ),
    ]
    return Page("details", "A few more details", tuple(questions))


def _advocate_questions() -> tuple[Question, ...]:
    return (
        Question(
            "advocate_name",
            "input",
            "Your advocate's name",
            autocomplete="off",
            missing="Enter your advocate's name",
        ),
        Question(
            "advocate_organisation",
            "input",
            "Who they work for",
            optional=True,
            hint="For example, a children's charity",
        ),
        Question(
            "advocate_email",
            "input",
            "Your advocate's email address",
            optional=True,
            input_type="email",
            autocomplete="off",
        ),
    )


def _support_question(policy: CouncilPolicy) -> Question:
    languages: tuple[Option, ...] = tuple((name, name, None) for name in policy.interpreter_languages)
    return Question(
        "support",
        "checkboxes",
        "Do you need any help to talk to us?",
        hint="Choose all that you need.",
        options=tuple((need.value, SUPPORT_WORDS[need], None) for need in SupportNeed),
        optional=True,
        reveals={
            SupportNeed.INTERPRETER.value: (
                Question(
                    "interpreter_language",
                    "select",
                    "Which language?",
                    options=languages,
                    missing="Choose the language you need an interpreter for",
                ),
            ),
            SupportNeed.OTHER.value: (
                Question(
                    "support_other",
                    "textarea",
                    "What help do you need?",
                    rows=3,
                    maxlength=500,
                    missing="Tell us what other help you need",
                ),
            ),
        },
    )


def _help(child: bool, offer_advocacy: bool, policy: CouncilPolicy) -> Page:
    questions: list[Question] = []
    if offer_advocacy:
        questions.append(
            Question(
                "advocacy",
                "radios",
                "Would you like help from an advocate?"
                if child
                else "Would the child like help from an advocate?",
                options=(
                    (AdvocacyWish.WANTS_ONE.value, "Yes, please find an advocate", None),
                    (AdvocacyWish.HAS_ONE.value, "There is already an advocate", None),
                    (AdvocacyWish.NO.value, "No, thank you", None),
                ),
                missing="Choose whether you would like help from an advocate",
                reveals={AdvocacyWish.HAS_ONE.value: _advocate_questions()},
            )
        )
    questions.append(_support_question(policy))
    return Page(
        "help",
        "Help to tell us" if offer_advocacy else questions[0].label,
        tuple(questions),
        intro="_advocacy_offer.html" if offer_advocacy else None,
    )


def _contact(kind: str, has_advocate: bool) -> Page:
    options: list[Option] = [
        (ContactPreference.EMAIL.value, "Email", None),
        (ContactPreference.PHONE.value, "Phone", None),
        (ContactPreference.POST.value, "Post", None),
    ]
    if has_advocate:
        options.append((ContactPreference.ADVOCATE.value, "Through the advocate", None))
    complaint = kind == Kind.COMPLAINT.value
    preferred = Question(
        "preferred_contact",
        "radios",
        "How should we contact you?",
        hint=None if complaint else "Leave this blank if you do not need a reply.",
        options=tuple(options),
        optional=not complaint,
        missing="Choose how you would like us to contact you",
        reveals={
            ContactPreference.EMAIL.value: (
                Question(
                    "email",
                    "input",
                    "Email address",
                    hint="We will email you to say we got your message.",
                    input_type="email",
                    autocomplete="email",
                    missing="Enter your email address",
                ),
            ),
            ContactPreference.PHONE.value: (
                Question(
                    "phone",
                    "input",
                    "Phone number",
                    input_type="tel",
                    autocomplete="tel",
                    width="20",
                    missing="Enter your phone number",
                ),
            ),
            ContactPreference.POST.value: (
                Question(
                    "address",
                    "textarea",
                    "Postal address",
                    rows=3,
                    autocomplete="street-address",
                    maxlength=500,
                    missing="Enter your address",
                ),
            ),
        },
    )
    name = Question("name", "input", "Your name", optional=True, autocomplete="name")
    return Page("contact", "How can we contact you?", (name, preferred))


def _followup(page: Page, answers: Answers) -> Page | None:
    """Without JavaScript, the questions revealed by the options chosen on ``page``, on a page of their own."""
    chosen: list[Question] = []
    for question in page.questions:
        picked = answers.get(question.name, "")
        for value in [picked] if isinstance(picked, str) else picked:
            chosen.extend(question.reveals.get(value, ()))
    if not chosen:
        return None
    title = {"contact": "Your contact details", "help": "Tell us a little more"}.get(page.id, page.title)
    return Page(f"{page.id}-more", title, tuple(chosen), followup_of=page.id)


def pages(answers: Answers, policy: CouncilPolicy, text_limit: int, javascript: bool) -> list[Page]:
    """The question pages that apply to these answers, in order (Check your answers is not one)."""
    role, kind = _get(answers, "role"), _get(answers, "kind")
    child = is_child(answers)
    advocate = role == ComplainantRole.ADVOCATE.value
    found = [_who(), _kind()]
    if not kind:
        return found
    if kind == Kind.COMPLAINT.value:
        found.append(_about(child))
    if not child and not advocate:
        found.append(_for_child())
    acting_for_child = for_a_child(answers)
    if kind == Kind.COMPLAINT.value and acting_for_child:
        found.append(_child())
    found.append(_what(kind, child, text_limit))
    if not child:
        found.append(_details(kind, policy))
    offer = kind != Kind.COMPLIMENT.value and (child or (acting_for_child and not advocate))
    found.append(_help(child, offer, policy))
    has_advocate = offer and _get(answers, "advocacy") == AdvocacyWish.HAS_ONE.value
    found.append(_contact(kind, has_advocate))
    if not javascript:
        found = [p for page in found for p in (page, _followup(page, answers)) if p is not None]
    return found


def advocacy_offered(found: list[Page]) -> bool:
    return any(q.name == "advocacy" for page in found for q in page.questions)


# Answers to the model's input ----------------------------------------------------------------------------

#: Radios whose yes/no answer is a boolean in the model.
BOOLEANS = frozenset({"raised_already"})


def date_problem(answers: Answers, name: str) -> str | None:
    """The date's three boxes: all blank, or a day, a month and a four-digit year."""
    day, month, year = (_get(answers, f"{name}-{part}").strip() for part in DATE_PARTS)
    if not (day or month or year):
        return None
    if not (day and month and year):
        return "Enter the day, the month and the year, or leave them all blank"
    if not (day.isdigit() and month.isdigit() and year.isdigit()):
        return "Enter the date in numbers, like 27 3 2026"
    if len(year) != 4:
        return "Enter the year with 4 numbers, like 2026"
    return None


def to_request(answers: Answers, found: list[Page], javascript: bool) -> dict[str, Any]:
    """The answers to the pages that apply, as the model's input (booleans, dates and lists converted)."""
    data: dict[str, Any] = {}
    for page in found:
        for question in page.all_questions(with_reveals=javascript):
            if not is_asked(question, page, answers):  # a follow-up of an option no longer chosen
                continue
            if question.widget == "date":
                if date_problem(answers, question.name) is None:
                    day, month, year = (_get(answers, f"{question.name}-{p}").strip() for p in DATE_PARTS)
                    if year:
                        data[question.name] = f"{year}-{month.zfill(2)}-{day.zfill(2)}"
                continue
            value = answers.get(question.name)
            if value is None or value == "" or value == []:
                continue
            if question.name in BOOLEANS:
                data[question.name] = {"yes": True, "no": False}.get(str(value), value)
            elif question.name in LIST_FIELDS:
                data[question.name] = list(value) if isinstance(value, list) else [value]
            else:
                data[question.name] = value
    data["advocacy_offered"] = advocacy_offered(found)
    return data


def check_page(
    page: Page,
    answers: Answers,
    found: list[Page],
    javascript: bool,
    parse: Callable[[dict[str, Any]], Any],
) -> dict[str, str]:
    """Every problem with this page's answers at once, in the order the page asks them."""
    on_page = page.all_questions(with_reveals=javascript)
    names = {q.name for q in on_page}
    problems: dict[str, str] = {}
    for question in on_page:
        if question.widget == "date":
            problem = date_problem(answers, question.name)
            if problem:
                problems[question.name] = problem
        elif (
            not question.optional
            and not _answered(answers.get(question.name))
            and is_asked(question, page, answers)
        ):
            problems[question.name] = question.missing
    data = to_request(answers, found, javascript)
    data.setdefault("what_happened", "(not yet answered)")  # asked later: checked on its own page
    try:
        parse(data)
    except ValidationError as error:
        for found_problem in describe_errors(error):
            if found_problem.field in names and found_problem.field not in problems:
                problems[found_problem.field] = found_problem.message
    order = [q.name for q in on_page]
    return {name: problems[name] for name in order if name in problems}


def _answered(value: str | list[str] | None) -> bool:
    if isinstance(value, list):
        return bool(value)
    return value is not None and not is_blank(value)


def is_asked(question: Question, page: Page, answers: Answers) -> bool:
    """A revealed question is asked only when its option is chosen."""
    for parent in page.questions:
        for value, revealed in parent.reveals.items():
            if question in revealed:
                chosen = answers.get(parent.name, "")
                return value == chosen or (isinstance(chosen, list) and value in chosen)
    return True
