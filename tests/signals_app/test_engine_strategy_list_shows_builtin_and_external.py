"""GET /strategies lists built-in strategies next to external ones, each with
its kind, and a built-in one with its parameters and per-symbol state, in a
fixed number of queries however many there are."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from tests.factories import StrategyWithKey
from tests.signals_app.engine_ticks import Bars, builtin

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("eager_pipeline")]


@pytest.fixture
def staff_client(db: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(get_user_model().objects.create_user("watcher", is_staff=True))
    return client


def test_builtin_and_external_strategies_with_their_state(staff_client: APIClient, strategy: StrategyWithKey) -> None:
    builtin("ma", "ma_crossover", {"short_period": 2, "long_period": 4, "cooldown_seconds": 0},
            symbols=["ETHUSDT", "BTCUSDT"])  # fmt: skip
    bars = Bars()
    for bar, price in enumerate(["60000", "60600", "60000", "60600", "60000", "60600", "60000", "63000"], start=1):
        bars.publish([price], first_bar=bar)
    bars.publish(["3000"], symbol="ETHUSDT", first_bar=8)

    listed = {s["name"]: s for s in staff_client.get("/strategies").json()}

    external = listed[strategy.name]
    assert (external["kind"], external["builtin"], external["is_active"]) == ("external", None, True)
    ma = listed["ma"]
    assert (ma["kind"], ma["is_active"], ma["weight"]) == ("builtin", True, "1")
    assert ma["signal_counts"]["ordered"] == ma["signal_counts"]["total"] == 1
    config = ma["builtin"]
    assert (config["type"], config["label"], config["symbols"], config["timeframe"]) == (
        "ma_crossover", "Moving-average crossover", ["BTCUSDT", "ETHUSDT"], "1m",
    )  # fmt: skip
    assert config["parameters"] == {"short_period": 2, "long_period": 4, "min_confidence": "0.6",
                                    "gap_weight": "10", "price_weight": "5", "cooldown_seconds": 0}  # fmt: skip
    btc, eth = config["state"]
    assert btc["symbol"] == "BTCUSDT" and btc["last_signal_action"] == "buy" and btc["last_signal_id"]
    assert btc["indicators"] == {"short_ma": "61500", "long_ma": "60900", "price": "63000"}
    assert eth["symbol"] == "ETHUSDT" and eth["last_signal_action"] is None
    assert eth["indicators"] == {"warming_up": "1/5 bars"}


@pytest.mark.parametrize("count", [1, 4])
def test_listing_takes_two_queries_whatever_the_number_of_builtins(staff_client: APIClient, count: int) -> None:
    for number in range(count):
        builtin(f"ma{number}", "ma_crossover", {})
        builtin(f"rsi{number}", "rsi_reversion", {})
    Bars().publish(["60000"])
    with CaptureQueriesContext(connection) as queries:
        response = staff_client.get("/strategies")
    assert len(response.json()) == 2 * count
    assert len(queries) == 2, [q["sql"] for q in queries]  # strategies (config joined), then states
