"""Trading windows: when new entries are allowed, as UTC time ranges.

A window is ``"HH:MM-HH:MM"`` (every day) or ``"<days> HH:MM-HH:MM"`` where
``<days>`` is a weekday (``mon``), a range (``mon-fri``) or a comma list
(``sat,sun``). ``24:00`` may end a window. A window whose end is before its
start runs over midnight into the next day (``fri 22:00-02:00`` covers Friday
22:00 to Saturday 02:00). No windows at all means trading 24/7.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timezone

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_TIME = r"([01]\d|2[0-4]):([0-5]\d)"
_WINDOW = re.compile(rf"^(?:(?P<days>[a-z,\-]+)\s+)?(?P<start>{_TIME})-(?P<end>{_TIME})$")


@dataclass(frozen=True)
class TradingWindow:
    days: frozenset[int]  # 0 = Monday, as datetime.weekday()
    start_minute: int
    end_minute: int  # may be <= start_minute: the window crosses midnight

    def contains(self, moment: datetime) -> bool:
        utc = moment.astimezone(timezone.utc)
        minute = utc.hour * 60 + utc.minute
        day = utc.weekday()
        if self.start_minute < self.end_minute:
            return day in self.days and self.start_minute <= minute < self.end_minute
        # Over midnight: the evening part belongs to the listed day, the morning part to the day after.
        return (day in self.days and minute >= self.start_minute) or (
            (day - 1) % 7 in self.days and minute < self.end_minute
        )


def trading_window_parse(text: str) -> tuple[TradingWindow, str]:
    """Parse one window; return it and its canonical spelling. ValueError says what is wrong."""
    if not isinstance(text, str):
        raise ValueError("a window is a string like 'mon-fri 08:00-17:00'")
    match = _WINDOW.match(" ".join(text.lower().split()))
    if match is None:
        raise ValueError(f"{text!r} is not 'HH:MM-HH:MM' optionally after days like 'mon-fri'")
    start, end = _minutes(match["start"]), _minutes(match["end"])
    if start == end or start == 24 * 60:
        raise ValueError(f"{text!r} is an empty window")
    days_text = match["days"] or "mon-sun"
    days = _days(days_text)
    canonical = (
        f"{match['start']}-{match['end']}" if match["days"] is None else f"{days_text} {match['start']}-{match['end']}"
    )
    return TradingWindow(frozenset(days), start, end), canonical


def trading_windows_allow(windows: list[str], moment: datetime) -> bool:
    """True when ``moment`` is inside any window, or when there are none (24/7)."""
    if not windows:
        return True
    return any(trading_window_parse(text)[0].contains(moment) for text in windows)


def _minutes(hh_mm: str) -> int:
    hours, minutes = hh_mm.split(":")
    total = int(hours) * 60 + int(minutes)
    if total > 24 * 60:
        raise ValueError(f"{hh_mm} is not a time of day")
    return total


def _days(text: str) -> set[int]:
    days: set[int] = set()
    for part in text.split(","):
        first, _, last = part.partition("-")
        if first not in DAYS or (last and last not in DAYS):
            raise ValueError(f"{text!r}: days are {', '.join(DAYS)}, as 'mon-fri' or 'sat,sun'")
        start, stop = DAYS.index(first), DAYS.index(last or first)
        span = (stop - start) % 7
        days.update((start + offset) % 7 for offset in range(span + 1))
    return days
