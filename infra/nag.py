"""cdk-nag's AWS Solutions checks always run; every acknowledged finding carries its reason here."""

from __future__ import annotations

import aws_cdk as cdk
from cdk_nag import AwsSolutionsChecks
from constructs import IConstruct

#: rule id -> why Heard accepts it. Keep each reason specific; add none without one.
ACKNOWLEDGED: dict[str, str] = {}


def apply_checks(app: IConstruct, stack: IConstruct) -> None:
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    if ACKNOWLEDGED:
        cdk.Validations.of(stack).acknowledge(
            *(cdk.Acknowledgment(id=rule, reason=reason) for rule, reason in ACKNOWLEDGED.items())
        )
