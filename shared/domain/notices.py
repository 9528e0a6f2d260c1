"""Every kind of email or letter Heard sends, named once. A notification's template is named after its
purpose (``case-accepted`` -> ``shared/templates/email/case_accepted.txt`` and ``.html``), and each
template carries its own subject. A case change owes the complainant the letters of its action's row in
the catalogue (:mod:`shared.domain.casefile.catalogue`)."""

from __future__ import annotations

from enum import StrEnum


class Purpose(StrEnum):
    # Sent when a representation is registered (shared.domain.case.register).
    ACKNOWLEDGEMENT = "acknowledgement"
    ADVOCATE_COPY = "advocate-acknowledgement"
    TEAM_ALERT = "team-alert"
    COMPLIMENT_THANKS = "compliment-thanks"
    COMPLIMENT_SHARED = "compliment-shared"
    BULLETIN = "bulletin"  # the scorecard bulletin to senior leadership (shared/reporting/bulletin.py)
    # Letters a case's change owes the complainant (each named by its action's row in the catalogue).
    CASE_ACCEPTED = "case-accepted"
    # Whether "any other person" has a sufficient interest in the child's welfare (s.26(3)(e)), in writing.
    SUFFICIENT_INTEREST_DECIDED = "sufficient-interest-decided"
    DEADLINE_EXTENDED = "deadline-extended"
    CASE_ON_HOLD = "case-on-hold"
    CASE_RESUMED = "case-resumed"
    STAGE1_OUTCOME = "stage1-outcome"
    STAGE2_STARTED = "stage2-started"
    STAGE2_OUTCOME = "stage2-outcome"
    STAGE3_STARTED = "stage3-started"
    STAGE3_OUTCOME = "stage3-outcome"
    CASE_CLOSED = "case-closed"  # the window to ask for the next stage ended without a request
    CASE_DECLINED = "case-declined"
    CASE_ROUTED = "case-routed"  # to another procedure or body, with where to go instead
    PROCEDURE_CHANGED = "procedure-changed"  # corporate <-> statutory, with the new dates
    ORAL_SUMMARY = "oral-summary"  # a complaint made by phone or in person, written down to agree
    STAGE_OVERDUE = "stage-overdue"  # a stage's answer is late (sent by the workflow when it falls due)
    STAGE_DELAYED = "stage-delayed"  # why a stage is late, and when to expect its answer
    PANEL_DELAYED = "panel-delayed"  # the review panel meets after the 30 working days of reg 19
    # Staff alerts from the stage workflow (shared/workflow.py): reminders, overdue, escalations.
    DEADLINE_ALERT = "deadline-alert"

    @property
    def template(self) -> str:
        """The template's name (without .txt or .html)."""
        return self.value.replace("-", "_")
