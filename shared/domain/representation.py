"""What a member of the public tells us: the intake request, validated the same way for the online form
and the JSON API, with a message a 12-year-old understands for every problem."""

from __future__ import annotations

import re
from datetime import date
from enum import StrEnum
from typing import Annotated, Any, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from shared.domain.vocabulary import CHILD_ROLES, ComplainantRole, ContactPreference, Kind

# Length limits (documented in docs/decisions.md and the OpenAPI document).
SHORT = 100
MEDIUM = 500
LONG = 5000
EMAIL_PATTERN = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")
PHONE_PATTERN = re.compile(r"^\+?[0-9 ()-]{7,20}$")


class OnBehalfOf(StrEnum):
    MYSELF = "myself"
    A_CHILD = "a-child"
    SOMEONE_ELSE = "someone-else"


class AdvocacyWish(StrEnum):
    WANTS_ONE = "wants-one"
    HAS_ONE = "has-one"
    NO = "no"


Short = Annotated[str, Field(max_length=SHORT)]
Medium = Annotated[str, Field(max_length=MEDIUM)]


class RepresentationRequest(BaseModel):
    """A new comment, compliment or complaint. Unknown fields are refused; text is kept as text."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)

    kind: Kind
    role: ComplainantRole
    on_behalf_of: OnBehalfOf = OnBehalfOf.MYSELF
    child_name: Short | None = None
    name: Short | None = None
    email: Annotated[str, Field(max_length=254)] | None = None
    phone: Annotated[str, Field(max_length=30)] | None = None
    address: Medium | None = None
    preferred_contact: ContactPreference = ContactPreference.EMAIL
    advocacy: AdvocacyWish = AdvocacyWish.NO
    advocate_name: Short | None = None
    advocate_organisation: Short | None = None
    advocate_email: Annotated[str, Field(max_length=254)] | None = None
    service_area: Annotated[str, Field(max_length=40)] | None = None
    team_or_worker: Short | None = None
    what_happened: Annotated[str, Field(min_length=1, max_length=LONG)]
    when_happened: date | None = None
    outcome_wanted: Annotated[str, Field(max_length=LONG)] | None = None
    support_needs: Medium | None = None
    consent_privacy: bool
    consent_email: bool = False

    @field_validator(
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
        "outcome_wanted",
        "support_needs",
        mode="before",
    )
    @classmethod
    def _blank_is_none(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("email", "advocate_email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        if value is not None and not EMAIL_PATTERN.match(value):
            raise ValueError("email")
        return value

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

    @field_validator("when_happened")
    @classmethod
    def _not_in_future(cls, value: date | None, info: ValidationInfo) -> date | None:
        today = (info.context or {}).get("today")
        if value is not None and today is not None and value > today:
            raise ValueError("future")
        return value

    @field_validator("consent_privacy")
    @classmethod
    def _consented(cls, value: bool) -> bool:
        if not value:
            raise ValueError("consent")
        return value

    @model_validator(mode="after")
    def _reachable(self) -> Self:
        needs = {
            ContactPreference.EMAIL: ("email", self.email),
            ContactPreference.PHONE: ("phone", self.phone),
            ContactPreference.POST: ("address", self.address),
            ContactPreference.ADVOCATE: ("advocate_name", self.advocate_name or self.advocate_email),
        }
        field, value = needs[self.preferred_contact]
        if self.kind is Kind.COMPLAINT and not value:
            raise _CrossFieldError(field, f"missing_for_{self.preferred_contact}")
        if self.consent_email and not self.email:
            raise _CrossFieldError("email", "missing_for_consent")
        return self

    @property
    def by_a_child(self) -> bool:
        return self.role in CHILD_ROLES

    @property
    def about_a_child(self) -> bool:
        return (
            self.by_a_child
            or self.on_behalf_of is OnBehalfOf.A_CHILD
            or self.role is ComplainantRole.ADVOCATE
        )


class _CrossFieldError(ValueError):
    def __init__(self, field: str, code: str) -> None:
        super().__init__(code)
        self.field, self.code = field, code


# What to tell a person for each problem, by field. Plain words, as the GOV.UK Design System does.
_MESSAGES: dict[str, dict[str, str]] = {
    "kind": {"*": "Choose whether you want to make a complaint, say thank you or make a comment"},
    "role": {"*": "Choose who you are"},
    "on_behalf_of": {"*": "Choose who this is about"},
    "preferred_contact": {"*": "Choose how you would like us to contact you"},
    "advocacy": {"*": "Choose whether you would like help from an advocate"},
    "email": {
        "*": "Enter an email address in the correct format, like name@example.com",
        "missing_for_email": "Enter your email address, or choose another way for us to contact you",
        "missing_for_consent": "Enter your email address if you want us to email you",
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
        "*": "Enter a real date, like 27 3 2026, or leave it blank",
    },
    "consent_privacy": {"*": "Tick the box to say you have read how we use your information"},
    "consent_email": {"*": "Choose whether we can email you"},
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
    "support_needs": "The help you need",
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
    order = list(RepresentationRequest.model_fields)
    problems: dict[str, str] = {}
    for detail in error.errors():
        loc = detail["loc"]
        field = str(loc[0]) if loc else ""
        code = detail["type"]
        ctx = detail.get("ctx") or {}
        inner = ctx.get("error")
        if isinstance(inner, _CrossFieldError):
            field, code = inner.field, inner.code
        elif code == "value_error" and inner is not None:
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


def _message(field: str, code: str, ctx: dict[str, Any]) -> str:
    if code == "extra_forbidden":
        return f"'{field}' is not something we ask for: remove it"
    specific = _MESSAGES.get(field, {})
    if code in specific:
        return specific[code]
    label = _LABELS.get(field, field.replace("_", " ").capitalize())
    if code == "string_too_long":
        return f"{label} must be {ctx.get('max_length', 0):,} characters or fewer"
    if code == "missing" and field in _LABELS:
        return f"Enter {label[0].lower()}{label[1:]}"
    return specific.get("*", f"{label} is not valid")
