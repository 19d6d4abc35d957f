"""Intake throughput and latency of POST /api/v1/signals against a minimal DRF
endpoint doing one INSERT, measured in the same run on the same server.

    make bench            # or: .venv/bin/python -m bench.intake --seconds 20

Starts uvicorn (bench.settings) on PostgreSQL and Redis, drives both endpoints
with N concurrent clients for the same time, prints a Markdown table.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import aiohttp

REPO = Path(__file__).resolve().parents[1]


@dataclass
class Result:
    name: str
    requests: int
    errors: int
    seconds: float
    latencies_ms: list[float]
    first_error: str = ""

    @property
    def throughput(self) -> float:
        return self.requests / self.seconds

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(len(ordered) * p))]


async def drive(name: str, url: str, body_for: callable, headers: dict[str, str], clients: int, seconds: float) -> Result:
    latencies: list[float] = []
    errors = 0
    first_error = ""
    deadline = time.perf_counter() + seconds

    async def client(index: int, session: aiohttp.ClientSession) -> None:
        nonlocal errors, first_error
        n = 0
        while time.perf_counter() < deadline:
            n += 1
            started = time.perf_counter()
            async with session.post(url, json=body_for(index, n), headers=headers) as response:
                text = await response.text()
                if response.status >= 300:
                    errors += 1
                    first_error = first_error or f"{response.status} {text[:300]}"
            latencies.append((time.perf_counter() - started) * 1000)

    started = time.perf_counter()
    async with aiohttp.ClientSession() as session:
        await asyncio.gather(*(client(i, session) for i in range(clients)))
    return Result(name, len(latencies), errors, time.perf_counter() - started, latencies, first_error)


def manage(env: dict[str, str], *args: str) -> str:
    return subprocess.run([sys.executable, "manage.py", *args], cwd=REPO, env=env, check=True, capture_output=True,
                          text=True).stdout  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--workers", type=int, default=2, help="uvicorn worker processes")
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()

    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings", "LOG_LEVEL": "WARNING",
           "DATABASE_URL": os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/petrosa_bench"),
           "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/10")}  # fmt: skip
    subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-c", "DROP DATABASE IF EXISTS petrosa_bench"],
                   capture_output=True)  # fmt: skip
    subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-c", "CREATE DATABASE petrosa_bench"],
                   capture_output=True)  # fmt: skip
    manage(env, "migrate", "--noinput", "-v0")
    key = manage(env, "seed_demo").splitlines()[-1].split()[-1]
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "petrosa.asgi:application", "--port", str(args.port), "--workers",
         str(args.workers), "--log-level", "warning", "--no-access-log"], cwd=REPO, env=env,
    )  # fmt: skip
    try:
        time.sleep(4)
        base = f"http://127.0.0.1:{args.port}"
        signal = {"symbol": "BTCUSDT", "action": "buy", "confidence": 0.8}
        baseline = asyncio.run(drive("baseline: minimal DRF endpoint, one INSERT", f"{base}/bench/baseline",
                                     lambda i, n: signal, {}, args.clients, args.seconds))  # fmt: skip
        intake = asyncio.run(drive(
            "POST /api/v1/signals (auth, validation, idempotency key, signal + audit, enqueue)",
            f"{base}/api/v1/signals", lambda i, n: {**signal, "signal_id": f"bench-{i}-{n}"},
            {"Authorization": f"Bearer {key}"}, args.clients, args.seconds,
        ))  # fmt: skip
    finally:
        server.terminate()
        server.wait(timeout=20)
    print(f"{args.clients} concurrent clients, {args.seconds:.0f} s each, uvicorn --workers {args.workers}, "
          f"{os.cpu_count()} cores\n")  # fmt: skip
    print("| endpoint | requests/s | p50 ms | p99 ms | errors |")
    print("|---|---|---|---|---|")
    for result in (baseline, intake):
        print(f"| {result.name} | {result.throughput:.0f} | {result.percentile(0.5):.1f} | "
              f"{result.percentile(0.99):.1f} | {result.errors} |")  # fmt: skip
    for result in (baseline, intake):
        if result.first_error:
            print(f"\nfirst error from {result.name}: {result.first_error}")
    print(f"\nintake / baseline throughput: {intake.throughput / baseline.throughput:.2f}x")
    print(f"median latency ratio: {statistics.median(intake.latencies_ms) / statistics.median(baseline.latencies_ms):.2f}x")


if __name__ == "__main__":
    main()
