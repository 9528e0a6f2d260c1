"""The case store: one DynamoDB table (single-table design, docs/data-model.md) and its KMS key."""

from __future__ import annotations

from aws_cdk import Aws, Duration, RemovalPolicy
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from constructs import Construct

from shared import names


class CaseStore(Construct):
    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        self.key = kms.Key(
            self,
            "DataKey",
            alias=names.KMS_ALIAS,
            description="Heard: encrypts children's social care case data at rest",
            enable_key_rotation=True,
            rotation_period=Duration.days(365),
            removal_policy=RemovalPolicy.RETAIN,
        )
        # Every log group of the stack is encrypted with this key too (the functions' logs name cases and
        # staff, the API's access log callers' addresses): CloudWatch Logs may use it for this account's log
        # groups in this region only.
        self.key.add_to_resource_policy(
            iam.PolicyStatement(
                principals=[iam.ServicePrincipal(f"logs.{Aws.REGION}.amazonaws.com")],
                actions=[
                    "kms:Encrypt*",
                    "kms:Decrypt*",
                    "kms:ReEncrypt*",
                    "kms:GenerateDataKey*",
                    "kms:Describe*",
                ],
                resources=["*"],  # in a key policy, "*" is this key
                conditions={
                    "ArnLike": {
                        "kms:EncryptionContext:aws:logs:arn": (
                            f"arn:{Aws.PARTITION}:logs:{Aws.REGION}:{Aws.ACCOUNT_ID}:log-group:*"
                        )
                    }
                },
            )
        )
        # TableV2 cannot render a customer-managed key in an environment-agnostic stack; Table can.
        self.table = dynamodb.Table(
            self,
            "Cases",
            partition_key=dynamodb.Attribute(name=names.PK, type=dynamodb.AttributeType.STRING),
            sort_key=dynamodb.Attribute(name=names.SK, type=dynamodb.AttributeType.STRING),
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
            encryption=dynamodb.TableEncryption.CUSTOMER_MANAGED,
            encryption_key=self.key,
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True
            ),
            deletion_protection=True,
            removal_policy=RemovalPolicy.RETAIN,
            time_to_live_attribute=names.TTL_ATTRIBUTE,
            stream=dynamodb.StreamViewType.NEW_AND_OLD_IMAGES,
        )
        # Indexes carry keys and the few attributes their readers need, never personal data.
        for index, (pk, sk) in names.GSI_KEYS.items():
            attributes = names.GSI_PROJECTIONS[index]
            self.table.add_global_secondary_index(
                index_name=index,
                partition_key=dynamodb.Attribute(name=pk, type=dynamodb.AttributeType.STRING),
                sort_key=dynamodb.Attribute(name=sk, type=dynamodb.AttributeType.STRING),
                projection_type=(
                    dynamodb.ProjectionType.INCLUDE if attributes else dynamodb.ProjectionType.KEYS_ONLY
                ),
                non_key_attributes=list(attributes) or None,
            )
