"""One synthesized template for all infra tests (synthesis takes seconds), with cdk.json's context."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Template

from infra.app import build

ROOT = Path(__file__).resolve().parents[2]


def cdk_context() -> dict[str, Any]:
    """The same context the CLI passes from cdk.json; Lambda bundling is skipped in tests."""
    context: dict[str, Any] = json.loads((ROOT / "cdk.json").read_text())["context"]
    return {**context, "aws:cdk:bundling-stacks": []}


@pytest.fixture(scope="session")
def template(tmp_path_factory: pytest.TempPathFactory) -> Template:
    app = cdk.App(context=cdk_context(), outdir=str(tmp_path_factory.mktemp("cdk.out")))
    stack = build(app)
    app.synth()  # raises if cdk-nag finds anything unacknowledged
    return Template.from_stack(stack)
