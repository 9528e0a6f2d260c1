"""The synthesized template: assertions on what matters, and cdk-nag with reasons for every acknowledgement."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk.assertions import Match, Template

from infra.nag import ACKNOWLEDGED, apply_checks
from shared import names
from tests.infra.conftest import cdk_context

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.infra


def test_the_case_table_is_protected(template: Template) -> None:
    template.resource_count_is("AWS::DynamoDB::Table", 1)
    template.has_resource(
        "AWS::DynamoDB::Table",
        {
            "DeletionPolicy": "Retain",
            "UpdateReplacePolicy": "Retain",
            "Properties": Match.object_like(
                {
                    "BillingMode": "PAY_PER_REQUEST",
                    "DeletionProtectionEnabled": True,
                    "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True},
                    "SSESpecification": Match.object_like({"SSEEnabled": True, "SSEType": "KMS"}),
                    "KeySchema": [
                        {"AttributeName": names.PK, "KeyType": "HASH"},
                        {"AttributeName": names.SK, "KeyType": "RANGE"},
                    ],
                    "TimeToLiveSpecification": {"AttributeName": names.TTL_ATTRIBUTE, "Enabled": True},
                }
            ),
        },
    )


def test_the_table_key_is_customer_managed_rotated_and_retained(template: Template) -> None:
    template.has_resource(
        "AWS::KMS::Key",
        {"DeletionPolicy": "Retain", "Properties": Match.object_like({"EnableKeyRotation": True})},
    )
    table = next(iter(template.find_resources("AWS::DynamoDB::Table").values()))
    key_ref = table["Properties"]["SSESpecification"]["KMSMasterKeyId"]
    assert "Fn::GetAtt" in key_ref, "the table must use the stack's own KMS key, not an AWS-managed one"


def test_the_indexes_are_the_ones_the_code_queries(template: Template) -> None:
    table = next(iter(template.find_resources("AWS::DynamoDB::Table").values()))
    indexes = {
        gsi["IndexName"]: tuple(k["AttributeName"] for k in gsi["KeySchema"])
        for gsi in table["Properties"]["GlobalSecondaryIndexes"]
    }
    assert indexes == names.GSI_KEYS


def test_every_acknowledged_finding_has_a_written_reason() -> None:
    for rule, reason in ACKNOWLEDGED.items():
        assert rule.startswith("AwsSolutions::AwsSolutions-"), rule
        assert len(reason.split()) >= 6, f"{rule}: give a real reason"


def test_cdk_nag_runs_and_fails_the_synth(tmp_path: Path) -> None:
    """The checks are really on: an unprotected table fails synthesis."""
    app = cdk.App(context=cdk_context(), outdir=str(tmp_path))
    stack = cdk.Stack(app, "Unsafe")
    dynamodb.Table(
        stack, "T", partition_key=dynamodb.Attribute(name="PK", type=dynamodb.AttributeType.STRING)
    )
    apply_checks(app, stack)
    with pytest.raises(RuntimeError, match="ValidationFailed"):
        app.synth()
    report = json.loads((tmp_path / "validation-report.json").read_text())
    rules = {v["ruleName"] for r in report["pluginReports"] for v in r["violations"]}
    assert "AwsSolutions-DDB3" in rules


def test_every_function_in_the_catalog_is_deployed_on_the_runtime_the_suite_proves(
    template: Template,
) -> None:
    """One runtime for every function: the Python of an interpreter this machine has, the one on which
    tests/infra/test_bundle.py runs the deployment bundle (not the newest Lambda offers: docs/decisions.md,
    "Lambda runtime")."""
    from infra.catalog import FUNCTIONS
    from infra.components.functions import RUNTIME_VERSION, local_python, missing_python

    python = local_python(RUNTIME_VERSION)  # what test_bundle.py runs the bundle with
    assert python is not None, missing_python(RUNTIME_VERSION)
    proved = subprocess.run(
        [str(python), "-I", "-c", "import sys; print('python%d.%d' % sys.version_info[:2])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    functions = template.find_resources("AWS::Lambda::Function")
    ours = {f["Properties"]["Handler"]: f["Properties"] for f in functions.values()}
    assert {spec.handler for spec in FUNCTIONS} <= set(ours)
    for spec in FUNCTIONS:
        assert ours[spec.handler]["Runtime"] == proved, spec.name
        assert names.TABLE_ENV in ours[spec.handler]["Environment"]["Variables"]


def test_every_catalog_route_is_an_api_method_and_public_routes_are_throttled(template: Template) -> None:
    from infra.catalog import API_FUNCTIONS

    methods = template.find_resources("AWS::ApiGateway::Method")
    verbs = sorted(m["Properties"]["HttpMethod"] for m in methods.values())
    assert verbs == sorted(r.method for spec in API_FUNCTIONS for r in spec.routes)
    template.has_resource_properties(
        "AWS::ApiGateway::Stage",
        {
            "MethodSettings": Match.array_with(
                [Match.object_like({"ThrottlingRateLimit": Match.any_value(), "DataTraceEnabled": False})]
            ),
            "AccessLogSetting": Match.object_like({"DestinationArn": Match.any_value()}),
            "TracingEnabled": True,
        },
    )


def test_the_notifier_reads_the_stream_with_retries_and_a_dead_letter_queue(template: Template) -> None:
    template.has_resource_properties(
        "AWS::Lambda::EventSourceMapping",
        {
            "BisectBatchOnFunctionError": True,
            "FunctionResponseTypes": ["ReportBatchItemFailures"],
            "MaximumRetryAttempts": Match.any_value(),
            "DestinationConfig": {"OnFailure": {"Destination": Match.any_value()}},
            "FilterCriteria": {"Filters": [{"Pattern": Match.string_like_regexp("notification")}]},
        },
    )
    template.has_resource_properties("AWS::SQS::Queue", {"QueueName": names.NOTIFY_DLQ})
    template.resource_count_is("AWS::SES::EmailIdentity", 1)
    template.resource_count_is("AWS::SES::ConfigurationSet", 1)


def test_the_stream_mapping_is_the_catalogs_stream_trigger(template: Template) -> None:
    """One place for the stream's settings: the deployed mapping carries what NOTIFIER.stream says."""
    from infra.catalog import NOTIFIER, WORKFLOW

    functions = template.find_resources("AWS::Lambda::Function")
    mappings = template.find_resources("AWS::Lambda::EventSourceMapping").values()
    assert len(mappings) == 2  # the notifier's and the workflow's
    for spec in (NOTIFIER, WORKFLOW):
        trigger = spec.stream
        assert trigger is not None
        (function_id,) = (k for k, f in functions.items() if f["Properties"]["Handler"] == spec.handler)
        (props,) = (
            m["Properties"] for m in mappings if m["Properties"]["FunctionName"] == {"Ref": function_id}
        )
        assert props["BatchSize"] == trigger.batch_size
        assert props["MaximumRetryAttempts"] == trigger.retry_attempts
        assert props["MaximumRecordAgeInSeconds"] == trigger.max_record_age_seconds
        assert props["BisectBatchOnFunctionError"] is trigger.bisect_on_error
        (pattern,) = props["FilterCriteria"]["Filters"]
        assert json.loads(pattern["Pattern"]) == trigger.filter


