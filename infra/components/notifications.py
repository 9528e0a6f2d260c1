"""Reliable notifications: SES identity and configuration set, the notifier on the table's stream with
retries and a dead-letter queue for batches it gives up on."""

from __future__ import annotations

from aws_cdk import ArnFormat, Duration, RemovalPolicy, Stack
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_ses as ses
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infra.catalog import StreamTrigger
from infra.components.functions import stream_source
from shared import names


class Notifications(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        sender_domain: str,
        key: kms.IKey,
        table: dynamodb.ITable,
    ) -> None:
        super().__init__(scope, construct_id)
        self.identity = ses.EmailIdentity(self, "Sender", identity=ses.Identity.domain(sender_domain))
        self.configuration_set = ses.ConfigurationSet(
            self,
            "ConfigurationSet",
            reputation_metrics=True,
            sending_enabled=True,
            suppression_reasons=ses.SuppressionReasons.BOUNCES_AND_COMPLAINTS,
            tls_policy=ses.ConfigurationSetTlsPolicy.REQUIRE,
        )
        self.dead_letters = sqs.Queue(
            self,
            "DeadLetters",
            queue_name=names.NOTIFY_DLQ,
            encryption=sqs.QueueEncryption.KMS,
            encryption_master_key=key,
            enforce_ssl=True,
            retention_period=Duration.days(14),
            removal_policy=RemovalPolicy.RETAIN,
        )
        self.table = table

    def connect(self, notifier: lambda_.Function, sender: str, trigger: StreamTrigger) -> None:
        """Wire the notifier to the stream as the catalog says (notification items only) and let it send."""
        notifier.add_event_source(stream_source(self.table, trigger, self.dead_letters))
        notifier.add_environment(names.SENDER_ENV, sender)
        notifier.add_environment(names.CONFIG_SET_ENV, self.configuration_set.configuration_set_name)
        notifier.add_to_role_policy(
            iam.PolicyStatement(
                actions=["ses:SendEmail", "ses:SendRawEmail"],
                resources=[
                    self.identity.email_identity_arn,
                    Stack.of(self).format_arn(
                        service="ses",
                        resource="configuration-set",
                        resource_name=self.configuration_set.configuration_set_name,
                        arn_format=ArnFormat.SLASH_RESOURCE_NAME,
                    ),
                ],
            )
        )
