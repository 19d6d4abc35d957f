"""Every sizing and execution parameter changes what is sent: one test each.

Defaults in these tests: equity 100000 USDT (PAPER_STARTING_EQUITY), BTCUSDT at
50000 on USD-M futures (minQty 0.001, step 0.001, MIN_NOTIONAL 100, so the
dynamic minimum is 0.002), signals with confidence 1. Config *_pct values are
percents. margin_type is applied by the leverage manager, not by sizing, so
it has no test here.
"""

from __future__ import annotations

from decimal import Decimal as D
from typing import Any

import pytest
from django.test import override_settings

from execution_app.exchange.paper_engine import engine_change_position_mode
from execution_app.models import Order, OrderRole, OrderStatus, PositionFlag
from execution_app.services import orders as order_services
from execution_app.services.pipeline import signal_execute
from execution_app.services.venue import order_request
from risk_app.models import Position
from signals_app.models import Signal, SignalStatus
from tests.execution_app.order_helpers import (
    RefusingStopLegs,
    accepted_signal,
    configure,
    decide,
)
from tests.factories import StrategyWithKey

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("prices")]
BASE = {"leverage": 1, "position_size_pct": D("1"), "max_position_size_usd": D("100000"),
        "min_position_size_usd": D("0"), "duplicate_signal_window_seconds": 0, "max_positions_per_symbol": 10,
        "risk_management_enabled": False}
# (the last two let one test send several same-direction entries in a row past the risk gate)


def entry(strategy: StrategyWithKey, config: dict[str, Any], **signal_fields: Any) -> Order | Signal:
    """The entry the signal becomes under ``config`` (over BASE), or the refused signal."""
    configure(**{**BASE, **config})
    signal = accepted_signal(strategy.strategy, **signal_fields)
    orders, _ = decide(signal)
    signal.refresh_from_db()
    if signal.status == SignalStatus.REJECTED:
        return signal
    (order,) = [o for o in orders if o.role == OrderRole.ENTRY]
    Order.objects.filter(pk=order.pk).update(status=OrderStatus.CANCELED)  # out of the way of the next signal
    return order


def quantities(strategy: StrategyWithKey, name: str, values: tuple[Any, Any], **signal_fields: Any) -> list[D]:
    return [entry(strategy, {name: value}, **signal_fields).quantity for value in values]  # type: ignore[union-attr]


def test_position_size_pct_is_the_share_of_equity(strategy: StrategyWithKey) -> None:
    # 1 % and 2 % of 100000 at 50000: 0.02 and 0.04 BTC
    assert quantities(strategy, "position_size_pct", (D("1"), D("2"))) == [D("0.02"), D("0.04")]


def test_a_signals_own_position_size_fraction_wins_over_the_config(strategy: StrategyWithKey) -> None:
    order = entry(strategy, {"position_size_pct": D("2")}, position_size_pct=D("0.005"))
    assert order.quantity == D("0.01")  # 0.5 % of 100000 = 500 USDT


def test_a_signal_cannot_ask_for_more_than_the_configs_position_size(strategy: StrategyWithKey) -> None:
    # the signal asks 10 %, the operator allows 2 %: 2000 USDT → 0.04 BTC, and the gate approves it
    order = entry(strategy, {"position_size_pct": D("2")}, position_size_pct=D("0.10"))
    assert isinstance(order, Order) and order.quantity == D("0.04")


def test_a_size_raised_to_the_usd_floor_is_rounded_up_not_under_it(strategy: StrategyWithKey) -> None:
    # 0.1 % = 100 USDT at 50000; the floor 123 USDT is 0.00246 BTC: snapped down it would be 0.002
    # (100 USDT, under the floor, refused by the gate); rounded up it is 0.003
    order = entry(strategy, {"position_size_pct": D("0.1"), "min_position_size_usd": D("123")})
    assert isinstance(order, Order) and order.quantity == D("0.003")


def test_max_position_size_usd_caps_the_notional(strategy: StrategyWithKey) -> None:
    # 5 % = 5000 USDT → 0.1 BTC, capped at 2000 USDT → 0.04 BTC
    sizes = [entry(strategy, {"position_size_pct": D("5"), "max_position_size_usd": cap}).quantity
             for cap in (D("100000"), D("2000"))]  # fmt: skip
    assert sizes == [D("0.1"), D("0.04")]


