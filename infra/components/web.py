"""One origin for people: CloudFront serves the GOV.UK Frontend assets from S3 and passes everything
else to the API (the form and the intake API)."""

from __future__ import annotations

from pathlib import Path

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_deployment as deployment
from constructs import Construct

ASSETS = Path(__file__).resolve().parents[2] / "build" / "assets"


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
    def __init__(self, scope: Construct, construct_id: str, *, rest_api: apigw.RestApi) -> None:
        super().__init__(scope, construct_id)
        self.logs = _bucket(
            self,
            "Logs",
            object_ownership=s3.ObjectOwnership.OBJECT_WRITER,
            lifecycle_rules=[s3.LifecycleRule(expiration=Duration.days(400))],
        )
        self.assets = _bucket(
            self,
            "Assets",
            server_access_logs_bucket=self.logs,
            server_access_logs_prefix="assets/",
            versioned=True,
        )
        no_cache = cloudfront.CachePolicy.CACHING_DISABLED
        self.distribution = cloudfront.Distribution(
            self,
            "Distribution",
            comment="Heard: form, intake API and assets on one origin",
            default_behavior=cloudfront.BehaviorOptions(
                origin=origins.RestApiOrigin(rest_api),
                allowed_methods=cloudfront.AllowedMethods.ALLOW_ALL,
                cache_policy=no_cache,
                origin_request_policy=cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
                viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
                response_headers_policy=cloudfront.ResponseHeadersPolicy.SECURITY_HEADERS,
            ),
            additional_behaviors={
                "/assets/*": cloudfront.BehaviorOptions(
                    origin=origins.S3BucketOrigin.with_origin_access_control(self.assets),
                    viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
                    cache_policy=cloudfront.CachePolicy.CACHING_OPTIMIZED,
                    compress=True,
                )
            },
            enable_logging=True,
            log_bucket=self.logs,
            log_file_prefix="cloudfront/",
            http_version=cloudfront.HttpVersion.HTTP2_AND_3,
        )
        deployment.BucketDeployment(
            self,
            "Upload",
            sources=[deployment.Source.asset(str(ASSETS))],
            destination_bucket=self.assets,
            destination_key_prefix="assets/",
            distribution=self.distribution,
            distribution_paths=["/assets/*"],
        )