def test_the_stream_filter_selects_notification_records_only() -> None:
    """The filter, read as a Lambda event-filter pattern (a list of values matches any of them), keeps a
    stream record of a new notification item and drops a case item's."""
    from infra.catalog import NOTIFIER

    assert NOTIFIER.stream is not None

    def matches(pattern: Any, value: Any) -> bool:
        if isinstance(pattern, dict):
            return isinstance(value, dict) and all(matches(p, value.get(k)) for k, p in pattern.items())
        return value in pattern

    notification = {"dynamodb": {"NewImage": {"type": {"S": "notification"}, "PK": {"S": "CASE#1"}}}}
    case = {"dynamodb": {"NewImage": {"type": {"S": "case"}, "PK": {"S": "CASE#1"}}}}
    assert matches(NOTIFIER.stream.filter, notification)
    assert not matches(NOTIFIER.stream.filter, case)
    # AWS caps the event source mapping's retries at 10,000 and the record age at 604,800 s (7 days).
    assert 0 <= NOTIFIER.stream.retry_attempts <= 10_000
    assert 60 <= NOTIFIER.stream.max_record_age_seconds <= 604_800
    # DynamoDB Streams batches hold 1 to 10,000 records.
    assert 1 <= NOTIFIER.stream.batch_size <= 10_000


