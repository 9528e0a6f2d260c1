"""Least privilege on the case table, proved on the synthesized template with a small evaluator of IAM's
rules for identity policies: an action is allowed when a statement's action and resource patterns match
and its condition holds, where ``ForAllValues:StringLike`` on ``dynamodb:LeadingKeys`` holds when every
partition key the request touches matches one of the patterns (and, per IAM, when it touches none, as a
Scan does). The expected keys come from shared/names.py, the expected actions from DynamoDB's API."""

from __future__ import annotations

import fnmatch
from collections.abc import Iterator
from typing import Any

import pytest
from aws_cdk.assertions import Template

from infra.catalog import FORM, INTAKE, NOTIFIER, SWEEPER, FunctionSpec
from shared import names

pytestmark = pytest.mark.infra

TABLE = "<table>"
STATUS_INDEX = f"{TABLE}/index/{names.GSI_STATUS_DUE}"
SOME_CASE = names.case_pk("CC-2026-00042")
ANOTHER_CASE = names.case_pk("CC-2026-00043")
EVERY_READ = ("dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query", "dynamodb:Scan")


def _render(value: Any, table_id: str) -> str:
    """A resource ARN as text: the case table's ARN becomes TABLE, anything else stays recognisable."""
    if isinstance(value, str):
        return value
    if "Fn::GetAtt" in value:
        logical_id, attribute = value["Fn::GetAtt"]
        return TABLE if (logical_id, attribute) == (table_id, "Arn") else f"<{logical_id}.{attribute}>"
    if "Fn::Join" in value:
        separator, parts = value["Fn::Join"]
        return str(separator).join(_render(p, table_id) for p in parts)
    return repr(value)


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


class Role:
    def __init__(self, template: Template, spec: FunctionSpec) -> None:
        functions = template.find_resources("AWS::Lambda::Function")
        (function,) = (f for f in functions.values() if f["Properties"]["Handler"] == spec.handler)
        role_id = function["Properties"]["Role"]["Fn::GetAtt"][0]
        (table_id,) = template.find_resources("AWS::DynamoDB::Table")
        self.statements: list[dict[str, Any]] = []
        for policy in template.find_resources("AWS::IAM::Policy").values():
            if {"Ref": role_id} in policy["Properties"]["Roles"]:
                for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
                    resources = [_render(r, table_id) for r in _listed(statement["Resource"])]
                    self.statements.append({**statement, "Resource": resources})

    def dynamodb_statements(self) -> Iterator[dict[str, Any]]:
        for statement in self.statements:
            if any(str(a).startswith("dynamodb:") for a in _listed(statement["Action"])):
                yield statement

    def allows(self, action: str, resource: str, leading_keys: tuple[str, ...]) -> bool:
        for statement in self.statements:
            if statement["Effect"] != "Allow":
                continue
            if not any(fnmatch.fnmatchcase(action, a) for a in _listed(statement["Action"])):
                continue
            if not any(fnmatch.fnmatchcase(resource, r) for r in statement["Resource"]):
                continue
            if self._condition_holds(statement.get("Condition", {}), leading_keys):
                return True
        return False

    @staticmethod
    def _condition_holds(condition: dict[str, Any], leading_keys: tuple[str, ...]) -> bool:
        for operator, tests in condition.items():
            for key, patterns in tests.items():
                if (operator, key) != ("ForAllValues:StringLike", "dynamodb:LeadingKeys"):
                    return False  # a condition this evaluator does not know: treat as not proven
                if not all(any(fnmatch.fnmatchcase(k, p) for p in _listed(patterns)) for k in leading_keys):
                    return False
        return True


@pytest.fixture(scope="module")
def roles(template: Template) -> dict[str, Role]:
    return {spec.name: Role(template, spec) for spec in (INTAKE, FORM, NOTIFIER, SWEEPER)}


