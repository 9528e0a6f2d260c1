"""The Heard stack: composes one construct per concern."""

from __future__ import annotations

from typing import Any

from aws_cdk import CfnOutput, Stack
from constructs import Construct

from infra.catalog import FUNCTIONS, NOTIFIER
from infra.components.api import Api
from infra.components.auth import StaffAuth
from infra.components.data import CaseStore
from infra.components.functions import Functions
from infra.components.monitoring import Monitoring
from infra.components.notifications import Notifications
from infra.components.waf import Firewall
from infra.components.web import Web
from infra.components.workflow import StageWorkflow
from shared import names


class HeardStack(Stack):
    def __init__(self, scope: Construct, construct_id: str, **kwargs: Any) -> None:
        super().__init__(scope, construct_id, **kwargs)
        domain = str(self.node.try_get_context("heard:senderDomain") or "heard.example")
        sender = f"complaints@{domain}"
        self.store = CaseStore(self, "CaseStore")
        self.functions = Functions(
            self,
            "Functions",
            environment={names.TABLE_ENV: self.store.table.table_name},
            table=self.store.table,
            key=self.store.key,
        )
        functions = self.functions.by_name
        self.notifications = Notifications(
            self, "Notifications", sender_domain=domain, key=self.store.key, table=self.store.table
        )
        if NOTIFIER.stream is None:
            raise ValueError("the Notifier is triggered by the case table's stream")
        self.notifications.connect(functions[NOTIFIER.name], sender, NOTIFIER.stream)
        self.auth = StaffAuth(self, "StaffAuth")
        self.workflow = StageWorkflow(
            self,
            "Workflow",
            functions=functions,
            table=self.store.table,
            dead_letters=self.notifications.dead_letters,
            key=self.store.key,
        )
        for spec in FUNCTIONS:
            if spec.reads_staff:
                self.auth.grant_staff_reads(functions[spec.name])
        self.api = Api(
            self, "Api", functions=self.functions.targets, staff_pool=self.auth.user_pool, key=self.store.key
        )
        self.web = Web(
            self,
            "Web",
            rest_api=self.api.rest_api,
            key=self.store.key,
            domain_name=self.node.try_get_context("heard:siteDomain"),
            certificate_arn=self.node.try_get_context("heard:certificateArn"),
        )
        self.firewall = Firewall(
            self,
            "Firewall",
            stage_arn=self.api.rest_api.deployment_stage.stage_arn,
            origin_secret=self.web.origin_secret_value,
        )
        self.monitoring = Monitoring(
            self,
            "Monitoring",
            key=self.store.key,
            functions=functions,
            dead_letters=self.notifications.dead_letters,
            schedule_dead_letters=self.functions.schedule_dead_letters,
            rest_api=self.api.rest_api,
        )
        self.monitoring.add_alarm(self.workflow.alarm)
        CfnOutput(self, "Url", value=f"https://{self.web.distribution.distribution_domain_name}/")
        CfnOutput(self, "AlarmTopic", value=self.monitoring.topic.topic_arn)
        CfnOutput(self, "StaffUserPoolId", value=self.auth.user_pool.user_pool_id)
        CfnOutput(self, "OfficerApiClientId", value=self.auth.client.user_pool_client_id)
