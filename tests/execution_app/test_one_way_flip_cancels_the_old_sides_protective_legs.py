"""One-way mode: a sell that closes a protected long and opens a short (a flip) cancels the
long's stop-loss and take-profit, here and at the paper exchange, before the short's own
legs go out; the short's legs protect what the short holds, and the audit trail says why
the old legs went. Reconciliation then finds no orphaned protective order."""

from __future__ import annotations

from decimal import Decimal as D
from typing import Any

import pytest

from execution_app.exchange.base import OrderNotFound
from execution_app.exchange.paper import PaperExchange
from execution_app.models import Order, OrderStatus
from execution_app.models_binance import IssueKind, ReconciliationIssue, ReconciliationRun
from execution_app.services.pipeline import signal_execute
from execution_app.services.reconciliation import reconciliation_run
from petrosa.core.models import AuditEvent
from risk_app.models import Position
from signals_app.models import Signal
from tests.execution_app.order_helpers import accepted_signal, configure, orders_of, tick
from tests.factories import StrategyWithKey

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("prices")]
S = OrderStatus


@pytest.fixture(autouse=True)
def _config(db: Any) -> None:
    configure(risk_management_enabled=False, duplicate_signal_window_seconds=0, max_positions_per_symbol=10,
              position_mode="one_way")  # fmt: skip


def _protected(strategy: StrategyWithKey, action: str, quantity: str) -> Signal:
    signal = accepted_signal(strategy.strategy, action=action, quantity=D(quantity), stop_loss_pct=D("0.02"),
                             take_profit_pct=D("0.05"))  # fmt: skip
    signal_execute(signal_id=signal.pk)
    return signal


def _position(side: str) -> D:
    row = Position.objects.filter(symbol="BTCUSDT", side=side).first()
    return row.quantity if row else D(0)


def _at_exchange(order: Order) -> str:
    try:
        return PaperExchange().get_order(symbol=order.symbol, client_order_id=order.client_order_id).status
    except OrderNotFound:
        return "not found"


def _flip(strategy: StrategyWithKey) -> tuple[dict[str, Order], dict[str, Order]]:
    long_signal = _protected(strategy, "buy", "0.01")
    long_legs = orders_of(long_signal)
    assert long_legs["stop_loss"].status == long_legs["take_profit"].status == S.OPEN
    assert _at_exchange(long_legs["stop_loss"]) == _at_exchange(long_legs["take_profit"]) == S.OPEN
    short_signal = _protected(strategy, "sell", "0.03")  # closes the 0.01 long, opens a 0.02 short
    return orders_of(long_signal), orders_of(short_signal)


def test_a_flip_cancels_the_longs_legs_here_and_at_the_exchange(strategy: StrategyWithKey) -> None:
    old, new = _flip(strategy)
    assert new["entry"].status == S.FILLED
    assert (_position("LONG"), _position("SHORT")) == (D("0"), D("0.02"))
    for role in ("stop_loss", "take_profit"):
        leg = old[role]
        assert leg.status == S.CANCELED, f"the long's {role} is {leg.status}"
        assert _at_exchange(leg) == S.CANCELED, f"the long's {role} is {_at_exchange(leg)} at the exchange"


def test_the_shorts_legs_are_live_and_protect_what_the_short_holds(strategy: StrategyWithKey) -> None:
    old, new = _flip(strategy)
    stop, profit = new["stop_loss"], new["take_profit"]
    # 2 % above and 5 % below the 50000 fill, buying back the 0.02 short (not the 0.03 sold)
    assert (stop.side, stop.stop_price, stop.quantity, stop.position_side) == ("BUY", D("51000"), D("0.02"), "SHORT")
    assert (profit.side, profit.stop_price, profit.quantity) == ("BUY", D("47500"), D("0.02"))
    assert stop.status == profit.status == S.OPEN
    assert _at_exchange(stop) == _at_exchange(profit) == S.OPEN
    # The old legs were cancelled before the new ones were sent.
    old_ids = [str(old["stop_loss"].pk), str(old["take_profit"].pk)]
    cancelled = AuditEvent.objects.filter(kind="order.cancel_requested", entity_id__in=old_ids)
    sent = AuditEvent.objects.filter(kind="order.submitting", entity_id__in=[str(stop.pk), str(profit.pk)])
    assert cancelled.count() == 2 and sent.count() == 2
    assert max(e.pk for e in cancelled) < min(e.pk for e in sent)
    # The market falling through the old long's stop moves nothing: it is gone.
    tick("BTCUSDT", "48990")
    assert (_position("LONG"), _position("SHORT")) == (D("0"), D("0.02"))


def test_the_audit_trail_says_why_the_old_legs_went(strategy: StrategyWithKey) -> None:
    old, new = _flip(strategy)
    released = AuditEvent.objects.get(kind="protective.released")
    assert released.entity_type == "order" and released.entity_id == str(new["entry"].pk)
    assert released.data["reason"] == "position_flipped"
    assert released.data["position_side"] == "LONG"
    assert sorted(released.data["legs"]) == sorted([old["stop_loss"].client_order_id,
                                                    old["take_profit"].client_order_id])  # fmt: skip
    assert released.correlation_id == new["entry"].signal.correlation_id


def test_reconciliation_finds_no_orphaned_protection_after_a_flip(strategy: StrategyWithKey, settings: Any) -> None:
    settings.ORDER_RECONCILE_AFTER_SECONDS = 0
    _flip(strategy)
    run = reconciliation_run(exchange=PaperExchange(), trigger=ReconciliationRun.Trigger.MANUAL)
    assert run.status == ReconciliationRun.Status.COMPLETED, run.error
    issues = list(ReconciliationIssue.objects.values_list("kind", "client_order_id"))
    assert not [i for i in issues if i[0] == IssueKind.PROTECTIVE_ORPHANED], issues


def test_a_sell_that_only_reduces_the_long_keeps_its_legs(strategy: StrategyWithKey) -> None:
    long_signal = _protected(strategy, "buy", "0.02")
    _protected(strategy, "sell", "0.01")
    legs = orders_of(long_signal)
    assert _position("LONG") == D("0.01")
    assert legs["stop_loss"].status == legs["take_profit"].status == S.OPEN
    assert not AuditEvent.objects.filter(kind="protective.released").exists()
