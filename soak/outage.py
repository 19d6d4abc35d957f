"""Services going away under load: Redis stopped (the broker, the cache and the
channel layer), then PostgreSQL restarted (or, in the short form, every
connection to it cut by a relay). Signals keep coming at a steady rate. Expected:
while Redis is down the intake still answers 202 (the signal is committed; the
sweeper queues it later); while PostgreSQL is down it answers a clear 503
`service_unavailable`; afterwards every signal answered 202 is processed, and
nothing is ever answered with another 5xx or left unanswered."""

from __future__ import annotations

import asyncio
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import connection

from bench.load import Run, Sample, open_loop
from bench.pipeline import drain, entry
from bench.readings import reasons, trips
from bench.stack import Logins, Stack
from soak.verdict import Judged

GRACE = 5.0  # seconds after a service returns in which its errors still count as "during"


@dataclass
class OutageResult(Judged):
    rate: float
    redis_down_seconds: float
    postgres: str
    phases: dict[str, dict[int, int]]
    accepted: int
    processed: int
    unprocessed: list[int]
    unexpected: list[str]
    recovery_seconds: float
    events: list[str]
    # Processes that exited on their own during the run and were started again by the stack's supervisor.
    supervisor_restarts: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def _phase(sample: Sample, windows: dict[str, tuple[float, float]]) -> str:
    # The latest outage first: its window may begin inside the previous one's grace period.
    for name, (start, end) in reversed(windows.items()):
        if start <= sample.started <= end:
            return name
    return "services up"


def outage_run(stack: Stack, logins: Logins, *, postgres_outage: Callable[[], None], postgres_label: str,
               rate: float = 10, before: float = 10, redis_down: float = 60, between: float = 10,
               after: float = 20, recovery_timeout: float = 300) -> OutageResult:  # fmt: skip
    """Needs web, worker(s) and beat (with a short sweep interval) running on the stack's own redis-server."""
    total = before + redis_down + between + after
    box: dict[str, Run] = {}
    sender = threading.Thread(target=lambda: box.update(run=asyncio.run(open_loop(
        f"{stack.base_url}/api/v1/signals", rate=rate, seconds=total, body_for=lambda c, i: entry(i),
        headers_for=lambda c, i: {"Authorization": f"Bearer {logins.strategy_key}"}, timeout=60,
    ))))  # fmt: skip
    restarts_before = len(stack.restarts)
    events: list[str] = []
    windows: dict[str, tuple[float, float]] = {}
    origin = time.monotonic()
    wall = time.time()

    def at(offset: float) -> None:
        time.sleep(max(0.0, origin + offset - time.monotonic()))

    def note(text: str) -> float:
        events.append(f"t={time.time() - wall:.1f}s {text}")
        return time.time()

    sender.start()
    at(before)
    down = note("redis-server stopped")
    stack.stop("redis", signal.SIGTERM)
    at(before + redis_down)
    stack.start_redis()
    up = note("redis-server started again (empty: no persistence)")
    windows["redis down"] = (down, up + GRACE)
    at(before + redis_down + between)
    pg_down = note(f"PostgreSQL outage begins: {postgres_label}")
    postgres_outage()
    pg_up = note("PostgreSQL accepting connections again")
    windows["postgres down"] = (pg_down, pg_up + GRACE)
    sender.join()
    connection.close()  # this process's own connection died with the server
    run = box["run"]

    phases: dict[str, dict[int, int]] = {}
    unexpected = []
    for sample in run.samples:
        phase = _phase(sample, windows)
        phases.setdefault(phase, {})
        phases[phase][sample.status] = phases[phase].get(sample.status, 0) + 1
        clear_503 = sample.status == 503 and isinstance(sample.body, dict) and \
            sample.body.get("error", {}).get("code") == "service_unavailable"  # fmt: skip
        if sample.status == 202 or (clear_503 and phase == "postgres down"):
            continue
        unexpected.append(f"{phase}: {sample.status} {str(sample.body)[:160]}")
    ids = [int(s.body["id"]) for s in run.samples if s.status == 202]
    recovery = drain(ids, timeout=recovery_timeout)
    found = trips(ids)
    unprocessed = sorted((set(ids) - set(found)) | {
        t.signal_id for t in found.values()
        if t.status != "ordered" or t.entry_orders == 0 or t.filled_quantity != t.ordered_quantity
    })  # fmt: skip
    result = OutageResult(
        rate=rate, redis_down_seconds=redis_down, postgres=postgres_label, phases=phases, accepted=len(ids),
        processed=len(ids) - len(unprocessed), unprocessed=unprocessed, unexpected=unexpected,
        recovery_seconds=recovery, events=events, supervisor_restarts=stack.restarts[restarts_before:],
    )  # fmt: skip
    if unexpected:
        result.problems.append(f"{len(unexpected)} answers were neither 202 nor a 503 during the outage: "
                               f"{unexpected[:5]}")  # fmt: skip
    if unprocessed:
        states = reasons({i: found[i] for i in unprocessed if i in found})
        result.problems.append(f"{len(unprocessed)} acknowledged signals not processed after {recovery:.0f}s: "
                               f"{unprocessed[:10]}; their states: {states}")  # fmt: skip
    if 503 not in phases.get("postgres down", {}):
        result.problems.append("no request met the PostgreSQL outage with a 503 (was it too short to hit?)")
    return result
