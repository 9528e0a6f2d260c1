"""Checkov's accepted findings (infra/checkov_skips.py): each with a reason, written only onto the resources
it is for, and nothing skipped in .checkov.yaml. `make checkov` runs the scanner itself on the template."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from aws_cdk.assertions import Template

from infra import checkov_skips
from infra.catalog import API_FUNCTIONS, FUNCTIONS

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.infra


def _skips(resource: dict[str, Any]) -> dict[str, str]:
    entries = resource.get("Metadata", {}).get("checkov", {}).get("skip", [])
    return {entry["id"]: entry["comment"] for entry in entries}


def _skipped(template: Template, check: str) -> dict[str, dict[str, Any]]:
    return {
        name: resource
        for name, resource in template.to_json()["Resources"].items()
        if check in _skips(resource)
    }


def test_every_accepted_finding_has_a_written_reason() -> None:
    for table in checkov_skips.TABLES:
        for check, reason in table.items():
            assert re.fullmatch(r"CKV_AWS_\d+", check), check
            assert len(reason.split()) >= 12, f"{check}: give a real reason"


def test_the_config_skips_nothing_and_fails_on_any_finding() -> None:
    """.checkov.yaml names the template and how to print: no skip, soft fail or check filter, which would
    accept findings without a resource or a reason."""
    config = yaml.safe_load((ROOT / ".checkov.yaml").read_text())
    assert set(config) <= {"file", "framework", "compact", "quiet", "skip-download"}, set(config)
    assert config["file"] == ["cdk.out/Heard.template.json"]


def test_every_skip_in_the_template_is_one_of_the_tables(template: Template) -> None:
    accepted = {(check, reason) for table in checkov_skips.TABLES for check, reason in table.items()}
    written = 0
    for name, resource in template.to_json()["Resources"].items():
        for check, reason in _skips(resource).items():
            assert (check, reason) in accepted, f"{name}: {check}"
            written += 1
    assert written >= 40


def test_only_the_synchronously_invoked_functions_skip_the_dead_letter_check(template: Template) -> None:
    """The scheduled functions (invoked asynchronously) are scanned for their dead-letter queue; CDK's asset
    upload handler skips it with its own reason."""
    functions = template.find_resources("AWS::Lambda::Function")
    skipped = _skipped(template, "CKV_AWS_116")
    ours = set()
    for spec in FUNCTIONS:
        (name,) = (k for k, f in functions.items() if f["Properties"].get("Handler") == spec.handler)
        assert (name in skipped) is (spec.schedule_minutes is None), spec.name
        ours.add(name)
    (cdk_own,) = set(skipped) - ours
    assert cdk_own.startswith("CustomCDKBucketDeployment")


def test_only_the_public_routes_skip_the_authorization_check(template: Template) -> None:
    methods = template.find_resources("AWS::ApiGateway::Method")
    skipped = _skipped(template, "CKV_AWS_59")
    public = sum(1 for spec in API_FUNCTIONS for route in spec.routes if not route.authorized)
    assert len(skipped) == public
    for name, method in methods.items():
        authorization = method["Properties"]["AuthorizationType"]
        assert (name in skipped) is (authorization == "NONE"), name


def test_the_tls_skip_is_only_for_the_default_certificate(template: Template) -> None:
    (distribution,) = template.find_resources("AWS::CloudFront::Distribution").values()
    assert "CKV_AWS_174" in _skips(distribution)
    assert "ViewerCertificate" not in distribution["Properties"]["DistributionConfig"]
