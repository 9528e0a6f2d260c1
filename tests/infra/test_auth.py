"""Staff sign-in in the template: the user pool, its client and groups, and the Cognito authorizer on
exactly the catalog's authorized routes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_lambda as lambda_
from aws_cdk.assertions import Match, Template

from infra.catalog import API_FUNCTIONS, STAFF_PASSWORD_MIN_LENGTH
from infra.nag import PUBLIC_ROUTE, apply_checks
from shared import names
from tests.infra.conftest import cdk_context

pytestmark = pytest.mark.infra


def _pool(template: Template) -> dict[str, Any]:
    pools = template.find_resources("AWS::Cognito::UserPool")
    assert len(pools) == 1
    return next(iter(pools.values()))


def test_the_staff_pool_is_invitation_only_with_mfa_and_strong_passwords(template: Template) -> None:
    pool = _pool(template)
    properties = pool["Properties"]
    assert properties["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is True
    assert properties["MfaConfiguration"] == "ON"
    assert properties["EnabledMfas"] == ["SOFTWARE_TOKEN_MFA"]
    policy = properties["Policies"]["PasswordPolicy"]
    assert policy["MinimumLength"] == STAFF_PASSWORD_MIN_LENGTH >= 14
    assert all(
        policy[k] for k in ("RequireLowercase", "RequireUppercase", "RequireNumbers", "RequireSymbols")
    )
    assert properties["UserPoolTier"] == "PLUS"
    assert properties["UserPoolAddOns"] == {"AdvancedSecurityMode": "ENFORCED"}
    assert properties["DeletionProtection"] == "ACTIVE"
    assert (pool["DeletionPolicy"], pool["UpdateReplacePolicy"]) == ("Retain", "Retain")
    assert properties["AccountRecoverySetting"] == {
        "RecoveryMechanisms": [{"Name": "verified_email", "Priority": 1}]
    }


def test_service_areas_are_a_custom_attribute_the_client_cannot_write(template: Template) -> None:
    schema = _pool(template)["Properties"]["Schema"]
    assert {
        k: v
        for k, v in next(a for a in schema if a["Name"] == names.SERVICE_AREAS_ATTRIBUTE).items()
        if k != "StringAttributeConstraints"
    } == {"Name": names.SERVICE_AREAS_ATTRIBUTE, "AttributeDataType": "String", "Mutable": True}
    clients = template.find_resources("AWS::Cognito::UserPoolClient")
    assert len(clients) == 1
    client = next(iter(clients.values()))["Properties"]
    assert names.SERVICE_AREAS_CLAIM in client["ReadAttributes"]
    assert client["WriteAttributes"], "an empty list would let the client write every standard attribute"
    assert not [a for a in client["WriteAttributes"] if a.startswith("custom:") or a == "email"]


def test_the_officer_client_has_no_secret_and_only_the_flows_it_needs(template: Template) -> None:
    client = next(iter(template.find_resources("AWS::Cognito::UserPoolClient").values()))["Properties"]
    assert client["ClientName"] == names.OFFICER_CLIENT
    assert client["GenerateSecret"] is False
    assert sorted(client["ExplicitAuthFlows"]) == [
        "ALLOW_ADMIN_USER_PASSWORD_AUTH",
        "ALLOW_REFRESH_TOKEN_AUTH",
        "ALLOW_USER_SRP_AUTH",
    ]
    assert client["PreventUserExistenceErrors"] == "ENABLED"
    assert client["EnableTokenRevocation"] is True


def test_the_groups_are_the_staff_roles(template: Template) -> None:
    groups = template.find_resources("AWS::Cognito::UserPoolGroup")
    assert sorted(g["Properties"]["GroupName"] for g in groups.values()) == sorted(names.STAFF_GROUPS)
    assert all(g["Properties"]["Description"] for g in groups.values())


def test_exactly_the_authorized_routes_use_the_cognito_authorizer(template: Template) -> None:
    template.has_resource_properties(
        "AWS::ApiGateway::Authorizer",
        {
            "Type": "COGNITO_USER_POOLS",
            "IdentitySource": "method.request.header.Authorization",
            "ProviderARNs": [{"Fn::GetAtt": [Match.string_like_regexp("StaffAuthStaffPool"), "Arn"]}],
        },
    )
    methods = template.find_resources("AWS::ApiGateway::Method")
    guarded = sorted(
        m["Properties"]["HttpMethod"]
        for m in methods.values()
        if m["Properties"].get("AuthorizationType") == "COGNITO_USER_POOLS"
    )
    authorized = [r for spec in API_FUNCTIONS for r in spec.routes if r.authorized]
    assert authorized, "GET /me at least"
    assert guarded == sorted(r.method for r in authorized)
    for method in methods.values():
        if method["Properties"].get("AuthorizationType") == "COGNITO_USER_POOLS":
            assert "AuthorizerId" in method["Properties"]
        else:
            assert method["Properties"].get("AuthorizationType", "NONE") == "NONE"


def test_the_pool_and_client_ids_are_outputs(template: Template) -> None:
    outputs = template.find_outputs("*")
    assert {"StaffUserPoolId", "OfficerApiClientId"} <= set(outputs)


def test_public_route_acknowledgements_have_reasons() -> None:
    for rule, reason in PUBLIC_ROUTE.items():
        assert rule in ("AwsSolutions::AwsSolutions-APIG4", "AwsSolutions::AwsSolutions-COG4")
        assert len(reason.split()) >= 6


def test_a_route_without_an_authorizer_fails_the_synth(tmp_path: Path) -> None:
    """APIG4/COG4 are acknowledged on public methods only: a method added without the authorizer (as a
    staff route would be if api.py forgot it) is a finding."""
    app = cdk.App(context=cdk_context(), outdir=str(tmp_path))
    stack = cdk.Stack(app, "Unguarded")
    function = lambda_.Function(
        stack,
        "F",
        runtime=lambda_.Runtime.PYTHON_3_14,
        handler="index.handler",
        code=lambda_.Code.from_inline("def handler(e, c): return {}"),
    )
    api = apigw.RestApi(stack, "Api", deploy=False)
    api.root.add_resource("me").add_method("GET", apigw.LambdaIntegration(function))
    apply_checks(app, stack)
    with pytest.raises(RuntimeError, match="ValidationFailed"):
        app.synth()
    report = (tmp_path / "validation-report.json").read_text()
    assert "AwsSolutions-APIG4" in report
    assert "AwsSolutions-COG4" in report


def test_cloudfront_passes_the_authorization_header_to_the_api(template: Template) -> None:
    """CloudFront forwards Authorization only from a cache policy, or (caching disabled) with the managed
    AllViewer or AllViewerExceptHostHeader origin request policies: the API behaviour must keep both."""
    distribution = next(iter(template.find_resources("AWS::CloudFront::Distribution").values()))
    behaviour = distribution["Properties"]["DistributionConfig"]["DefaultCacheBehavior"]
    assert behaviour["CachePolicyId"] == "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"  # Managed-CachingDisabled
    assert (
        behaviour["OriginRequestPolicyId"] == "b689b0a8-53d0-40ab-baf2-68738e2966ac"
    )  # AllViewerExceptHostHeader