@pytest.mark.parametrize("public", [INTAKE.name, FORM.name])
def test_the_public_functions_cannot_read_any_case(roles: dict[str, Role], public: str) -> None:
    role = roles[public]
    for action in EVERY_READ:
        # every read names a partition key except a Scan, which names none
        for keys in ((SOME_CASE,), (ANOTHER_CASE,)) if action != "dynamodb:Scan" else ((),):
            for resource in (TABLE, STATUS_INDEX, f"{TABLE}/index/{names.GSI_SERVICE_AREA}"):
                assert not role.allows(action, resource, keys), (public, action, resource, keys)
    # nor change or delete one that exists
    for action in ("dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem"):
        assert not role.allows(action, TABLE, (SOME_CASE,)), (public, action)


@pytest.mark.parametrize("public", [INTAKE.name, FORM.name])
def test_the_public_functions_can_register_a_representation(roles: dict[str, Role], public: str) -> None:
    role = roles[public]
    counter = names.counter_pk(2026)
    # the reference number: one atomic ADD on the year's counter, never a read
    assert role.allows("dynamodb:UpdateItem", TABLE, (counter,))
    assert not role.allows("dynamodb:GetItem", TABLE, (counter,))
    # the transaction's Puts: the case, its first event and its notifications, all under CASE#<id>
    assert role.allows("dynamodb:PutItem", TABLE, (SOME_CASE,))
    # idempotency records: read to answer a repeat, put in the case's transaction, never changed
    record = names.idempotency_pk("intake")
    for action in ("dynamodb:GetItem", "dynamodb:PutItem"):
        assert role.allows(action, TABLE, (record,)), action
    for action in ("dynamodb:UpdateItem", "dynamodb:DeleteItem"):
        assert not role.allows(action, TABLE, (record,)), action
    # and nothing it does not use
    assert not role.allows("dynamodb:DeleteItem", TABLE, (counter,))
    assert not role.allows("dynamodb:PutItem", TABLE, (names.idempotency_pk("another-scope"),))


def test_every_table_statement_is_limited_to_leading_keys(roles: dict[str, Role]) -> None:
    """No function touches the table or an index without a dynamodb:LeadingKeys condition, and none may
    Scan (a Scan has no leading key, so ForAllValues would let it through)."""
    for name, role in roles.items():
        statements = list(role.dynamodb_statements())
        assert statements, name
        for statement in statements:
            table_resources = [r for r in statement["Resource"] if r.startswith(TABLE)]
            if not table_resources:
                continue  # the stream's own ARN (Notifier's event source)
            leading = statement.get("Condition", {}).get("ForAllValues:StringLike", {})
            assert "dynamodb:LeadingKeys" in leading, (name, statement)
            assert "*" not in leading["dynamodb:LeadingKeys"], (name, statement)
            assert not {"dynamodb:Scan", "dynamodb:*"} & set(_listed(statement["Action"])), (name, statement)


def test_the_notifier_claims_and_settles_notifications_only(roles: dict[str, Role]) -> None:
    role = roles[NOTIFIER.name]
    assert role.allows("dynamodb:UpdateItem", TABLE, (SOME_CASE,))
    assert role.allows("dynamodb:GetItem", TABLE, (SOME_CASE,))
    for action in ("dynamodb:PutItem", "dynamodb:DeleteItem", "dynamodb:Query", "dynamodb:Scan"):
        assert not role.allows(action, TABLE, (SOME_CASE,)), action
    assert not role.allows("dynamodb:UpdateItem", TABLE, (names.counter_pk(2026),))


def test_the_notifier_reads_the_stream(roles: dict[str, Role]) -> None:
    role = roles[NOTIFIER.name]
    stream_actions = {
        a for s in role.statements for a in _listed(s["Action"]) if str(a).startswith("dynamodb:")
    }
    # What a DynamoDB stream event source needs (AWS Lambda developer guide, DynamoDB execution role).
    assert {"dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"} <= stream_actions
    assert "dynamodb:ListStreams" in stream_actions


