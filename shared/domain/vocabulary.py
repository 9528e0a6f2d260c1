"""The words of the procedure: kinds, roles, channels, outcomes and the defaults for the council's lists.

Enumerations are fixed by law or by Heard; lists a council tailors (categories, resolutions, service
areas) are defaults in :mod:`shared.domain.policy`.
"""

from __future__ import annotations

from enum import StrEnum


class Kind(StrEnum):
    COMMENT = "comment"
    COMPLIMENT = "compliment"
    COMPLAINT = "complaint"


class Procedure(StrEnum):
    STATUTORY = "statutory"
    CORPORATE = "corporate"


class ComplainantRole(StrEnum):
    """Who is making the representation. Every statutory eligible role of s.26(3)-(3C) and s.24D, then
    the discretionary and corporate ones. Children Act 1989: s.26(3) a looked-after child or a child in
    need, a parent, a person with parental responsibility, a local authority foster parent, and (e) any
    other person the council considers has a sufficient interest in the child's welfare; s.26(3B) the
    people the adoption service is for (Adoption and Children Act 2002 s.3(1): children who may be
    adopted, their parents and guardians, people wishing to adopt, adopted people, their adoptive and
    birth parents and former guardians) and people receiving adoption support; s.26(3C) a child with a
    special guardianship order, a special guardian or a parent of such a child, and a person who has
    applied for a special guardianship support services assessment (s.14F(3) or (4)); s.24D care
    leavers."""

    CHILD_LOOKED_AFTER = "child-looked-after"
    CHILD_IN_NEED = "child-in-need"
    PARENT = "parent"
    PARENTAL_RESPONSIBILITY = "person-with-parental-responsibility"
    FOSTER_CARER = "local-authority-foster-carer"
    CARE_LEAVER = "care-leaver"
    SPECIAL_GUARDIAN = "special-guardian"
    CHILD_SUBJECT_TO_SGO = "child-subject-to-special-guardianship-order"
    SPECIAL_GUARDIANSHIP_SUPPORT = "person-seeking-special-guardianship-support-assessment"
    ADOPTED_CHILD = "adopted-child"
    BIRTH_PARENT = "birth-parent"
    ADOPTION_GUARDIAN = "guardian-in-adoption"  # the guardian of a child who may be or was adopted
    PROSPECTIVE_ADOPTER = "prospective-adopter"
    ADOPTIVE_PARENT = "adoptive-parent"
    ADOPTED_PERSON = "adopted-person"
    ADOPTION_SUPPORT = "person-receiving-adoption-support"
    SUFFICIENT_INTEREST = "other-person-with-sufficient-interest"
    ADVOCATE = "advocate"
    OTHER = "other"


#: Roles the statute names: the statutory procedure applies as of right.
STATUTORY_ROLES: frozenset[ComplainantRole] = frozenset(
    {
        ComplainantRole.CHILD_LOOKED_AFTER,
        ComplainantRole.CHILD_IN_NEED,
        ComplainantRole.PARENT,
        ComplainantRole.PARENTAL_RESPONSIBILITY,
        ComplainantRole.FOSTER_CARER,
        ComplainantRole.CARE_LEAVER,
        ComplainantRole.SPECIAL_GUARDIAN,
        ComplainantRole.CHILD_SUBJECT_TO_SGO,
        ComplainantRole.SPECIAL_GUARDIANSHIP_SUPPORT,
        ComplainantRole.ADOPTED_CHILD,
        ComplainantRole.BIRTH_PARENT,
        ComplainantRole.ADOPTION_GUARDIAN,
        ComplainantRole.PROSPECTIVE_ADOPTER,
        ComplainantRole.ADOPTIVE_PARENT,
        ComplainantRole.ADOPTED_PERSON,
        ComplainantRole.ADOPTION_SUPPORT,
    }
)

#: Each role in the words staff emails use ("Made by: ..."), as the statute describes it.
ROLE_WORDS: dict[ComplainantRole, str] = {
    ComplainantRole.CHILD_LOOKED_AFTER: "looked-after child",
    ComplainantRole.CHILD_IN_NEED: "child in need",
    ComplainantRole.PARENT: "parent",
    ComplainantRole.PARENTAL_RESPONSIBILITY: "person with parental responsibility",
    ComplainantRole.FOSTER_CARER: "local authority foster carer",
    ComplainantRole.CARE_LEAVER: "care leaver (an adult)",
    ComplainantRole.SPECIAL_GUARDIAN: "special guardian",
    ComplainantRole.CHILD_SUBJECT_TO_SGO: "child with a special guardianship order",
    ComplainantRole.SPECIAL_GUARDIANSHIP_SUPPORT: (
        "person who applied for a special guardianship support assessment"
    ),
    ComplainantRole.ADOPTED_CHILD: "adopted child",
    ComplainantRole.BIRTH_PARENT: "birth parent of a child who was or may be adopted",
    ComplainantRole.ADOPTION_GUARDIAN: "guardian of a child who was or may be adopted",
    ComplainantRole.PROSPECTIVE_ADOPTER: "person wishing to adopt",
    ComplainantRole.ADOPTIVE_PARENT: "adoptive parent",
    ComplainantRole.ADOPTED_PERSON: "adopted adult",
    ComplainantRole.ADOPTION_SUPPORT: "person receiving adoption support",
    ComplainantRole.SUFFICIENT_INTEREST: (
        "other person, who may have a sufficient interest in the child's welfare"
    ),
    ComplainantRole.ADVOCATE: "advocate for a child",
    ComplainantRole.OTHER: "none of the roles the Children Act names",
}

