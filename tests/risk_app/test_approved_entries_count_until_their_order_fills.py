"""An approved entry is a reservation from the moment it is decided: it counts
toward positions and exposure while its order is in flight, is carried by the
position once filled, and frees its room if the exchange refuses the order."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.utils import timezone

from configs_app.services import config_resolve, config_set_global
from execution_app.models import Order
from risk_app.intent import TradeIntent
from risk_app.models import RiskDecision
from risk_app.selectors import book_read
from risk_app.services.gate import risk_evaluate
from risk_app.services.kill_switch import risk_state_get
from risk_app.services.positions import position_apply_fill
from tests.factories import SignalFactory, StrategyWithKey

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("prices")]


def decide(strategy: StrategyWithKey, symbol: str, quantity: str = "1", price: str = "100") -> RiskDecision:
    signal = SignalFactory(strategy=strategy.strategy, symbol=symbol)
    intent = TradeIntent(symbol=symbol, side="BUY", position_side="LONG", quantity=D(quantity), price=D(price),
                         reduce_only=False)  # fmt: skip
    return risk_evaluate(signal=signal, intent=intent, config=config_resolve(symbol=symbol, side="LONG"))


def entry_order(decision: RiskDecision, status: str) -> Order:
    return Order.objects.create(
        signal=decision.signal, decision=decision, client_order_id=f"test-{decision.signal_id}-e",
        symbol=decision.symbol, side="BUY", position_side="LONG", quantity=decision.quantity, status=status,
    )  # fmt: skip


def test_an_entry_in_flight_holds_its_room_and_a_refused_order_frees_it(strategy: StrategyWithKey) -> None:
    config_set_global(parameters={"max_concurrent_positions": 1}, changed_by="test", reason="one position")
    first = decide(strategy, "ETHUSDT")
    order = entry_order(first, "submitting")

    assert decide(strategy, "BTCUSDT").reason_code == "max_concurrent_positions_reached"

    Order.objects.filter(pk=order.pk).update(status="rejected")
    assert decide(strategy, "DOGEUSDT").approved


def test_a_partly_filled_entry_counts_once_its_fill_in_the_position_and_the_rest_reserved(
    strategy: StrategyWithKey,
) -> None:
    decision = decide(strategy, "ETHUSDT", quantity="2", price="3000")
    order = entry_order(decision, "partially_filled")
    position_apply_fill(symbol="ETHUSDT", side="BUY", quantity=D("0.5"), price=D("3000"), fee_quote=D("0"))
    Order.objects.filter(pk=order.pk).update(executed_quantity=D("0.5"))

    book = book_read(state=risk_state_get(), now=timezone.now())
    assert [(h.symbol, h.quantity) for h in book.open] == [("ETHUSDT", D("0.5"))]
    assert [(h.symbol, h.quantity) for h in book.reserved] == [("ETHUSDT", D("1.5"))]
    assert book.exposure == D("6000")  # 2 ETH at 3000: never more, never less

    Order.objects.filter(pk=order.pk).update(status="canceled")  # the rest will never fill
    assert book_read(state=risk_state_get(), now=timezone.now()).exposure == D("1500")
