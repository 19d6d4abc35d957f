"""Idempotency storm: one Idempotency-Key, many concurrent retries of the same
signal. Expected: one signal, one entry order, every answer a 202 (the first
created, the rest replayed), no 5xx."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass, field

from bench.load import closed_loop, percentile
from bench.pipeline import drain
from bench.readings import trips
from bench.stack import Logins
from soak.verdict import Judged

BODY = {"symbol": "BTCUSDT", "action": "buy", "confidence": 0.8, "quantity": "0.003"}


@dataclass
class StormResult(Judged):
    requests: int
    clients: int
    statuses: dict[int, int]
    server_errors: int
    signal_ids: list[int]
    replayed: int
    entry_orders: int
    fills: int
    final_status: str
    p99_ms: float
    problems: list[str] = field(default_factory=list)


def storm_run(base_url: str, logins: Logins, *, requests: int = 1000, clients: int = 50) -> StormResult:
    key = f"storm-{uuid.uuid4().hex[:12]}"
    headers = {"Authorization": f"Bearer {logins.strategy_key}", "Idempotency-Key": key}
    run = asyncio.run(closed_loop(f"{base_url}/api/v1/signals", clients=clients, requests=requests, keep_body=True,
                                  body_for=lambda c, n: BODY, headers_for=lambda c, n: headers))  # fmt: skip
    ids = sorted({int(s.body["id"]) for s in run.samples if s.status == 202 and isinstance(s.body, dict)})
    replayed = run.count(lambda s: s.headers.get("idempotent-replayed") == "true")
    drain(ids, timeout=120)
    found = trips(ids)
    result = StormResult(
        requests=len(run.samples), clients=clients, statuses=run.statuses(),
        server_errors=run.count(lambda s: s.status >= 500 or s.status == 0), signal_ids=ids, replayed=replayed,
        entry_orders=sum(t.entry_orders for t in found.values()), fills=sum(t.entry_fills for t in found.values()),
        final_status=",".join(sorted({t.status for t in found.values()})), p99_ms=percentile(run.latencies(), 99),
    )  # fmt: skip
    if result.server_errors:
        result.problems.append(f"{result.server_errors} answers were 5xx or no answer")
    if set(result.statuses) != {202}:
        result.problems.append(f"answers other than 202: {result.statuses}")
    if len(ids) != 1:
        result.problems.append(f"{len(ids)} signals were created, not 1")
    if replayed != result.requests - 1:
        result.problems.append(f"{replayed} answers replayed, expected {result.requests - 1}")
    if result.entry_orders != 1:
        result.problems.append(f"{result.entry_orders} entry orders, not 1")
    return result
