"""The watcher (beat task execution.watch_orders) catches what a lost task missed:
a resting order that filled on the exchange with no sync, a held order whose
condition was met between checks, and follow-ups skipped by a crash right after
recording (protection never armed, an OCO sibling never cancelled)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal as D
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from execution_app.exchange.paper_engine import engine_on_price
from execution_app.models import Fill, Order, OrderStatus
from execution_app.services.orders import order_submit
from execution_app.services.pipeline import _decide, signal_execute
from execution_app.services.sweep import orders_watch
from petrosa.core.market import price_set
from signals_app.models import Signal
from tests.execution_app.order_helpers import accepted_signal, configure, orders_of
from tests.factories import StrategyWithKey

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("prices")]
S = OrderStatus


@pytest.fixture(autouse=True)
def _config(db: Any) -> None:
    configure(risk_management_enabled=False, duplicate_signal_window_seconds=0, max_positions_per_symbol=10)


def _exchange_moves(price: str) -> None:
    """The market moves and the paper exchange acts on it, but no sync task reaches us."""
    price_set(symbol="BTCUSDT", price=D(price), source="test")
    engine_on_price("BTCUSDT", D(price))


def _settled(*orders: Order) -> None:
    Order.objects.filter(pk__in=[o.pk for o in orders]).update(updated_at=timezone.now() - timedelta(seconds=30))


def test_a_resting_order_filled_without_a_sync_is_picked_up(strategy: StrategyWithKey) -> None:
    signal = accepted_signal(strategy.strategy, order_type="limit", price=D("49900"), quantity=D("0.01"))
    signal_execute(signal_id=signal.pk)
    _exchange_moves("49850")
    assert orders_of(signal)["entry"].status == S.OPEN  # we have not heard yet
    assert orders_watch() >= 1
    entry = orders_of(signal)["entry"]
    assert (entry.status, Fill.objects.filter(order=entry).count()) == (S.FILLED, 1)
    orders_watch()
    assert Fill.objects.filter(order=entry).count() == 1


def test_a_held_order_is_released_by_the_watcher(strategy: StrategyWithKey) -> None:
    signal = accepted_signal(strategy.strategy, order_type="conditional_stop", conditional_price=D("50500"),
                             conditional_direction="above", quantity=D("0.01"))  # fmt: skip
    signal_execute(signal_id=signal.pk)
    price_set(symbol="BTCUSDT", price=D("50600"), source="test")
    orders_watch()
    assert orders_of(signal)["entry"].status == S.FILLED


def test_protection_skipped_by_a_crash_is_armed_and_a_missed_oco_cancel_is_done(strategy: StrategyWithKey) -> None:
    signal = accepted_signal(strategy.strategy, quantity=D("0.01"), stop_loss_pct=D("0.02"), take_profit_pct=D("0.05"))
    with transaction.atomic():
        _decide(Signal.objects.select_for_update().select_related("strategy").get(pk=signal.pk))
    entry = order_submit(order_id=orders_of(signal)["entry"].pk)  # recorded, then "crashed" before follow-ups
    assert entry.status == S.FILLED and not Order.objects.filter(parent=entry).exists()
    _settled(entry)
    orders_watch()
    legs = orders_of(signal)
    assert legs["stop_loss"].status == legs["take_profit"].status == S.OPEN

    _exchange_moves("48900")  # the stop fires on the exchange; no sync, no OCO cancel reaches us
    _settled(legs["stop_loss"], legs["take_profit"])
    orders_watch()
    legs = orders_of(signal)
    assert (legs["stop_loss"].status, legs["take_profit"].status) == (S.FILLED, S.CANCELED)
