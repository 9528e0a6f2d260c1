"""Words a submitter chose reach emails sent to addresses nobody verified. A crafted submission (names,
text and email addresses with commas, semicolons, CRLF and headers) must never make Heard mail anyone
but the two addresses typed into it and the council's own mailboxes. Everything is real: the handlers,
the stream, the notifier and moto's SES, whose record of every message sent is inspected."""

from __future__ import annotations

import email
import json
from email.utils import getaddresses, parseaddr
from typing import Any

import pytest

from infra.catalog import API_FUNCTIONS, NOTIFIER
from infra.local.emulator import ACCOUNT_ID, LocalResources
from infra.local.gateway import Gateway, load_handler
from infra.local.outbox import sent_emails
from infra.local.streams import StreamPump
from shared import names
from shared.domain.policy import CouncilPolicy
from tests.conftest import as_json, complaint
from tests.form_walk import Walk

ATTACKER = "attacker@evil.example"
INJECTED = "URGENT: your case is closed, pay at http://evil.example"
CRAFTED_NAMES = [
    f"Jo\n\n{INJECTED}",
    f"Jo\r\nBcc: {ATTACKER}",
    f"Jo, {ATTACKER}",
    f"Jo <{ATTACKER}>",
    f"http://evil.example {INJECTED}",
    f"Jo{' ' * 40}{INJECTED}",
    "Jo\u2028Bcc: attacker@evil.example",
]
CRAFTED_ADDRESSES = [
    f"jo@example.org, {ATTACKER}",
    f"jo@example.org;{ATTACKER}",
    f"jo@example.org\r\nBcc: {ATTACKER}",
    f"jo@example.org\nCc: {ATTACKER}",
    f'"Team": jo@example.org, {ATTACKER};',
    "undisclosed-recipients:;",
    f"Jo <jo@example.org>, <{ATTACKER}>",
    f"jo@example.org%{ATTACKER}",
    f"{ATTACKER}\x00jo@example.org",
    "jo,attacker@evil.example",
    "jo;attacker@evil.example",
]


def all_sent() -> list[tuple[list[str], email.message.Message]]:
    from moto.ses.models import ses_backends

    backend = ses_backends[ACCOUNT_ID][names.REGION_DEFAULT]
    return [(list(m.destinations), email.message_from_string(m.raw_data)) for m in backend.sent_messages]


def test_a_crafted_submission_cannot_make_heard_mail_any_other_address(aws: LocalResources) -> None:
    gateway = Gateway(API_FUNCTIONS)
    typed = {"jo@example.org", "lee@advocacy.example", "sam@example.org"}  # sam: complaint()'s own
    accepted = 0
    attempts: list[dict[str, Any]] = []
    for name in CRAFTED_NAMES:
        attempts.append(
            complaint(
                name=name,
                email="jo@example.org",
                what_happened=f"{INJECTED}\nBcc: {ATTACKER}\r\nTo: {ATTACKER}",
                outcome_wanted=f"Send a copy to {ATTACKER}, please",
                advocacy="has-one",
                advocate_name=name,
                advocate_email="lee@advocacy.example",
                team_or_worker=name,
            )
        )
    for address in CRAFTED_ADDRESSES:
        attempts.append(complaint(email=address))
        attempts.append(complaint(advocacy="has-one", advocate_name="Lee", advocate_email=address))
        attempts.append(complaint(kind="compliment", email=address, preferred_contact="post", address="1 St"))
    # The name "as a greeting" a crafted name would have given, had it been accepted: the acknowledgement
    # template is checked below against the one name that can be, "Jo".
    for body in attempts:
        status, _, payload = gateway.dispatch(
            "POST", "/representations", {"Content-Type": "application/json"}, as_json(body)
        )
        assert status in (201, 422), payload
        accepted += status == 201
    for address in CRAFTED_ADDRESSES:  # the form, the same
        walk = Walk(gateway)
        walk.start()
        walk.through({"role": "child-in-need"}, {"kind": "comment"}, {"what_happened": INJECTED})
        assert walk.answer(advocacy="has-one", advocate_name="Ash", advocate_email=address).status == 422
        walk.through({"advocacy": "wants-one"})
        assert walk.answer(name="Jo", preferred_contact="email", email=address).status == 422
    # An accepted submission with a crafted name still sends, greeting only "Jo" or nobody.
    status, _, payload = gateway.dispatch(
        "POST",
        "/representations",
        {"Content-Type": "application/json"},
        as_json(complaint(name="  Jo   Bloggs  ", advocacy="has-one", advocate_email="lee@advocacy.example")),
    )
    assert status == 201, payload
    accepted += 1

    StreamPump(
        aws.table_name, load_handler(NOTIFIER.handler), aws.dead_letter_queue_url, sleep=lambda _: None
    ).drain()

    policy = CouncilPolicy()
    staff = {policy.team_mailbox} | {a.manager_email for a in policy.service_areas if a.manager_email}
    sent = all_sent()
    assert sent, "the accepted submissions were notified"
    recipients: set[str] = set()
    for destinations, message in sent:
        for header in ("Cc", "Bcc", "Reply-To"):
            assert message[header] is None, f"no {header} header is ever set"
        addresses = {parseaddr(d)[1] for d in destinations}
        addresses |= {a for _, a in getaddresses(message.get_all("To") or [])}
        assert len(addresses) == 1, f"one mailbox per message: {addresses}"
        recipients |= addresses
        subject = str(message["Subject"])
        assert "evil" not in subject and "URGENT" not in subject and "Jo" not in subject
    assert recipients <= typed | staff, recipients - typed - staff
    assert ATTACKER not in json.dumps([str(m) for _, m in sent])
    greeting = [e for e in sent_emails() if e["to"] == "jo@example.org"]
    assert greeting
    for sent_email in greeting:
        for part in (sent_email["text"], sent_email["html"]):
            assert "Dear Jo," in part or "Hello," in part
            assert "Bloggs" not in part and "URGENT" not in part and "evil" not in part
    assert any("Dear Jo," in e["text"] for e in greeting)


@pytest.mark.parametrize("name", CRAFTED_NAMES)
def test_a_crafted_name_is_never_in_an_email_whole(name: str) -> None:
    from datetime import UTC, datetime

    from shared.domain.case import register
    from shared.domain.representation import RepresentationRequest
    from shared.emails import render

    # Built directly (as a record stored before these rules would be), bypassing validation.
    request = RepresentationRequest.model_construct(
        **{**RepresentationRequest.model_validate(complaint()).__dict__, "name": name}
    )
    new = register(
        request,
        case_id="c1",
        reference="CSC-2026-00001",
        received_at=datetime(2026, 11, 26, 10, tzinfo=UTC),
        registered_at=datetime(2026, 11, 26, 10, tzinfo=UTC),
        policy=CouncilPolicy(),
    )
    (ack,) = [n for n in new.notifications if n.template == "acknowledgement"]
    rendered = render(ack)
    for part in (rendered.subject, rendered.text, rendered.html):
        assert "URGENT" not in part and "evil" not in part and "Bcc" not in part
    assert ack.context["name"] in (None, "Jo")
