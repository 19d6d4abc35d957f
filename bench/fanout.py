"""Websocket fan-out: N dashboards logged in as a staff user (a session from
the admin login form) hold sockets on the ASGI server; real signals make real
fills in a worker; each socket's arrival time of each fill is compared with
the fill's created_at, which the event carries."""

from __future__ import annotations

import asyncio
import json
import time
from datetime import datetime
from typing import Any

import aiohttp

from bench.load import percentile
from bench.pipeline import entry, prepare, start_workers, warm_up
from bench.profiling import Profiler
from bench.runner import stack_here
from bench.stack import session_cookie


async def _dashboards(base_url: str, cookie: str, *, clients: int, fills: int, gap: float, post: Any) -> dict[str, Any]:
    headers = {"Cookie": cookie, "Origin": base_url}
    socket_url = base_url.replace("http", "ws", 1) + "/ws/dashboard/"
    arrivals: list[tuple[int, float, float]] = []  # fill id, created_at, arrival
    connected = 0
    failures: list[str] = []
    stop = asyncio.Event()

    async def dashboard(session: aiohttp.ClientSession) -> None:
        nonlocal connected
        try:
            async with session.ws_connect(socket_url, headers=headers, max_msg_size=0) as socket:
                first = await socket.receive_json(timeout=120)
                if first.get("event") != "snapshot":
                    failures.append(f"first message {first.get('event')}")
                    return
                connected += 1
                while not stop.is_set():
                    try:
                        message = await socket.receive(timeout=0.5)
                    except asyncio.TimeoutError:
                        continue
                    arrived = time.time()
                    if message.type != aiohttp.WSMsgType.TEXT:
                        failures.append(f"socket closed: {message.type} {message.data}")
                        return
                    data = json.loads(message.data)
                    if data.get("event") == "fill":
                        created = datetime.fromisoformat(data["payload"]["created_at"]).timestamp()
                        arrivals.append((int(data["payload"]["id"]), created, arrived))
        except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
            failures.append(repr(exc))

    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector) as session:
        tasks = []
        for _ in range(clients):
            tasks.append(asyncio.ensure_future(dashboard(session)))
            await asyncio.sleep(0.01)  # a crowd arriving, not one SYN flood
        deadline = time.monotonic() + 180
        while connected + len(failures) < clients and time.monotonic() < deadline:
            await asyncio.sleep(0.2)
        for i in range(fills):
            await post(session, entry(i))
            await asyncio.sleep(gap)
        # Every socket should see every fill; wait for stragglers, but not forever.
        deadline = time.monotonic() + 60
        while len(arrivals) < connected * fills and time.monotonic() < deadline:
            await asyncio.sleep(0.5)
        stop.set()
        await asyncio.gather(*tasks)

    latencies = [(arrived - created) * 1000 for _, created, arrived in arrivals]
    per_fill: dict[int, list[float]] = {}
    for fill_id, _, arrived in arrivals:
        per_fill.setdefault(fill_id, []).append(arrived)
    spreads = [(max(v) - min(v)) * 1000 for v in per_fill.values()]
    return {
        "clients": clients, "connected": connected, "failures": failures[:5], "failed": len(failures),
        "fills_seen": len(per_fill), "expected": connected * fills, "received": len(arrivals),
        "p50_ms": percentile(latencies, 50), "p99_ms": percentile(latencies, 99), "max_ms": max(latencies, default=0),
        "spread_p50_ms": percentile(spreads, 50),
    }  # fmt: skip


def measure(*, clients: int = 200, fills: int = 20, gap: float = 1.0, web_workers: int = 2,
            profile: bool = True) -> dict[str, Any]:  # fmt: skip
    """The same fills to one dashboard first (the baseline), then to `clients` dashboards at once."""
    with stack_here() as stack:
        logins = prepare(stack, web_workers=web_workers)
        start_workers(stack, signal_workers=1, execution_workers=1, concurrency=2)
        warm_up(stack, logins)
        cookie = session_cookie(stack.base_url, logins.operator, logins.password)

        auth = {"Authorization": f"Bearer {logins.strategy_key}"}

        async def post(session: aiohttp.ClientSession, body: dict[str, Any]) -> None:
            async with session.post(f"{stack.base_url}/api/v1/signals", json=body, headers=auth) as response:
                if response.status != 202:
                    raise RuntimeError(f"intake refused: {response.status} {await response.text()}")

        single = asyncio.run(_dashboards(stack.base_url, cookie, clients=1, fills=5, gap=gap, post=post))
        profiler = Profiler({"web": stack.processes["web"].proc.pid}, seconds=fills * gap + 10) if profile else None
        result = asyncio.run(_dashboards(stack.base_url, cookie, clients=clients, fills=fills, gap=gap, post=post))
        top = profiler.finish() if profiler else {}
    return {**result, "fills": fills, "web_workers": web_workers, "single": single, "profile": top}
