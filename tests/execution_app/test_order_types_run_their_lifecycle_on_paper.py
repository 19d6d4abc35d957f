"""Every order type runs its whole lifecycle against the paper exchange (USD-M futures,
BTCUSDT at 50000): accepted signal → risk gate → order → exchange → fills → position,
with resting orders and triggers driven by market ticks."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal as D
from typing import Any

import pytest
from django.test import override_settings
from django.utils import timezone

from execution_app.models import Fill, Order, OrderStatus
from execution_app.services.conditional import conditional_orders_check
from execution_app.services.orders import order_cancel
from execution_app.services.pipeline import signal_execute
from petrosa.core.errors import Conflict
from risk_app.models import Position
from signals_app.models import Signal
from tests.execution_app.order_helpers import accepted_signal, configure, orders_of, tick
from tests.factories import StrategyWithKey

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("prices")]
S = OrderStatus


@pytest.fixture(autouse=True)
def _config(db: Any) -> None:
    # No default protection here: these tests are about the entry itself (test_protective_* cover the legs).
    configure(risk_management_enabled=False, duplicate_signal_window_seconds=0, max_positions_per_symbol=10)


def execute(strategy: StrategyWithKey, **fields: Any) -> tuple[Signal, Order]:
    signal = accepted_signal(strategy.strategy, **fields)
    signal_execute(signal_id=signal.pk)
    signal.refresh_from_db()
    return signal, orders_of(signal)["entry"]


def refreshed(order: Order) -> Order:
    order.refresh_from_db()
    return order


def long_quantity() -> D:
    position = Position.objects.filter(symbol="BTCUSDT", side="LONG").first()
    return position.quantity if position else D(0)


def test_market_order_fills_at_once(strategy: StrategyWithKey) -> None:
    _, order = execute(strategy, quantity=D("0.01"))
    assert (order.order_type, order.status, order.executed_quantity, order.average_price) == (
        "MARKET", S.FILLED, D("0.01"), D("50000"))  # fmt: skip
    fill = Fill.objects.get(order=order)
    assert (fill.commission, fill.commission_asset, fill.is_maker) == (D("0.5"), "USDT", False)  # taker 0.1 %
    assert long_quantity() == D("0.01")


@override_settings(PAPER_BOOK_LEVEL_NOTIONAL="1000")  # 0.02 BTC per book level at 50000
def test_limit_order_rests_then_fills_partially_over_ticks(strategy: StrategyWithKey) -> None:
    _, order = execute(strategy, order_type="limit", price=D("49900"), quantity=D("0.05"))
    assert (order.order_type, order.time_in_force, order.status, order.executed_quantity) == (
        "LIMIT", "GTC", S.OPEN, D("0"))  # fmt: skip
    tick("BTCUSDT", "49950")  # not reached
    assert refreshed(order).status == S.OPEN
    tick("BTCUSDT", "49900")
    assert (refreshed(order).status, order.executed_quantity) == (S.PARTIALLY_FILLED, D("0.02"))
    assert long_quantity() == D("0.02")
    tick("BTCUSDT", "49890")  # two levels of the book (49890, 49899.98) are now within the limit
    assert (refreshed(order).status, order.executed_quantity, order.average_price) == (S.FILLED, D("0.05"), D("49900"))
    fills = Fill.objects.filter(order=order).order_by("id")
    assert [f.quantity for f in fills] == [D("0.02"), D("0.03")]
    assert all(f.is_maker and f.price == D("49900") for f in fills)
    assert long_quantity() == D("0.05")
    tick("BTCUSDT", "49880")  # a later tick and a redelivered sync record nothing twice
    assert Fill.objects.filter(order=order).count() == 2


@override_settings(PAPER_BOOK_LEVEL_NOTIONAL="1000")
def test_ioc_limit_takes_what_the_book_holds_and_expires_the_rest(strategy: StrategyWithKey) -> None:
    _, order = execute(strategy, order_type="limit", time_in_force="IOC", price=D("50000"), quantity=D("0.05"))
    assert (order.status, order.executed_quantity) == (S.EXPIRED, D("0.02"))
    assert long_quantity() == D("0.02")


def test_fok_limit_that_cannot_fill_whole_is_refused(strategy: StrategyWithKey) -> None:
    _, order = execute(strategy, order_type="limit", time_in_force="FOK", price=D("49000"), quantity=D("0.01"))
    assert (order.status, order.status_reason) == (S.REJECTED, "fok_not_filled")
    assert long_quantity() == D("0")


def test_post_only_limit_that_would_take_is_refused(strategy: StrategyWithKey) -> None:
    _, order = execute(strategy, order_type="limit", time_in_force="GTX", price=D("50000"), quantity=D("0.01"))
    assert (order.status, order.status_reason) == (S.REJECTED, "post_only_would_take")


def test_stop_entry_waits_for_its_trigger_then_fills_at_market(strategy: StrategyWithKey) -> None:
    _, order = execute(strategy, order_type="stop", conditional_price=D("50500"), quantity=D("0.01"))
    assert (order.order_type, order.stop_price, order.status) == ("STOP_MARKET", D("50500"), S.OPEN)
    tick("BTCUSDT", "50400")
    assert refreshed(order).status == S.OPEN
    tick("BTCUSDT", "50600")
    assert (refreshed(order).status, order.average_price) == (S.FILLED, D("50600"))
    assert long_quantity() == D("0.01")


def test_stop_limit_entry_becomes_a_limit_at_its_trigger(strategy: StrategyWithKey) -> None:
    _, order = execute(strategy, order_type="stop_limit", conditional_price=D("50500"), price=D("50600"),
                       quantity=D("0.01"))  # fmt: skip
    assert (order.order_type, order.stop_price, order.price, order.status) == ("STOP", D("50500"), D("50600"), S.OPEN)
    tick("BTCUSDT", "50550")
    assert (refreshed(order).status, order.average_price) == (S.FILLED, D("50550"))


def test_take_profit_entry_buys_the_dip_at_market(strategy: StrategyWithKey) -> None:
    _, order = execute(strategy, order_type="take_profit", conditional_price=D("49500"), quantity=D("0.01"))
    assert (order.order_type, order.status) == ("TAKE_PROFIT_MARKET", S.OPEN)
    tick("BTCUSDT", "49400")
    assert (refreshed(order).status, order.average_price) == (S.FILLED, D("49400"))


def test_take_profit_limit_entry_becomes_a_limit_at_its_trigger(strategy: StrategyWithKey) -> None:
    _, order = execute(strategy, order_type="take_profit_limit", conditional_price=D("49500"), price=D("49450"),
                       quantity=D("0.01"))  # fmt: skip
    assert (order.order_type, order.status) == ("TAKE_PROFIT", S.OPEN)
    tick("BTCUSDT", "49400")
    assert (refreshed(order).status, order.executed_quantity) == (S.FILLED, D("0.01"))


def test_a_stop_the_market_already_crossed_is_refused_before_sending(strategy: StrategyWithKey) -> None:
    signal = accepted_signal(strategy.strategy, order_type="stop", conditional_price=D("49000"), quantity=D("0.01"))
    signal_execute(signal_id=signal.pk)
    signal.refresh_from_db()
    assert (signal.status, signal.status_reason) == ("rejected", "would_trigger_immediately")
    assert not Order.objects.filter(signal=signal).exists()


def test_conditional_limit_is_held_until_the_price_crosses(strategy: StrategyWithKey) -> None:
    _, order = execute(strategy, order_type="conditional_limit", price=D("49800"), conditional_price=D("49900"),
                       conditional_direction="below", quantity=D("0.01"))  # fmt: skip
    assert (order.status, order.order_type, order.price) == (S.HELD, "LIMIT", D("49800"))
    tick("BTCUSDT", "49950")
    assert refreshed(order).status == S.HELD
    tick("BTCUSDT", "49850")  # crossed: sent as a resting limit
    assert (refreshed(order).status, order.status_reason) == (S.OPEN, "exchange_report")
    tick("BTCUSDT", "49800")
    assert refreshed(order).status == S.FILLED


def test_conditional_stop_releases_a_market_order(strategy: StrategyWithKey) -> None:
    _, order = execute(strategy, action="sell", order_type="conditional_stop", conditional_price=D("49000"),
                       conditional_direction="below", quantity=D("0.01"))  # fmt: skip
    assert (order.status, order.order_type) == (S.HELD, "MARKET")
    tick("BTCUSDT", "48950")
    assert (refreshed(order).status, order.average_price) == (S.FILLED, D("48950"))
    assert Position.objects.get(symbol="BTCUSDT", side="SHORT").quantity == D("0.01")


def test_conditional_order_expires_unsent_after_its_timeout(strategy: StrategyWithKey) -> None:
    _, order = execute(strategy, order_type="conditional_stop", conditional_price=D("51000"),
                       conditional_direction="above", conditional_timeout=60, quantity=D("0.01"))  # fmt: skip
    conditional_orders_check(now=timezone.now() + timedelta(seconds=59))
    assert refreshed(order).status == S.HELD
    conditional_orders_check(now=timezone.now() + timedelta(seconds=61))
    assert (refreshed(order).status, order.status_reason) == (S.EXPIRED, "conditional_timeout")
    tick("BTCUSDT", "51500")
    assert refreshed(order).status == S.EXPIRED and not Fill.objects.filter(order=order).exists()


def test_a_resting_order_can_be_cancelled_once(strategy: StrategyWithKey) -> None:
    _, order = execute(strategy, order_type="limit", price=D("49000"), quantity=D("0.01"))
    order_cancel(order_id=order.pk, actor="user:op", reason="changed my mind")
    assert refreshed(order).status == S.CANCELED
    with pytest.raises(Conflict) as finished:
        order_cancel(order_id=order.pk, actor="user:op", reason="again")
    assert finished.value.code == "order_finished"
    tick("BTCUSDT", "48900")
    assert refreshed(order).status == S.CANCELED and long_quantity() == D("0")
