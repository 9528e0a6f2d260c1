"""Officers acting on different cases at the same moment, through the local gateway's threads: each
request is answered about its own case. (Powertools' resolver keeps the current event and route on its
module-level app; handled on two threads at once, requests crossed: a 502 KeyError, or an action
applied to one case and answered 412 about another. One Lambda container serves one request at a
time, and so does each local function now.)"""

from __future__ import annotations

import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from infra.local.service import LocalService
from shared import config, wiring
from shared.domain.clock import SystemClock
from tests.conftest import CHILD_AGREES, complaint, start_service

CASES = 24


@pytest.fixture
def service() -> Iterator[LocalService]:
    from moto import mock_aws

    with mock_aws():
        local = start_service()
        local.serve_in_background()  # the stream and the workflow run too, as under make run
        try:
            yield local
        finally:
            local.stop(within=1.0)
    config.use_clock(SystemClock())
    wiring.reset()


def test_concurrent_officers_each_get_an_answer_about_their_own_case(service: LocalService) -> None:
    assert service.staff is not None
    token = service.staff.sign_in("complaints-officer")["id_token"]

    def call(
        method: str, path: str, body: Any = None, headers: dict[str, str] | None = None
    ) -> tuple[int, Any, dict[str, str]]:
        sent = {"Content-Type": "application/json", "Authorization": token, **(headers or {})}
        status, out, payload = service.gateway.dispatch(
            method, path, sent, json.dumps(body).encode() if body else b""
        )
        return status, json.loads(payload) if payload else None, dict(out)

    def triage(number: int) -> list[tuple[str, int]]:
        what = f"Case {number}: nobody returned my calls about my son's care plan."
        status, receipt, _ = call("POST", "/representations", complaint(what_happened=what))
        assert status == 201
        reference = receipt["reference"]
        answers = []
        for action in (
            CHILD_AGREES,
            {"action": "accept", "procedure": "statutory", "reason": "A parent of a child in need: s.26(3)."},
            {"action": "allocate", "manager": "service-manager", "service_area": "social-work"},
        ):
            _, _, headers = call("GET", f"/cases/{reference}")
            status, answer, _ = call(
                "POST", f"/cases/{reference}/actions", action, {"If-Match": headers["ETag"]}
            )
            answers.append((action["action"], status))
            if status == 200:
                assert answer["case"]["reference"] == reference
        return answers

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(triage, range(CASES)))
    assert results == [[("record-child-views", 200), ("accept", 200), ("allocate", 200)]] * CASES
