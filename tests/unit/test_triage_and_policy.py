"""Triage rules and the council policy file."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest

from shared.domain.errors import NoExtension, NotEligible, PolicyError
from shared.domain.policy import CouncilPolicy, Step, load_policy, parse_policy
from shared.domain.triage import (
    ExcludedMatter,
    LateComplaintDecision,
    SufficientInterestDecision,
    add_months,
    is_late,
    route,
    suggest_procedure,
)
from shared.domain.vocabulary import STATUTORY_ROLES, ComplainantRole, Kind, Procedure, Subject

CARE = Subject.CHILDRENS_SOCIAL_CARE


@pytest.mark.parametrize("role", sorted(STATUTORY_ROLES))
def test_statutory_roles_get_the_statutory_procedure(role: ComplainantRole) -> None:
    suggestion = suggest_procedure(Kind.COMPLAINT, role, CARE)
    assert suggestion.procedure is Procedure.STATUTORY
    assert not suggestion.needs_sufficient_interest_decision
    # Eligibility is role *and* subject: the same person about something else is corporate.
    assert suggest_procedure(Kind.COMPLAINT, role, Subject.SOMETHING_ELSE).procedure is Procedure.CORPORATE


def test_sufficient_interest_needs_a_decision_and_others_go_corporate() -> None:
    assert suggest_procedure(
        Kind.COMPLAINT, ComplainantRole.SUFFICIENT_INTEREST, CARE
    ).needs_sufficient_interest_decision
    assert suggest_procedure(Kind.COMPLAINT, ComplainantRole.OTHER, CARE).procedure is Procedure.CORPORATE


def test_an_advocate_acts_for_a_child_so_the_childs_wishes_are_checked_not_their_interest() -> None:
    suggestion = suggest_procedure(Kind.COMPLAINT, ComplainantRole.ADVOCATE, CARE)
    assert suggestion.procedure is Procedure.STATUTORY
    assert suggestion.needs_child_wishes_check and not suggestion.needs_sufficient_interest_decision


@pytest.mark.parametrize("kind", [Kind.COMMENT, Kind.COMPLIMENT])
def test_comments_and_compliments_follow_no_procedure(kind: Kind) -> None:
    assert suggest_procedure(kind, ComplainantRole.PARENT, CARE).procedure is None


def test_sufficient_interest_decisions_record_reasons_and_tell_a_refused_person() -> None:
    with pytest.raises(NotEligible, match="reasons"):
        SufficientInterestDecision(accepted=True, reasons="ok")
    with pytest.raises(NotEligible, match="told"):
        SufficientInterestDecision(accepted=False, reasons="no contact with the child for ten years")
    assert SufficientInterestDecision(
        accepted=True, reasons="grandmother and the child's main carer"
    ).accepted


@pytest.mark.parametrize(
    ("grounds", "received", "late"),
    [
        ("2025-01-10", "2026-01-10", False),
        ("2025-01-10", "2026-01-11", True),
        ("2024-02-29", "2025-02-28", False),
        ("2024-02-29", "2025-03-01", True),
        (None, "2030-01-01", False),
    ],
)
def test_the_one_year_limit(grounds: str | None, received: str, late: bool) -> None:
    arose = date.fromisoformat(grounds) if grounds else None
    assert is_late(arose, date.fromisoformat(received)) is late


def test_add_months_clamps_to_month_end() -> None:
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2026, 11, 30), 3) == date(2027, 2, 28)


def test_late_complaints_are_accepted_only_on_both_grounds_with_reasons() -> None:
    assert LateComplaintDecision(True, True, "the child only learned of it last month").accepted
    assert not LateComplaintDecision(True, False, "the records were destroyed in 2019").accepted
    with pytest.raises(NotEligible):
        LateComplaintDecision(True, True, "")


def test_every_excluded_matter_is_routed_and_safeguarding_is_immediate() -> None:
    for matter in ExcludedMatter:
        assert route(matter).destination
    assert route(ExcludedMatter.SAFEGUARDING).immediate
    assert not route(ExcludedMatter.COURT_REPORT).immediate


def test_default_policy_is_the_statute() -> None:
    policy = CouncilPolicy()
    assert policy.timescale(Procedure.STATUTORY, Step.STAGE1).working_days == 10
    assert policy.timescale(Procedure.STATUTORY, Step.STAGE1).extended_max == 20
    assert policy.timescale(Procedure.STATUTORY, Step.STAGE2).extended_max == 65
    assert policy.timescale(Procedure.STATUTORY, Step.STAGE3_PANEL).working_days == 30
    assert Step.STAGE3_PANEL not in policy.steps(Procedure.CORPORATE)
    with pytest.raises(PolicyError, match="no step 'stage3-panel'"):
        policy.timescale(Procedure.CORPORATE, Step.STAGE3_PANEL)
    with pytest.raises(NoExtension):
        policy.due_date(Procedure.CORPORATE, Step.STAGE1, date(2026, 1, 5), extended=True)


def test_a_policy_file_overrides_only_what_it_names(tmp_path: Path) -> None:
    path = tmp_path / "policy.json"
    path.write_text(json.dumps({"statutory": {"acknowledgement": {"working_days": 2}}}))
    policy = load_policy(path)
    assert policy.statutory.acknowledgement.working_days == 2
    assert policy.statutory.stage1.extended_max == 20


@pytest.mark.parametrize(
    ("content", "names"),
    [
        ({"statutory": {"stage1": {"working_days": 10, "extended_max": 5}}}, "statutory.stage1"),
        ({"statutory": {"stage2": {"working_days": 0}}}, "statutory.stage2.working_days"),
        ({"corporate": {"stage1": {"days": 10}}}, "corporate.stage1"),
        ({"reminder_hour_london": 25}, "reminder_hour_london"),
        ({"colour": "blue"}, "colour"),
        ({"service_areas": [{"id": "a-b", "name": "A"}, {"id": "a-b", "name": "B"}]}, "service_areas"),
    ],
)
def test_a_bad_policy_file_names_the_field(content: dict[str, object], names: str, tmp_path: Path) -> None:
    path = tmp_path / "policy.json"
    path.write_text(json.dumps(content))
    with pytest.raises(PolicyError) as refused:
        load_policy(path)
    assert names in refused.value.reason
    assert str(path) in refused.value.reason


def test_unreadable_or_malformed_policy_files_fail_clearly(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match="cannot be read"):
        load_policy(tmp_path / "missing.json")
    with pytest.raises(PolicyError, match="not valid JSON"):
        parse_policy("{", "policy file x")


# The 2006 Regulations (SI 2006/1738) and statutory guidance, typed here from the regulations, not from
# the code: stage 1 in 10 working days, at most 20 extended; stage 2 in 25, at most 65 extended; the
# complainant asks for a review panel within 20 working days of the stage 2 response (reg 18); the panel
# meets within 30, reports within 5 and the authority responds within 15 (regs 19-20), none extendable;
# a representation may be made within one year (reg 9).
@pytest.mark.parametrize(
    ("content", "field", "limit"),
    [
        (
            {"statutory": {"stage3_request": {"working_days": 15}}},
            "statutory.stage3_request.working_days",
            "20",
        ),
        (
            {"statutory": {"stage3_request": {"working_days": 19}}},
            "statutory.stage3_request.working_days",
            "20",
        ),
        (
            {"statutory": {"stage1": {"working_days": 10, "extended_max": 21}}},
            "statutory.stage1.extended_max",
            "20",
        ),
        (
            {"statutory": {"stage1": {"working_days": 11, "extended_max": 20}}},
            "statutory.stage1.working_days",
            "10",
        ),
        (
            {"statutory": {"stage2": {"working_days": 25, "extended_max": 66}}},
            "statutory.stage2.extended_max",
            "65",
        ),
        (
            {"statutory": {"stage2": {"working_days": 26, "extended_max": 65}}},
            "statutory.stage2.working_days",
            "25",
        ),
        ({"statutory": {"stage3_panel": {"working_days": 31}}}, "statutory.stage3_panel.working_days", "30"),
        (
            {"statutory": {"stage3_panel": {"working_days": 30, "extended_max": 40}}},
            "statutory.stage3_panel",
            "30",
        ),
        ({"statutory": {"stage3_report": {"working_days": 6}}}, "statutory.stage3_report.working_days", "5"),
        (
            {"statutory": {"stage3_response": {"working_days": 16}}},
            "statutory.stage3_response.working_days",
            "15",
        ),
        ({"complaint_time_limit_months": 6}, "complaint_time_limit_months", "12"),
    ],
)
def test_a_policy_outside_the_statute_is_refused_naming_the_field_and_the_limit(
    content: dict[str, object], field: str, limit: str, tmp_path: Path
) -> None:
    path = tmp_path / "policy.json"
    path.write_text(json.dumps(content))
    with pytest.raises(PolicyError) as refused:
        load_policy(path)
    assert field in refused.value.reason
    assert re.search(rf"\b{limit}\b", refused.value.reason.split(field, 1)[1])


@pytest.mark.parametrize(
    "content",
    [
        {"statutory": {"stage3_request": {"working_days": 30}}},  # more time for the complainant
        {"statutory": {"stage2_request": {"working_days": 30}}},  # more time to ask for stage 2
        {"statutory": {"stage1": {"working_days": 5, "extended_max": 15}}},  # the council promises faster
        {"statutory": {"stage1": {"working_days": 10, "extended_max": 20}}},  # exactly the statute
        {"statutory": {"stage2": {"working_days": 20, "extended_max": 65}}},
        {"statutory": {"stage3_panel": {"working_days": 20}, "stage3_response": {"working_days": 10}}},
        {"statutory": {"acknowledgement": {"working_days": 2}}},
        {"complaint_time_limit_months": 18},
    ],
)
def test_a_policy_within_the_statute_is_accepted(content: dict[str, object]) -> None:
    parse_policy(json.dumps(content))


def test_the_stage3_request_window_is_the_complainants_twenty_working_days() -> None:
    """Reg 18: the default is the statutory window, and the due date is 20 working days after the
    stage 2 response: Mon 2026-03-02 + 20 working days = Mon 2026-03-30 (no bank holiday between)."""
    policy = CouncilPolicy()
    assert policy.timescale(Procedure.STATUTORY, Step.STAGE3_REQUEST).working_days == 20
    assert policy.due_date(Procedure.STATUTORY, Step.STAGE3_REQUEST, date(2026, 3, 2)) == date(2026, 3, 30)


def test_case_links_come_from_the_policy_template_and_a_template_without_the_reference_is_refused() -> None:
    policy = parse_policy(
        '{"case_url_template": "https://heard.council.gov.uk/officer/cases/{reference}/view"}'
    )
    assert (
        policy.case_url("HRD-2027-00042") == "https://heard.council.gov.uk/officer/cases/HRD-2027-00042/view"
    )
    with pytest.raises(PolicyError, match="case_url_template"):
        parse_policy('{"case_url_template": "https://heard.council.gov.uk/officer/cases/"}')
    with pytest.raises(PolicyError, match="case_url_template"):
        parse_policy('{"case_url_template": "http://insecure.example/{reference}"}')