#: Roles that are children or young people, care leavers included: they must be offered an advocate
#: (s.26A covers representations by children and by care leavers alike).
CHILD_ROLES: frozenset[ComplainantRole] = frozenset(
    {
        ComplainantRole.CHILD_LOOKED_AFTER,
        ComplainantRole.CHILD_IN_NEED,
        ComplainantRole.CHILD_SUBJECT_TO_SGO,
        ComplainantRole.ADOPTED_CHILD,
        ComplainantRole.CARE_LEAVER,
    }
)

#: Roles written to in the child's words (and told of Childline): the children among CHILD_ROLES. A care
#: leaver is an adult (18 to 25: Children Act 1989 ss.23C and 24) and gets the adult wording, while their
#: complaint still follows the statutory procedure (s.24D) with the offer of an advocate (s.26A).
CHILD_WORDING_ROLES: frozenset[ComplainantRole] = CHILD_ROLES - {ComplainantRole.CARE_LEAVER}


class Channel(StrEnum):
    ONLINE_FORM = "online-form"
    PUBLIC_API = "public-api"  # the JSON intake API (another service's form or app)
    PHONE = "phone"
    EMAIL = "email"
    LETTER = "letter"
    IN_PERSON = "in-person"
    COUNCILLOR = "councillor"
    CHIEF_EXECUTIVE = "chief-executive-office"
    DIRECTORATE = "directorate"
    OMBUDSMAN_REFERRAL = "ombudsman-referral"


class ContactPreference(StrEnum):
    EMAIL = "email"
    PHONE = "phone"
    POST = "post"
    ADVOCATE = "advocate"


class Subject(StrEnum):
    """What a complaint is about: with the role, what makes it eligible for the statutory procedure
    (s.26(3): the council's qualifying functions towards the child)."""

    CHILDRENS_SOCIAL_CARE = "childrens-social-care"
    SOMETHING_ELSE = "something-else"


class ChildView(StrEnum):
    """Whether the child knows about, and agrees with, a representation made for them."""

    KNOWS_AND_AGREES = "knows-and-agrees"
    KNOWS_AND_DOES_NOT_AGREE = "knows-and-does-not-agree"
    DOES_NOT_KNOW = "does-not-know"
    NOT_SURE = "not-sure"


class SupportNeed(StrEnum):
    """Help to take part, a closed list (so it can travel in staff emails); "other" is described in
    words that are shown only in Heard."""

    INTERPRETER = "interpreter"
    BSL = "bsl"
    EASY_READ = "easy-read"
    LARGE_PRINT = "large-print"
    PHONE_CALL = "phone-call"
    OTHER = "other"


#: Each support need in the words the form and staff emails use.
SUPPORT_WORDS: dict[SupportNeed, str] = {
    SupportNeed.INTERPRETER: "An interpreter",
    SupportNeed.BSL: "British Sign Language (BSL)",
    SupportNeed.EASY_READ: "Easy read",
    SupportNeed.LARGE_PRINT: "Large print",
    SupportNeed.PHONE_CALL: "A phone call instead of writing",
    SupportNeed.OTHER: "Something else",
}

#: Interpreter languages the form offers (a council's policy file may replace them).
DEFAULT_INTERPRETER_LANGUAGES: tuple[str, ...] = (
    "Albanian",
    "Arabic",
    "Bengali",
    "Cantonese",
    "Czech",
    "Dari",
    "Farsi",
    "French",
    "Gujarati",
    "Hindi",
    "Kurdish",
    "Lithuanian",
    "Mandarin",
    "Pashto",
    "Polish",
    "Portuguese",
    "Punjabi",
    "Romanian",
    "Slovak",
    "Somali",
    "Spanish",
    "Tigrinya",
    "Turkish",
    "Ukrainian",
    "Urdu",
    "Vietnamese",
    "Welsh",
)


class Outcome(StrEnum):
    """The finding on one complaint point."""

    UPHELD = "upheld"
    PARTIALLY_UPHELD = "partially-upheld"
    NOT_UPHELD = "not-upheld"


#: Default lists from the reference annual report; a council's policy file may replace them.
DEFAULT_COMPLAINT_CATEGORIES: tuple[str, ...] = (
    "Standards of service",
    "Poor communication",
    "Staff conduct",
    "Child protection issues",
    "Standard of environment",
    "Damage to property",
)
DEFAULT_COMPLIMENT_CATEGORIES: tuple[str, ...] = (
    "Standards of service",
    "Standard of practice (social worker)",
    "Good partnership working",
    "Good communication",
    "Good child focus",
    "Specific provision",
)
DEFAULT_RESOLUTIONS: tuple[str, ...] = (
    "Full explanation of why decisions were made",
    "Apology",
    "Change of social worker",
    "Complainant's view recorded on the social care file",
    "Additional monitoring through supervision",
    "Provision of advocacy",
    "Financial remedy",
    "Other specific intervention",
)
#: Service areas named in the reference report's introduction.
DEFAULT_SERVICE_AREAS: tuple[tuple[str, str], ...] = (
    ("social-work", "Social work services"),
    ("residential-care", "Residential care"),
    ("fostering", "Fostering"),
    ("adoption", "Adoption"),
    ("family-support", "Support to families"),
    ("disabled-children", "Children with disabilities"),
    ("youth-justice", "Young people in trouble with the law"),
)
