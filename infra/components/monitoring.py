"""Alarms on function errors, the notification and schedule dead letters, notifications stuck in sending and API server
errors, to one topic."""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infra.catalog import NOTIFIER, SWEEPER

DEAD_LETTERED = "NotificationsDeadLettered"
STUCK = "NotificationsStuck"


class Monitoring(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        key: kms.IKey,
        functions: dict[str, lambda_.Function],
        dead_letters: sqs.IQueue,
        schedule_dead_letters: sqs.IQueue,
        rest_api: apigw.RestApi,
    ) -> None:
        super().__init__(scope, construct_id)
        self.topic = sns.Topic(self, "Alarms", display_name="Heard alarms", master_key=key, enforce_ssl=True)
        action = actions.SnsAction(self.topic)
        alarms: list[cloudwatch.Alarm] = []
        for name, function in functions.items():
            alarms.append(
                function.metric_errors(period=Duration.minutes(5)).create_alarm(
                    self,
                    f"{name}Errors",
                    threshold=1,
                    evaluation_periods=1,
                    alarm_description=f"The {name} function is failing",
                )
            )
        alarms.append(
            dead_letters.metric_approximate_number_of_messages_visible(
                period=Duration.minutes(5)
            ).create_alarm(
                self,
                "DeadLetterQueue",
                threshold=1,
                evaluation_periods=1,
                alarm_description="Stream batches the notifier gave up on: inspect and redrive",
            )
        )
        alarms.append(
            schedule_dead_letters.metric_approximate_number_of_messages_visible(
                period=Duration.minutes(5)
            ).create_alarm(
                self,
                "ScheduleDeadLetterQueue",
                threshold=1,
                evaluation_periods=1,
                alarm_description="A scheduled run (Sweeper, Bulletin) failed every attempt: see the function's errors",
            )
        )
        alarms.append(
            self._logged_outcome(
                DEAD_LETTERED,
                functions[NOTIFIER.name].log_group,
                "dead-lettered",
                "Notifications failed every attempt: `heard notifications redrive` after fixing SES",
            )
        )
        # The sweeper logs one JSON line per notification whose sending lease expired.
        alarms.append(
            self._logged_outcome(
                STUCK,
                functions[SWEEPER.name].log_group,
                "lease-expired",
                "Notifications stuck in sending past their lease were found by the sweeper and handed back: "
                "check the Notifier's errors and timeouts",
            )
        )
        alarms.append(
            rest_api.metric_server_error(period=Duration.minutes(5)).create_alarm(
                self, "Api5xx", threshold=5, evaluation_periods=1, alarm_description="The API answers 5xx"
            )
        )
        for alarm in alarms:
            alarm.add_alarm_action(action)
        self._action = action

    def add_alarm(self, alarm: cloudwatch.Alarm) -> None:
        """Send another construct's alarm to the same topic."""
        alarm.add_alarm_action(self._action)

    def _logged_outcome(
        self, metric: str, log_group: logs.ILogGroup, outcome: str, description: str
    ) -> cloudwatch.Alarm:
        """An alarm on the JSON log lines whose ``outcome`` is ``outcome`` (a metric filter counts them)."""
        logs.MetricFilter(
            self,
            f"{metric}Filter",
            log_group=log_group,
            metric_namespace="Heard",
            metric_name=metric,
            filter_pattern=logs.FilterPattern.string_value("$.outcome", "=", outcome),
            metric_value="1",
        )
        return cloudwatch.Metric(
            namespace="Heard", metric_name=metric, statistic="Sum", period=Duration.minutes(5)
        ).create_alarm(
            self,
            metric,
            threshold=1,
            evaluation_periods=1,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
            alarm_description=description,
        )