def test_the_sweeper_queries_notifications_by_status_and_updates_them(roles: dict[str, Role]) -> None:
    role = roles[SWEEPER.name]
    for status in ("pending", "sending", "failed"):
        assert role.allows("dynamodb:Query", STATUS_INDEX, (f"NOTIFY#{status}",)), status
    assert not role.allows("dynamodb:Query", STATUS_INDEX, ("STATUS#open",))  # cases on the same index
    assert not role.allows("dynamodb:Query", TABLE, (SOME_CASE,))
    assert role.allows("dynamodb:UpdateItem", TABLE, (SOME_CASE,))
    for action in ("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem", "dynamodb:Scan"):
        assert not role.allows(action, TABLE, (SOME_CASE,)), action


def test_functions_that_use_the_table_may_use_its_key(roles: dict[str, Role], template: Template) -> None:
    (key_id,) = template.find_resources("AWS::KMS::Key")
    for name, role in roles.items():
        kms = [s for s in role.statements if any(str(a).startswith("kms:") for a in _listed(s["Action"]))]
        assert any(f"<{key_id}.Arn>" in s["Resource"] for s in kms), name
        actions = {a for s in kms for a in _listed(s["Action"])}
        assert {"kms:Decrypt", "kms:GenerateDataKey*"} <= actions, name


def test_the_sweeper_runs_every_five_minutes_by_eventbridge_scheduler(template: Template) -> None:
    functions = template.find_resources("AWS::Lambda::Function")
    (sweeper_id,) = (k for k, f in functions.items() if f["Properties"]["Handler"] == SWEEPER.handler)
    schedules = template.find_resources("AWS::Scheduler::Schedule")
    scheduled = [
        s["Properties"]
        for s in schedules.values()
        if s["Properties"]["Target"]["Arn"] == {"Fn::GetAtt": [sweeper_id, "Arn"]}
    ]
    assert [s["ScheduleExpression"] for s in scheduled] == ["rate(5 minutes)"]
    # The schedule's role may invoke the sweeper, and nothing else.
    role_id = scheduled[0]["Target"]["RoleArn"]["Fn::GetAtt"][0]
    policies = template.find_resources("AWS::IAM::Policy")
    statements = [
        st
        for policy in policies.values()
        if {"Ref": role_id} in policy["Properties"]["Roles"]
        for st in policy["Properties"]["PolicyDocument"]["Statement"]
    ]
    assert statements == [
        {
            "Action": "lambda:InvokeFunction",
            "Effect": "Allow",
            "Resource": {"Fn::GetAtt": [sweeper_id, "Arn"]},
        }
    ]


def test_stuck_notifications_found_by_the_sweeper_raise_an_alarm(template: Template) -> None:
    functions = template.find_resources("AWS::Lambda::Function")
    (sweeper,) = (f for f in functions.values() if f["Properties"]["Handler"] == SWEEPER.handler)
    filters = template.find_resources("AWS::Logs::MetricFilter")
    (stuck,) = (
        f["Properties"]
        for f in filters.values()
        if f["Properties"]["LogGroupName"]
        == {"Ref": sweeper["Properties"]["LoggingConfig"]["LogGroup"]["Ref"]}
    )
    assert stuck["FilterPattern"] == '{ $.outcome = "lease-expired" }'
    (transformation,) = stuck["MetricTransformations"]
    alarms = template.find_resources("AWS::CloudWatch::Alarm")
    (alarm,) = (
        a["Properties"]
        for a in alarms.values()
        if a["Properties"].get("MetricName") == transformation["MetricName"]
        and a["Properties"].get("Namespace") == transformation["MetricNamespace"]
    )
    assert transformation["MetricName"] == "NotificationsStuck"
    assert alarm["Threshold"] == 1 and alarm["ComparisonOperator"] == "GreaterThanOrEqualToThreshold"
    assert alarm["AlarmActions"], "the alarm must notify the alarm topic"
