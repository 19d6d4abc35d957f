"""GET /signals/summary counts exactly, over its window, in one query; a
strategy key counts only its own signals."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from signals_app.models import Signal, Strategy
from tests.factories import SignalFactory, StrategyWithKey

pytestmark = pytest.mark.django_db

ZERO_STATUSES = {s: 0 for s in ("received", "accepted", "pending_review", "held", "rejected", "ordered", "expired")}


@pytest.fixture
def staff_client(db: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(get_user_model().objects.create_user("watcher", is_staff=True))
    return client


@pytest.fixture
def signals(strategy: StrategyWithKey, other_strategy: StrategyWithKey) -> None:
    mine, theirs = strategy.strategy, other_strategy.strategy
    make(mine, "BTCUSDT", "buy", "received", count=2)
    make(mine, "BTCUSDT", "sell", "ordered")
    make(mine, "ETHUSDT", "buy", "rejected")
    make(mine, "ETHUSDT", "hold", "held")
    make(theirs, "DOGEUSDT", "close", "accepted")
    make(theirs, "ETHUSDT", "buy", "pending_review")
    old = make(mine, "BTCUSDT", "buy", "ordered")
    Signal.objects.filter(pk__in=[s.pk for s in old]).update(received_at=timezone.now() - timedelta(hours=2))


def make(strategy: Strategy, symbol: str, action: str, status: str, *, count: int = 1) -> list[Signal]:
    return SignalFactory.create_batch(count, strategy=strategy, symbol=symbol, action=action, status=status)


@pytest.mark.usefixtures("signals")
def test_staff_see_exact_counts_for_the_last_hour(staff_client: APIClient) -> None:
    body = staff_client.get("/signals/summary").json()
    assert body["since_minutes"] == 60
    assert body["total"] == 7
    assert body["by_status"] == {**ZERO_STATUSES, "received": 2, "accepted": 1, "pending_review": 1, "held": 1,
                                 "rejected": 1, "ordered": 1}  # fmt: skip
    assert body["by_action"] == {"buy": 4, "sell": 1, "hold": 1, "close": 1}
    assert body["by_symbol"] == {"BTCUSDT": 3, "DOGEUSDT": 1, "ETHUSDT": 3}
    assert body["by_strategy"] == {
        "mean_reversion_v1": {"total": 2, "by_status": {**ZERO_STATUSES, "accepted": 1, "pending_review": 1}},
        "momentum_v1": {"total": 5, "by_status": {**ZERO_STATUSES, "received": 2, "held": 1, "rejected": 1,
                                                  "ordered": 1}},
    }  # fmt: skip


@pytest.mark.usefixtures("signals")
def test_a_wider_window_includes_older_signals(staff_client: APIClient) -> None:
    body = staff_client.get("/signals/summary?since_minutes=180").json()
    assert body["since_minutes"] == 180
    assert body["total"] == 8
    assert body["by_status"]["ordered"] == 2
    assert body["by_strategy"]["momentum_v1"]["total"] == 6


@pytest.mark.usefixtures("signals")
def test_the_window_is_reported(staff_client: APIClient) -> None:
    body = staff_client.get("/signals/summary?since_minutes=10080").json()
    since, until = (datetime.fromisoformat(body[k]) for k in ("since", "until"))
    assert until - since == timedelta(minutes=10080)
    assert abs(timezone.now() - until) < timedelta(minutes=1)


@pytest.mark.usefixtures("signals")
def test_a_strategy_key_counts_only_its_own(strategy_client: APIClient) -> None:
    body = strategy_client.get("/signals/summary").json()
    assert body["total"] == 5
    assert list(body["by_strategy"]) == ["momentum_v1"]
    assert body["by_symbol"] == {"BTCUSDT": 3, "ETHUSDT": 2}
    assert body["by_status"]["accepted"] == 0


def test_an_empty_window_is_all_zeros(staff_client: APIClient) -> None:
    body = staff_client.get("/signals/summary").json()
    assert body["total"] == 0
    assert body["by_status"] == ZERO_STATUSES
    assert (body["by_symbol"], body["by_strategy"]) == ({}, {})


@pytest.mark.parametrize("value", ["0", "10081", "abc", "-5"])
def test_since_minutes_out_of_range_is_a_400(staff_client: APIClient, value: str) -> None:
    response = staff_client.get(f"/signals/summary?since_minutes={value}")
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["since_minutes"]


@pytest.mark.usefixtures("signals")
def test_the_summary_is_one_query(staff_client: APIClient) -> None:
    with CaptureQueriesContext(connection) as queries:
        assert staff_client.get("/signals/summary").status_code == 200
    assert len(queries) == 1, [q["sql"] for q in queries]
