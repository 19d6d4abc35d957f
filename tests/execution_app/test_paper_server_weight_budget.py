"""Past the request-weight budget the server answers 429 -1003 with Retry-After,
per IP and per host (spot and futures count apart), and 418 once an IP keeps
going; a new clock minute starts a new budget."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from execution_app.paper_server.app import ServerConfig
from execution_app.paper_server.limits import WeightBudget
from execution_app.paper_server.serve import ServerThread


@pytest.fixture
def small_budget() -> Iterator[str]:
    config = ServerConfig(keys={}, weight_limits={"spot": 5, "usdm": 5}, ban_after=2, ban_seconds=120)
    thread = ServerThread(config)
    thread.start()
    yield thread.url
    thread.stop()


def test_past_the_budget_come_429_then_418(small_budget: str) -> None:
    answers = [requests.get(f"{small_budget}/api/v3/ping", timeout=5) for _ in range(5)]
    assert [int(a.headers["X-MBX-USED-WEIGHT-1M"]) for a in answers] == [1, 2, 3, 4, 5]
    assert all(a.status_code == 200 for a in answers)

    over = requests.get(f"{small_budget}/api/v3/ping", timeout=5)
    assert over.status_code == 429
    assert over.json()["code"] == -1003 and "request weight" in over.json()["msg"]
    assert 1 <= int(over.headers["Retry-After"]) <= 60

    # The futures host keeps its own budget.
    assert requests.get(f"{small_budget}/fapi/v1/ping", timeout=5).status_code == 200

    assert requests.get(f"{small_budget}/api/v3/ping", timeout=5).status_code == 429
    banned = requests.get(f"{small_budget}/api/v3/ping", timeout=5)
    assert banned.status_code == 418 and banned.json()["code"] == -1003
    assert int(banned.headers["Retry-After"]) == 120
    # A ban covers the IP on every host.
    assert requests.get(f"{small_budget}/fapi/v1/ping", timeout=5).status_code == 418


def test_a_new_minute_starts_a_new_budget() -> None:
    now = [120.0]
    budget = WeightBudget(limits={"spot": 10}, ban_after=0, ban_seconds=60, clock=lambda: now[0])
    assert budget.charge(ip="a", market="spot", weight=10).refusal is None
    refused = budget.charge(ip="a", market="spot", weight=1)
    assert refused.refusal is not None and refused.refusal.http_status == 429 and refused.retry_after == 60
    assert budget.charge(ip="b", market="spot", weight=1).refusal is None  # per IP
    now[0] = 180.0
    fresh = budget.charge(ip="a", market="spot", weight=3)
    assert (fresh.refusal, fresh.used) == (None, 3)
