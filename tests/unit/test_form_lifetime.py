"""What the form says about how long answers are kept (WCAG 2.2 SC 2.2.1): London's clock time, in GMT
and in British Summer Time (the Summer Time Order: BST from the last Sunday of March), and the lifetime
that can be shortened for tests but not below 30 s."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from functions.form import state, views
from shared import names


def test_winter_is_gmt_and_the_time_is_in_plain_words() -> None:
    said = views.lifetime(datetime(2027, 1, 12, 11, 5, tzinfo=UTC), 4 * 3600)
    assert said["until"] == "3:05pm" and said["span"] == "4 hours"
    assert said["expires_at"] == "2027-01-12T15:05:00+00:00" and said["seconds_left"] == 14400


def test_summer_is_bst_one_hour_ahead() -> None:
    assert views.lifetime(datetime(2027, 7, 1, 8, 30, tzinfo=UTC), 4 * 3600)["until"] == "1:30pm"


def test_past_london_midnight_says_tomorrow() -> None:
    # 21:30 UTC on 1 July is 22:30 in London; 4 hours on is 2:30am there the next day.
    assert views.lifetime(datetime(2027, 7, 1, 21, 30, tzinfo=UTC), 4 * 3600)["until"] == "2:30am tomorrow"


def test_noon_and_midnight() -> None:
    assert views.lifetime(datetime(2027, 1, 12, 8, 0, tzinfo=UTC), 4 * 3600)["until"] == "12:00pm"
    assert views.lifetime(datetime(2027, 1, 12, 20, 0, tzinfo=UTC), 4 * 3600)["until"] == "12:00am tomorrow"


def test_the_lifetime_is_4_hours_unless_configured_and_never_under_30_seconds(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(names.FORM_ANSWERS_TTL_ENV, raising=False)
    assert state.answers_ttl_seconds() == 4 * 60 * 60
    monkeypatch.setenv(names.FORM_ANSWERS_TTL_ENV, "90")
    assert state.answers_ttl_seconds() == 90
    monkeypatch.setenv(names.FORM_ANSWERS_TTL_ENV, "5")
    assert state.answers_ttl_seconds() == 30
    monkeypatch.setenv(names.FORM_ANSWERS_TTL_ENV, "soon")
    assert state.answers_ttl_seconds() == 4 * 60 * 60
