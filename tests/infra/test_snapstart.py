"""SnapStart on the functions a person waits for: on their published versions, invoked through the alias of
the version the deployment published (never the unqualified function, whose $LATEST SnapStart never
applies to), and with nothing SnapStart refuses."""

from __future__ import annotations

from typing import Any

import pytest
from aws_cdk.assertions import Template

from infra.catalog import API_FUNCTIONS, FUNCTIONS, INTAKE, LIVE_ALIAS, SNAP_START_FUNCTIONS, FunctionSpec

pytestmark = pytest.mark.infra

#: The most ephemeral storage (/tmp) SnapStart allows, in MB; 512 is Lambda's default.
SNAP_START_MAX_EPHEMERAL_MB = 512


def _function_id(template: Template, spec: FunctionSpec) -> str:
    functions = template.find_resources("AWS::Lambda::Function")
    (function_id,) = (k for k, f in functions.items() if f["Properties"]["Handler"] == spec.handler)
    return function_id


def _alias_id(template: Template, spec: FunctionSpec) -> str:
    function_id = _function_id(template, spec)
    aliases = template.find_resources("AWS::Lambda::Alias")
    (alias_id,) = (k for k, a in aliases.items() if a["Properties"]["FunctionName"] == {"Ref": function_id})
    return alias_id


def _method_paths(template: Template) -> dict[tuple[str, str], dict[str, Any]]:
    """Every API method by (verb, resource path), rebuilt from the resources' parents and path parts."""
    resources = template.find_resources("AWS::ApiGateway::Resource")

    def path(resource_ref: Any) -> str:
        if "Fn::GetAtt" in resource_ref:  # the REST API's root resource
            return ""
        resource = resources[resource_ref["Ref"]]["Properties"]
        return f"{path(resource['ParentId'])}/{resource['PathPart']}"

    return {
        (m["Properties"]["HttpMethod"], path(m["Properties"]["ResourceId"]) or "/"): m["Properties"]
        for m in template.find_resources("AWS::ApiGateway::Method").values()
    }


def test_the_functions_behind_the_api_and_only_they_have_snapstart() -> None:
    """The choice (docs/decisions.md, "Lambda runtime"): every API-facing function, the public intake
    first; the stream, scheduled and workflow functions have no person waiting on their cold start."""
    assert INTAKE in SNAP_START_FUNCTIONS
    assert set(SNAP_START_FUNCTIONS) == set(API_FUNCTIONS)


def test_each_chosen_function_applies_snapstart_on_published_versions(template: Template) -> None:
    functions = template.find_resources("AWS::Lambda::Function")
    for spec in FUNCTIONS:
        properties = functions[_function_id(template, spec)]["Properties"]
        expected = {"ApplyOn": "PublishedVersions"} if spec.snap_start else None
        assert properties.get("SnapStart") == expected, spec.name


def test_each_chosen_function_has_the_live_alias_on_its_published_version(template: Template) -> None:
    versions = template.find_resources("AWS::Lambda::Version")
    aliases = template.find_resources("AWS::Lambda::Alias")
    assert len(aliases) == len(SNAP_START_FUNCTIONS)
    for spec in SNAP_START_FUNCTIONS:
        function_id = _function_id(template, spec)
        alias = aliases[_alias_id(template, spec)]["Properties"]
        assert alias["Name"] == LIVE_ALIAS, spec.name
        assert "RoutingConfig" not in alias, f"{spec.name}: all of the alias's traffic on one version"
        version_id, attribute = alias["FunctionVersion"]["Fn::GetAtt"]
        assert attribute == "Version", spec.name
        assert versions[version_id]["Properties"]["FunctionName"] == {"Ref": function_id}, spec.name
        # a version a deployment replaced is deleted with it, and its cached snapshot with it
        assert versions[version_id]["DeletionPolicy"] == "Delete", spec.name


def _invoked(uri: Any) -> Any:
    """What an AWS_PROXY integration URI invokes: the part of its Fn::Join between .../functions/ and
    /invocations."""
    parts = uri["Fn::Join"][1]
    (index,) = (i for i, part in enumerate(parts) if isinstance(part, str) and part.endswith("/functions/"))
    assert parts[index + 2] == "/invocations", uri
    return parts[index + 1]


def test_every_api_method_of_a_snapstart_function_integrates_with_its_alias(template: Template) -> None:
    methods = _method_paths(template)
    for spec in SNAP_START_FUNCTIONS:
        alias_id = _alias_id(template, spec)
        for route in spec.routes:
            integration = methods[(route.method, route.path)]["Integration"]
            assert integration["Type"] == "AWS_PROXY", (spec.name, route)
            assert _invoked(integration["Uri"]) == {"Ref": alias_id}, (spec.name, route)


def test_api_gateway_may_invoke_the_aliases_only(template: Template) -> None:
    """Each method's invoke permission (and its test-invoke one) names the alias: a permission on the
    function would let API Gateway call only $LATEST, and one on the alias alone is what the alias needs."""
    permissions = [
        p["Properties"]
        for p in template.find_resources("AWS::Lambda::Permission").values()
        if p["Properties"]["Principal"] == "apigateway.amazonaws.com"
    ]
    for spec in SNAP_START_FUNCTIONS:
        alias_id, function_id = _alias_id(template, spec), _function_id(template, spec)
        on_alias = [p for p in permissions if p["FunctionName"] == {"Ref": alias_id}]
        assert len(on_alias) == 2 * len(spec.routes), spec.name  # the stage's and the console test's
        assert all(p["Action"] == "lambda:InvokeFunction" for p in on_alias), spec.name
        on_function = [p for p in permissions if p["FunctionName"] in ({"Ref": function_id}, function_id)]
        assert not on_function, f"{spec.name}: API Gateway may invoke the unqualified function"
        on_function_arn = [
            p for p in permissions if p["FunctionName"] == {"Fn::GetAtt": [function_id, "Arn"]}
        ]
        assert not on_function_arn, f"{spec.name}: API Gateway may invoke the unqualified function"


def test_no_snapstart_function_uses_what_snapstart_refuses(template: Template) -> None:
    """Not with provisioned concurrency, EFS, or more than 512 MB of ephemeral storage (the Lambda
    Developer Guide's SnapStart page)."""
    functions = template.find_resources("AWS::Lambda::Function")
    snapshotted = {k: f["Properties"] for k, f in functions.items() if "SnapStart" in f["Properties"]}
    assert len(snapshotted) == len(SNAP_START_FUNCTIONS)
    for function_id, properties in snapshotted.items():
        assert not properties.get("FileSystemConfigs"), f"{function_id}: EFS"
        size = properties.get("EphemeralStorage", {}).get("Size", 512)
        assert size <= SNAP_START_MAX_EPHEMERAL_MB, f"{function_id}: {size} MB of /tmp"
    for kind in ("AWS::Lambda::Version", "AWS::Lambda::Alias"):
        for logical_id, resource in template.find_resources(kind).items():
            properties = resource["Properties"]
            assert "ProvisionedConcurrencyConfig" not in properties, f"{logical_id}: provisioned concurrency"
