"""Entries with a stop-loss / take-profit get both legs once filled, linked one-cancels-
the-other on the paper exchange: one fills, the other is cancelled; a close cancels
both and closes the position reduce-only; a partly filled entry protects what it got."""

from __future__ import annotations

from decimal import Decimal as D
from typing import Any

import pytest
from django.test import override_settings

from execution_app.models import Order, OrderStatus
from execution_app.services.pipeline import signal_execute
from petrosa.core.models import AuditEvent
from risk_app.models import Position
from signals_app.models import Signal
from tests.execution_app.order_helpers import accepted_signal, configure, orders_of, tick
from tests.factories import StrategyWithKey

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("prices")]
S = OrderStatus


@pytest.fixture(autouse=True)
def _config(db: Any) -> None:
    configure(risk_management_enabled=False, duplicate_signal_window_seconds=0, max_positions_per_symbol=10)


def protected_long(strategy: StrategyWithKey, **fields: Any) -> tuple[Signal, dict[str, Order]]:
    signal = accepted_signal(strategy.strategy, quantity=D("0.01"), stop_loss_pct=D("0.02"),
                             take_profit_pct=D("0.05"), **fields)  # fmt: skip
    signal_execute(signal_id=signal.pk)
    return signal, orders_of(signal)


def position(side: str = "LONG") -> D:
    row = Position.objects.filter(symbol="BTCUSDT", side=side).first()
    return row.quantity if row else D(0)


def test_a_filled_entry_gets_both_legs_linked(strategy: StrategyWithKey) -> None:
    _, orders = protected_long(strategy)
    entry, stop, profit = orders["entry"], orders["stop_loss"], orders["take_profit"]
    assert entry.status == S.FILLED
    # 2 % below and 5 % above the 50000 fill; reduce-only market triggers for the whole 0.01
    assert (stop.order_type, stop.side, stop.stop_price, stop.quantity, stop.reduce_only) == (
        "STOP_MARKET", "SELL", D("49000"), D("0.01"), True)  # fmt: skip
    assert (profit.order_type, profit.side, profit.stop_price) == ("TAKE_PROFIT_MARKET", "SELL", D("52500"))
    assert stop.status == profit.status == S.OPEN
    assert stop.parent_id == profit.parent_id == entry.pk
    assert stop.oco_group == profit.oco_group == entry.client_order_id
    assert stop.client_order_id.endswith("-sl1") and profit.client_order_id.endswith("-tp1")


def test_the_stop_filling_cancels_the_take_profit(strategy: StrategyWithKey) -> None:
    signal, _ = protected_long(strategy)
    tick("BTCUSDT", "49500")
    assert position() == D("0.01")
    tick("BTCUSDT", "48990")
    orders = orders_of(signal)
    assert (orders["stop_loss"].status, orders["stop_loss"].average_price) == (S.FILLED, D("48990"))
    assert (orders["take_profit"].status, orders["take_profit"].status_reason) == (S.CANCELED, "canceled")
    assert position() == D("0")
    tick("BTCUSDT", "53000")  # the cancelled leg can no longer fire
    assert position() == D("0") and position("SHORT") == D("0")


def test_the_take_profit_filling_cancels_the_stop(strategy: StrategyWithKey) -> None:
    signal, _ = protected_long(strategy)
    tick("BTCUSDT", "52600")
    orders = orders_of(signal)
    assert orders["take_profit"].status == S.FILLED
    assert orders["stop_loss"].status == S.CANCELED
    assert position() == D("0")
    assert AuditEvent.objects.filter(kind="order.cancel_requested", entity_id=str(orders["stop_loss"].pk)).exists()


