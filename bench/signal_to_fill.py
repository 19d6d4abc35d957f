"""Signal-to-fill latency on paper with real worker processes, at a sustained
rate: from the signal's received_at to its entry Fill's created_at, both read
from the database after the run.

The gate lets at most max_orders_per_minute orders through (schema maximum
1200/min, Binance's own USD-M limit), so at 50 signals/s not every signal can
become an order. The stream mixes entries that fill (``entry_rate`` per second,
under the cap) with signals the gate decides and refuses (confidence below
min_confidence_threshold): every signal makes the whole trip through intake,
aggregation, sizing, the portfolio lock and the gate.
"""

from __future__ import annotations

import asyncio
import math
from typing import Any

from bench.load import open_loop, percentile
from bench.pipeline import drain, entry, prepare, start_workers, warm_up
from bench.profiling import Profiler
from bench.readings import reasons, trips
from bench.runner import stack_here


def is_entry(index: int, *, rate: float, entry_rate: float) -> bool:
    """Spread entries evenly through the stream."""
    return math.floor((index + 1) * entry_rate / rate) > math.floor(index * entry_rate / rate)


def measure(*, rate: float = 50, seconds: float = 60, entry_rate: float = 18, signal_workers: int = 2,
            execution_workers: int = 2, concurrency: int = 2, web_workers: int = 2,
            profile: bool = True) -> dict[str, Any]:  # fmt: skip
    with stack_here() as stack:
        logins = prepare(stack, web_workers=web_workers)
        start_workers(stack, signal_workers=signal_workers, execution_workers=execution_workers,
                      concurrency=concurrency)  # fmt: skip
        warm_up(stack, logins)

        def body_for(_: int, i: int) -> dict[str, Any]:
            if is_entry(i, rate=rate, entry_rate=entry_rate):
                return entry(i)
            return entry(i, confidence=0.3)  # refused by the gate: below min_confidence_threshold 0.6

        workers = {name: p.proc.pid for name, p in stack.processes.items() if name.startswith(("signals", "exec"))}
        profiler = Profiler(workers, seconds=min(seconds, 30)) if profile else None
        auth = {"Authorization": f"Bearer {logins.strategy_key}"}
        run = asyncio.run(open_loop(f"{stack.base_url}/api/v1/signals", rate=rate, seconds=seconds, body_for=body_for,
                                    headers_for=lambda c, i: auth))  # fmt: skip
        ids = [int(s.body["id"]) for s in run.samples if s.status == 202]
        drained = drain(ids, timeout=300)
        found = trips(ids)
        top = profiler.finish() if profiler else {}

    fills = [t.fill_ms for t in found.values() if t.fill_ms is not None]
    decisions = [t.decision_ms for t in found.values() if t.decision_ms is not None]
    entries = sum(1 for i in range(len(run.samples)) if is_entry(i, rate=rate, entry_rate=entry_rate))
    return {
        "rate": rate, "seconds": seconds, "entry_rate": entry_rate, "signal_workers": signal_workers,
        "execution_workers": execution_workers, "concurrency": concurrency, "web_workers": web_workers,
        "sent": len(run.samples), "accepted": len(ids), "statuses": run.statuses(), "entries_sent": entries,
        "sent_per_second": len(run.samples) / run.seconds,
        "intake_p50": percentile(run.latencies(), 50), "intake_p99": percentile(run.latencies(), 99),
        "filled": len(fills), "fill_p50": percentile(fills, 50), "fill_p95": percentile(fills, 95),
        "fill_p99": percentile(fills, 99), "fill_max": max(fills, default=float("nan")),
        "decided": len(decisions), "decision_p50": percentile(decisions, 50),
        "decision_p99": percentile(decisions, 99), "drain_seconds": drained, "outcomes": reasons(found),
        "profile": top,
    }  # fmt: skip