def test_every_function_has_the_catalogs_timeout(template: Template) -> None:
    from infra.catalog import FUNCTIONS

    functions = template.find_resources("AWS::Lambda::Function")
    for spec in FUNCTIONS:
        function = next(f for f in functions.values() if f["Properties"]["Handler"] == spec.handler)
        assert function["Properties"]["Timeout"] == spec.timeout_seconds


def test_cloudfront_fronts_the_api_and_the_assets_on_one_origin(template: Template) -> None:
    distribution = next(iter(template.find_resources("AWS::CloudFront::Distribution").values()))
    config = distribution["Properties"]["DistributionConfig"]
    assert [b["PathPattern"] for b in config["CacheBehaviors"]] == ["/assets/*"]
    assert config["DefaultCacheBehavior"]["ViewerProtocolPolicy"] == "redirect-to-https"
    assert len(config["Origins"]) == 2
    template.resource_count_is("AWS::CloudFront::OriginAccessControl", 1)


def test_alarms_watch_errors_and_dead_letters(template: Template) -> None:
    alarms = template.find_resources("AWS::CloudWatch::Alarm")
    descriptions = " ".join(a["Properties"].get("AlarmDescription", "") for a in alarms.values())
    for words in (
        "Intake function",
        "Form function",
        "Notifier function",
        "gave up on",
        "failed every attempt",
        "5xx",
    ):
        assert words in descriptions
    assert all(a["Properties"]["AlarmActions"] for a in alarms.values())


def test_every_log_group_is_encrypted_with_the_stacks_key(template: Template) -> None:
    """Function, workflow and API access logs name cases, staff and callers' addresses: each log group
    uses the case table's own key, whose policy lets CloudWatch Logs use it for this account's log groups."""
    (key_id,) = template.find_resources("AWS::KMS::Key")
    log_groups = template.find_resources("AWS::Logs::LogGroup")
    assert len(log_groups) >= 10
    for name, log_group in log_groups.items():
        assert log_group["Properties"].get("KmsKeyId") == {"Fn::GetAtt": [key_id, "Arn"]}, name
    key = template.find_resources("AWS::KMS::Key")[key_id]
    (logs,) = [
        s
        for s in key["Properties"]["KeyPolicy"]["Statement"]
        if "logs." in json.dumps(s.get("Principal", {}).get("Service", ""))
    ]
    assert "kms:GenerateDataKey*" in logs["Action"]
    assert "kms:EncryptionContext:aws:logs:arn" in logs["Condition"]["ArnLike"]


def test_the_scheduled_functions_dead_letter_their_failed_invocations(template: Template) -> None:
    """EventBridge Scheduler invokes the Sweeper and the Bulletin asynchronously: an event that fails
    every attempt goes to an encrypted queue with an alarm. The others are invoked synchronously."""
    from infra.catalog import FUNCTIONS

    functions = template.find_resources("AWS::Lambda::Function")
    queues = template.find_resources("AWS::SQS::Queue")
    targets = set()
    for spec in FUNCTIONS:
        (function,) = (f for f in functions.values() if f["Properties"]["Handler"] == spec.handler)
        config = function["Properties"].get("DeadLetterConfig")
        if spec.schedule_minutes is None:
            assert config is None, spec.name
            continue
        (queue_id, attribute) = config["TargetArn"]["Fn::GetAtt"]
        assert attribute == "Arn"
        assert "KmsMasterKeyId" in queues[queue_id]["Properties"], spec.name
        targets.add(queue_id)
    assert len(targets) == 1
    (queue_id,) = targets
    alarms = template.find_resources("AWS::CloudWatch::Alarm").values()
    assert any(
        d.get("Name") == "QueueName" and d["Value"] == {"Fn::GetAtt": [queue_id, "QueueName"]}
        for a in alarms
        for d in a["Properties"].get("Dimensions", [])
    )
