"""trading_windows: the format the config layer accepts and what it means
(UTC, weekday sets, over-midnight windows, empty = 24/7). The risk gate's
own tests prove that entries outside the windows are refused."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from configs_app.schema import parameters_clean
from configs_app.windows import trading_windows_allow


def at(day: int, hh: int, mm: int = 0) -> datetime:
    return datetime(2026, 11, 16 + day, hh, mm, tzinfo=timezone.utc)  # 2026-11-16 is a Monday


def test_no_windows_means_24_7() -> None:
    assert all(trading_windows_allow([], at(day, hour)) for day in range(7) for hour in range(24))


def test_weekday_office_hours() -> None:
    windows = ["mon-fri 08:00-17:00"]
    assert trading_windows_allow(windows, at(0, 8)) and trading_windows_allow(windows, at(4, 16, 59))
    assert not trading_windows_allow(windows, at(0, 17)) and not trading_windows_allow(windows, at(0, 7, 59))
    assert not trading_windows_allow(windows, at(5, 12))


def test_over_midnight_windows_run_into_the_next_day() -> None:
    windows = ["fri 22:00-02:00"]
    assert trading_windows_allow(windows, at(4, 23)) and trading_windows_allow(windows, at(5, 1, 59))
    assert not trading_windows_allow(windows, at(5, 2)) and not trading_windows_allow(windows, at(3, 23))


def test_windows_are_utc_and_lists_combine() -> None:
    from zoneinfo import ZoneInfo

    windows = ["sat,sun 10:00-12:00", "00:00-01:00"]
    assert trading_windows_allow(windows, datetime(2026, 11, 21, 11, 30, tzinfo=ZoneInfo("UTC")))
    assert not trading_windows_allow(windows, datetime(2026, 11, 21, 11, 30, tzinfo=ZoneInfo("America/New_York")))
    assert trading_windows_allow(windows, at(2, 0, 30))


@pytest.mark.parametrize(
    "text", ["8:00-17:00", "25:00-26:00", "mon-fry 08:00-17:00", "08:00-08:00", "24:00-01:00", "08:00 - 17:00x", ""]
)
def test_malformed_windows_are_refused(text: str) -> None:
    assert parameters_clean({"trading_windows": [text]})[1]["trading_windows"][0]["code"] == "INVALID_VALUE"


def test_windows_are_stored_in_a_canonical_spelling() -> None:
    clean, _ = parameters_clean({"trading_windows": ["MON-FRI   08:00-17:00", "00:00-24:00"]})
    assert clean == {"trading_windows": ["mon-fri 08:00-17:00", "00:00-24:00"]}
