"""The edges: WAF never blocks a body the handlers accept, CloudFront is the only way in, the rate limit
counts an address the client cannot forge, and every response carries the security headers."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_iam as iam
from aws_cdk.assertions import Template

from functions.http import MAX_BODY_BYTES, MAX_FORM_BODY_BYTES, SECURITY_HEADERS
from infra.components.waf import greater_than
from shared import names

pytestmark = pytest.mark.infra

#: AWS WAF developer guide: API Gateway forwards at most the first 16 KB of a body to WAF by default, and
#: the web ACL's AssociationConfig can raise that to 32, 48 or 64 KB, never more.
WAF_BODY_INSPECTION_MAX = 64 * 1024
#: AWS Managed Rules, core rule set: SizeRestrictions_BODY blocks bodies over 8 KB (8,192 bytes).
CRS_BODY_SIZE_RULE = "SizeRestrictions_BODY"


def _acl(template: Template) -> dict[str, Any]:
    (acl,) = template.find_resources("AWS::WAFv2::WebACL").values()
    return dict(acl["Properties"])


def _rules(template: Template) -> dict[str, dict[str, Any]]:
    return {r["Name"]: r for r in _acl(template)["Rules"]}


def _statements(statement: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """A statement and every statement nested in it."""
    yield statement
    for kind in ("AndStatement", "OrStatement"):
        for inner in statement.get(kind, {}).get("Statements", []):
            yield from _statements(inner)
    if "NotStatement" in statement:
        yield from _statements(statement["NotStatement"]["Statement"])
    for kind in ("RateBasedStatement", "ManagedRuleGroupStatement"):
        if "ScopeDownStatement" in statement.get(kind, {}):
            yield from _statements(statement[kind]["ScopeDownStatement"])


def _inner(statement: dict[str, Any]) -> dict[str, Any]:
    (inner,) = statement.values()
    return dict(inner)


def test_the_handlers_accept_bodies_larger_than_waf_can_inspect() -> None:
    """Why no WAF rule may look at body size: the handlers' limits are beyond what WAF ever sees. (If this
    stops being true, a body-size rule with oversize handling becomes possible again.)"""
    assert max(MAX_BODY_BYTES, MAX_FORM_BODY_BYTES) > 16 * 1024


def test_no_rule_blocks_a_body_for_being_large_or_uninspectable(template: Template) -> None:
    for name, rule in _rules(template).items():
        for statement in _statements(rule["Statement"]):
            inner = _inner(statement)
            field = inner.get("FieldToMatch", {})
            for component in ("Body", "JsonBody"):
                if component in field:
                    # MATCH would block every body over the inspection limit, legal or not.
                    assert field[component].get("OversizeHandling", "CONTINUE") != "MATCH", name
            if "SizeConstraintStatement" in statement and ({"Body", "JsonBody"} & set(field)):
                pytest.fail(f"{name}: WAF cannot measure a body beyond {WAF_BODY_INSPECTION_MAX} bytes")


def test_the_managed_rules_never_block_on_body_size(template: Template) -> None:
    (managed,) = [r for r in _rules(template).values() if "ManagedRuleGroupStatement" in r["Statement"]]
    group = managed["Statement"]["ManagedRuleGroupStatement"]
    assert group["Name"] == "AWSManagedRulesCommonRuleSet"
    overrides = {o["Name"]: o["ActionToUse"] for o in group.get("RuleActionOverrides", [])}
    excluded = {e["Name"] for e in group.get("ExcludedRules", [])}
    assert overrides.get(CRS_BODY_SIZE_RULE) == {"Count": {}} or CRS_BODY_SIZE_RULE in excluded


def _content_length_rules(template: Template) -> list[str]:
    patterns = []
    for rule in _rules(template).values():
        for statement in _statements(rule["Statement"]):
            inner = _inner(statement)
            header = inner.get("FieldToMatch", {}).get("SingleHeader", {}).get("Name", "")
            if header.lower() == "content-length":
                assert "RegexMatchStatement" in statement, "Content-Length is compared as a number, by regex"
                assert "Block" in rule["Action"]
                patterns.append(inner["RegexString"])
    return patterns


@pytest.mark.parametrize("limit", [MAX_BODY_BYTES, MAX_FORM_BODY_BYTES])
def test_a_declared_body_at_a_handler_limit_passes_and_one_byte_over_both_is_blocked(
    template: Template, limit: int
) -> None:
    (pattern,) = _content_length_rules(template)
    largest = max(MAX_BODY_BYTES, MAX_FORM_BODY_BYTES)
    for legal in (0, 1, limit - 1, limit, f"0{limit}"):
        assert not re.search(pattern, str(legal)), legal
    for too_large in (largest + 1, largest + 10, 10 * largest, 10**12, f"00{largest + 1}"):
        assert re.search(pattern, str(too_large)), too_large


@pytest.mark.parametrize("limit", [0, 7, 9, 10, 99, 100, 65_536, 160_000, 199_999, 204_800, 999_999])
def test_greater_than_matches_exactly_the_larger_numbers(limit: int) -> None:
    pattern = re.compile(greater_than(limit))
    probes = set(range(0, 1_200)) | {limit + d for d in range(-1_100, 1_100) if limit + d >= 0}
    probes |= {10**k + d for k in range(1, 9) for d in (-1, 0, 1)}
    for n in probes:
        assert bool(pattern.search(str(n))) == (n > limit), (limit, n)
    assert len(greater_than(limit)) <= 512  # WAF's limit on a regex string


def _distribution(template: Template) -> dict[str, Any]:
    (distribution,) = template.find_resources("AWS::CloudFront::Distribution").values()
    return dict(distribution["Properties"]["DistributionConfig"])


def test_cloudfront_sends_a_generated_secret_that_waf_requires(template: Template) -> None:
    (secret_id,) = [k for k in template.find_resources("AWS::SecretsManager::Secret") if "OriginSecret" in k]
    secret = template.find_resources("AWS::SecretsManager::Secret")[secret_id]["Properties"]
    assert secret["GenerateSecretString"]["PasswordLength"] >= 32
    api_origins = [o for o in _distribution(template)["Origins"] if "CustomOriginConfig" in o]
    (origin,) = api_origins
    (header,) = origin["OriginCustomHeaders"]
    value = header["HeaderValue"]
    # a dynamic reference to the generated secret, resolved by CloudFormation: no literal anywhere
    assert value["Fn::Join"][1][0] == "{{resolve:secretsmanager:"
    assert {"Ref": secret_id} in value["Fn::Join"][1]

    (only_cloudfront,) = [
        r for r in _rules(template).values() if "NotStatement" in r["Statement"] and "Block" in r["Action"]
    ]
    assert only_cloudfront["Priority"] == 0  # before anything else is evaluated
    inside = only_cloudfront["Statement"]["NotStatement"]["Statement"]
    matches = [s["ByteMatchStatement"] for s in _statements(inside) if "ByteMatchStatement" in s]
    (byte_match,) = matches
    assert byte_match["FieldToMatch"]["SingleHeader"]["Name"].lower() == header["HeaderName"].lower()
    assert byte_match["PositionalConstraint"] == "EXACTLY"
    assert byte_match["SearchString"] == value
    assert "AndStatement" in inside or inside == {"ByteMatchStatement": byte_match}


def test_the_rate_limit_counts_the_viewer_address_cloudfront_sets(template: Template) -> None:
    rate_rules = [r for r in _rules(template).values() if "RateBasedStatement" in r["Statement"]]
    (rule,) = rate_rules
    statement = rule["Statement"]["RateBasedStatement"]
    assert "Block" in rule["Action"]
    if statement["AggregateKeyType"] == "FORWARDED_IP":
        header = statement["ForwardedIPConfig"]["HeaderName"]
    else:
        (key,) = statement["CustomKeys"]
        header = key["Header"]["Name"]
    assert header.lower() != "x-forwarded-for", "the first X-Forwarded-For address is the client's to forge"
    # CloudFront's viewer-request function overwrites the header with the connection's address
    (function,) = template.find_resources("AWS::CloudFront::Function").values()
    code = function["Properties"]["FunctionCode"]
    assert re.search(
        rf"request\.headers\[['\"]{re.escape(header.lower())}['\"]\]\s*=\s*\{{\s*value:\s*event\.viewer\.ip",
        code,
    )
    default = _distribution(template)["DefaultCacheBehavior"]
    (association,) = default["FunctionAssociations"]
    assert association["EventType"] == "viewer-request"
    # and a request without it (not from CloudFront) is blocked by the first rule
    (only_cloudfront,) = [r for r in _rules(template).values() if r["Priority"] == 0]
    inside = list(_statements(only_cloudfront["Statement"]))
    required = [
        s["SizeConstraintStatement"]["FieldToMatch"]["SingleHeader"]["Name"].lower()
        for s in inside
        if "SizeConstraintStatement" in s
    ]
    assert header.lower() in required


def test_waf_is_on_the_api_stage(template: Template) -> None:
    template.resource_count_is("AWS::WAFv2::WebACLAssociation", 1)
    assert _acl(template)["Scope"] == "REGIONAL"


def _policy_headers(template: Template) -> tuple[str, dict[str, str]]:
    (policy_id, policy) = next(
        iter(template.find_resources("AWS::CloudFront::ResponseHeadersPolicy").items())
    )
    config = policy["Properties"]["ResponseHeadersPolicyConfig"]
    security = config.get("SecurityHeadersConfig", {})
    headers: dict[str, str] = {}
    if "ContentSecurityPolicy" in security:
        headers["content-security-policy"] = security["ContentSecurityPolicy"]["ContentSecurityPolicy"]
    if "ContentTypeOptions" in security:
        headers["x-content-type-options"] = "nosniff"
    if "FrameOptions" in security:
        headers["x-frame-options"] = security["FrameOptions"]["FrameOption"]
    if "ReferrerPolicy" in security:
        headers["referrer-policy"] = security["ReferrerPolicy"]["ReferrerPolicy"]
    for custom in config.get("CustomHeadersConfig", {}).get("Items", []):
        headers[custom["Header"].lower()] = custom["Value"]
    overrides = [v.get("Override") for v in security.values() if isinstance(v, dict)]
    assert all(overrides), "CloudFront's values must replace whatever the origin sent"
    return policy_id, headers


def test_every_response_carries_the_security_headers(template: Template) -> None:
    policy_id, headers = _policy_headers(template)
    for name, value in SECURITY_HEADERS.items():
        assert headers.get(name.lower(), "").lower() == value.lower(), name
    config = _distribution(template)
    behaviours = [config["DefaultCacheBehavior"], *config["CacheBehaviors"]]
    assert {b.get("PathPattern", "*") for b in behaviours} == {"*", "/assets/*"}
    for behaviour in behaviours:
        assert behaviour["ResponseHeadersPolicyId"] == {"Ref": policy_id}, behaviour.get("PathPattern")


#: AWS Managed Rules, core rule set: the rules that inspect the body's words (AWS's rule group
#: documentation). A complaint may quote markup, a file path or an address, and the handlers accept it.
CRS_BODY_CONTENT_RULES = (
    "CrossSiteScripting_BODY",
    "GenericRFI_BODY",
    "GenericLFI_BODY",
    "EC2MetaDataSSRF_BODY",
)


def test_the_managed_rules_never_block_a_legal_answer_for_its_words(template: Template) -> None:
    (managed,) = [r for r in _rules(template).values() if "ManagedRuleGroupStatement" in r["Statement"]]
    group = managed["Statement"]["ManagedRuleGroupStatement"]
    overrides = {o["Name"]: o["ActionToUse"] for o in group.get("RuleActionOverrides", [])}
    for rule in CRS_BODY_CONTENT_RULES:
        assert overrides.get(rule) == {"Count": {}}, rule


def test_only_the_form_gets_the_key_that_seals_its_answers_resolved_at_deployment(template: Template) -> None:
    (key_id,) = [k for k in template.find_resources("AWS::SecretsManager::Secret") if "FormKey" in k]
    assert (
        template.find_resources("AWS::SecretsManager::Secret")[key_id]["Properties"]["GenerateSecretString"][
            "PasswordLength"
        ]
        >= 32
    )
    holders = {
        name: props["Properties"]["Environment"]["Variables"][names.FORM_KEY_ENV]
        for name, props in template.find_resources("AWS::Lambda::Function").items()
        if names.FORM_KEY_ENV in props["Properties"].get("Environment", {}).get("Variables", {})
    }
    assert len(holders) == 1 and next(iter(holders)).startswith("FunctionsForm")
    value = next(iter(holders.values()))
    assert value["Fn::Join"][1][0] == "{{resolve:secretsmanager:", "a dynamic reference, never the value"
    assert key_id in str(value)


def test_the_secrets_are_encrypted_with_the_stacks_key(template: Template) -> None:
    """The origin secret and the form's key are under the customer-managed key, not Secrets Manager's
    AWS-managed one: who may read them is the key's policy and IAM, together."""
    (key_id,) = template.find_resources("AWS::KMS::Key")
    secrets = template.find_resources("AWS::SecretsManager::Secret")
    assert len(secrets) == 2
    for name, secret in secrets.items():
        assert secret["Properties"].get("KmsKeyId") == {"Fn::GetAtt": [key_id, "Arn"]}, name


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def test_the_asset_upload_may_invalidate_only_heards_distribution(template: Template) -> None:
    """CDK's BucketDeployment grants its handler invalidations on every distribution ("*"): the synthesized
    policy names Heard's distribution instead, and no IAM statement invalidates any other."""
    (distribution_id,) = template.find_resources("AWS::CloudFront::Distribution")
    invalidating = [
        statement
        for policy in template.find_resources("AWS::IAM::Policy").values()
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
        if any(str(a).startswith("cloudfront:") for a in _listed(statement["Action"]))
    ]
    assert len(invalidating) == 1
    (statement,) = invalidating
    assert sorted(_listed(statement["Action"])) == [
        "cloudfront:CreateInvalidation",
        "cloudfront:GetInvalidation",
    ]
    resource = statement["Resource"]
    assert resource != "*"
    assert {"Ref": distribution_id} in resource["Fn::Join"][1]
    assert ":distribution/" in resource["Fn::Join"][1]


