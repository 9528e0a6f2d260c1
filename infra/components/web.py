"""One origin for people: CloudFront serves the GOV.UK Frontend assets from S3 and passes everything
else to the API (the form and the intake API). CloudFront is the only way in: it adds a secret origin header
that WAF on the API stage requires, and the viewer's own address (from the connection, never from the client's
headers) for WAF's rate limit. Every response carries Heard's security headers."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import jsii
from aws_cdk import Aspects, Duration, IAspect, RemovalPolicy, Stack
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_deployment as deployment
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct, IConstruct

from functions.http import SECURITY_HEADERS
from infra import checkov_skips

ASSETS = Path(__file__).resolve().parents[2] / "build" / "assets"
#: Origin custom header CloudFront adds to every request to the API; WAF blocks requests without it.
ORIGIN_VERIFY_HEADER = "x-heard-origin-verify"
#: Header a viewer-request function sets to the viewer's IP address (from the TCP connection), replacing
#: any value the client sent; WAF's rate-based rule counts requests per value.
VIEWER_IP_HEADER = "x-heard-viewer-ip"
VIEWER_IP_FUNCTION = f"""function handler(event) {{
  var request = event.request;
  request.headers['{VIEWER_IP_HEADER}'] = {{ value: event.viewer.ip }};
  return request;
}}
"""
#: One year, as the GOV.UK Service Manual recommends for HSTS; the site is HTTPS only.
HSTS_SECONDS = 365 * 24 * 60 * 60


def response_headers_policy(scope: Construct, headers: Mapping[str, str]) -> cloudfront.ResponseHeadersPolicy:
    """CloudFront's policy for ``headers``: the ones CloudFront models as security headers go in its security
    headers configuration (it refuses them as custom headers), any other as a custom header; all override
    what the origin sent."""
    remaining = {name.lower(): (name, value) for name, value in headers.items()}

    def take(name: str) -> str | None:
        found = remaining.pop(name.lower(), None)
        return None if found is None else found[1]

    csp = take("Content-Security-Policy")
    nosniff = take("X-Content-Type-Options")
    frame = take("X-Frame-Options")
    referrer = take("Referrer-Policy")
    if nosniff not in (None, "nosniff"):
        raise ValueError(f"X-Content-Type-Options can only be nosniff, not {nosniff!r}")
    security = cloudfront.ResponseSecurityHeadersBehavior(
        content_security_policy=(
            cloudfront.ResponseHeadersContentSecurityPolicy(content_security_policy=csp, override=True)
            if csp
            else None
        ),
        content_type_options=(
            cloudfront.ResponseHeadersContentTypeOptions(override=True) if nosniff else None
        ),
        frame_options=(
            cloudfront.ResponseHeadersFrameOptions(
                frame_option=cloudfront.HeadersFrameOption[frame.upper()], override=True
            )
            if frame
            else None
        ),
        referrer_policy=(
            cloudfront.ResponseHeadersReferrerPolicy(
                referrer_policy=cloudfront.HeadersReferrerPolicy[referrer.upper().replace("-", "_")],
                override=True,
            )
            if referrer
            else None
        ),
        strict_transport_security=cloudfront.ResponseHeadersStrictTransportSecurity(
            access_control_max_age=Duration.seconds(HSTS_SECONDS), override=True
        ),
    )
    return cloudfront.ResponseHeadersPolicy(
        scope,
        "SecurityHeaders",
        comment="Heard: the security headers of functions/http.py on every response",
        security_headers_behavior=security,
        custom_headers_behavior=(
            cloudfront.ResponseCustomHeadersBehavior(
                custom_headers=[
                    cloudfront.ResponseCustomHeader(header=name, value=value, override=True)
                    for name, value in remaining.values()
                ]
            )
            if remaining
            else None
        ),
    )


#: What CDK's BucketDeployment lets its handler do on every distribution (``Resource: "*"``).
INVALIDATION_ACTIONS = frozenset({"cloudfront:CreateInvalidation", "cloudfront:GetInvalidation"})


@jsii.implements(IAspect)
class OnlyThisDistribution:
    """Narrows the invalidation statement CDK's BucketDeployment adds to its handler's role, on every
    distribution of the account, to the one distribution it invalidates (both actions take a distribution
    ARN). Applied to that role: it rewrites the statement in the synthesized policy, and fails the synth if
    the policy ever holds a statement that lets it invalidate any distribution with other actions mixed in."""

    def __init__(self, distribution_arn: str) -> None:
        self.distribution_arn = distribution_arn

    def visit(self, node: IConstruct) -> None:
        if not isinstance(node, iam.CfnPolicy):
            return
        document = Stack.of(node).resolve(node.policy_document)
        for index, statement in enumerate(document["Statement"]):
            actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
            if statement.get("Resource") != "*" or not INVALIDATION_ACTIONS & set(actions):
                continue
            if not set(actions) <= INVALIDATION_ACTIONS:
                raise ValueError(f"{node.node.path}: invalidation mixed with other actions on *: {actions}")
            node.add_property_override(f"PolicyDocument.Statement.{index}.Resource", self.distribution_arn)


def _bucket(scope: Construct, construct_id: str, **kwargs: object) -> s3.Bucket:
    return s3.Bucket(
        scope,
        construct_id,
        block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
        encryption=s3.BucketEncryption.S3_MANAGED,
        enforce_ssl=True,
        removal_policy=RemovalPolicy.RETAIN,
        **kwargs,  # type: ignore[arg-type]
    )


class Web(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        rest_api: apigw.RestApi,
        key: kms.IKey,
        domain_name: str | None = None,
        certificate_arn: str | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        if bool(domain_name) != bool(certificate_arn):
            raise ValueError("the council's domain needs its ACM certificate (in us-east-1), and the reverse")
        #: Without the council's domain and certificate, CloudFront's default certificate, whose security
        #: policy AWS fixes at TLSv1 whatever the template says; with them, TLS 1.2 at least.
        certificate = (
            acm.Certificate.from_certificate_arn(self, "Certificate", certificate_arn)
            if certificate_arn
            else None
        )
        self.default_certificate = certificate is None
        # CloudFront's and the assets bucket's access logs, kept 400 days. Versioned, so a log deleted or
        # overwritten before then can still be read for 30 days; then its last version and marker go.
        self.logs = _bucket(
            self,
            "Logs",
            object_ownership=s3.ObjectOwnership.OBJECT_WRITER,
            versioned=True,
            lifecycle_rules=[
                s3.LifecycleRule(
                    expiration=Duration.days(400), noncurrent_version_expiration=Duration.days(30)
                ),
                s3.LifecycleRule(expired_object_delete_marker=True),
            ],
        )
        checkov_skips.skip(self.logs, checkov_skips.LOG_BUCKET)
        self.assets = _bucket(
            self,
            "Assets",
            server_access_logs_bucket=self.logs,
            server_access_logs_prefix="assets/",
            versioned=True,
        )
        no_cache = cloudfront.CachePolicy.CACHING_DISABLED
        self.origin_secret = secretsmanager.Secret(
            self,
            "OriginSecret",
            description="Heard: the header value CloudFront adds and WAF requires on the API",
            encryption_key=key,
            generate_secret_string=secretsmanager.SecretStringGenerator(
                exclude_punctuation=True, password_length=48
            ),
        )
        #: A CloudFormation dynamic reference, resolved at deployment: the value is never in the template.
        self.origin_secret_value = self.origin_secret.secret_value.unsafe_unwrap()
        headers = response_headers_policy(self, SECURITY_HEADERS)
        viewer_ip = cloudfront.Function(
            self,
            "ViewerIp",
            comment="Heard: the viewer's IP address for WAF's rate limit",
            runtime=cloudfront.FunctionRuntime.JS_2_0,
            code=cloudfront.FunctionCode.from_inline(VIEWER_IP_FUNCTION),
        )
        self.distribution = cloudfront.Distribution(
            self,
            "Distribution",
            comment="Heard: form, intake API and assets on one origin",
            default_behavior=cloudfront.BehaviorOptions(
                origin=origins.RestApiOrigin(
                    rest_api, custom_headers={ORIGIN_VERIFY_HEADER: self.origin_secret_value}
                ),
                allowed_methods=cloudfront.AllowedMethods.ALLOW_ALL,
                cache_policy=no_cache,
                # all viewer headers, including the one the viewer-request function sets
                origin_request_policy=cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
                viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
                response_headers_policy=headers,
                function_associations=[
                    cloudfront.FunctionAssociation(
                        function=viewer_ip, event_type=cloudfront.FunctionEventType.VIEWER_REQUEST
                    )
                ],
            ),
            additional_behaviors={
                "/assets/*": cloudfront.BehaviorOptions(
                    origin=origins.S3BucketOrigin.with_origin_access_control(self.assets),
                    viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
                    cache_policy=cloudfront.CachePolicy.CACHING_OPTIMIZED,
                    response_headers_policy=headers,
                    compress=True,
                )
            },
            enable_logging=True,
            log_bucket=self.logs,
            log_file_prefix="cloudfront/",
            http_version=cloudfront.HttpVersion.HTTP2_AND_3,
            domain_names=[domain_name] if domain_name else None,
            certificate=certificate,
            minimum_protocol_version=(
                cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021 if certificate is not None else None
            ),
        )
        checkov_skips.skip(self.distribution, checkov_skips.DISTRIBUTION)
        if self.default_certificate:
            checkov_skips.skip(self.distribution, checkov_skips.DEFAULT_CERTIFICATE)
        upload = deployment.BucketDeployment(
            self,
            "Upload",
            sources=[deployment.Source.asset(str(ASSETS))],
            destination_bucket=self.assets,
            destination_key_prefix="assets/",
            distribution=self.distribution,
            distribution_paths=["/assets/*"],
        )
        Aspects.of(upload.handler_role).add(OnlyThisDistribution(self.distribution.distribution_arn))
