"""WAF on the API stage. CloudFront is the only way in (requests without its secret origin header are
blocked), the rate limit counts per viewer address that CloudFront itself sets, a declared body larger than
any handler accepts is blocked, and AWS's common rules run on what WAF can inspect.

WAF sees at most the first 16 KB of an API Gateway body (64 KB at most, raised in the web ACL's
AssociationConfig), and Heard's handlers accept larger bodies: so no rule here may match a body because it
is oversize or larger than WAF inspects. The size limit reads the Content-Length header instead, compared
in bytes with the handlers' own limits (functions/http.py); the handlers enforce their exact limits."""

from __future__ import annotations

from aws_cdk import aws_wafv2 as wafv2
from constructs import Construct

from functions.http import MAX_BODY_BYTES, MAX_FORM_BODY_BYTES
from infra import checkov_skips
from infra.components.web import ORIGIN_VERIFY_HEADER, VIEWER_IP_HEADER

#: The common rule set's body rules that would block legal free text: they only count.
COUNT_ONLY_BODY_RULES = (
    "SizeRestrictions_BODY",
    "CrossSiteScripting_BODY",
    "GenericRFI_BODY",
    "GenericLFI_BODY",
    "EC2MetaDataSSRF_BODY",
)

#: Requests per viewer address in any 5-minute window before WAF blocks it.
RATE_PER_FIVE_MINUTES = 300
#: The largest body any handler accepts: the JSON API's and the form's limits, in bytes.
LARGEST_BODY_BYTES = max(MAX_BODY_BYTES, MAX_FORM_BODY_BYTES)


def greater_than(limit: int) -> str:
    """A regular expression matching exactly the decimal integers greater than ``limit`` (leading zeros
    allowed), anchored: WAF has no numeric comparison on a header, so Content-Length is compared as text."""
    digits = str(limit)
    width = len(digits)
    longer = f"[1-9][0-9]{{{width},}}"  # more digits than the limit
    same_width = []
    for i, char in enumerate(digits):
        digit = int(char)
        if digit == 9:
            continue
        rest = width - i - 1
        higher = str(digit + 1) if digit == 8 else f"[{digit + 1}-9]"
        same_width.append(digits[:i] + higher + (f"[0-9]{{{rest}}}" if rest else ""))
    return "^0*(" + "|".join([longer, *same_width]) + ")$"


def _visibility(name: str) -> wafv2.CfnWebACL.VisibilityConfigProperty:
    return wafv2.CfnWebACL.VisibilityConfigProperty(
        cloud_watch_metrics_enabled=True, metric_name=name, sampled_requests_enabled=True
    )


def _blocking(
    name: str, priority: int, statement: wafv2.CfnWebACL.StatementProperty
) -> wafv2.CfnWebACL.RuleProperty:
    return wafv2.CfnWebACL.RuleProperty(
        name=name,
        priority=priority,
        action=wafv2.CfnWebACL.RuleActionProperty(block={}),
        statement=statement,
        visibility_config=_visibility(f"heard-{name}"),
    )


def _header(name: str) -> wafv2.CfnWebACL.FieldToMatchProperty:
    return wafv2.CfnWebACL.FieldToMatchProperty(single_header={"Name": name})


_NO_TRANSFORMATION = [wafv2.CfnWebACL.TextTransformationProperty(priority=0, type="NONE")]


class Firewall(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, stage_arn: str, origin_secret: str) -> None:
        super().__init__(scope, construct_id)
        from_cloudfront = wafv2.CfnWebACL.StatementProperty(
            and_statement=wafv2.CfnWebACL.AndStatementProperty(
                statements=[
                    wafv2.CfnWebACL.StatementProperty(
                        byte_match_statement=wafv2.CfnWebACL.ByteMatchStatementProperty(
                            field_to_match=_header(ORIGIN_VERIFY_HEADER),
                            positional_constraint="EXACTLY",
                            search_string=origin_secret,
                            text_transformations=_NO_TRANSFORMATION,
                        )
                    ),
                    wafv2.CfnWebACL.StatementProperty(
                        size_constraint_statement=wafv2.CfnWebACL.SizeConstraintStatementProperty(
                            field_to_match=_header(VIEWER_IP_HEADER),
                            comparison_operator="GT",
                            size=0,
                            text_transformations=_NO_TRANSFORMATION,
                        )
                    ),
                ]
            )
        )
        self.web_acl = wafv2.CfnWebACL(
            self,
            "WebAcl",
            scope="REGIONAL",
            default_action=wafv2.CfnWebACL.DefaultActionProperty(allow={}),
            visibility_config=_visibility("heard-api"),
            rules=[
                # The execute-api endpoint answers only what came through CloudFront.
                _blocking(
                    "only-through-cloudfront",
                    0,
                    wafv2.CfnWebACL.StatementProperty(
                        not_statement=wafv2.CfnWebACL.NotStatementProperty(statement=from_cloudfront)
                    ),
                ),
                _blocking(
                    "rate-per-viewer",
                    1,
                    wafv2.CfnWebACL.StatementProperty(
                        rate_based_statement=wafv2.CfnWebACL.RateBasedStatementProperty(
                            limit=RATE_PER_FIVE_MINUTES,
                            aggregate_key_type="FORWARDED_IP",
                            forwarded_ip_config=wafv2.CfnWebACL.ForwardedIPConfigurationProperty(
                                header_name=VIEWER_IP_HEADER, fallback_behavior="MATCH"
                            ),
                        )
                    ),
                ),
                _blocking(
                    "declared-body-too-large",
                    2,
                    wafv2.CfnWebACL.StatementProperty(
                        regex_match_statement=wafv2.CfnWebACL.RegexMatchStatementProperty(
                            field_to_match=_header("content-length"),
                            regex_string=greater_than(LARGEST_BODY_BYTES),
                            text_transformations=_NO_TRANSFORMATION,
                        )
                    ),
                ),
                wafv2.CfnWebACL.RuleProperty(
                    name="aws-common",
                    priority=3,
                    override_action=wafv2.CfnWebACL.OverrideActionProperty(none={}),
                    statement=wafv2.CfnWebACL.StatementProperty(
                        managed_rule_group_statement=wafv2.CfnWebACL.ManagedRuleGroupStatementProperty(
                            vendor_name="AWS",
                            name="AWSManagedRulesCommonRuleSet",
                            # The rules that judge a body's size or words only count: long answers are the
                            # point of the form (the size limit is the rule above), and a complaint may
                            # legally quote markup, a path or an address. Handlers store text as text and
                            # templates escape it, so no such text can act.
                            rule_action_overrides=[
                                wafv2.CfnWebACL.RuleActionOverrideProperty(
                                    name=rule, action_to_use=wafv2.CfnWebACL.RuleActionProperty(count={})
                                )
                                for rule in COUNT_ONLY_BODY_RULES
                            ],
                        )
                    ),
                    visibility_config=_visibility("heard-aws-common"),
                ),
            ],
        )
        checkov_skips.skip(self.web_acl, checkov_skips.WEB_ACL)
        wafv2.CfnWebACLAssociation(
            self, "Association", resource_arn=stage_arn, web_acl_arn=self.web_acl.attr_arn
        )
