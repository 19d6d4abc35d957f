"""What the risk gate lets through, run through the real pipeline in eager mode."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from configs_app.services import config_set_global
from execution_app.models import Order, OrderStatus
from risk_app.models import Position, RiskDecision
from risk_app.services.kill_switch import risk_set_mode
from signals_app.models import Signal, SignalStatus

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("eager_pipeline", "prices")]


def post(client: APIClient, **payload: Any) -> Signal:
    body = {"symbol": "BTCUSDT", "action": "buy", "confidence": 0.8, **payload}
    response = client.post("/api/v1/signals", data=body, format="json")
    assert response.status_code == 202, response.content
    return Signal.objects.get(pk=response.json()["id"])


def verdict(decision: RiskDecision, rule: str) -> dict[str, Any]:
    return next(v for v in decision.verdicts if v["rule"] == rule)


def test_an_approved_buy_is_filled_and_every_rule_is_recorded(strategy_client: APIClient) -> None:
    signal = post(strategy_client)
    signal.refresh_from_db()
    assert (signal.status, signal.status_reason) == (SignalStatus.ORDERED, "risk_approved")
    decision = signal.risk_decision
    assert decision.approved and decision.reason_code == "approved"
    assert [v["rule"] for v in decision.verdicts] == [
        "sizing", "kill_switch", "daily_loss_breaker", "enabled", "side_enabled", "allowed_symbols",
        "trading_window", "min_confidence", "max_signal_age", "duplicate_signal", "position_size", "leverage",
        "max_portfolio_exposure", "max_concurrent_positions", "max_positions_per_symbol", "max_daily_trades",
        "order_rate",
    ]  # fmt: skip
    assert all(v["passed"] for v in decision.verdicts)
    assert Order.objects.get(signal=signal, reduce_only=False).status == OrderStatus.FILLED


def test_low_confidence_is_rejected_with_a_stable_code(strategy_client: APIClient) -> None:
    signal = post(strategy_client, confidence=0.55)
    signal.refresh_from_db()
    assert (signal.status, signal.status_reason) == (SignalStatus.REJECTED, "confidence_below_threshold")
    assert verdict(signal.risk_decision, "min_confidence")["passed"] is False
    assert not Order.objects.filter(signal=signal).exists()


def test_a_stale_signal_is_rejected(strategy_client: APIClient) -> None:
    signal = post(strategy_client, timestamp=(timezone.now() - timedelta(minutes=10)).isoformat())
    signal.refresh_from_db()
    assert signal.status_reason == "signal_too_old"
    assert not Order.objects.filter(signal=signal).exists()


def test_a_hold_signal_is_recorded_and_does_nothing(strategy_client: APIClient) -> None:
    signal = post(strategy_client, action="hold")
    signal.refresh_from_db()
    assert (signal.status, signal.status_reason) == (SignalStatus.HELD, "hold_signal")
    assert not RiskDecision.objects.filter(signal=signal).exists()
    assert not Order.objects.exists()


def test_kill_switch_stops_entries_but_a_close_still_executes(strategy_client: APIClient) -> None:
    opened = post(strategy_client, quantity="0.01")
    assert Position.objects.get(symbol="BTCUSDT", side="LONG").quantity == Decimal("0.01")

    risk_set_mode(mode="halted", actor="user:op", reason="exchange incident")
    refused = post(strategy_client, quantity="0.01")
    refused.refresh_from_db()
    assert refused.status_reason == "kill_switch_halted"

    closed = post(strategy_client, action="close", confidence=0.1)
    closed.refresh_from_db()
    assert closed.status == SignalStatus.ORDERED, closed.status_reason
    assert closed.risk_decision.reduce_only is True
    order = Order.objects.get(signal=closed)
    assert (order.side, order.quantity, order.reduce_only) == ("SELL", Decimal("0.01"), True)
    assert Position.objects.get(symbol="BTCUSDT", side="LONG").quantity == 0
    assert opened.pk != closed.pk


def test_quantity_zero_means_the_exchange_minimum(strategy_client: APIClient) -> None:
    # USD-M BTCUSDT: minQty 0.001, MIN_NOTIONAL 100 → 100 / 50000 = 0.002 (step 0.001).
    signal = post(strategy_client, quantity=0)
    assert Order.objects.get(signal=signal, reduce_only=False).quantity == Decimal("0.002")


def test_size_from_equity_is_scaled_by_confidence(strategy_client: APIClient) -> None:
    # At 1x leverage: 100000 equity × 2 % × 0.8 confidence = 1600 USDT → 1600 / 50000 = 0.032 BTC.
    config_set_global(parameters={"leverage": 1}, changed_by="test", reason="unlevered sizing")
    signal = post(strategy_client)
    assert Order.objects.get(signal=signal, reduce_only=False).quantity == Decimal("0.032")


def test_a_symbol_the_exchange_does_not_list_is_rejected(strategy_client: APIClient) -> None:
    signal = post(strategy_client, symbol="FOOBARUSDT")
    signal.refresh_from_db()
    assert signal.status_reason == "unknown_symbol"
