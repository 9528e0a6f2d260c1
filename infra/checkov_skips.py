"""Checkov's findings Heard accepts, each with its reason, in one place (as infra/nag.py is cdk-nag's).

Checkov (``make checkov``, part of ``make test``) scans the synthesized template and reads a skip from the
resource's own metadata (``Metadata: {checkov: {skip: [{id, comment}]}}``), printing the comment with it. So
each acceptance here is written onto exactly the resources it is for, with its reason as the comment, and
``.checkov.yaml`` skips nothing: a finding on any other resource, or from a new check, fails the suite."""

from __future__ import annotations

from collections.abc import Mapping

import jsii
from aws_cdk import Aspects, CfnResource, IAspect
from constructs import IConstruct

#: Accepted on every resource of a type, Heard's and CDK's alike: check id -> (CloudFormation type, reason).
EVERY: dict[str, tuple[str, str]] = {
    "CKV_AWS_115": (
        "AWS::Lambda::Function",
        "No reserved concurrency. Lambda refuses a reservation that would leave the account fewer than 100 "
        "unreserved executions, and a new account may have only 10 in all, so reservations could stop a "
        "council's first deployment. Load is bounded before the functions instead: API Gateway throttles the "
        "stage and WAF each viewer (infra/components/api.py, waf.py), each stream function runs one batch per "
        "shard at a time, each scheduled one once a period, and CDK's asset upload once a deployment.",
    ),
    "CKV_AWS_117": (
        "AWS::Lambda::Function",
        "Outside a VPC: the functions call only AWS APIs (DynamoDB, SES, Step Functions, Cognito, S3 and "
        "CloudFront for the asset upload), over TLS and signed by their own least-privilege roles. Heard has "
        "no private network resource to reach; a VPC would add NAT gateways or interface endpoints to pay for "
        "and keep, protecting nothing.",
    ),
    "CKV_AWS_173": (
        "AWS::Lambda::Function",
        "Lambda encrypts every function's environment at rest with its own key. The variables are resource "
        "names and ARNs, and on the Form function alone the form's key, which CloudFormation resolves at "
        "deployment from its secret (under the stack's key); reading it back takes "
        "lambda:GetFunctionConfiguration, which Heard grants to nobody. A customer key on the environment is "
        "left for a change proved on a real deployment: neither its grants nor SnapStart's restores under it "
        "can be exercised locally.",
    ),
}

#: On each function invoked only synchronously (infra/components/functions.py): every one but the scheduled.
SYNCHRONOUS_FUNCTION: dict[str, str] = {
    "CKV_AWS_116": (
        "Invoked synchronously only: by API Gateway's proxy integration, by an event source mapping on the "
        "table's stream (whose failed batches go to the mapping's own on-failure queue), or as the stage "
        "workflow's task (lambda:invoke, retried and caught by the state machine). A function's dead-letter "
        "queue receives only asynchronous invocations; the scheduled functions, invoked asynchronously by "
        "EventBridge Scheduler, have one."
    ),
}

#: On each public API method only (infra/components/api.py): a staff route without it fails the scan.
PUBLIC_ROUTE: dict[str, str] = {
    "CKV_AWS_59": (
        "A public route by design: anyone may make a representation, through the form or the intake API, "
        "without an account. WAF (only through CloudFront, a rate per viewer, the declared body size, AWS's "
        "common rules) and the stage's throttling guard it. Staff routes use the Cognito authorizer."
    ),
}

#: On the API stage (infra/components/api.py).
API_STAGE: dict[str, str] = {
    "CKV_AWS_120": (
        "No API cache: every answer is for one caller or changes with each request (the form's pages, a "
        "case as it is now), and CloudFront caches nothing of the API either. A stage cache could serve one "
        "person's answer to another, and is paid for by the hour."
    ),
}

#: On the CloudFront distribution (infra/components/web.py).
DISTRIBUTION: dict[str, str] = {
    "CKV_AWS_68": (
        "WAF is on the API stage: a REGIONAL web ACL (only requests through CloudFront, a rate per viewer, "
        "the declared body size, AWS's common rules) in the stack's region. A CLOUDFRONT-scope web ACL must "
        "be created in us-east-1, and this stack is region-agnostic (it would need a second stack there). "
        "CloudFront itself serves only the GOV.UK Frontend's static assets."
    ),
}

