"""GET /signals/active: only signals not yet in a final status, newest first,
filtered by symbol, and a strategy key sees only its own."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from rest_framework.test import APIClient

from signals_app.models import Signal, SignalStatus, Strategy
from tests.factories import SignalFactory, StrategyWithKey

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(db: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(get_user_model().objects.create_user("watcher", is_staff=True))
    return client


def make(strategy: Strategy, status: str, *, symbol: str = "BTCUSDT", minutes_ago: int) -> Signal:
    signal = SignalFactory(strategy=strategy, status=status, symbol=symbol)
    Signal.objects.filter(pk=signal.pk).update(received_at=timezone.now() - timedelta(minutes=minutes_ago))
    return signal


@pytest.fixture
def signals(strategy: StrategyWithKey, other_strategy: StrategyWithKey) -> dict[str, Signal]:
    mine, theirs = strategy.strategy, other_strategy.strategy
    made = {
        "received": make(mine, SignalStatus.RECEIVED, minutes_ago=30),
        "accepted_eth": make(mine, SignalStatus.ACCEPTED, symbol="ETHUSDT", minutes_ago=5),
        "pending_theirs": make(theirs, SignalStatus.PENDING_REVIEW, minutes_ago=10),
        # Created last but received earliest: the order follows received_at, not id.
        "received_oldest": make(mine, SignalStatus.RECEIVED, minutes_ago=600),
    }
    for final in (SignalStatus.HELD, SignalStatus.REJECTED, SignalStatus.ORDERED, SignalStatus.EXPIRED):
        make(mine, final, minutes_ago=1)
    return made


def ids(response: Any) -> list[int]:
    assert response.status_code == 200, response.content
    return [signal["id"] for signal in response.json()]


def test_only_non_final_signals_newest_first(staff_client: APIClient, signals: dict[str, Signal]) -> None:
    listed = ids(staff_client.get("/signals/active"))
    expected = ["accepted_eth", "pending_theirs", "received", "received_oldest"]
    assert listed == [signals[name].pk for name in expected]


def test_symbol_filter(staff_client: APIClient, signals: dict[str, Signal]) -> None:
    assert ids(staff_client.get("/signals/active?symbol=ETHUSDT")) == [signals["accepted_eth"].pk]
    assert ids(staff_client.get("/signals/active?symbol=ethusdt")) == [signals["accepted_eth"].pk]
    assert ids(staff_client.get("/signals/active?symbol=DOGEUSDT")) == []


def test_a_strategy_key_sees_only_its_own(strategy_client: APIClient, signals: dict[str, Signal]) -> None:
    listed = ids(strategy_client.get("/signals/active"))
    assert listed == [signals[name].pk for name in ("accepted_eth", "received", "received_oldest")]


def test_limit(staff_client: APIClient, signals: dict[str, Signal]) -> None:
    newest_two = [signals["accepted_eth"].pk, signals["pending_theirs"].pk]
    assert ids(staff_client.get("/signals/active?limit=2")) == newest_two
    response = staff_client.get("/signals/active?limit=501")
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["limit"]


def test_each_item_is_the_native_signal(staff_client: APIClient, signals: dict[str, Signal]) -> None:
    first = staff_client.get("/signals/active").json()[0]
    assert first["strategy_id"] == "momentum_v1"
    assert first["status"] == "accepted"
    assert first["symbol"] == "ETHUSDT"
