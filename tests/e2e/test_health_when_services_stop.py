"""A real web server whose PostgreSQL and Redis go away and come back.

The machine's shared PostgreSQL and Redis are never touched: the server
reaches PostgreSQL through a TCP relay this test owns (stopping the relay is
the outage), and uses a private redis-server this test starts and stops.
"""

from __future__ import annotations

from typing import Any, Iterator

import pytest
import requests
from django.conf import settings

from tests.e2e.processes import Process, TcpRelay, free_port, start_redis, start_web, wait_for

pytestmark = pytest.mark.services


@pytest.fixture
def outage_rig(subprocess_env: dict[str, str]) -> Iterator[tuple[str, TcpRelay, int, list[Process]]]:
    db = settings.DATABASES["default"]
    relay = TcpRelay((db.get("HOST") or "127.0.0.1", int(db.get("PORT") or 5432)))
    relay.start()
    redis_port = free_port()
    processes = [start_redis(redis_port)]
    env = {
        **subprocess_env,
        "DATABASE_URL": f"postgres://{db.get('USER') or 'postgres'}@127.0.0.1:{relay.port}/{db['NAME']}",
        "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
    }
    web, url = start_web(env)
    processes.append(web)
    yield url, relay, redis_port, processes
    for process in processes:
        process.kill()
    relay.cut()


def get(url: str) -> tuple[int, dict[str, Any]]:
    response = requests.get(url, timeout=15)
    return response.status_code, response.json()


def test_health_and_ready_follow_postgresql_and_redis_down_and_back(
    outage_rig: tuple[str, TcpRelay, int, list[Process]],
) -> None:
    url, relay, redis_port, processes = outage_rig
    status, body = get(f"{url}/health")
    assert status == 200, body
    assert body["components"]["database"]["ok"] and body["components"]["redis"]["ok"]
    assert get(f"{url}/ready") == (200, {"ready": True})

    # Redis stops: degraded with a message, still ready (signals are still taken in).
    processes[0].kill()
    status, body = get(f"{url}/health")
    assert status == 200 and body["status"] == "degraded"
    assert body["components"]["redis"]["status"] == "degraded"
    assert "signals are still accepted and run once Redis returns" in body["components"]["redis"]["detail"]
    assert get(f"{url}/ready")[0] == 200

    processes[0] = start_redis(redis_port)
    wait_for(lambda: get(f"{url}/health")[1]["components"]["redis"]["ok"], timeout=15, what="redis to be healthy")

    # PostgreSQL goes away: unhealthy, not ready, with the reason; still alive.
    relay.cut()
    status, body = get(f"{url}/health")
    assert status == 503 and body["status"] == "unhealthy"
    assert body["components"]["database"]["detail"] == f"unreachable: 127.0.0.1:{relay.port} Connection refused"
    assert body["components"]["audit"]["detail"].startswith("audit trail unavailable: the database is unreachable")
    status, body = get(f"{url}/ready")
    assert status == 503 and body["ready"] is False
    assert body["reasons"][0] == f"database: unreachable: 127.0.0.1:{relay.port} Connection refused"
    assert get(f"{url}/live") == (200, {"alive": True})

    # It comes back: ready again without a restart.
    relay.start()
    wait_for(lambda: get(f"{url}/ready")[0] == 200, timeout=30, interval=0.5, what="ready after PostgreSQL returns")
    status, body = get(f"{url}/health")
    assert status == 200 and body["components"]["database"]["ok"] and body["components"]["audit"]["ok"]
