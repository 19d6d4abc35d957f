"""A bad seed payload gets the native error format, with the field named as the
client sent it (``price``, ``meta.stop_loss``), and saves nothing."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from petrosa.core.models import AuditEvent
from signals_app.models import Signal
from tests.factories import StrategyWithKey

pytestmark = pytest.mark.django_db

BASE = {"strategy_id": "momentum_v1", "symbol": "BTCUSDT", "action": "buy", "confidence": 0.85, "price": 45000}


def assert_nothing_saved() -> None:
    assert Signal.objects.count() == 0
    assert not AuditEvent.objects.filter(kind="signal.received").exists()


def with_meta(**meta: Any) -> dict[str, Any]:
    return {**BASE, "meta": meta}


@pytest.mark.parametrize(
    ("url", "body", "field", "fragment"),
    [
        ("/trade", {k: v for k, v in BASE.items() if k != "confidence"}, "confidence", "required"),
        ("/trade", {**BASE, "price": "abc"}, "price", "valid number"),
        ("/trade", {**BASE, "price": 0}, "price", "greater than zero"),
        ("/trade", {**BASE, "price": "abc", "current_price": 45000}, "price", "greater than zero"),
        ("/trade", {**BASE, "meta": [1, 2]}, "meta", "object"),
        ("/trade", with_meta(simulate="yes"), "meta.simulate", "true or false"),
        ("/trade", with_meta(indicators=[1, 2]), "meta.indicators", "dictionary"),
        ("/trade", {**with_meta(rationale="breakout"), "rationale": "other"}, "meta.rationale", "send it once"),
        ("/trade", {**BASE, "price": None, "order_type": "limit"}, "price", "limit price"),
        ("/trade", {**BASE, "price": None, "order_type": "limit", "target_price": "x"}, "target_price", "number"),
        ("/trade/signal", with_meta(stop_loss=46000), "meta.stop_loss", "below the entry price"),
        ("/trade/signal", with_meta(take_profit=44000), "meta.take_profit", "above the entry price"),
        ("/trade/signal", with_meta(order_type="moon"), "meta.order_type", "not a valid choice"),
        ("/trade/signal", with_meta(time_in_force="DAY"), "meta.time_in_force", "not a valid choice"),
        ("/trade/signal", {**BASE, "quantity": -1}, "quantity", "greater than or equal to 0"),
        ("/trade/signal", {**BASE, "position_size_pct": 5.0}, "position_size_pct", "send 0.05 for 5"),
        ("/trade/signal", {**BASE, "symbol": "BTC/USDT"}, "symbol", "5-20 letters"),
        ("/trade/signal", {**BASE, "timestamp": "yesterday"}, "timestamp", "ISO"),
    ],
)
def test_field_errors_name_the_field_as_sent(
    strategy_client: APIClient, url: str, body: dict[str, Any], field: str, fragment: str
) -> None:
    response = strategy_client.post(url, data=body, format="json")
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert field in error["fields"], error
    assert fragment in " ".join(error["fields"][field]), error["fields"][field]
    assert_nothing_saved()


@pytest.mark.parametrize("url", ["/trade", "/trade/signal"])
def test_a_json_array_is_a_400(strategy_client: APIClient, url: str) -> None:
    response = strategy_client.post(url, data=[BASE], format="json")
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"non_field_errors": ["Send a JSON object."]}
    assert_nothing_saved()


@pytest.mark.parametrize("url", ["/trade", "/trade/signal"])
def test_malformed_json_is_malformed_json(strategy_client: APIClient, url: str) -> None:
    body = '{"symbol": "BTCUSDT", "quantity": 0.0, // Will use dynamic minimum if zero'
    response = strategy_client.post(url, data=body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "malformed_json"
    assert_nothing_saved()


@pytest.mark.parametrize("url", ["/trade", "/trade/signal"])
def test_no_key_is_401(strategy: StrategyWithKey, url: str) -> None:
    response = APIClient().post(url, data=BASE, format="json")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"
    assert_nothing_saved()


def test_a_key_cannot_send_for_another_strategy(strategy_client: APIClient, other_strategy: StrategyWithKey) -> None:
    response = strategy_client.post("/trade", data={**BASE, "strategy_id": other_strategy.name}, format="json")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "strategy_mismatch"
    assert_nothing_saved()


def test_an_operator_cannot_send_seed_signals(operator: Any) -> None:
    client = APIClient()
    client.force_authenticate(operator)
    response = client.post("/trade/signal", data=BASE, format="json")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "strategy_key_required"
    assert_nothing_saved()


def test_simulate_true_on_a_live_deployment_is_refused(strategy_client: APIClient, settings: Any) -> None:
    settings.TRADING_MODE = "live"
    response = strategy_client.post("/trade", data=with_meta(simulate=True), format="json")
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "simulation_unavailable"
    assert error["fields"] == {"meta.simulate": ["Not available while PETROSA_TRADING_MODE=live."]}
    assert_nothing_saved()


def test_a_live_deployment_says_the_trade_is_not_simulated(strategy_client: APIClient, settings: Any) -> None:
    settings.TRADING_MODE = "live"
    response = strategy_client.post("/trade", data=with_meta(simulate=False), format="json")
    assert response.status_code == 202, response.content
    assert (response.json()["trading_mode"], response.json()["simulated"]) == ("live", False)
    assert Signal.objects.get().meta["intake"]["simulated"] is False
