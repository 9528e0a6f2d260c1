"""What a member of the public tells us: the intake request, validated the same way for the online form
and the JSON API, with a message a 12-year-old understands for every problem."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from datetime import date
from enum import StrEnum
from typing import Annotated, Any, Self, get_args

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic.fields import FieldInfo

from shared.domain.vocabulary import (
    CHILD_ROLES,
    CHILD_WORDING_ROLES,
    ChildView,
    ComplainantRole,
    ContactPreference,
    Kind,
    Subject,
    SupportNeed,
)

# Length limits (documented in docs/decisions.md and the OpenAPI document).
SHORT = 100
MEDIUM = 500
LONG = 5000
EMAIL_MAX = 254
PHONE_PATTERN = re.compile(r"^\+?[0-9(][0-9 ()-]{5,18}[0-9]$")
#: The earliest date "when it happened" may be: anything earlier is a typing mistake.
EARLIEST_DATE = date(1900, 1, 1)
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
#: Free text keeps new lines and tabs (a carriage return becomes a new line); every other field is one line.
FREE_TEXT = frozenset({"what_happened", "outcome_wanted", "address", "support_other"})
#: Control characters (C0, DEL, C1) and lone surrogates, which no text a person types contains.
REFUSED_IN_FREE_TEXT = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
#: The same, and new lines, tabs and the Unicode line and paragraph separators.
REFUSED_IN_ONE_LINE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")
#: Characters that show nothing: zero-width spaces and joiners, word joiner, byte order mark, soft hyphen
#: and the rest of Unicode's format characters (category Cf), and the "filler" letters that look blank.
_BLANK_LETTERS = frozenset("\u034f\u115f\u1160\u17b4\u17b5\u180e\u2800\u3164\uffa0")


class OnBehalfOf(StrEnum):
    MYSELF = "myself"
    A_CHILD = "a-child"
    SOMEONE_ELSE = "someone-else"


class AdvocacyWish(StrEnum):
    WANTS_ONE = "wants-one"
    HAS_ONE = "has-one"
    NO = "no"


TEXT_FIELDS = (
    "child_name",
    "name",
    "email",
    "phone",
    "address",
    "advocate_name",
    "advocate_organisation",
    "advocate_email",
    "service_area",
    "team_or_worker",
    "what_happened",
    "outcome_wanted",
    "support_other",
    "interpreter_language",
)
Short = Annotated[str, Field(max_length=SHORT)]
Medium = Annotated[str, Field(max_length=MEDIUM)]
Email = Annotated[str, Field(max_length=EMAIL_MAX)]


def is_blank(text: str) -> bool:
    """True when nothing visible is left once whitespace and invisible characters are removed."""
    return all(c.isspace() or c in _BLANK_LETTERS or unicodedata.category(c) == "Cf" for c in text)


def load_email_validator() -> None:
    """Import email-validator now rather than at the first address (it costs ~15 ms, nearly all in
    compiling its Unicode patterns): for a function that prepares before a snapshot."""
    import email_validator  # noqa: F401


def single_mailbox(address: str) -> str:
    """The address as SES can deliver it to exactly one mailbox (the domain in its ASCII, punycode
    form), or ValueError. No display names, groups, lists, quoted or internationalised local parts, IP
    literals or ports. email-validator is imported here: it costs ~20 ms of cold start."""
    from email_validator import EmailNotValidError, validate_email

    try:
        valid = validate_email(address, check_deliverability=False, allow_smtputf8=False)
    except EmailNotValidError as error:
        raise ValueError("email") from error
    ascii_email = valid.ascii_email
    if not ascii_email or len(ascii_email) > EMAIL_MAX:
        raise ValueError("email")
    return ascii_email


class RepresentationRequest(BaseModel):
    """A new comment, compliment or complaint. Unknown fields are refused; text is kept as text."""

    # Text is stripped after its length is checked, so a limit is on what was sent (as JSON Schema's is).
    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Kind
    role: ComplainantRole
    # No default where the answer changes the procedure or a recorded fact: absent is "not answered".
    subject: Subject | None = None
    on_behalf_of: OnBehalfOf | None = None
    child_name: Short | None = None
    child_date_of_birth: date | None = None
    child_view: ChildView | None = None
    name: Short | None = None
    email: Email | None = None
    phone: Annotated[str, Field(max_length=30)] | None = None
    address: Medium | None = None
    preferred_contact: ContactPreference | None = None
    advocacy: AdvocacyWish | None = None
    # True only when the sender offered an advocate (the online form always does, actively, to whoever it
    # asks); the case records the offer, when and how, only then.
    advocacy_offered: StrictBool = False
    advocate_name: Short | None = None
    advocate_organisation: Short | None = None
    advocate_email: Email | None = None
    service_area: Annotated[str, Field(max_length=40)] | None = None
    team_or_worker: Short | None = None
    what_happened: Annotated[str, Field(min_length=1, max_length=LONG)]
    when_happened: date | None = None
    raised_already: StrictBool | None = None
    outcome_wanted: Annotated[str, Field(max_length=LONG)] | None = None
    # The form asks for the language and the words of "other"; the API takes them when known.
    support: tuple[SupportNeed, ...] = ()
    interpreter_language: Annotated[str, Field(max_length=40)] | None = None
    # Described in words, so shown only in Heard: never in an email.
    support_other: Medium | None = None

    @field_validator(*TEXT_FIELDS, mode="before")
    @classmethod
    def _text(cls, value: Any, info: ValidationInfo) -> Any:
        """Blank (invisible characters included) is empty; control characters are refused."""
        if not isinstance(value, str):
            return value
        free = info.field_name in FREE_TEXT
        if free:
            value = value.replace("\r\n", "\n").replace("\r", "\n")
        if (REFUSED_IN_FREE_TEXT if free else REFUSED_IN_ONE_LINE).search(value):
            raise ValueError("control_free_text" if free else "control_one_line")
        if is_blank(value):
            return "" if info.field_name == "what_happened" else None
        return value

    @field_validator(*TEXT_FIELDS)
    @classmethod
    def _strip(cls, value: str | None) -> str | None:
        return None if value is None else value.strip()

    @field_validator("email", "advocate_email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        return None if value is None else single_mailbox(value)

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str | None) -> str | None:
        if value is not None and not PHONE_PATTERN.match(value):
            raise ValueError("phone")
        return value

    @field_validator("service_area")
    @classmethod
    def _known_area(cls, value: str | None, info: ValidationInfo) -> str | None:
        areas = (info.context or {}).get("service_areas")
        if value is not None and areas is not None and value not in areas:
            raise ValueError("service_area")
        return value

    @field_validator("interpreter_language")
    @classmethod
    def _known_language(cls, value: str | None, info: ValidationInfo) -> str | None:
        languages = (info.context or {}).get("interpreter_languages")
        if value is not None and languages is not None and value not in languages:
            raise ValueError("interpreter_language")
        return value

    @field_validator("support")
    @classmethod
    def _once_each(cls, value: tuple[SupportNeed, ...]) -> tuple[SupportNeed, ...]:
        return tuple(dict.fromkeys(value))

    @field_validator("when_happened", "child_date_of_birth", mode="before")
    @classmethod
    def _iso_date(cls, value: Any) -> Any:
        """A date is a string YYYY-MM-DD: never a number (which pydantic would read as a timestamp)."""
        if value is None or isinstance(value, date):
            return value
        if not isinstance(value, str) or not ISO_DATE.match(value.strip()):
            raise ValueError("date")
        return value.strip()

    @field_validator("when_happened", "child_date_of_birth")
    @classmethod
    def _not_in_future(cls, value: date | None, info: ValidationInfo) -> date | None:
        if value is not None and value < EARLIEST_DATE:
            raise ValueError("too_old")
        today = (info.context or {}).get("today")
        if value is not None and today is not None and value > today:
            raise ValueError("future")
        return value

    @model_validator(mode="after")
    def _complete(self) -> Self:
        """Every missing answer at once (a complaint's procedure and contact depend on them)."""
        problems: list[tuple[str, str]] = []
        complaint = self.kind is Kind.COMPLAINT
        if complaint and self.subject is None:
            problems.append(("subject", "missing"))
        if complaint and self.preferred_contact is None:
            problems.append(("preferred_contact", "missing"))
        needs = {
            ContactPreference.EMAIL: ("email", self.email),
            ContactPreference.PHONE: ("phone", self.phone),
            ContactPreference.POST: ("address", self.address),
            ContactPreference.ADVOCATE: ("advocate_name", self.advocate_name or self.advocate_email),
        }
        if self.preferred_contact is not None:
            field, value = needs[self.preferred_contact]
            if not value:
                problems.append((field, f"missing_for_{self.preferred_contact}"))
        if problems:
            raise _CrossFieldErrors(problems)
        return self

    @property
    def by_a_child(self) -> bool:
        """Made by a child or young person themselves, a care leaver included (offered an advocate)."""
        return self.role in CHILD_ROLES

    @property
    def child_wording(self) -> bool:
        """Written to in the child's words: a child, never a care leaver (an adult)."""
        return self.role in CHILD_WORDING_ROLES

    @property
    def for_a_child(self) -> bool:
        """Made for a child by someone else (an advocate always acts for one)."""
        if self.role is ComplainantRole.ADVOCATE:
            return True
        return self.on_behalf_of is OnBehalfOf.A_CHILD and not self.by_a_child

    @property
    def about_a_child(self) -> bool:
        return self.by_a_child or self.for_a_child

    @property
    def wants_email(self) -> bool:
        """Gave an email address and chose email: the acknowledgement goes there (no consent needed)."""
        return bool(self.email) and self.preferred_contact is ContactPreference.EMAIL


def text_limits() -> dict[str, int]:
    """Every text field's maximum length in characters, from the model (the body limits follow them)."""

    def longest(metadata: Any, annotation: Any) -> int | None:
        found = [m.max_length for m in metadata if isinstance(getattr(m, "max_length", None), int)]
        for arg in get_args(annotation):  # Optional[Annotated[str, Field(max_length=...)]]
            if isinstance(arg, FieldInfo):
                found += [n for n in [longest(arg.metadata, None)] if n is not None]
            elif arg is not None:
                found += [n for n in [longest((), arg)] if n is not None]
        return max(found) if found else None

    limits: dict[str, int] = {}
    for name, info in RepresentationRequest.model_fields.items():
        limit = longest(info.metadata, info.annotation)
        if limit is not None:
            limits[name] = limit
    return limits


class _CrossFieldErrors(ValueError):
    """Problems that need more than one answer to see, each (field, code), reported together."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        super().__init__(", ".join(code for _, code in problems))
        self.problems = problems


# What to tell a person for each problem, by field. Plain words, as the GOV.UK Design System does.
_MESSAGES: dict[str, dict[str, str]] = {
    "kind": {
        "*": "Choose whether you want to make a complaint, say thank you, or tell us an idea or a comment"
    },
    "role": {"*": "Choose who you are"},
    "subject": {"*": "Choose what your complaint is about"},
    "on_behalf_of": {"*": "Choose whether you are telling us this for a child or young person"},
    "child_date_of_birth": {
        "future": "The child's date of birth must be in the past",
        "too_old": "The year of the child's birth must be 1900 or later",
        "*": "Enter a real date of birth, like 27 3 2012, or leave it blank",
    },
    "child_view": {"*": "Choose whether the child knows about this and agrees with it"},
    "raised_already": {"*": "Choose whether you have already told the worker or team about this"},
    "support": {"*": "Choose the help you need from the list"},
    "interpreter_language": {
        "missing": "Choose the language you need an interpreter for",
        "*": "Choose a language from the list",
    },
    "support_other": {"missing": "Tell us what other help you need"},
    "preferred_contact": {"*": "Choose how you would like us to contact you"},
    "advocacy": {"*": "Choose whether you would like help from an advocate"},
    "email": {
        "*": "Enter an email address in the correct format, like name@example.com",
        "missing_for_email": "Enter your email address, or choose another way for us to contact you",
    },
    "advocate_email": {
        "*": "Enter the advocate's email address in the correct format, like name@example.com"
    },
    "phone": {
        "*": "Enter a phone number, like 07700 900 982 or 0121 496 0000",
        "missing_for_phone": "Enter your phone number, or choose another way for us to contact you",
    },
    "address": {"missing_for_post": "Enter your address, or choose another way for us to contact you"},
    "advocate_name": {
        "missing_for_advocate": "Enter your advocate's name, or choose another way for us to contact you"
    },
    "service_area": {"*": "Choose a service from the list, or leave it blank if you are not sure"},
    "what_happened": {
        "missing": "Tell us what you want to say",
        "string_too_short": "Tell us what you want to say",
    },
    "when_happened": {
        "future": "The date it happened must be today or in the past",
        "too_old": "The year it happened must be 1900 or later",
        "*": "Enter a real date, like 27 3 2026, or leave it blank",
    },
}
_LABELS: dict[str, str] = {
    "child_name": "The child's name",
    "name": "Your name",
    "address": "Your address",
    "advocate_name": "The advocate's name",
    "advocate_organisation": "The advocate's organisation",
    "team_or_worker": "The team or worker's name",
    "what_happened": "What you want to tell us",
    "outcome_wanted": "What you would like to happen",
    "support_other": "The other help you need",
    "interpreter_language": "The interpreter's language",
    "email": "Your email address",
    "advocate_email": "The advocate's email address",
    "phone": "Your phone number",
    "service_area": "The service",
}


class FieldProblem(BaseModel):
    field: str
    message: str


def describe_errors(error: ValidationError) -> list[FieldProblem]:
    """One human message per field, in form order (first problem per field)."""
    return describe_details(error.errors())


def describe_details(details: Iterable[Mapping[str, Any]]) -> list[FieldProblem]:
    """:func:`describe_errors` for pydantic's error details of a representation (``loc`` from the
    representation's own fields), wherever they were validated: the intake's, or the officer API's
    resolver validating a representation inside another body."""
    order = list(RepresentationRequest.model_fields)
    problems: dict[str, str] = {}
    for detail in details:
        loc = detail["loc"]
        field = str(loc[0]) if loc else ""
        code = detail["type"]
        ctx = detail.get("ctx") or {}
        inner = ctx.get("error")
        if isinstance(inner, _CrossFieldErrors):
            for cross_field, cross_code in inner.problems:
                problems.setdefault(cross_field, _message(cross_field, cross_code, ctx))
            continue
        if code == "value_error" and inner is not None:
            code = str(inner)
        if field in problems:
            continue
        problems[field] = _message(field, code, ctx)
    return [
        FieldProblem(field=f, message=m)
        for f, m in sorted(problems.items(), key=lambda p: _position(order, p[0]))
    ]


def _position(order: list[str], field: str) -> int:
    return order.index(field) if field in order else len(order)


def label(field: str) -> str:
    """The field as people know it: "What you want to tell us"."""
    return _LABELS.get(field, field.replace("_", " ").capitalize())


def _message(field: str, code: str, ctx: dict[str, Any]) -> str:
    if code == "extra_forbidden":
        return f"'{field}' is not something we ask for: remove it"
    specific = _MESSAGES.get(field, {})
    if code in specific:
        return specific[code]
    named = label(field)
    if code == "string_too_long":
        return f"{named} must be {ctx.get('max_length', 0):,} characters or fewer"
    if code == "control_one_line":
        return (
            f"{named} has a hidden character or a new line in it that we cannot accept: "
            "type it again on one line"
        )
    if code == "control_free_text":
        return (
            f"{named} has a hidden character in it that we cannot accept: try typing it instead of pasting it"
        )
    if code == "missing" and field in _LABELS:
        return f"Enter {named[0].lower()}{named[1:]}"
    return specific.get("*", f"{named} is not valid")
