"""What a council policy file may do to the timescales: the council may promise to be faster, never slower,
and the complainant may be given more time, never less. A file that breaks either rule is refused, naming
the field as the file spells it.

The numbers here are typed from the Children Act 1989 Representations Procedure (England) Regulations 2006
(SI 2006/1738), from Heard's rules for what the Regulations leave to council practice, and from the LGSCO
Complaint Handling Code, never read from shared/domain/policy.py. Each table row steps one working day
past its limit (refused) and lands on the limit (accepted), so a limit set too loose or too tight in the
code fails one of them."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from shared import config
from shared.domain.errors import PolicyError
from shared.domain.policy import CouncilPolicy, load_policy, parse_policy
from shared.names import POLICY_FILE_ENV

# The council's maxima in the 2006 Regulations, in working days.
REG_14_LOCAL_RESOLUTION = 10  # stage 1
REG_14_LOCAL_RESOLUTION_EXTENDED = 20  # a further 10 at most
REG_17_INVESTIGATION = 25  # stage 2, from the complainant's request
REG_17_INVESTIGATION_EXTENDED = 65
REG_19_4_PANEL_MEETS = 30  # within 30 working days of the reg 18 request
REG_20_PANEL_REPORT = 5  # within 5 working days of the panel's meeting
REG_20_3_AUTHORITY_RESPONSE = 15  # within 15 working days of the panel's report
# The complainant's minima.
REG_18_STAGE3_REQUEST = 20  # working days from the stage 2 response to ask for a review panel
REG_9_TIME_LIMIT_MONTHS = 12  # one year from the grounds arising to make a representation
# Where the Regulations set no time (council practice, docs/decisions.md "Council policy").
PRACTICE_ACKNOWLEDGEMENT = 3  # councils acknowledge in 2 or 3 working days
PRACTICE_STAGE2_REQUEST = 20  # working days from the stage 1 response to ask for stage 2
# The corporate procedure: the LGSCO Complaint Handling Code (councils, from April 2026), and Heard's floor.
CODE_ACKNOWLEDGEMENT = 5  # para 6.2
CODE_STAGE1, CODE_STAGE1_EXTENDED = 10, 20  # paras 6.3 and 6.4: an extension of 10 at most
CODE_STAGE2, CODE_STAGE2_EXTENDED = 20, 40  # an extension of 20 at most
HEARD_CORPORATE_STAGE2_REQUEST = 10


def refusal(content: dict[str, object]) -> str:
    with pytest.raises(PolicyError) as refused:
        parse_policy(json.dumps(content), "policy file council.json")
    return refused.value.reason


def timescale(procedure: str, step: str, days: int, extended: int | None = None) -> dict[str, object]:
    value: dict[str, object] = {"working_days": days}
    if extended is not None:
        value["extended_max"] = extended
    return {procedure: {step: value}}


# (id naming the source, procedure, step, the council's limit, its extended limit or None: no extension)
COUNCIL_MAXIMA = [
    ("reg14-stage1", "statutory", "stage1", REG_14_LOCAL_RESOLUTION, REG_14_LOCAL_RESOLUTION_EXTENDED),
    ("reg17-stage2", "statutory", "stage2", REG_17_INVESTIGATION, REG_17_INVESTIGATION_EXTENDED),
    ("reg19(4)-panel-meets", "statutory", "stage3_panel", REG_19_4_PANEL_MEETS, None),
    ("reg20-panel-report", "statutory", "stage3_report", REG_20_PANEL_REPORT, None),
    ("reg20(3)-authority-response", "statutory", "stage3_response", REG_20_3_AUTHORITY_RESPONSE, None),
    ("practice-acknowledgement", "statutory", "acknowledgement", PRACTICE_ACKNOWLEDGEMENT, None),
    ("code6.2-corporate-acknowledgement", "corporate", "acknowledgement", CODE_ACKNOWLEDGEMENT, None),
    ("code6.3-corporate-stage1", "corporate", "stage1", CODE_STAGE1, CODE_STAGE1_EXTENDED),
    ("code-corporate-stage2", "corporate", "stage2", CODE_STAGE2, CODE_STAGE2_EXTENDED),
]
# (id naming the source, procedure, step, the complainant's minimum)
COMPLAINANT_MINIMA = [
    ("reg18-stage3-request", "statutory", "stage3_request", REG_18_STAGE3_REQUEST),
    ("practice-stage2-request", "statutory", "stage2_request", PRACTICE_STAGE2_REQUEST),
    ("heard-corporate-stage2-request", "corporate", "stage2_request", HEARD_CORPORATE_STAGE2_REQUEST),
]


def _ids(rows: list[tuple[object, ...]]) -> list[str]:
    return [str(row[0]) for row in rows]


@pytest.mark.parametrize(
    ("source", "procedure", "step", "limit", "extended"), COUNCIL_MAXIMA, ids=_ids(COUNCIL_MAXIMA)
)
def test_the_council_may_not_take_a_day_longer_than_its_limit(
    source: str, procedure: str, step: str, limit: int, extended: int | None
) -> None:
    """One working day past the limit named in the id (a regulation of the 2006 Regs, council practice or
    the LGSCO Code) is refused, naming the field, the value and the limit."""
    reason = refusal(timescale(procedure, step, limit + 1, extended))
    assert f"{procedure}.{step}.working_days: {limit + 1} is longer than the {limit} working days" in reason
    assert "a policy may shorten it, never lengthen it" in reason


@pytest.mark.parametrize(
    ("source", "procedure", "step", "limit", "extended"), COUNCIL_MAXIMA, ids=_ids(COUNCIL_MAXIMA)
)
def test_the_council_may_promise_its_limit_or_faster(
    source: str, procedure: str, step: str, limit: int, extended: int | None
) -> None:
    """Exactly the limit named in the id is accepted, and so is one working day less."""
    at_limit = parse_policy(json.dumps(timescale(procedure, step, limit, extended)))
    assert getattr(getattr(at_limit, procedure), step).working_days == limit
    faster = parse_policy(json.dumps(timescale(procedure, step, limit - 1, extended)))
    assert getattr(getattr(faster, procedure), step).working_days == limit - 1


EXTENDABLE = [row for row in COUNCIL_MAXIMA if row[4] is not None]
FIXED = [row for row in COUNCIL_MAXIMA if row[4] is None]


@pytest.mark.parametrize(
    ("source", "procedure", "step", "limit", "extended"), EXTENDABLE, ids=_ids(EXTENDABLE)
)
def test_an_extension_may_not_go_past_the_extended_limit(
    source: str, procedure: str, step: str, limit: int, extended: int
) -> None:
    """Reg 14 (stage 1: 20 at most), reg 17 (stage 2: 65 at most) and the LGSCO Code's extensions: one
    working day past is refused naming extended_max, the limit itself is accepted."""
    reason = refusal(timescale(procedure, step, limit, extended + 1))
    assert (
        f"{procedure}.{step}.extended_max: {extended + 1} is longer than the {extended} working days"
        in reason
    )
    accepted = parse_policy(json.dumps(timescale(procedure, step, limit, extended)))
    assert getattr(getattr(accepted, procedure), step).extended_max == extended


@pytest.mark.parametrize(("source", "procedure", "step", "limit", "extended"), FIXED, ids=_ids(FIXED))
def test_a_step_without_an_extension_may_not_be_given_one(
    source: str, procedure: str, step: str, limit: int, extended: None
) -> None:
    """Regs 19(4) and 20 give the panel and the authority fixed times, with no extension; the
    acknowledgements have none either. An extended_max on them is refused, naming it."""
    reason = refusal(timescale(procedure, step, limit, limit + 10))
    assert f"{procedure}.{step}.extended_max: {limit + 10}, but the {limit} working days" in reason
    assert "cannot be extended" in reason


@pytest.mark.parametrize(
    ("source", "procedure", "step", "minimum"), COMPLAINANT_MINIMA, ids=_ids(COMPLAINANT_MINIMA)
)
def test_the_complainant_may_not_be_given_a_day_less_than_their_window(
    source: str, procedure: str, step: str, minimum: int
) -> None:
    """One working day short of the window named in the id (reg 18 for stage 3; council practice for the
    statutory stage 2 request; Heard's floor for the corporate one) is refused, naming the field."""
    reason = refusal(timescale(procedure, step, minimum - 1))
    assert (
        f"{procedure}.{step}.working_days: {minimum - 1} is shorter than the {minimum} working days" in reason
    )
    assert "a policy may lengthen it, never shorten it" in reason


@pytest.mark.parametrize(
    ("source", "procedure", "step", "minimum"), COMPLAINANT_MINIMA, ids=_ids(COMPLAINANT_MINIMA)
)
def test_the_complainant_may_be_given_their_window_or_longer(
    source: str, procedure: str, step: str, minimum: int
) -> None:
    """Exactly the window named in the id is accepted, and so is a longer one (more time for the
    complainant, with later requests still at the council's discretion)."""
    for days in (minimum, minimum + 20):
        policy = parse_policy(json.dumps(timescale(procedure, step, days)))
        assert getattr(getattr(policy, procedure), step).working_days == days


def test_a_stage2_request_window_of_one_working_day_is_refused_naming_the_field() -> None:
    """The issue's example. The 2006 Regulations set no time for asking for stage 2 (reg 17 starts stage 2
    on the request; reg 17(2) is the independent person, as regs 19(3) and 20 refer to it), so the 20
    working days are council practice, the same as reg 18 gives for stage 3: Heard's floor."""
    reason = refusal({"statutory": {"stage2_request": {"working_days": 1}}})
    assert reason.startswith(
        "policy file council.json: statutory.stage2_request.working_days: 1 is shorter than the 20 working "
        "days the complainant has to ask for stage 2"
    )
    assert "the 2006 Regulations set none" in reason


def test_a_60_day_acknowledgement_is_refused_naming_the_field() -> None:
    """The issue's example. The 2006 Regulations set no acknowledgement time; councils use 2 or 3 working
    days, and Heard holds a policy to 3 (docs/decisions.md)."""
    reason = refusal({"statutory": {"acknowledgement": {"working_days": 60}}})
    assert reason.startswith(
        "policy file council.json: statutory.acknowledgement.working_days: 60 is longer than the 3 working days"
    )


@pytest.mark.parametrize(
    ("months", "refused"),
    [(REG_9_TIME_LIMIT_MONTHS - 1, True), (REG_9_TIME_LIMIT_MONTHS, False), (24, False)],
)
def test_reg9_the_year_to_make_a_representation_may_be_lengthened_not_shortened(
    months: int, refused: bool
) -> None:
    """Reg 9: a representation may be made within one year of the grounds arising."""
    content = {"complaint_time_limit_months": months}
    if refused:
        assert refusal(content).startswith(
            f"policy file council.json: complaint_time_limit_months: {months} is shorter than the 12 months"
        )
    else:
        assert parse_policy(json.dumps(content)).complaint_time_limit_months == months


def test_every_breach_is_named_not_only_the_first() -> None:
    """Reg 17 (stage 2 over 25) and reg 18 (stage 3 request under 20) broken at once: both fields named."""
    reason = refusal(
        {
            "statutory": {
                "stage2": {"working_days": 30, "extended_max": 65},
                "stage3_request": {"working_days": 10},
            }
        }
    )
    assert "statutory.stage2.working_days: 30 is longer than the 25" in reason
    assert "statutory.stage3_request.working_days: 10 is shorter than the 20" in reason


def test_the_default_policy_is_at_every_limit_and_loads() -> None:
    """The defaults are the 2006 Regulations' times (regs 14, 17, 18, 19(4), 20, 9), council practice
    where they are silent, and the LGSCO Code's for the corporate procedure: a policy with no file, or
    an empty one, loads."""
    policy = load_policy(None)
    assert policy == load_policy("") == parse_policy("{}") == CouncilPolicy()
    s, c = policy.statutory, policy.corporate
    assert (s.stage1.working_days, s.stage1.extended_max) == (
        REG_14_LOCAL_RESOLUTION,
        REG_14_LOCAL_RESOLUTION_EXTENDED,
    )
    assert (s.stage2.working_days, s.stage2.extended_max) == (
        REG_17_INVESTIGATION,
        REG_17_INVESTIGATION_EXTENDED,
    )
    assert s.stage3_request.working_days == REG_18_STAGE3_REQUEST
    assert s.stage3_panel.working_days == REG_19_4_PANEL_MEETS
    assert s.stage3_report.working_days == REG_20_PANEL_REPORT
    assert s.stage3_response.working_days == REG_20_3_AUTHORITY_RESPONSE
    assert (s.acknowledgement.working_days, s.stage2_request.working_days) == (3, 20)
    assert policy.complaint_time_limit_months == REG_9_TIME_LIMIT_MONTHS
    assert (c.acknowledgement.working_days, c.stage1.working_days, c.stage2.working_days) == (5, 10, 20)
    assert c.stage2_request.working_days >= HEARD_CORPORATE_STAGE2_REQUEST


def test_a_cold_start_with_a_bad_policy_file_fails_naming_the_field(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Reg 18's window shortened in the file a function is given: the policy every function loads at its
    cold start (shared.config.policy) refuses it with the same message, and keeps refusing."""
    bad = tmp_path / "policy.json"
    bad.write_text(json.dumps({"statutory": {"stage3_request": {"working_days": 5}}}))
    monkeypatch.setenv(POLICY_FILE_ENV, str(bad))
    config.policy.cache_clear()
    try:
        for _ in range(2):
            with pytest.raises(
                PolicyError, match=re.escape(f"policy file {bad}: statutory.stage3_request.working_days: 5")
            ):
                config.policy()
    finally:
        config.policy.cache_clear()