def test_the_invalidation_aspect_refuses_a_mixed_statement() -> None:
    from infra.components.web import OnlyThisDistribution

    app = cdk.App()
    stack = cdk.Stack(app, "Mixed")
    role = iam.Role(stack, "R", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
    role.add_to_policy(
        iam.PolicyStatement(actions=["cloudfront:CreateInvalidation", "s3:PutObject"], resources=["*"])
    )
    cdk.Aspects.of(role).add(OnlyThisDistribution("arn:aws:cloudfront::1:distribution/D"))
    with pytest.raises(Exception, match="mixed with other actions"):
        app.synth()


def test_every_bucket_is_versioned_and_the_log_bucket_lets_its_versions_expire(template: Template) -> None:
    buckets = template.find_resources("AWS::S3::Bucket")
    assert len(buckets) == 2  # the assets and the logs
    for name, bucket in buckets.items():
        assert bucket["Properties"]["VersioningConfiguration"] == {"Status": "Enabled"}, name
    (logs,) = [b["Properties"] for b in buckets.values() if "LoggingConfiguration" not in b["Properties"]]
    rules = logs["LifecycleConfiguration"]["Rules"]
    assert any(r.get("ExpirationInDays") == 400 and r.get("NoncurrentVersionExpiration") for r in rules)
    assert any(r.get("ExpiredObjectDeleteMarker") for r in rules)


def test_the_councils_domain_and_certificate_give_tls_1_2_at_least() -> None:
    """With the default *.cloudfront.net certificate AWS fixes the viewer policy at TLSv1; the council's
    own domain and ACM certificate (context heard:siteDomain and heard:certificateArn) bring TLSv1.2_2021."""
    from infra.app import build
    from tests.infra.conftest import cdk_context

    certificate = "arn:aws:acm:us-east-1:111111111111:certificate/00000000-0000-0000-0000-000000000000"
    app = cdk.App(
        context={
            **cdk_context(),
            "heard:siteDomain": "complaints.example.gov.uk",
            "heard:certificateArn": certificate,
        }
    )
    (distribution,) = Template.from_stack(build(app)).find_resources("AWS::CloudFront::Distribution").values()
    skips = {entry["id"] for entry in distribution.get("Metadata", {}).get("checkov", {}).get("skip", [])}
    assert "CKV_AWS_174" not in skips, "Checkov's TLS check applies as it is"
    config = distribution["Properties"]["DistributionConfig"]
    assert config["Aliases"] == ["complaints.example.gov.uk"]
    assert config["ViewerCertificate"] == {
        "AcmCertificateArn": certificate,
        "MinimumProtocolVersion": "TLSv1.2_2021",
        "SslSupportMethod": "sni-only",
    }


def test_the_default_certificate_is_used_without_the_councils_domain(template: Template) -> None:
    assert "ViewerCertificate" not in _distribution(template)
    assert "Aliases" not in _distribution(template)


def test_the_councils_domain_and_its_certificate_come_together() -> None:
    from infra.app import build
    from tests.infra.conftest import cdk_context

    app = cdk.App(context={**cdk_context(), "heard:siteDomain": "complaints.example.gov.uk"})
    with pytest.raises(ValueError, match="ACM certificate"):
        build(app)
