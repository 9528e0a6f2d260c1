"""Allocating a case names a manager who can work on it (issue 17): a member of the staff pool whose role
and service areas let them see the case, looked up in the (emulated) Cognito pool itself. Before, the
officer API took any text: another area's manager (who then got 404 on the case yet its reminders), a user
who does not exist, or a person's name (whose reminders silently went to the team mailbox).

The local pool's demo users (infra/local/auth.py): one per staff group, named after it; the service
manager manages social-work (the policy's first area), service-manager-2 residential-care (the second)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from tests.conftest import start_service
from tests.integration.test_officer_api import submit
from tests.integration.test_officer_authorization import Api

OFFICER = "complaints-officer"
MANAGER = "service-manager"  # social-work
OTHER_MANAGER = "service-manager-2"  # residential-care


@pytest.fixture
def api(clock: Any) -> Iterator[Api]:
    from moto import mock_aws

    with mock_aws():
        yield Api(start_service(clock))


def allocate(api: Api, reference: str, user: str, **body: Any) -> tuple[int, Any]:
    etag = api.etag(reference)
    status, _, answer = api.call(
        "POST", f"/cases/{reference}/actions", user, {"action": "allocate", **body}, {"If-Match": etag}
    )
    return status, answer


def chronology(api: Api, reference: str) -> list[str]:
    _, _, body = api.call("GET", f"/cases/{reference}/events", OFFICER)
    return [e["action"] for e in body["events"]]


@pytest.mark.parametrize(
    ("manager", "refusal"),
    [
        ("Sarah Patel", "no member of staff has the username 'Sarah Patel'"),
        ("nobody.here", "no member of staff has the username 'nobody.here'"),
        (OTHER_MANAGER, f"{OTHER_MANAGER} cannot work on the social-work service area"),
        ("investigator", "investigator cannot work on the social-work service area"),
        ("admin", "admin cannot work on the social-work service area"),
    ],
)
def test_a_manager_who_cannot_work_on_the_case_is_refused_and_nothing_is_recorded(
    api: Api, manager: str, refusal: str
) -> None:
    reference = submit(api.service, service_area="social-work")
    status, answer = allocate(api, reference, OFFICER, manager=manager)
    assert status == 409 and refusal in answer["message"], answer
    _, _, case = api.call("GET", f"/cases/{reference}", OFFICER)
    assert case["case"]["allocated_manager"] is None
    assert chronology(api, reference) == ["received"]


def test_the_areas_manager_a_complaints_officer_or_a_senior_leader_may_be_allocated(api: Api) -> None:
    reference = submit(api.service, service_area="social-work")
    for manager in (MANAGER, OFFICER, "senior-leadership"):
        status, answer = allocate(api, reference, OFFICER, manager=manager)
        assert status == 200, answer
        assert answer["case"]["allocated_manager"] == manager
    moved = allocate(api, reference, OFFICER, manager=OTHER_MANAGER, service_area="residential-care")
    assert moved[0] == 200 and moved[1]["case"]["service_area"] == "residential-care", moved
    assert api.call("GET", f"/cases/{reference}", OTHER_MANAGER)[0] == 200, "the manager sees their case"


def test_a_case_moved_to_another_area_needs_a_manager_of_that_area(api: Api) -> None:
    reference = submit(api.service, service_area="social-work")
    status, answer = allocate(api, reference, OFFICER, manager=MANAGER, service_area="residential-care")
    assert (
        status == 409 and f"{MANAGER} cannot work on the residential-care service area" in answer["message"]
    )


def test_a_service_manager_cannot_move_their_own_case_out_of_their_areas(api: Api) -> None:
    reference = submit(api.service, service_area="social-work")
    status, answer = allocate(api, reference, MANAGER, manager=OTHER_MANAGER, service_area="residential-care")
    assert status == 409, answer
    assert "residential-care is not one of your service areas" in answer["message"]
    assert api.call("GET", f"/cases/{reference}", MANAGER)[0] == 200, "they keep the case"
    status, answer = allocate(api, reference, MANAGER, manager=MANAGER)
    assert status == 200 and answer["case"]["allocated_manager"] == MANAGER, answer


def test_a_switched_off_account_is_not_allocated(api: Api) -> None:
    staff = api.service.staff
    assert staff is not None
    reference = submit(api.service, service_area="social-work")
    boto3.client("cognito-idp", region_name=staff.region).admin_disable_user(
        UserPoolId=staff.pool_id, Username=MANAGER
    )
    status, answer = allocate(api, reference, OFFICER, manager=MANAGER)
    assert status == 409 and f"{MANAGER}'s staff account is switched off" in answer["message"], answer
