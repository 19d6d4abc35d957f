"""Worker processes killed with SIGKILL at random moments while orders flow:
a pool child (the task it ran dies with it) or a whole worker (main process
and children, as the kernel's OOM killer or a node loss would). Replacement
workers start; Celery's redelivery, the sweeper and the order watcher must
then bring every acknowledged signal to exactly one filled entry order,
with exactly one order on the exchange per client order id."""

from __future__ import annotations

import asyncio
import os
import random
import signal
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench.load import Run, open_loop
from bench.pipeline import drain, entry
from bench.readings import exchange_submissions, trips, unfinished
from bench.stack import Logins, Stack
from soak.verdict import Judged


@dataclass
class CrashResult(Judged):
    orders: int
    accepted: int
    kills: list[str]
    ordered: int
    rejected: dict[str, int]
    filled: int
    lost: list[int]
    duplicated: list[int]
    exchange_duplicates: list[str]
    recovery_seconds: float
    # Processes that exited on their own during the run and were started again by the stack's supervisor.
    supervisor_restarts: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def pool_children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def _worker_names(stack: Stack) -> list[str]:
    return [name for name in stack.processes if name.startswith("chaos")]


def _kill_one(stack: Stack, rng: random.Random, serial: list[int], concurrency: int, whole_worker_share: float) -> str:
    names = _worker_names(stack)
    if not names:
        return "no worker running"
    name = rng.choice(names)
    process = stack.processes[name]
    children = pool_children(process.proc.pid)
    if children and rng.random() >= whole_worker_share:
        victim = rng.choice(children)
        os.kill(victim, signal.SIGKILL)  # a pool child: Celery's main process starts another
        return f"SIGKILL pool child {victim} of {name}"
    stack.stop(name, signal.SIGKILL)  # the whole worker (its process group) at once
    serial[0] += 1
    stack.start_worker(f"chaos{serial[0]}", concurrency=concurrency)
    return f"SIGKILL worker {name} (main process and children); started chaos{serial[0]}"


def crash_run(stack: Stack, logins: Logins, *, orders: int = 200, kills: int = 6, rate: float = 10,
              workers: int = 2, concurrency: int = 2, seed: int = 7, whole_worker_share: float = 0.5,
              recovery_timeout: float = 300) -> CrashResult:  # fmt: skip
    """Needs the stack's web server and beat (sweeper) running; starts and kills its own workers.
    Each kill takes a whole worker with probability `whole_worker_share`, else one pool child."""
    rng = random.Random(seed)
    restarts_before = len(stack.restarts)
    serial = [workers - 1]
    for n in range(workers):
        stack.start_worker(f"chaos{n}", concurrency=concurrency)
    duration = orders / rate
    moments = sorted(rng.uniform(0.1 * duration, duration) for _ in range(kills))
    box: dict[str, Run] = {}
    sender = threading.Thread(target=lambda: box.update(run=asyncio.run(open_loop(
        f"{stack.base_url}/api/v1/signals", rate=rate, seconds=duration, body_for=lambda c, i: entry(i),
        headers_for=lambda c, i: {"Authorization": f"Bearer {logins.strategy_key}"},
    ))))  # fmt: skip
    started = time.monotonic()
    sender.start()
    events = []
    for moment in moments:
        time.sleep(max(0.0, started + moment - time.monotonic()))
        what = _kill_one(stack, rng, serial, concurrency, whole_worker_share)
        events.append(f"t={time.monotonic() - started:.1f}s {what}")
    sender.join()
    if not _worker_names(stack):
        serial[0] += 1
        stack.start_worker(f"chaos{serial[0]}", concurrency=concurrency)
    run = box["run"]
    ids = [int(s.body["id"]) for s in run.samples if s.status == 202]
    recovery = drain(ids, timeout=recovery_timeout)
    found = trips(ids)
    ordered = [t for t in found.values() if t.status == "ordered"]
    unfilled = {t.signal_id for t in ordered if t.entry_orders == 0 or t.filled_quantity != t.ordered_quantity}
    unfinal = {t.signal_id for t in found.values() if t.status not in ("ordered", "rejected")}
    lost = sorted((set(ids) - set(found)) | unfilled | unfinal)
    duplicated = sorted(t.signal_id for t in found.values() if t.entry_orders > 1)
    submitted = exchange_submissions([cid for t in ordered for cid in t.client_order_ids])
    rejected: dict[str, int] = {}
    for t in found.values():
        if t.status == "rejected":
            rejected[t.reason] = rejected.get(t.reason, 0) + 1
    result = CrashResult(
        orders=len(run.samples), accepted=len(ids), kills=events, ordered=len(ordered), rejected=rejected,
        filled=sum(1 for t in ordered if t.first_fill_at is not None), lost=lost, duplicated=duplicated,
        exchange_duplicates=sorted(cid for cid, n in submitted.items() if n > 1), recovery_seconds=recovery,
        supervisor_restarts=stack.restarts[restarts_before:],
    )  # fmt: skip
    if result.accepted != result.orders:
        result.problems.append(f"only {result.accepted} of {result.orders} signals were accepted (202)")
    if lost:
        result.problems.append(f"{len(lost)} signals lost or unfinished after {recovery:.0f}s: {lost[:10]}; "
                               f"still unfinished: {unfinished(ids)}")  # fmt: skip
    if duplicated:
        result.problems.append(f"{len(duplicated)} signals with more than one entry order: {duplicated[:10]}")
    if result.exchange_duplicates:
        result.problems.append(f"client order ids sent twice to the exchange: {result.exchange_duplicates[:10]}")
    if rejected:
        result.problems.append(f"signals rejected (the limits should let all {orders} through): {rejected}")
    return result