def test_min_position_size_usd_raises_a_small_size(strategy: StrategyWithKey) -> None:
    # 0.3 % = 300 USDT → 0.006 BTC; with a 500 USDT floor: 0.01 BTC
    sizes = [entry(strategy, {"position_size_pct": D("0.3"), "min_position_size_usd": floor}).quantity
             for floor in (D("0"), D("500"))]  # fmt: skip
    assert sizes == [D("0.006"), D("0.01")]


def test_quantity_multiplier_scales_the_size(strategy: StrategyWithKey) -> None:
    assert quantities(strategy, "quantity_multiplier", (D("1"), D("2.5"))) == [D("0.02"), D("0.05")]


def test_leverage_scales_the_futures_notional_within_the_cap(strategy: StrategyWithKey) -> None:
    # 2 % margin = 2000 USDT; × 3 = 6000 → 0.12 BTC; × 10 = 20000, capped at 10000 → 0.2 BTC
    sizes = [entry(strategy, {"position_size_pct": D("2"), "leverage": lev, "max_position_size_usd": D("10000")})
             .quantity for lev in (1, 3, 10)]  # fmt: skip
    assert sizes == [D("0.04"), D("0.12"), D("0.2")]


def test_use_exchange_minimums_raises_a_tiny_order_or_lets_it_be_refused(strategy: StrategyWithKey) -> None:
    raised = entry(strategy, {"use_exchange_minimums": True}, quantity=D("0.0005"))
    refused = entry(strategy, {"use_exchange_minimums": False}, quantity=D("0.0005"))
    assert raised.quantity == D("0.002")
    assert isinstance(refused, Signal) and refused.status_reason == "filter_lot_size"


def test_override_min_notional_raises_the_dynamic_minimum(strategy: StrategyWithKey) -> None:
    # quantity 0: max(0.001, 100 / 50000) = 0.002; with a 250 USDT floor: 0.005
    assert quantities(strategy, "override_min_notional", (None, D("250")), quantity=D("0")) == [D("0.002"), D("0.005")]


def test_override_min_qty_raises_the_dynamic_minimum(strategy: StrategyWithKey) -> None:
    assert quantities(strategy, "override_min_qty", (None, D("0.01")), quantity=D("0")) == [D("0.002"), D("0.01")]


def test_override_step_size_snaps_to_a_coarser_step(strategy: StrategyWithKey) -> None:
    # 1.17 % = 1170 USDT → 0.0234 BTC: step 0.001 → 0.023, step 0.01 → 0.02
    sizes = [entry(strategy, {"position_size_pct": D("1.17"), "override_step_size": step}).quantity
             for step in (None, D("0.01"))]  # fmt: skip
    assert sizes == [D("0.023"), D("0.02")]


def test_default_order_type_applies_when_the_signal_names_none(strategy: StrategyWithKey) -> None:
    market = entry(strategy, {"default_order_type": "market"}, order_type="")
    limit = entry(strategy, {"default_order_type": "limit"}, order_type="", price=D("49000"))
    assert (market.order_type, market.price) == ("MARKET", None)
    assert (limit.order_type, limit.price, limit.time_in_force) == ("LIMIT", D("49000"), "GTC")


def test_time_in_force_applies_to_limit_orders_that_name_none(strategy: StrategyWithKey) -> None:
    tifs = [entry(strategy, {"time_in_force": tif}, order_type="limit", price=D("49000"), time_in_force="")
            .time_in_force for tif in ("GTC", "IOC")]  # fmt: skip
    assert tifs == ["GTC", "IOC"]


def test_position_mode_decides_whether_the_exchange_sees_a_position_side(strategy: StrategyWithKey) -> None:
    one_way = entry(strategy, {"position_mode": "one_way"})
    hedge = entry(strategy, {"position_mode": "hedge"})
    assert order_request(one_way).position_side == ""  # BOTH
    assert order_request(hedge).position_side == "LONG"


