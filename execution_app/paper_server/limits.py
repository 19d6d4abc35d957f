"""Request weight per IP and per clock minute, and the 429/418 Binance answers past it.

Binance counts the weight of every request an IP sends in the current clock
minute (``X-MBX-USED-WEIGHT-1M``), separately for the spot and the futures
hosts. Past the limit it answers 429 ``-1003`` with ``Retry-After`` (seconds to
the next minute); an IP that keeps going after 429s is banned, answered 418.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from execution_app.exchange.paper_engine.errors import PaperBinanceError


@dataclass(frozen=True)
class Charge:
    used: int
    refusal: PaperBinanceError | None = None
    retry_after: int = 0


@dataclass
class _Window:
    minute: int
    used: int = 0
    violations: int = 0


class WeightBudget:
    def __init__(
        self,
        *,
        limits: dict[str, int],
        ban_after: int,
        ban_seconds: int,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.limits = limits
        self.ban_after = ban_after
        self.ban_seconds = ban_seconds
        self.clock = clock
        self._lock = threading.Lock()
        self._windows: dict[tuple[str, str], _Window] = {}
        self._banned_until: dict[str, float] = {}

    def charge(self, *, ip: str, market: str, weight: int) -> Charge:
        now = self.clock()
        minute = int(now // 60)
        retry_after = max(1, int((minute + 1) * 60 - now + 0.999))
        with self._lock:
            banned_until = self._banned_until.get(ip, 0.0)
            window = self._windows.get((ip, market))
            if window is None or window.minute != minute:
                window = self._windows[(ip, market)] = _Window(minute=minute)
            if banned_until > now:
                wait = max(1, int(banned_until - now + 0.999))
                return Charge(window.used, _banned(banned_until), wait)
            window.used += weight
            limit = self.limits.get(market, 0)
            if not limit or window.used <= limit:
                return Charge(window.used)
            window.violations += 1
            if self.ban_after and window.violations > self.ban_after:
                until = now + self.ban_seconds
                self._banned_until[ip] = until
                return Charge(window.used, _banned(until), self.ban_seconds)
            return Charge(window.used, _too_much(limit), retry_after)

    def reset(self) -> None:
        with self._lock:
            self._windows.clear()
            self._banned_until.clear()


def _too_much(limit: int) -> PaperBinanceError:
    return PaperBinanceError(
        -1003,
        f"Too much request weight used; current limit is {limit} request weight per 1 MINUTE. "
        "Please use WebSocket Streams for live updates to avoid polling the API.",
        429,
    )


def _banned(until: float) -> PaperBinanceError:
    return PaperBinanceError(
        -1003,
        f"Way too much request weight used; IP banned until {int(until * 1000)}. "
        "Please use WebSocket Streams for live updates to avoid bans.",
        418,
    )
