"""Intake throughput and latency of POST /api/v1/signals against a minimal DRF
endpoint doing one INSERT (bench/urls.py), measured in the same run on the
same server (uvicorn, bench.settings) with the same concurrent clients.

    .venv/bin/python -m bench --only intake      # or all of them: make bench
"""

from __future__ import annotations

import asyncio
from typing import Any

from bench.load import Run, closed_loop, percentile
from bench.pipeline import prepare
from bench.profiling import Profiler
from bench.runner import stack_here

SIGNAL = {"symbol": "BTCUSDT", "action": "buy", "confidence": 0.8}


def _figures(run: Run) -> dict[str, Any]:
    errors = run.count(lambda s: s.status >= 300 or s.status == 0)
    first = next((f"{s.status} {str(s.body)[:200]}" for s in run.samples if s.status >= 300 or s.status == 0), "")
    return {"requests": len(run.samples), "per_second": run.throughput, "p50_ms": percentile(run.latencies(), 50),
            "p99_ms": percentile(run.latencies(), 99), "errors": errors, "first_error": first}  # fmt: skip


def measure(*, clients: int = 16, seconds: float = 15, web_workers: int = 2, profile: bool = True) -> dict[str, Any]:
    with stack_here() as stack:
        logins = prepare(stack, web_workers=web_workers)
        auth = {"Authorization": f"Bearer {logins.strategy_key}"}
        # Half a second of each first: connection pools and imports warm.
        for url, body_for, headers in (
            (f"{stack.base_url}/bench/baseline", lambda c, n: SIGNAL, {}),
            (f"{stack.base_url}/api/v1/signals", lambda c, n: {**SIGNAL, "signal_id": f"warm-{c}-{n}"}, auth),
        ):
            asyncio.run(closed_loop(url, clients=clients, seconds=0.5, body_for=body_for,
                                    headers_for=lambda c, n, h=headers: h))  # fmt: skip
        baseline = asyncio.run(closed_loop(f"{stack.base_url}/bench/baseline", clients=clients, seconds=seconds,
                                           body_for=lambda c, n: SIGNAL, headers_for=lambda c, n: {}))  # fmt: skip
        profiler = Profiler({"web": stack.processes["web"].proc.pid}, seconds=seconds) if profile else None
        intake = asyncio.run(closed_loop(
            f"{stack.base_url}/api/v1/signals", clients=clients, seconds=seconds, keep_body=False,
            body_for=lambda c, n: {**SIGNAL, "signal_id": f"bench-{c}-{n}"}, headers_for=lambda c, n: auth,
        ))  # fmt: skip
        top = profiler.finish() if profiler else {}
    result = {"clients": clients, "seconds": seconds, "web_workers": web_workers, "baseline": _figures(baseline),
              "intake": _figures(intake), "profile": top}  # fmt: skip
    result["ratio"] = result["intake"]["per_second"] / result["baseline"]["per_second"]
    return result