# --- parameters that act at the exchange: run on the paper exchange ---------------------------------------


def executed(strategy: StrategyWithKey, config: dict[str, Any], **signal_fields: Any) -> dict[str, list[Order]]:
    """Run the signal through the pipeline and the paper exchange; its orders by role."""
    configure(**{**BASE, **config})
    signal = accepted_signal(strategy.strategy, **signal_fields)
    signal_execute(signal_id=signal.pk)
    by_role: dict[str, list[Order]] = {}
    for order in Order.objects.filter(signal=signal).order_by("id"):
        by_role.setdefault(order.role, []).append(order)
    return by_role


def test_stop_loss_pct_sets_the_stop_distance(strategy: StrategyWithKey) -> None:
    stops = [executed(strategy, {"risk_management_enabled": True, "stop_loss_pct": pct}, quantity=D("0.01"))
             ["stop_loss"][0].stop_price for pct in (D("2"), D("5"))]  # fmt: skip
    assert stops == [D("49000"), D("47500")]


def test_take_profit_pct_sets_the_target_distance(strategy: StrategyWithKey) -> None:
    targets = [executed(strategy, {"risk_management_enabled": True, "take_profit_pct": pct}, quantity=D("0.01"))
               ["take_profit"][0].stop_price for pct in (D("5"), D("10"))]  # fmt: skip
    assert targets == [D("52500"), D("55000")]


def test_risk_management_enabled_attaches_protection_to_bare_entries(strategy: StrategyWithKey) -> None:
    protected = executed(strategy, {"risk_management_enabled": True}, quantity=D("0.01"))
    bare = executed(strategy, {"risk_management_enabled": False}, quantity=D("0.01"))
    assert sorted(protected) == ["entry", "stop_loss", "take_profit"]
    assert sorted(bare) == ["entry"]


def test_max_retries_bounds_the_protective_leg_placements(strategy: StrategyWithKey,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    monkeypatch.setattr(order_services, "venue", lambda: refusing)
    attempts = []
    for retries in (0, 2):
        refusing = RefusingStopLegs(refusals=99)
        stops = executed(strategy, {"risk_management_enabled": True, "max_retries": retries}, quantity=D("0.01"))
        attempts.append(len(stops["stop_loss"]))
    assert attempts == [1, 3]
    assert PositionFlag.objects.count() == 2  # each escalated after its last attempt


@override_settings(PAPER_BOOK_LEVEL_NOTIONAL="1000")  # 0.02 BTC per level: 0.1 BTC walks 5 levels, avg 50020
def test_slippage_tolerance_pct_refuses_a_market_order_expected_to_slip_further(strategy: StrategyWithKey) -> None:
    # the default paper venue quotes the fill it expects from its own book
    loose, tight = (executed(strategy, {"slippage_tolerance_pct": pct, "position_size_pct": D("10")},
                             quantity=D("0.1"))["entry"][0] for pct in (D("0.5"), D("0.01")))  # fmt: skip
    assert (loose.status, loose.average_price) == (OrderStatus.FILLED, D("50020"))  # 0.04 % from 50000
    assert (tight.status, tight.status_reason, tight.executed_quantity) == (OrderStatus.REJECTED, "slippage_exceeded",
                                                                            D("0"))  # fmt: skip


def test_position_mode_hedge_keeps_long_and_short_apart(strategy: StrategyWithKey) -> None:
    def after_buy_then_sell(mode: str) -> tuple[D, D]:
        Position.objects.all().delete()
        if mode == "hedge":  # the exchange account must be in hedge mode too (the leverage manager's job live)
            engine_change_position_mode({"dualSidePosition": "true"})
        executed(strategy, {"position_mode": mode}, quantity=D("0.01"))
        executed(strategy, {"position_mode": mode}, action="sell", quantity=D("0.01"))
        long, short = (Position.objects.filter(symbol="BTCUSDT", side=s).first() for s in ("LONG", "SHORT"))
        return (long.quantity if long else D(0), short.quantity if short else D(0))

    assert after_buy_then_sell("one_way") == (D("0"), D("0"))
    assert after_buy_then_sell("hedge") == (D("0.01"), D("0.01"))
