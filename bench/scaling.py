"""How the cost of one signal changes with the size of the book: the same
entry's trip (received → filled) with 10 … 10,000 active signals on its
symbol, or with 1 … 1,000 open positions. Probes are sent one at a time, each
after the previous one filled, so the figure is the cost of a trip, not a queue."""

from __future__ import annotations

import statistics
from typing import Any

from bench.load import percentile
from bench.pipeline import ENTRY_SYMBOLS, HIGH_RATE_LIMITS, post_signal, prepare, start_workers, warm_up
from bench.profiling import Profiler
from bench.readings import trips, unfinished
from bench.runner import stack_here
from bench.seeding import active_signals_top_up, open_positions_top_up
from bench.stack import wait_until

PROBE = {"symbol": "BTCUSDT", "action": "buy", "confidence": 0.9, "quantity": ENTRY_SYMBOLS["BTCUSDT"]}


def measure(*, dimension: str = "signals", levels: list[int] | None = None, probes: int = 15,
            web_workers: int = 1, concurrency: int = 2, profile: bool = True) -> dict[str, Any]:  # fmt: skip
    if dimension not in ("signals", "positions"):
        raise ValueError("dimension is signals or positions")
    levels = levels or ([10, 100, 1000, 10000] if dimension == "signals" else [1, 10, 100, 1000])
    rows = []
    top: dict[str, Any] = {}
    with stack_here() as stack:
        logins = prepare(stack, web_workers=web_workers, limits=HIGH_RATE_LIMITS)
        stack.strategy("bench_seed")
        start_workers(stack, signal_workers=1, execution_workers=1, concurrency=concurrency)
        warm_up(stack, logins, body=PROBE)  # opens the BTCUSDT position the probes add to
        for level in levels:
            if dimension == "signals":
                seeded = active_signals_top_up(total=level, strategy_name="bench_seed", symbol="BTCUSDT")
            else:
                seeded = open_positions_top_up(total=level)
            costs = []
            profiler = None
            if profile and level == levels[-1]:
                workers = {n: p.proc.pid for n, p in stack.processes.items() if n.startswith(("signals", "exec"))}
                profiler = Profiler(workers, seconds=max(5.0, probes * 0.6))
            for _ in range(probes):
                signal_id = post_signal(stack, logins, PROBE)
                if not wait_until(lambda s=signal_id: unfinished([s]) == 0, timeout=60, interval=0.02):
                    raise RuntimeError(f"probe {signal_id} not filled at level {level}:\n{stack.logs()}")
                trip = trips([signal_id])[signal_id]
                if trip.fill_ms is None:
                    raise RuntimeError(f"probe {signal_id} was not filled: {trip.status} {trip.reason}")
                costs.append(trip.fill_ms)
            rows.append({"level": level, "rows": seeded, "median_ms": statistics.median(costs),
                         "p90_ms": percentile(costs, 90), "min_ms": min(costs)})  # fmt: skip
            if profiler is not None:
                top = profiler.finish()
    medians = [r["median_ms"] for r in rows]
    return {"dimension": dimension, "probes": probes, "levels": rows, "profile": top,
            "spread": max(medians) / min(medians) - 1}  # fmt: skip
