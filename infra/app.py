"""The CDK app: ``make synth`` (the locally installed CLI reads cdk.json, which runs this file)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import aws_cdk as cdk

from infra import checkov_skips
from infra.nag import apply_checks
from infra.stack import HeardStack

STACK_NAME = "Heard"


def build(app: cdk.App) -> HeardStack:
    stack = HeardStack(app, STACK_NAME, description="Heard: children's social care representations")
    apply_checks(app, stack)
    checkov_skips.apply(stack)
    return stack


if __name__ == "__main__":
    application = cdk.App()
    build(application)
    application.synth()
