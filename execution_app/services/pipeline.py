"""From an accepted signal to an order on the exchange.

size → risk gate → Order, in one transaction under the portfolio lock, so
concurrent workers see each other's approved orders; then the exchange call,
after commit and outside any lock.

Per symbol, signals execute in arrival order and one at a time: a signal
waits while an earlier signal of its symbol is still accepted or its order is
still in flight, and whoever finishes hands the symbol to the next signal.
So the position a `close` closes, or a limit a trade is judged against, is
the same as if the signals had been processed one by one, on any number of
workers.
"""

from __future__ import annotations

from django.db import transaction

from configs_app.services import config_resolve
from execution_app.models import Order, OrderStatus
from execution_app.services.orders import client_order_id_for, order_submit
from execution_app.sizing import size_signal
from petrosa.core.handoff import enqueue_now
from petrosa.core.locks import lock_for_transaction
from risk_app.intent import TradeIntent
from risk_app.services.gate import risk_evaluate
from signals_app.models import Signal, SignalStatus
from signals_app.services.status import signal_transition

PORTFOLIO_LOCK = "portfolio"
EXECUTE_SIGNAL_TASK = "execution.execute_signal"
IN_FLIGHT = (OrderStatus.PENDING, OrderStatus.SUBMITTING, OrderStatus.UNKNOWN)


def signal_execute(*, signal_id: int) -> Order | None:
    """Decide and place the order for an ACCEPTED signal. Idempotent: a signal
    already decided only has its order (if any) pushed along."""
    with transaction.atomic():
        lock_for_transaction(PORTFOLIO_LOCK)
        signal = Signal.objects.select_for_update().select_related("strategy").filter(pk=signal_id).first()
        if signal is None:
            return None
        if signal.status != SignalStatus.ACCEPTED:
            order = Order.objects.filter(signal=signal).order_by("id").first()
        elif _waits_for_earlier_work(signal):
            return None  # the earlier signal's completion hands the symbol on
        else:
            order = _decide(signal)
    if order is not None:
        order = order_submit(order_id=order.pk)
    symbol_hand_on(symbol=signal.symbol)
    return order


def symbol_hand_on(*, symbol: str) -> None:
    """Wake the oldest accepted signal of a symbol, if nothing is in flight."""
    if Order.objects.filter(symbol=symbol, status__in=IN_FLIGHT).exists():
        return
    next_id = (
        Signal.objects.filter(symbol=symbol, status=SignalStatus.ACCEPTED).order_by("id").values_list("id", flat=True)
    ).first()
    if next_id is not None:
        enqueue_now(EXECUTE_SIGNAL_TASK, next_id)


def _waits_for_earlier_work(signal: Signal) -> bool:
    earlier_accepted = Signal.objects.filter(symbol=signal.symbol, status=SignalStatus.ACCEPTED, id__lt=signal.pk)
    in_flight = Order.objects.filter(symbol=signal.symbol, status__in=IN_FLIGHT)
    return earlier_accepted.exists() or in_flight.exists()


def _decide(signal: Signal) -> Order | None:
    side_hint = "SHORT" if signal.effective_action == "sell" else "LONG"
    config = config_resolve(symbol=signal.symbol, side=side_hint)
    intent = size_signal(signal=signal, config=config)
    decision = risk_evaluate(signal=signal, intent=intent, config=config)
    if not decision.approved or not isinstance(intent, TradeIntent):
        signal_transition(signal=signal, to=SignalStatus.REJECTED, reason=decision.reason_code, actor="risk_gate")
        return None
    order = Order.objects.create(
        signal=signal,
        decision=decision,
        client_order_id=client_order_id_for(signal_id=signal.pk, leg="e"),
        symbol=intent.symbol,
        side=intent.side,
        position_side=intent.position_side,
        order_type="MARKET",
        quantity=intent.quantity,
        reduce_only=intent.reduce_only,
    )
    signal_transition(
        signal=signal,
        to=SignalStatus.ORDERED,
        reason="risk_approved",
        actor="risk_gate",
        data={"order_id": order.pk, "client_order_id": order.client_order_id},
    )
    return order