def test_a_close_cancels_both_legs_and_closes_reduce_only(strategy: StrategyWithKey) -> None:
    entry_signal, _ = protected_long(strategy)
    close = accepted_signal(strategy.strategy, action="close")
    signal_execute(signal_id=close.pk)
    legs = orders_of(entry_signal)
    assert legs["stop_loss"].status == legs["take_profit"].status == S.CANCELED
    closing = orders_of(close)["close"]
    assert (closing.side, closing.quantity, closing.reduce_only, closing.status) == ("SELL", D("0.01"), True, S.FILLED)
    assert position() == D("0")
    tick("BTCUSDT", "48000")  # nothing left to fire
    assert position() == D("0") and position("SHORT") == D("0")


@override_settings(PAPER_BOOK_LEVEL_NOTIONAL="1000")  # 0.02 BTC per level: an IOC for 0.05 gets 0.02
def test_a_partly_filled_entry_protects_the_part_it_got(strategy: StrategyWithKey) -> None:
    signal = accepted_signal(strategy.strategy, order_type="limit", time_in_force="IOC", price=D("50000"),
                             quantity=D("0.05"), stop_loss_pct=D("0.02"))  # fmt: skip
    signal_execute(signal_id=signal.pk)
    orders = orders_of(signal)
    assert (orders["entry"].status, orders["entry"].executed_quantity) == (S.EXPIRED, D("0.02"))
    assert (orders["stop_loss"].quantity, orders["stop_loss"].status) == (D("0.02"), S.OPEN)
    assert "take_profit" not in orders


def test_a_short_entry_is_protected_above_and_below(strategy: StrategyWithKey) -> None:
    signal, _ = protected_long(strategy, action="sell")
    orders = orders_of(signal)
    assert (orders["stop_loss"].side, orders["stop_loss"].stop_price) == ("BUY", D("51000"))
    assert (orders["take_profit"].side, orders["take_profit"].stop_price) == ("BUY", D("47500"))
    tick("BTCUSDT", "51100")
    assert position("SHORT") == D("0") and orders_of(signal)["take_profit"].status == S.CANCELED


def test_a_stop_already_crossed_when_arming_closes_at_market(strategy: StrategyWithKey) -> None:
    # A stop-loss above the fill price for a long would fire on arrival (Binance -2021): close instead.
    signal = accepted_signal(strategy.strategy, quantity=D("0.01"), stop_loss=D("50100"))
    signal_execute(signal_id=signal.pk)
    orders = orders_of(signal)
    assert "stop_loss" not in orders
    assert (orders["close"].status, orders["close"].reduce_only, orders["close"].quantity) == (S.FILLED, True,
                                                                                                D("0.01"))  # fmt: skip
    assert position() == D("0")
    assert AuditEvent.objects.filter(kind="protective.already_crossed").count() == 1


@override_settings(EXCHANGE_MARKET="spot")
@pytest.mark.parametrize(("price", "fired", "cancelled"), [("52600", "take_profit", "stop_loss"),
                                                            ("48900", "stop_loss", "take_profit")])  # fmt: skip
def test_on_spot_the_take_profit_is_held_by_us_and_still_one_cancels_the_other(
    strategy: StrategyWithKey, price: str, fired: str, cancelled: str
) -> None:
    # Spot locks the quantity of each open sell: two resting legs cannot both hold the same BTC.
    signal, orders = protected_long(strategy)
    stop, profit = orders["stop_loss"], orders["take_profit"]
    # 0.01 bought, 0.00001 BTC fee: 0.00999 to protect; the stop-limit sells up to 0.5 % (slippage) below 49000
    assert (stop.order_type, stop.stop_price, stop.price, stop.quantity, stop.status) == (
        "STOP_LOSS_LIMIT", D("49000"), D("48755"), D("0.00999"), S.OPEN)  # fmt: skip
    assert (profit.status, profit.conditional_price, profit.conditional_direction) == (S.HELD, D("52500"), "above")
    tick("BTCUSDT", price)
    orders = orders_of(signal)
    assert (orders[fired].status, orders[cancelled].status) == (S.FILLED, S.CANCELED)
    assert position() == D("0")
