"""Pipeline throughput, signals decided per second, against a trivial Celery
task on the same broker and the same worker processes.

Both loads are queued first and then drained, so the rate is the workers'
alone, not the HTTP client's: the trivial tasks are sent straight to the
queues; the signals are POSTed while the workers are stopped (the intake
commits them and queues their tasks), then the same workers start. Each rate is
taken over the middle 80 % of the completions, leaving out cold starts and
the tail.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

import redis
from django.conf import settings

from bench.load import closed_loop
from bench.pipeline import drain, entry, prepare, start_workers, stop_workers, warm_up
from bench.readings import reasons, trips
from bench.runner import stack_here
from bench.stack import wait_until
from petrosa.celery import app

KEY = "bench:noop:done"


def middle_rate(stamps: list[float]) -> float:
    """Completions per second between the 10th and the 90th percentile completion."""
    ordered = sorted(stamps)
    if len(ordered) < 10:
        return float("nan")
    low, high = ordered[len(ordered) // 10], ordered[len(ordered) * 9 // 10]
    return (len(ordered) * 8 // 10) / (high - low) if high > low else float("nan")


def _stamp(moment: datetime | None) -> float | None:
    return moment.timestamp() if moment else None


def measure(*, signals: int = 1000, tasks: int = 3000, signal_workers: int = 2, execution_workers: int = 2,
            concurrency: int = 2, web_workers: int = 2) -> dict[str, Any]:  # fmt: skip
    topology = {"signal_workers": signal_workers, "execution_workers": execution_workers, "concurrency": concurrency}
    with stack_here() as stack:
        logins = prepare(stack, web_workers=web_workers)
        broker = redis.Redis.from_url(settings.REDIS_URL)

        # Baseline: trivial tasks, half on each queue, so every worker process takes its share.
        for i in range(tasks):
            app.send_task("bench.noop", args=[KEY], queue="signals" if i % 2 else "execution")
        start_workers(stack, **topology, include="bench.tasks")
        wait_until(lambda: broker.llen(KEY) >= tasks, timeout=600, interval=0.5)
        baseline_stamps = [float(x) for x in broker.lrange(KEY, 0, -1)]
        warm_up(stack, logins)
        stop_workers(stack)

        # Pipeline: the same workers, over a backlog of real entry signals.
        posted = asyncio.run(closed_loop(
            f"{stack.base_url}/api/v1/signals", clients=16, requests=signals, keep_body=True,
            body_for=lambda c, n: entry(c * 7919 + n),
            headers_for=lambda c, n: {"Authorization": f"Bearer {logins.strategy_key}"},
        ))  # fmt: skip
        ids = [int(s.body["id"]) for s in posted.samples if s.status == 202]
        start_workers(stack, **topology)
        drained = drain(ids, timeout=900)
        found = trips(ids)

    decided = [s for t in found.values() if (s := _stamp(t.decided_at)) is not None]
    filled = [s for t in found.values() if (s := _stamp(t.first_fill_at)) is not None]
    baseline = middle_rate(baseline_stamps)
    pipeline = middle_rate(decided)
    return {
        **topology, "tasks": tasks, "tasks_done": len(baseline_stamps), "baseline_per_second": baseline,
        "signals": signals, "accepted": len(ids), "decided": len(decided), "decided_per_second": pipeline,
        "filled": len(filled), "filled_per_second": middle_rate(filled), "ratio": pipeline / baseline,
        "drain_seconds": drained, "outcomes": reasons(found),
    }  # fmt: skip
