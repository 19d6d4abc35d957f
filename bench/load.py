"""HTTP load: closed loop (N clients, each sending its next request when the
last one answered) and open loop (requests started on a fixed schedule,
whether or not earlier ones answered, so a slow server cannot slow the load)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp

BodyFor = Callable[[int, int], dict[str, Any]]
HeadersFor = Callable[[int, int], dict[str, str]]


@dataclass
class Sample:
    started: float  # time.time() when the request was sent
    latency_ms: float
    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)  # names in lower case


@dataclass
class Run:
    samples: list[Sample]
    seconds: float

    @property
    def throughput(self) -> float:
        return len(self.samples) / self.seconds if self.seconds else 0.0

    def latencies(self) -> list[float]:
        return [s.latency_ms for s in self.samples]

    def count(self, predicate: Callable[[Sample], bool]) -> int:
        return sum(1 for s in self.samples if predicate(s))

    def statuses(self) -> dict[int, int]:
        table: dict[int, int] = {}
        for s in self.samples:
            table[s.status] = table.get(s.status, 0) + 1
        return dict(sorted(table.items()))


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100); NaN for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(p / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


async def _send(session: aiohttp.ClientSession, url: str, body: dict[str, Any], headers: dict[str, str],
                keep_body: bool) -> Sample:  # fmt: skip
    wall, started = time.time(), time.perf_counter()
    try:
        async with session.post(url, json=body, headers=headers) as response:
            payload: Any = None
            if keep_body or response.status >= 300:
                try:
                    payload = await response.json(content_type=None)
                except ValueError:
                    payload = await response.text()
            else:
                await response.read()
            return Sample(wall, (time.perf_counter() - started) * 1000, response.status, payload,
                          {k.lower(): v for k, v in response.headers.items()})  # fmt: skip
    except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
        # No answer at all: recorded as status 0, never silently dropped.
        return Sample(wall, (time.perf_counter() - started) * 1000, 0, repr(exc))


def _session(connections: int, timeout: float) -> aiohttp.ClientSession:
    return aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=connections),
                                 timeout=aiohttp.ClientTimeout(total=timeout))  # fmt: skip


async def closed_loop(url: str, *, clients: int, body_for: BodyFor, headers_for: HeadersFor,
                      seconds: float | None = None, requests: int | None = None, keep_body: bool = False,
                      timeout: float = 30) -> Run:  # fmt: skip
    """`clients` concurrent clients until `seconds` pass or `requests` were sent in all."""
    samples: list[Sample] = []
    deadline = time.perf_counter() + seconds if seconds else float("inf")
    sent = 0

    async def client(index: int, session: aiohttp.ClientSession) -> None:
        nonlocal sent
        n = 0
        while time.perf_counter() < deadline and (requests is None or sent < requests):
            sent += 1
            n += 1
            samples.append(await _send(session, url, body_for(index, n), headers_for(index, n), keep_body))

    started = time.perf_counter()
    async with _session(clients, timeout) as session:
        await asyncio.gather(*(client(i, session) for i in range(clients)))
    return Run(samples, time.perf_counter() - started)


async def open_loop(url: str, *, rate: float, seconds: float, body_for: BodyFor, headers_for: HeadersFor,
                    keep_body: bool = True, timeout: float = 30) -> Run:  # fmt: skip
    """One request every 1/rate s for `seconds`."""
    total = int(rate * seconds)
    samples: list[Sample] = []
    async with _session(256, timeout) as session:
        start = time.perf_counter()
        tasks = []
        for i in range(total):
            delay = start + i / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.ensure_future(_send(session, url, body_for(0, i), headers_for(0, i), keep_body)))
        samples = list(await asyncio.gather(*tasks))
        return Run(samples, time.perf_counter() - start)
