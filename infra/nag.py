"""cdk-nag's AWS Solutions checks always run; every acknowledged finding carries its reason here.
(Checkov's accepted findings, on the synthesized template, are in infra/checkov_skips.py.)"""

from __future__ import annotations

import aws_cdk as cdk
from cdk_nag import AwsSolutionsChecks
from constructs import IConstruct

_DEPLOYMENT = "CDK's BucketDeployment custom resource, which copies build/assets to the assets bucket"
_GRANT = (
    "CDK's encrypt/decrypt grant on the case table's own KMS key, to the functions that use the table "
    "(their table actions are scoped per function by dynamodb:LeadingKeys, see infra/catalog.py)"
)

#: finding id -> why Heard accepts it. Keep each reason specific; add none without one.
ACKNOWLEDGED: dict[str, str] = {
    "AwsSolutions::AwsSolutions-CFR1": (
        "No geo restriction: children, care leavers and families may be abroad and must still reach the council."
    ),
    "AwsSolutions::AwsSolutions-CFR2": (
        "WAF is on the API stage (regional web ACL: CloudFront-only origin secret, rate per viewer, size and "
        "common rules); a CLOUDFRONT-scope ACL must live in us-east-1, and this stack is region-agnostic. "
        "CloudFront itself only serves static assets directly."
    ),
    "AwsSolutions::AwsSolutions-CFR4": (
        "Until the council deploys with its domain and ACM certificate (context heard:siteDomain and "
        "heard:certificateArn, which bring TLSv1.2_2021) the default CloudFront certificate is used, whose TLS "
        "floor AWS fixes at TLSv1; see README 'Deploying'."
    ),
    "AwsSolutions::AwsSolutions-SMG4": (
        "The origin secret only proves a request came through CloudFront; CloudFormation resolves it into the "
        "distribution and the web ACL at deployment, so a rotation outside a deployment would lock everyone out. "
        "It changes by replacing the secret in a deployment; it guards no data. The online form's key (FormKey) "
        "is resolved into the form function's environment the same way; replacing it in a deployment only "
        "makes forms in progress start again (answers sealed with it expire within 4 hours anyway)."
    ),
    "AwsSolutions::AwsSolutions-SQS3": (
        "Both queues are themselves dead-letter queues: of the notifier's and the workflow's stream event "
        "sources, and of the scheduled functions' asynchronous invocations."
    ),
    "AwsSolutions::AwsSolutions-L1": (
        f"The Lambda runtime of {_DEPLOYMENT} is chosen by CDK; Heard's functions run python3.13, not the "
        "newest (python3.14): the newest Python this project has an interpreter of, on which "
        "tests/infra/test_bundle.py runs the bundle (docs/decisions.md, 'Lambda runtime')."
    ),
    "AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]": (
        f"Managed logging policy of {_DEPLOYMENT}; Heard's own functions have inline roles."
    ),
    "AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]": (
        "The account-level role API Gateway needs to write the stage's access and error logs."
    ),
    "AwsSolutions::AwsSolutions-IAM5[Action::kms:GenerateDataKey*]": f"{_GRANT}: data keys for the encrypted table.",
    "AwsSolutions::AwsSolutions-IAM5[Action::kms:ReEncrypt*]": f"{_GRANT}: re-encryption under the same key.",
    "AwsSolutions::AwsSolutions-IAM5[Resource::*]": (
        "dynamodb:ListStreams, which the stream event sources need; and the state machine's log delivery and "
        "X-Ray actions (CDK's, for its logging and tracing): actions that take no resource. (The CloudFront "
        f"invalidation of {_DEPLOYMENT} is narrowed to Heard's distribution: infra/components/web.py.)"
    ),
    "AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:heard-stage-timer:*]": (
        "The Workflow function stops the stage timer's executions, named per case and deadline at run time: "
        "only executions of that one state machine."
    ),
    "AwsSolutions::AwsSolutions-IAM5[Action::s3:GetBucket*]": f"Read access of {_DEPLOYMENT}.",
    "AwsSolutions::AwsSolutions-IAM5[Action::s3:GetObject*]": f"Read access of {_DEPLOYMENT}.",
    "AwsSolutions::AwsSolutions-IAM5[Action::s3:List*]": f"Listing by {_DEPLOYMENT}.",
    "AwsSolutions::AwsSolutions-IAM5[Action::s3:Abort*]": f"Multipart uploads by {_DEPLOYMENT}.",
    "AwsSolutions::AwsSolutions-IAM5[Action::s3:DeleteObject*]": f"Pruning of old asset versions by {_DEPLOYMENT}.",
    "AwsSolutions::AwsSolutions-IAM5[Resource::<WebAssetsDD5BFD6C.Arn>/*]": f"The asset objects written by {_DEPLOYMENT}.",
    "AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-<AWS::Region>/*]": (
        f"The CDK bootstrap asset bucket read by {_DEPLOYMENT}."
    ),
}

#: Acknowledged on each public API method only (infra/components/api.py), never stack-wide: a staff
#: route without the Cognito authorizer fails the synth.
PUBLIC_ROUTE: dict[str, str] = {
    "AwsSolutions::AwsSolutions-APIG4": (
        "A public route by design: anyone may make a representation, through the form or the intake API. "
        "Staff routes use the Cognito authorizer."
    ),
    "AwsSolutions::AwsSolutions-COG4": (
        "A public route by design (see APIG4); staff routes use the Cognito user pool authorizer."
    ),
}

#: CDK's own warning (not cdk-nag's) on every function with SnapStart, whether or not it publishes a version:
#: acknowledged on each SnapStart function only (infra/components/functions.py), which always has one.
SNAP_START_PUBLISHED: tuple[str, str] = (
    "@aws-cdk/aws-lambda:snapStartRequirePublish",
    "Each SnapStart function publishes its current version and its callers invoke that version's live "
    "alias, never $LATEST (tests/infra/test_snapstart.py checks both).",
)


def apply_checks(app: IConstruct, stack: IConstruct) -> None:
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    if ACKNOWLEDGED:
        cdk.Validations.of(stack).acknowledge(
            *(cdk.Acknowledgment(id=rule, reason=reason) for rule, reason in ACKNOWLEDGED.items())
        )