#: On the distribution while it has the default certificate (no heard:siteDomain and heard:certificateArn).
DEFAULT_CERTIFICATE: dict[str, str] = {
    "CKV_AWS_174": (
        "The default *.cloudfront.net certificate, whose security policy AWS fixes at TLSv1 whatever the "
        "template says, serves until the council deploys with its domain and ACM certificate "
        "(heard:siteDomain and heard:certificateArn, README 'Deploying'): then TLSv1.2_2021, and no skip."
    ),
}

#: On the log bucket (infra/components/web.py).
LOG_BUCKET: dict[str, str] = {
    "CKV_AWS_18": (
        "This is the log bucket: CloudFront's logs and the assets bucket's access logs go here. Logging its "
        "own access into itself would log every log delivery in a loop, and into another bucket would only "
        "move the question there."
    ),
}

#: On the regional web ACL (infra/components/waf.py).
WEB_ACL: dict[str, str] = {
    "CKV_AWS_192": (
        "Log4j (CVE-2021-44228) is a Java library, and no Java runs anywhere a request reaches (CloudFront, "
        "API Gateway, Python functions, DynamoDB). AWS's known-bad-inputs rule group would block bodies for "
        "their words, where every body rule of this web ACL only counts: a complaint may quote any text "
        "(docs/decisions.md, 'WAF never blocks a legal body')."
    ),
}

#: CDK's own resources, by the start of their construct's id and their type: what is accepted on each.
CDK_OWN: dict[tuple[str, str], dict[str, str]] = {
    ("Custom::CDKBucketDeployment", "AWS::Lambda::Function"): {
        "CKV_AWS_116": (
            "CDK's BucketDeployment handler, invoked by CloudFormation for the asset upload: it reports a "
            "failure to CloudFormation, which fails and rolls back the deployment. There is no event to keep."
        ),
    },
}

#: Every table, for the tests: a reason for each skip, and no skip written that is not here.
TABLES: tuple[Mapping[str, str], ...] = (
    {check: reason for check, (_, reason) in EVERY.items()},
    SYNCHRONOUS_FUNCTION,
    PUBLIC_ROUTE,
    API_STAGE,
    DISTRIBUTION,
    DEFAULT_CERTIFICATE,
    LOG_BUCKET,
    WEB_ACL,
    *CDK_OWN.values(),
)


def _resource(construct: IConstruct) -> CfnResource:
    if isinstance(construct, CfnResource):
        return construct
    child = construct.node.default_child
    if not isinstance(child, CfnResource):
        raise TypeError(f"{construct.node.path} has no CloudFormation resource to skip checks on")
    return child


def skip(construct: IConstruct, table: Mapping[str, str]) -> None:
    """Checkov skips the checks of ``table`` on ``construct``'s resource (or on the resource itself), each
    with its reason; added to any skips it has already."""
    resource = _resource(construct)
    existing = resource.get_metadata("checkov") or {}
    skips = [entry for entry in existing.get("skip", []) if entry["id"] not in table]
    skips += [{"id": check, "comment": reason} for check, reason in table.items()]
    resource.add_metadata("checkov", {"skip": sorted(skips, key=lambda entry: str(entry["id"]))})


@jsii.implements(IAspect)
class _EveryResource:
    def visit(self, node: IConstruct) -> None:
        if not isinstance(node, CfnResource):
            return
        accepted = {
            check: reason for check, (kind, reason) in EVERY.items() if kind == node.cfn_resource_type
        }
        for (prefix, kind), table in CDK_OWN.items():
            if kind == node.cfn_resource_type and any(s.node.id.startswith(prefix) for s in node.node.scopes):
                accepted.update(table)
        if accepted:
            skip(node, accepted)


def apply(stack: IConstruct) -> None:
    """The skips of ``EVERY`` and ``CDK_OWN``, on every resource of ``stack`` they are for."""
    Aspects.of(stack).add(_EveryResource())
