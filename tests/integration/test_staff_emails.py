"""No staff email carries anything the public typed: every free-text and personal answer of a complaint,
a comment and a compliment is a marker that must appear in no email to the council's own mailboxes
(the team, a service manager), in any part. Staff get the reference, a link and closed-list facts."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from infra.catalog import API_FUNCTIONS, NOTIFIER
from infra.local.emulator import LocalResources
from infra.local.gateway import Gateway, load_handler
from infra.local.outbox import sent_emails
from infra.local.streams import StreamPump
from shared import names, wiring
from shared.domain.vocabulary import DEFAULT_SERVICE_AREAS
from tests.conftest import as_json

TEAM = "complaints-team@heard.example"
#: Every answer a person types, each a word no template contains.
TYPED = {
    "name": "Quillon Marchbanks",
    "child_name": "Tamsin Orrery",
    "phone": "07700 900471",
    "address": "9 Vellum Row, Inkwell IN1 2QQ",
    "advocate_name": "Perpetua Gallowglass",
    "advocate_organisation": "Lanternfly Brightwater",
    "team_or_worker": "Ms Hyacinth Bucketwright",
    "what_happened": "Zephyrine disclosure: Tamsin's bruises.",
    "outcome_wanted": "Xylograph apology.",
    "support_other": "Barnaby therapydog.",
}


def submissions() -> list[dict[str, Any]]:
    common = {"role": "parent", "on_behalf_of": "a-child", "service_area": "fostering", **TYPED}
    return [
        {
            **common,
            "kind": "complaint",
            "subject": "childrens-social-care",
            "raised_already": True,
            "preferred_contact": "email",
            "email": "quillon@example.org",
            "advocacy": "has-one",
            "advocate_email": "perpetua@advocacy.example",
            "support": ["interpreter", "other", "bsl"],
            "interpreter_language": "Polish",
        },
        {**common, "kind": "compliment", "preferred_contact": "phone", "support": ["other"]},
        {**common, "kind": "comment", "preferred_contact": "post", "advocacy": "wants-one"},
    ]


@pytest.mark.parametrize("body", submissions(), ids=["complaint", "compliment", "comment"])
def test_no_staff_email_contains_anything_the_public_typed(
    aws: LocalResources, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, body: dict[str, Any]
) -> None:
    manager = "fostering-manager@council.example"
    areas = [
        {"id": i, "name": n, **({"manager_email": manager} if i == "fostering" else {})}
        for i, n in DEFAULT_SERVICE_AREAS
    ]
    policy_file = tmp_path / "policy.json"
    policy_file.write_text(json.dumps({"service_areas": areas}), encoding="utf-8")
    monkeypatch.setenv(names.POLICY_FILE_ENV, str(policy_file))
    wiring.reset()  # the policy is read again
    status, _, payload = Gateway(API_FUNCTIONS).dispatch(
        "POST", "/representations", {"Content-Type": "application/json"}, as_json(body)
    )
    assert status == 201, payload
    reference = json.loads(payload)["reference"]
    assert NOTIFIER.stream is not None
    StreamPump(
        aws.table_name,
        load_handler(NOTIFIER.handler),
        aws.dead_letter_queue_url,
        trigger=replace(NOTIFIER.stream, retry_attempts=2),
        sleep=lambda _: None,
    ).drain()
    staff = [e for e in sent_emails() if e["to"] in (TEAM, manager)]
    assert staff, "the team is always told"
    if body["kind"] == "compliment":
        assert {e["to"] for e in staff} == {TEAM, manager}, "the compliment is shared with the manager"
    for sent in staff:
        for part in (sent["subject"], sent["text"], sent["html"]):
            for field, words in TYPED.items():
                for word in words.split():
                    if len(word) > 4 and word.isalpha():
                        assert word not in part, f"{field} ({word}) in {sent['subject']}"
        assert f"https://heard.example/cases/{reference}" in sent["text"]
        assert "Made by: parent" in sent["text"] and "Service: Fostering" in sent["text"]
    needs = next(e for e in staff if e["to"] == TEAM)["text"]
    if body["kind"] == "complaint":
        assert (
            "Support needs: An interpreter (Polish), Something else (read it in Heard), British Sign" in needs
        )
