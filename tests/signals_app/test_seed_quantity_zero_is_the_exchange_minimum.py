"""Seed 001's ``quantity: 0`` reaches execution unchanged and is sized to the
exchange minimum, through the real pipeline in eager mode."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.conf import settings
from django.utils import timezone
from rest_framework.test import APIClient

from execution_app.exchange.filters import minimum_quantity, symbol_rules
from execution_app.models import Order, OrderStatus
from signals_app.models import Signal, SignalStatus

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("eager_pipeline")]


def test_quantity_zero_is_filled_at_the_exchange_minimum(
    strategy_client: APIClient, prices: dict[str, Decimal]
) -> None:
    body = {
        "strategy_id": "momentum_v1", "symbol": "BTCUSDT", "action": "buy", "price": 45000.0, "quantity": 0.0,
        "confidence": 0.85, "timestamp": timezone.now().isoformat(),
        "meta": {"order_type": "market", "stop_loss": 43000.0, "take_profit": 47000.0, "time_in_force": "GTC"},
    }  # fmt: skip
    response = strategy_client.post("/trade/signal", data=body, format="json")
    assert response.status_code == 202, response.content

    signal = Signal.objects.get(pk=response.json()["signal_id"])
    assert signal.quantity == Decimal("0")
    assert (signal.status, signal.status_reason) == (SignalStatus.ORDERED, "risk_approved")
    rules = symbol_rules("BTCUSDT", market=settings.EXCHANGE_MARKET)
    expected = minimum_quantity(rules, price=prices["BTCUSDT"], market_order=True)
    order = Order.objects.get(signal=signal, role="entry")
    assert expected > 0
    assert order.quantity == expected
    assert order.status == OrderStatus.FILLED
